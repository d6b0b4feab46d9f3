// The interpreter loop: one switch over the plan's typed instructions (runtime/plan.h).
// All state is in the Frame; failures record their cause there and jump to the
// instruction's handler. No exceptions.
#include "runtime/interpreter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/schema.h"
#include "heyan/registry.h"
#include "runtime/program_impl.h"

namespace heyan::internal {
namespace {

using ast::Op;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

inline Rational AsRational(const Value& v) { return v.kind == TypeKind::kInt ? Rational::Int(v.i) : v.r; }

const TExpr& ExprOf(const Instr& in) { return *static_cast<const TExpr*>(in.p); }

bool Overflow(Frame& f, const Instr& in) {
  return f.Fault(absl::StrCat("“", ExprOf(in).source, "”计算结果超出可表示范围（溢出）"));
}

// A date computed outside 0001-01-01..9999-12-31 is a fault naming the expression.
bool DateOutOfRange(Frame& f, const std::string& source) {
  return f.Fault(absl::StrCat("“", source, "”计算出的日期超出支持范围（0001-01-01 至 9999-12-31）"));
}

bool Unbound(Frame& f) { return f.Fault("（没有此项）"); }

// ---- fields ----

void RawSingularReflection(const FieldPlan& p, const Message& m, Value* v);
void RawRepeatedReflection(const FieldPlan& p, const Message& m, int k, Value* v);

// Reads the raw proto value of a singular field (text, integer, bool, enum, message).
[[gnu::always_inline]] inline void RawSingular(const FieldPlan& p, const Message& m, Value* v) {
  if (p.access != nullptr) {
    p.access->get(m, v);
    return;
  }
  RawSingularReflection(p, m, v);
}

[[gnu::noinline]] void RawSingularReflection(const FieldPlan& p, const Message& m, Value* v) {
  if (p.access != nullptr) {
    p.access->get(m, v);
    return;
  }
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* field = p.field;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      v->kind = TypeKind::kText;
      v->text = r->GetStringReference(m, field, &scratch);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: v->kind = TypeKind::kBool; v->b = r->GetBool(m, field); break;
    case FieldDescriptor::CPPTYPE_ENUM: v->kind = TypeKind::kEnum; v->enum_number = r->GetEnumValue(m, field); break;
    case FieldDescriptor::CPPTYPE_MESSAGE: v->kind = TypeKind::kMessage; v->message = &r->GetMessage(m, field); break;
    case FieldDescriptor::CPPTYPE_INT32: v->kind = TypeKind::kInt; v->i = r->GetInt32(m, field); break;
    case FieldDescriptor::CPPTYPE_UINT32: v->kind = TypeKind::kInt; v->i = r->GetUInt32(m, field); break;
    case FieldDescriptor::CPPTYPE_UINT64:
      v->kind = TypeKind::kInt;
      v->i = static_cast<int64_t>(std::min<uint64_t>(r->GetUInt64(m, field), INT64_MAX));
      break;
    default: v->kind = TypeKind::kInt; v->i = r->GetInt64(m, field); break;
  }
}

[[gnu::always_inline]] inline void RawRepeated(const FieldPlan& p, const Message& m, int k, Value* v) {
  if (p.access != nullptr) {
    p.access->at(m, k, v);
    return;
  }
  RawRepeatedReflection(p, m, k, v);
}

[[gnu::noinline]] void RawRepeatedReflection(const FieldPlan& p, const Message& m, int k, Value* v) {
  if (p.access != nullptr) {
    p.access->at(m, k, v);
    return;
  }
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* field = p.field;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      v->kind = TypeKind::kText;
      v->text = r->GetRepeatedStringReference(m, field, k, &scratch);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: v->kind = TypeKind::kBool; v->b = r->GetRepeatedBool(m, field, k); break;
    case FieldDescriptor::CPPTYPE_ENUM: v->kind = TypeKind::kEnum; v->enum_number = r->GetRepeatedEnumValue(m, field, k); break;
    case FieldDescriptor::CPPTYPE_MESSAGE: v->kind = TypeKind::kMessage; v->message = &r->GetRepeatedMessage(m, field, k); break;
    case FieldDescriptor::CPPTYPE_INT32: v->kind = TypeKind::kInt; v->i = r->GetRepeatedInt32(m, field, k); break;
    default: v->kind = TypeKind::kInt; v->i = r->GetRepeatedInt64(m, field, k); break;
  }
}

// Missing evidence at field read `e`, its path rendered only if it is reported.
bool MissingAt(Frame& f, const TExpr& e, std::string_view detail = {}) {
  return f.MissingField(e, FieldPathItem(f, e), detail);
}

inline int RepeatedSize(const FieldPlan& p, const Message& m) {
  return p.access != nullptr ? p.access->size(m) : m.GetReflection()->FieldSize(m, p.field);
}

// Converts a raw value to its rule-language kind: decimals (centi) and dates (text), the
// rare and fallible cases.
[[gnu::noinline]] bool ConvertSlow(Frame& f, const FieldPlan& p, Value* v) {
  if (p.storage == FieldStorage::kCenti) {
    Rational r;
    if (!Make(v->i, 100, &r)) return f.Fault("数值超出范围");
    *v = Value::Decimal(r);
    return true;
  }
  std::string_view text = v->text;
  if (text.empty()) return MissingAt(f, *p.expr);
  int32_t days;
  if (!ParseDate(text, &days)) {
    return f.Fault(absl::StrCat(FieldPath(f, *p.expr), " 的日期“", std::string(text), "”格式错误（应为 YYYY-MM-DD）"));
  }
  *v = Value::Date(days);
  return true;
}

