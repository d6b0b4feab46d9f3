// Checks on data-model records that protobuf's parsers do not make. See the header.
#include "io/record_check.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/date.h"
#include "common/schema.h"

namespace heyan::io {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Field path steps, innermost first: added only while a failure unwinds.
std::string RenderPath(const std::vector<std::string>& reversed) {
  std::string out;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) {
    if (!it->empty() && (*it)[0] != '[' && !out.empty()) out.push_back('.');
    out += *it;
  }
  return out;
}

class RecordWalk {
 public:
  explicit RecordWalk(const RecordCheckOptions& options) : options_(options) {}

  bool Message(const google::protobuf::Message& m) {
    const Reflection* r = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(m, &fields);
    for (const FieldDescriptor* f : fields) {
      if (f->is_repeated()) {
        const int n = r->FieldSize(m, f);
        for (int i = 0; i < n; ++i) {
          if (!Value(m, r, f, i)) {
            path_.push_back(absl::StrCat("[", i, "]"));
            path_.push_back(f->name());
            return false;
          }
        }
      } else if (!Value(m, r, f, -1)) {
        path_.push_back(f->name());
        return false;
      }
    }
    return true;
  }

  std::string path() const { return RenderPath(path_); }
  const std::string& problem() const { return problem_; }

 private:
  bool Value(const google::protobuf::Message& m, const Reflection* r, const FieldDescriptor* f, int index) {
    const bool repeated = index >= 0;
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        const int32_t v = repeated ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
        if (v < 0 && MustNotBeNegative(f)) return Negative(v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        const int64_t v = repeated ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
        if (v < 0 && MustNotBeNegative(f)) return Negative(v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int number = repeated ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
        if (f->enum_type()->FindValueByNumber(number) == nullptr) {
          problem_ = absl::StrCat(number, " 不是 ", f->enum_type()->full_name(), " 声明的取值");
          return false;
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        if (!options_.dates || f->type() != FieldDescriptor::TYPE_STRING ||
            internal::Schema::Get().Storage(f) != internal::FieldStorage::kDateText) {
          return true;
        }
        std::string scratch;
        const std::string& text = repeated ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                           : r->GetStringReference(m, f, &scratch);
        int32_t days;
        if (!text.empty() && !internal::ParseDate(text, &days)) {
          problem_ = absl::StrCat("日期“", text, "”格式错误（应为 YYYY-MM-DD）");
          return false;
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Message(repeated ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
      default:
        return true;
    }
  }

  bool Negative(int64_t v) {
    problem_ = absl::StrCat("不能为负数：", v);
    return false;
  }

  const RecordCheckOptions& options_;
  std::vector<std::string> path_;
  std::string problem_;
};

// Follows protobuf JSON (as JsonStringToMessage reads it: also single-quoted strings and bare
// keys) just far enough to know which field each number belongs to.
class JsonIntegerScan {
 public:
  JsonIntegerScan(std::string_view json, const Descriptor* type) : s_(json), type_(type) {}

  // True unless a wrongly read integer was found.
  bool Run() {
    Value(type_, nullptr, 0);
    return problem_.empty();
  }
  std::string path() const { return RenderPath(path_); }
  const std::string& problem() const { return problem_; }

 private:
  // Deeper than protobuf's own JSON recursion limit (100): JSON it accepted never gets here.
  static constexpr int kMaxDepth = 128;

  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  // A value: of message type `message` at the top, else of `field` (null if unknown).
  // False stops the scan (a problem found, or JSON this scan does not follow).
  bool Value(const Descriptor* message, const FieldDescriptor* field, int depth) {
    if (depth > kMaxDepth) return false;
    Ws();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') {
      const Descriptor* type = message;
      if (field != nullptr) type = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ? field->message_type() : nullptr;
      return Object(type, depth + 1);
    }
    if (c == '[') return Array(field, depth + 1);
    if (c == '"' || c == '\'') return String(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return Number(field);
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
    return true;  // true, false, null
  }

  bool Object(const Descriptor* type, int depth) {
    ++i_;
    Ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    while (true) {
      Ws();
      std::string key;
      if (i_ >= s_.size()) return false;
      if (s_[i_] == '"' || s_[i_] == '\'') {
        if (!String(&key)) return false;
      } else {
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '$')) {
          key.push_back(s_[i_++]);
        }
      }
      Ws();
      if (i_ >= s_.size() || s_[i_] != ':') return false;
      ++i_;
      const FieldDescriptor* f = type == nullptr ? nullptr : Find(type, key);
      if (!Value(nullptr, f, depth)) {
        if (!problem_.empty()) path_.push_back(f != nullptr ? f->name() : key);
        return false;
      }
      Ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return true;
      }
      return false;
    }
  }

  bool Array(const FieldDescriptor* field, int depth) {
    ++i_;
    Ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    for (int64_t index = 0;; ++index) {
      if (!Value(nullptr, field, depth)) {
        if (!problem_.empty()) path_.push_back(absl::StrCat("[", index, "]"));
        return false;
      }
      Ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return true;
      }
      return false;
    }
  }

