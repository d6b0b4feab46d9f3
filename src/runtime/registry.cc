// Registries: loading verification data and indexing it by ID number.
//
// Records are stored serialized in one byte buffer per registry and indexed by a 64-bit key
// packed from the 18-character resident ID (17 digits and a check character), so a
// 10-million-record registry costs a few hundred bytes per person at most and membership is
// one hash probe. IDs that do not have the standard form are indexed by their full text.
#include "heyan/registry.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/date.h"
#include "common/id_number.h"
#include "common/schema.h"
#include "common/text.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/v1/options.pb.h"
#include "heyan/v1/registry.pb.h"
#include "internal/status_macros.h"
#include "io/chinese_text.h"
#include "io/input_file.h"
#include "io/record_check.h"

namespace heyan {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using internal::Schema;

constexpr uint32_t kNone = UINT32_MAX;

// Eight ASCII digits to their value, or false if any byte is not a digit (SWAR: all eight
// at once; membership tests run this for every member of every application).
inline bool EightDigits(const char* p, uint64_t* out) {
  uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  chunk -= 0x3030303030303030ULL;
  if (((chunk | (chunk + 0x7676767676767676ULL)) & 0x8080808080808080ULL) != 0) return false;
  chunk = (chunk * 10 + (chunk >> 8)) & 0x00FF00FF00FF00FFULL;
  chunk = (chunk * 100 + (chunk >> 16)) & 0x0000FFFF0000FFFFULL;
  chunk = (chunk * 10000 + (chunk >> 32)) & 0xFFFFFFFFULL;
  *out = chunk;
  return true;
}

// Packs a standard 18-character ID into 64 bits; false for any other form.
bool PackId(std::string_view id, uint64_t* key) {
  if (id.size() != 18) return false;
  uint64_t hi, lo;
  if (!EightDigits(id.data(), &hi) || !EightDigits(id.data() + 8, &lo)) return false;
  const char c16 = id[16], check = id[17];
  if (c16 < '0' || c16 > '9') return false;
  uint64_t last;
  if (check >= '0' && check <= '9') {
    last = static_cast<uint64_t>(check - '0');
  } else if (check == 'X' || check == 'x') {
    last = 10;
  } else {
    return false;
  }
  const uint64_t v = (hi * 100000000ULL + lo) * 10 + static_cast<uint64_t>(c16 - '0');
  *key = v * 11 + last;
  return true;
}

struct Registry {
  const FieldDescriptor* field = nullptr;        // in heyan.v1.Registries
  const google::protobuf::Descriptor* record = nullptr;
  const FieldDescriptor* id_field = nullptr;     // id_number of the record type
  absl::flat_hash_map<uint64_t, uint32_t> head;  // packed ID -> last record added
  absl::flat_hash_map<std::string, uint32_t> other_head;
  std::vector<uint32_t> next;                    // previous record of the same ID
  std::vector<uint64_t> offsets;                 // record k is blob[offsets[k], offsets[k+1]); empty = no bytes
  std::string blob;
  bool checked = false;                          // a check (below) was stated for everyone
  RegistryCheckInfo check;

  void Add(std::string_view id, std::string_view serialized) {
    uint32_t index = static_cast<uint32_t>(next.size());
    uint64_t key;
    uint32_t* slot;
    if (PackId(id, &key)) {
      slot = &head.try_emplace(key, kNone).first->second;
    } else {
      slot = &other_head.try_emplace(std::string(id), kNone).first->second;
    }
    next.push_back(*slot);
    *slot = index;
    // ID-only registries (the common case for staff lists) keep no offsets at all.
    if (!serialized.empty() && offsets.empty()) offsets.assign(index + 1, 0);
    if (!offsets.empty()) {
      blob.append(serialized);
      offsets.push_back(blob.size());
    }
  }

  std::string_view Record(uint32_t k) const {
    if (offsets.empty()) return {};
    return std::string_view(blob).substr(offsets[k], offsets[k + 1] - offsets[k]);
  }

