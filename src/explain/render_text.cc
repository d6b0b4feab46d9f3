// Plain-text explanations: the staff note and the applicant letter (see render.h).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "explain/render.h"

namespace heyan::explain_internal {
namespace {

const char* const kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四"};

class TextWriter {
 public:
  explicit TextWriter(const Explanation& e) : e_(e), en_(e.language == "en") {}

  void Line(const std::string& s = "") { absl::StrAppend(&out_, s, "\n"); }
  void Heading(const std::string& title) {
    if (!out_.empty()) Line();
    Line(en_ ? absl::StrCat(section_ + 1, ". ", title) : absl::StrCat(kNumerals[section_ % 14], "、", title));
    ++section_;
  }
  void Field(const std::string& label, const std::string& value) {
    if (!value.empty()) Line(absl::StrCat("  ", label, en_ ? ": " : "：", value));
  }
  void None() { Line(absl::StrCat("  ", Say(e_, "（无）", "(none)"))); }
  std::string Values(const std::vector<NameValue>& values) const {
    std::vector<std::string> parts;
    for (const NameValue& v : values) parts.push_back(absl::StrCat(v.name, " = ", v.value));
    return absl::StrJoin(parts, en_ ? "; " : "；");
  }
  std::string Colon() const { return en_ ? ": " : "："; }

  void Step(const ComputedStep& s, int number, const std::string& indent) {
    std::string head = absl::StrCat(indent, en_ ? absl::StrCat("(", number, ") ") : absl::StrCat("（", number, "）"), s.name);
    if (!s.result.empty()) absl::StrAppend(&head, " = ", s.result);
    Line(head);
    const std::string in = indent + "    ";
    if (!s.citation.empty()) Line(absl::StrCat(in, Say(e_, "依据", "Basis"), Colon(), s.citation));
    if (s.assumption) {
      Line(absl::StrCat(in, Say(e_, "假设（待确认）", "Assumption (to be confirmed)"), Colon(), s.assumption_reason));
    }
    for (const ItemGroup& g : s.groups) {
      if (g.kind == "filter") {
        Line(g.rule.empty() ? absl::StrCat(in, Say(e_, "逐项筛选：", "Item by item:"))
                            : absl::StrCat(in, Say(e_, "逐项筛选（条件：", "Item by item (condition: "), g.rule, Say(e_, "）：", "):")));
      } else {
        Line(g.rule.empty() ? absl::StrCat(in, Say(e_, "逐项计算：", "Item by item:"))
                            : absl::StrCat(in, Say(e_, "逐项计算（每项取值：", "Item by item (value of each: "), g.rule, Say(e_, "）：", "):")));
      }
      for (const ItemLine& l : g.items) {
        std::string line = absl::StrCat(in, "  ", l.item);
        if (!l.owner.empty()) absl::StrAppend(&line, en_ ? absl::StrCat(" (", l.owner, ")") : absl::StrCat("（", l.owner, "）"));
        absl::StrAppend(&line, " ", l.fields, " → ", l.result);
        Line(line);
      }
      if (g.omitted > 0) Line(absl::StrCat(in, "  ", OmittedItemsText(e_, g.omitted)));
    }
    if (!s.inputs.empty()) Line(absl::StrCat(in, Say(e_, "计算自", "From"), Colon(), Values(s.inputs)));
    if (!s.location.empty()) Line(absl::StrCat(in, Say(e_, "位置", "Location"), Colon(), s.location));
  }

  void Steps(const std::vector<ComputedStep>& steps) {
    if (steps.empty()) return None();
    int n = 0;
    for (const ComputedStep& s : steps) Step(s, ++n, "  ");
  }

