// Evaluation of one application: rules in three phases (不符合 rules, then the others, then
// outputs), so 符合条件 is known before anything reads it; then the Decision is assembled.
#include "runtime/program_impl.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/schema.h"
#include "common/typed_value.h"
#include "heyan/registry.h"
#include "heyan/v1/options.pb.h"
#include "runtime/interpreter.h"
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

// ---- writing into a reused Decision ----
//
// A Decision passed back to Evaluate again (the batch loop's case) still holds the last
// household's answer. Rather than clearing it and building every string anew, the writer
// overwrites it in place: a string is assigned only when it differs (rule ids, amount
// names, the fingerprint and the checks' provenance are the same household after
// household), elements of repeated fields are reused, and what is left over is removed
// (RemoveLast keeps the element for the next call). Every field is written or cleared;
// tests/runtime/program_impl_test.cc fills every field of a Decision with junk and checks
// that evaluating into it gives what evaluating into a new one gives.

[[gnu::always_inline]] inline void Put(std::string* s, std::string_view v) {
  if (s->size() != v.size() || std::memcmp(s->data(), v.data(), v.size()) != 0) s->assign(v.data(), v.size());
}

// Writes `v` rendered (FormatValue) into `field` through the frame's scratch string: neither
// allocates once both have grown to the size the value needs.
void PutValue(Frame& f, const Value& v, const Type& type, std::string* field) {
  f.text_scratch.clear();
  AppendValue(v, type, f.english, &f.text_scratch);
  Put(field, f.text_scratch);
}

// Cause `c` of this evaluation, as reported: with its field path written if it was named
// lazily (Frame::MissingField).
const Cause& ReportedCause(Frame& f, int c) {
  ResolveCauseField(f, &f.causes[c]);
  return f.causes[c];
}

// Element k of a repeated field: the existing one, or a new one at the end (k == size).
template <typename T>
T* Element(google::protobuf::RepeatedPtrField<T>* field, int k) {
  return k < field->size() ? field->Mutable(k) : field->Add();
}

template <typename T>
void Truncate(google::protobuf::RepeatedPtrField<T>* field, int n) {
  while (field->size() > n) field->RemoveLast();
}

template <typename T>
void ClearIfSet(google::protobuf::RepeatedPtrField<T>* field) {
  if (!field->empty()) field->Clear();
}

