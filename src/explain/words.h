// Words of an explanation (words.cc): what trace steps came to, outcomes and reason kinds,
// whose an item is, the order of computed values, missing evidence in words. Private to
// the explain stage.
#ifndef HEYAN_EXPLAIN_WORDS_H_
#define HEYAN_EXPLAIN_WORDS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "explain/explanation.h"
#include "google/protobuf/message.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"

namespace heyan::explain_internal {

// The computed values of a trace, in trace order, and what each input of each reads.
struct Steps {
  std::vector<ComputedStep> all;          // values, outputs, tables, parameters: trace order
  std::map<std::string, int> by_name;
  // By step (index into `all`) and input: the named values the input's expression reads,
  // as Program::declarations() indices (NamedValue.declarations); and their names, from
  // the trace steps that computed them.
  std::map<int, std::vector<std::vector<int32_t>>> reads;
  std::map<int32_t, std::string> names_by_declaration;
};

// Who the explanation is for and whom it must not show.
struct People {
  int applicant = -1;                    // index into application.members: the addressee
  std::string subject;                   // the addressee as Decision subjects name them
  std::vector<std::string> other_names;  // everyone but the applicant, supporters included
  std::vector<std::string> other_ids;
};

// Money in fen as yuan: "1200.00元" / "1200.00 yuan".
std::string Money(int64_t fen, bool en);

// What a rule, value or item step came to, in words, from its typed fields (a step from an
// engine older than typed traces has only its text, shown as it is).
std::string StepResultText(const v1::TraceStep& t, bool en);

// The step's kind: typed, or for a step from an older engine, from its `kind` text.
v1::TraceStep::StepKind KindOf(const v1::TraceStep& t);

// Rule sources may span lines ("合计(计入收入:\n    (如果 …"); an explanation shows them on
// one line, with runs of white space collapsed to one space.
std::string OneLine(const std::string& source);

// A decimal too long to show in places is rendered exactly as a fraction ("33333/70000");
// readers also get its value to four places.
std::string WithApproximation(std::string text, const v1::TypedValue& v);

// Rule authors cite their sources with web addresses, which help staff check a rule but
// are not articles an applicant can rely on: the applicant letter drops them, with the
// brackets around them ("…处理规定未查到（https://…）" -> "…处理规定未查到").
std::string WithoutUrls(const std::string& text);

// The outcome as its proto enum name ("ELIGIBLE"), and in words for staff or the applicant.
std::string OutcomeName(v1::Outcome o);
std::string OutcomeText(v1::Outcome o, bool en, bool applicant);

// A reason's kind as a code ("ineligible") and in words.
void ReasonKind(v1::ReasonKind k, bool en, std::string* kind, std::string* text);

// Parses "收入[2]" into ("收入", 2); false if it has no index.
bool ParseItemName(const std::string& name, std::string* var, int* index);

// Whose item a trace step looked at, from its place in the application: "成员[1] 张三" for
// anything inside a member (an income, an expenditure); empty for household-level items and
// members themselves.
std::string ItemOwner(const v1::ItemRef& ref, const v1::Application& application, bool en);

// protobuf lists only fields that differ from their default, so an income's period 每月
// (MONTHLY, the enum's zero) never shows among its set fields. An amount without its period
// misleads a reader, so the period is added back.
std::string WithPeriod(const std::string& fields, const google::protobuf::Message& m, bool en);

// Whether `text` is a name or a field path (家庭月收入, 成员[2].出生日期), not an
// expression's source text (合计(收入.金额), 人数 × 2).
bool IsPlainName(const std::string& text);

// Whether code point `cp` can be part of a rule-language name: letters, digits, '_' and
// CJK characters, but not punctuation (full-width included) or operators (× ÷ ≤ → …).
bool IsNameCodePoint(char32_t cp);

// Post-order walk from `root` along inputs that are computed values: every value comes
// after the values it was computed from. Parameters are left to their own section.
void CollectFrom(const Steps& steps, const std::string& root, std::set<int>* seen, std::vector<int>* order);

// The output that filled a well-known Decision field (记为 `key`, Amount.key); "" when none.
std::string OutputWithKey(const v1::Decision& d, const std::string& key);

// A missing-evidence field path (成员[2].出生日期) in words: whose field it is, by name
// (masked for the applicant's letter) and place.
std::string Describe(const std::string& field, const v1::Application& a, const People& people, bool en, bool applicant_view);

extern const char* const kChineseCounts[11];  // 零 … 十

}  // namespace heyan::explain_internal

#endif  // HEYAN_EXPLAIN_WORDS_H_