  uint32_t Find(std::string_view id) const {
    uint64_t key;
    if (PackId(id, &key)) {
      auto it = head.find(key);
      return it == head.end() ? kNone : it->second;
    }
    auto it = other_head.find(std::string(id));
    return it == other_head.end() ? kNone : it->second;
  }
};

std::string_view StripWs(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Trim(std::string_view s) {
  return std::string(absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size())));
}


// The unit a CSV column's numbers are in, for money (fen fields) and areas (centi fields).
enum class ColumnUnit {
  kStored,    // the stored integer: fen, hundredths (an English header such as monthly_salary_fen)
  kYuan,      // "月工资（元）"
  kMu,        // "面积（亩）"
  kSquareMetre,  // "面积（平方米）"
  kRequired,  // a Chinese header without a unit: every number must carry its unit (4500元)
};

// A header cell without its unit annotation ("月工资（元）" -> "月工资", kYuan). Unknown
// annotations stay part of the name (and then name no field).
std::string HeaderName(const std::string& header, ColumnUnit* unit) {
  *unit = ColumnUnit::kStored;
  for (const auto& [suffix, u] : std::vector<std::pair<std::string, ColumnUnit>>{
           {"（元）", ColumnUnit::kYuan}, {"(元)", ColumnUnit::kYuan}, {"（分）", ColumnUnit::kStored},
           {"(分)", ColumnUnit::kStored}, {"（亩）", ColumnUnit::kMu}, {"(亩)", ColumnUnit::kMu},
           {"（平方米）", ColumnUnit::kSquareMetre}, {"(平方米)", ColumnUnit::kSquareMetre}}) {
    if (absl::EndsWith(header, suffix)) {
      *unit = u;
      return header.substr(0, header.size() - suffix.size());
    }
  }
  return header;
}

// Rewrites a money or area cell into the stored integer text by the column's unit; "" if
// fine (then *text holds digits), else the problem.
std::string StoredNumber(const FieldDescriptor* f, ColumnUnit unit, std::string* text) {
  const std::string& kind = f->options().GetExtension(v1::unit);
  if (kind != "fen" && kind != "centi") return "";
  int64_t v;
  // A value with its own unit is unambiguous whatever the header says.
  if (kind == "fen" && io::ParseMoneyText(*text, &v)) return (*text = absl::StrCat(v)), "";
  if (kind == "centi") {
    for (const char* u : {"平方米", "亩", "㎡"}) {
      if (absl::EndsWith(*text, u) && io::ParseMoneyText(text->substr(0, text->size() - std::strlen(u)) + "元", &v)) {
        return (*text = absl::StrCat(v)), "";
      }
    }
  }
  switch (unit) {
    case ColumnUnit::kStored:
      return "";
    case ColumnUnit::kYuan:
    case ColumnUnit::kMu:
    case ColumnUnit::kSquareMetre:
      if (!io::ParseMoneyText(*text + "元", &v)) return absl::StrCat("“", *text, "”不是数值（最多两位小数）");
      *text = absl::StrCat(v);
      return "";
    case ColumnUnit::kRequired:
      return kind == "fen" ? absl::StrCat("“", *text, "”没有单位：请在数值后写单位（4500元 或 450000分），或把表头写成“",
                                          Schema::Get().FieldName(f), "（元）”")
                           : absl::StrCat("“", *text, "”没有单位：请写 80平方米 或 1.5亩，或把表头写成“",
                                          Schema::Get().FieldName(f), "（平方米）”");
  }
  return "";
}

