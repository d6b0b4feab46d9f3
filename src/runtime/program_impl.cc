// Evaluation of one application: rules in three phases (不符合 rules, then the others, then
// outputs), so 符合条件 is known before anything reads it; then the Decision is assembled.
#include "runtime/program_impl.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checker/schema.h"
#include "heyan/registry.h"
#include "runtime/subjects.h"

namespace heyan {

absl::StatusOr<v1::Decision> Program::Evaluate(const v1::Application& application, const Registries& registries,
                                               const EvalOptions& options) const {
  v1::Decision decision;
  absl::Status s = Evaluate(application, registries, options, &decision);
  if (!s.ok()) return s;
  return decision;
}

absl::StatusOr<v1::Decision> Program::Evaluate(const v1::VerificationRequest& request, const Registries& registries,
                                               const EvalOptions& options) const {
  v1::Decision decision;
  absl::Status s = Evaluate(request, registries, options, &decision);
  if (!s.ok()) return s;
  return decision;
}

}  // namespace heyan

namespace heyan::internal {
namespace {

v1::ReasonKind KindOf(ast::Outcome o) {
  switch (o) {
    case ast::Outcome::kIneligible: return v1::REASON_INELIGIBLE;
    case ast::Outcome::kReview: return v1::REASON_NEEDS_REVIEW;
    case ast::Outcome::kFlag: return v1::REASON_FLAG;
    case ast::Outcome::kMissing: return v1::REASON_MISSING_EVIDENCE;
  }
  return v1::REASON_KIND_UNSPECIFIED;
}

// One Frame per thread, reused across evaluations so the hot path does not allocate.
Frame& ThreadFrame() {
  thread_local Frame frame;
  return frame;
}

// The evaluation date: EvalOptions.as_of, else the request's, else the application's as_of,
// else its application_date. A date that is given but is not a date is an error naming the
// field (not "missing evidence": the application says something, and it is wrong); no date
// at all is missing evidence, reported by whatever needs it.
absl::Status ResolveAsOf(std::string_view option, std::string_view request, const v1::Application& application,
                         Frame* f) {
  std::string_view text, field;
  if (!option.empty()) {
    text = option, field = "EvalOptions.as_of";
  } else if (!request.empty()) {
    text = request, field = "as_of";
  } else if (!application.as_of().empty()) {
    text = application.as_of(), field = "application.as_of";
  } else {
    text = application.application_date(), field = "application.application_date";
  }
  f->as_of_known = false;
  if (text.empty()) return absl::OkStatus();
  // Batches usually share one as-of date: remember the last one parsed on this thread.
  thread_local std::string last_text;
  thread_local int32_t last_days = 0;
  if (text == last_text) {
    f->as_of = last_days;
  } else if (ParseDate(text, &f->as_of)) {
    last_text = std::string(text);
    last_days = f->as_of;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": “", std::string(text), "”不是 YYYY-MM-DD 格式的日期（评估日期用于选取当时有效的标准）"));
  }
  f->as_of_known = true;
  return absl::OkStatus();
}

// Decision.checks: the checks whose data the rules read, by registry in catalogue order, then
// by check (request checks in request order, then the loaded registry), each with the ID
// numbers looked up in first-use order.
void AddChecksUsed(const Frame& f, v1::Decision* decision) {
  if (f.check_uses.empty()) return;
  struct Entry {
    int registry, check;
    v1::CheckUsed* message;
  };
  std::vector<Entry> entries;
  auto order = [](int check) { return check == RegistryView::kLoaded ? INT32_MAX : check; };
  for (const CheckUse& use : f.check_uses) {
    bool seen = false;
    for (const Entry& e : entries) seen = seen || (e.registry == use.registry && e.check == use.check);
    if (!seen) entries.push_back(Entry{use.registry, use.check, nullptr});
  }
  std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    return a.registry != b.registry ? a.registry < b.registry : order(a.check) < order(b.check);
  });
  const Schema& schema = Schema::Get();
  for (Entry& e : entries) {
    v1::CheckUsed* c = e.message = decision->add_checks();
    const auto* field = schema.RegistryField(e.registry);
    c->set_registry(field->name());
    c->set_registry_zh(schema.FieldName(field));
    RegistryView::Provenance p = f.registries.ProvenanceOf(e.registry, e.check);
    c->set_checked_on(std::string(p.checked_on));
    c->set_reference(std::string(p.reference));
    c->set_source(std::string(p.source));
    c->set_origin(e.check == RegistryView::kLoaded ? v1::CheckUsed::LOADED : v1::CheckUsed::REQUEST);
  }
  for (const CheckUse& use : f.check_uses) {
    for (Entry& e : entries) {
      if (e.registry != use.registry || e.check != use.check) continue;
      auto* ids = e.message->mutable_id_numbers();
      if (std::find(ids->begin(), ids->end(), use.id) == ids->end()) e.message->add_id_numbers(std::string(use.id));
      break;
    }
  }
}

