// ApplicationReader: protobuf JSON -> heyan.v1.Application with simdjson On-Demand, falling
// back to protobuf's own parser for anything the fast path is not sure of. See the header.
#include "io/application_reader.h"

#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "io/record_check.h"
#include "simdjson.h"

namespace heyan::io {
namespace {

namespace od = simdjson::ondemand;
using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

static_assert(ApplicationReader::kPadding >= simdjson::SIMDJSON_PADDING,
              "kPadding must cover simdjson's padding");

// Deeper nesting than any Heyan message has; beyond it the fast path defers (protobuf has
// its own recursion limit).
constexpr int kMaxDepth = 64;

// ---- descriptor tables --------------------------------------------------------------------

// How the fast path reads a field. kDefer: the fast path never reads it (bytes are base64,
// floats have special spellings, maps and well-known types have their own JSON forms, real
// oneofs reject a second member); a line that has it goes to protobuf.
enum class Kind { kString, kInt32, kInt64, kUInt32, kUInt64, kBool, kEnum, kMessage, kDefer };

struct MessageTable;

// Equality of short strings (field and enum value names) without a call to memcmp, which
// costs more than the comparison for names of a few bytes.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  while (n >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  while (n > 0) {
    if (*a++ != *b++) return false;
    --n;
  }
  return true;
}

// Open-addressing index from names to small integers: one cheap hash and usually one
// comparison per look-up.
class NameIndex {
 public:
  static constexpr size_t kSlots = 256;  // at most 128 names (2 per field, 64 fields)

  // More than kSlots / 2 names (a huge enum) leaves the index empty: every look-up misses
  // and the line goes to protobuf.
  void Build(const std::vector<std::string_view>& names) {
    slots_.fill(-1);
    if (names.size() > kSlots / 2) return;
    names_ = names;
    for (size_t i = 0; i < names_.size(); ++i) {
      size_t h = Hash(names_[i]);
      while (slots_[h] >= 0) h = (h + 1) % kSlots;
      slots_[h] = static_cast<int16_t>(i);
    }
  }

  // Index of `name` in the names given to Build, or -1.
  int Find(std::string_view name) const {
    for (size_t h = Hash(name);; h = (h + 1) % kSlots) {
      const int i = slots_[h];
      if (i < 0) return -1;
      const std::string_view candidate = names_[i];
      if (candidate.size() == name.size() &&
          SameBytes(candidate.data(), name.data(), name.size())) {
        return i;
      }
    }
  }

 private:
  static size_t Hash(std::string_view key) {
    const size_t n = key.size();
    if (n == 0) return 0;
    return (n * 131 + static_cast<unsigned char>(key[0]) * 31 +
            static_cast<unsigned char>(key[n / 2]) * 7 + static_cast<unsigned char>(key[n - 1])) %
           kSlots;
  }

  std::vector<std::string_view> names_;
  std::array<int16_t, kSlots> slots_;
};

struct EnumTable {
  const EnumDescriptor* descriptor = nullptr;
  std::vector<const EnumValueDescriptor*> values;  // by index in the descriptor
  NameIndex by_name;
};

struct FieldInfo {
  const FieldDescriptor* field = nullptr;
  Kind kind = Kind::kDefer;
  bool repeated = false;
  bool non_negative = false;  // an amount, area or count (io/record_check.h)
  const MessageTable* message = nullptr;  // kMessage
  const EnumTable* enumeration = nullptr; // kEnum
};

struct KeyEntry {
  std::string_view key;  // JSON name or proto field name (both are accepted)
  const FieldInfo* info;
};

struct MessageTable {
  const Descriptor* descriptor = nullptr;
  // Of the generated type: one per type, so looking it up per message is wasted work.
  const Reflection* reflection = nullptr;
  std::vector<FieldInfo> fields;  // by field index
  std::vector<KeyEntry> keys;
  // Duplicate keys are detected with a 64-bit mask of field indexes; larger messages defer.
  bool too_many_fields = false;

  NameIndex index;  // over keys

