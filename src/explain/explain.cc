// Explain: builds the explanation model (explanation.h) from a Decision, its trace and the
// Application, for one audience, then hands it to a renderer (render.h).
//
// The trace is flat (one TraceStep per rule, named value and item seen); this file gives
// it shape: items are grouped under the value whose filter or sum looked at them and
// attributed to the member they belong to; named values are ordered so that each comes
// after the values it was computed from, and split into the income computation, the
// benefit arithmetic and the rest by following their inputs back from the well-known
// outputs (per-capita income, benefit, tier).
#include "heyan/explain.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/rational.h"
#include "common/text.h"
#include "common/typed_value.h"
#include "common/value.h"
#include "explain/explanation.h"
#include "explain/privacy.h"
#include "explain/words.h"
#include "explain/render.h"
#include "heyan/program.h"

namespace heyan {
namespace explain_internal {
namespace {

using internal::EnumValueName;
using internal::FormatMessageFields;
using internal::FormatMoney;
using internal::Rational;

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// ---- the builder -------------------------------------------------------------------------

class Builder {
 public:
  Builder(const v1::Decision& d, const v1::Application& a, const ExplainOptions& o)
      : d_(d), a_(a), o_(o), en_(o.language == Language::kEnglish),
        applicant_(o.audience == ExplainOptions::Audience::kApplicant) {}

  Explanation Build() {
    e_.language = en_ ? "en" : "zh";
    e_.audience = applicant_ ? "applicant" : "staff";
    e_.title = applicant_ ? (en_ ? "Notice of the minimum living guarantee review result" : "最低生活保障审核结果告知书")
                          : (en_ ? "Household verification and review note" : "入户核查/审核说明");
    e_.trace_available = d_.trace_size() > 0;
    FindPeople();
    Summary();
    Reasons();
    Members();
    Missing();
    Faults();
    Checks();
    Trace();
    if (!o_.show_rule_sources) WithoutRuleSources();
    if (!applicant_) {
      Notes();
    } else {
      StandardApplied();
      // The letter cites what its figures rest on: the standard (above), the household
      // income, the benefit and the tier, each once; the intermediate values' citations
      // are in the staff report. (A letter citing every step ran to two pages.)
      std::set<std::string> cited;
      for (const std::string* name : {&counted_name_, &per_capita_name_, &benefit_name_, &tier_name_}) {
        if (name->empty()) continue;
        for (const auto* steps : {&e_.income, &e_.benefit_steps, &e_.other_values}) {
          for (const ComputedStep& s : *steps) {
            if (s.name != *name) continue;
            const std::string citation = WithoutUrls(s.citation);
            if (!citation.empty() && cited.insert(citation).second) e_.bases.push_back({s.name, citation});
          }
        }
      }
      e_.other_rules.clear();
      e_.income.clear();
      e_.benefit_steps.clear();
      e_.other_values.clear();
      e_.parameters.clear();
      Letter();
    }
    return std::move(e_);
  }

 private:
  // A value the engine recorded, in words, from its typed form. A value from an engine
  // older than typed values has only its text, shown as it is.
  std::string ValueText(const v1::NamedValue& v) const {
    if (v.has_typed()) return internal::FormatTypedValue(v.typed(), en_, &a_, v.value());
    if (v.undetermined()) return en_ ? "(unknown)" : "（无法确定）";
    return v.value();
  }

  // An output's value in words: typed with EvalOptions.explain; without it, money from its
  // fen (other values keep the text the engine always writes for them).
  std::string AmountText(const v1::Amount& am) const {
    if (am.has_typed()) return internal::FormatTypedValue(am.typed(), en_, &a_, am.value());
    if (am.value().empty() && am.fen() != 0) return Money(am.fen(), en_);
    return am.value();
  }

  // What a value, output, table or parameter came to: its value, the table row chosen or
  // the date the parameter's value took effect.
  std::string ComputedText(const v1::TraceStep& t) const {
    if (t.status() != v1::TraceStep::COMPUTED) return StepResultText(t, en_);
    std::string text = WithApproximation(internal::FormatTypedValue(t.value(), en_, &a_, t.result()), t.value());
    if (t.step_kind() == v1::TraceStep::STEP_TABLE) {
      if (t.table_row() > 0) {
        absl::StrAppend(&text, en_ ? " (row " : "（第 ", t.table_row(), en_ ? ")" : " 行）");
      } else {
        absl::StrAppend(&text, en_ ? " (otherwise)" : "（否则）");
      }
    }
    if (!t.effective_from().empty()) absl::StrAppend(&text, en_ ? " (from " : "（自 ", t.effective_from(), en_ ? ")" : " 起）");
    return text;
  }