  // A string literal; its text (\uXXXX of ASCII decoded, enough for keys) into `out`.
  bool String(std::string* out) {
    const char quote = s_[i_++];
    while (i_ < s_.size() && s_[i_] != quote) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
        const char e = s_[i_ + 1];
        if (e == 'u' && i_ + 6 <= s_.size()) {
          const unsigned long cp = std::strtoul(std::string(s_.substr(i_ + 2, 4)).c_str(), nullptr, 16);
          if (out != nullptr) {
            if (cp < 0x80) {
              out->push_back(static_cast<char>(cp));
            } else {
              out->append(s_.substr(i_, 6));
            }
          }
          i_ += 6;
        } else {
          if (out != nullptr) out->push_back(e);
          i_ += 2;
        }
        continue;
      }
      if (out != nullptr) out->push_back(s_[i_]);
      ++i_;
    }
    if (i_ >= s_.size()) return false;
    ++i_;
    return true;
  }

  bool Number(const FieldDescriptor* field) {
    const size_t start = i_;
    bool plain = true;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '.' || c == 'e' || c == 'E') {
        plain = false;
      } else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
        break;
      }
      ++i_;
    }
    const std::string_view token = s_.substr(start, i_ - start);
    if (field == nullptr) return true;
    const auto type = field->cpp_type();
    if (type != FieldDescriptor::CPPTYPE_INT32 && type != FieldDescriptor::CPPTYPE_INT64 &&
        type != FieldDescriptor::CPPTYPE_UINT32 && type != FieldDescriptor::CPPTYPE_UINT64) {
      return true;
    }
    if (plain) {
      // Above INT64_MAX protobuf refuses; below INT64_MIN it rounds through a double.
      if (token.size() > 1 && token[0] == '-') {
        const std::string_view digits = token.substr(1);
        constexpr std::string_view kMin = "9223372036854775808";
        if (digits.size() > kMin.size() || (digits.size() == kMin.size() && digits > kMin)) {
          problem_ = absl::StrCat("“", std::string(token), "”超出 64 位整数的范围");
          return false;
        }
      }
      return true;
    }
    // Integral doubles are exact only below 2^53.
    const double v = std::strtod(std::string(token).c_str(), nullptr);
    if (std::fabs(v) >= 9007199254740992.0) {
      problem_ = absl::StrCat("“", std::string(token), "”写成了小数或指数形式，超出能精确表示的整数范围；请直接写出整数");
      return false;
    }
    return true;
  }

  static const FieldDescriptor* Find(const Descriptor* type, const std::string& key) {
    for (int k = 0; k < type->field_count(); ++k) {
      const FieldDescriptor* f = type->field(k);
      if (f->name() == key || f->json_name() == key) return f;
    }
    return nullptr;
  }

  std::string_view s_;
  const Descriptor* type_;
  size_t i_ = 0;
  std::vector<std::string> path_;
  std::string problem_;
};

}  // namespace

bool MustNotBeNegative(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return true;  // counts and grades: 套数, 人数, 离家年数, 残疾等级, ...
    case FieldDescriptor::CPPTYPE_INT64: {
      const internal::FieldStorage storage = internal::Schema::Get().Storage(field);
      return storage == internal::FieldStorage::kMoneyFen || storage == internal::FieldStorage::kCenti;
    }
    default:
      return false;
  }
}

bool CheckRecord(const Message& record, const RecordCheckOptions& options, std::string* field,
                 std::string* problem) {
  RecordWalk walk(options);
  if (walk.Message(record)) return true;
  *field = walk.path();
  *problem = walk.problem();
  return false;
}

bool CheckJsonIntegers(std::string_view json, const Descriptor* type, std::string* field,
                       std::string* problem) {
  JsonIntegerScan scan(json, type);
  if (scan.Run()) return true;
  *field = scan.path();
  *problem = scan.problem();
  return false;
}

}  // namespace heyan::io