// Sets one scalar field of `m` from CSV text. Returns an error message or "".
std::string SetFromText(Message* m, const FieldDescriptor* f, const std::string& text) {
  const auto* r = m->GetReflection();
  const Schema& schema = Schema::Get();
  if (f->is_repeated() || f->type() == FieldDescriptor::TYPE_MESSAGE) return "CSV 不支持此类字段";
  if (text.empty()) return "";
  switch (f->type()) {
    case FieldDescriptor::TYPE_STRING:
      if (schema.Storage(f) == internal::FieldStorage::kDateText) {
        int32_t days;
        if (!internal::ParseDate(text, &days)) return absl::StrCat("日期“", text, "”格式错误（应为 YYYY-MM-DD）");
      }
      r->SetString(m, f, text);
      return "";
    case FieldDescriptor::TYPE_BOOL: {
      std::string t = absl::AsciiStrToLower(text);
      if (t == "true" || t == "1" || t == "是") {
        r->SetBool(m, f, true);
      } else if (t == "false" || t == "0" || t == "否") {
        r->SetBool(m, f, false);
      } else {
        return absl::StrCat("“", text, "”不是 是/否 (true/false)");
      }
      return "";
    }
    case FieldDescriptor::TYPE_ENUM: {
      const auto* v = schema.FindEnumValue(f->enum_type(), text);
      int number;
      if (v == nullptr && absl::SimpleAtoi(text, &number)) v = f->enum_type()->FindValueByNumber(number);
      if (v == nullptr) return absl::StrCat("“", text, "”不是 ", f->enum_type()->name(), " 的取值");
      r->SetEnum(m, f, v);
      return "";
    }
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return absl::StrCat("“", text, "”不是整数");
      r->SetInt32(m, f, v);
      return "";
    }
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return absl::StrCat("“", text, "”不是整数（金额以分为单位）");
      r->SetInt64(m, f, v);
      return "";
    }
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) return absl::StrCat("“", text, "”不是非负整数");
      r->SetUInt32(m, f, v);
      return "";
    }
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) return absl::StrCat("“", text, "”不是非负整数");
      r->SetUInt64(m, f, v);
      return "";
    }
    default:
      return "不支持的字段类型";
  }
}

// The provenance of a registry file: `given`, with an empty date taken from the file's
// modification time (UTC) and an empty reference made of the file name and size.
absl::StatusOr<RegistryCheckInfo> CheckOfFile(const std::string& path, const RegistryCheckInfo& given) {
  RegistryCheckInfo check = given;
  int32_t days;
  if (!check.checked_on.empty() && !internal::ParseDate(check.checked_on, &days)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": check date '", check.checked_on, "' is not a date YYYY-MM-DD (核对日期格式错误)"));
  }
  struct stat st;
  const bool have_stat = ::stat(path.c_str(), &st) == 0;
  if (check.checked_on.empty() && have_stat) {
    check.checked_on = internal::FormatDate(static_cast<int32_t>(st.st_mtime / 86400));
  }
  if (check.reference.empty()) {
    const size_t slash = path.find_last_of('/');
    std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
    check.reference = have_stat && S_ISREG(st.st_mode) ? absl::StrCat(file, "（", st.st_size, " 字节）") : file;
  }
  return check;
}

// A second file loaded into a checked registry: references joined, the earlier date kept.
void MergeCheck(const RegistryCheckInfo& check, Registry* r) {
  if (!r->checked) {
    r->checked = true;
    r->check = check;
    return;
  }
  if (check.checked_on < r->check.checked_on) r->check.checked_on = check.checked_on;
  if (r->check.reference != check.reference) absl::StrAppend(&r->check.reference, "；", check.reference);
  if (r->check.source.empty()) {
    r->check.source = check.source;
  } else if (!check.source.empty() && r->check.source != check.source) {
    absl::StrAppend(&r->check.source, "；", check.source);
  }
}

}  // namespace

struct Registries::Impl {
  std::vector<Registry> registries;
  RegistryOptions options;
  std::vector<RegistryFile> files;
  Impl() {
    const auto* d = v1::Registries::descriptor();
    registries.resize(d->field_count());
    for (int i = 0; i < d->field_count(); ++i) {
      Registry& r = registries[i];
      r.field = d->field(i);
      r.record = r.field->message_type();
      r.id_field = r.record->FindFieldByName("id_number");
    }
  }
};