// ---- whose data a value shows (runtime/subjects.h) ----

// Calls fn on every node of the tree at `root`, with an explicit stack (rule authors control
// the depth).
template <typename Fn>
void ForEachExpr(const TExpr* root, Fn&& fn) {
  std::vector<const TExpr*> stack;
  if (root != nullptr) stack.push_back(root);
  while (!stack.empty()) {
    const TExpr* e = stack.back();
    stack.pop_back();
    fn(*e);
    for (const auto& a : e->args) {
      if (a) stack.push_back(a.get());
    }
  }
}

bool Binds(const TExpr& e) {
  return (e.kind == TKind::kFilter || e.kind == TKind::kQuant || e.kind == TKind::kAggregate) && e.slot >= 0;
}

// Slots bound to plain values (not messages) drawn from persons' data.
std::vector<bool> PersonScalarSlots(const CheckedProgram& p) {
  std::vector<bool> out(std::max(p.slot_count, 0), false);
  auto person_scalars = [](const TExpr* coll) {
    if (coll == nullptr || (coll->type.elem && coll->type.elem->kind == TypeKind::kMessage)) return false;
    bool personal = false;
    ForEachExpr(coll, [&](const TExpr& e) {
      if (e.kind == TKind::kRegistryFetch || (e.kind == TKind::kField && e.field != nullptr && IsPersonalType(e.field->containing_type()))) {
        personal = true;
      }
    });
    return personal;
  };
  auto mark = [&](const TExpr* root) {
    ForEachExpr(root, [&](const TExpr& e) {
      if (Binds(e) && e.slot < static_cast<int>(out.size()) && !e.args.empty() && person_scalars(e.args[0].get())) {
        out[e.slot] = true;
      }
    });
  };
  for (const CheckedRule& r : p.rules) {
    if (r.each_slot >= 0 && r.each_slot < static_cast<int>(out.size()) && person_scalars(r.each.get())) out[r.each_slot] = true;
    mark(r.each.get());
    mark(r.condition.get());
    for (const CheckedException& x : r.exceptions) mark(x.condition.get());
    for (const CheckedMessagePart& m : r.message) mark(m.expr.get());
  }
  for (const CheckedDecl& d : p.decls) {
    mark(d.expr.get());
    for (const auto& in : d.inputs) mark(in.get());
    for (const CheckedRow& row : d.rows) {
      for (const CheckedCell& c : row.cells) {
        mark(c.a.get());
        mark(c.b.get());
      }
      mark(row.result.get());
    }
    mark(d.otherwise.get());
  }
  return out;
}

// Adds the items a value lists (a message, or a list of messages) to `reads`.
void NoteShownItems(const Value& v, std::vector<const google::protobuf::Message*>* reads) {
  if (v.kind == TypeKind::kMessage && v.message != nullptr) reads->push_back(v.message);
  if (v.kind != TypeKind::kList || v.list == nullptr) return;
  for (const Value& item : v.list->items) {
    if (item.kind == TypeKind::kMessage && item.message != nullptr) reads->push_back(item.message);
  }
}

}  // namespace