  // Text shown to the applicant passes through here: other people's names and every ID
  // number are masked. Staff see text as it is.
  std::string Shown(const std::string& s) const {
    if (!applicant_) return s;
    return MaskIdNumbersInText(MaskNamesInText(s, people_.other_names));
  }

  void FindPeople() {
    for (int i = 0; i < a_.members_size(); ++i) {
      // The letter goes to the member the options name, else to the applicant (本人).
      const bool named = applicant_ && !o_.addressee_id_number.empty();
      if (named ? a_.members(i).id_number() == o_.addressee_id_number : a_.members(i).relation() == v1::SELF) {
        people_.applicant = i;
        break;
      }
    }
    if (people_.applicant < 0 && a_.members_size() > 0) people_.applicant = 0;
    if (people_.applicant >= 0) {
      // As the engine names persons in Decision subjects (runtime/subjects.h).
      const std::string& id = a_.members(people_.applicant).id_number();
      people_.subject = id.empty() ? absl::StrCat("成员[", people_.applicant + 1, "]") : id;
    }
    const std::string self = people_.applicant >= 0 ? a_.members(people_.applicant).name() : "";
    for (int i = 0; i < a_.members_size(); ++i) {
      if (i == people_.applicant) continue;
      const v1::Member& m = a_.members(i);
      // A namesake of the applicant is not hidden: the letter already names the applicant.
      if (!m.name().empty() && m.name() != self) people_.other_names.push_back(m.name());
      if (!m.id_number().empty()) people_.other_ids.push_back(m.id_number());
    }
    for (const v1::RelativeSupport& s : a_.relative_support()) {
      if (!s.supporter_name().empty() && s.supporter_name() != self) people_.other_names.push_back(s.supporter_name());
      if (!s.supporter_id_number().empty()) people_.other_ids.push_back(s.supporter_id_number());
    }
  }

  // How many persons other than the applicant `texts` mention.
  int OthersMentioned(const std::vector<std::string>& texts) const {
    int n = 0;
    for (int i = 0; i < a_.members_size(); ++i) {
      if (i == people_.applicant) continue;
      const v1::Member& m = a_.members(i);
      const std::string self = people_.applicant >= 0 ? a_.members(people_.applicant).name() : "";
      const std::string name = m.name() == self ? "" : m.name();
      for (const std::string& t : texts) {
        if (MentionsPerson(t, name, m.id_number())) {
          ++n;
          break;
        }
      }
    }
    for (const v1::RelativeSupport& s : a_.relative_support()) {
      for (const std::string& t : texts) {
        if (MentionsPerson(t, s.supporter_name(), s.supporter_id_number())) {
          ++n;
          break;
        }
      }
    }
    return n;
  }

  void Summary() {
    e_.application_id = d_.application_id().empty() ? a_.id() : d_.application_id();
    e_.application_date = a_.application_date();
    if (people_.applicant >= 0) e_.applicant_name = a_.members(people_.applicant).name();
    e_.outcome = OutcomeName(d_.outcome());
    e_.outcome_text = OutcomeText(d_.outcome(), en_, applicant_);
    e_.as_of = d_.as_of();
    e_.ruleset = d_.ruleset();
    e_.rules_fingerprint = d_.rules_fingerprint();
    e_.engine_version = d_.engine_version();
    e_.benefit_fen = d_.benefit_fen();
    e_.per_capita_income_fen = d_.per_capita_income_fen();
    e_.counted_income_fen = d_.counted_income_fen();
    counted_name_ = OutputWithKey(d_, "counted_income");
    per_capita_name_ = OutputWithKey(d_, "per_capita_income");
    benefit_name_ = OutputWithKey(d_, "benefit");
    tier_name_ = OutputWithKey(d_, "tier");
    // A well-known field is shown when an output wrote it (found above) or when it is
    // non-zero (a decision made with explain = false has no amounts to match against).
    if (!counted_name_.empty() || d_.counted_income_fen() != 0) e_.counted_income = Money(d_.counted_income_fen(), en_);
    if (!per_capita_name_.empty() || d_.per_capita_income_fen() != 0) {
      e_.per_capita_income = Money(d_.per_capita_income_fen(), en_);
    }
    if (!benefit_name_.empty() || d_.benefit_fen() != 0) e_.benefit = Money(d_.benefit_fen(), en_);
    e_.tier = Shown(d_.tier());
    for (const v1::Amount& am : d_.amounts()) {
      // An output that lists other persons (e.g. 保障人员) is left out of the letter; who is
      // covered is told by the members' list, with other members' names masked.
      if (applicant_ && ShowsOthers(am.subjects())) {
        e_.amounts.push_back({am.name(), en_ ? "(concerns other household members; left out)" : "（涉及其他家庭成员的信息，已隐去）"});
        continue;
      }
      e_.amounts.push_back({am.name(), Shown(AmountText(am))});
    }
  }

