// JSON explanations, schema "heyan.explanation/v1" (documented in docs/explain-zh.md).
//
// Every key is always present, whatever the audience, so consumers need no existence
// checks: staff-only parts are empty arrays in an applicant's explanation.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/text.h"
#include "explain/render.h"

namespace heyan::explain_internal {
namespace {

using internal::JsonQuote;

// Writes pretty-printed JSON (two-space indent) without building a tree.
class JsonWriter {
 public:
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(const std::string& k) {
    Separate();
    absl::StrAppend(&out_, JsonQuote(k), ": ");
    after_key_ = true;
  }
  void String(const std::string& s) { Scalar(JsonQuote(s)); }
  void Int(int64_t v) { Scalar(absl::StrCat(v)); }
  void Bool(bool v) { Scalar(v ? "true" : "false"); }
  void KV(const std::string& k, const std::string& v) {
    Key(k);
    String(v);
  }

  std::string Take() { return out_ + "\n"; }

 private:
  void Separate() {
    if (after_key_) return;
    if (!first_.empty()) {
      if (!first_.back()) out_ += ",";
      first_.back() = false;
      Newline();
    }
  }
  void Newline() { absl::StrAppend(&out_, "\n", std::string(2 * first_.size(), ' ')); }
  void Scalar(const std::string& text) {
    Separate();
    out_ += text;
    after_key_ = false;
  }
  void Open(char c) {
    Separate();
    out_ += c;
    after_key_ = false;
    first_.push_back(true);
  }
  void Close(char c) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) Newline();
    out_ += c;
  }

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

void Values(JsonWriter& w, const std::string& key, const std::vector<NameValue>& values) {
  w.Key(key);
  w.BeginArray();
  for (const NameValue& v : values) {
    w.BeginObject();
    w.KV("name", v.name);
    w.KV("value", v.value);
    w.EndObject();
  }
  w.EndArray();
}

void Steps(JsonWriter& w, const std::string& key, const std::vector<ComputedStep>& steps) {
  w.Key(key);
  w.BeginArray();
  for (const ComputedStep& s : steps) {
    w.BeginObject();
    w.KV("name", s.name);
    w.KV("kind", s.kind);
    w.KV("result", s.result);
    w.KV("citation", s.citation);
    w.Key("assumption");
    w.Bool(s.assumption);
    w.KV("assumption_reason", s.assumption_reason);
    w.KV("location", s.location);
    Values(w, "inputs", s.inputs);
    w.Key("items");
    w.BeginArray();
    for (const ItemGroup& g : s.groups) {
      w.BeginObject();
      w.KV("kind", g.kind);
      w.KV("rule", g.rule);
      if (g.omitted > 0) {
        w.Key("omitted");
        w.Int(g.omitted);
      }
      w.Key("lines");
      w.BeginArray();
      for (const ItemLine& l : g.items) {
        w.BeginObject();
        w.KV("item", l.item);
        w.KV("owner", l.owner);
        w.KV("fields", l.fields);
        w.KV("result", l.result);
        w.Key("counted");
        w.Bool(l.counted);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string RenderJson(const Explanation& e) {
  JsonWriter w;
  w.BeginObject();
  w.KV("schema", "heyan.explanation/v1");
  w.KV("language", e.language);
  w.KV("audience", e.audience);
  w.KV("title", e.title);
  w.Key("trace_available");
  w.Bool(e.trace_available);

  w.Key("decision");
  w.BeginObject();
  w.KV("application_id", e.application_id);
  w.KV("application_date", e.application_date);
  w.KV("applicant", e.applicant_name);
  w.KV("outcome", e.outcome);
  w.KV("outcome_text", e.outcome_text);
  w.KV("as_of", e.as_of);
  w.KV("ruleset", e.ruleset);
  w.KV("rules_fingerprint", e.rules_fingerprint);
  w.KV("engine_version", e.engine_version);
  w.Key("benefit_fen");
  w.Int(e.benefit_fen);
  w.KV("benefit", e.benefit);
  w.Key("per_capita_income_fen");
  w.Int(e.per_capita_income_fen);
  w.KV("per_capita_income", e.per_capita_income);
  w.Key("counted_income_fen");
  w.Int(e.counted_income_fen);
  w.KV("counted_income", e.counted_income);
  w.KV("tier", e.tier);
  Values(w, "amounts", e.amounts);
  w.EndObject();

  w.Key("reasons");
  w.BeginArray();
  for (const ExplainedReason& r : e.reasons) {
    w.BeginObject();
    w.KV("rule_id", r.rule_id);
    w.KV("title", r.title);
    w.KV("citation", r.citation);
    w.KV("kind", r.kind);
    w.KV("kind_text", r.kind_text);
    w.KV("message", r.message);
    w.KV("location", r.location);
    Values(w, "values", r.values);
    w.EndObject();
  }
  w.EndArray();

  w.Key("other_rules");
  w.BeginArray();
  for (const CheckedRule& c : e.other_rules) {
    w.BeginObject();
    w.KV("rule_id", c.rule_id);
    w.KV("title", c.title);
    w.KV("citation", c.citation);
    w.KV("status", c.status);
    w.KV("result", c.result);
    w.Key("exceptions");
    w.BeginArray();
    for (const std::string& x : c.exceptions) w.String(x);
    w.EndArray();
    w.KV("location", c.location);
    Values(w, "values", c.values);
    w.EndObject();
  }
  w.EndArray();

  Steps(w, "income", e.income);
  Steps(w, "benefit", e.benefit_steps);
  Steps(w, "parameters", e.parameters);
  Steps(w, "other_values", e.other_values);

  w.Key("members");
  w.BeginArray();
  for (const ExplainedMember& m : e.members) {
    w.BeginObject();
    w.KV("name", m.name);
    w.KV("id_number", m.id_number);
    w.KV("relation", m.relation);
    w.Key("covered");
    w.Bool(m.covered);
    w.Key("applicant");
    w.Bool(m.applicant);
    w.EndObject();
  }
  w.EndArray();

  w.Key("missing_evidence");
  w.BeginArray();
  for (const ExplainedMissing& m : e.missing_evidence) {
    w.BeginObject();
    w.KV("field", m.field);
    w.KV("description", m.description);
    w.KV("needed_by", m.needed_by);
    w.KV("message", m.message);
    w.EndObject();
  }
  w.EndArray();

  w.Key("checks");
  w.BeginArray();
  for (const ExplainedCheck& c : e.checks) {
    w.BeginObject();
    w.KV("registry", c.registry);
    w.KV("origin", c.origin);
    w.KV("checked_on", c.checked_on);
    w.KV("reference", c.reference);
    w.KV("source", c.source);
    w.KV("persons", c.persons);
    w.EndObject();
  }
  w.EndArray();

  w.Key("faults");
  w.BeginArray();
  for (const ExplainedFault& f : e.faults) {
    w.BeginObject();
    w.KV("rule_id", f.rule_id);
    w.KV("message", f.message);
    w.EndObject();
  }
  w.EndArray();

  w.Key("notes");
  w.BeginArray();
  for (const std::string& s : e.notes) w.String(s);
  w.EndArray();
  Values(w, "bases", e.bases);
  w.Key("letter");
  w.BeginArray();
  for (const std::string& s : e.letter) w.String(s);
  w.EndArray();
  w.KV("objection", e.objection);
  w.KV("standard", e.standard);
  w.KV("standard_basis", e.standard_basis);
  w.KV("issuing_office", e.issuing_office);
  w.KV("contact_phone", e.contact_phone);
  // What to do about the missing documents, as the text and HTML letters say it.
  w.KV("bring_documents", e.audience == "applicant" && !e.missing_evidence.empty() ? BringDocuments(e) : "");
  w.EndObject();
  return w.Take();
}

}  // namespace heyan::explain_internal
