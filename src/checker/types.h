// Typing rules of the rule language's operators. Private to the checker.
//
//   int ⊕ int            -> int (÷ gives decimal: 7 ÷ 2 = 3.5, exact)
//   int/decimal ⊕ decimal -> decimal
//   money ± money        -> money
//   money × int|decimal, int|decimal × money -> money
//   money ÷ int|decimal  -> money (exact; round explicitly)
//   money ÷ money        -> decimal
//   date ± duration      -> date;  duration + duration -> duration
// Everything else (money + date, money + int, ...) is an error (E0301).
#ifndef HEYAN_CHECKER_TYPES_H_
#define HEYAN_CHECKER_TYPES_H_

#include "ast/ast.h"
#include "common/value.h"

namespace heyan::internal {

// Result type of `a op b` for + - × ÷, or kError if not defined.
Type ArithmeticType(ast::Op op, const Type& a, const Type& b);
// Whether `a op b` is a valid comparison (= ≠ for every comparable type; < ≤ > ≥ for ordered ones).
bool ComparableTypes(ast::Op op, const Type& a, const Type& b);
// Ordered types: int, decimal, money, date, duration-free.
bool IsOrdered(const Type& t);
// A type that can hold both (int and decimal unify to decimal); kError if none.
Type UnifyTypes(const Type& a, const Type& b);

}  // namespace heyan::internal

#endif  // HEYAN_CHECKER_TYPES_H_