ProgramImpl::ProgramImpl(ProgramParts parts)
    : checked_(std::move(parts.checked)),
      decls_(std::move(parts.decls)),
      rules_(std::move(parts.rules)),
      decl_evidence_(std::move(parts.decl_evidence)),
      fingerprint_(std::move(parts.fingerprint)),
      declarations_(std::move(parts.declarations)),
      warnings_(std::move(parts.warnings)) {
  for (size_t r = 0; r < checked_->rules.size(); ++r) {
    const CheckedRule& rule = checked_->rules[r];
    if (!rule.live) continue;
    (rule.outcome == ast::Outcome::kIneligible ? ineligible_rules_ : other_rules_).push_back(static_cast<int>(r));
  }
  for (size_t d = 0; d < checked_->decls.size(); ++d) {
    if (checked_->decls[d].live && checked_->decls[d].kind == ast::DeclKind::kOutput) {
      outputs_.push_back(static_cast<int>(d));
    }
  }
  person_scalar_slot_ = PersonScalarSlots(*checked_);
  // The texts explanations render (messages, evidence), decided once here rather than per
  // rendering.
  if (std::find(person_scalar_slot_.begin(), person_scalar_slot_.end(), true) != person_scalar_slot_.end()) {
    auto note = [&](const TExpr* e) {
      if (e != nullptr && ReadsPersonScalarSlot(*e)) person_scalar_texts_.insert(e);
    };
    for (const CheckedRule& r : checked_->rules) {
      for (const CheckedMessagePart& m : r.message) note(m.expr.get());
      for (const TExpr* e : r.evidence) note(e);
    }
    for (const CheckedDecl& d : checked_->decls) {
      for (const TExpr* e : d.evidence) note(e);
    }
  }
}

bool ProgramImpl::ReadsPersonScalarSlot(const TExpr& root) const {
  std::vector<int> bound, used;
  ForEachExpr(&root, [&](const TExpr& e) {
    if (e.kind == TKind::kSlot) used.push_back(e.slot);
    if (Binds(e)) bound.push_back(e.slot);
  });
  for (int s : used) {
    if (s >= 0 && s < static_cast<int>(person_scalar_slot_.size()) && person_scalar_slot_[s] &&
        std::find(bound.begin(), bound.end(), s) == bound.end()) {
      return true;
    }
  }
  return false;
}

bool ProgramImpl::EvalDecl(Frame& f, int index, Value* out) const {
  NamedState& s = f.named[index];
  if (s.state == 2) {
    *out = s.value;
    return true;
  }
  if (s.state == 3) {
    f.last_cause = s.cause;
    return false;
  }
  if (s.state == 1) return f.Fault("内部错误：定义循环");  // the checker rejects cycles
  s.state = 1;
  Value v;
  const int saved_decl = f.current_decl;
  f.current_decl = index;
  // Named values are household figures (runtime/subjects.h): what they read is not noted.
  std::vector<const google::protobuf::Message*>* reads = f.reads;
  f.reads = nullptr;
  bool ok = ComputeDecl(f, index, &v);
  f.reads = reads;
  f.current_decl = saved_decl;
  NamedState& after = f.named[index];  // (the vector is never resized during evaluation)
  if (ok) {
    after.state = 2;
    after.value = v;
    *out = v;
  } else {
    after.state = 3;
    after.cause = f.last_cause;
  }
  return ok;
}

bool ProgramImpl::ComputeDecl(Frame& f, int index, Value* out) const {
  const CheckedDecl& d = checked_->decls[index];
  switch (d.kind) {
    case ast::DeclKind::kParameter: {
      if (d.dated.size() == 1 && d.dated[0].from == INT32_MIN) {
        *out = d.dated[0].value;
        return true;
      }
      if (!f.as_of_known) return f.Missing("评估日期", absl::StrCat("参数“", d.name, "”按日期取值"));
      for (auto it = d.dated.rbegin(); it != d.dated.rend(); ++it) {
        if (it->from <= f.as_of) {
          *out = it->value;
          return true;
        }
      }
      return f.Missing("评估日期", absl::StrCat("评估日期 ", FormatDate(f.as_of), " 早于参数“", d.name,
                                            "”最早的生效日期 ", FormatDate(d.dated.front().from)));
    }
    case ast::DeclKind::kValue:
    case ast::DeclKind::kOutput: {
      if (!decls_[index].value->Eval(f, out)) return false;
      if (d.type.kind == TypeKind::kDecimal && out->kind == TypeKind::kInt) *out = Value::Decimal(Rational::Int(out->i));
      return true;
    }
    case ast::DeclKind::kTable:
      return EvalTable(f, index, out);
  }
  return false;
}