Registries::Registries() : impl_(std::make_unique<Impl>()) {}
Registries::Registries(const RegistryOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
const std::vector<RegistryFile>& Registries::files() const { return impl_->files; }
Registries::~Registries() = default;
Registries::Registries(Registries&&) noexcept = default;
Registries& Registries::operator=(Registries&&) noexcept = default;

std::vector<std::string> Registries::Names() { return Schema::Get().RegistryProtoNames(); }

int Registries::IndexOf(std::string_view name) { return Schema::Get().RegistryIndex(name); }

size_t Registries::size(std::string_view name) const {
  int i = IndexOf(name);
  return i < 0 ? 0 : impl_->registries[i].next.size();
}

bool Registries::Contains(int registry, std::string_view id_number) const {
  if (registry < 0 || registry >= static_cast<int>(impl_->registries.size())) return false;
  return impl_->registries[registry].Find(id_number) != kNone;
}

void Registries::Fetch(int registry, std::string_view id_number,
                       std::vector<std::unique_ptr<google::protobuf::Message>>* out) const {
  FetchBuffer buffer;
  buffer.messages = std::move(*out);
  buffer.used = buffer.messages.size();
  FetchInto(registry, id_number, &buffer);
  *out = std::move(buffer.messages);
}

void Registries::FetchInto(int registry, std::string_view id_number, FetchBuffer* buffer) const {
  if (registry < 0 || registry >= static_cast<int>(impl_->registries.size())) return;
  const Registry& r = impl_->registries[registry];
  // Records of one ID are chained newest first: count them, then fill their slots from the
  // back so that they come out in load order.
  const uint32_t newest = r.Find(id_number);
  size_t n = 0;
  for (uint32_t k = newest; k != kNone; k = r.next[k]) ++n;
  if (n == 0) return;
  const size_t first = buffer->used;
  if (buffer->messages.size() < first + n) buffer->messages.resize(first + n);
  const Message* prototype = nullptr;
  size_t slot = first + n;
  for (uint32_t k = newest; k != kNone; k = r.next[k]) {
    std::unique_ptr<Message>& m = buffer->messages[--slot];
    if (m == nullptr || m->GetDescriptor() != r.record) {
      if (prototype == nullptr) prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(r.record);
      m.reset(prototype->New());
    }
    // The stored bytes leave the ID number out (every record of the chain has the same
    // one): it is appended as its field, which a parse reads into the reused message's
    // string instead of a new one.
    std::string& wire = buffer->wire;
    wire.assign(r.Record(k));
    internal::AppendVarint(static_cast<uint64_t>(r.id_field->number()) << 3 | 2, &wire);  // length-delimited
    internal::AppendVarint(id_number.size(), &wire);
    wire.append(id_number);
    m->ParseFromArray(wire.data(), static_cast<int>(wire.size()));
  }
  buffer->used = first + n;
}

void Registries::ForEachId(int registry, const std::function<void(std::string_view)>& visit) const {
  if (registry < 0 || registry >= static_cast<int>(impl_->registries.size())) return;
  const Registry& r = impl_->registries[registry];
  char id[18];
  for (const auto& [key, head] : r.head) {
    // Inverse of PackId: key = (17 digits) * 11 + check value (10 = X).
    uint64_t digits = key / 11;
    const uint64_t check = key % 11;
    id[17] = check == 10 ? 'X' : static_cast<char>('0' + check);
    for (int i = 16; i >= 0; --i, digits /= 10) id[i] = static_cast<char>('0' + digits % 10);
    visit(std::string_view(id, sizeof id));
  }
  for (const auto& [text, head] : r.other_head) visit(text);
}

absl::Status Registries::AddRecord(std::string_view name, const google::protobuf::Message& record) {
  int i = IndexOf(name);
  if (i < 0) return absl::NotFoundError(absl::StrCat("unknown registry '", std::string(name), "'"));
  Registry& r = impl_->registries[i];
  if (record.GetDescriptor() != r.record) {
    return absl::InvalidArgumentError(absl::StrCat("registry '", std::string(name), "' holds ", r.record->full_name(),
                                                   " records, not ", record.GetDescriptor()->full_name()));
  }
  std::string id = record.GetReflection()->GetString(record, r.id_field);
  if (id.empty()) return absl::InvalidArgumentError("record without id_number");
  // The ID is the index key; storing it again in the record bytes would only cost memory.
  std::unique_ptr<Message> copy(record.New());
  copy->CopyFrom(record);
  copy->GetReflection()->ClearField(copy.get(), r.id_field);
  r.Add(id, copy->SerializeAsString());
  return absl::OkStatus();
}

absl::Status Registries::MarkChecked(std::string_view name, const RegistryCheckInfo& check) {
  int i = IndexOf(name);
  if (i < 0) return absl::NotFoundError(absl::StrCat("unknown registry '", std::string(name), "'"));
  int32_t days;
  if (!internal::ParseDate(check.checked_on, &days)) {
    return absl::InvalidArgumentError(absl::StrCat("registry '", std::string(name), "': check date '", check.checked_on,
                                                   "' is not a date YYYY-MM-DD (核对日期格式错误)"));
  }
  if (check.reference.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("registry '", std::string(name), "': a check needs a reference (核对批次)"));
  }
  Registry& r = impl_->registries[i];
  r.checked = true;
  r.check = check;
  return absl::OkStatus();
}

