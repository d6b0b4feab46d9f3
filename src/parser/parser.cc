// Parse stage implementation. The ONLY file that includes ANTLR: it lexes and parses with
// the generated HeyanLexer/HeyanParser, turns syntax errors into located diagnostics and
// builds the native AST. A catch-all at the door turns any exception into a diagnostic.
#include "parser/parser.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>
#include <map>
#include <set>
#include <stack>
#include <string>
#include <vector>

#include "HeyanLexer.h"
#include "HeyanParser.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "antlr4-runtime.h"
#include "common/text.h"

namespace heyan::internal {
namespace {

using heyan_antlr_internal::HeyanLexer;
using heyan_antlr_internal::HeyanParser;

constexpr int kMaxSyntaxErrors = 30;
// Chains of one associative operator longer than this are regrouped into a balanced tree
// (see AstBuilder::Chain); shorter ones keep their left-to-right shape.
constexpr int kRegroupAbove = 8;

// How deep the recursive-descent parser itself may recurse, for a nesting limit. Each
// level of expression nesting costs at most two parse levels (expr -> primary -> expr for
// calls, lists and aggregates), and so does each bracket, plus the declaration around it.
// Left-recursive chains (a + b + c, a.b.c) do not recurse in ANTLR and are not counted.
int MaxParseDepth(const ParseLimits& limits) { return 4 * limits.max_nesting_depth + 32; }

struct TooManyErrors : std::exception {};
struct TooDeep : std::exception {};

// How a token is shown in "expected ..." lists: its Chinese and English spellings.
std::string TokenDisplay(size_t type, bool english) {
  switch (type) {
    case HeyanLexer::RULESET: return english ? "ruleset" : "规则集";
    case HeyanLexer::VERSION: return english ? "version" : "版本";
    case HeyanLexer::BASIS: return english ? "basis" : "依据";
    case HeyanLexer::IMPORT: return english ? "import" : "导入";
    case HeyanLexer::PARAM: return english ? "parameter" : "参数";
    case HeyanLexer::ASSUME: return english ? "assumption" : "假设";
    case HeyanLexer::BECAUSE: return english ? "because" : "理由";
    case HeyanLexer::UNIT: return english ? "unit" : "单位";
    case HeyanLexer::OVERRIDE: return english ? "override" : "覆盖";
    case HeyanLexer::DISABLE: return english ? "disable" : "停用";
    case HeyanLexer::FROM: return english ? "from" : "自";
    case HeyanLexer::ONWARDS: return english ? "onwards" : "起";
    case HeyanLexer::LET: return english ? "let" : "计算";
    case HeyanLexer::OUTPUT: return english ? "output" : "输出";
    case HeyanLexer::AS: return english ? "as" : "记为";
    case HeyanLexer::RULE: return english ? "rule" : "规则";
    case HeyanLexer::EACH: return english ? "each" : "每个";
    case HeyanLexer::WHEN: return english ? "when" : "当";
    case HeyanLexer::THEN: return english ? "then" : "则";
    case HeyanLexer::EXCEPT: return english ? "except" : "例外";
    case HeyanLexer::INELIGIBLE: return english ? "ineligible" : "不符合";
    case HeyanLexer::REVIEW: return english ? "review" : "需复核";
    case HeyanLexer::FLAG: return english ? "flag" : "标记";
    case HeyanLexer::MISSING: return english ? "missing" : "缺少材料";
    case HeyanLexer::TABLE: return english ? "table" : "决策表";
    case HeyanLexer::HIT: return english ? "hit" : "命中";
    case HeyanLexer::UNIQUE: return english ? "unique" : "唯一";
    case HeyanLexer::FIRST: return english ? "first" : "首个";
    case HeyanLexer::INPUTS: return english ? "inputs" : "条件";
    case HeyanLexer::ROW: return english ? "row" : "行";
    case HeyanLexer::IF: return english ? "if" : "如果";
    case HeyanLexer::ELSE: return english ? "else" : "否则";
    case HeyanLexer::AND: return english ? "and" : "并且";
    case HeyanLexer::OR: return english ? "or" : "或者";
    case HeyanLexer::NOT: return english ? "not" : "并非";
    case HeyanLexer::ANY: return english ? "any" : "任一";
    case HeyanLexer::ALL: return english ? "all" : "所有";
    case HeyanLexer::SATISFIES: return english ? "satisfies" : "满足";
    case HeyanLexer::WHERE: return english ? "where" : "其中";
    case HeyanLexer::IN_BIND: return "在";
    case HeyanLexer::MEMBER_OF: return english ? "in" : "属于";
    case HeyanLexer::NOT_MEMBER: return "不属于";
    case HeyanLexer::SUM: return english ? "sum" : "合计";
    case HeyanLexer::COUNT: return english ? "count" : "计数";
    case HeyanLexer::MIN: return english ? "min" : "最小";
    case HeyanLexer::MAX: return english ? "max" : "最大";
    case HeyanLexer::TRUE: return english ? "true" : "真";
    case HeyanLexer::FALSE: return english ? "false" : "假";
    case HeyanLexer::DATE: return english ? "a date" : "日期";
    case HeyanLexer::MONEY: return english ? "an amount" : "金额";
    case HeyanLexer::PERCENT: return english ? "a percentage" : "百分数";
    case HeyanLexer::DURATION: return english ? "a duration" : "期间";
    case HeyanLexer::DECIMAL: return english ? "a decimal" : "小数";
    case HeyanLexer::INT: return english ? "an integer" : "整数";
    case HeyanLexer::STRING: return english ? "a quoted text" : "带引号的文字";
    case HeyanLexer::IDENT: return english ? "a name" : "名称";
    case HeyanLexer::ARROW: return "=>";
    case HeyanLexer::LE: return "<=";
    case HeyanLexer::GE: return ">=";
    case HeyanLexer::NE: return "≠";
    case HeyanLexer::EQEQ: return "==";
    case HeyanLexer::EQ: return "=";
    case HeyanLexer::LT: return "<";
    case HeyanLexer::GT: return ">";
    case HeyanLexer::PLUS: return "+";
    case HeyanLexer::MINUS: return "-";
    case HeyanLexer::STAR: return "×";
    case HeyanLexer::SLASH: return "÷";
    case HeyanLexer::LPAREN: return "(";
    case HeyanLexer::RPAREN: return ")";
    case HeyanLexer::LBRACK: return "[";
    case HeyanLexer::RBRACK: return "]";
    case HeyanLexer::COMMA: return ",";
    case HeyanLexer::COLON: return ":";
    case HeyanLexer::DOT: return ".";
    default:
      if (type == antlr4::Token::EOF) return english ? "end of file" : "文件结尾";
      return "?";
  }
}

// All keyword spellings, for "did you mean" on names that look like misspelt keywords.
const std::vector<std::string>& KeywordSpellings() {
  static const auto* all = new std::vector<std::string>{
      "规则集", "版本", "依据", "导入", "参数", "假设", "理由", "单位", "覆盖", "停用", "自", "起",
      "计算", "输出", "记为", "规则", "每个", "当", "则", "例外", "不符合", "需复核", "标记",
      "缺少材料", "决策表", "命中", "唯一", "首个", "条件", "行", "如果", "否则", "并且", "或者",
      "并非", "任一", "所有", "满足", "其中", "属于", "不属于", "合计", "计数", "最小", "最大",
      "ruleset", "version", "basis", "import", "parameter", "assumption", "because", "unit",
      "override", "disable", "from", "onwards", "let", "output", "as", "rule", "each", "when",
      "then", "except", "ineligible", "review", "flag", "missing", "table", "hit", "unique",
      "first", "inputs", "row", "if", "else", "otherwise", "and", "or", "not", "any", "all",
      "satisfies", "where", "in", "sum", "count", "min", "max"};
  return *all;
}

// "480 元": a number, white space, then a unit the lexer glues only to a number (480元).
// Returns the unit the name starts with, or "".
std::string SpacedUnit(const std::vector<antlr4::Token*>& tokens, antlr4::Token* offending) {
  if (offending == nullptr || offending->getType() != HeyanLexer::IDENT) return "";
  const size_t i = offending->getTokenIndex();
  if (i < 2 || i >= tokens.size() || tokens[i - 1]->getType() != HeyanLexer::WS) return "";
  const size_t before = tokens[i - 2]->getType();
  if (before != HeyanLexer::INT && before != HeyanLexer::DECIMAL) return "";
  const std::string text = offending->getText();
  for (const char* unit : {"个月", "元", "分", "年", "天", "日"}) {
    if (text.rfind(unit, 0) == 0) return unit;
  }
  if (text == "yuan" || text == "fen") return text;
  return "";
}

// Syntax errors are collected while parsing and reported afterwards (Flush), so that errors
// that only follow from a lexical error already reported (an unknown character, an
// unterminated string) can be left out: one problem, one message.
class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(DiagnosticSink* sink, const std::vector<antlr4::Token*>& tokens, int file, int offset,
                      const char* code)
      : sink_(sink), tokens_(tokens), file_(file), offset_(offset), code_(code) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                   const std::string&, std::exception_ptr) override {
    ++errors_;
    Pending p;
    p.token = offending != nullptr ? offending->getTokenIndex() : tokens_.size();
    Span span{file_, offset_, offset_ + 1};
    std::string found_zh = "文件结尾", found_en = "end of file";
    std::string suggestion;
    if (offending != nullptr) {
      span.begin = offset_ + static_cast<int>(offending->getStartIndex());
      span.end = offset_ + static_cast<int>(offending->getStopIndex()) + 1;
      if (offending->getType() != antlr4::Token::EOF) {
        found_zh = absl::StrCat("“", offending->getText(), "”");
        found_en = absl::StrCat("'", offending->getText(), "'");
        if (span.end < span.begin) span.end = span.begin + 1;
      } else {
        span.end = span.begin + 1;
      }
    }
    p.span = span;
    if (std::string unit = SpacedUnit(tokens_, offending); !unit.empty()) {
      // Not a misspelt keyword: the unit belongs to the number before it.
      const std::string number = tokens_[offending->getTokenIndex() - 2]->getText();
      const bool money = unit == "元" || unit == "分" || unit == "yuan" || unit == "fen";
      p.zh = absl::StrCat(money ? "金额" : "期间", "写作 ", number, unit, "（数字和“", unit, "”之间不能有空格）");
      p.en = absl::StrCat("write ", money ? "amounts" : "durations", " as ", number, unit,
                          " (no space between the number and '", unit, "')");
      p.suggestion = absl::StrCat(number, unit);
      pending_.push_back(std::move(p));
      if (errors_ >= kMaxSyntaxErrors) throw TooManyErrors();
      return;
    }
    std::vector<std::string> expected_zh, expected_en;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser != nullptr) {
      for (ssize_t t : parser->getExpectedTokens().toList()) {
        if (t <= 0 && t != -1) continue;
        size_t type = static_cast<size_t>(t);
        if (type == HeyanLexer::UNKNOWN_CHAR) continue;
        expected_zh.push_back(TokenDisplay(type, false));
        expected_en.push_back(TokenDisplay(type, true));
      }
    }
    if (offending != nullptr && offending->getType() == HeyanLexer::IDENT) {
      std::string text = offending->getText();
      // "规则R02": a keyword glued to a name.
      for (const std::string& kw : KeywordSpellings()) {
        if (text.size() > kw.size() && text.compare(0, kw.size(), kw) == 0 &&
            static_cast<unsigned char>(kw[0]) >= 0x80) {
          suggestion = absl::StrCat(kw, " ", text.substr(kw.size()));
          break;
        }
      }
      if (suggestion.empty()) suggestion = ClosestMatch(text, KeywordSpellings());
    }
    const bool placeholder = std::string(code_) == "E0105";
    if (placeholder && (offending == nullptr || offending->getType() == antlr4::Token::EOF)) {
      // Inside {…} the end of the text is the closing brace.
      found_zh = "“}”";
      found_en = "'}'";
    }
    std::string zh = absl::StrCat(placeholder ? "消息占位符 {…} 里的表达式有误：" : "", "此处不应出现", found_zh);
    std::string en = absl::StrCat(placeholder ? "bad expression in a message placeholder {…}: " : "", "unexpected ",
                                  found_en);
    if (!expected_zh.empty() && expected_zh.size() <= 12) {
      absl::StrAppend(&zh, "，应为：", absl::StrJoin(expected_zh, "、"));
      absl::StrAppend(&en, "; expected ", absl::StrJoin(expected_en, ", "));
    } else if (std::find(expected_zh.begin(), expected_zh.end(), TokenDisplay(HeyanLexer::IDENT, false)) !=
               expected_zh.end()) {
      // Too many tokens to list: the place wants the start of an expression.
      absl::StrAppend(&zh, "，这里应是一个值、名称或算式");
      absl::StrAppend(&en, "; expected a value, a name or an expression");
    }
    p.zh = std::move(zh);
    p.en = std::move(en);
    p.suggestion = std::move(suggestion);
    pending_.push_back(std::move(p));
    if (errors_ >= kMaxSyntaxErrors) throw TooManyErrors();
  }

  // Reports the collected errors, except those that follow a lexical error (token index in
  // `lexical`, sorted) with no declaration starting in between (`decl_starts`, sorted): the
  // parser then only trips over what is left of a line the lexer already complained about.
  void Flush(const std::vector<size_t>& lexical, const std::vector<size_t>& decl_starts) {
    for (Pending& p : pending_) {
      auto l = std::upper_bound(lexical.begin(), lexical.end(), p.token);
      bool follows = false;
      if (l != lexical.begin()) {
        const size_t lex = *std::prev(l);
        auto d = std::upper_bound(decl_starts.begin(), decl_starts.end(), lex);
        follows = d == decl_starts.end() || *d >= p.token;
      }
      if (!follows) sink_->Error(code_, p.span, std::move(p.zh), std::move(p.en), std::move(p.suggestion));
    }
    pending_.clear();
  }

  int errors() const { return errors_; }
  // Token indices of the syntax errors so far (the end of input is tokens.size()).
  std::vector<size_t> ErrorTokens() const {
    std::vector<size_t> out;
    for (const Pending& p : pending_) out.push_back(p.token);
    return out;
  }

 private:
  struct Pending {
    size_t token = 0;  // index of the offending token
    Span span;
    std::string zh, en, suggestion;
  };
  DiagnosticSink* sink_;
  const std::vector<antlr4::Token*>& tokens_;
  int file_;
  int offset_;
  const char* code_;
  int errors_ = 0;
  std::vector<Pending> pending_;
};