  void Reasons() {
    for (const v1::Reason& r : d_.reasons()) {
      ExplainedReason x;
      ReasonKind(r.kind(), en_, &x.kind, &x.kind_text);
      x.rule_id = r.rule_id();
      x.title = r.title();
      x.citation = r.citation();
      if (!applicant_) {
        x.message = r.message();
        x.location = r.location();
        for (const v1::NamedValue& v : r.values()) x.values.push_back({v.name(), ValueText(v)});
        e_.reasons.push_back(std::move(x));
        continue;
      }
      // Flags are notes for staff (e.g. that the household has minors); they do not change
      // the outcome and are not the applicant's business.
      if (r.kind() == v1::REASON_FLAG) continue;
      // Whose data the message and values show, as the engine recorded it (Reason.subjects):
      // anyone but the addressee hides the message whole, whether or not it names them.
      // Naming is still checked too, for decisions whose reasons carry no subjects.
      std::set<std::string> others;
      bool unknown = false;
      for (const std::string& subject : r.subjects()) {
        if (subject == "*") unknown = true;
        else if (subject != people_.subject) others.insert(subject);
      }
      std::vector<std::string> texts = {r.message()};
      for (const v1::NamedValue& v : r.values()) texts.push_back(v.value());
      const int count = std::max(static_cast<int>(others.size()), OthersMentioned(texts));
      if (count > 0 || unknown) {
        std::string who;
        if (en_) {
          who = count == 0 ? std::string("A household member")
                           : count == 1 ? std::string("One household member") : absl::StrCat(count, " household members");
        } else {
          who = count == 0 ? std::string("家庭成员中有人")
                           : absl::StrCat("家庭成员中有", count <= 10 ? std::string(kChineseCounts[count]) : absl::StrCat(count), "人");
        }
        switch (r.kind()) {
          case v1::REASON_INELIGIBLE:
            x.message = en_ ? absl::StrCat(who, " falls under this provision.") : absl::StrCat(who, "属于此项情形。");
            break;
          case v1::REASON_MISSING_EVIDENCE:
            x.message = en_ ? absl::StrCat(who, ": documents are missing for this item.") : absl::StrCat(who, "的此项材料不全。");
            break;
          default:
            x.message = en_ ? absl::StrCat(who, ": the situation under this provision needs to be verified by the staff.")
                            : absl::StrCat(who, "的情况需要工作人员进一步核实。");
        }
        absl::StrAppend(&x.message, en_ ? " " : "", HiddenNote());
        hidden_.insert({r.rule_id(), r.message()});
      } else {
        x.message = Shown(r.message());
      }
      x.rule_id.clear();  // rule ids mean nothing to an applicant; the citation does
      x.citation = WithoutUrls(x.citation);
      e_.reasons.push_back(std::move(x));
    }
  }

  // What replaces text that shows other persons' data in an applicant letter.
  std::string HiddenNote() const {
    return en_ ? "It concerns other household members' information, which is left out; please ask the staff for details."
               : "涉及其他家庭成员的信息，已隐去；详情请向经办人员查询。";
  }

  // Whether `subjects` (Decision subjects) name anyone but the addressee.
  bool ShowsOthers(const google::protobuf::RepeatedPtrField<std::string>& subjects) const {
    for (const std::string& subject : subjects) {
      if (subject != people_.subject) return true;
    }
    return false;
  }

  void Members() {
    std::set<std::string> covered(d_.covered_members().begin(), d_.covered_members().end());
    for (int i = 0; i < a_.members_size(); ++i) {
      const v1::Member& m = a_.members(i);
      ExplainedMember x;
      x.applicant = i == people_.applicant;
      x.name = applicant_ && !x.applicant ? MaskName(m.name()) : m.name();
      // The addressee's own number, masked; nobody else's, not even masked.
      x.id_number = !applicant_ ? m.id_number() : x.applicant ? MaskIdNumber(m.id_number()) : "";
      x.relation = EnumValueName(v1::Relation_descriptor(), m.relation(), en_);
      x.covered = !m.id_number().empty() && covered.count(m.id_number()) > 0;
      e_.members.push_back(std::move(x));
    }
  }

  void Missing() {
    for (const v1::MissingEvidence& m : d_.missing_evidence()) {
      ExplainedMissing x;
      x.field = applicant_ ? "" : m.field();
      x.description = Describe(m.field(), a_, people_, en_, applicant_);
      if (applicant_) x.description = Shown(x.description);
      x.needed_by = applicant_ ? "" : m.needed_by();
      // A missing-evidence rule's entry repeats its reason's message: hidden with it.
      x.message = applicant_ && hidden_.count({m.needed_by(), m.message()}) ? HiddenNote() : Shown(m.message());
      e_.missing_evidence.push_back(std::move(x));
    }
  }

