// The planner: checked program -> flat plan (runtime/plan.h).
//
// Each expression compiles to straight-line code into registers. Where the node tree it
// replaces passed items to a callback (a filter feeding a sum, a quantifier over a list of
// lists), the consumer's code is emitted as the body of the producer's loop: "continue" is
// falling through to the loop's next instruction, "stop" a jump past every loop, "fail" a
// jump to the handler in force. A body that two loops share (the branches of 如果 … 则 …
// 否则 …, or the items of a list literal) is emitted once as a subroutine (kCallSub /
// kRetSub), so code size stays linear in the rule text.
//
// The order in which instructions read fields, record trace items and note reads is the
// order the node tree did; tests/runtime and the shipped cases' decisions (tools:
// tests/runtime/decision_dump.cc) hold the two to the same output.
#include "compiler/planner.h"

#include <algorithm>

#include "absl/functional/function_ref.h"

namespace heyan::internal {
namespace {

using ast::Op;

struct Label {
  int id = -1;
};

// Which operand of an instruction a label is patched into.
enum class Slot { kA, kB, kC, kD, kFail };

using Body = absl::FunctionRef<void(Reg item, Label cont)>;

class Emitter {
 public:
  Emitter(CheckedProgram* program, Plan* plan) : program_(*program), plan_(*plan) {
    next_reg_ = std::max(program->slot_count, 0);
  }

  // ---- functions ----

  // A function computing `e`. `render`: a message part or evidence, run only while an
  // explanation renders (Render in program_impl.cc): it notes which messages it reads
  // (subjects.h) and records no trace items. Everything else runs with neither.
  Function Compile(const TExpr& e, bool render = false) {
    render_ = render;
    Function fn;
    fn.expr = &e;
    fn.entry = Here();
    Label fail = NewLabel();
    fn.result = Eval(e, fail);
    Emit(OpCode::kRet);
    Bind(fail);
    Emit(OpCode::kRetFail);
    return fn;
  }

  // A function telling whether register `input` is (by ValuesEqual) in the list `list`:
  // the 属于 / 不属于 cells of decision tables.
  Function CompileIn(const TExpr& list, Reg input) {
    render_ = false;
    Function fn;
    fn.expr = &list;
    fn.entry = Here();
    Label fail = NewLabel(), found = NewLabel(), done = NewLabel();
    fn.result = NewReg();
    Emit(OpCode::kSetBool, fn.result, 0);
    ForEach(list, false, fail, [&](Reg item, Label) {
      Reg eq = NewReg();
      Emit(OpCode::kEqual, eq, input, item, 0, static_cast<uint8_t>(Op::kEq));
      JumpIf(true, eq, found);
    });
    Jump(done);
    Bind(found);
    Emit(OpCode::kSetBool, fn.result, 1);
    Bind(done);
    Emit(OpCode::kRet);
    Bind(fail);
    Emit(OpCode::kRetFail);
    return fn;
  }

  // A rule's decision (RulePlan::decide): 1 applies, 0 not, -1 unknown, in an integer register.
  Function CompileRule(const CheckedRule& rule, int index) {
    render_ = false;
    Function fn;
    fn.expr = rule.condition.get();
    fn.entry = Here();
    fn.result = NewReg();
    Label applies = NewLabel(), zero = NewLabel(), unknown = NewLabel();
    if (!rule.each) {
      Decide(rule, index, applies, zero, unknown);
    } else {
      const Reg unknown_cause = NewReg();
      Emit(OpCode::kSetInt, unknown_cause, -1);
      ForEach(*rule.each, false, unknown, [&](Reg item, Label cont) {
        if (item != rule.each_slot) Emit(OpCode::kMove, rule.each_slot, item);
        Label item_unknown = NewLabel();
        Decide(rule, index, applies, cont, item_unknown);
        Bind(item_unknown);
        Emit(OpCode::kSaveCauseOnce, unknown_cause);
        Jump(cont);
      }, rule.each_slot);
      JumpIfNegative(unknown_cause, zero);
      Emit(OpCode::kRestoreCause, unknown_cause);
      Jump(unknown);
    }
    Bind(applies);
    Emit(OpCode::kSetInt, fn.result, 1);
    Emit(OpCode::kRet);
    Bind(zero);
    Emit(OpCode::kSetInt, fn.result, 0);
    Emit(OpCode::kRet);
    Bind(unknown);
    Emit(OpCode::kSetInt, fn.result, -1);
    Emit(OpCode::kRet);
    return fn;
  }

  // Patches every label reference; call once, after the last function.
  void Finish() {
    for (const Fixup& f : fixups_) {
      Instr& in = plan_.code[f.instr];
      const int32_t target = labels_[f.label];
      switch (f.slot) {
        case Slot::kA: in.a = target; break;
        case Slot::kB: in.b = target; break;
        case Slot::kC: in.c = target; break;
        case Slot::kD: in.d = target; break;
        case Slot::kFail: in.fail = target; break;
      }
    }
    plan_.register_count = next_reg_;
  }

  Reg NewReg() { return next_reg_++; }

 private:
  struct Fixup {
    int32_t instr;
    Slot slot;
    int label;
  };

  // ---- emission ----