// Reports the first invalid UTF-8 sequence; true if the text is valid.
bool CheckUtf8(const SourceFile& f, int file, DiagnosticSink* sink) {
  const std::string& s = f.text();
  int cp = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      sink->Error("E0102", Span{file, cp, cp + 1},
                  "文件不是有效的 UTF-8 编码（可能是按 GBK 保存的），请用 UTF-8 编码重新保存规则文件",
                  "the file is not valid UTF-8 (perhaps saved as GBK); save rule files as UTF-8");
      return false;
    }
    i += len;
    ++cp;
  }
  return true;
}

// Characters the lexer accepts outside quotes (anything else becomes UNKNOWN_CHAR).
bool Lexable(char32_t c) {
  if (c < 0x80) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::u32string_view(U"_ \t\r=<>!+-*/()[],:.%#").find(c) != std::u32string_view::npos;
  }
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         std::u32string_view(U"（）【】，、：％→≤≥≠×÷“”\u3000\uFEFF").find(c) != std::u32string_view::npos;
}

// A line has an odd number of '"': the lexer pairs them from the left, so an opening quote
// left unclosed early in the line (规则 R01 "收入超标 依据 "郑民文〔2018〕66号") makes the rest
// pair up wrongly and the leftover quote, and the document's 〔〕 now outside quotes, are
// reported far from the mistake. `quotes` are the code-point positions of the line's quotes
// (outside comments), in order. Returns the one most likely left unclosed: for each choice the
// other quotes pair up around it, and a choice costs for each paired text that starts or ends
// with a space or holds a keyword between spaces ("收入超标 依据 "), and for each character
// left outside quotes that the lexer rejects. Ties go to the last quote, where the lexer stops.
size_t UnclosedQuote(const std::u32string& text, const std::vector<size_t>& quotes, size_t line_end) {
  if (quotes.size() % 2 == 0) return quotes.back();
  static const auto* keywords = [] {
    auto* set = new std::set<std::u32string>;
    for (const std::string& k : KeywordSpellings()) {
      if (static_cast<unsigned char>(k[0]) >= 0x80) set->insert(DecodeUtf8(k));
    }
    return set;
  }();
  auto quoted_cost = [&](size_t open, size_t close) {
    if (close <= open + 1) return 0;
    int cost = 0;
    const std::u32string inner = text.substr(open + 1, close - open - 1);
    if (inner.front() == U' ' || inner.front() == U'\t') ++cost;
    if (inner.back() == U' ' || inner.back() == U'\t') ++cost;
    size_t i = 0;
    while (i < inner.size()) {
      size_t j = inner.find_first_of(U" \t", i);
      if (j == std::u32string::npos) j = inner.size();
      if (j > i && (i > 0 || j < inner.size()) && keywords->count(inner.substr(i, j - i))) cost += 2;
      i = j + 1;
    }
    return cost;
  };
  auto code_cost = [&](size_t begin, size_t end) {
    int cost = 0;
    for (size_t i = begin; i < end && i < text.size(); ++i) {
      if (!Lexable(text[i])) cost += 2;
    }
    return cost;
  };
  size_t best = quotes.back();
  int best_cost = INT32_MAX;
  for (size_t k = 0; k < quotes.size(); k += 2) {
    int cost = 0;
    for (size_t a = 0; a + 1 < k; a += 2) {
      cost += quoted_cost(quotes[a], quotes[a + 1]);
      cost += code_cost(quotes[a + 1] + 1, quotes[a + 2]);  // up to the next pair or the open quote
    }
    for (size_t a = k + 1; a + 1 < quotes.size(); a += 2) {
      cost += quoted_cost(quotes[a], quotes[a + 1]);
      cost += code_cost(quotes[a + 1] + 1, a + 2 < quotes.size() ? quotes[a + 2] : line_end);
    }
    if (cost <= best_cost) {
      best_cost = cost;
      best = quotes[k];
    }
  }
  return best;
}