  // The checks the decision rests on, with whom each looked up (staff only: an applicant's
  // letter must not list other persons' registry look-ups).
  void Checks() {
    if (applicant_) return;
    for (const v1::CheckUsed& c : d_.checks()) {
      ExplainedCheck x;
      x.registry = en_ ? c.registry() : c.registry_zh();
      x.checked_on = c.checked_on();
      x.reference = c.reference();
      x.source = c.source();
      x.origin = c.origin() == v1::CheckUsed::REQUEST ? (en_ ? "this household's check" : "本户核对")
                                                       : (en_ ? "batch data" : "批量核对数据");
      std::vector<std::string> persons;
      for (const std::string& id : c.id_numbers()) {
        std::string who = id;
        for (const v1::Member& m : a_.members()) {
          if (m.id_number() == id && !m.name().empty()) who = absl::StrCat(m.name(), " ", id);
        }
        for (const v1::RelativeSupport& s : a_.relative_support()) {
          if (s.supporter_id_number() == id && !s.supporter_name().empty()) {
            who = absl::StrCat(s.supporter_name(), en_ ? " (supporter) " : "（赡养人）", id);
          }
        }
        persons.push_back(who);
      }
      x.persons = absl::StrJoin(persons, en_ ? "; " : "；");
      e_.checks.push_back(std::move(x));
    }
  }

  void Faults() {
    for (const v1::RuleFault& f : d_.faults()) {
      // An applicant learns that a rule could not be computed, not the engine's wording.
      e_.faults.push_back({applicant_ ? "" : f.rule_id(),
                           applicant_ ? (en_ ? "A check could not be completed automatically; the staff will complete it by hand."
                                             : "有一项审核未能自动完成，将由工作人员人工核定。")
                                      : f.message()});
    }
  }