const RegistryCheckInfo* Registries::check(int index) const {
  if (index < 0 || index >= static_cast<int>(impl_->registries.size())) return nullptr;
  const Registry& r = impl_->registries[index];
  return r.checked ? &r.check : nullptr;
}

absl::Status Registries::AddId(std::string_view name, std::string_view id_number) {
  int i = IndexOf(name);
  if (i < 0) return absl::NotFoundError(absl::StrCat("unknown registry '", std::string(name), "'"));
  if (id_number.empty()) return absl::InvalidArgumentError("empty id_number");
  impl_->registries[i].Add(id_number, "");
  return absl::OkStatus();
}

namespace {

// One LoadFile call: reads records of `target`'s type into `scratch`, checking every ID and
// value, so that a malformed file leaves the registry as it was.
class FileLoader {
 public:
  FileLoader(const Registry& target, const RegistryOptions& options, const std::string& path)
      : target_(target),
        options_(options),
        path_(path),
        prototype_(google::protobuf::MessageFactory::generated_factory()->GetPrototype(target.record)) {
    scratch_.field = target.field;
    scratch_.record = target.record;
    scratch_.id_field = target.id_field;
  }

  absl::Status Load(io::InputFile* file, RegistryFormat format) {
    switch (format) {
      case RegistryFormat::kIdList: return IdList(file);
      case RegistryFormat::kCsv: return Csv(file);
      case RegistryFormat::kJsonLines: return JsonLines(file);
      case RegistryFormat::kBinary: return Binary(file);
      case RegistryFormat::kAuto: break;
    }
    return absl::InternalError("registry format not resolved");
  }

  Registry& scratch() { return scratch_; }
  size_t bad_check_characters() const { return bad_check_characters_; }
  const std::string& first_bad_check_character() const { return first_bad_; }