  int32_t Here() const { return static_cast<int32_t>(plan_.code.size()); }
  Label NewLabel() {
    labels_.push_back(-1);
    return Label{static_cast<int>(labels_.size()) - 1};
  }
  void Bind(Label l) { labels_[l.id] = Here(); }
  void Patch(int32_t instr, Slot slot, Label l) { fixups_.push_back(Fixup{instr, slot, l.id}); }

  int32_t Emit(OpCode op, int32_t a = 0, int32_t b = 0, int32_t c = 0, int32_t d = 0, uint8_t flags = 0,
               const void* p = nullptr) {
    Instr in;
    in.op = op;
    in.a = a;
    in.b = b;
    in.c = c;
    in.d = d;
    in.flags = flags;
    in.p = p;
    plan_.code.push_back(in);
    return Here() - 1;
  }
  // An instruction that may fail, jumping to `fail`.
  int32_t EmitF(Label fail, OpCode op, int32_t a = 0, int32_t b = 0, int32_t c = 0, int32_t d = 0,
                uint8_t flags = 0, const void* p = nullptr) {
    int32_t at = Emit(op, a, b, c, d, flags, p);
    Patch(at, Slot::kFail, fail);
    return at;
  }
  void Jump(Label to) { Patch(Emit(OpCode::kJump), Slot::kA, to); }
  void JumpIf(bool when, Reg r, Label to) {
    Patch(Emit(when ? OpCode::kJumpIfTrue : OpCode::kJumpIfFalse, r), Slot::kB, to);
  }
  void JumpIfNegative(Reg r, Label to) { Patch(Emit(OpCode::kJumpIfNegative, r), Slot::kB, to); }

  // Reads are noted only by render functions; trace items recorded only by the others.
  void ReadsMark(Reg mark) {
    if (render_) Emit(OpCode::kReadsMark, mark);
  }
  void AbsorbReads(Reg mark) {
    if (render_) Emit(OpCode::kAbsorbReads, mark);
  }
  void RecordItem(Reg item, Reg value, uint8_t flags, const TExpr* e) {
    if (!render_) Emit(OpCode::kRecordItem, item, value, 0, 0, flags, e);
  }

  Reg ConstReg(const internal::Value& v) {
    Reg r = NewReg();
    plan_.constants.push_back({r, v});
    return r;
  }

  const FieldPlan* FieldOf(const TExpr& e) {
    FieldPlan& p = plan_.fields.emplace_back();
    p.field = e.field;
    p.storage = Schema::Get().Storage(e.field);
    p.has_presence = !e.field->is_repeated() && e.field->has_presence();
    p.access = FindFieldAccess(e.field);
    p.expr = &e;
    return &p;
  }

  // A repeated message field of a single message with a generated accessor: consumers that
  // loop over it (任一, 其中, 合计, 去重, and paths through it) note its base message read.
  static bool Direct(const TExpr& e) {
    return e.kind == TKind::kField && e.args[0]->type.kind != TypeKind::kList && e.field->is_repeated() &&
           Schema::Get().Storage(e.field) == FieldStorage::kMessage && FindFieldAccess(e.field) != nullptr;
  }

  // The value of a parameter with one value for all dates, else null.
  const internal::Value* ConstantParam(const TExpr& e) const {
    const CheckedDecl& d = program_.decls[e.decl];
    if (d.kind != ast::DeclKind::kParameter || d.dated.size() != 1 || d.dated[0].from != INT32_MIN) return nullptr;
    return &d.dated[0].value;
  }

  // A list literal of constants, folded once into the program's constants.
  const ListValue* FoldedList(const TExpr& e) {
    ListValue& list = program_.pool->lists.emplace_back();
    for (size_t k = 0; k < e.args.size(); ++k) {
      internal::Value v = e.args[k]->constant;
      v.index = static_cast<int32_t>(k);
      list.items.push_back(v);
    }
    return &list;
  }
  static bool AllConstant(const TExpr& e) {
    return std::all_of(e.args.begin(), e.args.end(), [](const auto& a) { return a->kind == TKind::kConst; });
  }

  // The message a field is read from: a bound slot is read in place (the field instruction
  // faults when it is unbound).
  Reg Base(const TExpr& base, Label fail) { return base.kind == TKind::kSlot ? base.slot : Eval(base, fail); }

  // ---- values ----