  // Rules, values, parameters and items from the trace (staff only).
  void Trace() {
    std::map<std::string, const DeclarationInfo*> rules, decls;
    if (o_.program != nullptr) {
      for (const DeclarationInfo& info : o_.program->declarations()) {
        (info.kind == "rule" ? rules : decls)[info.name] = &info;
      }
    }
    Steps steps;
    // Items are grouped per value, then per filter or sum (by its condition or expression).
    std::map<std::string, std::vector<ItemGroup>> groups;
    std::map<std::pair<std::string, std::string>, size_t> group_index;
    // Items seen outside any value (filters inside rules) are grouped under this name.
    const std::string rules_key = en_ ? "(inside rules)" : "（规则中）";
    auto group_owner = [&](const v1::TraceStep& t) { return t.name().empty() ? rules_key : t.name(); };
    for (const v1::TraceStep& t : d_.trace()) {
      if (t.has_declaration()) steps.names_by_declaration.emplace(t.declaration(), t.name());
    }
    for (const v1::TraceStep& t : d_.trace()) {
      const v1::TraceStep::StepKind kind = KindOf(t);
      if (kind == v1::TraceStep::STEP_RULE) {
        if (t.status() == v1::TraceStep::APPLIES || (t.status() == v1::TraceStep::STATUS_UNSPECIFIED && t.result() == "适用")) {
          continue;  // explained with the reasons
        }
        CheckedRule c;
        c.rule_id = t.name();
        c.location = t.location();
        c.result = StepResultText(t, en_);
        switch (t.status()) {
          case v1::TraceStep::EXCEPTED: {
            c.status = "excepted";
            std::set<std::string> seen;
            for (const std::string& title : t.exception_titles()) {
              if (seen.insert(title).second) c.exceptions.push_back(title);
            }
            break;
          }
          case v1::TraceStep::MISSING: c.status = "missing_evidence"; break;
          case v1::TraceStep::FAULT: c.status = "fault"; break;
          default: c.status = "not_applicable";
        }
        auto it = rules.find(t.name());
        if (it != rules.end()) {
          c.title = it->second->title;
          c.citation = it->second->citation;
        }
        for (const v1::NamedValue& v : t.inputs()) c.values.push_back({OneLine(v.name()), ValueText(v)});
        e_.other_rules.push_back(std::move(c));
      } else if (kind == v1::TraceStep::STEP_ITEMS_OMITTED) {
        // How many more items the group below saw than the trace lists.
        if (t.inputs_size() < 2) continue;
        const std::string key_name = group_owner(t);
        const std::string group_kind = t.filter() ? "filter" : "item";
        auto gi = group_index.find({key_name, group_kind + "\n" + OneLine(t.inputs(1).value())});
        if (gi != group_index.end()) groups[key_name][gi->second].omitted = t.omitted_items();
      } else if (kind == v1::TraceStep::STEP_FILTER || kind == v1::TraceStep::STEP_ITEM) {
        if (t.inputs_size() < 2) continue;
        const bool filter = kind == v1::TraceStep::STEP_FILTER;
        const std::string key_name = group_owner(t);
        const std::string rule = OneLine(t.inputs(1).value());
        const std::pair<std::string, std::string> key = {key_name, (filter ? "filter\n" : "item\n") + rule};
        auto gi = group_index.find(key);
        std::vector<ItemGroup>& list = groups[key_name];
        if (gi == group_index.end()) {
          ItemGroup g;
          g.kind = filter ? "filter" : "aggregate";
          g.rule = rule;
          list.push_back(std::move(g));
          gi = group_index.emplace(key, list.size() - 1).first;
        }
        ItemLine line;
        line.item = t.inputs(0).name();
        // The item itself, found by its place in the application; a registry record (or a
        // step from an older engine) is shown as the engine rendered it.
        const Message* item = t.has_item() ? internal::ResolveItem(a_, t.item()) : nullptr;
        if (item != nullptr) {
          line.fields = WithPeriod(internal::FormatMessageFields(*item, en_), *item, en_);
          line.owner = ItemOwner(t.item(), a_, en_);
        } else {
          line.fields = t.inputs(0).value();
        }
        line.counted = !filter || t.status() == v1::TraceStep::COUNTED;
        line.result = filter ? StepResultText(t, en_) : ComputedText(t);
        list[gi->second].items.push_back(std::move(line));
      } else {
        ComputedStep s;
        s.name = t.name();
        s.kind = t.kind();
        s.result = ComputedText(t);
        s.location = t.location();
        std::vector<std::vector<int32_t>> reads;
        for (const v1::NamedValue& v : t.inputs()) {
          s.inputs.push_back({OneLine(v.name()), v.has_typed() ? WithApproximation(ValueText(v), v.typed()) : ValueText(v)});
          reads.emplace_back(v.declarations().begin(), v.declarations().end());
        }
        auto it = decls.find(t.name());
        if (it != decls.end()) {
          // A parameter with several dated values carries one basis per value, and the
          // Program tells only the first: citing it beside a later value would be wrong.
          if (!(kind == v1::TraceStep::STEP_PARAMETER && it->second->branches > 1)) s.citation = it->second->citation;
          s.assumption = it->second->assumption;
          s.assumption_reason = it->second->assumption_reason;
        }
        // The engine records the basis of what it used: for a dated parameter, the 依据 of
        // the value in force on the evaluation date.
        if (!t.citation().empty()) s.citation = t.citation();
        const int index = static_cast<int>(steps.all.size());
        steps.by_name[s.name] = index;
        steps.reads[index] = std::move(reads);
        steps.all.push_back(std::move(s));
      }
    }
    // Items seen outside any value: filters inside rules, but also the engine re-running a
    // value's sum when it renders that value's inputs. The latter repeat a group that
    // already stands under its value and are dropped.
    if (groups.count(rules_key)) {
      std::set<std::string> named;
      for (const auto& [key, index] : group_index) {
        if (key.first != rules_key) named.insert(key.second);
      }
      std::vector<ItemGroup>& list = groups[rules_key];
      std::vector<ItemGroup> kept;
      for (ItemGroup& g : list) {
        if (!named.count(absl::StrCat(g.kind == "filter" ? "filter" : "item", "\n", g.rule))) kept.push_back(std::move(g));
      }
      list = std::move(kept);
      if (list.empty()) groups.erase(rules_key);
    }
    for (auto& [name, list] : groups) {
      auto it = steps.by_name.find(name);
      if (it != steps.by_name.end()) {
        steps.all[it->second].groups = std::move(list);
      } else if (name == rules_key) {
        // Items seen by filters inside rules: shown as a pseudo-step of their own.
        ComputedStep s;
        s.name = name;
        s.kind = "rule_items";
        s.groups = std::move(list);
        steps.by_name[s.name] = static_cast<int>(steps.all.size());
        steps.all.push_back(std::move(s));
      }
      // Items under a value that has no step of its own were seen only while the engine
      // rendered another value's inputs (a branch the decision never took): not shown.
    }

    std::set<int> seen;
    std::vector<int> income, benefit;
    CollectFrom(steps, counted_name_, &seen, &income);
    CollectFrom(steps, per_capita_name_, &seen, &income);
    CollectFrom(steps, benefit_name_, &seen, &benefit);
    CollectFrom(steps, tier_name_, &seen, &benefit);
    for (int i : income) e_.income.push_back(steps.all[i]);
    for (int i : benefit) e_.benefit_steps.push_back(steps.all[i]);
    for (size_t i = 0; i < steps.all.size(); ++i) {
      if (seen.count(static_cast<int>(i))) continue;
      (steps.all[i].kind == "parameter" ? e_.parameters : e_.other_values).push_back(steps.all[i]);
    }
  }