// Converts a raw value to its rule-language kind (money, decimal, date).
[[gnu::always_inline]] inline bool Convert(Frame& f, const FieldPlan& p, Value* v) {
  if (p.storage == FieldStorage::kMoneyFen) {
    v->kind = TypeKind::kMoney;
    v->r = Rational::Int(v->i);
    return true;
  }
  if (p.storage == FieldStorage::kCenti || p.storage == FieldStorage::kDateText) return ConvertSlow(f, p, v);
  return true;
}

[[gnu::always_inline]] inline bool ReadSingular(Frame& f, const FieldPlan& p, const Message& m, Value* out) {
  f.NoteRead(m);
  if (p.has_presence) {
    const bool has = p.access != nullptr ? p.access->has(m) : m.GetReflection()->HasField(m, p.field);
    if (!has) return MissingAt(f, *p.expr);
  }
  RawSingular(p, m, out);
  return Convert(f, p, out);
}

[[gnu::always_inline]] inline bool ReadRepeated(Frame& f, const FieldPlan& p, const Message& m, int k, Value* out) {
  RawRepeated(p, m, k, out);
  if (!Convert(f, p, out)) return false;
  out->index = k;
  return true;
}

// 存在(x): whether the field is set, without reporting it missing.
bool Present(Frame& f, const FieldPlan& p, const Message& m) {
  f.NoteRead(m);
  const Reflection* r = m.GetReflection();
  if (p.field->is_repeated()) return r->FieldSize(m, p.field) > 0;
  if (p.has_presence) return r->HasField(m, p.field);
  if (p.storage == FieldStorage::kDateText || p.storage == FieldStorage::kText) {
    std::string scratch;
    return !r->GetStringReference(m, p.field, &scratch).empty();
  }
  return true;
}

// ---- registries ----

// The check that covers `id` in the registry, recorded for Decision.checks. A lookup no
// check covers is missing evidence ("财政供养人员 未核对"): a registry that was never
// queried must not read as one without a record. An empty ID cannot be looked up at all.
bool CoveringCheck(Frame& f, const RegistryPlan& p, std::string_view id, int* check) {
  if (id.empty()) return MissingAt(f, *p.key_expr, "身份证号为空，无法核对");
  const int c = f.registries.Covering(p.registry, id);
  if (c == RegistryView::kUnchecked) {
    const Schema& schema = Schema::Get();
    const std::string name = schema.FieldName(schema.RegistryField(p.registry), f.english);
    // Whose check is missing, named by where the person is in the application (成员[2],
    // 赡养扶养[1]) rather than by ID number: explanations describe the person for staff and
    // keep other persons' numbers out of an applicant's letter.
    std::string who = FieldPath(f, *p.key_expr);
    const size_t dot = who.rfind('.');
    if (dot != std::string::npos && who.find('[') < dot) {
      who.resize(dot);
    } else {
      who = std::string(id);
    }
    return f.Missing(absl::StrCat("登记册.", name, "[", who, "]"), absl::StrCat(name, " 未核对"));
  }
  f.check_uses.push_back(CheckUse{static_cast<int16_t>(p.registry), static_cast<int16_t>(c), id});
  *check = c;
  return true;
}

bool Fetch(Frame& f, const RegistryPlan& p, std::string_view id, ListValue* list) {
  int check;
  if (!CoveringCheck(f, p, id, &check)) return false;
  f.fetched_records.clear();
  if (f.fetched.size() <= static_cast<size_t>(p.registry)) f.fetched.resize(p.registry + 1);
  f.registries.Fetch(p.registry, check, id, &f.fetched_records, &f.fetched[p.registry]);
  for (const Message* record : f.fetched_records) {
    Value v;
    v.kind = TypeKind::kMessage;
    v.message = record;
    v.index = static_cast<int32_t>(list->items.size());
    list->items.push_back(v);
  }
  return true;
}

// ---- arithmetic ----

bool Ordered(Op op, int c) {
  switch (op) {
    case Op::kEq: return c == 0;
    case Op::kNe: return c != 0;
    case Op::kLt: return c < 0;
    case Op::kLe: return c <= 0;
    case Op::kGt: return c > 0;
    default: return c >= 0;
  }
}

bool ArithRational(Frame& f, const Instr& in, const Value& a, const Value& b, Value* out) {
  const Op op = static_cast<Op>(in.flags);
  Rational x = AsRational(a), y = AsRational(b), r;
  // Whole numbers (fen, counts) take the int64 path; fractions stay exact.
  if (x.den == 1 && y.den == 1 && op != Op::kDiv) {
    int64_t v;
    const bool overflow = op == Op::kAdd   ? __builtin_add_overflow(x.num, y.num, &v)
                          : op == Op::kSub ? __builtin_sub_overflow(x.num, y.num, &v)
                                           : __builtin_mul_overflow(x.num, y.num, &v);
    if (overflow) return Overflow(f, in);
    out->kind = static_cast<TypeKind>(in.d);
    out->r = Rational::Int(v);
    return true;
  }
  bool ok;
  switch (op) {
    case Op::kAdd: ok = Add(x, y, &r); break;
    case Op::kSub: ok = Sub(x, y, &r); break;
    case Op::kMul: ok = Mul(x, y, &r); break;
    default:
      if (y.num == 0) return f.Fault(absl::StrCat(ExprOf(in).source, "：除数为零"));
      ok = Div(x, y, &r);
      break;
  }
  if (!ok) return Overflow(f, in);
  out->kind = static_cast<TypeKind>(in.d);
  out->r = r;
  return true;
}