bool ProgramImpl::EvalTable(Frame& f, int index, Value* out) const {
  const CheckedDecl& d = checked_->decls[index];
  const DeclPlan& plan = decls_[index];
  Value inputs[16];
  std::vector<Value> more;
  Value* in = inputs;
  if (plan.inputs.size() > 16) {
    more.resize(plan.inputs.size());
    in = more.data();
  }
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    if (!plan.inputs[k]->Eval(f, &in[k])) return false;
  }
  int hit = -1;
  for (size_t r = 0; r < plan.rows.size(); ++r) {
    bool all = true;
    for (size_t k = 0; k < plan.rows[r].cells.size() && all; ++k) {
      const CellPlan& cell = plan.rows[r].cells[k];
      Value a, b;
      switch (cell.kind) {
        case ast::CellKind::kAny:
          break;
        case ast::CellKind::kEqual:
          if (!cell.a->Eval(f, &a)) return false;
          all = ValuesEqual(in[k], a);
          break;
        case ast::CellKind::kCompare: {
          if (!cell.a->Eval(f, &a)) return false;
          if (cell.op == ast::Op::kEq || cell.op == ast::Op::kNe) {
            all = ValuesEqual(in[k], a) == (cell.op == ast::Op::kEq);
          } else {
            int c = CompareValues(in[k], a);
            all = cell.op == ast::Op::kLt ? c < 0 : cell.op == ast::Op::kLe ? c <= 0 : cell.op == ast::Op::kGt ? c > 0 : c >= 0;
          }
          break;
        }
        case ast::CellKind::kRange: {
          if (!cell.a->Eval(f, &a) || !cell.b->Eval(f, &b)) return false;
          int lo = CompareValues(in[k], a), hi = CompareValues(in[k], b);
          all = (cell.lo_closed ? lo >= 0 : lo > 0) && (cell.hi_closed ? hi <= 0 : hi < 0);
          break;
        }
        case ast::CellKind::kIn:
        case ast::CellKind::kNotIn: {
          bool found = false;
          const Value& x = in[k];
          if (!cell.a->ForEach(f, [&](const Value& v) {
                if (ValuesEqual(x, v)) {
                  found = true;
                  return Step::kStop;
                }
                return Step::kContinue;
              }))
            return false;
          all = found == (cell.kind == ast::CellKind::kIn);
          break;
        }
      }
    }
    if (!all) continue;
    if (hit < 0) {
      hit = static_cast<int>(r);
      if (d.first_hit) break;
    } else {
      return f.Fault(absl::StrCat("决策表“", d.name, "”第 ", hit + 1, " 行和第 ", r + 1, " 行同时适用（命中 唯一）"));
    }
  }
  const Node* result = hit >= 0 ? plan.rows[hit].result.get() : plan.otherwise.get();
  if (result == nullptr) return f.Fault(absl::StrCat("决策表“", d.name, "”没有适用的行"));
  if (f.named_trace != nullptr) (*f.named_trace)[index] = hit;
  if (!result->Eval(f, out)) return false;
  if (d.type.kind == TypeKind::kDecimal && out->kind == TypeKind::kInt) *out = Value::Decimal(Rational::Int(out->i));
  return true;
}