  void BuildIndex() {
    std::vector<std::string_view> names;
    for (const KeyEntry& e : keys) names.push_back(e.key);
    index.Build(names);
  }

  const FieldInfo* Find(std::string_view key) const {
    const int i = index.Find(key);
    return i < 0 ? nullptr : keys[i].info;
  }
};

// Tables for one root message type and everything it reaches. Built once, immutable, shared.
class Tables {
 public:
  explicit Tables(const Descriptor* root) { root_ = Build(root); }
  const MessageTable& root() const { return *root_; }

 private:
  const MessageTable* Build(const Descriptor* d) {
    for (const auto& m : messages_) {
      if (m->descriptor == d) return m.get();
    }
    messages_.push_back(std::make_unique<MessageTable>());
    MessageTable* table = messages_.back().get();
    table->descriptor = d;
    table->reflection =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->GetReflection();
    table->too_many_fields = d->field_count() > 64;
    table->fields.resize(d->field_count());
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      FieldInfo& info = table->fields[i];
      info.field = f;
      info.repeated = f->is_repeated();
      info.kind = KindOf(f);
      info.non_negative = MustNotBeNegative(f);
      if (info.kind == Kind::kMessage) info.message = Build(f->message_type());
      if (info.kind == Kind::kEnum) info.enumeration = BuildEnum(f->enum_type());
    }
    // Fill keys after all fields exist: `fields` must not move once pointers are taken.
    for (const FieldInfo& info : table->fields) {
      table->keys.push_back({info.field->json_name(), &info});
      if (info.field->name() != info.field->json_name()) {
        table->keys.push_back({info.field->name(), &info});
      }
    }
    table->BuildIndex();
    return table;
  }

  const EnumTable* BuildEnum(const EnumDescriptor* d) {
    for (const auto& e : enums_) {
      if (e->descriptor == d) return e.get();
    }
    enums_.push_back(std::make_unique<EnumTable>());
    EnumTable* table = enums_.back().get();
    table->descriptor = d;
    std::vector<std::string_view> names;
    for (int i = 0; i < d->value_count(); ++i) {
      table->values.push_back(d->value(i));
      names.push_back(d->value(i)->name());
    }
    table->by_name.Build(names);
    return table;
  }

  static Kind KindOf(const FieldDescriptor* f) {
    if (f->is_map() || f->real_containing_oneof() != nullptr) return Kind::kDefer;
    switch (f->type()) {
      case FieldDescriptor::TYPE_STRING:
        return Kind::kString;
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return Kind::kInt32;
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
        return Kind::kInt64;
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return Kind::kUInt32;
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return Kind::kUInt64;
      case FieldDescriptor::TYPE_BOOL:
        return Kind::kBool;
      case FieldDescriptor::TYPE_ENUM:
        return f->enum_type()->full_name() == "google.protobuf.NullValue" ? Kind::kDefer
                                                                           : Kind::kEnum;
      case FieldDescriptor::TYPE_MESSAGE:
        return f->message_type()->file()->package() == "google.protobuf" ? Kind::kDefer
                                                                         : Kind::kMessage;
      default:  // bytes, float, double, group
        return Kind::kDefer;
    }
  }

  std::vector<std::unique_ptr<MessageTable>> messages_;
  std::vector<std::unique_ptr<EnumTable>> enums_;
  const MessageTable* root_ = nullptr;
};

const Tables& ApplicationTables() {
  static const Tables* tables = new Tables(v1::Application::descriptor());
  return *tables;
}

const Tables& RequestTables() {
  static const Tables* tables = new Tables(v1::VerificationRequest::descriptor());
  return *tables;
}

// ---- the fast path ------------------------------------------------------------------------