bool CallBuiltin(Frame& f, const Instr& in, const Value* a, Value* out) {
  const TExpr& e = ExprOf(in);
  const Builtin b = e.builtin;
  const RoundMode mode = e.round_mode;
  switch (b) {
    case Builtin::kRoundToFen:
    case Builtin::kRoundToYuan: {
      Rational r;
      if (!RoundTo(a[0].r, Rational::Int(b == Builtin::kRoundToFen ? 1 : 100), mode, &r)) return Overflow(f, in);
      *out = Value::Money(r);
      return true;
    }
    case Builtin::kRoundToMultiple: {
      Rational unit = AsRational(a[1]);
      if (unit.num <= 0) return f.Fault(absl::StrCat("“", e.source, "”：取整单位必须大于零"));
      Rational r;
      if (!RoundTo(AsRational(a[0]), unit, mode, &r)) return Overflow(f, in);
      out->kind = e.type.kind;
      if (out->kind == TypeKind::kInt) {
        out->i = r.num;
      } else {
        out->r = r;
      }
      return true;
    }
    case Builtin::kToInteger: {
      Rational r;
      if (!RoundTo(AsRational(a[0]), Rational::Int(1), mode, &r)) return Overflow(f, in);
      *out = Value::Int(r.num);
      return true;
    }
    case Builtin::kGreater:
    case Builtin::kLesser: {
      int c = CompareValues(a[0], a[1]);
      *out = (b == Builtin::kGreater ? c >= 0 : c <= 0) ? a[0] : a[1];
      if (e.type.kind == TypeKind::kDecimal && out->kind == TypeKind::kInt) *out = Value::Decimal(Rational::Int(out->i));
      return true;
    }
    case Builtin::kAgeAt:
      *out = Value::Int(YearsBetween(a[0].date, a[1].date));
      return true;
    case Builtin::kMonthsBetween:
      *out = Value::Int(MonthsBetween(a[0].date, a[1].date));
      return true;
    case Builtin::kDaysBetween:
      *out = Value::Int(static_cast<int64_t>(a[1].date) - a[0].date);
      return true;
    case Builtin::kWithinBefore: {
      int32_t start;
      if (!AddDuration(a[1].date, a[2].duration, -1, &start)) return DateOutOfRange(f, e.source);
      *out = Value::Bool(a[0].date >= start && a[0].date <= a[1].date);
      return true;
    }
    case Builtin::kPresent:
      break;
  }
  return f.Fault("内部错误：未知函数");
}

// ---- fused loops ----

// An item bound to a slot, as the general loop binds it.
inline void Bind(Value* slot, const Message& item, int index) {
  slot->kind = TypeKind::kMessage;
  slot->message = &item;
  slot->index = index;
}

// 1 holds, 0 does not, -1 cannot be decided (cause recorded).
inline int TestItem(Frame& f, const ItemTest& t, const Message& item, const Value* R) {
  Value v;
  if (!ReadSingular(f, *t.field, item, &v)) return -1;
  switch (t.kind) {
    case ItemTest::Kind::kRegistry: {
      int check;
      if (!CoveringCheck(f, *t.registry, v.text, &check)) return -1;
      return f.registries.Contains(t.registry->registry, check, v.text) ? 1 : 0;
    }
    case ItemTest::Kind::kEnumSet:
      return t.set->Contains(v.enum_number) == t.in ? 1 : 0;
    case ItemTest::Kind::kCompare:
      return Ordered(t.op, CompareValues(v, R[t.rhs])) ? 1 : 0;
  }
  return -1;
}

// kQuantLoop: the next pc.
int32_t QuantLoop(Frame& f, const Instr& in, Value* R) {
  const FusedLoop& loop = *static_cast<const FusedLoop*>(in.p);
  const Value& base = R[in.b];
  if (base.kind == TypeKind::kError) {
    Unbound(f);
    return in.fail;
  }
  const bool any = in.flags & 1;
  const Message& m = *base.message;
  const FieldAccess& outer = *loop.outer->access;
  const int n = outer.size(m);
  int unknown = -1;
  Value* slot = &R[loop.slot];
  Value item;
  for (int k = 0; k < n; ++k) {
    outer.at(m, k, &item);
    Bind(slot, *item.message, k);
    const int t = TestItem(f, loop.test, *item.message, R);
    if (t < 0) {
      if (unknown < 0) unknown = f.last_cause;
      continue;
    }
    // Decided: the slot keeps the witness.
    if ((t == 1) == any) return any ? in.c : in.d;
  }
  if (unknown >= 0) {
    f.last_cause = unknown;
    return in.fail;
  }
  return any ? in.d : in.c;
}

