// Reading `heyan test` cases (see test_case.h).
#include "cli/test_case.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/date.h"
#include "common/text.h"
#include "io/input_file.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "heyan/v1/options.pb.h"

namespace heyan::cli {

// A test case is small; a file larger than this is not one.
constexpr size_t kMaxCaseBytes = size_t{16} << 20;
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;
using google::protobuf::TextFormat;

const std::string& ZhOfField(const FieldDescriptor* f) { return f->options().GetExtension(v1::zh); }
const std::string& UnitOfField(const FieldDescriptor* f) { return f->options().GetExtension(v1::unit); }
std::string ZhOfMessage(const Descriptor* d, bool en) {
  const std::string& zh = d->options().GetExtension(v1::zh_message);
  return zh.empty() || en ? d->name() : zh;
}

struct Token {
  enum Kind { kIdent, kNumber, kString, kPunct, kEnd } kind = kEnd;
  size_t begin = 0, end = 0;  // bytes in the original text (number: including its unit)
  int line = 1;
  std::string text;           // ident/number (without unit)/punct; strings: raw
  std::string unit;           // number: unit suffix (元 分 亩 平方米 ㎡), if any
};

struct Edit {
  size_t begin, end;
  std::string text;
};

class Translator {
 public:
  Translator(const std::string& text, bool en) : text_(text), en_(en) { Tokenize(); }

  // Returns the text protobuf can parse; problems go to `errors`.
  std::string Run(const Descriptor* root, std::vector<LineError>* errors) {
    errors_ = errors;
    pos_ = 0;
    Body(root, 0);
    std::sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
    std::string out;
    size_t at = 0;
    for (const Edit& e : edits_) {
      if (e.begin < at) continue;
      out.append(text_, at, e.begin - at);
      out += e.text;
      at = e.end;
    }
    out.append(text_, at, std::string::npos);
    return out;
  }