  Reg Eval(const TExpr& e, Label fail) {
    switch (e.kind) {
      case TKind::kConst:
      case TKind::kRegistryRef:
        return ConstReg(e.constant);
      case TKind::kList: {
        if (AllConstant(e)) {
          internal::Value v;
          v.kind = TypeKind::kList;
          v.list = FoldedList(e);
          return ConstReg(v);
        }
        return Collect(e, fail, false);
      }
      case TKind::kRoot: {
        Reg r = NewReg();
        Emit(OpCode::kRoot, r);
        return r;
      }
      case TKind::kField: {
        if (e.type.kind == TypeKind::kList) return Collect(e, fail, false);
        Reg b = Base(*e.args[0], fail);
        Reg r = NewReg();
        EmitF(fail, OpCode::kField, r, b, 0, 0, 0, FieldOf(e));
        return r;
      }
      case TKind::kSlot: {
        Reg r = NewReg();
        EmitF(fail, OpCode::kSlot, r, e.slot);
        return r;
      }
      case TKind::kDecl: {
        Reg r = NewReg();
        if (const internal::Value* v = ConstantParam(e)) {
          Emit(OpCode::kConstParam, r, ConstReg(*v), e.decl);
        } else {
          EmitF(fail, OpCode::kDecl, r, e.decl);
        }
        return r;
      }
      case TKind::kAsOf: {
        Reg r = NewReg();
        EmitF(fail, OpCode::kAsOf, r);
        return r;
      }
      case TKind::kEligible: {
        Reg r = NewReg();
        EmitF(fail, OpCode::kEligible, r);
        return r;
      }
      case TKind::kRegistryContains: {
        Reg key = Eval(*e.args[0], fail);
        Reg r = NewReg();
        EmitF(fail, OpCode::kRegistryContains, r, key, 0, 0, 0, RegistryOf(e));
        return r;
      }
      case TKind::kRegistryFetch: {
        const RegistryPlan* p = RegistryOf(e);
        Reg r = NewReg();
        Emit(OpCode::kListNew, r);
        if (e.args[0]->type.kind == TypeKind::kList) {
          ForEach(*e.args[0], false, fail, [&](Reg id, Label) { EmitF(fail, OpCode::kRegistryFetch, r, id, 0, 0, 0, p); });
        } else {
          Reg key = Eval(*e.args[0], fail);
          EmitF(fail, OpCode::kRegistryFetch, r, key, 0, 0, 0, p);
        }
        return r;
      }
      case TKind::kUnary: {
        Reg a = Eval(*e.args[0], fail);
        Reg r = NewReg();
        if (e.op == Op::kNot) {
          Emit(OpCode::kNot, r, a);
        } else {
          EmitF(fail, OpCode::kNegRational, r, a, 0, 0, 0, &e);  // integers too (by kind)
        }
        return r;
      }
      case TKind::kArith: {
        Reg a = Eval(*e.args[0], fail);
        Reg b = Eval(*e.args[1], fail);
        Reg r = NewReg();
        OpCode op = e.type.kind == TypeKind::kInt        ? OpCode::kArithInt
                    : e.type.kind == TypeKind::kDate     ? OpCode::kArithDate
                    : e.type.kind == TypeKind::kDuration ? OpCode::kArithDuration
                                                         : OpCode::kArithRational;
        EmitF(fail, op, r, a, b, static_cast<int32_t>(e.type.kind), static_cast<uint8_t>(e.op), &e);
        return r;
      }
      case TKind::kCompare: {
        Reg a = Eval(*e.args[0], fail);
        Reg b = Eval(*e.args[1], fail);
        Reg r = NewReg();
        const Type& ta = e.args[0]->type;
        const Type& tb = e.args[1]->type;
        const bool ordered = ta.is_numeric() || ta.kind == TypeKind::kMoney || ta.kind == TypeKind::kDate;
        OpCode op = OpCode::kEqual;
        if (ordered) {
          op = ta.kind == TypeKind::kDate                                   ? OpCode::kCompareDate
               : (ta.kind == TypeKind::kInt && tb.kind == TypeKind::kInt) ? OpCode::kCompareInt
                                                                          : OpCode::kCompareRational;
        }
        Emit(op, r, a, b, 0, static_cast<uint8_t>(e.op));
        return r;
      }
      case TKind::kIn:
        return In(e, fail);
      case TKind::kAnd:
      case TKind::kOr:
        return Logic(e, fail);
      case TKind::kIf: {
        Reg c = Eval(*e.args[0], fail);
        Reg r = NewReg();
        Label other = NewLabel(), end = NewLabel();
        JumpIf(false, c, other);
        Emit(OpCode::kMove, r, Eval(*e.args[1], fail));
        Jump(end);
        Bind(other);
        Emit(OpCode::kMove, r, Eval(*e.args[2], fail));
        Bind(end);
        if (e.type.kind == TypeKind::kDecimal) Emit(OpCode::kPromote, r);
        return r;
      }
      case TKind::kFilter:
        return Collect(e, fail, false);
      case TKind::kQuant:
        return Quant(e, fail);
      case TKind::kAggregate:
        return Aggregate(e, fail);
      case TKind::kCall:
        return Call(e, fail);
    }
    return ConstReg(e.constant);
  }

  const RegistryPlan* RegistryOf(const TExpr& e) {
    RegistryPlan& p = plan_.registries.emplace_back();
    p.registry = e.registry;
    p.expr = &e;
    p.key_expr = e.args[0].get();
    return &p;
  }

  // The items of a list-valued expression in a new list.
  Reg Collect(const TExpr& e, Label fail, bool direct) {
    Reg r = NewReg();
    Emit(OpCode::kListNew, r);
    ForEach(e, direct, fail, [&](Reg item, Label) { Emit(OpCode::kListPush, r, item); });
    return r;
  }