  void Notes() {
    if (!e_.trace_available) {
      e_.notes.push_back(en_ ? "This decision was made without a trace: the step-by-step income computation, the "
                               "benefit arithmetic, the parameters used and the rules that did not apply need a "
                               "trace. Evaluate again with EvalOptions.trace = true (heyan explain does)."
                             : "本决定评估时未记录计算过程（trace）：收入逐项核算、保障金计算过程、所用参数和未适用的规则"
                               "需要计算过程才能说明。请以 EvalOptions.trace = true 重新评估（heyan explain 命令会自动开启）。");
    }
    if (e_.trace_available && o_.program == nullptr) {
      e_.notes.push_back(en_ ? "Rules that did not apply are named by id only: pass the Program (ExplainOptions.program) "
                               "for their titles and citations."
                             : "未适用的规则只列出编号：提供规则程序（ExplainOptions.program）可同时列出标题和依据。");
    }
    for (const ComputedStep& p : e_.parameters) {
      if (p.assumption) {
        e_.notes.push_back(en_ ? absl::StrCat("Parameter ", p.name, " is an assumption to be confirmed locally: ", p.assumption_reason)
                               : absl::StrCat("参数“", p.name, "”是待当地确认的假设值：", p.assumption_reason));
      }
    }
  }

  // Case workers read the report, not the rule file: where a rule is written and the
  // expressions inside it are for rule authors (ExplainOptions.show_rule_sources).
  void WithoutRuleSources() {
    for (ExplainedReason& r : e_.reasons) r.location.clear();
    for (CheckedRule& c : e_.other_rules) c.location.clear();
    for (auto* steps : {&e_.income, &e_.benefit_steps, &e_.other_values, &e_.parameters}) {
      for (ComputedStep& s : *steps) {
        s.location.clear();
        for (ItemGroup& g : s.groups) g.rule.clear();
        // An input the engine names by its source text (合计(…), 计数(…)) is an expression,
        // not a value a reader can look up; named values stay.
        std::erase_if(s.inputs, [](const NameValue& v) { return !IsPlainName(v.name); });
      }
    }
  }

  // The monthly standard the decision applied (the output marked 记为 保障标准) and the
  // documents that set it: the 依据 of the dated parameters it was computed from, found by
  // following the trace's inputs from the standard down. Without parameters on the way (a
  // standard written as a plain value), the citations met on the way.
  void StandardApplied() {
    std::string standard_name;
    for (const v1::Amount& am : d_.amounts()) {
      if (am.key() == "standard") {
        standard_name = am.name();
        e_.standard = Money(am.fen(), en_);
      }
    }
    if (standard_name.empty()) return;
    std::map<std::string, const ComputedStep*> by_name;
    for (const auto* steps : {&e_.income, &e_.benefit_steps, &e_.other_values, &e_.parameters}) {
      for (const ComputedStep& s : *steps) by_name.emplace(s.name, &s);
    }
    // Follow the standard's value down the trace: through inputs that have the same value
    // (适用月标准 = 农村月低保标准 = 省定农村低保标准 = 440元), and where none has it, into the
    // parameters it was derived from (5280元 a year ÷ 12; 700元 × 70%). The documents are
    // the 依据 of those parameters' values in force; without parameters on the way (a
    // standard written as a plain value), the citations of the steps followed.
    std::vector<std::string> from_parameters, on_the_way;
    std::set<std::string> seen;
    std::vector<std::string> todo = {standard_name};
    auto cite = [](std::vector<std::string>* list, const std::string& citation) {
      if (!citation.empty() && std::find(list->begin(), list->end(), citation) == list->end()) list->push_back(citation);
    };
    while (!todo.empty()) {
      const std::string name = todo.back();
      todo.pop_back();
      auto it = by_name.find(name);
      if (it == by_name.end() || !seen.insert(name).second) continue;
      const ComputedStep& s = *it->second;
      if (s.kind == "parameter") {
        cite(&from_parameters, WithoutUrls(s.citation));
        continue;
      }
      cite(&on_the_way, WithoutUrls(s.citation));
      std::vector<std::string> next;
      for (const NameValue& in : s.inputs) {
        if (absl::StartsWith(in.value, e_.standard)) next.push_back(in.name);
      }
      if (next.empty()) {
        // A derivation (÷ 12, × 70%): how it is derived is part of the basis.
        cite(&from_parameters, WithoutUrls(s.citation));
        for (const NameValue& in : s.inputs) {
          auto p = by_name.find(in.name);
          if (p != by_name.end() && p->second->kind == "parameter") next.push_back(in.name);
        }
      }
      for (auto n = next.rbegin(); n != next.rend(); ++n) todo.push_back(*n);
    }
    e_.standard_basis = absl::StrJoin(from_parameters.empty() ? on_the_way : from_parameters, en_ ? "; " : "；");
    if (!e_.standard_basis.empty()) {
      e_.bases.push_back({en_ ? absl::StrCat("Minimum living standard (", e_.standard, " per person a month)")
                              : absl::StrCat("低保标准（每人每月 ", e_.standard, "）"),
                          e_.standard_basis});
    }
  }

