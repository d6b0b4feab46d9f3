// Registries: loading verification data and indexing it by ID number.
//
// Records are stored serialized in one byte buffer per registry and indexed by a 64-bit key
// packed from the 18-character resident ID (17 digits and a check character), so a
// 10-million-record registry costs a few hundred bytes per person at most and membership is
// one hash probe. IDs that do not have the standard form are indexed by their full text.
#include "heyan/registry.h"

#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "checker/schema.h"
#include "common/date.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/v1/registry.pb.h"

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

std::string Trim(std::string_view s) {
  return std::string(absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size())));
}

// Splits one CSV line (RFC 4180 quoting, no embedded newlines). False on a broken quote.
bool SplitCsv(std::string_view line, std::vector<std::string>* cells) {
  cells->clear();
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell.push_back(c);
      }
    } else if (c == '"' && cell.empty()) {
      quoted = true;
    } else if (c == ',') {
      cells->push_back(std::move(cell));
      cell.clear();
    } else {
      cell.push_back(c);
    }
  }
  if (quoted) return false;
  cells->push_back(std::move(cell));
  return true;
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
Registries::~Registries() = default;
Registries::Registries(Registries&&) noexcept = default;
Registries& Registries::operator=(Registries&&) noexcept = default;

std::vector<std::string> Registries::Names() {
  std::vector<std::string> out;
  const auto* d = v1::Registries::descriptor();
  for (int i = 0; i < d->field_count(); ++i) out.push_back(d->field(i)->name());
  return out;
}

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
  if (registry < 0 || registry >= static_cast<int>(impl_->registries.size())) return;
  const Registry& r = impl_->registries[registry];
  const Message* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(r.record);
  // Records of one ID are chained newest first; collect and restore load order.
  std::vector<uint32_t> chain;
  for (uint32_t k = r.Find(id_number); k != kNone; k = r.next[k]) chain.push_back(k);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    std::unique_ptr<Message> m(prototype->New());
    std::string_view bytes = r.Record(*it);
    if (!bytes.empty()) m->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
    m->GetReflection()->SetString(m.get(), r.id_field, std::string(id_number));
    out->push_back(std::move(m));
  }
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