 private:
  // "file:line" for text formats, "file: record N" for binary ones.
  std::string Where(int64_t n) const {
    return binary_ ? absl::StrCat(path_, ": record ", n) : absl::StrCat(path_, ":", n);
  }
  absl::Status Error(int64_t n, std::string_view field, std::string_view problem) const {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(n), ": ", std::string(field), field.empty() ? "" : ": ", std::string(problem)));
  }

  // Adds a record under `id` after checking the ID's form and check character.
  absl::Status Add(std::string_view id, int64_t n, std::string_view serialized) {
    if (std::string problem = internal::IdFormatProblem(id); !problem.empty()) {
      return Error(n, "id_number", problem);
    }
    if (!internal::IdCheckCharacterOk(id)) {
      if (options_.reject_bad_check_character) {
        return Error(n, "id_number",
                     absl::StrCat("“", std::string(id), "”的校验位应为 ", std::string(1, internal::IdCheckCharacter(id)),
                                  "（ISO 7064 MOD 11-2），而不是 ", std::string(1, id[17])));
      }
      if (bad_check_characters_++ == 0) first_bad_ = Where(n);
    }
    scratch_.Add(id, serialized);
    return absl::OkStatus();
  }

  // Checks a parsed record's values, then adds it without its ID (the index key).
  absl::Status AddMessage(Message* m, int64_t n) {
    std::string field, problem;
    io::RecordCheckOptions check;
    check.dates = true;
    if (!io::CheckRecord(*m, check, &field, &problem)) return Error(n, field, problem);
    std::string id = m->GetReflection()->GetString(*m, target_.id_field);
    if (id.empty()) return Error(n, "id_number", "缺少身份证号");
    m->GetReflection()->ClearField(m, target_.id_field);
    return Add(id, n, m->SerializeAsString());
  }

  absl::Status IdList(io::InputFile* file) {
    // About 19 bytes a line: sizing the index up front saves rehashing 10 million IDs.
    if (file->size() > 0) scratch_.head.reserve(static_cast<size_t>(file->size() / 19 + 1));
    io::LineReader lines(file);
    for (std::string_view raw; lines.Next(&raw);) {
      std::string_view text = StripWs(raw);
      if (text.empty()) continue;  // blank lines hold no record
      std::string_view id = internal::UnwrapIdText(text);
      if (id.find_first_of(" \t,;") != std::string_view::npos) {
        return Error(lines.line_number(), "id_number",
                     absl::StrCat("“", std::string(text), "”不是单个身份证号（每行只写一个身份证号）"));
      }
      HEYAN_RETURN_IF_ERROR(Add(id, lines.line_number(), ""));
    }
    HEYAN_RETURN_IF_ERROR(lines.status());
    return NotEmptyButNoRecords(lines.saw_bytes());
  }

  absl::Status Csv(io::InputFile* file) {
    std::vector<std::string> cells;
    std::vector<const FieldDescriptor*> columns;
    std::vector<ColumnUnit> units;
    std::vector<std::string> headers;
    io::LineReader lines(file);
    for (std::string_view line; lines.Next(&line);) {
      const int64_t n = lines.line_number();
      if (StripWs(line).empty()) continue;
      if (!io::SplitCsvLine(line, &cells)) return Error(n, "", "引号没有结束（单元格内不能换行）");
      if (columns.empty()) {
        HEYAN_RETURN_IF_ERROR(Header(cells, n, &columns, &units, &headers));
        continue;
      }
      if (cells.size() != columns.size()) {
        return Error(n, "", absl::StrCat("这一行有 ", cells.size(), " 列，表头有 ", columns.size(), " 列"));
      }
      std::unique_ptr<Message> m(prototype_->New());
      for (size_t c = 0; c < cells.size(); ++c) {
        std::string text = Trim(cells[c]);
        // IDs as spreadsheets export them: ="410...", '410...
        if (columns[c] == target_.id_field) text = std::string(internal::UnwrapIdText(text));
        std::string error = text.empty() ? "" : StoredNumber(columns[c], units[c], &text);
        if (error.empty()) error = SetFromText(m.get(), columns[c], text);
        if (!error.empty()) return Error(n, columns[c]->name(), error);
      }
      HEYAN_RETURN_IF_ERROR(AddMessage(m.get(), n));
    }
    HEYAN_RETURN_IF_ERROR(lines.status());
    return NotEmptyButNoRecords(lines.saw_bytes());
  }

  absl::Status Header(const std::vector<std::string>& cells, int64_t n, std::vector<const FieldDescriptor*>* columns,
                      std::vector<ColumnUnit>* units, std::vector<std::string>* headers) {
    const Schema& schema = Schema::Get();
    for (const std::string& cell : cells) {
      const std::string h = Trim(cell);
      ColumnUnit unit;
      const std::string name = HeaderName(h, &unit);
      const FieldDescriptor* f = schema.FindField(target_.record, name);
      // A Chinese money or area column without a unit: the numbers must say theirs (an
      // English column name is the stored field, in fen or hundredths).
      if (f != nullptr && unit == ColumnUnit::kStored && name == h && name != f->name()) {
        const std::string& kind = f->options().GetExtension(v1::unit);
        if (kind == "fen" || kind == "centi") unit = ColumnUnit::kRequired;
      }
      if (f == nullptr) {
        std::vector<std::string> known;
        for (int i = 0; i < target_.record->field_count(); ++i) known.push_back(schema.FieldName(target_.record->field(i)));
        const std::string& zh = target_.record->options().GetExtension(v1::zh_message);
        return Error(n, "", absl::StrCat("列“", h, "”不是", zh.empty() ? target_.record->name() : zh,
                                        "的字段（可用的列：", absl::StrJoin(known, "、"), "，或其英文名）"));
      }
      // A second column for the same field would silently overwrite the first.
      for (size_t k = 0; k < columns->size(); ++k) {
        if ((*columns)[k] != f) continue;
        return Error(n, "", (*headers)[k] == h
                                ? absl::StrCat("表头中的列“", h, "”出现了两次")
                                : absl::StrCat("表头中的列“", (*headers)[k], "”和“", h, "”是同一个字段（",
                                               f->name(), "）"));
      }
      columns->push_back(f);
      units->push_back(unit);
      headers->push_back(h);
    }
    if (std::find(columns->begin(), columns->end(), target_.id_field) == columns->end()) {
      return Error(n, "", "表头没有 身份证号（id_number）列");
    }
    return absl::OkStatus();
  }

  absl::Status JsonLines(io::InputFile* file) {
    google::protobuf::util::JsonParseOptions options;
    io::LineReader lines(file);
    for (std::string_view line; lines.Next(&line);) {
      const int64_t n = lines.line_number();
      if (StripWs(line).empty()) continue;
      std::unique_ptr<Message> m(prototype_->New());
      auto status = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(line.data(), line.size()), m.get(), options);
      if (!status.ok()) {
        // protobuf's syntax errors carry a context line and a caret line: keep the first.
        std::string_view message(status.message().data(), status.message().size());
        return Error(n, "", message.substr(0, message.find('\n')));
      }
      std::string field, problem;
      if (!io::CheckJsonIntegers(line, target_.record, &field, &problem)) return Error(n, field, problem);
      HEYAN_RETURN_IF_ERROR(AddMessage(m.get(), n));
    }
    HEYAN_RETURN_IF_ERROR(lines.status());
    return NotEmptyButNoRecords(lines.saw_bytes());
  }

  absl::Status Binary(io::InputFile* file) {
    binary_ = true;
    std::string bytes;
    HEYAN_RETURN_IF_ERROR(file->ReadRest(&bytes));
    size_t pos = 0;
    int64_t record = 0;
    while (pos < bytes.size()) {
      ++record;
      google::protobuf::io::CodedInputStream coded(reinterpret_cast<const uint8_t*>(bytes.data() + pos),
                                                   static_cast<int>(std::min<size_t>(bytes.size() - pos, INT32_MAX)));
      uint32_t size;
      if (!coded.ReadVarint32(&size) || size > bytes.size() - pos - coded.CurrentPosition()) {
        return Error(record, "", "记录被截断（长度前缀超出了文件末尾）");
      }
      pos += coded.CurrentPosition();
      std::unique_ptr<Message> m(prototype_->New());
      if (!m->ParseFromArray(bytes.data() + pos, static_cast<int>(size))) {
        return Error(record, "", absl::StrCat("不是有效的 ", target_.record->full_name(), " 消息"));
      }
      pos += size;
      HEYAN_RETURN_IF_ERROR(AddMessage(m.get(), record));
    }
    return NotEmptyButNoRecords(!bytes.empty());
  }

  // A source that held something but gave no record is more likely misread (a pipe read
  // wrongly, a header without rows, a wrong format) than an empty registry, which is an
  // empty file.
  absl::Status NotEmptyButNoRecords(bool saw_bytes) const {
    if (!saw_bytes || !scratch_.next.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        path_, ": 文件不是空的，却没有读到任何记录（只有空行、表头或字节顺序标记？）；"
               "如果这份登记册确实没有记录，请用空文件（0 字节）"));
  }

  const Registry& target_;
  const RegistryOptions& options_;
  const std::string& path_;
  const Message* prototype_;
  Registry scratch_;
  bool binary_ = false;
  size_t bad_check_characters_ = 0;
  std::string first_bad_;
};