  void Letter() {
    const std::string name = e_.applicant_name;
    e_.letter.push_back(en_ ? (name.empty() ? std::string("Dear applicant,") : absl::StrCat("Dear applicant ", name, ","))
                            : (name.empty() ? std::string("尊敬的申请人：") : absl::StrCat("尊敬的申请人 ", name, "：")));
    std::string id = e_.application_id.empty() ? "" : (en_ ? absl::StrCat(" (case ", e_.application_id) : absl::StrCat("（申请编号 ", e_.application_id));
    if (!id.empty()) {
      if (!e_.application_date.empty()) absl::StrAppend(&id, en_ ? ", received " : "，受理日期 ", e_.application_date);
      absl::StrAppend(&id, en_ ? ")" : "）");
    }
    e_.letter.push_back(en_ ? absl::StrCat("Your application for the minimum living guarantee", id,
                                           " has been reviewed under the policy and standards in force on ",
                                           e_.as_of.empty() ? "the review date" : e_.as_of, ". The result is: ",
                                           e_.outcome_text, ".")
                            : absl::StrCat("您的最低生活保障申请", id, "已按 ", e_.as_of.empty() ? "审核日" : e_.as_of,
                                           " 有效的政策和标准进行了审核。审核结果为：", e_.outcome_text, "。"));
    int covered = 0;
    // A refused household has nobody covered, whatever the rules computed on the way.
    for (const ExplainedMember& m : e_.members) covered += m.covered && d_.outcome() != v1::INELIGIBLE ? 1 : 0;
    std::string figures;
    if (!e_.counted_income.empty()) {
      absl::StrAppend(&figures, en_ ? absl::StrCat("the household's monthly income is counted as ", e_.counted_income)
                                    : absl::StrCat("家庭月收入认定为 ", e_.counted_income));
    }
    if (covered > 0) {
      absl::StrAppend(&figures, figures.empty() ? "" : (en_ ? ", " : "，"),
                      en_ ? absl::StrCat(covered, covered == 1 ? " person is" : " persons are", " covered")
                          : absl::StrCat("保障人数 ", covered, " 人"));
    }
    if (!e_.per_capita_income.empty()) {
      absl::StrAppend(&figures, figures.empty() ? "" : (en_ ? ", " : "，"),
                      en_ ? absl::StrCat("the monthly income per person is ", e_.per_capita_income)
                          : absl::StrCat("人均月收入 ", e_.per_capita_income));
    }
    if (!e_.standard.empty()) {
      absl::StrAppend(&figures, figures.empty() ? "" : (en_ ? ", " : "，"),
                      en_ ? absl::StrCat("against the minimum living standard of ", e_.standard, " per person a month")
                          : absl::StrCat("适用的低保标准为每人每月 ", e_.standard));
    }
    switch (d_.outcome()) {
      case v1::ELIGIBLE: {
        std::string s = en_ ? absl::StrCat("After review, ", figures, figures.empty() ? "" : "; ") : absl::StrCat("经核算，", figures, figures.empty() ? "" : "；");
        if (!e_.benefit.empty()) {
          absl::StrAppend(&s, en_ ? absl::StrCat("the monthly allowance is ", e_.benefit) : absl::StrCat("每月保障金为 ", e_.benefit));
          if (!e_.tier.empty()) absl::StrAppend(&s, en_ ? absl::StrCat(" (tier ", e_.tier, ")") : absl::StrCat("，保障档次为 ", e_.tier));
          absl::StrAppend(&s, en_ ? ". Once approved, it is paid monthly from the month after approval."
                                  : "。经批准后，保障金自批准的次月起按月发放。");
        } else if (!figures.empty()) {
          s = en_ ? absl::StrCat("After review, ", figures, ".") : absl::StrCat("经核算，", figures, "。");
        } else {
          break;
        }
        e_.letter.push_back(s);
        break;
      }
      case v1::INELIGIBLE:
        e_.letter.push_back(en_ ? absl::StrCat(figures.empty() ? "" : absl::StrCat("After review, ", figures, ". "),
                                               "The reasons and the provisions they rest on are listed below.")
                                : absl::StrCat(figures.empty() ? "" : absl::StrCat("经核算，", figures, "。"),
                                               "主要原因和依据见下文。"));
        break;
      case v1::NEEDS_REVIEW:
        e_.letter.push_back(en_ ? "Some points of your application need further verification. The staff will contact you or "
                                  "visit your home, and decide after verifying them."
                                : "您的申请中有需要进一步核实的情况，工作人员将与您联系或入户核查，核实后再作决定。");
        break;
      case v1::MISSING_EVIDENCE:
        e_.letter.push_back(en_ ? "Your application is missing some documents. Please provide the items listed below; the "
                                  "review continues once they are complete."
                                : "您的申请材料不全，请按下文补充材料，补齐后将继续审核。");
        break;
      default: break;
    }
    e_.issuing_office = o_.issuing_office;
    e_.contact_phone = o_.contact_phone;
    const std::string office =
        o_.issuing_office.empty() ? (en_ ? "the township government (street office)" : "乡镇人民政府（街道办事处）") : o_.issuing_office;
    e_.objection =
        en_ ? absl::StrCat("If you disagree with this result, you may ask for a review (复核) or file an objection (申诉) with ",
                           office, " or the county civil affairs department during the ", o_.publicity_days,
                           "-day public notice of the result, stating your reasons and providing supporting documents. The "
                           "case will then be investigated again and, where needed, assessed by a democratic appraisal. If an "
                           "application is refused, ", office, " notifies the refusal and its reasons in writing.",
                           o_.contact_phone.empty() ? "" : absl::StrCat(" Telephone: ", o_.contact_phone, "."))
            : absl::StrCat("如您对审核结果有异议，可以在结果公示期（", o_.publicity_days, "天）内，向", office,
                           "或县级民政部门提出复核申请或申诉，说明理由并提供相关材料。收到异议后将重新调查核实，必要时组织民主评议。"
                           "申请不予批准的，", office, "将书面告知并说明理由。",
                           o_.contact_phone.empty() ? "" : absl::StrCat("联系电话：", o_.contact_phone, "。"));
  }