  Reg In(const TExpr& e, Label fail) {
    const TExpr& list = *e.args[1];
    // A constant list of enum values (a literal, or a parameter with one value) is a bit set.
    const internal::Value* constant = list.kind == TKind::kDecl ? ConstantParam(list) : nullptr;
    const ListValue* folded = nullptr;
    if (constant == nullptr && list.kind == TKind::kList && AllConstant(list)) folded = FoldedList(list);
    const ListValue* items = constant != nullptr ? constant->list : folded;
    Reg x = Eval(*e.args[0], fail);
    Reg r = NewReg();
    const bool enums = e.args[0]->type.kind == TypeKind::kEnum;
    if (enums && items != nullptr) {
      EnumSet set;
      bool usable = true;
      for (const internal::Value& v : items->items) {
        if (v.enum_number < 0 || v.enum_number > 4096) {
          usable = false;
          break;
        }
        if (static_cast<size_t>(v.enum_number) >= set.bits.size()) set.bits.resize(v.enum_number + 1, false);
        set.bits[v.enum_number] = true;
      }
      if (usable) {
        // Tracing: the list is read anyway, so the parameter shows as used (coverage,
        // explanations); a failure to read it changes nothing.
        Label skip = NewLabel();
        Patch(Emit(OpCode::kJumpIfNotTracing), Slot::kA, skip);
        if (folded == nullptr) Eval(list, skip);
        Bind(skip);
        const EnumSet* s = &plan_.enum_sets.emplace_back(std::move(set));
        Emit(OpCode::kInEnumSet, r, x, 0, 0, static_cast<uint8_t>(e.op), s);
        return r;
      }
    }
    Label found = NewLabel(), done = NewLabel();
    Emit(OpCode::kSetBool, r, 0);
    auto body = [&](Reg item, Label) {
      Reg eq = NewReg();
      if (enums) {
        Emit(OpCode::kEnumEqual, eq, x, item);
      } else {
        Emit(OpCode::kEqual, eq, x, item, 0, static_cast<uint8_t>(Op::kEq));
      }
      JumpIf(true, eq, found);
    };
    if (folded != nullptr) {
      internal::Value v;
      v.kind = TypeKind::kList;
      v.list = folded;
      LoopList(ConstReg(v), fail, body);
    } else {
      ForEach(list, false, fail, body);
    }
    Jump(done);
    Bind(found);
    Emit(OpCode::kSetBool, r, 1);
    Bind(done);
    if (e.op == Op::kNotIn) Emit(OpCode::kNot, r, r);
    return r;
  }

  // 并且 / 或者, three-valued: a known answer wins over a missing one.
  Reg Logic(const TExpr& e, Label fail) {
    const bool is_and = e.kind == TKind::kAnd;
    Reg r = NewReg(), a_ok = NewReg(), a_cause = NewReg();
    Label a_failed = NewLabel(), eval_b = NewLabel(), out_a = NewLabel(), out_b = NewLabel(), restore = NewLabel(),
          end = NewLabel();
    Reg a = Eval(*e.args[0], a_failed);
    JumpIf(!is_and, a, out_a);  // a decides: false for 并且, true for 或者
    Emit(OpCode::kSetBool, a_ok, 1);
    Jump(eval_b);
    Bind(a_failed);
    Emit(OpCode::kSaveCause, a_cause);
    Emit(OpCode::kSetBool, a_ok, 0);
    Bind(eval_b);
    Reg b = Eval(*e.args[1], fail);
    JumpIf(!is_and, b, out_b);
    JumpIf(false, a_ok, restore);
    Bind(out_b);
    Emit(OpCode::kMove, r, b);
    Jump(end);
    Bind(restore);
    EmitF(fail, OpCode::kFailWith, a_cause);
    Bind(out_a);
    Emit(OpCode::kMove, r, a);
    Bind(end);
    return r;
  }

  Reg Quant(const TExpr& e, Label fail) {
    const bool any = e.op == Op::kAny;
    Reg r = NewReg();
    Label holds = NewLabel(), fails = NewLabel(), end = NewLabel();
    QuantBranch(e, holds, fails, fail);
    Bind(holds);
    Emit(OpCode::kSetBool, r, 1);
    Jump(end);
    Bind(fails);
    Emit(OpCode::kSetBool, r, 0);
    Bind(end);
    (void)any;
    return r;
  }

  // 任一 / 全部: jumps to `holds` or `fails`; an item whose condition cannot be decided is
  // passed over, and when no item decides, the first such item's cause fails the whole.
  void QuantBranch(const TExpr& e, Label holds, Label fails, Label fail) {
    const bool any = e.op == Op::kAny;
    Reg mark = NewReg(), unknown_cause = NewReg();
    Label decided = NewLabel();
    const TExpr& coll = *e.args[0];
    ItemTest test;
    if (!render_ && Direct(coll) && FusableBase(*coll.args[0]) && SimpleTest(*e.args[1], e.slot, &test)) {
      FusedLoop& loop = plan_.fused.emplace_back();
      loop.outer = FieldOf(coll);
      loop.slot = e.slot;
      loop.test = test;
      loop.unknown_cause = unknown_cause;
      loop.expr = &e;
      Reg b = Base(*coll.args[0], fail);
      const int32_t at = EmitF(fail, OpCode::kQuantLoop, 0, b, 0, 0, any ? 1 : 0, &loop);
      Patch(at, Slot::kC, holds);
      Patch(at, Slot::kD, fails);
      // The general code, for traced evaluations, follows.
    }
    ReadsMark(mark);
    Emit(OpCode::kSetInt, unknown_cause, -1);
    ForEach(*e.args[0], Direct(*e.args[0]), fail, [&](Reg item, Label cont) {
      if (item != e.slot) Emit(OpCode::kMove, e.slot, item);
      Label item_unknown = NewLabel();
      // The slot keeps the witness, for messages and explanations.
      if (any) {
        Branch(*e.args[1], decided, cont, item_unknown);
      } else {
        Branch(*e.args[1], cont, decided, item_unknown);
      }
      Bind(item_unknown);
      Emit(OpCode::kSaveCauseOnce, unknown_cause);
    }, e.slot);
    AbsorbReads(mark);  // 任一/全部 over several persons is a household fact
    Label known = NewLabel();
    JumpIfNegative(unknown_cause, known);
    EmitF(fail, OpCode::kFailWith, unknown_cause);
    Bind(known);
    Jump(any ? fails : holds);
    Bind(decided);
    AbsorbReads(mark);
    Jump(any ? holds : fails);
  }