  std::string Staff() {
    Line(e_.title);
    Line(std::string(40, '='));

    Heading(Say(e_, "审核结论", "Decision"));
    Field(Say(e_, "申请编号", "Application"), e_.application_id);
    Field(Say(e_, "申请人", "Applicant"), e_.applicant_name);
    Field(Say(e_, "受理日期", "Received"), e_.application_date);
    // Chinese output names the outcome in Chinese only; English adds the stable code.
    Field(Say(e_, "审核结论", "Outcome"), en_ ? absl::StrCat(e_.outcome_text, " (", e_.outcome, ")") : e_.outcome_text);
    Field(Say(e_, "评估日期", "As of"), e_.as_of);
    Field(Say(e_, "认定月收入", "Counted monthly income"), e_.counted_income);
    Field(Say(e_, "人均月收入", "Per-capita monthly income"), e_.per_capita_income);
    Field(Say(e_, "月保障金", "Monthly benefit"), e_.benefit);
    Field(Say(e_, "保障档次", "Tier"), e_.tier);
    Field(Say(e_, "规则集", "Rule set"), e_.ruleset);
    Field(Say(e_, "规则指纹", "Rules fingerprint"), e_.rules_fingerprint);
    Field(Say(e_, "引擎版本", "Engine"), e_.engine_version);
    if (!e_.amounts.empty()) {
      Line(absl::StrCat("  ", Say(e_, "全部输出：", "All outputs:")));
      for (const NameValue& a : e_.amounts) Line(absl::StrCat("    ", a.name, " = ", a.value));
    }

    Heading(absl::StrCat(Say(e_, "适用的规则", "Rules that applied"),
                         en_ ? absl::StrCat(" (", e_.reasons.size(), ")") : absl::StrCat("（", e_.reasons.size(), " 条）")));
    if (e_.reasons.empty()) None();
    int n = 0;
    for (const ExplainedReason& r : e_.reasons) {
      Line(absl::StrCat("  ", ++n, ". ", r.rule_id, " ", r.title, en_ ? absl::StrCat(" [", r.kind_text, "]") : absl::StrCat("【", r.kind_text, "】")));
      Field(Say(e_, "  依据", "  Basis"), r.citation);
      Field(Say(e_, "  说明", "  Message"), r.message);
      Field(Say(e_, "  取值", "  Values"), Values(r.values));
      Field(Say(e_, "  位置", "  Location"), r.location);
    }

    Heading(Say(e_, "因例外而不适用的规则", "Rules set aside by an exception"));
    n = 0;
    for (const CheckedRule& c : e_.other_rules) {
      if (c.status != "excepted") continue;
      std::string head = absl::StrCat("  ", ++n, ". ", c.rule_id);
      if (!c.title.empty()) absl::StrAppend(&head, " ", c.title);
      Line(head);
      Field(Say(e_, "  依据", "  Basis"), c.citation);
      Field(Say(e_, "  例外", "  Exception"), absl::StrJoin(c.exceptions, en_ ? "; " : "、"));
      Field(Say(e_, "  取值", "  Values"), Values(c.values));
      Field(Say(e_, "  位置", "  Location"), c.location);
    }
    if (n == 0) None();

    Heading(Say(e_, "收入核算", "Income computation"));
    if (!e_.trace_available) {
      Line(absl::StrCat("  ", Say(e_, "（需要计算过程 trace，见文末说明）", "(needs a trace; see the notes)")));
    } else {
      Steps(e_.income);
    }

    Heading(Say(e_, "保障金计算", "Benefit computation"));
    if (!e_.trace_available) {
      Field(Say(e_, "月保障金", "Monthly benefit"), e_.benefit.empty() ? Say(e_, "（无）", "(none)") : e_.benefit);
      Line(absl::StrCat("  ", Say(e_, "（计算过程需要 trace，见文末说明）", "(the arithmetic needs a trace; see the notes)")));
    } else {
      Steps(e_.benefit_steps);
    }

    Heading(Say(e_, "家庭成员与保障人员", "Household members and coverage"));
    if (e_.members.empty()) None();
    for (const ExplainedMember& m : e_.members) {
      Line(absl::StrCat("  ", m.name.empty() ? Say(e_, "（未填姓名）", "(no name)") : m.name, "  ", m.id_number, "  ", m.relation,
                        "  ", m.covered ? Say(e_, "保障", "covered") : Say(e_, "不在保障范围", "not covered")));
    }

    Heading(Say(e_, "缺少的材料", "Missing evidence"));
    if (e_.missing_evidence.empty()) None();
    n = 0;
    for (const ExplainedMissing& m : e_.missing_evidence) {
      Line(absl::StrCat("  ", ++n, ". ", m.description));
      Field(Say(e_, "  说明", "  Message"), m.message);
      Field(Say(e_, "  用于", "  Needed by"), m.needed_by);
    }

    Heading(Say(e_, "计算出错", "Faults"));
    if (e_.faults.empty()) None();
    for (const ExplainedFault& f : e_.faults) Line(absl::StrCat("  ", f.rule_id, Colon(), f.message));

    Heading(Say(e_, "参数（评估日期有效的值）", "Parameters (values in force on the as-of date)"));
    if (!e_.trace_available) {
      Line(absl::StrCat("  ", Say(e_, "（需要计算过程 trace）", "(needs a trace)")));
    } else {
      Steps(e_.parameters);
    }

    Heading(Say(e_, "其他计算值", "Other computed values"));
    if (!e_.trace_available) {
      Line(absl::StrCat("  ", Say(e_, "（需要计算过程 trace）", "(needs a trace)")));
    } else {
      Steps(e_.other_values);
    }

    Heading(Say(e_, "其他已核查的规则", "Other rules checked"));
    Line(absl::StrCat("  ", Say(e_, "（逐项规则列出的取值是最后核查的一项）", "(for per-item rules the values are those of the last item checked)")));
    n = 0;
    for (const CheckedRule& c : e_.other_rules) {
      if (c.status == "excepted") continue;
      std::string head = absl::StrCat("  ", ++n, ". ", c.rule_id);
      if (!c.title.empty()) absl::StrAppend(&head, " ", c.title);
      absl::StrAppend(&head, en_ ? ": " : "：", c.result);
      Line(head);
      Field(Say(e_, "  取值", "  Values"), Values(c.values));
    }
    if (n == 0) None();

    Heading(Say(e_, "核对情况（本决定所依据的核对数据）", "Verification checks this decision rests on"));
    if (e_.checks.empty()) None();
    n = 0;
    for (const ExplainedCheck& c : e_.checks) {
      Line(absl::StrCat("  ", ++n, ". ", c.registry, en_ ? ": " : "：", c.origin));
      Field(Say(e_, "  核对日期", "  Checked on"), c.checked_on);
      Field(Say(e_, "  核对批次", "  Reference"), c.reference);
      Field(Say(e_, "  数据来源", "  Source"), c.source);
      Field(Say(e_, "  查询的人员", "  Persons looked up"), c.persons);
    }

    if (!e_.notes.empty()) {
      Line();
      Line(Say(e_, "说明：", "Notes:"));
      for (const std::string& s : e_.notes) Line(absl::StrCat("  * ", s));
    }
    return out_;
  }