// Strict decimal integer in a JSON string: optional '-', then digits (what protobuf
// accepts besides '+' and other forms, which defer). False on overflow.
bool ParseDecimal(std::string_view s, bool allow_negative, int64_t min, uint64_t max,
                  int64_t* as_signed, uint64_t* as_unsigned) {
  bool negative = false;
  size_t i = 0;
  if (!s.empty() && s[0] == '-') {
    if (!allow_negative) return false;
    negative = true;
    i = 1;
  }
  if (i == s.size() || s.size() - i > 20) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    // -min as unsigned, without overflowing on INT64_MIN.
    const uint64_t limit = static_cast<uint64_t>(-(min + 1)) + 1;
    if (v > limit) return false;
    *as_signed = v == 0 ? 0 : static_cast<int64_t>(0 - v);
    return true;
  }
  if (v > max) return false;
  *as_unsigned = v;
  *as_signed = static_cast<int64_t>(v);
  return true;
}

// One step of a field path: a field (proto name) or an index into the previous step's list.
struct Step {
  std::string_view name;  // field name, or a key that matched no field
  int64_t index = -1;
};

class FastParser {
 public:
  // Parses the padded `json`. False with why_ and path_ set when the line must go to protobuf.
  bool Parse(od::parser& parser, const char* json, size_t len, size_t capacity, const Tables& tables,
             Message* out) {
    path_.clear();
    why_.clear();
    depth_ = 0;
    od::document doc;
    if (auto error = parser.iterate(json, len, capacity).get(doc)) return Json(error);
    od::object root;
    if (auto error = doc.get_object().get(root)) return Json(error);
    if (!Object(root, tables.root(), out)) return false;
    // On-Demand stops at the object's closing brace; text after it would go unnoticed.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS) {
      return Defer("text after the JSON object");
    }
    return true;
  }

  // The field path where the fast path stopped, e.g. members[0].incomes[1].amount_fen.
  // path_ holds it innermost step first: each level adds its step only while a failure
  // unwinds, so a line that parses pays nothing for paths.
  std::string RenderPath() const {
    std::string out;
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      const Step& s = *it;
      if (s.index >= 0) {
        absl::StrAppend(&out, "[", s.index, "]");
      } else {
        if (!out.empty()) out.push_back('.');
        out.append(s.name.data(), s.name.size());
      }
    }
    return out;
  }

  const std::string& why() const { return why_; }

 private:
  bool Defer(std::string_view why) {
    why_.assign(why.data(), why.size());
    return false;
  }
  bool Json(simdjson::error_code error) { return Defer(simdjson::error_message(error)); }

  bool Object(od::object& object, const MessageTable& table, Message* message) {
    if (table.too_many_fields) return Defer("message with more than 64 fields");
    if (++depth_ > kMaxDepth) return Defer("nested too deeply");
    const Reflection* reflection = table.reflection;
    uint64_t seen = 0;
    for (auto field_result : object) {
      od::field field;
      if (auto error = std::move(field_result).get(field)) return Json(error);
      std::string_view key;
      if (auto error = field.unescaped_key().get(key)) return Json(error);
      const FieldInfo* info = table.Find(key);
      if (info == nullptr) {
        // The key lives in the parser's string buffer until the next parse: fine for a path
        // that is rendered before then. Copied to be safe against later string reads.
        unknown_key_.assign(key.data(), key.size());
        path_.push_back({unknown_key_});
        return Defer("unknown field");
      }
      const uint64_t bit = uint64_t{1} << info->field->index();
      bool ok;
      if (seen & bit) {
        // protobuf lets a repeated key append and a message key merge, and a proto3
        // `optional` field written twice (by both names) is an error; all rare: defer.
        ok = Defer("field given twice");
      } else if (info->kind == Kind::kDefer) {
        ok = Defer("field kind the fast path does not read");
      } else {
        seen |= bit;
        od::value& value = field.value();
        ok = info->repeated ? Repeated(value, *info, reflection, message)
                            : Singular(value, *info, reflection, message);
      }
      if (!ok) {
        path_.push_back({info->field->name()});
        return false;
      }
    }
    --depth_;
    return true;
  }

  bool Repeated(od::value& value, const FieldInfo& info, const Reflection* reflection,
                Message* message) {
    od::json_type type;
    if (auto error = value.type().get(type)) return Json(error);
    // protobuf also takes a single value or null for a list: defer.
    if (type != od::json_type::array) return Defer("expected a list");
    od::array array;
    if (auto error = value.get_array().get(array)) return Json(error);
    int64_t index = 0;
    for (auto element_result : array) {
      od::value element;
      const bool ok = std::move(element_result).get(element) == simdjson::SUCCESS
                          ? Element(element, info, reflection, message)
                          : Defer("malformed list element");
      if (!ok) {
        path_.push_back({{}, index});
        return false;
      }
      ++index;
    }
    return true;
  }

  // One list element: added to the repeated field.
  bool Element(od::value& value, const FieldInfo& info, const Reflection* reflection,
               Message* message) {
    return Store(value, info, reflection, message, /*element=*/true);
  }

  bool Singular(od::value& value, const FieldInfo& info, const Reflection* reflection,
                Message* message) {
    return Store(value, info, reflection, message, /*element=*/false);
  }

  // Reads one value of the field's kind and adds it (a list element) or sets it.
  bool Store(od::value& value, const FieldInfo& info, const Reflection* r, Message* m, bool element) {
    const FieldDescriptor* f = info.field;
    int64_t i64;
    uint64_t u64;
    switch (info.kind) {
      case Kind::kString: {
        std::string_view s;
        if (!String(value, &s)) return false;
        element ? r->AddString(m, f, std::string(s)) : r->SetString(m, f, std::string(s));
        return true;
      }
      case Kind::kInt32:
        if (!Integer(value, true, INT32_MIN, INT32_MAX, &i64, &u64)) return false;
        if (i64 < 0 && info.non_negative) return Defer("negative");  // the fallback words it
        element ? r->AddInt32(m, f, static_cast<int32_t>(i64)) : r->SetInt32(m, f, static_cast<int32_t>(i64));
        return true;
      case Kind::kInt64:
        if (!Integer(value, true, INT64_MIN, INT64_MAX, &i64, &u64)) return false;
        if (i64 < 0 && info.non_negative) return Defer("negative");
        element ? r->AddInt64(m, f, i64) : r->SetInt64(m, f, i64);
        return true;
      case Kind::kUInt32:
        if (!Integer(value, false, 0, UINT32_MAX, &i64, &u64)) return false;
        element ? r->AddUInt32(m, f, static_cast<uint32_t>(u64)) : r->SetUInt32(m, f, static_cast<uint32_t>(u64));
        return true;
      case Kind::kUInt64:
        if (!Integer(value, false, 0, UINT64_MAX, &i64, &u64)) return false;
        element ? r->AddUInt64(m, f, u64) : r->SetUInt64(m, f, u64);
        return true;
      case Kind::kBool: {
        bool b;
        if (!Bool(value, &b)) return false;
        element ? r->AddBool(m, f, b) : r->SetBool(m, f, b);
        return true;
      }
      case Kind::kEnum: {
        const EnumValueDescriptor* e;
        if (!Enum(value, *info.enumeration, &e)) return false;
        element ? r->AddEnum(m, f, e) : r->SetEnum(m, f, e);
        return true;
      }
      case Kind::kMessage: {
        od::object object;
        if (!ObjectValue(value, &object)) return false;
        // MutableMessage marks the field present even for {}, as protobuf's parser does.
        return Object(object, *info.message, element ? r->AddMessage(m, f) : r->MutableMessage(m, f));
      }
      case Kind::kDefer:
        break;
    }
    return Defer("field kind the fast path does not read");
  }

  // Each reader checks the JSON type first: a mismatch (including null, which protobuf
  // reads as "absent") defers instead of failing, so protobuf decides and words the error.
  bool Type(od::value& value, od::json_type want, const char* what) {
    od::json_type type;
    if (auto error = value.type().get(type)) return Json(error);
    if (type != want) return Defer(what);
    return true;
  }

  bool ObjectValue(od::value& value, od::object* object) {
    if (!Type(value, od::json_type::object, "expected an object")) return false;
    if (auto error = value.get_object().get(*object)) return Json(error);
    return true;
  }

  bool String(od::value& value, std::string_view* out) {
    if (!Type(value, od::json_type::string, "expected a string")) return false;
    if (auto error = value.get_string().get(*out)) return Json(error);
    return true;
  }

  bool Bool(od::value& value, bool* out) {
    if (!Type(value, od::json_type::boolean, "expected true or false")) return false;
    if (auto error = value.get_bool().get(*out)) return Json(error);
    return true;
  }

  // A JSON integer, or a decimal integer in a string; in [min, max].
  bool Integer(od::value& value, bool is_signed, int64_t min, uint64_t max, int64_t* as_signed,
               uint64_t* as_unsigned) {
    od::json_type type;
    if (auto error = value.type().get(type)) return Json(error);
    if (type == od::json_type::number) {
      // Integers only: 1.0 and 1e3 are valid too, but protobuf's rules for them (exactly
      // integral doubles) are its own.
      if (is_signed) {
        int64_t v;
        if (auto error = value.get_int64().get(v)) return Json(error);
        if (v < min || (v > 0 && static_cast<uint64_t>(v) > max)) return Defer("out of range");
        *as_signed = v;
        return true;
      }
      uint64_t v;
      if (auto error = value.get_uint64().get(v)) return Json(error);
      if (v > max) return Defer("out of range");
      *as_unsigned = v;
      return true;
    }
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto error = value.get_string().get(s)) return Json(error);
      if (!ParseDecimal(s, is_signed, min, max, as_signed, as_unsigned)) {
        return Defer("not a plain decimal integer");
      }
      return true;
    }
    return Defer("expected an integer");
  }

  // An enum value by name, or by a number the enum declares (protobuf also keeps undeclared
  // numbers and reads numbers in strings; those defer).
  bool Enum(od::value& value, const EnumTable& table, const EnumValueDescriptor** out) {
    od::json_type type;
    if (auto error = value.type().get(type)) return Json(error);
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto error = value.get_string().get(s)) return Json(error);
      const int i = table.by_name.Find(s);
      if (i < 0) return Defer("not a value name of the enum");
      *out = table.values[i];
      return true;
    }
    if (type == od::json_type::number) {
      int64_t n;
      if (auto error = value.get_int64().get(n)) return Json(error);
      if (n < INT32_MIN || n > INT32_MAX) return Defer("out of range");
      *out = table.descriptor->FindValueByNumber(static_cast<int>(n));
      if (*out == nullptr) return Defer("number the enum does not declare");
      return true;
    }
    return Defer("expected an enum value");
  }

  std::vector<Step> path_;
  std::string why_;
  std::string unknown_key_;
  int depth_ = 0;
};