// kSumLoop: the next pc.
int32_t SumLoop(Frame& f, const Instr& in, Value* R) {
  const FusedLoop& loop = *static_cast<const FusedLoop*>(in.p);
  const Value& base = R[in.b];
  if (base.kind == TypeKind::kError) {
    Unbound(f);
    return in.fail;
  }
  int64_t sum = 0;
  // One item: false (with the cause recorded) when the sum cannot be computed.
  auto add = [&](const Message& item, int index) {
    if (loop.filtered) {
      Bind(&R[loop.filter_slot], item, index);
      const int t = TestItem(f, loop.filter, item, R);
      if (t < 0) return false;
      if (t == 0) return true;
    }
    Bind(&R[loop.slot], item, index);
    Value v;
    if (!ReadSingular(f, *loop.mapping, item, &v)) return false;
    const int64_t x = v.kind == TypeKind::kInt ? v.i : v.r.num;
    int64_t next;
    if (__builtin_add_overflow(sum, x, &next)) {
      return f.Fault(absl::StrCat("“", loop.expr->source, "”合计超出可表示范围（溢出）"));
    }
    sum = next;
    return true;
  };
  const Message& m = *base.message;
  const FieldAccess& outer = *loop.outer->access;
  const int n = outer.size(m);
  Value a, b;
  for (int k = 0; k < n; ++k) {
    outer.at(m, k, &a);
    if (loop.inner == nullptr) {
      if (!add(*a.message, k)) return in.fail;
      continue;
    }
    const FieldAccess& inner = *loop.inner->access;
    const int n2 = inner.size(*a.message);
    for (int j = 0; j < n2; ++j) {
      inner.at(*a.message, j, &b);
      if (!add(*b.message, j)) return in.fail;
    }
  }
  Value out;
  out.kind = loop.expr->type.kind;
  if (out.kind == TypeKind::kInt) {
    out.i = sum;
  } else {
    out.r = Rational::Int(sum);
  }
  R[in.a] = out;
  return in.d;
}

// kDivRound: a rounding call of a division, whole numbers in int64; anything else (a
// fraction, division by zero, overflow) exactly as the division and the call apart.
bool DivRound(Frame& f, const Instr& in, const Value& x, const Value& y, Value* out) {
  const TExpr& call = ExprOf(in);
  const TExpr& div = *call.args[0];
  const Rational a = AsRational(x), b = AsRational(y);
  if (a.den == 1 && b.den == 1 && b.num != 0 && a.num != INT64_MIN && b.num != INT64_MIN) {
    __int128 n = a.num, d = b.num;
    if (d < 0) {
      n = -n;
      d = -d;
    }
    const int64_t unit = call.builtin == Builtin::kRoundToYuan ? 100 : 1;
    d *= unit;
    __int128 fl = n / d;
    const __int128 rem = n % d;
    if (rem != 0 && n < 0) fl -= 1;  // floor
    __int128 k = fl;
    if (rem != 0) {
      if (call.round_mode == RoundMode::kUp) {
        k = fl + 1;
      } else if (call.round_mode == RoundMode::kHalfUp) {
        const __int128 rem2 = 2 * (n - fl * d);  // in [0, 2d)
        k = (n >= 0 ? rem2 >= d : rem2 > d) ? fl + 1 : fl;
      }
    }
    const __int128 rounded = k * unit;
    if (rounded >= INT64_MIN && rounded <= INT64_MAX) {
      *out = call.builtin == Builtin::kToInteger ? Value::Int(static_cast<int64_t>(k))
                                                 : Value::Money(Rational::Int(static_cast<int64_t>(rounded)));
      return true;
    }
  }
  Instr division;
  division.op = OpCode::kArithRational;
  division.flags = static_cast<uint8_t>(Op::kDiv);
  division.d = static_cast<int32_t>(div.type.kind);
  division.p = &div;
  Value q;
  if (!ArithRational(f, division, x, y, &q)) return false;
  const Value args[3] = {q, Value(), Value()};
  return CallBuiltin(f, in, args, out);
}

}  // namespace

