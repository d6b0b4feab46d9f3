#include "checker/types.h"

namespace heyan::internal {

using ast::Op;

Type ArithmeticType(Op op, const Type& a, const Type& b) {
  const TypeKind ka = a.kind, kb = b.kind;
  auto T = [](TypeKind k) { return Type::Of(k); };
  if (a.is_numeric() && b.is_numeric()) {
    if (op == Op::kDiv || ka == TypeKind::kDecimal || kb == TypeKind::kDecimal) return T(TypeKind::kDecimal);
    return T(TypeKind::kInt);
  }
  switch (op) {
    case Op::kAdd:
    case Op::kSub:
      if (ka == TypeKind::kMoney && kb == TypeKind::kMoney) return T(TypeKind::kMoney);
      if (ka == TypeKind::kDate && kb == TypeKind::kDuration) return T(TypeKind::kDate);
      if (op == Op::kAdd && ka == TypeKind::kDuration && kb == TypeKind::kDate) return T(TypeKind::kDate);
      if (op == Op::kAdd && ka == TypeKind::kDuration && kb == TypeKind::kDuration) return T(TypeKind::kDuration);
      break;
    case Op::kMul:
      if (ka == TypeKind::kMoney && b.is_numeric()) return T(TypeKind::kMoney);
      if (a.is_numeric() && kb == TypeKind::kMoney) return T(TypeKind::kMoney);
      break;
    case Op::kDiv:
      if (ka == TypeKind::kMoney && b.is_numeric()) return T(TypeKind::kMoney);
      if (ka == TypeKind::kMoney && kb == TypeKind::kMoney) return T(TypeKind::kDecimal);
      break;
    default:
      break;
  }
  return T(TypeKind::kError);
}

bool IsOrdered(const Type& t) {
  return t.kind == TypeKind::kInt || t.kind == TypeKind::kDecimal || t.kind == TypeKind::kMoney ||
         t.kind == TypeKind::kDate;
}

bool ComparableTypes(Op op, const Type& a, const Type& b) {
  bool equality = op == Op::kEq || op == Op::kNe;
  if (a.is_numeric() && b.is_numeric()) return true;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case TypeKind::kMoney:
    case TypeKind::kDate:
      return true;
    case TypeKind::kBool:
    case TypeKind::kText:
    case TypeKind::kDuration:
      return equality;
    case TypeKind::kEnum:
      return equality && a.enum_type == b.enum_type;
    case TypeKind::kMessage:
      return equality && a.message == b.message;
    default:
      return false;
  }
}

Type UnifyTypes(const Type& a, const Type& b) {
  if (a.is_error() || b.is_error()) return Type::Of(TypeKind::kError);
  if (SameType(a, b)) return a;
  if (a.is_numeric() && b.is_numeric()) return Type::Of(TypeKind::kDecimal);
  if (a.kind == TypeKind::kEmptyList && b.kind == TypeKind::kList) return b;
  if (b.kind == TypeKind::kEmptyList && a.kind == TypeKind::kList) return a;
  if (a.kind == TypeKind::kList && b.kind == TypeKind::kList) {
    Type e = UnifyTypes(*a.elem, *b.elem);
    return e.is_error() ? e : Type::List(e);
  }
  return Type::Of(TypeKind::kError);
}

}  // namespace heyan::internal