// Makes protobuf's status message one line and pulls the field path out of it. Its forms:
//   "(members[0].birth_date): invalid value 5 for type TYPE_STRING"
//   "(members[0]) bogus: Cannot find field."      "bogus: Cannot find field."
//   "Unexpected end of string. Expected a value.\n<up to 40 bytes of context>\n   ^"
void ProtobufError(std::string_view json, std::string_view status_message,
                   std::string_view hint_field, ReadError* error) {
  std::string_view first = status_message.substr(0, status_message.find('\n'));
  error->field.assign(hint_field.data(), hint_field.size());
  constexpr std::string_view kNoField = ": Cannot find field.";
  if (!first.empty() && first[0] == '(') {
    const size_t close = first.find(')');
    if (close != std::string_view::npos) {
      std::string_view path = first.substr(1, close - 1);
      std::string_view rest = first.substr(close + 1);
      if (rest.substr(0, 2) == ": ") {
        error->field.assign(path.data(), path.size());
        first = rest.substr(2);
      } else if (rest.substr(0, 1) == " " && rest.size() > kNoField.size() &&
                 rest.substr(rest.size() - kNoField.size()) == kNoField) {
        std::string_view key = rest.substr(1, rest.size() - 1 - kNoField.size());
        error->field = absl::StrCat(std::string(path), path.empty() ? "" : ".", std::string(key));
        first = rest.substr(1);
      }
    }
  } else if (first.size() > kNoField.size() &&
             first.substr(first.size() - kNoField.size()) == kNoField) {
    std::string_view key = first.substr(0, first.size() - kNoField.size());
    error->field.assign(key.data(), key.size());
  } else if (first.substr(0, 2) == ": ") {
    first = first.substr(2);  // ": Root element must be a message."
  }
  error->message.assign(first.data(), first.size());
  // Syntax errors carry a context line and a caret line; turn them into a column.
  const size_t nl1 = status_message.find('\n');
  if (nl1 == std::string_view::npos) return;
  const size_t nl2 = status_message.find('\n', nl1 + 1);
  if (nl2 == std::string_view::npos) return;
  std::string_view context = status_message.substr(nl1 + 1, nl2 - nl1 - 1);
  std::string_view caret_line = status_message.substr(nl2 + 1);
  const size_t caret = caret_line.find('^');
  if (caret == std::string_view::npos) return;
  const size_t at = context.empty() ? json.size() : json.find(context);
  if (at == std::string_view::npos) return;
  absl::StrAppend(&error->message, " (column ", at + caret + 1, ")");
}

}  // namespace