bool Run(Frame& f, const Function& fn) {
  const Instr* code = f.plan->code.data();
  Value* R = f.regs.data();
  int32_t pc = fn.entry;
  for (;;) {
    const Instr& in = code[pc];
    switch (in.op) {
      case OpCode::kRet:
        return true;
      case OpCode::kRetFail:
        return false;
      case OpCode::kJump:
        pc = in.a;
        continue;
      case OpCode::kJumpIfFalse:
        pc = R[in.a].b ? pc + 1 : in.b;
        continue;
      case OpCode::kJumpIfTrue:
        pc = R[in.a].b ? in.b : pc + 1;
        continue;
      case OpCode::kJumpIfNegative:
        pc = R[in.a].i < 0 ? in.b : pc + 1;
        continue;
      case OpCode::kJumpIfNotTracing:
        pc = f.tracing ? pc + 1 : in.a;
        continue;
      case OpCode::kCallSub:
        R[in.a].i = pc + 1;
        pc = in.b;
        continue;
      case OpCode::kRetSub:
        pc = static_cast<int32_t>(R[in.a].i);
        continue;

      case OpCode::kMove:
        R[in.a] = R[in.b];
        break;
      case OpCode::kSetBool:
        R[in.a] = Value::Bool(in.b != 0);
        break;
      case OpCode::kSetInt:
        R[in.a] = Value::Int(in.b);
        break;
      case OpCode::kZero: {
        const TypeKind kind = static_cast<TypeKind>(in.b);
        if (kind == TypeKind::kInt) {
          R[in.a] = Value::Int(0);
        } else {
          Value v;
          v.kind = kind;
          v.r = Rational::Int(0);
          R[in.a] = v;
        }
        break;
      }
      case OpCode::kRoot: {
        Value v;
        v.kind = TypeKind::kMessage;
        v.message = f.application;
        R[in.a] = v;
        break;
      }
      case OpCode::kAsOf:
        if (!f.as_of_known) {
          f.Missing("评估日期", "申请没有评估日期或申请日期");
          pc = in.fail;
          continue;
        }
        R[in.a] = Value::Date(f.as_of);
        break;
      case OpCode::kEligible:
        switch (f.eligible_state) {
          case Eligibility::kEligible: R[in.a] = Value::Bool(true); break;
          case Eligibility::kIneligible: R[in.a] = Value::Bool(false); break;
          case Eligibility::kUnknown:
            f.last_cause = f.eligible_cause;
            pc = in.fail;
            continue;
          case Eligibility::kNotYetKnown:
            f.Fault("内部错误：在“不符合”规则完成前读取了“符合条件”");
            pc = in.fail;
            continue;
        }
        break;
      case OpCode::kSlot:
        // Unbound only when an explanation reads an item of a list that had no items.
        if (R[in.b].kind == TypeKind::kError) {
          Unbound(f);
          pc = in.fail;
          continue;
        }
        R[in.a] = R[in.b];
        break;
      case OpCode::kDecl:
        if (!f.program->EvalDecl(f, in.b, &R[in.a])) {
          pc = in.fail;
          continue;
        }
        break;
      case OpCode::kConstParam:
        R[in.a] = R[in.b];
        if (f.tracing) {
          // A parameter with one value is a constant; while tracing it still shows as read.
          NamedState& s = f.named[in.c];
          if (s.state == DeclState::kNotComputed) {
            s.state = DeclState::kDone;
            s.value = R[in.b];
          }
        }
        break;
      case OpCode::kPromote:
        if (R[in.a].kind == TypeKind::kInt) R[in.a] = Value::Decimal(Rational::Int(R[in.a].i));
        break;

      case OpCode::kField: {
        const Value& base = R[in.b];
        if (base.kind == TypeKind::kError) {
          Unbound(f);
          pc = in.fail;
          continue;
        }
        Value v;
        if (!ReadSingular(f, *static_cast<const FieldPlan*>(in.p), *base.message, &v)) {
          pc = in.fail;
          continue;
        }
        R[in.a] = v;
        break;
      }
      case OpCode::kPresent: {
        const Value& base = R[in.b];
        if (base.kind == TypeKind::kError) {
          Unbound(f);
          pc = in.fail;
          continue;
        }
        R[in.a] = Value::Bool(Present(f, *static_cast<const FieldPlan*>(in.p), *base.message));
        break;
      }
      case OpCode::kFieldSize: {
        const Value& base = R[in.b];
        if (base.kind == TypeKind::kError) {
          Unbound(f);
          pc = in.fail;
          continue;
        }
        f.NoteRead(*base.message);
        R[in.a] = Value::Int(RepeatedSize(*static_cast<const FieldPlan*>(in.p), *base.message));
        break;
      }
      case OpCode::kIterField: {
        const Value& base = R[in.b];
        if (base.kind == TypeKind::kError) {
          Unbound(f);
          pc = in.fail;
          continue;
        }
        const FieldPlan& p = *static_cast<const FieldPlan*>(in.p);
        const Message& m = *base.message;
        // Listing a person's items is not yet reading them (the items are noted when read);
        // a list of plain values is. Consumers that walk a list of messages themselves note
        // the message that holds it (subjects.h).
        if ((in.flags & kNoteBase) || ((in.flags & kNoteUnlessMessage) && p.storage != FieldStorage::kMessage)) {
          f.NoteRead(m);
        }
        const int n = RepeatedSize(p, m);
        R[in.c].i = 0;
        R[in.c + 1].i = n;
        if (n == 0) {
          pc = in.d;
          continue;
        }
        if (!ReadRepeated(f, p, m, 0, &R[in.a])) {
          pc = in.fail;
          continue;
        }
        break;
      }
      case OpCode::kNextField: {
        const int64_t k = ++R[in.c].i;
        if (k >= R[in.c + 1].i) break;
        if (!ReadRepeated(f, *static_cast<const FieldPlan*>(in.p), *R[in.b].message, static_cast<int>(k), &R[in.a])) {
          pc = in.fail;
          continue;
        }
        pc = in.d;
        continue;
      }
      case OpCode::kIterList: {
        const ListValue* list = R[in.b].list;
        R[in.c].i = 0;
        if (list == nullptr || list->items.empty()) {
          pc = in.d;
          continue;
        }
        R[in.a] = list->items[0];
        break;
      }
      case OpCode::kNextList: {
        const int64_t k = ++R[in.c].i;
        const ListValue* list = R[in.b].list;
        if (static_cast<size_t>(k) >= list->items.size()) break;
        R[in.a] = list->items[k];
        pc = in.d;
        continue;
      }

      case OpCode::kListNew: {
        Value v;
        v.kind = TypeKind::kList;
        v.list = f.NewList();
        R[in.a] = v;
        break;
      }
      case OpCode::kListPush:
        const_cast<ListValue*>(R[in.a].list)->items.push_back(R[in.b]);
        break;
      case OpCode::kSetIndex:
        R[in.a].index = in.b;
        break;

      case OpCode::kRegistryContains: {
        const RegistryPlan& p = *static_cast<const RegistryPlan*>(in.p);
        const std::string_view id = R[in.b].text;
        int check;
        if (!CoveringCheck(f, p, id, &check)) {
          pc = in.fail;
          continue;
        }
        R[in.a] = Value::Bool(f.registries.Contains(p.registry, check, id));
        break;
      }
      case OpCode::kRegistryFetch:
        if (!Fetch(f, *static_cast<const RegistryPlan*>(in.p), R[in.b].text, const_cast<ListValue*>(R[in.a].list))) {
          pc = in.fail;
          continue;
        }
        break;

      case OpCode::kNot:
        R[in.a] = Value::Bool(!R[in.b].b);
        break;
      case OpCode::kNegInt:
      case OpCode::kNegRational: {
        Value v = R[in.b];
        if (v.kind == TypeKind::kInt) {
          if (v.i == INT64_MIN) {
            f.Fault(absl::StrCat(ExprOf(in).source, "：数值溢出"));
            pc = in.fail;
            continue;
          }
          v.i = -v.i;
        } else {
          Rational negated;
          if (!Negate(v.r, &negated)) {
            f.Fault(absl::StrCat(ExprOf(in).source, "：数值溢出"));
            pc = in.fail;
            continue;
          }
          v.r = negated;
        }
        R[in.a] = v;
        break;
      }
      case OpCode::kArithInt: {
        const Op op = static_cast<Op>(in.flags);
        const int64_t x = R[in.b].i, y = R[in.c].i;
        int64_t r;
        const bool overflow = op == Op::kAdd   ? __builtin_add_overflow(x, y, &r)
                              : op == Op::kSub ? __builtin_sub_overflow(x, y, &r)
                                               : __builtin_mul_overflow(x, y, &r);
        if (overflow) {
          Overflow(f, in);
          pc = in.fail;
          continue;
        }
        R[in.a] = Value::Int(r);
        break;
      }
      case OpCode::kArithRational: {
        Value v;
        if (!ArithRational(f, in, R[in.b], R[in.c], &v)) {
          pc = in.fail;
          continue;
        }
        R[in.a] = v;
        break;
      }
      case OpCode::kArithDate: {
        const Value& a = R[in.b];
        const Value& b = R[in.c];
        const Op op = static_cast<Op>(in.flags);
        int32_t date;
        const bool ok = a.kind == TypeKind::kDate ? AddDuration(a.date, b.duration, op == Op::kSub ? -1 : 1, &date)
                                                  : AddDuration(b.date, a.duration, 1, &date);
        if (!ok) {
          DateOutOfRange(f, ExprOf(in).source);
          pc = in.fail;
          continue;
        }
        R[in.a] = Value::Date(date);
        break;
      }
      case OpCode::kArithDuration: {
        Duration sum;
        if (!AddDurations(R[in.b].duration, R[in.c].duration, &sum)) {
          Overflow(f, in);
          pc = in.fail;
          continue;
        }
        Value v;
        v.kind = TypeKind::kDuration;
        v.duration = sum;
        R[in.a] = v;
        break;
      }
      case OpCode::kCompareInt: {
        const int64_t x = R[in.b].i, y = R[in.c].i;
        R[in.a] = Value::Bool(Ordered(static_cast<Op>(in.flags), x < y ? -1 : (x > y ? 1 : 0)));
        break;
      }
      case OpCode::kCompareRational: {
        const Value& x = R[in.b];
        const Value& y = R[in.c];
        int c;
        if (x.kind != TypeKind::kInt && y.kind != TypeKind::kInt && x.r.den == 1 && y.r.den == 1) {
          c = x.r.num < y.r.num ? -1 : (x.r.num > y.r.num ? 1 : 0);
        } else {
          c = CompareValues(x, y);
        }
        R[in.a] = Value::Bool(Ordered(static_cast<Op>(in.flags), c));
        break;
      }
      case OpCode::kCompareDate: {
        const int32_t x = R[in.b].date, y = R[in.c].date;
        R[in.a] = Value::Bool(Ordered(static_cast<Op>(in.flags), x < y ? -1 : (x > y ? 1 : 0)));
        break;
      }
      case OpCode::kEqual:
        R[in.a] = Value::Bool(ValuesEqual(R[in.b], R[in.c]) == (static_cast<Op>(in.flags) == Op::kEq));
        break;
      case OpCode::kEnumEqual:
        R[in.a] = Value::Bool(R[in.b].enum_number == R[in.c].enum_number);
        break;
      case OpCode::kInEnumSet: {
        const bool found = static_cast<const EnumSet*>(in.p)->Contains(R[in.b].enum_number);
        R[in.a] = Value::Bool(found == (static_cast<Op>(in.flags) == Op::kIn));
        break;
      }
      case OpCode::kCall: {
        const Value args[3] = {R[in.b], R[in.c], R[in.d]};
        Value v;
        if (!CallBuiltin(f, in, args, &v)) {
          pc = in.fail;
          continue;
        }
        R[in.a] = v;
        break;
      }
      case OpCode::kSumInt: {
        int64_t next;
        if (__builtin_add_overflow(R[in.a].i, R[in.b].i, &next)) {
          f.Fault(absl::StrCat("“", ExprOf(in).source, "”合计超出可表示范围（溢出）"));
          pc = in.fail;
          continue;
        }
        R[in.a].i = next;
        break;
      }
      case OpCode::kSumRational: {
        // Into a fresh local, then assigned: an output that aliases an input makes GCC
        // compute the overflow flag from the overwritten operand (issue 14).
        const Rational sum = R[in.a].r;
        const Value& v = R[in.b];
        Rational next;
        bool ok;
        if (v.kind != TypeKind::kInt && sum.den == 1 && v.r.den == 1) {
          int64_t n;
          ok = !__builtin_add_overflow(sum.num, v.r.num, &n);
          next = Rational::Int(n);
        } else {
          ok = Add(sum, AsRational(v), &next);
        }
        if (!ok) {
          f.Fault(absl::StrCat("“", ExprOf(in).source, "”合计超出可表示范围（溢出）"));
          pc = in.fail;
          continue;
        }
        R[in.a].r = next;
        break;
      }
      case OpCode::kMinMax: {
        const Value& v = R[in.b];
        const bool min = static_cast<Op>(in.flags) == Op::kMin;
        if (!R[in.c].b || (min ? CompareValues(v, R[in.a]) < 0 : CompareValues(v, R[in.a]) > 0)) R[in.a] = v;
        R[in.c] = Value::Bool(true);
        break;
      }
      case OpCode::kEmptyFault: {
        const TExpr& e = ExprOf(in);
        f.Fault(absl::StrCat("“", e.source, "”：列表为空，没有", ast::OpSpelling(e.op), "值"));
        pc = in.fail;
        continue;
      }
      case OpCode::kDistinct: {
        ListValue* keys = const_cast<ListValue*>(R[in.c].list);
        const Value& key = R[in.b];
        bool seen = false;
        // Lists are short (a household's records): seen keys are compared one by one.
        for (const Value& k : keys->items) seen = seen || ValuesEqual(k, key);
        if (!seen) keys->items.push_back(key);
        R[in.a] = Value::Bool(seen);
        break;
      }

      case OpCode::kQuantLoop:
        if (f.tracing || f.reads != nullptr) break;  // the general code follows
        pc = QuantLoop(f, in, R);
        continue;
      case OpCode::kSumLoop:
        if (f.tracing || f.reads != nullptr) break;
        pc = SumLoop(f, in, R);
        continue;
      case OpCode::kDivRound: {
        Value v;
        if (!DivRound(f, in, R[in.b], R[in.c], &v)) {
          pc = in.fail;
          continue;
        }
        R[in.a] = v;
        break;
      }

      case OpCode::kSaveCause:
        R[in.a].i = f.last_cause;
        break;
      case OpCode::kSaveCauseOnce:
        if (R[in.a].i < 0) R[in.a].i = f.last_cause;
        break;
      case OpCode::kRestoreCause:
        f.last_cause = static_cast<int>(R[in.a].i);
        break;
      case OpCode::kFailWith:
        f.last_cause = static_cast<int>(R[in.a].i);
        pc = in.fail;
        continue;
      case OpCode::kReadsOff:
        R[in.a].ptr = f.reads;
        f.reads = nullptr;
        break;
      case OpCode::kReadsOn:
        f.reads = static_cast<std::vector<const Message*>*>(const_cast<void*>(R[in.a].ptr));
        break;
      case OpCode::kReadsMark:
        R[in.a].i = f.reads != nullptr ? static_cast<int64_t>(f.reads->size()) : 0;
        break;
      case OpCode::kAbsorbReads:
        f.AbsorbHouseholdReads(static_cast<size_t>(R[in.a].i));
        break;
      case OpCode::kRecordItem:
        if (f.record_items) {
          const bool filter = (in.flags & kFilterItem) != 0;
          f.RecordItem(in.p, R[in.a], filter, filter ? R[in.b].b : true, filter ? Value() : R[in.b]);
        }
        break;
      case OpCode::kNoteException:
        if (f.record_exceptions) f.excepted[in.c].push_back(in.b);
        break;
    }
    ++pc;
  }
}

