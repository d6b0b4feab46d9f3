// Chinese protobuf text and JSON (see chinese_text.h).
#include "io/chinese_text.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/text.h"
#include "google/protobuf/io/tokenizer.h"
#include "heyan/v1/options.pb.h"
#include "simdjson.h"

namespace heyan::io {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
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
      // A character that ends identifiers but starts nothing else (a stray ”) is a token of
      // its own, which the parser then reports: the scan must always move on (the test-case
      // fuzzer found `”` outside a string looping here forever).
      if (q == p) q = p + len;
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

// ---- JSON ----------------------------------------------------------------------------------

// Rewrites one JSON value for field `f` (or a whole message when `f` is null) into `out`.
class JsonTranslator {
 public:
  explicit JsonTranslator(bool english) : en_(english) {}

  bool Message(simdjson::dom::element e, const Descriptor* d, const std::string& path, std::string* out) {
    simdjson::dom::object object;
    if (e.get_object().get(object) != simdjson::SUCCESS) {
      return Fail(path, en_ ? "must be a JSON object" : "应为 JSON 对象 {…}");
    }
    out->push_back('{');
    bool first = true;
    for (auto [key, value] : object) {
      const std::string name(key);
      const FieldDescriptor* f = FindField(d, name);
      const std::string where = path.empty() ? name : absl::StrCat(path, ".", name);
      if (f == nullptr) {
        std::vector<std::string> names;
        for (int i = 0; i < d->field_count(); ++i) {
          const std::string& zh = ZhOfField(d->field(i));
          names.push_back(zh.empty() || en_ ? d->field(i)->name() : zh);
        }
        const std::string suggestion = internal::ClosestMatch(name, names);
        return Fail(where, en_ ? absl::StrCat("not a field of ", ZhOfMessage(d, true),
                                              suggestion.empty() ? "" : absl::StrCat(" (did you mean '", suggestion, "'?)"))
                               : absl::StrCat("不是“", ZhOfMessage(d, false), "”的字段",
                                              suggestion.empty() ? "" : absl::StrCat("（您是不是要写：", suggestion, "）")));
      }
      if (!first) out->push_back(',');
      first = false;
      absl::StrAppend(out, internal::JsonQuote(f->name()), ":");
      const bool chinese = !IsAscii(name);
      if (f->is_repeated()) {
        simdjson::dom::array array;
        if (value.get_array().get(array) != simdjson::SUCCESS) {
          return Fail(where, en_ ? "must be a JSON array [...]" : "应为 JSON 数组 […]（可以有多项）");
        }
        out->push_back('[');
        size_t k = 0;
        for (simdjson::dom::element item : array) {
          if (k > 0) out->push_back(',');
          if (!Value(item, f, chinese, absl::StrCat(where, "[", k + 1, "]"), out)) return false;
          ++k;
        }
        out->push_back(']');
      } else if (!Value(value, f, chinese, where, out)) {
        return false;
      }
    }
    out->push_back('}');
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  static const FieldDescriptor* FindField(const Descriptor* d, const std::string& name) {
    if (const FieldDescriptor* f = d->FindFieldByName(name)) return f;
    if (const FieldDescriptor* f = d->FindFieldByCamelcaseName(name)) return f;
    for (int i = 0; i < d->field_count(); ++i) {
      if (ZhOfField(d->field(i)) == name || d->field(i)->json_name() == name) return d->field(i);
    }
    return nullptr;
  }
  static bool IsAscii(std::string_view s) {
    for (char c : s) {
      if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
  }

  bool Fail(const std::string& path, std::string message) {
    error_ = path.empty() ? std::move(message) : absl::StrCat(path, ": ", message);
    return false;
  }

  // Copies a JSON number exactly (integers as written, never through a double).
  static void Number(simdjson::dom::element e, std::string* out) {
    int64_t i;
    uint64_t u;
    double d;
    if (e.get_int64().get(i) == simdjson::SUCCESS) {
      absl::StrAppend(out, i);
    } else if (e.get_uint64().get(u) == simdjson::SUCCESS) {
      absl::StrAppend(out, u);
    } else if (e.get_double().get(d) == simdjson::SUCCESS) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", d);
      out->append(buffer);
    }
  }

  // Stored integer of a value with a unit: money in fen, areas in hundredths.
  bool WithUnit(const std::string& text, const std::string& unit, const std::string& path, int64_t* v) {
    if (unit == "fen") {
      if (ParseMoneyText(text, v)) return true;
      return Fail(path, en_ ? absl::StrCat("'", text, "' is not an amount of money (e.g. 1000元, 1000.50元, 50分)")
                            : absl::StrCat("“", text, "”不是金额（例如 1000元、1000.50元 或 50分）"));
    }
    std::string t(text);
    for (const char* u : {"平方米", "亩", "㎡"}) {
      if (absl::EndsWith(t, u)) {
        t.resize(t.size() - std::strlen(u));
        if (ParseMoneyText(t + "元", v)) return true;
        break;
      }
    }
    return Fail(path, en_ ? absl::StrCat("'", text, "' is not an area (e.g. 1.5亩, 80平方米)")
                          : absl::StrCat("“", text, "”不是面积（例如 1.5亩 或 80平方米，最多两位小数）"));
  }

  bool Value(simdjson::dom::element e, const FieldDescriptor* f, bool chinese, const std::string& path, std::string* out) {
    if (f->type() == FieldDescriptor::TYPE_MESSAGE) return Message(e, f->message_type(), path, out);
    std::string_view text;
    const bool is_text = e.get_string().get(text) == simdjson::SUCCESS;
    const std::string& unit = UnitOfField(f);
    if ((unit == "fen" || unit == "centi") && (is_text || chinese)) {
      if (!is_text) {
        return Fail(path, en_ ? (unit == "fen" ? "write the unit: \"1000元\" or \"50分\"" : "write the unit: \"1.5亩\" or \"80平方米\"")
                              : (unit == "fen" ? "是金额，请写明单位，例如 \"1000元\" 或 \"50分\""
                                               : "是面积，请写明单位，例如 \"1.5亩\" 或 \"80平方米\""));
      }
      int64_t v;
      if (!WithUnit(std::string(text), unit, path, &v)) return false;
      absl::StrAppend(out, v);
      return true;
    }
    if (f->type() == FieldDescriptor::TYPE_ENUM && is_text) {
      const EnumDescriptor* en = f->enum_type();
      for (int k = 0; k < en->value_count(); ++k) {
        const EnumValueDescriptor* v = en->value(k);
        if (v->name() == text || v->options().GetExtension(v1::zh_value) == text) {
          absl::StrAppend(out, internal::JsonQuote(v->name()));
          return true;
        }
      }
      std::vector<std::string> names;
      for (int k = 1; k < en->value_count(); ++k) {
        const std::string& zv = en->value(k)->options().GetExtension(v1::zh_value);
        names.push_back(zv.empty() || en_ ? en->value(k)->name() : zv);
      }
      const std::string suggestion = internal::ClosestMatch(text, names);
      const std::string word(text);
      return Fail(path, en_ ? absl::StrCat("'", word, "' is not a value (", absl::StrJoin(names, ", "), ")")
                            : absl::StrCat("“", word, "”不是可选的取值",
                                           suggestion.empty() ? "" : absl::StrCat("（您是不是要写：", suggestion, "）"),
                                           "。可以写：", absl::StrJoin(names, "、")));
    }
    if (f->type() == FieldDescriptor::TYPE_BOOL && is_text) {
      if (text == "是" || text == "真" || text == "true") return (out->append("true"), true);
      if (text == "否" || text == "假" || text == "false") return (out->append("false"), true);
      return Fail(path, en_ ? "must be true/false (是/否)" : "应为 是 或 否");
    }
    switch (e.type()) {
      case simdjson::dom::element_type::STRING: out->append(internal::JsonQuote(text)); break;
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE: Number(e, out); break;
      case simdjson::dom::element_type::BOOL: out->append(bool(e) ? "true" : "false"); break;
      case simdjson::dom::element_type::NULL_VALUE: out->append("null"); break;
      default: return Fail(path, en_ ? "unexpected JSON value" : "这里不能是 JSON 对象或数组");
    }
    return true;
  }

  const bool en_;
  std::string error_;
};

}  // namespace

bool TranslateChineseJson(std::string_view json, const Descriptor* root, bool english, std::string* out,
                          std::string* error) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::padded_string padded(json.data(), json.size());
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
    *error = english ? "not valid JSON" : "不是有效的 JSON";
    return false;
  }
  out->clear();
  JsonTranslator translator(english);
  if (!translator.Message(doc, root, "", out)) {
    *error = translator.error();
    return false;
  }
  return true;
}

std::string TranslateChineseText(const std::string& text, const Descriptor* root, bool english,
                                 std::vector<LineError>* errors) {
  Translator translator(text, english);
  return translator.Run(root, errors);
}

bool ParseChineseText(const std::string& text, google::protobuf::Message* out, bool english,
                      TextFormat::ParseInfoTree* locations, std::vector<LineError>* errors) {
  out->Clear();
  const size_t before = errors->size();
  std::string translated = TranslateChineseText(text, out->GetDescriptor(), english, errors);
  if (errors->size() != before) return false;
  TextFormat::Parser parser;
  CollectErrors collect(errors);
  parser.RecordErrorsTo(&collect);
  if (locations != nullptr) parser.WriteLocationsTo(locations);
  if (!parser.ParseFromString(translated, out) && errors->size() == before) {
    errors->push_back({1, english ? absl::StrCat("not a ", out->GetDescriptor()->name(), " in text format")
                                  : absl::StrCat("不是文本格式的“", ZhOfMessage(out->GetDescriptor(), false), "”")});
  }
  return errors->size() == before;
}

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

}  // namespace heyan::io