struct ApplicationReader::Impl {
  od::parser parser;
  FastParser fast;
  std::string padded;  // for unpadded input
};

ApplicationReader::ApplicationReader() : impl_(std::make_unique<Impl>()) {
  ApplicationTables();  // build the shared tables before any parse
  RequestTables();
}

ApplicationReader::~ApplicationReader() = default;

bool ApplicationReader::ParseJson(std::string_view json, size_t capacity, v1::Application* out,
                                  ReadError* error) {
  out->Clear();
  if (capacity >= json.size() + kPadding &&
      impl_->fast.Parse(impl_->parser, json.data(), json.size(), capacity, ApplicationTables(), out)) {
    ++fast_parses_;
    return true;
  }
  ++fallback_parses_;
  out->Clear();
  return ParseJsonWithProtobuf(json, out, error, impl_->fast.RenderPath());
}

bool ApplicationReader::ParseJson(std::string_view json, size_t capacity, v1::VerificationRequest* out,
                                  ReadError* error) {
  out->Clear();
  if (capacity >= json.size() + kPadding &&
      impl_->fast.Parse(impl_->parser, json.data(), json.size(), capacity, RequestTables(), out)) {
    ++fast_parses_;
    return true;
  }
  ++fallback_parses_;
  out->Clear();
  return ParseJsonWithProtobuf(json, out, error, impl_->fast.RenderPath());
}