  // Jumps to `if_true` or `if_false` by the boolean `e`, or to `fail`.
  void Branch(const TExpr& e, Label if_true, Label if_false, Label fail) {
    if (e.kind == TKind::kQuant) {
      QuantBranch(e, if_true, if_false, fail);
      return;
    }
    Reg c = Eval(e, fail);
    JumpIf(false, c, if_false);
    Jump(if_true);
  }

  Reg Aggregate(const TExpr& e, Label fail) {
    const TExpr& coll = *e.args[0];
    const TExpr* mapping = e.args.size() > 1 ? e.args[1].get() : nullptr;
    const bool direct = Direct(coll);
    Reg r = NewReg();
    if (e.op == Op::kCount) {
      if (direct) {
        Reg b = Base(*coll.args[0], fail);
        EmitF(fail, OpCode::kFieldSize, r, b, 0, 0, 0, FieldOf(coll));
        return r;
      }
      Reg mark = NewReg(), one = ConstReg(internal::Value::Int(1));
      ReadsMark(mark);
      Emit(OpCode::kSetInt, r, 0);
      ForEach(coll, false, fail, [&](Reg, Label) { EmitF(fail, OpCode::kSumInt, r, one, 0, 0, 0, &e); });
      AbsorbReads(mark);
      return r;
    }
    if (e.op == Op::kDistinct) {
      Reg keys = NewReg(), seen = NewReg(), counted = NewReg();
      Emit(OpCode::kListNew, r);
      Emit(OpCode::kListNew, keys);
      ForEach(coll, direct, fail, [&](Reg item, Label cont) {
        Reg key = item;
        if (mapping != nullptr) {
          if (item != e.slot) Emit(OpCode::kMove, e.slot, item);
          key = Eval(*mapping, fail);
        }
        Emit(OpCode::kDistinct, seen, key, keys);
        Emit(OpCode::kNot, counted, seen);
        RecordItem(item, counted, kFilterItem, &e);
        JumpIf(true, seen, cont);
        Emit(OpCode::kListPush, r, item);
      }, mapping != nullptr ? e.slot : -1);
      return r;
    }
    const bool sum = e.op == Op::kSum;
    Label after_fused = NewLabel();
    const bool fused = sum && FusedSum(e, r, fail, after_fused);
    Reg mark = NewReg(), have = NewReg();
    if (sum) {
      ReadsMark(mark);
      Emit(OpCode::kZero, r, static_cast<int32_t>(e.type.kind));
    } else {
      Emit(OpCode::kSetBool, have, 0);
    }
    ForEach(coll, direct, fail, [&](Reg item, Label) {
      Reg v = item;
      if (mapping != nullptr) {
        if (item != e.slot) Emit(OpCode::kMove, e.slot, item);
        v = Eval(*mapping, fail);
      }
      RecordItem(item, v, 0, &e);
      if (sum) {
        EmitF(fail, e.type.kind == TypeKind::kInt ? OpCode::kSumInt : OpCode::kSumRational, r, v, 0, 0, 0, &e);
      } else {
        Emit(OpCode::kMinMax, r, v, have, 0, static_cast<uint8_t>(e.op));
      }
    }, mapping != nullptr ? e.slot : -1);
    if (sum) {
      AbsorbReads(mark);
      if (fused) Bind(after_fused);
      return r;
    }
    Label empty = NewLabel(), end = NewLabel();
    JumpIf(false, have, empty);
    if (e.type.kind == TypeKind::kDecimal) Emit(OpCode::kPromote, r);
    Jump(end);
    Bind(empty);
    EmitF(fail, OpCode::kEmptyFault, 0, 0, 0, 0, 0, &e);
    Bind(end);
    return r;
  }