int ProgramImpl::EvalRule(Frame& f, int index, std::vector<std::string>* excepted) const {
  const CheckedRule& rule = checked_->rules[index];
  const RulePlan& plan = rules_[index];
  // Decides the rule for the current bindings: 1 applies, 0 not, -1 unknown.
  auto decide = [&]() -> int {
    Value c;
    if (!plan.condition->Eval(f, &c)) return -1;
    if (!c.b) return 0;
    for (size_t e = 0; e < plan.exceptions.size(); ++e) {
      Value x;
      if (!plan.exceptions[e]->Eval(f, &x)) return -1;
      if (x.b) {
        if (excepted != nullptr) excepted->push_back(rule.exceptions[e].title);
        return 0;
      }
    }
    return 1;
  };
  if (!plan.each) return decide();
  int result = 0;
  int unknown_cause = -1;
  const int slot = rule.each_slot;
  bool ok = plan.each->ForEach(f, [&](const Value& item) {
    f.slots[slot] = item;
    int r = decide();
    if (r == 1) {
      result = 1;
      return Step::kStop;  // the slot keeps the item, for the message
    }
    if (r < 0 && unknown_cause < 0) unknown_cause = f.last_cause;
    return Step::kContinue;
  });
  if (!ok) return -1;
  if (result == 1) return 1;
  if (unknown_cause >= 0) {
    f.last_cause = unknown_cause;
    return -1;
  }
  return 0;
}

std::string ProgramImpl::Render(Frame& f, const Node& node, google::protobuf::RepeatedPtrField<std::string>* subjects) const {
  Value v;
  int saved = f.last_cause;
  // Re-reading a value for an explanation must not record its items a second time.
  std::vector<ItemRecord>* items = f.items;
  f.items = nullptr;
  // (Render is not re-entered: named values it reads compute without noting reads.)
  std::vector<const google::protobuf::Message*>& reads = f.read_buffer;
  reads.clear();
  std::vector<const google::protobuf::Message*>* saved_reads = f.reads;
  f.reads = subjects != nullptr ? &reads : nullptr;
  bool ok = node.Eval(f, &v);
  f.reads = saved_reads;
  f.items = items;
  if (subjects != nullptr) {
    if (ok) NoteShownItems(v, &reads);
    AddSubjects(f.subjects, reads, subjects);
    if (person_scalar_texts_.contains(&node.expr())) AddSubject(kUnknownSubject, subjects);
  }
  if (!ok) {
    f.last_cause = saved;
    return f.english ? "(unknown)" : "（无法确定）";
  }
  return FormatValue(v, node.expr().type, f.english);
}

void ProgramImpl::AddReason(Frame& f, int index, v1::Decision* decision) const {
  const CheckedRule& rule = checked_->rules[index];
  const RulePlan& plan = rules_[index];
  v1::Reason* reason = decision->add_reasons();
  reason->set_rule_id(rule.id);
  reason->set_title(rule.title);
  reason->set_citation(rule.basis);
  reason->set_kind(KindOf(rule.outcome));
  reason->set_location(absl::StrCat(rule.file, ":", rule.line));
  std::string message;
  for (size_t k = 0; k < rule.message.size(); ++k) {
    if (plan.message[k]) {
      message += Render(f, *plan.message[k], reason->mutable_subjects());
    } else {
      message += rule.message[k].text;
    }
  }
  if (message.empty()) message = rule.title;
  reason->set_message(message);
  for (size_t k = 0; k < plan.evidence.size(); ++k) {
    v1::NamedValue* nv = reason->add_values();
    nv->set_name(rule.evidence[k]->source);
    nv->set_value(Render(f, *plan.evidence[k], nv->mutable_subjects()));
    for (const std::string& s : nv->subjects()) AddSubject(s, reason->mutable_subjects());
  }
  AddEachSubject(f, index, reason->mutable_subjects());
}

void ProgramImpl::AddEachSubject(Frame& f, int index, google::protobuf::RepeatedPtrField<std::string>* subjects) const {
  // A per-item rule (每个) is about the item it applied to, named in its message or not.
  const int slot = checked_->rules[index].each_slot;
  if (!rules_[index].each || slot < 0) return;
  const Value& item = f.slots[slot];
  if (item.kind == TypeKind::kMessage && item.message != nullptr) {
    AddSubject(f.subjects.Of(*item.message), subjects);
  } else if (person_scalar_slot_[slot]) {
    AddSubject(kUnknownSubject, subjects);
  }
}

