// Explanations: the decision and why, for case workers and for applicants.
//
// Pipeline position: the last stage. Program::Evaluate (program.h) decides an application;
// Explain turns that Decision, together with the Application it decided, into a document a
// person reads: a full case-file note for staff (入户核查/审核说明) or a plain letter to the
// applicant (审核结果告知书), as text, JSON or a self-contained HTML page.
//
//   heyan::EvalOptions eval;
//   eval.trace = true;                       // needed for the step-by-step parts
//   heyan::v1::Decision decision;
//   absl::Status s = program->Evaluate(application, registries, eval, &decision);
//
//   heyan::ExplainOptions options;           // Chinese, staff, text
//   options.program = program.get();         // optional: titles of rules that did not apply
//   absl::StatusOr<std::string> text = heyan::Explain(decision, application, options);
//
//   options.audience = heyan::ExplainOptions::Audience::kApplicant;
//   options.format = heyan::ExplainOptions::Format::kHtml;
//   absl::StatusOr<std::string> letter = heyan::Explain(decision, application, options);
//
// WHAT AN EXPLANATION CONTAINS (staff)
//   * the decision: outcome in words, evaluation date, rule set, rules fingerprint, engine;
//   * every rule that applied, with its citation (依据), message and the values that made it
//     apply; rules that did not apply because of an exception (例外), and which one;
//   * the income computation step by step: for each computed value, the items its filters
//     (其中) counted and did not count, the items its sums (合计) added, and its inputs;
//     then the household income and the per-capita income;
//   * the benefit arithmetic (the benefit output with its inputs) and the tier;
//   * the parameters in force on the evaluation date (with the date each value took effect);
//   * the members covered, missing evidence (what to bring), faults.
//   The step-by-step parts come from Decision.trace. A decision made without
//   EvalOptions.trace still explains its outcome, reasons, amounts, members, missing
//   evidence and faults, and says that the details need a trace.
//
// THE APPLICANT LETTER
//   Addressed to the applicant (the member whose relation is 本人; else the first member;
//   or the member ExplainOptions.addressee_id_number names): outcome, amount, the reasons in
//   plain words with their citations, the monthly standard applied and the document that
//   set it, what evidence is missing, and how to object (复核/申诉 during the public notice,
//   ExplainOptions.publicity_days), signed by ExplainOptions.issuing_office. It shows no other person's data. Whose data a reason,
//   an amount or a value shows is what the engine recorded in the Decision (`subjects`,
//   see proto/heyan/v1/decision.proto), not whether a message happens to name someone: a
//   reason that shows anyone else's data is told as "家庭成员中有一人…" plus "涉及其他家庭
//   成员的信息，已隐去；详情请向经办人员查询", without its message; an output that lists
//   other persons is left out the same way; other members' ID numbers are left out and
//   their names masked (张*); the addressee's own ID number is masked (4101**********1234),
//   and so is any ID-like number left in the text. Household figures (totals, counts,
//   standards) are shown. Flags (标记, notes for staff, e.g. about minors) and item-level
//   data (incomes, ages, disability, illness) are left out.
//
// FORMATS
//   kText  plain UTF-8 text, one line per fact.
//   kJson  one JSON object, schema "heyan.explanation/v1" (documented in docs/explain-zh.md).
//   kHtml  one self-contained UTF-8 page (inline CSS, no scripts, no external resources),
//          laid out for A4 printing, with a signature and date block for the case file.
//          All text is HTML-escaped.
//
// Rule titles, citations and messages are shown as the rule file wrote them; values in the
// trace are rendered by the engine in Chinese (money as "1200.00元"). With kEnglish the
// explanation's own words, outcomes and money units are English.
//
// Failure tiers:
//  * InvalidArgument: the decision and the application do not belong together (both carry
//    an id and they differ), options.program is not the program that made the decision
//    (fingerprints differ), options.addressee_id_number is no member's ID number, or an
//    option holds a value outside its enum, or publicity_days is outside 1..90.
//  * Everything else is explained, never an error: a decision with faults or missing
//    evidence is explained as such. No exception leaves Explain.
//
// Thread-safety: Explain is a pure function of its arguments; it may be called from any
// number of threads at once (a shared Program is only read).
#ifndef HEYAN_EXPLAIN_H_
#define HEYAN_EXPLAIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "heyan/diagnostic.h"
#include "heyan/export.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"

namespace heyan {

class Program;

struct ExplainOptions {
  // Language of the explanation's own words (headings, outcomes, sentences).
  Language language = Language::kChinese;

  // Who reads it.
  enum class Audience {
    kStaff,      // case workers: everything, with full names and ID numbers
    kApplicant,  // the applicant: a plain letter that hides other people's data
  };
  Audience audience = Audience::kStaff;

  enum class Format {
    kText,  // plain text
    kJson,  // structured object, schema "heyan.explanation/v1"
    kHtml,  // self-contained printable page
  };
  Format format = Format::kText;

  // Optional: the Program that made the decision. Decision.trace names rules that did not
  // apply only by id; with the Program the explanation also gives their titles and
  // citations, and the citations and assumption notes (假设) of parameters and values.
  // Must be the same rules (same fingerprint) as the decision's. Not owned; only read.
  const Program* program = nullptr;

  // Applicant letters: the ID number of the member the letter is addressed to (their own
  // data is shown to them, nobody else's). Empty: the applicant (relation 本人, else the
  // first member). Must be the ID number of a member of the application.
  std::string addressee_id_number;

  // Staff reports: show where each rule and value is written (file:line) and the rule
  // expressions of item-by-item filters and sums. Off by default: the report is read by
  // case workers, for whom a file path or `收入.类别 属于 …` is noise; rule authors turn
  // it on (heyan explain --with-sources).
  bool show_rule_sources = false;

  // Applicant letters: who issues the letter and how to reach them, and how long the
  // result is publicly notified (the objection period). Empty office: the letter names
  // "乡镇人民政府（街道办事处）" generically and leaves the seal line blank; empty phone:
  // no contact line. The 7-day default is the posting period of the Zhengzhou procedure
  // (拟保障对象在村（社区）公示7天: https://zy.jiceng.zhengzhou.gov.cn/005002003/7816181.jhtml);
  // a county with a different period sets it. Must be 1..90.
  std::string issuing_office;
  std::string contact_phone;
  int publicity_days = 7;
};

// Explains `decision`, which `program->Evaluate` made for `application`. The decision
// should have been made with EvalOptions.trace = true; see above for what happens without.
// Returns the document in options.format, UTF-8.
HEYAN_EXPORT absl::StatusOr<std::string> Explain(const v1::Decision& decision,
                                    const v1::Application& application,
                                    const ExplainOptions& options = {});

}  // namespace heyan

#endif  // HEYAN_EXPLAIN_H_