  Reg Call(const TExpr& e, Label fail) {
    Reg r = NewReg();
    if (e.builtin == Builtin::kPresent) {
      const TExpr& field = *e.args[0];
      Reg b = Base(*field.args[0], fail);
      EmitF(fail, OpCode::kPresent, r, b, 0, 0, 0, FieldOf(field));
      return r;
    }
    const TExpr& first = *e.args[0];
    if ((e.builtin == Builtin::kRoundToFen || e.builtin == Builtin::kRoundToYuan || e.builtin == Builtin::kToInteger) &&
        first.kind == TKind::kArith && first.op == Op::kDiv && first.type.is_rational()) {
      // Rounding a division (向下取整到分(收入 / 人数)): whole numbers need no fraction.
      Reg a = Eval(*first.args[0], fail);
      Reg b = Eval(*first.args[1], fail);
      EmitF(fail, OpCode::kDivRound, r, a, b, 0, 0, &e);
      return r;
    }
    Reg args[3] = {0, 0, 0};
    for (size_t k = 0; k < e.args.size() && k < 3; ++k) args[k] = Eval(*e.args[k], fail);
    EmitF(fail, OpCode::kCall, r, args[0], args[1], args[2], 0, &e);
    return r;
  }

  // ---- fused loops ----

  // A message expression that can be evaluated twice with no difference (the fused
  // instruction and, when tracing, the general code after it both read it): the
  // application, a bound item, and singular message fields of those.
  static bool FusableBase(const TExpr& e) {
    if (e.kind == TKind::kRoot || e.kind == TKind::kSlot) return true;
    return e.kind == TKind::kField && e.type.kind == TypeKind::kMessage && !e.field->is_repeated() &&
           FindFieldAccess(e.field) != nullptr && FusableBase(*e.args[0]);
  }

  // A singular scalar field (with a generated accessor) of the item bound to `slot`.
  const FieldPlan* ItemField(const TExpr& x, int slot) {
    if (x.kind != TKind::kField || x.type.kind == TypeKind::kList || x.type.kind == TypeKind::kMessage) return nullptr;
    if (x.args[0]->kind != TKind::kSlot || x.args[0]->slot != slot) return nullptr;
    if (x.field->is_repeated() || FindFieldAccess(x.field) == nullptr) return nullptr;
    return FieldOf(x);
  }

  // A constant operand: a literal or a parameter with one value for all dates.
  const internal::Value* ConstantOperand(const TExpr& x) const {
    if (x.kind == TKind::kConst) return &x.constant;
    if (x.kind == TKind::kDecl) return ConstantParam(x);
    return nullptr;
  }

  // Whether `e` is a test of the item bound to `slot` that a fused loop can run (ItemTest).
  bool SimpleTest(const TExpr& e, int slot, ItemTest* t) {
    if (e.kind == TKind::kRegistryContains) {
      const TExpr& key = *e.args[0];
      if (key.type.kind != TypeKind::kText) return false;
      t->field = ItemField(key, slot);
      if (t->field == nullptr || t->field->storage != FieldStorage::kText) return false;
      t->kind = ItemTest::Kind::kRegistry;
      t->registry = RegistryOf(e);
      return true;
    }
    if (e.kind == TKind::kIn && e.args[0]->type.kind == TypeKind::kEnum) {
      const TExpr& list = *e.args[1];
      const internal::Value* constant = list.kind == TKind::kDecl ? ConstantParam(list) : nullptr;
      const ListValue* items = constant != nullptr ? constant->list : nullptr;
      if (constant == nullptr && list.kind == TKind::kList && AllConstant(list)) items = FoldedList(list);
      if (items == nullptr) return false;
      EnumSet set;
      for (const internal::Value& v : items->items) {
        if (v.enum_number < 0 || v.enum_number > 4096) return false;
        if (static_cast<size_t>(v.enum_number) >= set.bits.size()) set.bits.resize(v.enum_number + 1, false);
        set.bits[v.enum_number] = true;
      }
      t->field = ItemField(*e.args[0], slot);
      if (t->field == nullptr) return false;
      t->kind = ItemTest::Kind::kEnumSet;
      t->set = &plan_.enum_sets.emplace_back(std::move(set));
      t->in = e.op == Op::kIn;
      return true;
    }
    if (e.kind == TKind::kCompare) {
      const TExpr& left = *e.args[0];
      const bool integer = left.type.kind == TypeKind::kInt && e.args[1]->type.kind == TypeKind::kInt;
      const bool money = left.type.kind == TypeKind::kMoney && e.args[1]->type.kind == TypeKind::kMoney;
      if (!integer && !money) return false;
      const internal::Value* rhs = ConstantOperand(*e.args[1]);
      if (rhs == nullptr) return false;
      t->field = ItemField(left, slot);
      if (t->field == nullptr) return false;
      const FieldStorage st = t->field->storage;
      if (money ? st != FieldStorage::kMoneyFen
                : st != FieldStorage::kInt32 && st != FieldStorage::kInt64 && st != FieldStorage::kUint32) {
        return false;
      }
      t->kind = ItemTest::Kind::kCompare;
      t->op = e.op;
      t->rhs = ConstReg(*rhs);
      return true;
    }
    return false;
  }

