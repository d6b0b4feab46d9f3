// Words of an explanation: what trace steps came to, outcomes and reason kinds, whose an item
// is, the order of computed values, missing evidence in words (see explain.cc for the
// builder that uses them).
#include "explain/words.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/rational.h"
#include "common/text.h"
#include "common/value.h"
#include "explain/privacy.h"
#include "heyan/v1/options.pb.h"

namespace heyan::explain_internal {

using internal::EnumValueName;
using internal::FormatMoney;
using internal::Rational;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string Money(int64_t fen, bool en) { return FormatMoney(Rational::Int(fen), en); }

// What a rule, value or item step came to, in words, from its typed fields (a step from an
// engine older than typed traces has only its text, shown as it is).
std::string StepResultText(const v1::TraceStep& t, bool en) {
  switch (t.status()) {
    case v1::TraceStep::APPLIES: return en ? "applies" : "适用";
    case v1::TraceStep::NOT_APPLICABLE: return en ? "does not apply" : "不适用";
    case v1::TraceStep::EXCEPTED: return absl::StrCat(en ? "exception: " : "例外：", absl::StrJoin(t.exception_titles(), "、"));
    case v1::TraceStep::MISSING: return absl::StrCat(en ? "missing evidence: " : "缺少材料：", t.missing_field());
    case v1::TraceStep::FAULT: return absl::StrCat(en ? "fault: " : "出错：", t.fault_message());
    case v1::TraceStep::COUNTED: return en ? "counted" : "计入";
    case v1::TraceStep::NOT_COUNTED: return en ? "not counted" : "不计入";
    default: return t.result();
  }
}

// The step's kind: typed, or for a step from an older engine, from its `kind` text.
v1::TraceStep::StepKind KindOf(const v1::TraceStep& t) {
  if (t.step_kind() != v1::TraceStep::STEP_KIND_UNSPECIFIED) return t.step_kind();
  static const std::pair<const char*, v1::TraceStep::StepKind> kKinds[] = {
      {"rule", v1::TraceStep::STEP_RULE},     {"parameter", v1::TraceStep::STEP_PARAMETER},
      {"value", v1::TraceStep::STEP_VALUE},   {"output", v1::TraceStep::STEP_OUTPUT},
      {"table", v1::TraceStep::STEP_TABLE},   {"filter", v1::TraceStep::STEP_FILTER},
      {"item", v1::TraceStep::STEP_ITEM},     {"items_omitted", v1::TraceStep::STEP_ITEMS_OMITTED}};
  for (const auto& [name, kind] : kKinds) {
    if (t.kind() == name) return kind;
  }
  return v1::TraceStep::STEP_KIND_UNSPECIFIED;
}

// Rule sources may span lines ("合计(计入收入:\n    (如果 …"); an explanation shows them on
// one line, with runs of white space collapsed to one space.
std::string OneLine(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  bool space = false;
  for (char c : source) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// A decimal too long to show in places is rendered exactly as a fraction ("33333/70000");
// readers also get its value to four places.
std::string WithApproximation(std::string text, const v1::TypedValue& v) {
  if (!v.has_decimal_value() || v.decimal_value().den() <= 0 || text.find('/') == std::string::npos) return text;
  const double value = static_cast<double>(v.decimal_value().num()) / static_cast<double>(v.decimal_value().den());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", value);
  return absl::StrCat(text, "（≈", buf, "）");
}

// Rule authors cite their sources with web addresses, which help staff check a rule but
// are not articles an applicant can rely on: the applicant letter drops them, with the
// brackets around them ("…处理规定未查到（https://…）" -> "…处理规定未查到").
std::string WithoutUrls(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t at = std::min(text.find("http://", i), text.find("https://", i));
    if (at == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    size_t end = at;
    while (end < text.size() && text[end] != ' ' && text.compare(end, 3, "）") != 0 && text[end] != ')' &&
           text.compare(end, 3, "，") != 0 && text.compare(end, 3, "；") != 0 && text.compare(end, 3, "。") != 0 &&
           text.compare(end, 3, "、") != 0) {
      ++end;
    }
    std::string before = text.substr(i, at - i);
    bool full_open = before.size() >= 3 && before.compare(before.size() - 3, 3, "（") == 0;
    bool half_open = !before.empty() && before.back() == '(';
    if (full_open && text.compare(end, 3, "）") == 0) {
      before.resize(before.size() - 3);
      end += 3;
    } else if (half_open && end < text.size() && text[end] == ')') {
      before.pop_back();
      end += 1;
    }
    // "标准310元/人/月：http://…" reads "标准310元/人/月", not with a colon leading nowhere.
    while (!before.empty() && (before.back() == ' ' || before.back() == ':')) before.pop_back();
    if (before.size() >= 3 && before.compare(before.size() - 3, 3, "：") == 0) before.resize(before.size() - 3);
    out += before;
    i = end;
  }
  // Brackets that held only addresses: "（http://a；http://b）" leaves "（；）".
  for (const char* empty : {"（；）", "（，）", "（）", "()", "(; )", "(, )"}) {
    for (size_t at = out.find(empty); at != std::string::npos; at = out.find(empty)) {
      out.erase(at, std::char_traits<char>::length(empty));
    }
  }
  return out;
}

std::string OutcomeName(v1::Outcome o) {
  switch (o) {
    case v1::ELIGIBLE: return "ELIGIBLE";
    case v1::INELIGIBLE: return "INELIGIBLE";
    case v1::NEEDS_REVIEW: return "NEEDS_REVIEW";
    case v1::MISSING_EVIDENCE: return "MISSING_EVIDENCE";
    default: return "OUTCOME_UNSPECIFIED";
  }
}

std::string OutcomeText(v1::Outcome o, bool en, bool applicant) {
  switch (o) {
    case v1::ELIGIBLE:
      return applicant ? (en ? "eligible for the minimum living guarantee" : "符合最低生活保障条件")
                       : (en ? "eligible" : "符合条件");
    case v1::INELIGIBLE:
      return applicant ? (en ? "not eligible for the minimum living guarantee" : "不符合最低生活保障条件")
                       : (en ? "ineligible" : "不符合条件");
    case v1::NEEDS_REVIEW:
      return applicant ? (en ? "further verification is needed (a home visit or review)" : "需要进一步核实（入户核查或复核）")
                       : (en ? "needs review" : "需复核");
    case v1::MISSING_EVIDENCE:
      return applicant ? (en ? "documents are missing; the review continues once they are provided"
                             : "材料不全，补齐材料后继续审核")
                       : (en ? "missing evidence" : "缺少材料");
    default: return en ? "undetermined" : "未确定";
  }
}

void ReasonKind(v1::ReasonKind k, bool en, std::string* kind, std::string* text) {
  switch (k) {
    case v1::REASON_INELIGIBLE: *kind = "ineligible"; *text = en ? "ineligible" : "不符合"; return;
    case v1::REASON_NEEDS_REVIEW: *kind = "needs_review"; *text = en ? "needs review" : "需复核"; return;
    case v1::REASON_FLAG: *kind = "flag"; *text = en ? "flag" : "标记"; return;
    case v1::REASON_MISSING_EVIDENCE: *kind = "missing_evidence"; *text = en ? "missing evidence" : "缺少材料"; return;
    default: *kind = "unspecified"; *text = en ? "unspecified" : "未说明"; return;
  }
}

// ---- items: which member an item of a filter or sum belongs to ----------------------------

// Parses "收入[2]" into ("收入", 2); false if it has no index.
bool ParseItemName(const std::string& name, std::string* var, int* index) {
  size_t open = name.rfind('[');
  if (open == std::string::npos || name.empty() || name.back() != ']') return false;
  *var = name.substr(0, open);
  return absl::SimpleAtoi(name.substr(open + 1, name.size() - open - 2), index);
}

// Whose item a trace step looked at, from its place in the application: "成员[1] 张三" for
// anything inside a member (an income, an expenditure); empty for household-level items and
// members themselves.
std::string ItemOwner(const v1::ItemRef& ref, const v1::Application& application, bool en) {
  if (ref.path_size() < 2 || ref.path(0).field() != "members") return "";
  const int member = ref.path(0).index();
  if (member < 0 || member >= application.members_size()) return "";
  return absl::StrCat(en ? "member" : "成员", "[", member + 1, "] ", application.members(member).name());
}

// protobuf lists only fields that differ from their default, so an income's period 每月
// (MONTHLY, the enum's zero) never shows among its set fields. An amount without its period
// misleads a reader, so the period is added back.
std::string WithPeriod(const std::string& fields, const Message& m, bool en) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName("period");
  if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_ENUM) return fields;
  if (m.GetReflection()->HasField(m, f)) return fields;
  const std::string& zh = f->options().GetExtension(v1::zh);
  const std::string& name = en || zh.empty() ? f->name() : zh;
  int number = m.GetReflection()->GetEnumValue(m, f);
  return absl::StrCat(fields, fields.empty() ? "" : (en ? ", " : "，"), name, "=", EnumValueName(f->enum_type(), number, en));
}

