// HTML explanations: one self-contained page (inline CSS, no scripts, no external
// resources), laid out for A4 printing, with a signature block for the case file.
// Every piece of text goes through HtmlEscape: rule files and applications are input.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "explain/render.h"

namespace heyan::explain_internal {

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Print first: A4 with 15 mm margins; on screen the same page sits on a grey desk.
constexpr char kStyle[] = R"css(
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html { background: #e9ebee; }
body { margin: 0; color: #1a1a1a; font: 10.5pt/1.55 "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, "DejaVu Serif", serif; }
.page { width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 14mm 14mm 16mm; background: #fff; box-shadow: 0 1px 6px rgba(0,0,0,.18); }
header { border-bottom: 2.5px solid #7a1f1f; padding-bottom: 3mm; margin-bottom: 4mm; }
header .org { font: 600 9.5pt/1.4 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "DejaVu Sans", sans-serif; color: #7a1f1f; letter-spacing: .08em; }
h1 { font: 700 19pt/1.3 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "DejaVu Sans", sans-serif; margin: 1.5mm 0 1mm; letter-spacing: .06em; text-align: center; }
header .sub { text-align: center; color: #555; font-size: 9.5pt; }
h2 { font: 700 12pt/1.4 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "DejaVu Sans", sans-serif; margin: 6mm 0 2mm; padding-left: 2.5mm; border-left: 4px solid #7a1f1f; break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 0 0 2mm; font-size: 9.5pt; }
th, td { border: 0.6px solid #9aa0a6; padding: 1.3mm 2mm; vertical-align: top; text-align: left; }
th { background: #f1ede4; font-weight: 600; white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.key { width: 26%; background: #faf8f3; font-weight: 600; }
.outcome { display: flex; justify-content: space-between; align-items: center; border: 1.5px solid; border-radius: 2mm; padding: 3mm 5mm; margin: 3mm 0 1mm; }
.outcome .label { font-size: 9pt; color: #444; }
.outcome .value { font: 700 16pt/1.3 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "DejaVu Sans", sans-serif; }
.outcome .money { text-align: right; }
.o-ELIGIBLE { border-color: #2e7d32; background: #f1f8f1; } .o-ELIGIBLE .value { color: #1b5e20; }
.o-INELIGIBLE { border-color: #b71c1c; background: #fdf1f1; } .o-INELIGIBLE .value { color: #8e1515; }
.o-NEEDS_REVIEW { border-color: #b26a00; background: #fff7e8; } .o-NEEDS_REVIEW .value { color: #8a5200; }
.o-MISSING_EVIDENCE { border-color: #1f5fa8; background: #eef4fb; } .o-MISSING_EVIDENCE .value { color: #174a86; }
.o-OUTCOME_UNSPECIFIED { border-color: #777; }
.kind { display: inline-block; padding: 0 1.5mm; border-radius: 1mm; font-size: 8.5pt; font-weight: 600; white-space: nowrap; }
.k-ineligible { background: #fbe3e3; color: #8e1515; } .k-needs_review { background: #fdf0d5; color: #8a5200; }
.k-flag { background: #e7eef7; color: #2b4f7a; } .k-missing_evidence { background: #e3edf9; color: #174a86; }
.muted { color: #666; font-size: 8.5pt; }
.cite { color: #333; }
ul.items { margin: 1mm 0 0; padding-left: 4.5mm; font-size: 8.8pt; }
ul.items li { margin: .3mm 0; }
.yes { color: #1b5e20; font-weight: 600; } .no { color: #8e1515; font-weight: 600; }
.step td.name { font-weight: 600; white-space: nowrap; }
.none { color: #777; font-style: italic; }
p { margin: 2mm 0; text-align: justify; }
p.salutation { margin-top: 5mm; font-weight: 600; }
.notes { font-size: 8.8pt; color: #444; border-top: 0.6px solid #bbb; margin-top: 5mm; padding-top: 2mm; }
.sign { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8mm; margin-top: 10mm; break-inside: avoid; }
.sign div { border-top: 0.8px solid #333; padding-top: 1.5mm; font-size: 9.5pt; min-height: 16mm; }
.sign.letter { grid-template-columns: 1fr 1fr; }
footer { margin-top: 6mm; font-size: 8pt; color: #777; word-break: break-all; }
/* The applicant letter is one sheet for a typical household: a letter, not a report. */
.letter-page { font-size: 10pt; line-height: 1.45; }
.letter-page header { padding-bottom: 2mm; margin-bottom: 2.5mm; }
.letter-page h1 { font-size: 17pt; margin: 1mm 0 .5mm; }
.letter-page .outcome { padding: 2mm 4mm; margin: 2mm 0 1mm; }
.letter-page .outcome .value { font-size: 14pt; }
.letter-page h2 { font-size: 11pt; margin: 3.5mm 0 1.5mm; }
.letter-page p { margin: 1.3mm 0; }
.letter-page p.salutation { margin-top: 3mm; }
.letter-page table { font-size: 9pt; }
.letter-page th, .letter-page td { padding: 1mm 1.8mm; }
.letter-page .issuer { display: flex; justify-content: flex-end; margin-top: 4mm; font-size: 10pt; break-inside: avoid; }
.letter-page .issuer .seal { min-width: 62mm; text-align: center; padding-top: 7mm; }
.letter-page footer { margin-top: 3mm; }
@media print {
  html { background: #fff; }
  .page { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
}
)css";

// Letters print with narrower margins than reports (an @page rule cannot be scoped to a
// class, so the letter's page gets its own).
constexpr char kLetterPage[] = "@page { margin: 11mm 13mm 11mm 13mm; }\n";

class HtmlWriter {
 public:
  explicit HtmlWriter(const Explanation& e) : e_(e), en_(e.language == "en") {}

  std::string Page() {
    absl::StrAppend(&out_, "<!DOCTYPE html>\n<html lang=\"", en_ ? "en" : "zh-CN", "\">\n<head>\n<meta charset=\"utf-8\">\n",
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", H(e_.title),
                    "</title>\n<style>", kStyle, e_.audience == "applicant" ? kLetterPage : "",
                    "</style>\n</head>\n<body>\n<main class=\"page",
                    e_.audience == "applicant" ? " letter-page" : "", "\">\n");
    Header();
    if (e_.audience == "applicant") {
      Applicant();
    } else {
      Staff();
    }
    absl::StrAppend(&out_, "</main>\n</body>\n</html>\n");
    return out_;
  }

 private:
  static std::string H(const std::string& s) { return HtmlEscape(s); }
  const char* S(const char* zh, const char* en) const { return en_ ? en : zh; }
  void Add(const std::string& s) { out_ += s; }

  void Header() {
    Add(absl::StrCat("<header>\n<div class=\"org\">", H(e_.ruleset), "</div>\n<h1>", H(e_.title), "</h1>\n<div class=\"sub\">"));
    std::vector<std::string> sub;
    if (!e_.application_id.empty()) sub.push_back(absl::StrCat(S("申请编号 ", "Case "), e_.application_id));
    if (!e_.as_of.empty()) sub.push_back(absl::StrCat(S("评估日期 ", "As of "), e_.as_of));
    Add(H(absl::StrJoin(sub, " · ")));
    Add("</div>\n</header>\n");
    Add(absl::StrCat("<section class=\"outcome o-", H(e_.outcome), "\">\n<div><div class=\"label\">",
                     S("审核结论", "Outcome"), "</div><div class=\"value\" id=\"outcome\">", H(e_.outcome_text), "</div></div>\n"));
    // The applicant's banner shows an amount only as what it is: the allowance when
    // eligible, an estimate while verification or documents are pending.
    const bool applicant = e_.audience == "applicant";
    const bool show_benefit = !e_.benefit.empty() && !(applicant && e_.outcome == "INELIGIBLE");
    const char* label = applicant && e_.outcome != "ELIGIBLE" ? S("测算保障金（核实后确定）", "Estimated allowance")
                                                            : S("月保障金", "Monthly benefit");
    if (show_benefit) {
      Add(absl::StrCat("<div class=\"money\"><div class=\"label\">", label,
                       "</div><div class=\"value\" id=\"benefit\">", H(e_.benefit), "</div></div>\n"));
    }
    Add("</section>\n");
  }

  void H2(const std::string& title) {
    ++section_;
    Add(absl::StrCat("<h2>", H(title), "</h2>\n"));
  }
  void TableStart(const std::vector<std::string>& heads, const std::string& cls = "") {
    Add(cls.empty() ? "<table>\n<thead><tr>" : absl::StrCat("<table class=\"", cls, "\">\n<thead><tr>"));
    for (const std::string& h : heads) Add(absl::StrCat("<th>", H(h), "</th>"));
    Add("</tr></thead>\n<tbody>\n");
  }
  void TableEnd() { Add("</tbody>\n</table>\n"); }
  void NoneRow(int columns) {
    Add(absl::StrCat("<tr><td class=\"none\" colspan=\"", columns, "\">", S("（无）", "(none)"), "</td></tr>\n"));
  }
  void KeyRow(const std::string& key, const std::string& value, const std::string& id = "") {
    if (value.empty()) return;
    Add(absl::StrCat("<tr><td class=\"key\">", H(key), "</td><td", id.empty() ? "" : absl::StrCat(" id=\"", id, "\""), ">",
                     H(value), "</td></tr>\n"));
  }
  std::string Values(const std::vector<NameValue>& values) const {
    std::vector<std::string> parts;
    for (const NameValue& v : values) parts.push_back(absl::StrCat(H(v.name), " = ", H(v.value)));
    return absl::StrJoin(parts, "<br>");
  }
  std::string Kind(const std::string& kind, const std::string& text) const {
    return absl::StrCat("<span class=\"kind k-", H(kind), "\">", H(text), "</span>");
  }

  void StepTable(const std::vector<ComputedStep>& steps) {
    TableStart({S("计算项", "Value"), S("结果", "Result"), S("计算自 / 逐项", "From / item by item")}, "step");
    if (steps.empty()) NoneRow(3);
    for (const ComputedStep& s : steps) {
      Add(absl::StrCat("<tr><td class=\"name\">", H(s.name), "</td><td>", H(s.result), "</td><td>"));
      std::vector<std::string> parts;
      if (!s.inputs.empty()) parts.push_back(Values(s.inputs));
      if (!s.citation.empty()) parts.push_back(absl::StrCat("<span class=\"cite\">", S("依据：", "Basis: "), H(s.citation), "</span>"));
      if (s.assumption) {
        parts.push_back(absl::StrCat("<span class=\"muted\">", S("假设（待确认）：", "Assumption (to be confirmed): "),
                                     H(s.assumption_reason), "</span>"));
      }
      for (const ItemGroup& g : s.groups) {
        std::string block = absl::StrCat("<span class=\"muted\">",
                                         g.kind == "filter" ? S("逐项筛选，条件：", "Item by item, condition: ")
                                                            : S("逐项计算，每项取值：", "Item by item, value of each: "),
                                         H(g.rule), "</span><ul class=\"items\">");
        for (const ItemLine& l : g.items) {
          absl::StrAppend(&block, "<li>", H(l.item));
          if (!l.owner.empty()) absl::StrAppend(&block, en_ ? " (" : "（", H(l.owner), en_ ? ")" : "）");
          absl::StrAppend(&block, " ", H(l.fields), " → <span class=\"", l.counted ? "yes" : "no", "\">", H(l.result),
                          "</span></li>");
        }
        if (g.omitted > 0) absl::StrAppend(&block, "<li class=\"muted\">", H(OmittedItemsText(e_, g.omitted)), "</li>");
        absl::StrAppend(&block, "</ul>");
        parts.push_back(block);
      }
      if (!s.location.empty()) parts.push_back(absl::StrCat("<span class=\"muted\">", H(s.location), "</span>"));
      Add(absl::StrJoin(parts, "<br>"));
      Add("</td></tr>\n");
    }
    TableEnd();
  }

  void Staff() {
    H2(S("一、审核结论", "1. Decision"));
    TableStart({S("项目", "Item"), S("内容", "Content")});
    KeyRow(S("申请编号", "Application"), e_.application_id);
    KeyRow(S("申请人", "Applicant"), e_.applicant_name);
    KeyRow(S("受理日期", "Received"), e_.application_date);
    // Chinese output names the outcome in Chinese only; English adds the stable code.
    KeyRow(S("审核结论", "Outcome"), en_ ? absl::StrCat(e_.outcome_text, " (", e_.outcome, ")") : e_.outcome_text);
    KeyRow(S("评估日期", "As of"), e_.as_of);
    KeyRow(S("认定月收入", "Counted monthly income"), e_.counted_income);
    KeyRow(S("人均月收入", "Per-capita monthly income"), e_.per_capita_income);
    KeyRow(S("月保障金", "Monthly benefit"), e_.benefit);
    KeyRow(S("保障档次", "Tier"), e_.tier);
    // Other outputs of the rule set; those already shown above under their well-known
    // heading are not repeated.
    for (const NameValue& a : e_.amounts) {
      if (a.value == e_.counted_income || a.value == e_.per_capita_income || a.value == e_.benefit || a.value == e_.tier) continue;
      KeyRow(absl::StrCat(S("输出：", "Output: "), a.name), a.value);
    }
    KeyRow(S("规则集", "Rule set"), e_.ruleset);
    KeyRow(S("规则指纹", "Rules fingerprint"), e_.rules_fingerprint);
    KeyRow(S("引擎版本", "Engine"), e_.engine_version);
    TableEnd();

    H2(S("二、适用的规则", "2. Rules that applied"));
    TableStart({S("编号", "Rule"), S("规则", "Title"), S("结论", "Effect"), S("依据", "Basis"), S("说明与取值", "Message and values")});
    if (e_.reasons.empty()) NoneRow(5);
    for (const ExplainedReason& r : e_.reasons) {
      Add(absl::StrCat("<tr><td>", H(r.rule_id), "</td><td>", H(r.title), "</td><td>", Kind(r.kind, r.kind_text), "</td><td class=\"cite\">",
                       H(r.citation), "</td><td>", H(r.message)));
      if (!r.values.empty()) Add(absl::StrCat("<br><span class=\"muted\">", Values(r.values), "</span>"));
      if (!r.location.empty()) Add(absl::StrCat("<br><span class=\"muted\">", H(r.location), "</span>"));
      Add("</td></tr>\n");
    }
    TableEnd();

    H2(S("三、因例外而不适用的规则", "3. Rules set aside by an exception"));
    TableStart({S("编号", "Rule"), S("规则", "Title"), S("例外", "Exception"), S("取值", "Values")});
    int n = 0;
    for (const CheckedRule& c : e_.other_rules) {
      if (c.status != "excepted") continue;
      ++n;
      Add(absl::StrCat("<tr><td>", H(c.rule_id), "</td><td>", H(c.title)));
      if (!c.citation.empty()) Add(absl::StrCat("<br><span class=\"muted\">", H(c.citation), "</span>"));
      Add(absl::StrCat("</td><td>", H(absl::StrJoin(c.exceptions, en_ ? "; " : "、")), "</td><td>", Values(c.values), "</td></tr>\n"));
    }
    if (n == 0) NoneRow(4);
    TableEnd();

    H2(S("四、收入核算", "4. Income computation"));
    if (e_.trace_available) {
      StepTable(e_.income);
    } else {
      NeedsTrace();
    }

    H2(S("五、保障金计算", "5. Benefit computation"));
    if (e_.trace_available) {
      StepTable(e_.benefit_steps);
    } else {
      NeedsTrace();
    }

    H2(S("六、家庭成员与保障人员", "6. Household members and coverage"));
    TableStart({S("姓名", "Name"), S("身份证号", "ID number"), S("与申请人关系", "Relation"), S("保障", "Covered")});
    if (e_.members.empty()) NoneRow(4);
    for (const ExplainedMember& m : e_.members) {
      Add(absl::StrCat("<tr><td>", H(m.name), "</td><td>", H(m.id_number), "</td><td>", H(m.relation), "</td><td class=\"",
                       m.covered ? "yes" : "no", "\">", m.covered ? S("是", "yes") : S("否", "no"), "</td></tr>\n"));
    }
    TableEnd();

    H2(S("七、缺少的材料", "7. Missing evidence"));
    TableStart({S("材料", "Evidence"), S("说明", "Message"), S("用于", "Needed by")});
    if (e_.missing_evidence.empty()) NoneRow(3);
    for (const ExplainedMissing& m : e_.missing_evidence) {
      Add(absl::StrCat("<tr><td>", H(m.description), "</td><td>", H(m.message), "</td><td>", H(m.needed_by), "</td></tr>\n"));
    }
    TableEnd();

    H2(S("八、计算出错", "8. Faults"));
    TableStart({S("规则或计算项", "Rule or value"), S("说明", "Message")});
    if (e_.faults.empty()) NoneRow(2);
    for (const ExplainedFault& f : e_.faults) Add(absl::StrCat("<tr><td>", H(f.rule_id), "</td><td>", H(f.message), "</td></tr>\n"));
    TableEnd();

    H2(S("九、参数（评估日期有效的值）", "9. Parameters in force on the as-of date"));
    if (e_.trace_available) {
      StepTable(e_.parameters);
    } else {
      NeedsTrace();
    }

    H2(S("十、其他计算值", "10. Other computed values"));
    if (e_.trace_available) {
      StepTable(e_.other_values);
    } else {
      NeedsTrace();
    }

    H2(S("十一、其他已核查的规则", "11. Other rules checked"));
    TableStart({S("编号", "Rule"), S("规则", "Title"), S("结果", "Result"), S("取值", "Values")});
    n = 0;
    for (const CheckedRule& c : e_.other_rules) {
      if (c.status == "excepted") continue;
      ++n;
      Add(absl::StrCat("<tr><td>", H(c.rule_id), "</td><td>", H(c.title), "</td><td>", H(c.result), "</td><td class=\"muted\">",
                       Values(c.values), "</td></tr>\n"));
    }
    if (n == 0) NoneRow(4);
    TableEnd();

    H2(S("十二、核对情况（本决定所依据的核对数据）", "12. Verification checks this decision rests on"));
    TableStart({S("登记册", "Registry"), S("方式", "Kind"), S("核对日期", "Checked on"), S("核对批次", "Reference"),
                S("数据来源", "Source"), S("查询的人员", "Persons looked up")});
    if (e_.checks.empty()) NoneRow(6);
    for (const ExplainedCheck& c : e_.checks) {
      Add(absl::StrCat("<tr><td>", H(c.registry), "</td><td>", H(c.origin), "</td><td>", H(c.checked_on), "</td><td>",
                       H(c.reference), "</td><td>", H(c.source), "</td><td>", H(c.persons), "</td></tr>\n"));
    }
    TableEnd();

    if (!e_.notes.empty()) {
      Add(absl::StrCat("<div class=\"notes\"><strong>", S("说明", "Notes"), "</strong><ul>"));
      for (const std::string& s : e_.notes) Add(absl::StrCat("<li>", H(s), "</li>"));
      Add("</ul></div>\n");
    }
    Add(absl::StrCat("<div class=\"sign\"><div>", S("经办人（签字）", "Case worker (signature)"), "<br><br>",
                     S("日期：", "Date: "), "</div><div>", S("审核人（签字）", "Reviewer (signature)"), "<br><br>",
                     S("日期：", "Date: "), "</div><div>", S("单位（盖章）", "Office (seal)"), "<br><br>", S("日期：", "Date: "),
                     "</div></div>\n"));
    Footer();
  }

  void NeedsTrace() {
    Add(absl::StrCat("<p class=\"none\">", S("本决定未记录计算过程（trace），此部分无法说明，见文末说明。",
                                             "This decision has no trace; this part cannot be explained (see the notes)."),
                     "</p>\n"));
  }

  // The letter: the body paragraphs already state the outcome, the amounts and the
  // standard; below them only what the applicant needs to act on, so that a typical
  // household's letter is one A4 sheet (tests/explain: Chromium's PDF has one page).
  void Applicant() {
    for (size_t k = 0; k < e_.letter.size(); ++k) {
      Add(absl::StrCat(k == 0 ? "<p class=\"salutation\">" : "<p>", H(e_.letter[k]), "</p>\n"));
    }
    std::vector<std::string> covered;
    for (const ExplainedMember& m : e_.members) {
      if (m.covered) covered.push_back(m.applicant ? absl::StrCat(m.name, S("（本人）", " (you)")) : m.name);
    }
    if (!covered.empty() && e_.outcome != "INELIGIBLE") {
      Add(absl::StrCat("<p>", S("保障人员：", "Persons covered: "), H(absl::StrJoin(covered, en_ ? ", " : "、")), "</p>\n"));
    }

    static const char* const kZh[] = {"", "一", "二", "三", "四", "五", "六", "七"};
    int section = 1;
    auto heading = [&](const char* zh, const char* en) {
      H2(en_ ? absl::StrCat(section, ". ", en) : absl::StrCat(kZh[section], "、", zh));
      ++section;
    };
    heading("理由和依据", "Reasons and the provisions they rest on");
    TableStart({S("事项", "Matter"), S("情况说明", "Explanation"), S("依据", "Basis")});
    if (e_.reasons.empty()) {
      Add(absl::StrCat("<tr><td colspan=\"3\">", S("经审核，未发现不符合条件或需要核实的情况。",
                                                  "The review found nothing that makes the household ineligible or needs verification."),
                       "</td></tr>\n"));
    }
    for (const ExplainedReason& r : e_.reasons) {
      Add(absl::StrCat("<tr><td>", H(r.title), "<br>", Kind(r.kind, r.kind_text), "</td><td>", H(r.message), "</td><td class=\"cite\">",
                       H(r.citation), "</td></tr>\n"));
    }
    TableEnd();
    if (!e_.bases.empty()) {
      heading("计算依据", "What the amounts rest on");
      TableStart({S("计算项", "Value"), S("依据", "Basis")});
      for (const NameValue& b : e_.bases) Add(absl::StrCat("<tr><td>", H(b.name), "</td><td class=\"cite\">", H(b.value), "</td></tr>\n"));
      TableEnd();
    }
    if (!e_.missing_evidence.empty()) {
      heading("需要补充的材料", "Documents to provide");
      TableStart({S("材料", "Item"), S("说明", "Explanation")});
      for (const ExplainedMissing& m : e_.missing_evidence) {
        Add(absl::StrCat("<tr><td>", H(m.description), "</td><td>", H(m.message == m.description ? "" : m.message), "</td></tr>\n"));
      }
      TableEnd();
      Add(absl::StrCat("<p>", H(BringDocuments(e_)), "</p>\n"));
    }
    if (!e_.faults.empty()) {
      heading("人工核定事项", "Items completed by hand");
      for (const ExplainedFault& f : e_.faults) Add(absl::StrCat("<p>", H(f.message), "</p>\n"));
    }
    heading("如有异议", "If you disagree");
    Add(absl::StrCat("<p>", H(e_.objection), "</p>\n"));
    // Seal and date sit together at the foot of the letter, the office named when known.
    Add(absl::StrCat("<div class=\"issuer\"><div class=\"seal\" id=\"issuer\">",
                     e_.issuing_office.empty() ? S("经办单位（盖章）", "Issuing office (seal)") : H(e_.issuing_office),
                     e_.issuing_office.empty() ? "" : S("（盖章）", " (seal)"), "<br>",
                     S("　　　　年　　月　　日", "Date: ____________"), "</div></div>\n"));
    Footer();
  }

  void Footer() {
    // The letter gives the fingerprint's first 12 digits (as the text letter does): enough to
    // find the rules in the case file, and the whole 64 would push the footer onto a page
    // of its own.
    const std::string fingerprint =
        e_.audience == "applicant" ? e_.rules_fingerprint.substr(0, 12) : e_.rules_fingerprint;
    Add(absl::StrCat("<footer>", en_ ? "Prepared by " : "由 ", H(e_.engine_version), en_ ? " with rule set " : " 按规则集 ",
                     H(e_.ruleset), en_ ? " (fingerprint " : "（规则指纹 ", H(fingerprint), en_ ? ")." : "）生成。",
                     e_.audience == "applicant" ? S("最终结果以民政部门审核确认为准。", " The civil affairs department's approval is final.") : "",
                     "</footer>\n"));
  }

  const Explanation& e_;
  const bool en_;
  std::string out_;
  int section_ = 0;
};

}  // namespace

std::string RenderHtml(const Explanation& e) { return HtmlWriter(e).Page(); }

}  // namespace heyan::explain_internal