absl::Status ProgramImpl::EvaluateImpl(const EvalInput& input, const Registries& registries,
                                       const EvalOptions& options, v1::Decision* decision) const {
  decision->Clear();
  const v1::Application& application = *input.application;
  Frame& f = ThreadFrame();
  f.application = &application;
  if (absl::Status s = f.registries.Reset(&registries, input.records); !s.ok()) return s;
  f.check_uses.clear();
  f.program = this;
  f.english = false;
  f.slots.assign(checked_->slot_count, Value());
  f.named.assign(checked_->decls.size(), NamedState());
  f.causes.clear();
  f.last_cause = -1;
  f.lists.clear();
  f.fetched.clear();
  f.eligible_state = 0;
  f.eligible_cause = -1;
  std::vector<int> table_hits;
  std::vector<ItemRecord> items;
  f.named_trace = nullptr;
  f.items = nullptr;
  f.reads = nullptr;
  f.subjects.Reset(&application);
  f.current_decl = -1;
  if (options.trace) {
    table_hits.assign(checked_->decls.size(), -1);
    f.named_trace = &table_hits;
    f.items = &items;
  }

  if (absl::Status s = ResolveAsOf(options.as_of, input.as_of, application, &f); !s.ok()) return s;

  decision->set_application_id(application.id());
  if (!input.request_id.empty()) decision->set_request_id(std::string(input.request_id));
  if (f.as_of_known) decision->set_as_of(FormatDate(f.as_of));
  decision->set_rules_fingerprint(fingerprint_);
  decision->set_engine_version(kEngineVersion);
  decision->set_ruleset(checked_->name);

  const size_t nrules = checked_->rules.size();
  f.rule_result.assign(nrules, 0);
  f.rule_cause.assign(nrules, -1);
  std::vector<int8_t>& result = f.rule_result;
  std::vector<int>& cause = f.rule_cause;
  std::vector<std::vector<std::string>> excepted;
  if (options.trace) excepted.resize(nrules);
  auto run = [&](int r) {
    result[r] = static_cast<int8_t>(EvalRule(f, r, options.trace ? &excepted[r] : nullptr));
    if (result[r] < 0) cause[r] = f.last_cause;
  };
  for (int r : ineligible_rules_) run(r);
  f.eligible_state = 1;
  for (int r : ineligible_rules_) {
    if (result[r] == 1) {
      f.eligible_state = 2;
      break;
    }
    if (result[r] < 0 && f.eligible_state == 1) {
      f.eligible_state = 3;
      f.eligible_cause = cause[r];
    }
  }
  for (int r : other_rules_) run(r);

  // Reasons, in rule-file order; message and values are rendered only for rules that apply.
  // Per-item rules are re-run so the item that applied is bound while the message renders.
  bool any_ineligible = false, any_review = false, any_missing = false, any_fault = false;
  for (size_t r = 0; r < nrules; ++r) {
    if (result[r] != 1) continue;
    if (!options.explain) {
      v1::Reason* reason = decision->add_reasons();
      reason->set_rule_id(checked_->rules[r].id);
      reason->set_kind(KindOf(checked_->rules[r].outcome));
    } else {
      if (rules_[r].each) EvalRule(f, static_cast<int>(r), nullptr);
      AddReason(f, static_cast<int>(r), decision);
    }
    switch (checked_->rules[r].outcome) {
      case ast::Outcome::kIneligible: any_ineligible = true; break;
      case ast::Outcome::kReview: any_review = true; break;
      case ast::Outcome::kMissing: {
        any_missing = true;
        v1::MissingEvidence* m = decision->add_missing_evidence();
        m->set_field(checked_->rules[r].title);
        m->set_needed_by(checked_->rules[r].id);
        m->set_message(decision->reasons(decision->reasons_size() - 1).message());
        break;
      }
      case ast::Outcome::kFlag: break;
    }
  }

  // Missing evidence and faults, merged by field so each missing input is listed once.
  std::map<std::string, v1::MissingEvidence*> missing_by_field;
  auto report = [&](int c, const std::string& needed_by) {
    if (c < 0 || c >= static_cast<int>(f.causes.size())) {
      any_fault = true;
      v1::RuleFault* fault = decision->add_faults();
      fault->set_rule_id(needed_by);
      fault->set_message("无法判断（原因未记录）");
      return;
    }
    const Cause& k = f.causes[c];
    if (k.fault) {
      any_fault = true;
      v1::RuleFault* fault = decision->add_faults();
      fault->set_rule_id(needed_by);
      fault->set_message(k.message);
      return;
    }
    any_missing = true;
    auto it = missing_by_field.find(k.field);
    if (it != missing_by_field.end()) {
      it->second->set_needed_by(absl::StrCat(it->second->needed_by(), "、", needed_by));
      return;
    }
    v1::MissingEvidence* m = decision->add_missing_evidence();
    m->set_field(k.field);
    m->set_needed_by(needed_by);
    m->set_message(k.message.empty() ? absl::StrCat("缺少材料：", k.field) : absl::StrCat("缺少材料：", k.field, "（", k.message, "）"));
    missing_by_field[k.field] = m;
  };
  for (size_t r = 0; r < nrules; ++r) {
    if (result[r] < 0) report(cause[r], checked_->rules[r].id);
  }

  // Outputs.
  for (int d : outputs_) {
    const CheckedDecl& decl = checked_->decls[d];
    Value v;
    if (!EvalDecl(f, d, &v)) {
      report(f.named[d].cause, decl.name);
      continue;
    }
    const bool money = decl.type.kind == TypeKind::kMoney;
    if (money && !v.r.is_integer()) {
      any_fault = true;
      v1::RuleFault* fault = decision->add_faults();
      fault->set_rule_id(decl.name);
      fault->set_message(absl::StrCat("输出“", decl.name, "”不是整分（", FormatMoney(v.r), "）：请用取整函数写明如何取整"));
      continue;
    }
    v1::Amount* amount = decision->add_amounts();
    amount->set_name(decl.name);
    amount->set_key(decl.key);
    if (money) amount->set_fen(v.r.num);
    if (options.explain || !money) amount->set_value(FormatValue(v, decl.type, f.english));
    if (options.explain && (v.kind == TypeKind::kMessage || v.kind == TypeKind::kList)) {
      std::vector<const google::protobuf::Message*> shown;
      NoteShownItems(v, &shown);
      AddSubjects(f.subjects, shown, amount->mutable_subjects());
    }
    const std::string& key = decl.key;
    if (key.empty()) continue;
    if (key == "counted_income") {
      decision->set_counted_income_fen(v.r.num);
    } else if (key == "per_capita_income") {
      decision->set_per_capita_income_fen(v.r.num);
    } else if (key == "benefit") {
      decision->set_benefit_fen(v.r.num);
    } else if (key == "standard") {
      decision->set_standard_fen(v.r.num);
    } else if (key == "tier") {
      decision->set_tier(FormatValue(v, decl.type, f.english));
    } else if (key == "covered_members" && v.list != nullptr) {
      const auto* id_field = Schema::Get().FindField(Schema::Get().application()->FindFieldByName("members")->message_type(), "id_number");
      for (const Value& m : v.list->items) {
        decision->add_covered_members(m.message->GetReflection()->GetString(*m.message, id_field));
      }
    }
  }

  v1::Outcome outcome = v1::ELIGIBLE;
  if (any_ineligible) {
    outcome = v1::INELIGIBLE;
  } else if (any_missing) {
    outcome = v1::MISSING_EVIDENCE;
  } else if (any_review || any_fault) {
    outcome = v1::NEEDS_REVIEW;
  }
  decision->set_outcome(outcome);
  AddChecksUsed(f, decision);

  if (options.trace) {
    for (size_t r = 0; r < nrules; ++r) {
      const CheckedRule& rule = checked_->rules[r];
      if (!rule.live) continue;
      v1::TraceStep* step = decision->add_trace();
      step->set_name(rule.id);
      step->set_kind("rule");
      step->set_title(rule.title);
      step->set_citation(rule.basis);
      step->set_location(absl::StrCat(rule.file, ":", rule.line));
      if (result[r] == 1) {
        step->set_result("适用");
      } else if (result[r] == 0) {
        step->set_result(excepted[r].empty() ? "不适用" : absl::StrCat("例外：", absl::StrJoin(excepted[r], "、")));
      } else {
        const Cause& k = f.causes[cause[r]];
        step->set_result(k.fault ? absl::StrCat("出错：", k.message) : absl::StrCat("缺少材料：", k.field));
      }
      for (size_t k = 0; k < rules_[r].evidence.size(); ++k) {
        v1::NamedValue* nv = step->add_inputs();
        nv->set_name(rule.evidence[k]->source);
        nv->set_value(Render(f, *rules_[r].evidence[k], nv->mutable_subjects()));
        for (const std::string& s : nv->subjects()) AddSubject(s, step->mutable_subjects());
      }
      if (result[r] == 1) AddEachSubject(f, static_cast<int>(r), step->mutable_subjects());
    }
    for (size_t d = 0; d < checked_->decls.size(); ++d) {
      const CheckedDecl& decl = checked_->decls[d];
      const NamedState& s = f.named[d];
      if (s.state < 2) continue;
      v1::TraceStep* step = decision->add_trace();
      step->set_name(decl.name);
      static const char* kKinds[] = {"parameter", "value", "output", "table"};
      step->set_kind(kKinds[static_cast<int>(decl.kind)]);
      step->set_location(absl::StrCat(decl.file, ":", decl.line));
      step->set_citation(decl.basis);
      if (decl.expr) step->set_formula(decl.expr->source);
      if (s.state == 2) {
        std::string text = FormatValue(s.value, decl.type, f.english);
        if (decl.kind == ast::DeclKind::kTable) {
          text = table_hits[d] >= 0 ? absl::StrCat(text, "（第 ", table_hits[d] + 1, " 行）") : absl::StrCat(text, "（否则）");
        }
        if (decl.kind == ast::DeclKind::kParameter && f.as_of_known) {
          // Which dated value applied: coverage and explanations cite it.
          for (auto it = decl.dated.rbegin(); it != decl.dated.rend(); ++it) {
            if (it->from <= f.as_of) {
              if (it->from != INT32_MIN) absl::StrAppend(&text, "（自 ", FormatDate(it->from), " 起）");
              step->set_citation(it->basis);
              break;
            }
          }
        }
        step->set_result(text);
      } else {
        const Cause& k = f.causes[s.cause];
        step->set_result(k.fault ? absl::StrCat("出错：", k.message) : absl::StrCat("缺少材料：", k.field));
      }
      if (s.state == 2 && (s.value.kind == TypeKind::kMessage || s.value.kind == TypeKind::kList)) {
        std::vector<const google::protobuf::Message*> shown;
        NoteShownItems(s.value, &shown);
        AddSubjects(f.subjects, shown, step->mutable_subjects());
      }
      for (size_t k = 0; k < decl_evidence_[d].size(); ++k) {
        v1::NamedValue* nv = step->add_inputs();
        nv->set_name(decl.evidence[k]->source);
        nv->set_value(Render(f, *decl_evidence_[d][k], nv->mutable_subjects()));
      }
    }
  }
  if (options.trace) {
    // Item by item: what each filter let through and what each aggregate added.
    for (const ItemRecord& r : items) {
      v1::TraceStep* step = decision->add_trace();
      const TExpr& e = *static_cast<const TExpr*>(r.expr);
      step->set_name(r.decl >= 0 ? checked_->decls[r.decl].name : "");
      step->set_kind(r.filter ? "filter" : "item");
      if (r.filter) {
        step->set_result(r.counted ? "计入" : "不计入");
      } else {
        step->set_result(FormatValue(r.value, e.args.size() > 1 ? e.args[1]->type : *e.args[0]->type.elem, f.english));
      }
      v1::NamedValue* item = step->add_inputs();
      item->set_name(absl::StrCat(e.var, "[", r.index + 1, "]"));
      item->set_value(FormatMessageFields(*r.item, f.english));
      const std::string_view owner = f.subjects.Of(*r.item);
      AddSubject(owner, item->mutable_subjects());
      AddSubject(owner, step->mutable_subjects());
      v1::NamedValue* rule = step->add_inputs();
      rule->set_name(r.filter ? "条件" : "取值");
      rule->set_value(r.filter ? e.args[1]->source : (e.args.size() > 1 ? e.args[1]->source : e.var));
      
    }
  }
  f.items = nullptr;
  f.named_trace = nullptr;
  f.fetched.clear();
  f.lists.clear();
  return absl::OkStatus();
}

}  // namespace heyan::internal