namespace {

// Where `target` sits inside `m`, as "成员[2].收入[1]" (Chinese field names, 1-based indices);
// false when it is not inside. Walks the message tree with an explicit stack; only used when
// something is missing, so the cost (a few dozen messages per household) is off the hot path.
bool PathInside(const google::protobuf::Message& root, const google::protobuf::Message* target, bool english,
                std::string* out) {
  using google::protobuf::FieldDescriptor;
  using google::protobuf::Message;
  struct Step {
    const Message* message;
    std::string path;
  };
  const Schema& schema = Schema::Get();
  std::vector<Step> stack{{&root, ""}};
  while (!stack.empty()) {
    Step step = std::move(stack.back());
    stack.pop_back();
    const Message& m = *step.message;
    const google::protobuf::Reflection* r = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(m, &fields);
    for (const FieldDescriptor* field : fields) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      const std::string name = schema.FieldName(field, english);
      const std::string prefix = step.path.empty() ? name : absl::StrCat(step.path, ".", name);
      if (!field->is_repeated()) {
        const Message* child = &r->GetMessage(m, field);
        if (child == target) return (*out = prefix), true;
        stack.push_back({child, prefix});
        continue;
      }
      for (int k = 0; k < r->FieldSize(m, field); ++k) {
        const Message* child = &r->GetRepeatedMessage(m, field, k);
        std::string path = absl::StrCat(prefix, "[", k + 1, "]");
        if (child == target) return (*out = std::move(path)), true;
        stack.push_back({child, std::move(path)});
      }
    }
  }
  return false;
}

}  // namespace