  // 合计(<items> [其中 <test>]: <field>) over one or two levels of repeated message fields
  // (成员.收入): a kSumLoop into `r` that skips to `after` (bound by the caller after the
  // general code). False when the aggregate has another shape.
  bool FusedSum(const TExpr& e, Reg r, Label fail, Label after) {
    if (render_ || e.args.size() < 2) return false;
    const TExpr* items = e.args[0].get();
    FusedLoop loop;
    if (items->kind == TKind::kFilter) {
      if (!SimpleTest(*items->args[1], items->slot, &loop.filter)) return false;
      loop.filtered = true;
      loop.filter_slot = items->slot;
      items = items->args[0].get();
    }
    if (items->kind != TKind::kField || items->type.kind != TypeKind::kList) return false;
    const TExpr* base = nullptr;
    if (Direct(*items)) {
      loop.outer = FieldOf(*items);
      base = items->args[0].get();
    } else if (Direct(*items->args[0]) && items->field->is_repeated() &&
               Schema::Get().Storage(items->field) == FieldStorage::kMessage && FindFieldAccess(items->field) != nullptr) {
      loop.outer = FieldOf(*items->args[0]);
      loop.inner = FieldOf(*items);
      base = items->args[0]->args[0].get();
    } else {
      return false;
    }
    if (!FusableBase(*base)) return false;
    loop.mapping = ItemField(*e.args[1], e.slot);
    if (loop.mapping == nullptr) return false;
    const FieldStorage st = loop.mapping->storage;
    const bool ok = e.type.kind == TypeKind::kMoney ? st == FieldStorage::kMoneyFen
                    : e.type.kind == TypeKind::kInt
                        ? (st == FieldStorage::kInt32 || st == FieldStorage::kInt64 || st == FieldStorage::kUint32)
                        : false;
    if (!ok) return false;
    loop.slot = e.slot;
    loop.expr = &e;
    const FusedLoop* p = &plan_.fused.emplace_back(loop);
    Reg b = Base(*base, fail);
    Patch(EmitF(fail, OpCode::kSumLoop, r, b, 0, 0, 0, p), Slot::kD, after);
    return true;
  }

  // ---- loops ----

  // Emits `body` for each item of the list-valued `coll`, in order. `direct`: the consumer
  // iterates a direct repeated field itself (see Direct), noting its base message read.
  // A failure while producing items jumps to `fail`. `into` >= 0: the consumer binds each
  // item to that slot, so items are produced there when nothing can fail in between.
  void ForEach(const TExpr& coll, bool direct, Label fail, Body body, Reg into = -1) {
    switch (coll.kind) {
      case TKind::kField: {
        if (coll.type.kind != TypeKind::kList) break;
        const TExpr& base = *coll.args[0];
        const FieldPlan* fp = FieldOf(coll);
        if (base.type.kind != TypeKind::kList) {
          Reg b = Eval(base, fail);
          LoopField(b, fp, direct && Direct(coll) ? kNoteBase : kNoteUnlessMessage, fail, body, into);
          return;
        }
        // 成员.收入: the members, then each member's incomes.
        ForEach(base, Direct(base), fail, [&](Reg item, Label cont) {
          if (coll.field->is_repeated()) {
            LoopField(item, fp, kNoteUnlessMessage, fail, body, into);
            return;
          }
          Reg v = into >= 0 ? into : NewReg();
          EmitF(fail, OpCode::kField, v, item, 0, 0, 0, fp);
          body(v, cont);
        });
        return;
      }
      case TKind::kFilter: {
        ForEach(*coll.args[0], Direct(*coll.args[0]), fail, [&](Reg item, Label cont) {
          if (item != coll.slot) Emit(OpCode::kMove, coll.slot, item);
          if (!render_) {
            Reg c = Eval(*coll.args[1], fail);
            RecordItem(item, c, kFilterItem, &coll);
            JumpIf(false, c, cont);
            body(item, cont);
            return;
          }
          // What the condition reads only selects items; the items chosen are noted when read.
          Reg saved = NewReg();
          Label cond_failed = NewLabel(), after = NewLabel();
          Emit(OpCode::kReadsOff, saved);
          Reg c = Eval(*coll.args[1], cond_failed);
          Emit(OpCode::kReadsOn, saved);
          JumpIf(false, c, cont);
          body(item, after);
          Bind(after);
          Jump(cont);
          Bind(cond_failed);
          Emit(OpCode::kReadsOn, saved);
          Jump(fail);
        }, coll.slot);
        return;
      }
      case TKind::kIf: {
        Reg c = Eval(*coll.args[0], fail);
        Label other = NewLabel(), end = NewLabel();
        Shared shared(this, body, into);
        JumpIf(false, c, other);
        ForEach(*coll.args[1], false, fail, [&](Reg item, Label) { shared.Call(item); });
        Jump(end);
        Bind(other);
        ForEach(*coll.args[2], false, fail, [&](Reg item, Label) { shared.Call(item); });
        Bind(end);
        shared.Emit();
        return;
      }
      case TKind::kList: {
        if (AllConstant(coll)) break;
        Shared shared(this, body, into);
        for (size_t k = 0; k < coll.args.size(); ++k) {
          Reg v = Eval(*coll.args[k], fail);
          Reg item = NewReg();
          Emit(OpCode::kMove, item, v);
          Emit(OpCode::kSetIndex, item, static_cast<int32_t>(k));
          shared.Call(item);
        }
        shared.Emit();
        return;
      }
      default:
        break;
    }
    LoopList(Eval(coll, fail), fail, body, into);
  }