absl::Status Registries::LoadFile(std::string_view name, const std::string& path, RegistryFormat format,
                                  const RegistryCheckInfo& check) {
  int index = IndexOf(name);
  if (index < 0) {
    return absl::NotFoundError(absl::StrCat("unknown registry '", std::string(name), "'; known: ",
                                            absl::StrJoin(Names(), ", ")));
  }
  absl::StatusOr<RegistryCheckInfo> provenance = CheckOfFile(path, check);
  if (!provenance.ok()) return provenance.status();
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open registry file"));
  if (format == RegistryFormat::kAuto) {
    if (absl::EndsWith(path, ".jsonl") || absl::EndsWith(path, ".json")) {
      format = RegistryFormat::kJsonLines;
    } else if (absl::EndsWith(path, ".pb") || absl::EndsWith(path, ".bin")) {
      format = RegistryFormat::kBinary;
    } else if (absl::EndsWith(path, ".csv")) {
      format = RegistryFormat::kCsv;
    } else {
      format = RegistryFormat::kIdList;
    }
  }
  // Load into a scratch registry first so a malformed file leaves nothing half-loaded.
  Registry scratch;
  Registry& target = impl_->registries[index];
  scratch.field = target.field;
  scratch.record = target.record;
  scratch.id_field = target.id_field;
  const Message* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(target.record);
  auto add_message = [&](Message* m, const std::string& where) -> absl::Status {
    std::string id = m->GetReflection()->GetString(*m, target.id_field);
    if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": id_number: missing"));
    m->GetReflection()->ClearField(m, target.id_field);
    scratch.Add(id, m->SerializeAsString());
    return absl::OkStatus();
  };

  std::string line;
  int64_t line_no = 0;
  switch (format) {
    case RegistryFormat::kIdList: {
      // Read in large blocks and split lines by hand: a 10-million-line list loads in a
      // few seconds. The index is sized from the file size (about 19 bytes a line).
      in.seekg(0, std::ios::end);
      const std::streamoff file_size = in.tellg();
      in.seekg(0, std::ios::beg);
      if (file_size > 0) scratch.head.reserve(static_cast<size_t>(file_size / 19 + 1));
      std::string buffer, carry;
      buffer.resize(8 << 20);
      auto take_line = [&](std::string_view raw) -> absl::Status {
        ++line_no;
        std::string id = Trim(raw);
        if (id.empty()) return absl::OkStatus();  // blank lines hold no record
        if (id.find_first_of(" \t,") != std::string::npos) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ":", line_no, ": id_number: '", id, "' is not a single ID number"));
        }
        scratch.Add(id, "");
        return absl::OkStatus();
      };
      while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        std::string_view chunk(buffer.data(), static_cast<size_t>(in.gcount()));
        if (chunk.empty()) break;
        size_t start = 0;
        for (size_t nl; (nl = chunk.find('\n', start)) != std::string_view::npos; start = nl + 1) {
          absl::Status st;
          if (!carry.empty()) {
            carry.append(chunk.substr(start, nl - start));
            st = take_line(carry);
            carry.clear();
          } else {
            st = take_line(chunk.substr(start, nl - start));
          }
          if (!st.ok()) return st;
        }
        carry.append(chunk.substr(start));
      }
      if (!carry.empty()) {
        absl::Status st = take_line(carry);
        if (!st.ok()) return st;
      }
      break;
    }
    case RegistryFormat::kJsonLines: {
      google::protobuf::util::JsonParseOptions options;
      while (std::getline(in, line)) {
        ++line_no;
        if (Trim(line).empty()) continue;
        std::unique_ptr<Message> m(prototype->New());
        auto status = google::protobuf::util::JsonStringToMessage(line, m.get(), options);
        if (!status.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(path, ":", line_no, ": ", std::string(status.message())));
        }
        auto s = add_message(m.get(), absl::StrCat(path, ":", line_no));
        if (!s.ok()) return s;
      }
      break;
    }
    case RegistryFormat::kBinary: {
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      size_t pos = 0;
      int64_t record = 0;
      while (pos < bytes.size()) {
        ++record;
        google::protobuf::io::CodedInputStream coded(reinterpret_cast<const uint8_t*>(bytes.data() + pos),
                                                     static_cast<int>(std::min<size_t>(bytes.size() - pos, INT32_MAX)));
        uint32_t size;
        if (!coded.ReadVarint32(&size) || size > bytes.size() - pos - coded.CurrentPosition()) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ": record ", record, ": truncated (length prefix runs past the end of the file)"));
        }
        pos += coded.CurrentPosition();
        std::unique_ptr<Message> m(prototype->New());
        if (!m->ParseFromArray(bytes.data() + pos, static_cast<int>(size))) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ": record ", record, ": not a valid ", target.record->full_name(), " message"));
        }
        pos += size;
        auto s = add_message(m.get(), absl::StrCat(path, ": record ", record));
        if (!s.ok()) return s;
      }
      break;
    }
    case RegistryFormat::kCsv: {
      std::vector<std::string> cells;
      std::vector<const FieldDescriptor*> columns;
      const Schema& schema = Schema::Get();
      while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
        if (Trim(line).empty()) continue;
        if (!SplitCsv(line, &cells)) {
          return absl::InvalidArgumentError(absl::StrCat(path, ":", line_no, ": unterminated quote"));
        }
        if (columns.empty()) {
          for (const std::string& h : cells) {
            const FieldDescriptor* f = schema.FindField(target.record, Trim(h));
            if (f == nullptr) {
              return absl::InvalidArgumentError(absl::StrCat(path, ":", line_no, ": column '", Trim(h),
                                                             "' is not a field of ", target.record->name()));
            }
            columns.push_back(f);
          }
          if (std::find(columns.begin(), columns.end(), target.id_field) == columns.end()) {
            return absl::InvalidArgumentError(absl::StrCat(path, ":1: the header has no id_number (身份证号) column"));
          }
          continue;
        }
        if (cells.size() != columns.size()) {
          return absl::InvalidArgumentError(absl::StrCat(path, ":", line_no, ": ", cells.size(), " cells, the header has ",
                                                         columns.size()));
        }
        std::unique_ptr<Message> m(prototype->New());
        for (size_t c = 0; c < cells.size(); ++c) {
          std::string error = SetFromText(m.get(), columns[c], Trim(cells[c]));
          if (!error.empty()) {
            return absl::InvalidArgumentError(absl::StrCat(path, ":", line_no, ": ", columns[c]->name(), ": ", error));
          }
        }
        auto s = add_message(m.get(), absl::StrCat(path, ":", line_no));
        if (!s.ok()) return s;
      }
      break;
    }
    case RegistryFormat::kAuto:
      break;
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  MergeCheck(*provenance, &target);
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
  return absl::OkStatus();
}

}  // namespace heyan