bool ApplicationReader::ParseJson(std::string_view json, v1::Application* out,
                                  ReadError* error) {
  std::string& padded = impl_->padded;
  padded.resize(json.size() + kPadding);
  std::memcpy(padded.data(), json.data(), json.size());
  return ParseJson(std::string_view(padded.data(), json.size()), padded.size(), out, error);
}

bool ApplicationReader::ParseJsonFastOnly(std::string_view json, v1::Application* out,
                                          std::string* why) {
  std::string& padded = impl_->padded;
  padded.resize(json.size() + kPadding);
  std::memcpy(padded.data(), json.data(), json.size());
  out->Clear();
  if (impl_->fast.Parse(impl_->parser, padded.data(), json.size(), padded.size(), ApplicationTables(), out)) {
    return true;
  }
  if (why != nullptr) {
    *why = absl::StrCat(impl_->fast.RenderPath(), ": ", impl_->fast.why());
  }
  return false;
}

namespace {

bool ParseMessageWithProtobuf(std::string_view json, Message* out, ReadError* error, std::string_view hint_field) {
  out->Clear();
  google::protobuf::util::JsonParseOptions options;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out, options);
  if (!status.ok()) {
    if (error != nullptr) {
      ProtobufError(json, std::string_view(status.message().data(), status.message().size()),
                    hint_field, error);
    }
    return false;
  }
  // What protobuf accepted but read wrongly, or what the data model does not allow.
  std::string field, problem;
  if (!CheckJsonIntegers(json, out->GetDescriptor(), &field, &problem) ||
      !CheckRecord(*out, RecordCheckOptions{}, &field, &problem)) {
    if (error != nullptr) {
      error->field = std::move(field);
      error->message = std::move(problem);
    }
    return false;
  }
  return true;
}

}  // namespace