RegistryFormat FormatOf(const std::string& path) {
  if (absl::EndsWith(path, ".jsonl") || absl::EndsWith(path, ".json")) return RegistryFormat::kJsonLines;
  if (absl::EndsWith(path, ".pb") || absl::EndsWith(path, ".bin")) return RegistryFormat::kBinary;
  if (absl::EndsWith(path, ".csv")) return RegistryFormat::kCsv;
  return RegistryFormat::kIdList;
}

}  // namespace

absl::Status Registries::LoadFile(std::string_view name, const std::string& path, RegistryFormat format,
                                  const RegistryCheckInfo& check) {
  int index = IndexOf(name);
  if (index < 0) {
    std::vector<std::string> known;
    for (const std::string& n : Names()) {
      known.push_back(absl::StrCat(n, "（", Schema::Get().FieldName(Schema::Get().RegistryField(IndexOf(n))), "）"));
    }
    return absl::NotFoundError(absl::StrCat("没有名为“", std::string(name), "”的登记册；可用的有：",
                                            absl::StrJoin(known, ", ")));
  }
  HEYAN_ASSIGN_OR_RETURN(RegistryCheckInfo provenance, CheckOfFile(path, check));
  HEYAN_ASSIGN_OR_RETURN(io::InputFile file, io::InputFile::Open(path, io::kRegistryFile));
  if (format == RegistryFormat::kAuto) format = FormatOf(path);
  Registry& target = impl_->registries[index];
  // Load into a scratch registry first so a malformed file leaves nothing half-loaded.
  FileLoader loader(target, impl_->options, path);
  HEYAN_RETURN_IF_ERROR(loader.Load(&file, format));
  Registry& scratch = loader.scratch();
  RegistryFile loaded;
  loaded.registry = target.field->name();
  loaded.path = path;
  loaded.records = scratch.next.size();
  loaded.bad_check_characters = loader.bad_check_characters();
  loaded.first_bad_check_character = loader.first_bad_check_character();
  MergeCheck(provenance, &target);
  // Merge the scratch registry into the target.
  if (target.next.empty()) {
    scratch.checked = target.checked;
    scratch.check = std::move(target.check);
    target = std::move(scratch);
  } else {
    // Re-add each record under its ID (recovered from the packed key) so chains stay right.
    for (const auto& [key, last] : scratch.head) {
      std::vector<uint32_t> chain;
      for (uint32_t k = last; k != kNone; k = scratch.next[k]) chain.push_back(k);
      uint64_t id_num = key / 11, check = key % 11;
      std::string id = absl::StrCat(std::string(17 - std::min<size_t>(17, absl::StrCat(id_num).size()), '0'), id_num,
                                    check == 10 ? std::string("X") : absl::StrCat(check));
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        target.Add(id, scratch.Record(*it));
      }
    }
    for (const auto& [id, last] : scratch.other_head) {
      std::vector<uint32_t> chain;
      for (uint32_t k = last; k != kNone; k = scratch.next[k]) chain.push_back(k);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        target.Add(id, scratch.Record(*it));
      }
    }
  }
  impl_->files.push_back(std::move(loaded));
  return absl::OkStatus();
}

}  // namespace heyan