  void LoopField(Reg base, const FieldPlan* fp, uint8_t flags, Label fail, Body body, Reg into = -1) {
    Reg state = NewReg();
    NewReg();  // state + 1: the number of items
    // A list of messages converts nothing, so it cannot fail half-way through an item.
    Reg item = into >= 0 && fp->storage == FieldStorage::kMessage ? into : NewReg();
    Label start = NewLabel(), end = NewLabel(), cont = NewLabel();
    Patch(EmitF(fail, OpCode::kIterField, item, base, state, 0, flags, fp), Slot::kD, end);
    Bind(start);
    body(item, cont);
    Bind(cont);
    Patch(EmitF(fail, OpCode::kNextField, item, base, state, 0, flags, fp), Slot::kD, start);
    Bind(end);
  }

  void LoopList(Reg list, Label fail, Body body, Reg into = -1) {
    Reg state = NewReg();
    Reg item = into >= 0 ? into : NewReg();
    Label start = NewLabel(), end = NewLabel(), cont = NewLabel();
    Patch(Emit(OpCode::kIterList, item, list, state), Slot::kD, end);
    Bind(start);
    body(item, cont);
    Bind(cont);
    Patch(Emit(OpCode::kNextList, item, list, state), Slot::kD, start);
    Bind(end);
  }

  // A loop body called from several places: emitted once, after them, as a subroutine.
  class Shared {
   public:
    Shared(Emitter* e, Body body, Reg into) : e_(e), body_(body) {
      ret_ = e->NewReg();
      item_ = into >= 0 ? into : e->NewReg();
      entry_ = e->NewLabel();
      after_ = e->NewLabel();
    }
    void Call(Reg item) {
      if (item != item_) e_->Emit(OpCode::kMove, item_, item);
      e_->Patch(e_->Emit(OpCode::kCallSub, ret_), Slot::kB, entry_);
    }
    void Emit() {
      e_->Jump(after_);
      e_->Bind(entry_);
      Label cont = e_->NewLabel();
      body_(item_, cont);
      e_->Bind(cont);
      e_->Emit(OpCode::kRetSub, ret_);
      e_->Bind(after_);
    }

   private:
    Emitter* e_;
    Body body_;
    Reg ret_, item_;
    Label entry_, after_;
  };

  // A rule's condition and exceptions for the current bindings.
  void Decide(const CheckedRule& rule, int index, Label applies, Label zero, Label unknown) {
    Label holds = NewLabel();
    Branch(*rule.condition, holds, zero, unknown);
    Bind(holds);
    for (size_t k = 0; k < rule.exceptions.size(); ++k) {
      Label next = NewLabel(), excepted = NewLabel();
      Branch(*rule.exceptions[k].condition, excepted, next, unknown);
      Bind(excepted);
      Emit(OpCode::kNoteException, 0, static_cast<int32_t>(k), index);
      Jump(zero);
      Bind(next);
    }
    Jump(applies);
  }

  CheckedProgram& program_;
  Plan& plan_;
  bool render_ = false;
  int next_reg_ = 0;
  std::vector<int32_t> labels_;
  std::vector<Fixup> fixups_;
};

}  // namespace

void PlanProgram(ProgramParts* parts) {
  CheckedProgram& program = *parts->checked;
  Plan& plan = parts->plan;
  Emitter emit(&program, &plan);
  plan.decls.resize(program.decls.size());
  for (size_t d = 0; d < program.decls.size(); ++d) {
    const CheckedDecl& decl = program.decls[d];
    DeclPlan& dp = plan.decls[d];
    if (decl.expr) dp.value = emit.Compile(*decl.expr);
    if (!decl.rows.empty() || decl.otherwise) dp.input = emit.NewReg();
    for (const auto& in : decl.inputs) dp.inputs.push_back(emit.Compile(*in));
    for (const auto& row : decl.rows) {
      RowPlan rp;
      for (const auto& cell : row.cells) {
        CellPlan cp;
        cp.kind = cell.kind;
        cp.op = cell.op;
        cp.lo_closed = cell.lo_closed;
        cp.hi_closed = cell.hi_closed;
        if (cell.kind == ast::CellKind::kIn || cell.kind == ast::CellKind::kNotIn) {
          cp.a = emit.CompileIn(*cell.a, dp.input);
        } else {
          if (cell.a) cp.a = emit.Compile(*cell.a);
          if (cell.b) cp.b = emit.Compile(*cell.b);
        }
        rp.cells.push_back(std::move(cp));
      }
      rp.result = emit.Compile(*row.result);
      dp.rows.push_back(std::move(rp));
    }
    if (decl.otherwise) dp.otherwise = emit.Compile(*decl.otherwise);
    for (const TExpr* e : decl.evidence) dp.evidence.push_back(emit.Compile(*e, /*render=*/true));
  }
  plan.rules.resize(program.rules.size());
  for (size_t r = 0; r < program.rules.size(); ++r) {
    const CheckedRule& rule = program.rules[r];
    RulePlan& rp = plan.rules[r];
    rp.each = rule.each != nullptr;
    rp.decide = emit.CompileRule(rule, static_cast<int>(r));
    for (const auto& part : rule.message) rp.message.push_back(part.expr ? emit.Compile(*part.expr, /*render=*/true) : Function());
    for (const TExpr* e : rule.evidence) rp.evidence.push_back(emit.Compile(*e, /*render=*/true));
  }
  emit.Finish();
}

}  // namespace heyan::internal