namespace {

// FieldPath with the innermost slot's item given (FieldPathItem) instead of read from the
// registers, which may hold something else by the time a cause is reported.
std::string FieldPathWithItem(const Frame& f, const TExpr& e, const Value& item) {
  if (e.kind != TKind::kField || e.args.empty()) return e.source;
  const TExpr& base = *e.args[0];
  std::string name = Schema::Get().FieldName(e.field, f.english);
  if (base.kind == TKind::kSlot) {
    // An item of the application is named by where it is in the application
    // (成员[1].收入[2].金额), whatever filtered list the rule was walking; other items (registry
    // records) by the list they came from.
    std::string where;
    if (item.kind == TypeKind::kMessage && f.application != nullptr &&
        PathInside(*f.application, item.message, f.english, &where)) {
      return absl::StrCat(where, ".", name);
    }
    return absl::StrCat(base.source, "[", item.index + 1, "].", name);
  }
  if (base.kind == TKind::kRoot) return name;
  if (base.kind == TKind::kField) return absl::StrCat(FieldPathWithItem(f, base, item), ".", name);
  return e.source;
}

}  // namespace

Value FieldPathItem(const Frame& f, const TExpr& e) {
  const TExpr* x = &e;
  while (x->kind == TKind::kField && !x->args.empty()) {
    const TExpr& base = *x->args[0];
    if (base.kind == TKind::kSlot) return f.regs[base.slot];
    if (base.kind != TKind::kField) break;
    x = &base;
  }
  return Value();
}