// ---- named values: order and sections --------------------------------------------------


// Whether `text` is a name or a field path (家庭月收入, 成员[2].出生日期), not an
// expression's source text (合计(收入.金额), 人数 × 2).
bool IsPlainName(const std::string& text) {
  const std::u32string t = internal::DecodeUtf8(text);
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char32_t cp) {
    return IsNameCodePoint(cp) || cp == '.' || cp == '[' || cp == ']';
  });
}

bool IsNameCodePoint(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
  if (cp == 0xD7 || cp == 0xF7) return false;                // × ÷
  if (cp >= 0x2000 && cp <= 0x22FF) return false;            // punctuation, arrows, math operators
  if (cp >= 0x3000 && cp <= 0x303F) return false;            // CJK punctuation 、。【】
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;            // full-width ！＂＃…／
  if (cp >= 0xFF1A && cp <= 0xFF20) return false;            // ：；＜＝＞？＠
  if (cp >= 0xFF3B && cp <= 0xFF40) return false;
  if (cp >= 0xFF5B && cp <= 0xFF65) return false;
  return true;
}

// Post-order walk from `root` along inputs that are computed values: every value comes
// after the values it was computed from. Parameters are left to their own section.
void CollectFrom(const Steps& steps, const std::string& root, std::set<int>* seen, std::vector<int>* order) {
  auto lookup = [&](const std::string& name) -> int {
    auto it = steps.by_name.find(name);
    if (it == steps.by_name.end() || steps.all[it->second].kind == "parameter") return -1;
    return it->second;
  };
  // The values each step was computed from: its inputs by name, and the values read by
  // inputs that are expressions (the engine records list-valued values only inside such
  // expressions, "计数(保障对象)", never as inputs of their own), by name.
  auto sources = [&](int index) {
    const ComputedStep& s = steps.all[index];
    auto reads = steps.reads.find(index);
    std::vector<std::string> names;
    for (size_t k = 0; k < s.inputs.size(); ++k) {
      if (steps.by_name.count(s.inputs[k].name)) {
        names.push_back(s.inputs[k].name);
        continue;
      }
      if (reads == steps.reads.end() || k >= reads->second.size()) continue;
      std::set<std::string> read;
      for (int32_t d : reads->second[k]) {
        auto name = steps.names_by_declaration.find(d);
        if (name != steps.names_by_declaration.end() && steps.by_name.count(name->second)) read.insert(name->second);
      }
      names.insert(names.end(), read.begin(), read.end());
    }
    return names;
  };
  int start = lookup(root);
  if (start < 0 || !seen->insert(start).second) return;
  struct Frame {
    int index;
    std::vector<std::string> sources;
    size_t next = 0;
  };
  std::vector<Frame> stack;
  stack.push_back({start, sources(start)});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next < top.sources.size()) {
      int j = lookup(top.sources[top.next++]);
      if (j >= 0 && seen->insert(j).second) stack.push_back({j, sources(j)});
      continue;
    }
    order->push_back(top.index);
    stack.pop_back();
  }
}