bool ParseJsonWithProtobuf(std::string_view json, v1::Application* out, ReadError* error,
                           std::string_view hint_field) {
  return ParseMessageWithProtobuf(json, out, error, hint_field);
}

bool ParseJsonWithProtobuf(std::string_view json, v1::VerificationRequest* out, ReadError* error,
                           std::string_view hint_field) {
  return ParseMessageWithProtobuf(json, out, error, hint_field);
}

bool IsVerificationRequestJson(std::string_view json) {
  static constexpr std::string_view kKey = "\"application\"";
  int depth = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      if (depth == 1 && json.compare(i, kKey.size(), kKey) == 0) {
        size_t j = i + kKey.size();
        while (j < json.size() && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r')) ++j;
        if (j < json.size() && json[j] == ':') return true;
      }
      for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

bool CheckApplication(const v1::Application& application, ReadError* error) {
  std::string field, problem;
  if (CheckRecord(application, RecordCheckOptions{}, &field, &problem)) return true;
  if (error != nullptr) {
    error->field = std::move(field);
    error->message = std::move(problem);
  }
  return false;
}

// ---- ProtoJsonWriter ---------------------------------------------------------------------

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendU16(uint32_t unit, std::string* out) {
  char buffer[6] = {'\\', 'u', kHexDigits[(unit >> 12) & 0xF], kHexDigits[(unit >> 8) & 0xF],
                    kHexDigits[(unit >> 4) & 0xF], kHexDigits[unit & 0xF]};
  out->append(buffer, 6);
}

// Code points protobuf's JsonEscaping writes as \uXXXX although JSON does not require it
// (C1 controls, and invisible or direction-changing characters, against script injection).
bool ProtobufEscapes(uint32_t cp) {
  if (cp < 0xA0) return cp >= 0x7F;
  switch (cp) {
    case 0xFEFF: case 0xFFF9: case 0xFFFA: case 0xFFFB: case 0x00AD: case 0x06DD:
    case 0x070F: case 0x17B4: case 0x17B5: case 0xE0001:
      return true;
    default:
      return (cp >= 0x0600 && cp <= 0x0603) || (cp >= 0x200B && cp <= 0x200F) ||
             (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
             (cp >= 0x206A && cp <= 0x206F) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
             (cp >= 0xE0020 && cp <= 0xE007F);
  }
}

// Appends `s` as a JSON string the way protobuf escapes it. False if `s` is not valid UTF-8
// (protobuf silently drops such bytes; the caller lets protobuf print the message then).
bool AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  auto flush = [&](size_t end) { out->append(s.data() + run, end - run); };
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const char* escape = nullptr;
      switch (c) {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\b': escape = "\\b"; break;
        case '\t': escape = "\\t"; break;
        case '\n': escape = "\\n"; break;
        case '\f': escape = "\\f"; break;
        case '\r': escape = "\\r"; break;
        default: break;
      }
      if (escape == nullptr && c >= 0x20 && c != '<' && c != '>' && c != 0x7F) {
        ++i;
        continue;
      }
      flush(i);
      if (escape != nullptr) {
        out->append(escape);
      } else {
        AppendU16(c, out);
      }
      run = ++i;
      continue;
    }
    // Multi-byte: decode strictly (no overlong forms, no surrogates, at most U+10FFFF).
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    if (ProtobufEscapes(cp)) {
      flush(i);
      if (cp >= 0x10000) {
        AppendU16(0xD800 + ((cp - 0x10000) >> 10), out);
        AppendU16(0xDC00 + ((cp - 0x10000) & 0x3FF), out);
      } else {
        AppendU16(cp, out);
      }
      run = i + n;
    }
    i += n;
  }
  flush(s.size());
  out->push_back('"');
  return true;
}