std::string FieldPath(const Frame& f, const TExpr& e) { return FieldPathWithItem(f, e, FieldPathItem(f, e)); }

void ResolveCauseField(const Frame& f, Cause* cause) {
  if (cause->field_expr == nullptr) return;
  cause->field = FieldPathWithItem(f, *cause->field_expr, cause->item);
  cause->field_expr = nullptr;
}

const char* OpCodeName(OpCode op) {
  switch (op) {
#define HEYAN_OP(x) \
  case OpCode::x: return #x;
    HEYAN_OP(kRet) HEYAN_OP(kRetFail) HEYAN_OP(kJump) HEYAN_OP(kJumpIfFalse) HEYAN_OP(kJumpIfTrue)
    HEYAN_OP(kJumpIfNegative) HEYAN_OP(kJumpIfNotTracing) HEYAN_OP(kCallSub) HEYAN_OP(kRetSub) HEYAN_OP(kMove)
    HEYAN_OP(kSetBool) HEYAN_OP(kSetInt) HEYAN_OP(kZero) HEYAN_OP(kRoot) HEYAN_OP(kAsOf) HEYAN_OP(kEligible)
    HEYAN_OP(kSlot) HEYAN_OP(kDecl) HEYAN_OP(kConstParam) HEYAN_OP(kPromote) HEYAN_OP(kField) HEYAN_OP(kPresent)
    HEYAN_OP(kFieldSize) HEYAN_OP(kIterField) HEYAN_OP(kNextField) HEYAN_OP(kIterList) HEYAN_OP(kNextList)
    HEYAN_OP(kListNew) HEYAN_OP(kListPush) HEYAN_OP(kSetIndex) HEYAN_OP(kRegistryContains) HEYAN_OP(kRegistryFetch)
    HEYAN_OP(kNot) HEYAN_OP(kNegInt) HEYAN_OP(kNegRational) HEYAN_OP(kArithInt) HEYAN_OP(kArithRational)
    HEYAN_OP(kArithDate) HEYAN_OP(kArithDuration) HEYAN_OP(kCompareInt) HEYAN_OP(kCompareRational)
    HEYAN_OP(kCompareDate) HEYAN_OP(kEqual) HEYAN_OP(kEnumEqual) HEYAN_OP(kInEnumSet) HEYAN_OP(kCall)
    HEYAN_OP(kSumInt) HEYAN_OP(kSumRational) HEYAN_OP(kMinMax) HEYAN_OP(kEmptyFault) HEYAN_OP(kDistinct)
    HEYAN_OP(kSaveCause) HEYAN_OP(kSaveCauseOnce) HEYAN_OP(kRestoreCause) HEYAN_OP(kFailWith) HEYAN_OP(kReadsOff)
    HEYAN_OP(kReadsOn) HEYAN_OP(kReadsMark) HEYAN_OP(kAbsorbReads) HEYAN_OP(kRecordItem) HEYAN_OP(kNoteException) HEYAN_OP(kQuantLoop) HEYAN_OP(kSumLoop) HEYAN_OP(kDivRound)
#undef HEYAN_OP
  }
  return "?";
}

}  // namespace heyan::internal

namespace heyan::internal {

std::string DumpPlan(const Plan& plan) {
  std::string out;
  for (size_t pc = 0; pc < plan.code.size(); ++pc) {
    const Instr& in = plan.code[pc];
    absl::StrAppend(&out, pc, ": ", OpCodeName(in.op), " a=", in.a, " b=", in.b, " c=", in.c, " d=", in.d,
                    " flags=", in.flags, " fail=", in.fail, "\n");
  }
  return out;
}

}  // namespace heyan::internal