// Reports unknown characters and unterminated strings, and rejects too-deep bracket nesting
// before parsing, so the recursive parser never sees pathological input. Unknown characters
// are moved off the parser's channel and their token indices appended to `lexical`: the parse
// goes on without them (their declaration is left out of checking, see BuildFile). Returns
// false only when the input must not be parsed at all (E0004).
bool PrescanTokens(const std::vector<antlr4::Token*>& tokens, const std::u32string& text, int file, int offset,
                   const ParseLimits& limits, DiagnosticSink* sink, std::vector<size_t>* lexical) {
  int depth = 0;
  // Lines with an unterminated '"': the line -> the position of the quote blamed (see
  // UnclosedQuote) and the index of the token that starts there. Decided before anything on
  // the line is reported, because what follows that quote is the unclosed text, not code.
  struct Unclosed {
    size_t at;
    size_t token;
    bool reported = false;
  };
  std::map<size_t, Unclosed> unclosed;
  for (antlr4::Token* t : tokens) {
    if (t->getType() != HeyanLexer::UNKNOWN_CHAR || unclosed.count(t->getLine())) continue;
    if (t->getText() == "“") {
      unclosed[t->getLine()] = {t->getStartIndex(), t->getTokenIndex()};
      continue;
    }
    if (t->getText() != "\"") continue;
    const size_t line = t->getLine();
    size_t line_end = t->getStartIndex();
    while (line_end < text.size() && text[line_end] != U'\n') ++line_end;
    std::vector<size_t> quotes;
    std::map<size_t, size_t> token_at;  // quote position -> index of the token starting there
    for (antlr4::Token* q : tokens) {
      if (q->getLine() != line) continue;
      if (q->getType() == HeyanLexer::STRING && q->getText()[0] == '"') {
        quotes.push_back(q->getStartIndex());
        quotes.push_back(q->getStopIndex());
        token_at[q->getStartIndex()] = q->getTokenIndex();
        token_at[q->getStopIndex()] = q->getTokenIndex();
      } else if (q->getType() == HeyanLexer::UNKNOWN_CHAR && q->getText() == "\"") {
        quotes.push_back(q->getStartIndex());
        token_at[q->getStartIndex()] = q->getTokenIndex();
      } else if (q->getType() == HeyanLexer::COMMENT) {
        line_end = std::min<size_t>(line_end, q->getStartIndex());
      }
    }
    std::sort(quotes.begin(), quotes.end());
    const size_t blamed = UnclosedQuote(text, quotes, line_end);
    unclosed[line] = {blamed, token_at[blamed]};
  }
  for (auto& [line, u] : unclosed) lexical->push_back(u.token);
  for (size_t index = 0; index < tokens.size(); ++index) {
    antlr4::Token* t = tokens[index];
    Span span{file, offset + static_cast<int>(t->getStartIndex()),
              offset + static_cast<int>(t->getStopIndex()) + 1};
    switch (t->getType()) {
      case HeyanLexer::UNKNOWN_CHAR: {
        lexical->push_back(index);
        if (auto* common = dynamic_cast<antlr4::CommonToken*>(t)) common->setChannel(antlr4::Token::HIDDEN_CHANNEL);
        auto open = unclosed.find(t->getLine());
        if (open != unclosed.end() && t->getStartIndex() >= open->second.at) {
          // The quote left open (reported once) and what follows it on the line.
          if (!open->second.reported) {
            open->second.reported = true;
            span.begin = offset + static_cast<int>(open->second.at);
            span.end = span.begin + 1;
            sink->Error("E0103", span, "引号没有结束：文字要在同一行内用配对的引号括起来",
                        "unterminated string: a quoted text must end on the same line");
          }
          break;
        }
        const std::string chars = t->getText();
        // Full-width forms typed with a Chinese input method: name the character to use.
        static const std::pair<const char*, const char*> kHalfWidth[] = {
            {"＝", "="}, {"＜", "<"}, {"＞", ">"}, {"＋", "+"}, {"－", "-"}, {"＊", "*"}, {"／", "/"},
            {"．", "."}, {"｛", "{"}, {"｝", "}"}, {"！", "!"}, {"＃", "#"}, {"＂", "\""}};
        std::string replacement;
        for (const auto& [full, half] : kHalfWidth) {
          if (chars == full) replacement = half;
        }
        // "30 %": the sign belongs to the number (30%).
        const bool spaced_percent = (chars == "%" || chars == "％") && index >= 2 &&
                                    tokens[index - 1]->getType() == HeyanLexer::WS &&
                                    (tokens[index - 2]->getType() == HeyanLexer::INT ||
                                     tokens[index - 2]->getType() == HeyanLexer::DECIMAL);
        if (spaced_percent) {
          const std::string number = tokens[index - 2]->getText();
          sink->Error("E0102", span, absl::StrCat("百分数写作 ", number, chars, "（数字和“", chars, "”之间不能有空格）"),
                      absl::StrCat("write percentages as ", number, chars, " (no space between the number and '",
                                   chars, "')"),
                      absl::StrCat(number, chars));
        } else if (!replacement.empty()) {
          sink->Error("E0102", span, absl::StrCat("不允许的字符“", chars, "”：请改用半角的“", replacement, "”"),
                      absl::StrCat("character '", chars, "' is not allowed here; use the ASCII '", replacement, "'"),
                      replacement);
        } else if (chars == "；" || chars == ";") {
          sink->Error("E0102", span, absl::StrCat("不允许的字符“", chars, "”：规则语言不用分号，删去即可"),
                      absl::StrCat("character '", chars, "' is not allowed: rule files use no semicolons"));
        } else {
          sink->Error("E0102", span, absl::StrCat("不允许的字符“", chars, "”"),
                      absl::StrCat("character '", chars, "' is not allowed here"));
        }
        break;
      }
      case HeyanLexer::LPAREN:
      case HeyanLexer::LBRACK:
        if (++depth > limits.max_nesting_depth) {
          sink->Error("E0004", span,
                      absl::StrCat("括号嵌套超过 ", limits.max_nesting_depth, " 层，请拆分为多个“计算”"),
                      absl::StrCat("brackets nested deeper than ", limits.max_nesting_depth,
                                   " levels; split the expression into named values"));
          return false;
        }
        break;
      case HeyanLexer::RPAREN:
      case HeyanLexer::RBRACK:
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  std::sort(lexical->begin(), lexical->end());
  lexical->erase(std::unique(lexical->begin(), lexical->end()), lexical->end());
  return true;
}

// ANTLR's recovery, except that it never skips the keyword that starts a declaration: an
// error inside one declaration then ends that declaration, and the next one is parsed (and
// checked) as written instead of being swallowed by the recovery.
class DeclarationRecovery : public antlr4::DefaultErrorStrategy {
 protected:
  static bool StartsDeclaration(size_t type) {
    switch (type) {
      case HeyanLexer::PARAM: case HeyanLexer::ASSUME: case HeyanLexer::OVERRIDE: case HeyanLexer::LET:
      case HeyanLexer::OUTPUT: case HeyanLexer::RULE: case HeyanLexer::TABLE: case HeyanLexer::DISABLE:
        return true;
      default:
        return false;
    }
  }
  antlr4::misc::IntervalSet getErrorRecoverySet(antlr4::Parser* recognizer) override {
    antlr4::misc::IntervalSet set = antlr4::DefaultErrorStrategy::getErrorRecoverySet(recognizer);
    for (size_t t : {HeyanLexer::PARAM, HeyanLexer::ASSUME, HeyanLexer::OVERRIDE, HeyanLexer::LET, HeyanLexer::OUTPUT,
                     HeyanLexer::RULE, HeyanLexer::TABLE, HeyanLexer::DISABLE}) {
      set.add(static_cast<ssize_t>(t));
    }
    return set;
  }
  // "计算 a = 1 +" then "计算 b = …": deleting 计算 as an extra token would glue the next
  // declaration onto this one (a = 1 + b = …).
  antlr4::Token* singleTokenDeletion(antlr4::Parser* recognizer) override {
    if (StartsDeclaration(recognizer->getInputStream()->LA(1))) return nullptr;
    return antlr4::DefaultErrorStrategy::singleTokenDeletion(recognizer);
  }
};

// True if the parse tree under `ctx` shows a syntax error: an error node (a token skipped or
// made up by recovery) or a rule that ended in an exception.
bool HasErrorMarks(antlr4::tree::ParseTree* root) {
  std::vector<antlr4::tree::ParseTree*> stack = {root};
  while (!stack.empty()) {
    antlr4::tree::ParseTree* node = stack.back();
    stack.pop_back();
    if (node == nullptr) continue;
    if (dynamic_cast<antlr4::tree::ErrorNode*>(node) != nullptr) return true;
    if (auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(node); ctx != nullptr && ctx->exception != nullptr) {
      return true;
    }
    for (antlr4::tree::ParseTree* child : node->children) stack.push_back(child);
  }
  return false;
}

// "2025-1-1" -> "2025-01-01": a dash date with a one-digit month or day, written out the way
// the language wants it; "" for anything else.
std::string TwoDigitDate(const std::string& text) {
  const size_t first = text.find('-'), second = text.find('-', first + 1);
  if (first != 4 || second == std::string::npos) return "";
  const std::string month = text.substr(first + 1, second - first - 1), day = text.substr(second + 1);
  if (month.size() == 2 && day.size() == 2) return "";
  if (month.empty() || day.empty() || month.size() > 2 || day.size() > 2) return "";
  return absl::StrCat(text.substr(0, 4), "-", month.size() == 1 ? "0" : "", month, "-", day.size() == 1 ? "0" : "",
                      day);
}

// Builds the native AST from a parse tree.
class AstBuilder {
 public:
  AstBuilder(const SourceSet& sources, int file, int offset, int* next_id, const ParseLimits& limits,
             DiagnosticSink* sink)
      : sources_(sources), file_(file), offset_(offset), next_id_(next_id), limits_(limits), sink_(sink) {}

  // Builds the file from its whole declarations: `broken[k]` (see FindBrokenDeclarations)
  // leaves declaration k out, and so does an error found while building it (a bad literal, a
  // bad placeholder). The names of left-out declarations are kept (RuleFile::unparsed_names,
  // unparsed_rule_ids) so that the checker does not call them unknown.
  std::unique_ptr<ast::RuleFile> BuildFile(HeyanParser::RuleFileContext* ctx, const std::vector<bool>& broken) {
    auto rf = std::make_unique<ast::RuleFile>();
    rf->file = file_;
    auto* h = ctx->header();
    rf->name = h->name->getText();
    rf->name_span = TokenSpan(h->name);
    if (h->version != nullptr) rf->version = StringText(h->version);
    rf->basis = Basis(h->basis());
    for (auto* imp : ctx->importDecl()) {
      rf->imports.push_back(ast::Import{StringText(imp->path), TokenSpan(imp->path)});
    }
    const std::vector<HeyanParser::DeclContext*> decls = ctx->decl();
    for (size_t k = 0; k < decls.size(); ++k) {
      auto* d = decls[k];
      if (k < broken.size() && broken[k]) {
        KeepName(d, rf.get());
        continue;
      }
      const int errors_before = sink_->error_count();
      bool built = true;
      auto keep = [&](auto& list) {
        if (sink_->error_count() > errors_before) {
          list.pop_back();
          built = false;
        }
      };
      if (d->paramDecl()) {
        rf->params.push_back(BuildParam(d->paramDecl()));
        keep(rf->params);
      }
      if (d->letDecl()) {
        rf->values.push_back(BuildLet(d->letDecl()));
        keep(rf->values);
      }
      if (d->outputDecl()) {
        rf->values.push_back(BuildOutput(d->outputDecl()));
        keep(rf->values);
      }
      if (d->ruleDecl()) {
        rf->rules.push_back(BuildRule(d->ruleDecl()));
        keep(rf->rules);
      }
      if (d->tableDecl()) {
        rf->tables.push_back(BuildTable(d->tableDecl()));
        keep(rf->tables);
      }
      if (d->disableDecl()) {
        ast::DisableDecl dd;
        dd.rule_id = d->disableDecl()->ruleId()->getText();
        dd.span = CtxSpan(d->disableDecl());
        dd.basis = Basis(d->disableDecl()->basis());
        rf->disables.push_back(std::move(dd));
      }
      if (!built) KeepName(d, rf.get());
    }
    return rf;
  }

  // The name a left-out declaration defines, when the parser got that far.
  static void KeepName(HeyanParser::DeclContext* d, ast::RuleFile* rf) {
    rf->incomplete = true;
    auto name = [&](antlr4::Token* t) {
      if (t != nullptr && t->getTokenIndex() != INVALID_INDEX && t->getType() == HeyanLexer::IDENT) {
        rf->unparsed_names.push_back(t->getText());
      }
    };
    if (d->paramDecl()) name(d->paramDecl()->name);
    if (d->letDecl()) name(d->letDecl()->name);
    if (d->outputDecl()) name(d->outputDecl()->name);
    if (d->tableDecl()) name(d->tableDecl()->name);
    if (d->ruleDecl() && d->ruleDecl()->ruleId() != nullptr && d->ruleDecl()->ruleId()->getStart() != nullptr &&
        d->ruleDecl()->ruleId()->getStart()->getTokenIndex() != INVALID_INDEX) {
      rf->unparsed_rule_ids.push_back(d->ruleDecl()->ruleId()->getText());
    }
  }

  // Builds one whole expression (a declaration's value, a condition, a table cell, a
  // message placeholder) and enforces the nesting limit on the result: E0004 at the first
  // node deeper than limits_.max_nesting_depth. Later stages recurse over expressions, so
  // this limit is what bounds their stack use (see docs/reference.md, "Limits").
  std::unique_ptr<ast::Expr> Expr(HeyanParser::ExprContext* ctx) {
    too_deep_reported_ = false;
    std::unique_ptr<ast::Expr> e = Build(ctx, 1);
    if (!too_deep_reported_) CheckDepth(*e);
    return e;
  }

 private:
  // `depth`: the level `ctx` will have in the finished tree (the root is 1).
  std::unique_ptr<ast::Expr> Build(HeyanParser::ExprContext* ctx, int depth) {
    if (depth > limits_.max_nesting_depth) return ReportTooDeep(CtxSpan(ctx));
    auto e = NewExpr(ctx);
    if (auto* c = dynamic_cast<HeyanParser::PrimaryExprContext*>(ctx)) return Primary(c->primary(), depth);
    if (auto* c = dynamic_cast<HeyanParser::FieldExprContext*>(ctx)) {
      e->kind = ast::ExprKind::kField;
      e->text = c->IDENT()->getText();
      e->var_span = TokenSpan(c->IDENT()->getSymbol());
      e->args.push_back(Build(c->expr(), depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::IndexExprContext*>(ctx)) {
      e->kind = ast::ExprKind::kIndex;
      e->args.push_back(Build(c->expr(0), depth + 1));
      e->args.push_back(Build(c->expr(1), depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::NegateExprContext*>(ctx)) {
      e->kind = ast::ExprKind::kUnary;
      e->op = ast::Op::kNeg;
      e->args.push_back(Build(c->expr(), depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::NotExprContext*>(ctx)) {
      e->kind = ast::ExprKind::kUnary;
      e->op = ast::Op::kNot;
      e->args.push_back(Build(c->expr(), depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::MulExprContext*>(ctx)) {
      if (c->op->getType() == HeyanLexer::STAR) return Chain(ctx, ast::Op::kMul, depth);
      return Binary(std::move(e), ast::Op::kDiv, c->expr(0), c->expr(1), depth);
    }
    if (auto* c = dynamic_cast<HeyanParser::AddExprContext*>(ctx)) {
      if (c->op->getType() == HeyanLexer::PLUS) return Chain(ctx, ast::Op::kAdd, depth);
      return Binary(std::move(e), ast::Op::kSub, c->expr(0), c->expr(1), depth);
    }
    if (auto* c = dynamic_cast<HeyanParser::CompareExprContext*>(ctx)) {
      return Binary(std::move(e), CompareOp(c->op->getType()), c->expr(0), c->expr(1), depth);
    }
    if (auto* c = dynamic_cast<HeyanParser::MemberExprContext*>(ctx)) {
      bool negated = c->NOT_MEMBER() != nullptr || c->NOT() != nullptr;
      return Binary(std::move(e), negated ? ast::Op::kNotIn : ast::Op::kIn, c->expr(0), c->expr(1), depth);
    }
    if (dynamic_cast<HeyanParser::AndExprContext*>(ctx)) return Chain(ctx, ast::Op::kAnd, depth);
    if (dynamic_cast<HeyanParser::OrExprContext*>(ctx)) return Chain(ctx, ast::Op::kOr, depth);
    if (auto* c = dynamic_cast<HeyanParser::QuantExprContext*>(ctx)) {
      e->kind = ast::ExprKind::kQuantifier;
      e->op = c->quant->getType() == HeyanLexer::ANY ? ast::Op::kAny : ast::Op::kAll;
      if (c->var != nullptr) {
        e->var = c->var->getText();
        e->var_span = TokenSpan(c->var);
      }
      e->args.push_back(Build(c->expr(0), depth + 1));
      e->args.push_back(Build(c->expr(1), depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::IfExprContext*>(ctx)) {
      e->kind = ast::ExprKind::kIf;
      for (auto* x : c->expr()) e->args.push_back(Build(x, depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::WhereExprContext*>(ctx)) {
      e->kind = ast::ExprKind::kWhere;
      e->args.push_back(Build(c->expr(0), depth + 1));
      e->args.push_back(Build(c->expr(1), depth + 1));
      return e;
    }
    return e;  // unreachable with a well-formed tree
  }

  // The operand contexts of a chain of `op` (a + b + c …, a * b * c …, x 并且 y 并且 z …,
  // x 或者 y 或者 z …), left to right, and the chain's own contexts, top first. Walks the
  // left spine in a loop: ANTLR builds these chains left-recursively, one level per operand.
  static bool ChainLink(HeyanParser::ExprContext* ctx, ast::Op op) {
    switch (op) {
      case ast::Op::kAdd: {
        auto* c = dynamic_cast<HeyanParser::AddExprContext*>(ctx);
        return c != nullptr && c->op->getType() == HeyanLexer::PLUS;
      }
      case ast::Op::kMul: {
        auto* c = dynamic_cast<HeyanParser::MulExprContext*>(ctx);
        return c != nullptr && c->op->getType() == HeyanLexer::STAR;
      }
      case ast::Op::kAnd:
        return dynamic_cast<HeyanParser::AndExprContext*>(ctx) != nullptr;
      default:
        return dynamic_cast<HeyanParser::OrExprContext*>(ctx) != nullptr;
    }
  }

  // A chain of one associative operator. Up to kRegroupAbove operands keep the shape they
  // were written in ((a + b) + c); longer chains become a balanced tree, so a 600-term sum
  // nests 10 levels instead of 600 and later stages (checker, planner, evaluator, all
  // recursive) stay within the nesting limit. Operands are still evaluated left to right
  // and 并且/或者 still stop at the first deciding operand, so only the grouping changes;
  // for + of dates, where grouping matters (1月31日 + 1个月 + 1个月), the checker rejects a
  // regrouped chain (E0004). Nodes made by regrouping have `regrouped` set.
  std::unique_ptr<ast::Expr> Chain(HeyanParser::ExprContext* top, ast::Op op, int depth) {
    std::vector<HeyanParser::ExprContext*> links, operands;
    HeyanParser::ExprContext* ctx = top;
    while (ChainLink(ctx, op)) {
      // Every link is "expr OP expr": operands are its first and last children.
      links.push_back(ctx);
      operands.push_back(dynamic_cast<HeyanParser::ExprContext*>(ctx->children.back()));
      ctx = dynamic_cast<HeyanParser::ExprContext*>(ctx->children.front());
    }
    operands.push_back(ctx);
    std::reverse(operands.begin(), operands.end());
    const int n = static_cast<int>(operands.size());
    if (n <= kRegroupAbove) {
      // As written: links[n - 1 - k] joins operands 0..k.
      std::unique_ptr<ast::Expr> e = Build(operands[0], depth + n - 1);
      for (int k = 1; k < n; ++k) {
        auto node = NewExpr(links[n - 1 - k]);
        node->kind = ast::ExprKind::kBinary;
        node->op = op;
        node->args.push_back(std::move(e));
        node->args.push_back(Build(operands[k], depth + n - k));
        e = std::move(node);
      }
      return e;
    }
    std::unique_ptr<ast::Expr> e = Balanced(operands, 0, n, op, depth);
    e->chain_operands = n;
    return e;
  }

  // Operands [lo, hi) as a balanced tree whose root is at `depth`. Recursion depth is
  // log2(hi - lo).
  std::unique_ptr<ast::Expr> Balanced(const std::vector<HeyanParser::ExprContext*>& operands, int lo, int hi,
                                      ast::Op op, int depth) {
    if (hi - lo == 1) return Build(operands[lo], depth);
    const int mid = lo + (hi - lo + 1) / 2;
    auto e = std::make_unique<ast::Expr>();
    e->id = (*next_id_)++;
    e->kind = ast::ExprKind::kBinary;
    e->op = op;
    e->regrouped = true;
    // The span runs from the first operand to the last, brackets included, so the source
    // text shown for this part (in explanations and faults) is what the author wrote.
    e->span = Span{file_, CtxSpan(operands[lo]).begin, CtxSpan(operands[hi - 1]).end};
    e->args.push_back(Balanced(operands, lo, mid, op, depth + 1));
    e->args.push_back(Balanced(operands, mid, hi, op, depth + 1));
    return e;
  }

  // Reports E0004 (once per expression) and returns a placeholder that stops the descent.
  std::unique_ptr<ast::Expr> ReportTooDeep(const Span& span) {
    if (!too_deep_reported_) {
      too_deep_reported_ = true;
      sink_->Error("E0004", Span{span.file, span.begin, span.begin + 1},
                   absl::StrCat("表达式嵌套超过 ", limits_.max_nesting_depth, " 层，请拆分为多个“计算”"),
                   absl::StrCat("expression nested deeper than ", limits_.max_nesting_depth,
                                " levels; split it into named values"));
    }
    auto e = std::make_unique<ast::Expr>();
    e->id = (*next_id_)++;
    e->span = span;
    return e;  // an integer literal 0; the file has an error, so it is never checked
  }

  // The exact depth of a finished expression (regrouping can add levels that Build could
  // not foresee for its operands), without recursion.
  void CheckDepth(const ast::Expr& root) {
    std::vector<std::pair<const ast::Expr*, int>> stack = {{&root, 1}};
    while (!stack.empty()) {
      auto [e, d] = stack.back();
      stack.pop_back();
      if (d > limits_.max_nesting_depth) {
        ReportTooDeep(e->span);
        return;
      }
      for (const auto& a : e->args) stack.push_back({a.get(), d + 1});
    }
  }

  // Parses "{...}" placeholders of a message string token.
  ast::Message BuildMessage(antlr4::Token* token);

 private:
  std::unique_ptr<ast::Expr> NewExpr(antlr4::ParserRuleContext* ctx) {
    auto e = std::make_unique<ast::Expr>();
    e->id = (*next_id_)++;
    e->span = CtxSpan(ctx);
    return e;
  }

  std::unique_ptr<ast::Expr> Binary(std::unique_ptr<ast::Expr> e, ast::Op op, HeyanParser::ExprContext* l,
                                    HeyanParser::ExprContext* r, int depth) {
    e->kind = ast::ExprKind::kBinary;
    e->op = op;
    e->args.push_back(Build(l, depth + 1));
    e->args.push_back(Build(r, depth + 1));
    return e;
  }

  static ast::Op CompareOp(size_t type) {
    switch (type) {
      case HeyanLexer::LT: return ast::Op::kLt;
      case HeyanLexer::LE: return ast::Op::kLe;
      case HeyanLexer::GT: return ast::Op::kGt;
      case HeyanLexer::GE: return ast::Op::kGe;
      case HeyanLexer::NE: return ast::Op::kNe;
      default: return ast::Op::kEq;
    }
  }

  std::unique_ptr<ast::Expr> Primary(HeyanParser::PrimaryContext* ctx, int depth) {
    auto e = NewExpr(ctx);
    if (auto* c = dynamic_cast<HeyanParser::LiteralPrimaryContext*>(ctx)) {
      e->kind = ast::ExprKind::kLiteral;
      BuildLiteral(c->literal(), e.get());
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::NamePrimaryContext*>(ctx)) {
      e->kind = ast::ExprKind::kName;
      e->text = c->IDENT()->getText();
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::ParenPrimaryContext*>(ctx)) {
      return Build(c->expr(), depth);  // brackets add no level
    }
    if (auto* c = dynamic_cast<HeyanParser::ListPrimaryContext*>(ctx)) {
      e->kind = ast::ExprKind::kList;
      for (auto* x : c->expr()) e->args.push_back(Build(x, depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::AggregatePrimaryContext*>(ctx)) {
      e->kind = ast::ExprKind::kAggregate;
      size_t t = c->agg->getType();
      e->op = t == HeyanLexer::SUM        ? ast::Op::kSum
              : t == HeyanLexer::MIN      ? ast::Op::kMin
              : t == HeyanLexer::DISTINCT ? ast::Op::kDistinct
                                          : ast::Op::kMax;
      for (auto* x : c->expr()) e->args.push_back(Build(x, depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::CountPrimaryContext*>(ctx)) {
      e->kind = ast::ExprKind::kAggregate;
      e->op = ast::Op::kCount;
      e->args.push_back(Build(c->expr(), depth + 1));
      return e;
    }
    if (auto* c = dynamic_cast<HeyanParser::CallPrimaryContext*>(ctx)) {
      e->kind = ast::ExprKind::kCall;
      e->text = c->IDENT()->getText();
      e->var_span = TokenSpan(c->IDENT()->getSymbol());
      for (auto* x : c->expr()) e->args.push_back(Build(x, depth + 1));
      return e;
    }
    return e;
  }

  // A date literal; false (and E0104 reported) if it is not a valid YYYY-MM-DD or 2017年7月1日.
  bool DateLiteral(const Span& span, const std::string& text, int32_t* days) {
    if (std::string fixed = TwoDigitDate(text); !fixed.empty()) {
      sink_->Error("E0104", span,
                   absl::StrCat("日期“", text, "”的月和日要写两位数（YYYY-MM-DD）：写成 ", fixed),
                   absl::StrCat("date '", text, "' needs two-digit months and days (YYYY-MM-DD): write ", fixed),
                   fixed);
      return false;
    }
    if (!ParseDate(text, days)) {
      LiteralError(span, text, "日期", "date");
      return false;
    }
    return true;
  }

  void LiteralError(const Span& span, const std::string& text, const char* what_zh, const char* what_en) {
    if (std::string(what_en) == "date") {
      sink_->Error("E0104", span, absl::StrCat("无效的日期“", text, "”：没有这一天（月份为 1 到 12，日不超过当月天数）"),
                   absl::StrCat("invalid date '", text, "': no such day"));
      return;
    }
    sink_->Error("E0104", span, absl::StrCat("无效的", what_zh, "“", text, "”"),
                 absl::StrCat("invalid ", what_en, " '", text, "'"));
  }

  void BuildLiteral(HeyanParser::LiteralContext* ctx, ast::Expr* e) {
    antlr4::Token* tok = ctx->getStart();
    std::string text = tok->getText();
    ast::Literal& lit = e->literal;
    switch (tok->getType()) {
      case HeyanLexer::INT: {
        lit.kind = ast::LiteralKind::kInt;
        Rational r;
        if (!ParseDecimal(text, &r) || !r.is_integer()) {
          LiteralError(e->span, text, "整数", "integer");
        } else {
          lit.int_value = r.num;
        }
        break;
      }
      case HeyanLexer::DECIMAL:
        lit.kind = ast::LiteralKind::kDecimal;
        if (!ParseDecimal(text, &lit.rational)) LiteralError(e->span, text, "小数", "decimal");
        break;
      case HeyanLexer::PERCENT: {
        lit.kind = ast::LiteralKind::kDecimal;
        std::string digits = text.substr(0, text.find_first_not_of("0123456789."));
        Rational r;
        if (!ParseDecimal(digits, &r) || !Div(r, Rational::Int(100), &lit.rational)) {
          LiteralError(e->span, text, "百分数", "percentage");
        }
        break;
      }
      case HeyanLexer::MONEY: {
        lit.kind = ast::LiteralKind::kMoney;
        std::string digits = text.substr(0, text.find_first_not_of("0123456789."));
        bool fen = text.find("分") != std::string::npos || text.find("fen") != std::string::npos;
        Rational r;
        if (!ParseDecimal(digits, &r) || (!fen && !Mul(r, Rational::Int(100), &r))) {
          LiteralError(e->span, text, "金额", "amount");
        } else if (!r.is_integer()) {
          sink_->Error("E0104", e->span, absl::StrCat("金额“", text, "”不是整分：最多写两位小数"),
                       absl::StrCat("amount '", text, "' is not a whole number of fen: at most two decimals"));
        }
        lit.rational = r;
        break;
      }
      case HeyanLexer::DATE:
        lit.kind = ast::LiteralKind::kDate;
        DateLiteral(e->span, text, &lit.date);
        break;
      case HeyanLexer::DURATION: {
        lit.kind = ast::LiteralKind::kDuration;
        size_t end = text.find_first_not_of("0123456789");
        Rational r;
        if (!ParseDecimal(text.substr(0, end), &r) || r.num > 100000) {
          LiteralError(e->span, text, "期间", "duration");
          break;
        }
        std::string unit = text.substr(end);
        unit.erase(0, unit.find_first_not_of(" \t"));
        int32_t n = static_cast<int32_t>(r.num);
        if (unit == "个月" || unit.rfind("month", 0) == 0) {
          lit.duration.months = n;
        } else if (unit == "年" || unit.rfind("year", 0) == 0) {
          lit.duration.months = n * 12;
        } else {
          lit.duration.days = n;
        }
        break;
      }
      case HeyanLexer::STRING:
        lit.kind = ast::LiteralKind::kText;
        lit.text = StringText(tok);
        break;
      case HeyanLexer::TRUE:
        lit.kind = ast::LiteralKind::kBool;
        lit.bool_value = true;
        break;
      case HeyanLexer::FALSE:
        lit.kind = ast::LiteralKind::kBool;
        lit.bool_value = false;
        break;
    }
  }

  ast::TypeRef Type(HeyanParser::TypeRefContext* ctx) {
    ast::TypeRef t;
    t.name = ctx->IDENT()->getText();
    t.span = CtxSpan(ctx);
    if (ctx->typeRef() != nullptr) t.arg = std::make_unique<ast::TypeRef>(Type(ctx->typeRef()));
    return t;
  }

  ast::Citation Basis(HeyanParser::BasisContext* ctx) {
    ast::Citation c;
    if (ctx == nullptr) return c;
    c.present = true;
    c.text = StringText(ctx->STRING()->getSymbol());
    c.span = CtxSpan(ctx);
    return c;
  }

  ast::ParamDecl BuildParam(HeyanParser::ParamDeclContext* ctx) {
    ast::ParamDecl p;
    p.name = ctx->name->getText();
    p.name_span = TokenSpan(ctx->name);
    p.span = CtxSpan(ctx);
    p.override_ = ctx->OVERRIDE() != nullptr;
    p.assumption = ctx->ASSUME() != nullptr;
    p.type = Type(ctx->typeRef());
    if (ctx->unit != nullptr) p.unit = StringText(ctx->unit);
    if (auto* c = dynamic_cast<HeyanParser::ConstantParamContext*>(ctx->paramBody())) {
      ast::DatedValue v;
      v.value = Expr(c->expr());
      v.basis = Basis(c->basis());
      p.values.push_back(std::move(v));
    } else if (auto* d = dynamic_cast<HeyanParser::DatedParamContext*>(ctx->paramBody())) {
      for (auto* pv : d->paramValue()) {
        ast::DatedValue v;
        v.dated = true;
        v.from_span = TokenSpan(pv->DATE()->getSymbol());
        DateLiteral(v.from_span, pv->DATE()->getText(), &v.from);
        v.value = Expr(pv->expr());
        v.basis = Basis(pv->basis());
        p.values.push_back(std::move(v));
      }
    }
    if (ctx->because() != nullptr) {
      p.because.present = true;
      p.because.text = StringText(ctx->because()->STRING()->getSymbol());
      p.because.span = CtxSpan(ctx->because());
    }
    return p;
  }

  ast::ValueDecl BuildLet(HeyanParser::LetDeclContext* ctx) {
    ast::ValueDecl v;
    v.name = ctx->name->getText();
    v.name_span = TokenSpan(ctx->name);
    v.span = CtxSpan(ctx);
    v.override_ = ctx->OVERRIDE() != nullptr;
    if (ctx->typeRef() != nullptr) {
      v.has_type = true;
      v.type = Type(ctx->typeRef());
    }
    v.expr = Expr(ctx->expr());
    v.basis = Basis(ctx->basis());
    return v;
  }

  ast::ValueDecl BuildOutput(HeyanParser::OutputDeclContext* ctx) {
    ast::ValueDecl v;
    v.output = true;
    v.name = ctx->name->getText();
    v.name_span = TokenSpan(ctx->name);
    v.span = CtxSpan(ctx);
    v.override_ = ctx->OVERRIDE() != nullptr;
    if (ctx->typeRef() != nullptr) {
      v.has_type = true;
      v.type = Type(ctx->typeRef());
    }
    v.expr = Expr(ctx->expr());
    if (ctx->key != nullptr) {
      v.key = ctx->key->getText();
      v.key_span = TokenSpan(ctx->key);
    }
    v.basis = Basis(ctx->basis());
    return v;
  }

  ast::RuleDecl BuildRule(HeyanParser::RuleDeclContext* ctx) {
    ast::RuleDecl r;
    r.id = ctx->ruleId()->getText();
    r.id_span = CtxSpan(ctx->ruleId());
    r.span = CtxSpan(ctx);
    r.override_ = ctx->OVERRIDE() != nullptr;
    r.title = StringText(ctx->title);
    r.basis = Basis(ctx->basis());
    if (ctx->var != nullptr) {
      r.each_var = ctx->var->getText();
      r.each_var_span = TokenSpan(ctx->var);
      r.each = Expr(ctx->each);
    }
    r.condition = Expr(ctx->cond);
    for (auto* ex : ctx->exceptClause()) {
      ast::ExceptClause c;
      if (ex->title != nullptr) c.title = StringText(ex->title);
      c.basis = Basis(ex->basis());
      c.condition = Expr(ex->expr());
      c.span = CtxSpan(ex);
      r.exceptions.push_back(std::move(c));
    }
    auto* oc = ctx->outcome();
    if (oc->INELIGIBLE()) r.outcome = ast::Outcome::kIneligible;
    if (oc->REVIEW()) r.outcome = ast::Outcome::kReview;
    if (oc->FLAG()) r.outcome = ast::Outcome::kFlag;
    if (oc->MISSING()) r.outcome = ast::Outcome::kMissing;
    if (ctx->message != nullptr) r.message = BuildMessage(ctx->message);
    return r;
  }

  ast::Cell BuildCell(HeyanParser::CellContext* ctx) {
    ast::Cell c;
    c.span = CtxSpan(ctx);
    if (dynamic_cast<HeyanParser::AnyCellContext*>(ctx)) {
      c.kind = ast::CellKind::kAny;
    } else if (auto* cc = dynamic_cast<HeyanParser::CompareCellContext*>(ctx)) {
      c.kind = ast::CellKind::kCompare;
      c.op = CompareOp(cc->op->getType());
      c.a = Expr(cc->expr());
    } else if (auto* rc = dynamic_cast<HeyanParser::RangeCellContext*>(ctx)) {
      c.kind = ast::CellKind::kRange;
      c.lo_closed = rc->lo->getType() == HeyanLexer::LBRACK;
      c.hi_closed = rc->hi->getType() == HeyanLexer::RBRACK;
      c.a = Expr(rc->expr(0));
      c.b = Expr(rc->expr(1));
    } else if (auto* mc = dynamic_cast<HeyanParser::MemberCellContext*>(ctx)) {
      c.kind = mc->NOT_MEMBER() ? ast::CellKind::kNotIn : ast::CellKind::kIn;
      c.a = Expr(mc->expr());
    } else if (auto* ec = dynamic_cast<HeyanParser::EqualCellContext*>(ctx)) {
      c.kind = ast::CellKind::kEqual;
      c.a = Expr(ec->expr());
    }
    return c;
  }

  ast::TableDecl BuildTable(HeyanParser::TableDeclContext* ctx) {
    ast::TableDecl t;
    t.name = ctx->name->getText();
    t.name_span = TokenSpan(ctx->name);
    t.span = CtxSpan(ctx);
    t.override_ = ctx->OVERRIDE() != nullptr;
    if (ctx->typeRef() != nullptr) {
      t.has_type = true;
      t.type = Type(ctx->typeRef());
    }
    t.hit = ctx->hitPolicy()->FIRST() ? ast::HitPolicy::kFirst : ast::HitPolicy::kUnique;
    size_t inputs_at = ctx->INPUTS()->getSymbol()->getTokenIndex();
    for (auto* b : ctx->basis()) {
      if (b->getStart()->getTokenIndex() < inputs_at) {
        t.basis = Basis(b);
      } else {
        t.otherwise_basis = Basis(b);
      }
    }
    for (auto* x : ctx->expr()) {
      if (x == ctx->otherwise) continue;
      t.inputs.push_back(Expr(x));
    }
    for (auto* row : ctx->tableRow()) {
      ast::TableRow r;
      r.span = CtxSpan(row);
      for (auto* cell : row->cell()) r.cells.push_back(BuildCell(cell));
      r.result = Expr(row->result);
      r.basis = Basis(row->basis());
      t.rows.push_back(std::move(r));
    }
    if (ctx->otherwise != nullptr) {
      t.otherwise = Expr(ctx->otherwise);
      t.otherwise_span = CtxSpan(ctx->otherwise);
    }
    return t;
  }

  Span TokenSpan(antlr4::Token* t) const {
    return Span{file_, offset_ + static_cast<int>(t->getStartIndex()),
                offset_ + static_cast<int>(t->getStopIndex()) + 1};
  }
  Span CtxSpan(antlr4::ParserRuleContext* ctx) const {
    Span s{file_, offset_ + static_cast<int>(ctx->getStart()->getStartIndex()), 0};
    antlr4::Token* stop = ctx->getStop();
    s.end = stop != nullptr && stop->getStopIndex() + 1 >= ctx->getStart()->getStartIndex()
                ? offset_ + static_cast<int>(stop->getStopIndex()) + 1
                : s.begin + 1;
    return s;
  }

  // The content of a string token without quotes, with \" \\ \n escapes resolved.
  static std::string StringText(antlr4::Token* t) {
    std::u32string raw = DecodeUtf8(t->getText());
    std::string out;
    if (raw.size() < 2) return out;
    std::u32string inner = raw.substr(1, raw.size() - 2);
    bool ascii_quotes = raw[0] == U'"';
    std::u32string unescaped;
    for (size_t i = 0; i < inner.size(); ++i) {
      if (ascii_quotes && inner[i] == U'\\' && i + 1 < inner.size()) {
        char32_t n = inner[++i];
        unescaped.push_back(n == U'n' ? U'\n' : n == U't' ? U'\t' : n);
      } else {
        unescaped.push_back(inner[i]);
      }
    }
    for (char32_t c : unescaped) AppendUtf8(c, &out);
    return out;
  }

 public:
  static void AppendUtf8(char32_t c, std::string* out) {
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (c >> 6)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (c >> 12)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (c >> 18)));
      out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }

 private:
  const SourceSet& sources_;
  int file_;
  int offset_;
  int* next_id_;
  const ParseLimits& limits_;
  DiagnosticSink* sink_;
  bool too_deep_reported_ = false;  // E0004 already reported for the current expression
};

// Lexes and parses `text` (which starts at code-point `offset` of file `file`) with the given
// entry rule. Returns false on any lexical or syntax error (already reported).
// Bounds the parser's own recursion while parsing. The bracket prescan cannot see nesting
// made of prefix operators and conditionals ("- - - … 1", "并非 并非 …", "如果 c 则 如果 …"),
// and the recursive-descent parser would overflow the stack on such input long before the
// tree could be checked afterwards (a 1 MiB file of "-" crashed `heyan check`). Only real
// rule entries count: ANTLR parses left-recursive chains (a + b + c …) in a loop and
// reports each link as an entry whose context already holds the link below it, so long
// flat chains cost no stack here (the AST builder regroups or bounds them).
class DepthGuard : public antlr4::tree::ParseTreeListener {
 public:
  DepthGuard(antlr4::Parser* parser, int file, int offset, int max_depth, DiagnosticSink* sink)
      : parser_(parser), file_(file), offset_(offset), max_depth_(max_depth), sink_(sink) {}
  void enterEveryRule(antlr4::ParserRuleContext* ctx) override {
    const bool real = ctx->children.empty();
    entries_.push_back(real);
    if (!real || ++depth_ <= max_depth_) return;
    Span span{file_, offset_, offset_ + 1};
    if (antlr4::Token* t = parser_->getCurrentToken(); t != nullptr && t->getType() != antlr4::Token::EOF) {
      span.begin = offset_ + static_cast<int>(t->getStartIndex());
      span.end = offset_ + static_cast<int>(t->getStopIndex()) + 1;
    }
    // Each level of nesting costs at most four parse levels (see MaxParseDepth), so the
    // expression is nested deeper than the limit.
    const int levels = (max_depth_ - 32) / 4;
    sink_->Error("E0004", span, absl::StrCat("表达式嵌套超过 ", levels, " 层，请拆分为多个“计算”"),
                 absl::StrCat("expression nested deeper than ", levels, " levels; split it into named values"));
    throw TooDeep();
  }
  void exitEveryRule(antlr4::ParserRuleContext*) override {
    if (entries_.empty()) return;
    if (entries_.back()) --depth_;
    entries_.pop_back();
  }
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}

 private:
  antlr4::Parser* parser_;
  int file_;
  int offset_;
  int max_depth_;
  DiagnosticSink* sink_;
  int depth_ = 0;
  std::vector<bool> entries_;  // per open entry: a real rule entry (true) or a chain link
};

// Recovery after syntax or lexical errors in a rule file: reports the syntax errors
// (listener.Flush) and decides which declarations are still whole. A declaration is broken
// when its parse tree shows an error, when a syntax error lies after its first token and up to
// the next declaration's first token (an error there is most often this declaration ending too
// early), or when a lexical error lies from its first token to the next declaration. Broken
// declarations are left out of checking (BuildFile), so the others are still checked in the
// same run. Returns false when the header or the imports are broken: then nothing is checked.
bool FindBrokenDeclarations(HeyanParser::RuleFileContext* tree, SyntaxErrorListener& listener,
                            const std::vector<size_t>& lexical, std::vector<bool>* broken) {
  std::vector<HeyanParser::DeclContext*> decls = tree->decl();
  std::vector<size_t> starts;
  for (auto* d : decls) starts.push_back(d->getStart()->getTokenIndex());
  const std::vector<size_t> syntax = listener.ErrorTokens();
  listener.Flush(lexical, starts);
  broken->assign(decls.size(), false);
  if (syntax.empty() && lexical.empty()) return true;
  if (tree->header() == nullptr || HasErrorMarks(tree->header())) return false;
  for (auto* imp : tree->importDecl()) {
    if (HasErrorMarks(imp)) return false;
  }
  // Anything up to the first declaration's first token belongs to the header and imports.
  const size_t first = decls.empty() ? SIZE_MAX : starts[0];
  for (size_t e : syntax) {
    if (e <= first) return false;
  }
  for (size_t e : lexical) {
    if (e < first) return false;
  }
  for (size_t k = 0; k < decls.size(); ++k) {
    const size_t begin = starts[k];
    const size_t next = k + 1 < decls.size() ? starts[k + 1] : SIZE_MAX;
    bool bad = HasErrorMarks(decls[k]);
    for (size_t e : syntax) bad = bad || (e > begin && e <= next);
    for (size_t e : lexical) bad = bad || (e >= begin && e < next);
    (*broken)[k] = bad;
  }
  return true;
}

// Lexes and parses `text` (which starts at code-point `offset` of file `file`) with the given
// entry rule: entry(parser, listener, lexical) where `lexical` holds the token indices of the
// lexical errors already reported. The entry may report the syntax errors itself
// (listener.Flush with its declaration starts); what is left is reported here. Returns what
// the entry returns; false when the text could not be parsed at all.
template <typename Entry>
bool ParseText(const std::string& text, int file, int offset, const ParseLimits& limits,
               DiagnosticSink* sink, const char* syntax_code, Entry entry) {
  antlr4::ANTLRInputStream input(text);
  HeyanLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  const std::vector<antlr4::Token*> all_tokens = tokens.getTokens();  // a copy: getTokens() returns by value
  std::vector<size_t> lexical;
  if (!PrescanTokens(all_tokens, DecodeUtf8(text), file, offset, limits, sink, &lexical)) return false;
  tokens.seek(0);  // the first token may have left the parser's channel
  HeyanParser parser(&tokens);
  parser.removeErrorListeners();
  SyntaxErrorListener listener(sink, all_tokens, file, offset, syntax_code);
  parser.addErrorListener(&listener);
  parser.setErrorHandler(std::make_shared<DeclarationRecovery>());
  DepthGuard guard(&parser, file, offset, MaxParseDepth(limits), sink);
  parser.addParseListener(&guard);
  try {
    const bool ok = entry(parser, listener, lexical);
    listener.Flush(lexical, {});
    return ok;
  } catch (const TooManyErrors&) {
    listener.Flush(lexical, {});
    return false;
  } catch (const TooDeep&) {
    listener.Flush(lexical, {});
    return false;
  }
}

}  // namespace

ast::Message AstBuilder::BuildMessage(antlr4::Token* token) {
  ast::Message m;
  m.present = true;
  m.span = TokenSpan(token);
  std::u32string raw = DecodeUtf8(token->getText());
  if (raw.size() < 2) return m;
  bool ascii_quotes = raw[0] == U'"';
  int base = offset_ + static_cast<int>(token->getStartIndex()) + 1;  // first content code point
  std::string literal;
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    char32_t c = raw[i];
    if (ascii_quotes && c == U'\\' && i + 2 < raw.size()) {
      char32_t n = raw[++i];
      AppendUtf8(n == U'n' ? U'\n' : n, &literal);
      continue;
    }
    if (c == U'{' && i + 2 < raw.size() && raw[i + 1] == U'{') {
      literal.push_back('{');
      ++i;
      continue;
    }
    if (c == U'}' && i + 2 < raw.size() && raw[i + 1] == U'}') {
      literal.push_back('}');
      ++i;
      continue;
    }
    if (c == U'{') {
      size_t close = i + 1;
      while (close + 1 < raw.size() && raw[close] != U'}') ++close;
      int start = base + static_cast<int>(i) - 1 + 1;  // code point after '{'
      if (close + 1 >= raw.size()) {
        sink_->Error("E0105", Span{file_, start - 1, start}, "占位符缺少右花括号“}”",
                     "placeholder is missing its closing '}'");
        return m;
      }
      std::string inner;
      for (size_t k = i + 1; k < close; ++k) AppendUtf8(raw[k], &inner);
      if (!literal.empty()) {
        m.parts.push_back(ast::MessagePart{std::move(literal), nullptr});
        literal.clear();
      }
      std::unique_ptr<ast::Expr> expr;
      bool ok = ParseText(inner, file_, start, limits_, sink_, "E0105",
                          [&](HeyanParser& parser, SyntaxErrorListener& listener, const std::vector<size_t>& lexical) {
                            auto* tree = parser.interpolation();
                            if (listener.errors() > 0 || !lexical.empty()) return false;
                            AstBuilder sub(sources_, file_, start, next_id_, limits_, sink_);
                            expr = sub.Expr(tree->expr());
                            return true;
                          });
      if (ok && expr) m.parts.push_back(ast::MessagePart{"", std::move(expr)});
      i = close;
      continue;
    }
    AppendUtf8(c, &literal);
  }
  if (!literal.empty()) m.parts.push_back(ast::MessagePart{std::move(literal), nullptr});
  return m;
}

std::unique_ptr<ast::RuleFile> ParseRuleFile(const SourceSet& sources, int file,
                                             const ParseLimits& limits, DiagnosticSink* sink) {
  const SourceFile& f = sources.file(file);
  if (f.text().size() > limits.max_source_bytes) {
    sink->Error("E0003", Span{file, 0, 1},
                absl::StrCat("规则文件过大（", f.text().size(), " 字节，上限 ", limits.max_source_bytes, " 字节）"),
                absl::StrCat("rule file too large (", f.text().size(), " bytes, limit ", limits.max_source_bytes, ")"));
    return nullptr;
  }
  if (!CheckUtf8(f, file, sink)) return nullptr;
  std::unique_ptr<ast::RuleFile> result;
  try {
    int next_id = 1;
    bool ok = ParseText(f.text(), file, 0, limits, sink, "E0101",
                        [&](HeyanParser& parser, SyntaxErrorListener& listener, const std::vector<size_t>& lexical) {
                          auto* tree = parser.ruleFile();
                          std::vector<bool> broken;
                          if (!FindBrokenDeclarations(tree, listener, lexical, &broken)) return false;
                          AstBuilder builder(sources, file, 0, &next_id, limits, sink);
                          result = builder.BuildFile(tree, broken);
                          result->next_id = next_id;
                          return true;
                        });
    if (!ok) return nullptr;
  } catch (const std::exception& e) {
    // We guarantee never to throw: anything unexpected becomes a diagnostic.
    sink->Error("E0101", Span{file, 0, 1}, absl::StrCat("无法解析此文件：", e.what()),
                absl::StrCat("cannot parse this file: ", e.what()));
    return nullptr;
  } catch (...) {
    sink->Error("E0101", Span{file, 0, 1}, "无法解析此文件", "cannot parse this file");
    return nullptr;
  }
  return result;
}

std::unique_ptr<ast::Expr> ParseStandaloneExpression(const SourceSet& sources, int file,
                                                     const ParseLimits& limits, int* next_id,
                                                     DiagnosticSink* sink) {
  const SourceFile& f = sources.file(file);
  if (f.text().size() > limits.max_source_bytes || !CheckUtf8(f, file, sink)) return nullptr;
  std::unique_ptr<ast::Expr> result;
  try {
    bool ok = ParseText(f.text(), file, 0, limits, sink, "E0101",
                        [&](HeyanParser& parser, SyntaxErrorListener& listener, const std::vector<size_t>& lexical) {
                          auto* tree = parser.interpolation();
                          if (listener.errors() > 0 || !lexical.empty()) return false;
                          AstBuilder builder(sources, file, 0, next_id, limits, sink);
                          result = builder.Expr(tree->expr());
                          return true;
                        });
    if (!ok) return nullptr;
  } catch (...) {
    sink->Error("E0101", Span{file, 0, 1}, "无法解析此表达式", "cannot parse this expression");
    return nullptr;
  }
  return result;
}

}  // namespace heyan::internal