  const v1::Decision& d_;
  const v1::Application& a_;
  const ExplainOptions& o_;
  const bool en_;
  const bool applicant_;
  People people_;
  // Applicant letter: reasons hidden because they show other persons' data, as (rule id,
  // original message), so their missing-evidence entries are hidden too.
  std::set<std::pair<std::string, std::string>> hidden_;
  std::string counted_name_, per_capita_name_, benefit_name_, tier_name_;
  Explanation e_;
};

}  // namespace
}  // namespace explain_internal

absl::StatusOr<std::string> Explain(const v1::Decision& decision, const v1::Application& application,
                                    const ExplainOptions& options) {
  if (options.language != Language::kChinese && options.language != Language::kEnglish) {
    return absl::InvalidArgumentError("ExplainOptions.language is not a known language");
  }
  if (options.audience != ExplainOptions::Audience::kStaff && options.audience != ExplainOptions::Audience::kApplicant) {
    return absl::InvalidArgumentError("ExplainOptions.audience is not a known audience");
  }
  if (!decision.application_id().empty() && !application.id().empty() && decision.application_id() != application.id()) {
    return absl::InvalidArgumentError(absl::StrCat("the decision is for application '", decision.application_id(),
                                                   "' but the application is '", application.id(), "'"));
  }
  if (!options.addressee_id_number.empty() &&
      std::none_of(application.members().begin(), application.members().end(),
                   [&](const v1::Member& m) { return m.id_number() == options.addressee_id_number; })) {
    return absl::InvalidArgumentError("ExplainOptions.addressee_id_number is not the ID number of a member of the application");
  }
  if (options.publicity_days < 1 || options.publicity_days > 90) {
    return absl::InvalidArgumentError(absl::StrCat("ExplainOptions.publicity_days must be 1..90, not ", options.publicity_days));
  }
  if (options.program != nullptr && !decision.rules_fingerprint().empty() &&
      options.program->fingerprint() != decision.rules_fingerprint()) {
    return absl::InvalidArgumentError("ExplainOptions.program is not the program that made the decision (rules fingerprints differ)");
  }
  explain_internal::Explanation e = explain_internal::Builder(decision, application, options).Build();
  switch (options.format) {
    case ExplainOptions::Format::kText: return explain_internal::RenderText(e);
    case ExplainOptions::Format::kJson: return explain_internal::RenderJson(e);
    case ExplainOptions::Format::kHtml: return explain_internal::RenderHtml(e);
  }
  return absl::InvalidArgumentError("ExplainOptions.format is not a known format");
}

}  // namespace heyan