#define HEYAN_CLEAR_STRING(message, name) \
  if (!(message)->name().empty()) (message)->clear_##name()

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
// numbers looked up in first-use order. Strings are assigned into the Decision's reused
// fields (no temporaries): this runs for every household, lean or not.
void AddChecksUsed(Frame& f, v1::Decision* decision) {
  const std::vector<CheckUse>& uses = f.check_uses;
  if (uses.empty()) {
    ClearIfSet(decision->mutable_checks());
    return;
  }
  std::vector<Frame::CheckKey>& distinct = f.distinct_checks;  // reused: no allocation
  distinct.clear();
  auto order = [](int check) { return check == RegistryView::kLoaded ? INT32_MAX : check; };
  for (const CheckUse& use : uses) {
    bool seen = false;
    for (size_t k = 0; k < distinct.size() && !seen; ++k) {
      seen = distinct[k].registry == use.registry && distinct[k].check == use.check;
    }
    if (!seen) distinct.push_back(Frame::CheckKey{use.registry, use.check});
  }
  std::sort(distinct.begin(), distinct.end(), [&](const Frame::CheckKey& a, const Frame::CheckKey& b) {
    return a.registry != b.registry ? a.registry < b.registry : order(a.check) < order(b.check);
  });
  const Schema& schema = Schema::Get();
  auto* checks = decision->mutable_checks();
  for (size_t k = 0; k < distinct.size(); ++k) {
    const Frame::CheckKey& e = distinct[k];
    v1::CheckUsed* c = Element(checks, static_cast<int>(k));
    const auto* field = schema.RegistryField(e.registry);
    Put(c->mutable_registry(), field->name());
    const std::string& zh = field->options().GetExtension(v1::zh);
    Put(c->mutable_registry_zh(), zh.empty() ? field->name() : zh);  // as Schema::FieldName
    const RegistryView::Provenance p = f.registries.ProvenanceOf(e.registry, e.check);
    Put(c->mutable_checked_on(), p.checked_on);
    Put(c->mutable_reference(), p.reference);
    Put(c->mutable_source(), p.source);
    c->set_origin(e.check == RegistryView::kLoaded ? v1::CheckUsed::LOADED : v1::CheckUsed::REQUEST);
    auto* ids = c->mutable_id_numbers();
    int written = 0;
    for (size_t u = 0; u < uses.size(); ++u) {
      const CheckUse& use = uses[u];
      if (use.registry != e.registry || use.check != e.check) continue;
      bool seen = false;
      for (size_t v = 0; v < u && !seen; ++v) {
        seen = uses[v].registry == use.registry && uses[v].check == use.check && uses[v].id == use.id;
      }
      if (!seen) Put(Element(ids, written++), use.id);
    }
    Truncate(ids, written);
  }
  Truncate(checks, static_cast<int>(distinct.size()));
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

uint64_t NextProgramId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

ProgramImpl::ProgramImpl(ProgramParts parts)
    : id_(NextProgramId()),
      checked_(std::move(parts.checked)),
      plan_(std::move(parts.plan)),
      fingerprint_(std::move(parts.fingerprint)),
      declarations_(std::move(parts.declarations)),
      warnings_(std::move(parts.warnings)) {
  // protobuf builds decision.proto's descriptors on first use, which the first evaluation's
  // reflection on the Decision would otherwise pay for (about 770,000 instructions, a
  // visible delay on a service's first request).
  (void)v1::Decision::descriptor();
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
  for (const CheckedRule& rule : checked_->rules) rule_locations_.push_back(absl::StrCat(rule.file, ":", rule.line));
  output_keys_.assign(checked_->decls.size(), OutputKey::kNone);
  for (size_t d = 0; d < checked_->decls.size(); ++d) {
    const std::string& key = checked_->decls[d].key;
    output_keys_[d] = key == "counted_income"      ? OutputKey::kCountedIncome
                      : key == "per_capita_income" ? OutputKey::kPerCapitaIncome
                      : key == "benefit"           ? OutputKey::kBenefit
                      : key == "standard"          ? OutputKey::kStandard
                      : key == "tier"              ? OutputKey::kTier
                      : key == "covered_members"   ? OutputKey::kCoveredMembers
                                                   : OutputKey::kNone;
  }
  // Program::declarations() lists the live declarations, then the live rules.
  int32_t info = 0;
  decl_info_index_.assign(checked_->decls.size(), -1);
  for (size_t d = 0; d < checked_->decls.size(); ++d) {
    if (checked_->decls[d].live) decl_info_index_[d] = info++;
  }
  rule_info_index_.assign(checked_->rules.size(), -1);
  for (size_t r = 0; r < checked_->rules.size(); ++r) {
    if (checked_->rules[r].live) rule_info_index_[r] = info++;
  }
  // An evidence expression such as 家庭成员.单独申请 reads the item a 任一/其中/合计 or a
  // 每个 bound; the value it depends on is then the list the item was drawn from.
  std::vector<const TExpr*> slot_list(std::max(checked_->slot_count, 0), nullptr);
  auto note_binders = [&](const TExpr* root) {
    ForEachExpr(root, [&](const TExpr& e) {
      if (Binds(e) && e.slot < static_cast<int>(slot_list.size()) && !e.args.empty()) slot_list[e.slot] = e.args[0].get();
    });
  };
  for (const CheckedRule& r : checked_->rules) {
    if (r.each_slot >= 0 && r.each_slot < static_cast<int>(slot_list.size())) slot_list[r.each_slot] = r.each.get();
    note_binders(r.each.get());
    note_binders(r.condition.get());
  }
  for (const CheckedDecl& d : checked_->decls) note_binders(d.expr.get());
  auto note_reads = [&](const TExpr* root) {
    std::vector<int32_t>& read = declarations_read_[root];
    std::vector<const TExpr*> pending = {root};
    std::vector<bool> slot_seen(slot_list.size(), false);
    while (!pending.empty()) {
      const TExpr* next = pending.back();
      pending.pop_back();
      ForEachExpr(next, [&](const TExpr& e) {
        if (e.kind == TKind::kSlot && e.slot >= 0 && e.slot < static_cast<int>(slot_list.size()) && !slot_seen[e.slot] &&
            slot_list[e.slot] != nullptr) {
          slot_seen[e.slot] = true;
          pending.push_back(slot_list[e.slot]);
        }
        if (e.kind != TKind::kDecl || e.decl < 0 || e.decl >= static_cast<int>(decl_info_index_.size())) return;
        const int32_t index = decl_info_index_[e.decl];
        if (index >= 0 && std::find(read.begin(), read.end(), index) == read.end()) read.push_back(index);
      });
    }
  };
  for (const CheckedRule& r : checked_->rules) {
    for (const TExpr* e : r.evidence) note_reads(e);
  }
  for (const CheckedDecl& d : checked_->decls) {
    for (const TExpr* e : d.evidence) note_reads(e);
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

// ---- named values ----

bool ProgramImpl::EvalDecl(Frame& f, int index, Value* out) const {
  NamedState& s = f.named[index];
  switch (s.state) {
    case DeclState::kDone:
      *out = s.value;
      return true;
    case DeclState::kFailed:
      f.last_cause = s.cause;
      return false;
    case DeclState::kComputing:
      return f.Fault("内部错误：定义循环");  // the checker rejects cycles
    case DeclState::kNotComputed:
      break;
  }
  s.state = DeclState::kComputing;
  Value v;
  const int saved_decl = f.current_decl;
  f.current_decl = index;
  // Named values are household figures (runtime/subjects.h): what they read is not noted.
  std::vector<const google::protobuf::Message*>* reads = f.reads;
  f.reads = nullptr;
  const bool ok = ComputeDecl(f, index, &v);
  f.reads = reads;
  f.current_decl = saved_decl;
  NamedState& after = f.named[index];  // (the vector is never resized during evaluation)
  if (ok) {
    after.state = DeclState::kDone;
    after.value = v;
    *out = v;
  } else {
    after.state = DeclState::kFailed;
    after.cause = f.last_cause;
  }
  return ok;
}

namespace {

// Runs `fn` and copies its result out.
inline bool RunInto(Frame& f, const Function& fn, Value* out) {
  if (!Run(f, fn)) return false;
  *out = f.regs[fn.result];
  return true;
}

}  // namespace

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
      if (!RunInto(f, plan_.decls[index].value, out)) return false;
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
  const DeclPlan& plan = plan_.decls[index];
  Value inputs[16];
  std::vector<Value> more;
  Value* in = inputs;
  if (plan.inputs.size() > 16) {
    more.resize(plan.inputs.size());
    in = more.data();
  }
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    if (!RunInto(f, plan.inputs[k], &in[k])) return false;
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
          if (!RunInto(f, cell.a, &a)) return false;
          all = ValuesEqual(in[k], a);
          break;
        case ast::CellKind::kCompare: {
          if (!RunInto(f, cell.a, &a)) return false;
          if (cell.op == ast::Op::kEq || cell.op == ast::Op::kNe) {
            all = ValuesEqual(in[k], a) == (cell.op == ast::Op::kEq);
          } else {
            int c = CompareValues(in[k], a);
            all = cell.op == ast::Op::kLt ? c < 0 : cell.op == ast::Op::kLe ? c <= 0 : cell.op == ast::Op::kGt ? c > 0 : c >= 0;
          }
          break;
        }
        case ast::CellKind::kRange: {
          if (!RunInto(f, cell.a, &a) || !RunInto(f, cell.b, &b)) return false;
          int lo = CompareValues(in[k], a), hi = CompareValues(in[k], b);
          all = (cell.lo_closed ? lo >= 0 : lo > 0) && (cell.hi_closed ? hi <= 0 : hi < 0);
          break;
        }
        case ast::CellKind::kIn:
        case ast::CellKind::kNotIn: {
          f.regs[plan.input] = in[k];
          if (!RunInto(f, cell.a, &a)) return false;
          all = a.b == (cell.kind == ast::CellKind::kIn);
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
  const Function& result = hit >= 0 ? plan.rows[hit].result : plan.otherwise;
  if (!result.valid()) return f.Fault(absl::StrCat("决策表“", d.name, "”没有适用的行"));
  if (f.tracing) f.table_hits[index] = hit;
  if (!RunInto(f, result, out)) return false;
  if (d.type.kind == TypeKind::kDecimal && out->kind == TypeKind::kInt) *out = Value::Decimal(Rational::Int(out->i));
  return true;
}

// ---- rules ----

RuleResult ProgramImpl::DecideRule(Frame& f, int index) const {
  const Function& fn = plan_.rules[index].decide;
  Run(f, fn);  // never fails: the verdict, -1 included, is in the result register
  return static_cast<RuleResult>(f.regs[fn.result].i);
}

void ProgramImpl::DecideRules(Frame& f) const {
  const size_t nrules = checked_->rules.size();
  f.rule_result.assign(nrules, RuleResult::kNotApplicable);
  f.rule_cause.assign(nrules, -1);
  auto run = [&](int r) {
    f.rule_result[r] = DecideRule(f, r);
    if (f.rule_result[r] == RuleResult::kUnknown) f.rule_cause[r] = f.last_cause;
  };
  for (int r : ineligible_rules_) run(r);
  f.eligible_state = Eligibility::kEligible;
  for (int r : ineligible_rules_) {
    if (f.rule_result[r] == RuleResult::kApplies) {
      f.eligible_state = Eligibility::kIneligible;
      break;
    }
    if (f.rule_result[r] == RuleResult::kUnknown && f.eligible_state == Eligibility::kEligible) {
      f.eligible_state = Eligibility::kUnknown;
      f.eligible_cause = f.rule_cause[r];
    }
  }
  for (int r : other_rules_) run(r);
}

bool ProgramImpl::RenderValue(Frame& f, const Function& fn, google::protobuf::RepeatedPtrField<std::string>* subjects,
                              Value* v) const {
  int saved = f.last_cause;
  // Re-reading a value for an explanation must not record its items a second time.
  const bool record_items = f.record_items;
  f.record_items = false;
  // (Render is not re-entered: named values it reads compute without noting reads.)
  std::vector<const google::protobuf::Message*>& reads = f.read_buffer;
  reads.clear();
  std::vector<const google::protobuf::Message*>* saved_reads = f.reads;
  f.reads = subjects != nullptr ? &reads : nullptr;
  const bool ok = RunInto(f, fn, v);
  f.reads = saved_reads;
  f.record_items = record_items;
  if (subjects != nullptr) {
    if (ok) NoteShownItems(*v, &reads);
    AddSubjects(f.subjects, reads, subjects);
    if (person_scalar_texts_.contains(fn.expr)) AddSubject(kUnknownSubject, subjects);
  }
  if (!ok) f.last_cause = saved;
  return ok;
}

std::string ProgramImpl::Render(Frame& f, const Function& fn, google::protobuf::RepeatedPtrField<std::string>* subjects) const {
  Value v;
  if (!RenderValue(f, fn, subjects, &v)) return f.english ? "(unknown)" : "（无法确定）";
  return FormatValue(v, fn.expr->type, f.english);
}

void ProgramImpl::RenderInput(Frame& f, const Function& fn, v1::NamedValue* nv, bool typed) const {
  // Every field is written (nv may be a reused one, see AddReason).
  Put(nv->mutable_name(), fn.expr->source);
  ClearIfSet(nv->mutable_subjects());
  Value v;
  const bool ok = RenderValue(f, fn, nv->mutable_subjects(), &v);
  nv->set_undetermined(!ok);
  if (ok) {
    Put(nv->mutable_value(), FormatValue(v, fn.expr->type, f.english));
    if (typed) {
      ToTypedValue(v, fn.expr->type, f.paths, nv->mutable_typed());
    } else if (nv->has_typed()) {
      nv->clear_typed();
    }
  } else {
    Put(nv->mutable_value(), f.english ? "(unknown)" : "（无法确定）");
    if (nv->has_typed()) nv->clear_typed();
  }
  nv->mutable_declarations()->Clear();
  if (!typed) return;
  auto read = declarations_read_.find(fn.expr);
  if (read != declarations_read_.end()) nv->mutable_declarations()->Add(read->second.begin(), read->second.end());
}

void ProgramImpl::AddReason(Frame& f, int index, v1::Reason* reason, bool explain) const {
  const CheckedRule& rule = checked_->rules[index];
  const RulePlan& plan = plan_.rules[index];
  Put(reason->mutable_rule_id(), rule.id);
  reason->set_kind(KindOf(rule.outcome));
  if (!explain) {
    // Lean: the rule id and kind; titles, messages and values are rendered only when asked.
    HEYAN_CLEAR_STRING(reason, title);
    HEYAN_CLEAR_STRING(reason, citation);
    HEYAN_CLEAR_STRING(reason, message);
    HEYAN_CLEAR_STRING(reason, location);
    ClearIfSet(reason->mutable_values());
    ClearIfSet(reason->mutable_subjects());
    return;
  }
  Put(reason->mutable_title(), rule.title);
  Put(reason->mutable_citation(), rule.basis);
  Put(reason->mutable_location(), rule_locations_[index]);
  ClearIfSet(reason->mutable_subjects());
  std::string message;
  for (size_t k = 0; k < rule.message.size(); ++k) {
    if (plan.message[k].valid()) {
      message += Render(f, plan.message[k], reason->mutable_subjects());
    } else {
      message += rule.message[k].text;
    }
  }
  if (message.empty()) message = rule.title;
  Put(reason->mutable_message(), message);
  // Values are overwritten in place (RenderInput sets every field), so a reused Decision
  // keeps their typed values' storage instead of freeing and allocating it again.
  for (size_t k = 0; k < plan.evidence.size(); ++k) {
    v1::NamedValue* nv = Element(reason->mutable_values(), static_cast<int>(k));
    // Typed only with a trace: they add a fifth to a full decision's JSON, and programs
    // that read values typed ask for the trace (explanations do).
    RenderInput(f, plan.evidence[k], nv, f.tracing);
    for (const std::string& s : nv->subjects()) AddSubject(s, reason->mutable_subjects());
  }
  Truncate(reason->mutable_values(), static_cast<int>(plan.evidence.size()));
  AddEachSubject(f, index, reason->mutable_subjects());
}

void ProgramImpl::AddEachSubject(Frame& f, int index, google::protobuf::RepeatedPtrField<std::string>* subjects) const {
  // A per-item rule (每个) is about the item it applied to, named in its message or not.
  const int slot = checked_->rules[index].each_slot;
  if (!plan_.rules[index].each || slot < 0) return;
  const Value& item = f.regs[slot];
  if (item.kind == TypeKind::kMessage && item.message != nullptr) {
    AddSubject(f.subjects.Of(*item.message), subjects);
  } else if (person_scalar_slot_[slot]) {
    AddSubject(kUnknownSubject, subjects);
  }
}

// ---- one evaluation ----

absl::Status ProgramImpl::BeginEvaluation(Frame& f, const EvalInput& input, const Registries& registries,
                                          const EvalOptions& options) const {
  const v1::Application& application = *input.application;
  f.application = &application;
  if (absl::Status s = f.registries.Reset(&registries, input.records); !s.ok()) return s;
  f.check_uses.clear();
  f.program = this;
  f.plan = &plan_;
  f.english = false;
  if (f.constants_of != id_ || f.regs.size() != static_cast<size_t>(plan_.register_count)) {
    // Another program ran on this thread: load this one's constants (nothing writes them).
    f.regs.assign(plan_.register_count, Value());
    for (const auto& [reg, value] : plan_.constants) f.regs[reg] = value;
    f.constants_of = id_;
  }
  // Variable slots start unbound (an explanation of an item of an empty list reads one).
  std::fill(f.regs.begin(), f.regs.begin() + std::max(checked_->slot_count, 0), Value());
  f.named.assign(checked_->decls.size(), NamedState());
  f.causes.clear();
  f.last_cause = -1;
  f.lists_used = 0;
  for (Registries::FetchBuffer& fetched : f.fetched) fetched.used = 0;
  f.eligible_state = Eligibility::kNotYetKnown;
  f.eligible_cause = -1;
  f.reads = nullptr;
  f.subjects.Reset(&application);
  f.paths.Reset(&application);
  f.current_decl = -1;
  f.tracing = options.trace;
  f.record_items = options.trace;
  f.record_exceptions = options.trace;
  f.items.clear();
  f.item_counts.clear();
  f.omitted.clear();
  if (options.trace) {
    f.table_hits.assign(checked_->decls.size(), -1);
    f.excepted.resize(checked_->rules.size());
    for (auto& e : f.excepted) e.clear();
  }
  return ResolveAsOf(options.as_of, input.as_of, application, &f);
}

void ProgramImpl::AddReasons(Frame& f, const EvalOptions& options, v1::Decision* decision, Tally* tally) const {
  // Rule-file order; message and values are rendered only for rules that apply. Per-item
  // rules are re-run so the item that applied is bound while the message renders.
  const bool record_exceptions = f.record_exceptions;
  f.record_exceptions = false;
  auto* reasons = decision->mutable_reasons();
  int written = 0;
  for (size_t r = 0; r < checked_->rules.size(); ++r) {
    if (f.rule_result[r] != RuleResult::kApplies) continue;
    const CheckedRule& rule = checked_->rules[r];
    if (options.explain && plan_.rules[r].each) DecideRule(f, static_cast<int>(r));
    v1::Reason* reason = Element(reasons, written++);
    AddReason(f, static_cast<int>(r), reason, options.explain);
    switch (rule.outcome) {
      case ast::Outcome::kIneligible: tally->ineligible = true; break;
      case ast::Outcome::kReview: tally->review = true; break;
      case ast::Outcome::kMissing: {
        tally->missing = true;
        v1::MissingEvidence* m = decision->add_missing_evidence();
        m->set_field(rule.title);
        m->set_needed_by(rule.id);
        m->set_message(reason->message());
        break;
      }
      case ast::Outcome::kFlag: break;
    }
  }
  Truncate(reasons, written);
  f.record_exceptions = record_exceptions;
}

void ProgramImpl::AddUndecidedAndOutputs(Frame& f, const EvalOptions& options, v1::Decision* decision,
                                         Tally* tally) const {
  // Missing evidence and faults, merged by field so each missing input is listed once.
  std::map<std::string, v1::MissingEvidence*> missing_by_field;
  auto report = [&](int c, const std::string& needed_by) {
    if (c < 0 || c >= static_cast<int>(f.causes.size())) {
      tally->fault = true;
      v1::RuleFault* fault = decision->add_faults();
      fault->set_rule_id(needed_by);
      fault->set_message("无法判断（原因未记录）");
      return;
    }
    const Cause& k = ReportedCause(f, c);
    if (k.fault) {
      tally->fault = true;
      v1::RuleFault* fault = decision->add_faults();
      fault->set_rule_id(needed_by);
      fault->set_message(k.message);
      return;
    }
    tally->missing = true;
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
  for (size_t r = 0; r < checked_->rules.size(); ++r) {
    if (f.rule_result[r] == RuleResult::kUnknown) report(f.rule_cause[r], checked_->rules[r].id);
  }

  int amounts = 0;
  for (int d : outputs_) {
    const CheckedDecl& decl = checked_->decls[d];
    Value v;
    if (!EvalDecl(f, d, &v)) {
      report(f.named[d].cause, decl.name);
      continue;
    }
    const bool money = decl.type.kind == TypeKind::kMoney;
    if (money && !v.r.is_integer()) {
      tally->fault = true;
      v1::RuleFault* fault = decision->add_faults();
      fault->set_rule_id(decl.name);
      fault->set_message(absl::StrCat("输出“", decl.name, "”不是整分（", FormatMoney(v.r), "）：请用取整函数写明如何取整"));
      continue;
    }
    v1::Amount* amount = Element(decision->mutable_amounts(), amounts++);
    Put(amount->mutable_name(), decl.name);
    Put(amount->mutable_key(), decl.key);
    amount->set_fen(money ? v.r.num : 0);
    if (options.explain || !money) {
      PutValue(f, v, decl.type, amount->mutable_value());
    } else {
      HEYAN_CLEAR_STRING(amount, value);
    }
    ClearIfSet(amount->mutable_subjects());
    if (options.trace) {  // as Reason.values (see AddReason)
      ToTypedValue(v, decl.type, f.paths, amount->mutable_typed());
    } else if (amount->has_typed()) {
      amount->clear_typed();
    }
    if (options.explain && (v.kind == TypeKind::kMessage || v.kind == TypeKind::kList)) {
      std::vector<const google::protobuf::Message*> shown;
      NoteShownItems(v, &shown);
      AddSubjects(f.subjects, shown, amount->mutable_subjects());
    }
    switch (output_keys_[d]) {
      case OutputKey::kNone: break;
      case OutputKey::kCountedIncome: decision->set_counted_income_fen(v.r.num); break;
      case OutputKey::kPerCapitaIncome: decision->set_per_capita_income_fen(v.r.num); break;
      case OutputKey::kBenefit: decision->set_benefit_fen(v.r.num); break;
      case OutputKey::kStandard: decision->set_standard_fen(v.r.num); break;
      case OutputKey::kTier: PutValue(f, v, decl.type, decision->mutable_tier()); break;
      case OutputKey::kCoveredMembers: {
        if (v.list == nullptr) break;
        const auto* id_field = Schema::Get().FindField(
            Schema::Get().application()->FindFieldByName("members")->message_type(), "id_number");
        for (const Value& m : v.list->items) {
          decision->add_covered_members(
              m.message->GetReflection()->GetStringReference(*m.message, id_field, &f.text_scratch));
        }
        break;
      }
    }
  }
  Truncate(decision->mutable_amounts(), amounts);
}

namespace {

// The expression a traced item was tested or valued by: a filter's condition, an
// aggregate's per-item value (the item itself when it is summed as is).
const std::string& ItemRule(const TExpr& e, bool filter) {
  return filter || e.args.size() > 1 ? e.args[1]->source : e.var;
}

// A rule or value that could not be decided: missing evidence or a fault, as text and typed.
void SetUndecided(const Cause& k, v1::TraceStep* step) {
  if (k.fault) {
    step->set_status(v1::TraceStep::FAULT);
    step->set_fault_message(k.message);
    step->set_result(absl::StrCat("出错：", k.message));
  } else {
    step->set_status(v1::TraceStep::MISSING);
    step->set_missing_field(k.field);
    step->set_result(absl::StrCat("缺少材料：", k.field));
  }
}

}  // namespace

void ProgramImpl::AddTrace(Frame& f, v1::Decision* decision) const {
  const size_t nrules = checked_->rules.size();
  for (size_t r = 0; r < nrules; ++r) {
    const CheckedRule& rule = checked_->rules[r];
    if (!rule.live) continue;
    v1::TraceStep* step = decision->add_trace();
    step->set_name(rule.id);
    step->set_kind("rule");
    step->set_title(rule.title);
    step->set_citation(rule.basis);
    step->set_location(rule_locations_[r]);
    step->set_step_kind(v1::TraceStep::STEP_RULE);
    step->set_declaration(rule_info_index_[r]);
    const RuleResult result = f.rule_result[r];
    if (result == RuleResult::kApplies) {
      step->set_status(v1::TraceStep::APPLIES);
      step->set_result("适用");
    } else if (result == RuleResult::kNotApplicable) {
      for (int e : f.excepted[r]) {
        step->add_exceptions(e);
        step->add_exception_titles(rule.exceptions[e].title);
      }
      const bool excepted = step->exceptions_size() > 0;
      step->set_status(excepted ? v1::TraceStep::EXCEPTED : v1::TraceStep::NOT_APPLICABLE);
      step->set_result(excepted ? absl::StrCat("例外：", absl::StrJoin(step->exception_titles(), "、")) : "不适用");
    } else {
      SetUndecided(ReportedCause(f, f.rule_cause[r]), step);
    }
    for (size_t k = 0; k < plan_.rules[r].evidence.size(); ++k) {
      v1::NamedValue* nv = step->add_inputs();
      RenderInput(f, plan_.rules[r].evidence[k], nv);
      for (const std::string& s : nv->subjects()) AddSubject(s, step->mutable_subjects());
    }
    if (result == RuleResult::kApplies) AddEachSubject(f, static_cast<int>(r), step->mutable_subjects());
  }
  for (size_t d = 0; d < checked_->decls.size(); ++d) {
    const CheckedDecl& decl = checked_->decls[d];
    const NamedState& s = f.named[d];
    if (s.state != DeclState::kDone && s.state != DeclState::kFailed) continue;
    v1::TraceStep* step = decision->add_trace();
    step->set_name(decl.name);
    static const char* kKinds[] = {"parameter", "value", "output", "table"};
    step->set_kind(kKinds[static_cast<int>(decl.kind)]);
    static const v1::TraceStep::StepKind kStepKinds[] = {v1::TraceStep::STEP_PARAMETER, v1::TraceStep::STEP_VALUE,
                                                         v1::TraceStep::STEP_OUTPUT, v1::TraceStep::STEP_TABLE};
    step->set_step_kind(kStepKinds[static_cast<int>(decl.kind)]);
    step->set_declaration(decl_info_index_[d]);
    step->set_location(absl::StrCat(decl.file, ":", decl.line));
    step->set_citation(decl.basis);
    if (decl.expr) step->set_formula(decl.expr->source);
    if (s.state == DeclState::kDone) {
      step->set_status(v1::TraceStep::COMPUTED);
      ToTypedValue(s.value, decl.type, f.paths, step->mutable_value());
      std::string text = FormatValue(s.value, decl.type, f.english);
      if (decl.kind == ast::DeclKind::kTable) {
        step->set_table_row(f.table_hits[d] + 1);
        text = f.table_hits[d] >= 0 ? absl::StrCat(text, "（第 ", f.table_hits[d] + 1, " 行）") : absl::StrCat(text, "（否则）");
      }
      if (decl.kind == ast::DeclKind::kParameter && f.as_of_known) {
        // Which dated value applied: coverage and explanations cite it.
        for (auto it = decl.dated.rbegin(); it != decl.dated.rend(); ++it) {
          if (it->from <= f.as_of) {
            if (it->from != INT32_MIN) {
              step->set_effective_from(FormatDate(it->from));
              absl::StrAppend(&text, "（自 ", step->effective_from(), " 起）");
            }
            step->set_citation(it->basis);
            break;
          }
        }
      }
      step->set_result(text);
    } else {
      SetUndecided(ReportedCause(f, s.cause), step);
    }
    if (s.state == DeclState::kDone && (s.value.kind == TypeKind::kMessage || s.value.kind == TypeKind::kList)) {
      std::vector<const google::protobuf::Message*> shown;
      NoteShownItems(s.value, &shown);
      AddSubjects(f.subjects, shown, step->mutable_subjects());
    }
    const DeclPlan& plan = plan_.decls[d];
    for (size_t k = 0; k < plan.evidence.size(); ++k) {
      v1::NamedValue* nv = step->add_inputs();
      RenderInput(f, plan.evidence[k], nv);
    }
  }
  // Item by item: what each filter let through and what each aggregate added.
  for (const ItemRecord& r : f.items) {
    v1::TraceStep* step = decision->add_trace();
    const TExpr& e = *static_cast<const TExpr*>(r.expr);
    step->set_name(r.decl >= 0 ? checked_->decls[r.decl].name : "");
    step->set_kind(r.filter ? "filter" : "item");
    step->set_step_kind(r.filter ? v1::TraceStep::STEP_FILTER : v1::TraceStep::STEP_ITEM);
    if (r.decl >= 0) step->set_declaration(decl_info_index_[r.decl]);
    if (r.filter) {
      step->set_status(r.counted ? v1::TraceStep::COUNTED : v1::TraceStep::NOT_COUNTED);
      step->set_result(r.counted ? "计入" : "不计入");
    } else {
      const Type& type = e.args.size() > 1 ? e.args[1]->type : *e.args[0]->type.elem;
      step->set_status(v1::TraceStep::COMPUTED);
      ToTypedValue(r.value, type, f.paths, step->mutable_value());
      step->set_result(FormatValue(r.value, type, f.english));
    }
    v1::ItemRef* ref = step->mutable_item();
    ref->set_type(r.item->GetDescriptor()->full_name());
    ref->set_index(r.index);
    f.paths.PathOf(*r.item, ref->mutable_path());
    v1::NamedValue* item = step->add_inputs();
    item->set_name(absl::StrCat(e.var, "[", r.index + 1, "]"));
    item->set_value(FormatMessageFields(*r.item, f.english));
    const std::string_view owner = f.subjects.Of(*r.item);
    AddSubject(owner, item->mutable_subjects());
    AddSubject(owner, step->mutable_subjects());
    v1::NamedValue* rule = step->add_inputs();
    rule->set_name(r.filter ? "条件" : "取值");
    rule->set_value(ItemRule(e, r.filter));
  }
  // How many items each filter or aggregate saw beyond the ones listed.
  for (const OmittedItems& o : f.omitted) {
    const TExpr& e = *static_cast<const TExpr*>(o.expr);
    const int64_t more = f.item_counts.at(std::make_pair(o.decl, o.expr)) - Frame::kMaxTracedItems;
    v1::TraceStep* step = decision->add_trace();
    step->set_name(o.decl >= 0 ? checked_->decls[o.decl].name : "");
    step->set_kind("items_omitted");
    step->set_step_kind(v1::TraceStep::STEP_ITEMS_OMITTED);
    if (o.decl >= 0) step->set_declaration(decl_info_index_[o.decl]);
    step->set_omitted_items(more);
    step->set_filter(o.filter);
    step->set_result(absl::StrCat("另有 ", more, " 项未逐项列出（每处最多列出 ", Frame::kMaxTracedItems, " 项）"));
    v1::NamedValue* count = step->add_inputs();
    count->set_name(o.filter ? "filter" : "item");
    count->set_value(absl::StrCat(more));
    v1::NamedValue* rule = step->add_inputs();
    rule->set_name(o.filter ? "条件" : "取值");
    rule->set_value(ItemRule(e, o.filter));
  }
}

// The fields written only now and then (or appended to) start empty; the rest are
// overwritten as the evaluation writes them.
void ProgramImpl::ResetDecision(v1::Decision* decision) {
  decision->set_outcome(v1::OUTCOME_UNSPECIFIED);
  decision->set_counted_income_fen(0);
  decision->set_per_capita_income_fen(0);
  decision->set_benefit_fen(0);
  decision->set_standard_fen(0);
  HEYAN_CLEAR_STRING(decision, tier);
  ClearIfSet(decision->mutable_covered_members());
  ClearIfSet(decision->mutable_missing_evidence());
  ClearIfSet(decision->mutable_faults());
  ClearIfSet(decision->mutable_trace());
}

absl::Status ProgramImpl::EvaluateImpl(const EvalInput& input, const Registries& registries,
                                       const EvalOptions& options, v1::Decision* decision) const {
  Frame& f = ThreadFrame();
  // A Decision this thread did not write last (a new one, or one from elsewhere that may
  // hold fields the writer does not expect, e.g. unknown ones) is cleared first.
  if (decision != f.last_decision ||
      !decision->GetReflection()->GetUnknownFields(*decision).empty()) {
    decision->Clear();
  }
  f.last_decision = nullptr;
  if (absl::Status s = BeginEvaluation(f, input, registries, options); !s.ok()) {
    decision->Clear();
    return s;
  }
  f.last_decision = decision;
  ResetDecision(decision);

  Put(decision->mutable_application_id(), input.application->id());
  if (!input.request_id.empty()) {
    Put(decision->mutable_request_id(), input.request_id);
  } else {
    HEYAN_CLEAR_STRING(decision, request_id);
  }
  if (f.as_of_known) {
    Put(decision->mutable_as_of(), f.AsOfText());
  } else {
    HEYAN_CLEAR_STRING(decision, as_of);
  }
  Put(decision->mutable_rules_fingerprint(), fingerprint_);
  Put(decision->mutable_engine_version(), kEngineVersion);
  Put(decision->mutable_ruleset(), checked_->name);

  DecideRules(f);
  Tally tally;
  AddReasons(f, options, decision, &tally);
  AddUndecidedAndOutputs(f, options, decision, &tally);

  v1::Outcome outcome = v1::ELIGIBLE;
  if (tally.ineligible) {
    outcome = v1::INELIGIBLE;
  } else if (tally.missing) {
    outcome = v1::MISSING_EVIDENCE;
  } else if (tally.review || tally.fault) {
    outcome = v1::NEEDS_REVIEW;
  }
  decision->set_outcome(outcome);
  AddChecksUsed(f, decision);
  if (options.trace) AddTrace(f, decision);
  f.lists_used = 0;
  return absl::OkStatus();
}

}  // namespace heyan::internal