  std::string Applicant() {
    Line(e_.title);
    Line();
    for (const std::string& p : e_.letter) Line(p);

    Heading(Say(e_, "审核结果", "Result"));
    Field(Say(e_, "审核结果", "Result"), e_.outcome_text);
    // Only an eligible household has an allowance; while verification or documents are
    // pending the amount is an estimate, and an ineligible household has none.
    if (e_.outcome == "ELIGIBLE") {
      Field(Say(e_, "每月保障金", "Monthly allowance"), e_.benefit);
      Field(Say(e_, "保障档次", "Tier"), e_.tier);
    } else if (e_.outcome != "INELIGIBLE") {
      Field(Say(e_, "测算保障金（核实后确定）", "Estimated allowance (final after verification)"), e_.benefit);
    }
    Field(Say(e_, "家庭月收入（认定）", "Counted monthly household income"), e_.counted_income);
    Field(Say(e_, "人均月收入", "Monthly income per person"), e_.per_capita_income);
    std::vector<std::string> covered;
    for (const ExplainedMember& m : e_.members) {
      if (m.covered) covered.push_back(m.applicant ? absl::StrCat(m.name, Say(e_, "（本人）", " (you)")) : m.name);
    }
    if (!covered.empty() && e_.outcome != "INELIGIBLE") Field(Say(e_, "保障人员", "Persons covered"), absl::StrJoin(covered, en_ ? ", " : "、"));

    Heading(Say(e_, "理由和依据", "Reasons and the provisions they rest on"));
    if (e_.reasons.empty()) {
      Line(absl::StrCat("  ", Say(e_, "经审核，未发现不符合条件或需要核实的情况。",
                                  "The review found nothing that makes the household ineligible or needs verification.")));
    }
    int n = 0;
    for (const ExplainedReason& r : e_.reasons) {
      Line(absl::StrCat("  ", ++n, ". ", r.title, en_ ? absl::StrCat(" (", r.kind_text, ")") : absl::StrCat("（", r.kind_text, "）")));
      if (!r.message.empty()) Line(absl::StrCat("     ", r.message));
      Field(Say(e_, "   依据", "   Basis"), r.citation);
    }

    if (!e_.bases.empty()) {
      Heading(Say(e_, "计算依据", "What the amounts rest on"));
      for (const NameValue& b : e_.bases) Line(absl::StrCat("  ", b.name, Colon(), b.value));
    }
    if (!e_.missing_evidence.empty()) {
      Heading(Say(e_, "需要补充的材料", "Documents to provide"));
      n = 0;
      for (const ExplainedMissing& m : e_.missing_evidence) {
        Line(absl::StrCat("  ", ++n, ". ", m.description));
        if (!m.message.empty() && m.message != m.description) Line(absl::StrCat("     ", m.message));
      }
      Line(absl::StrCat("  ", BringDocuments(e_)));
    }
    if (!e_.faults.empty()) {
      Heading(Say(e_, "人工核定事项", "Items completed by hand"));
      for (const ExplainedFault& f : e_.faults) Line(absl::StrCat("  ", f.message));
    }

    Heading(Say(e_, "如有异议", "If you disagree"));
    Line(absl::StrCat("  ", e_.objection));

    Line();
    Line(en_ ? absl::StrCat("This notice was prepared from your application and the verification data by the rule set ",
                            e_.ruleset, " (fingerprint ", e_.rules_fingerprint.substr(0, 12),
                            "). The civil affairs department's approval is final.")
             : absl::StrCat("本告知书根据您提交的申请材料和核对信息，按规则集“", e_.ruleset, "”（规则指纹 ",
                            e_.rules_fingerprint.substr(0, 12), "）生成，最终结果以民政部门审核确认为准。"));
    Line();
    Line(e_.issuing_office.empty()
             ? Say(e_, "经办单位（盖章）：                    日期：    年  月  日",
                   "Issuing office (seal): ____________________    Date: ____________")
             : absl::StrCat(Say(e_, "经办单位（盖章）：", "Issuing office (seal): "), e_.issuing_office,
                            Say(e_, "        日期：    年  月  日", "    Date: ____________")));
    return out_;
  }

 private:
  const Explanation& e_;
  const bool en_;
  std::string out_;
  int section_ = 0;
};

}  // namespace

std::string OmittedItemsText(const Explanation& e, int64_t omitted) {
  return e.language == "en"
             ? absl::StrCat("… and ", omitted, " more items, not listed (the trace lists at most 1,000 per line of the rules)")
             : absl::StrCat("……另有 ", omitted, " 项未逐项列出（每处最多列出 1000 项）");
}

std::string BringDocuments(const Explanation& e) {
  if (e.language == "en") {
    return absl::StrCat("Please bring documents that show the above (such as ID cards, the household register or proof of "
                        "income) to ", e.issuing_office.empty() ? "the township government (street office)" : e.issuing_office,
                        ".");
  }
  return absl::StrCat("请携带能证明上述情况的材料（如居民身份证、户口簿、收入证明等）到",
                      e.issuing_office.empty() ? "乡镇人民政府（街道办事处）" : e.issuing_office, "补充。");
}

std::string RenderText(const Explanation& e) {
  TextWriter w(e);
  return e.audience == "applicant" ? w.Applicant() : w.Staff();
}

}  // namespace heyan::explain_internal
