// The explanation model: what an explanation says, before it is written as text, JSON or
// HTML. Private to the explain stage (src/explain); the public door is heyan/explain.h.
//
// explain.cc builds one Explanation from a Decision and its Application (for the audience
// asked for: an applicant's explanation is already masked and trimmed when built, so no
// renderer can leak what the builder left out); render_*.cc write it. All strings are UTF-8
// and final, in the explanation's language, except text that comes from the rule file or
// the engine (titles, citations, messages, rendered values).
#ifndef HEYAN_EXPLAIN_EXPLANATION_H_
#define HEYAN_EXPLAIN_EXPLANATION_H_

#include <cstdint>
#include <string>
#include <vector>

namespace heyan::explain_internal {

struct NameValue {
  std::string name;
  std::string value;
};

// A rule that applied (a Decision reason).
struct ExplainedReason {
  std::string rule_id;
  std::string title;
  std::string citation;
  std::string kind;       // "ineligible", "needs_review", "flag", "missing_evidence"
  std::string kind_text;  // 不符合 / 需复核 / 标记 / 缺少材料 (or English)
  std::string message;
  std::string location;   // "file:line"
  std::vector<NameValue> values;
};

// A rule from the trace that did not apply: excepted, not met, or undecidable.
struct CheckedRule {
  std::string rule_id;
  std::string title;     // only when ExplainOptions.program is given
  std::string citation;  // idem
  std::string status;    // "excepted", "not_applicable", "missing_evidence", "fault"
  std::string result;    // the trace's result in words, e.g. 例外：普通摩托车
  std::vector<std::string> exceptions;  // titles of the exceptions that held
  std::string location;
  std::vector<NameValue> values;
};

// One item a filter (其中) or an aggregate (合计/最小/最大) looked at.
struct ItemLine {
  std::string item;    // as the trace names it, e.g. 收入[2]
  std::string owner;   // whose item, e.g. 成员[1] 张三 (found in the application; may be empty)
  std::string fields;  // the item's fields, e.g. 类别=工资性收入，金额=800.00元
  std::string result;  // 计入 / 不计入 / the value it contributed
  bool counted = true;
};

// The items of one filter or one aggregate inside a computed value.
struct ItemGroup {
  std::string kind;  // "filter" or "aggregate"
  std::string rule;  // the filter's condition, or the aggregate's per-item expression
  std::vector<ItemLine> items;
  int64_t omitted = 0;  // items seen but not listed (the trace lists at most 1,000 per group)
};

// A computed value, output, table or parameter from the trace.
struct ComputedStep {
  std::string name;
  std::string kind;    // "value", "output", "table", "parameter"
  std::string result;  // rendered value (tables: with the row; parameters: with the date)
  std::string location;
  std::string citation;           // with ExplainOptions.program
  bool assumption = false;        // parameter marked 假设
  std::string assumption_reason;  // its 理由
  std::vector<NameValue> inputs;
  std::vector<ItemGroup> groups;
};

struct ExplainedMember {
  std::string name;
  std::string id_number;
  std::string relation;
  bool covered = false;
  bool applicant = false;
};

struct ExplainedMissing {
  std::string field;        // as the engine names it, e.g. 成员[2].出生日期
  std::string description;  // in words, e.g. 家庭成员（第2人，李四）的出生日期
  std::string needed_by;    // rule ids or value names
  std::string message;
};

struct ExplainedFault {
  std::string rule_id;
  std::string message;
};

// A verification check the decision rests on (Decision.checks), staff reports only.
struct ExplainedCheck {
  std::string registry;    // Chinese (or English) registry name
  std::string checked_on;
  std::string reference;
  std::string source;
  std::string origin;      // 本户核对 / 批量核对数据 (request / loaded)
  std::string persons;     // who was looked up: names where the application has them
};

struct Explanation {
  std::string language;  // "zh" or "en"
  std::string audience;  // "staff" or "applicant"
  std::string title;
  bool trace_available = false;

  // The decision.
  std::string application_id;
  std::string application_date;
  std::string applicant_name;  // the addressee (applicant audience: full name; it is theirs)
  std::string outcome;         // ELIGIBLE, INELIGIBLE, NEEDS_REVIEW, MISSING_EVIDENCE
  std::string outcome_text;
  std::string as_of;
  std::string ruleset;
  std::string rules_fingerprint;
  std::string engine_version;
  int64_t benefit_fen = 0;
  int64_t per_capita_income_fen = 0;
  int64_t counted_income_fen = 0;
  std::string benefit;
  std::string per_capita_income;
  std::string counted_income;
  std::string tier;
  std::vector<NameValue> amounts;

  std::vector<ExplainedReason> reasons;
  std::vector<CheckedRule> other_rules;     // staff only
  std::vector<ComputedStep> income;         // staff only
  std::vector<ComputedStep> benefit_steps;  // staff only
  std::vector<ComputedStep> other_values;   // staff only
  std::vector<ComputedStep> parameters;     // staff only
  std::vector<ExplainedMember> members;
  std::vector<ExplainedMissing> missing_evidence;
  std::vector<ExplainedFault> faults;
  std::vector<ExplainedCheck> checks;       // staff only
  std::vector<std::string> notes;

  // Applicant letter: citations of the values the income and benefit were computed from
  // (name -> basis; needs ExplainOptions.program), the paragraphs of the letter body, and
  // how to object.
  std::vector<NameValue> bases;
  std::vector<std::string> letter;
  std::string objection;
  // Applicant letter: the monthly standard applied (output 记为 保障标准) and the documents
  // that set it; who issues the letter and how to reach them (ExplainOptions).
  std::string standard;
  std::string standard_basis;
  std::string issuing_office;
  std::string contact_phone;
};

}  // namespace heyan::explain_internal

#endif  // HEYAN_EXPLAIN_EXPLANATION_H_