// One value of `field` (element `index` of a repeated field, or -1). False if this writer
// does not print that kind of value.
template <typename AppendMessageFn>
bool AppendValue(const Message& message, const FieldDescriptor* field, int index,
                 std::string* scratch, std::string* out, AppendMessageFn&& append_message) {
  const Reflection* r = message.GetReflection();
  const bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedInt32(message, field, index)
                                    : r->GetInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedUInt32(message, field, index)
                                    : r->GetUInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, "\"",
                      repeated ? r->GetRepeatedInt64(message, field, index)
                               : r->GetInt64(message, field),
                      "\"");
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"",
                      repeated ? r->GetRepeatedUInt64(message, field, index)
                               : r->GetUInt64(message, field),
                      "\"");
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((repeated ? r->GetRepeatedBool(message, field, index)
                            : r->GetBool(message, field))
                      ? "true"
                      : "false");
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      if (field->enum_type()->file()->package() == "google.protobuf") return false;
      const int number = repeated ? r->GetRepeatedEnumValue(message, field, index)
                                  : r->GetEnumValue(message, field);
      const EnumValueDescriptor* value = field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) {
        absl::StrAppend(out, number);  // an open enum's unknown value prints as a number
      } else {
        out->push_back('"');
        out->append(value->name());
        out->push_back('"');
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      if (field->type() == FieldDescriptor::TYPE_BYTES) return false;  // base64
      const std::string& s = repeated
                                 ? r->GetRepeatedStringReference(message, field, index, scratch)
                                 : r->GetStringReference(message, field, scratch);
      return AppendJsonString(s, out);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (field->message_type()->file()->package() == "google.protobuf") return false;
      return append_message(repeated ? r->GetRepeatedMessage(message, field, index)
                                     : r->GetMessage(message, field));
    }
    default:  // float, double: protobuf's shortest round-trip formatting is its own
      return false;
  }
}

}  // namespace

bool ProtoJsonWriter::AppendMessage(const Message& message, int depth, std::string* out) {
  if (depth > kMaxDepth) return false;
  if (fields_.size() <= static_cast<size_t>(depth)) fields_.resize(depth + 1);
  // ListFields: the fields a proto3 printer shows (set or non-default), by field number,
  // which is the order protobuf's printer uses (it walks the binary encoding).
  std::vector<const FieldDescriptor*>& fields = fields_[depth];
  fields.clear();
  message.GetReflection()->ListFields(message, &fields);
  std::string scratch;
  auto append_message = [&](const Message& child) { return AppendMessage(child, depth + 1, out); };
  out->push_back('{');
  for (size_t k = 0; k < fields_[depth].size(); ++k) {
    // fields_ may grow (and move) in the recursive calls: index it afresh each time.
    const FieldDescriptor* field = fields_[depth][k];
    if (field->is_extension() || field->is_map()) return false;
    if (k > 0) out->push_back(',');
    out->push_back('"');
    out->append(field->name());
    out->append("\":");
    if (field->is_repeated()) {
      const int size = message.GetReflection()->FieldSize(message, field);
      out->push_back('[');
      for (int i = 0; i < size; ++i) {
        if (i > 0) out->push_back(',');
        if (!AppendValue(message, field, i, &scratch, out, append_message)) return false;
      }
      out->push_back(']');
    } else if (!AppendValue(message, field, -1, &scratch, out, append_message)) {
      return false;
    }
  }
  out->push_back('}');
  return true;
}

void ProtoJsonWriter::Append(const Message& message, std::string* out) {
  const size_t start = out->size();
  if (AppendMessage(message, 0, out)) return;
  out->resize(start);
  ++fallbacks_;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    out->append(json);
  } else {
    out->append("{}");
  }
}

}  // namespace heyan::io