// The output that filled a well-known Decision field (记为 `key`, Amount.key); "" when none.
std::string OutputWithKey(const v1::Decision& d, const std::string& key) {
  for (const v1::Amount& a : d.amounts()) {
    if (a.key() == key) return a.name();
  }
  return "";
}

// ---- missing evidence in words ------------------------------------------------------------


std::string Describe(const std::string& field, const v1::Application& a, const People& people, bool en,
                     bool applicant_view) {
  std::string var;
  int index = 0;
  size_t dot = field.find("].");
  if (dot == std::string::npos || !ParseItemName(field.substr(0, dot + 1), &var, &index)) return field;
  const std::string rest = field.substr(dot + 2);
  // A list of members under another name (保障对象[2].出生日期) still counts members by
  // their place in the application; the field after the index tells it is a member.
  const auto* member_type = v1::Member::descriptor();
  const std::string first = rest.substr(0, rest.find('.'));
  bool member_field = var == "成员" || var == "members" || member_type->FindFieldByName(first) != nullptr;
  for (int k = 0; !member_field && k < member_type->field_count(); ++k) {
    member_field = member_type->field(k)->options().GetExtension(v1::zh) == first;
  }
  if (member_field && index >= 1 && index <= a.members_size()) {
    const std::string& name = a.members(index - 1).name();
    if (index - 1 == people.applicant) {
      if (applicant_view) return en ? absl::StrCat("your own ", rest) : absl::StrCat("您本人的", rest);
      return en ? absl::StrCat(rest, " of the applicant (", name, ")") : absl::StrCat("申请人本人（", name, "）的", rest);
    }
    const std::string shown = applicant_view ? MaskName(name) : name;
    return en ? absl::StrCat(rest, " of household member ", index, " (", shown, ")")
              : absl::StrCat("家庭成员", shown, "（第", index, "人）的", rest);
  }
  return en ? absl::StrCat(rest, " of ", var, " #", index) : absl::StrCat(var, "第", index, "项的", rest);
}

const char* const kChineseCounts[11] = {"零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"};

}  // namespace heyan::explain_internal