 private:
  static bool IsAsciiIdent(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  // Decodes the UTF-8 code point at `p` into `cp`; returns its length (1 for bad bytes).
  int Decode(size_t p, char32_t* cp) const {
    const unsigned char c = static_cast<unsigned char>(text_[p]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (p + n > text_.size()) n = 1;
    *cp = n == 1 ? c : internal::DecodeUtf8(std::string_view(text_).substr(p, n))[0];
    return n;
  }
  // Full-width punctuation that stands for ASCII punctuation outside strings.
  static char MapPunct(char32_t cp) {
    switch (cp) {
      case U'：': return ':';
      case U'，': return ',';
      case U'、': return ',';
      case U'；': return ';';
      case U'｛': return '{';
      case U'｝': return '}';
      case U'【': return '[';
      case U'】': return ']';
      case U'－': return '-';
      default: return 0;
    }
  }

  void Tokenize() {
    size_t p = 0;
    int line = 1;
    const size_t n = text_.size();
    while (p < n) {
      const char c = text_[p];
      if (c == '\n') {
        ++line;
        ++p;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++p;
        continue;
      }
      if (c == '#') {
        while (p < n && text_[p] != '\n') ++p;
        continue;
      }
      Token t;
      t.begin = p;
      t.line = line;
      if (c == '"' || c == '\'') {
        size_t q = p + 1;
        while (q < n && text_[q] != c && text_[q] != '\n') q += (text_[q] == '\\' && q + 1 < n) ? 2 : 1;
        if (q < n && text_[q] == c) ++q;
        t.kind = Token::kString;
        t.end = q;
        t.text = text_.substr(p, q - p);
        tokens_.push_back(t);
        p = q;
        continue;
      }
      if (c >= '0' && c <= '9') {
        size_t q = p;
        while (q < n && (IsAsciiIdent(text_[q]) || text_[q] == '.')) ++q;
        t.kind = Token::kNumber;
        t.text = text_.substr(p, q - p);
        for (const char* unit : {"平方米", "元", "分", "亩", "㎡"}) {
          if (text_.compare(q, std::strlen(unit), unit) == 0) {
            t.unit = unit;
            q += std::strlen(unit);
            break;
          }
        }
        t.end = q;
        tokens_.push_back(t);
        p = q;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x80 && !IsAsciiIdent(c)) {
        t.kind = Token::kPunct;
        t.text = std::string(1, c);
        t.end = p + 1;
        tokens_.push_back(t);
        ++p;
        continue;
      }
      char32_t cp;
      int len = Decode(p, &cp);
      if (cp == U'\u3000') {  // ideographic space
        edits_.push_back({p, p + len, " "});
        p += len;
        continue;
      }
      if (cp == U'“') {  // “…” string: becomes "…"
        size_t q = p + len;
        std::string body;
        bool closed = false;
        while (q < n && text_[q] != '\n') {
          char32_t d;
          int dl = Decode(q, &d);
          if (d == U'”') {
            q += dl;
            closed = true;
            break;
          }
          if (text_[q] == '"' || text_[q] == '\\') body += '\\';
          body.append(text_, q, dl);
          q += dl;
        }
        t.kind = Token::kString;
        t.end = q;
        t.text = absl::StrCat("\"", body, "\"");
        if (closed) edits_.push_back({p, q, t.text});
        tokens_.push_back(t);
        p = q;
        continue;
      }
      if (char m = MapPunct(cp)) {
        edits_.push_back({p, p + len, std::string(1, m)});
        t.kind = Token::kPunct;
        t.text = std::string(1, m);
        t.end = p + len;
        tokens_.push_back(t);
        p += len;
        continue;
      }
      // Identifier: ASCII letters, digits, '_' and any other non-ASCII character.
      size_t q = p;
      while (q < n) {
        if (static_cast<unsigned char>(text_[q]) < 0x80) {
          if (!IsAsciiIdent(text_[q])) break;
          ++q;
          continue;
        }
        char32_t d;
        int dl = Decode(q, &d);
        if (d == U'\u3000' || d == U'“' || d == U'”' || MapPunct(d)) break;
        q += dl;
      }
      t.kind = Token::kIdent;
      t.text = text_.substr(p, q - p);
      t.end = q;
      tokens_.push_back(t);
      p = q;
    }
    Token end;
    end.kind = Token::kEnd;
    end.begin = end.end = n;
    end.line = line;
    tokens_.push_back(end);
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (t.kind != Token::kEnd) ++pos_;
    return t;
  }
  bool IsPunct(const Token& t, char c) const { return t.kind == Token::kPunct && t.text[0] == c; }
  void Error(int line, std::string message) { errors_->push_back({line, std::move(message)}); }
  static bool IsAscii(std::string_view s) {
    for (char c : s) {
      if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
  }

  const FieldDescriptor* FindField(const Descriptor* d, const std::string& name) const {
    if (const FieldDescriptor* f = d->FindFieldByName(name)) return f;
    if (const FieldDescriptor* f = d->FindFieldByCamelcaseName(name)) return f;
    for (int i = 0; i < d->field_count(); ++i) {
      if (ZhOfField(d->field(i)) == name) return d->field(i);
    }
    return nullptr;
  }

  void Body(const Descriptor* d, char close) {
    while (true) {
      const Token& t = Peek();
      if (t.kind == Token::kEnd) return;
      if (t.kind == Token::kPunct && close != 0 && t.text[0] == close) return;
      if (IsPunct(t, ';') || IsPunct(t, ',')) {
        Next();
        continue;
      }
      if (t.kind == Token::kIdent) {
        Field(d);
        continue;
      }
      // Anything else is left for protobuf to report.
      if (t.kind == Token::kPunct && (t.text[0] == '}' || t.text[0] == '>')) return;
      Next();
    }
  }

  void SkipValue() {
    if (IsPunct(Peek(), ':')) Next();
    if (IsPunct(Peek(), '-')) Next();
    const Token& t = Next();
    if (t.kind == Token::kPunct && (t.text[0] == '{' || t.text[0] == '<' || t.text[0] == '[')) {
      int depth = 1;
      while (depth > 0 && Peek().kind != Token::kEnd) {
        const Token& u = Next();
        if (u.kind != Token::kPunct) continue;
        if (u.text[0] == '{' || u.text[0] == '<' || u.text[0] == '[') ++depth;
        if (u.text[0] == '}' || u.text[0] == '>' || u.text[0] == ']') --depth;
      }
    }
  }

  void Field(const Descriptor* d) {
    const Token name = Next();
    const FieldDescriptor* f = FindField(d, name.text);
    if (f == nullptr) {
      std::vector<std::string> names;
      for (int i = 0; i < d->field_count(); ++i) {
        const std::string& zh = ZhOfField(d->field(i));
        names.push_back(zh.empty() || en_ ? d->field(i)->name() : zh);
      }
      std::string suggestion = internal::ClosestMatch(name.text, names);
      Error(name.line, en_ ? absl::StrCat("'", name.text, "' is not a field of ", ZhOfMessage(d, en_),
                                           suggestion.empty() ? "" : absl::StrCat(" (did you mean '", suggestion, "'?)"),
                                           "; fields: ", absl::StrJoin(names, ", "))
                            : absl::StrCat("“", name.text, "”不是“", ZhOfMessage(d, en_), "”的字段",
                                           suggestion.empty() ? "" : absl::StrCat("（您是不是要写：", suggestion, "）"),
                                           "。可以写：", absl::StrJoin(names, "、")));
      SkipValue();
      return;
    }
    if (name.text != f->name()) edits_.push_back({name.begin, name.end, f->name()});
    const bool chinese = !IsAscii(name.text);
    if (f->message_type() != nullptr) {
      if (IsPunct(Peek(), ':')) Next();
      if (IsPunct(Peek(), '[')) {
        Next();
        while (Peek().kind != Token::kEnd && !IsPunct(Peek(), ']')) {
          if (IsPunct(Peek(), '{') || IsPunct(Peek(), '<')) {
            MessageValue(f);
          } else {
            Next();
          }
        }
        if (IsPunct(Peek(), ']')) Next();
        return;
      }
      if (IsPunct(Peek(), '{') || IsPunct(Peek(), '<')) MessageValue(f);
      return;  // anything else: protobuf reports it
    }
    if (IsPunct(Peek(), ':')) Next();
    if (IsPunct(Peek(), '[')) {
      Next();
      while (Peek().kind != Token::kEnd && !IsPunct(Peek(), ']')) {
        if (IsPunct(Peek(), ',')) {
          Next();
          continue;
        }
        size_t before = pos_;
        Scalar(f, chinese);
        if (pos_ == before) Next();
      }
      if (IsPunct(Peek(), ']')) Next();
      return;
    }
    Scalar(f, chinese);
  }

  void MessageValue(const FieldDescriptor* f) {
    const char open = Next().text[0];
    Body(f->message_type(), open == '{' ? '}' : '>');
    if (IsPunct(Peek(), open == '{' ? '}' : '>')) Next();
  }

  void Scalar(const FieldDescriptor* f, bool chinese) {
    const std::string field_name = chinese ? ZhOfField(f) : f->name();
    if (IsPunct(Peek(), '-')) Next();
    const Token& t = Peek();
    if (t.kind == Token::kEnd || t.kind == Token::kPunct) return;  // protobuf reports it
    Next();
    const std::string& unit = UnitOfField(f);
    if (f->type() == FieldDescriptor::TYPE_ENUM && t.kind == Token::kIdent) {
      const EnumDescriptor* e = f->enum_type();
      if (e->FindValueByName(t.text) != nullptr) return;
      std::vector<std::string> names;
      for (int k = 0; k < e->value_count(); ++k) {
        const EnumValueDescriptor* v = e->value(k);
        if (v->options().GetExtension(v1::zh_value) == t.text) {
          edits_.push_back({t.begin, t.end, v->name()});
          return;
        }
        const std::string& zv = v->options().GetExtension(v1::zh_value);
        if (k > 0) names.push_back(zv.empty() || en_ ? v->name() : zv);
      }
      std::string suggestion = internal::ClosestMatch(t.text, names);
      Error(t.line, en_ ? absl::StrCat("'", t.text, "' is not a value of ", field_name,
                                        suggestion.empty() ? "" : absl::StrCat(" (did you mean '", suggestion, "'?)"),
                                        "; values: ", absl::StrJoin(names, ", "))
                         : absl::StrCat("“", t.text, "”不是“", field_name, "”的取值",
                                        suggestion.empty() ? "" : absl::StrCat("（您是不是要写：", suggestion, "）"),
                                        "。可以写：", absl::StrJoin(names, "、")));
      return;
    }
    if (f->type() == FieldDescriptor::TYPE_BOOL && t.kind == Token::kIdent) {
      if (t.text == "是" || t.text == "真") edits_.push_back({t.begin, t.end, "true"});
      if (t.text == "否" || t.text == "假") edits_.push_back({t.begin, t.end, "false"});
      return;
    }
    if (f->type() == FieldDescriptor::TYPE_STRING || f->type() == FieldDescriptor::TYPE_BYTES) {
      while (Peek().kind == Token::kString) Next();  // adjacent strings concatenate
      return;
    }
    if (t.kind != Token::kNumber) return;
    if (unit == "fen") {
      if (t.unit.empty()) {
        if (chinese) {
          Error(t.line, en_ ? absl::StrCat(field_name, ": write the unit, e.g. 1000元 or 50分")
                             : absl::StrCat("“", field_name, "”是金额，请写明单位，例如 1000元、1000.50元 或 50分"));
        }
        return;
      }
      int64_t fen;
      if ((t.unit != "元" && t.unit != "分") || !ParseMoneyText(t.text + t.unit, &fen)) {
        Error(t.line, en_ ? absl::StrCat(field_name, ": '", t.text, t.unit, "' is not an amount of money")
                           : absl::StrCat("“", field_name, "”的值“", t.text, t.unit,
                                          "”不是金额（元最多两位小数，例如 1000.50元；分为整数，例如 50分）"));
        return;
      }
      edits_.push_back({t.begin, t.end, absl::StrCat(fen)});
      return;
    }
    if (unit == "centi") {
      if (t.unit.empty()) {
        if (chinese) {
          Error(t.line, en_ ? absl::StrCat(field_name, ": write the unit, e.g. 1.5亩 or 80平方米")
                             : absl::StrCat("“", field_name, "”是面积，请写明单位，例如 1.5亩 或 80平方米"));
        }
        return;
      }
      int64_t centi;
      if ((t.unit != "亩" && t.unit != "平方米" && t.unit != "㎡") || !ParseMoneyText(t.text + "元", &centi)) {
        Error(t.line, en_ ? absl::StrCat(field_name, ": '", t.text, t.unit, "' is not an area (at most 2 decimals)")
                           : absl::StrCat("“", field_name, "”的值“", t.text, t.unit, "”不是面积（最多两位小数，单位为亩或平方米）"));
        return;
      }
      edits_.push_back({t.begin, t.end, absl::StrCat(centi)});
      return;
    }
    if (!t.unit.empty()) {
      Error(t.line, en_ ? absl::StrCat(field_name, ": '", t.text, t.unit, "' takes no unit")
                         : absl::StrCat("“", field_name, "”不带单位，请去掉“", t.unit, "”"));
    }
  }

  const std::string& text_;
  const bool en_;  // messages in English
  std::vector<Token> tokens_;
  std::vector<Edit> edits_;
  size_t pos_ = 0;
  std::vector<LineError>* errors_ = nullptr;
};

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit CollectErrors(std::vector<LineError>* out) : out_(out) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    out_->push_back({line + 1, message});
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {}

 private:
  std::vector<LineError>* out_;
};

}  // namespace

// "800元", "800.5元", "800.00元", "80000分", "-5元" -> fen. False if not money text.
bool ParseMoneyText(std::string_view s, int64_t* fen) {
  std::string t(s);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  while (!t.empty() && t.front() == ' ') t.erase(t.begin());
  bool yuan;
  if (absl::EndsWith(t, "元")) {
    yuan = true;
    t.resize(t.size() - std::string("元").size());
  } else if (absl::EndsWith(t, "分")) {
    yuan = false;
    t.resize(t.size() - std::string("分").size());
  } else if (absl::EndsWith(t, "yuan")) {
    yuan = true;
    t.resize(t.size() - 4);
  } else if (absl::EndsWith(t, "fen")) {
    yuan = false;
    t.resize(t.size() - 3);
  } else {
    return false;
  }
  bool neg = false;
  if (!t.empty() && t[0] == '-') {
    neg = true;
    t.erase(t.begin());
  }
  if (t.empty()) return false;
  int64_t whole = 0, frac = 0;
  int frac_digits = -1;
  for (char c : t) {
    if (c == '.') {
      if (frac_digits >= 0 || !yuan) return false;
      frac_digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (frac_digits >= 0) {
        if (++frac_digits > 2) return false;
        frac = frac * 10 + (c - '0');
      } else {
        if (whole > 922337203685477LL) return false;
        whole = whole * 10 + (c - '0');
      }
    } else {
      return false;
    }
  }
  if (frac_digits == 1) frac *= 10;
  int64_t v = yuan ? whole * 100 + frac : whole;
  *fen = neg ? -v : v;
  return true;
}

void ReadTestCase(const std::string& path, bool en, v1::TestCase* test, TextFormat::ParseInfoTree* locations,
                  std::vector<LineError>* errors) {
  auto L = [en](const char* zh, const char* english) { return en ? english : zh; };
  absl::StatusOr<std::string> read = io::ReadWholeFile(path, io::kTestCaseFile, kMaxCaseBytes, en);
  if (!read.ok()) {
    // The message starts with the path, which the caller prints before the line number.
    std::string m(read.status().message());
    if (absl::StartsWith(m, path + ": ")) m.erase(0, path.size() + 2);
    errors->push_back({1, m});
    return;
  }
  std::string text = *std::move(read);
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.replace(0, 3, "   ");  // BOM, keeps columns
  Translator translator(text, en);
  std::string translated = translator.Run(v1::TestCase::descriptor(), errors);
  if (!errors->empty()) return;
  TextFormat::Parser parser;
  CollectErrors collect(errors);
  parser.RecordErrorsTo(&collect);
  if (locations != nullptr) parser.WriteLocationsTo(locations);
  if (!parser.ParseFromString(translated, test) && errors->empty()) {
    errors->push_back({1, L("无法解析测试案例", "cannot parse the test case")});
  }
  if (!errors->empty()) return;
  if (test->rules().empty()) {
    errors->push_back({1, L("没有写“规则”（要测试的规则文件，相对于本文件的路径）",
                              "no 'rules' (the rule file to test, relative to this file)")});
  }
}

absl::Status AddCaseRegistries(const v1::TestCase& test, const std::string& file, Registries* registries) {
  const Reflection* refl = test.registries().GetReflection();
  const Descriptor* rd = v1::Registries::descriptor();
  bool any_record = false;
  for (int i = 0; i < rd->field_count(); ++i) {
    const FieldDescriptor* f = rd->field(i);
    for (int k = 0; k < refl->FieldSize(test.registries(), f); ++k) {
      any_record = true;
      absl::Status s = registries->AddRecord(f->name(), refl->GetRepeatedMessage(test.registries(), f, k));
      if (!s.ok()) return s;
    }
  }
  if (test.has_records()) {
    if (any_record) {
      return absl::InvalidArgumentError(
          "写了“核对结果”的案例，核对到的记录写在“核对结果”里，“登记册”须为空 "
          "(a case with records lists them there, not under registries)");
    }
    return absl::OkStatus();
  }
  // The date of the run: the case's evaluation date as the decision will use it. Without any
  // date the decision reports 评估日期 as missing; the check then carries a placeholder date.
  std::string date = !test.as_of().empty()                   ? test.as_of()
                     : !test.application().as_of().empty() ? test.application().as_of()
                                                               : test.application().application_date();
  int32_t days;
  if (!internal::ParseDate(date, &days)) date = "1970-01-01";
  for (const std::string& name : Registries::Names()) {
    absl::Status s = registries->MarkChecked(name, RegistryCheckInfo{date, absl::StrCat("测试案例 ", file), ""});
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace heyan::cli
