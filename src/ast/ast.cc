#include "ast/ast.h"

namespace heyan::ast {

const char* OpSpelling(Op op) {
  switch (op) {
    case Op::kNone: return "";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "×";
    case Op::kDiv: return "÷";
    case Op::kNeg: return "-";
    case Op::kEq: return "=";
    case Op::kNe: return "≠";
    case Op::kLt: return "<";
    case Op::kLe: return "≤";
    case Op::kGt: return ">";
    case Op::kGe: return "≥";
    case Op::kIn: return "属于";
    case Op::kNotIn: return "不属于";
    case Op::kNot: return "并非";
    case Op::kAnd: return "并且";
    case Op::kOr: return "或者";
    case Op::kAny: return "任一";
    case Op::kAll: return "所有";
    case Op::kSum: return "合计";
    case Op::kMin: return "最小";
    case Op::kMax: return "最大";
    case Op::kCount: return "计数";
    case Op::kDistinct: return "去重";
  }
  return "";
}

}  // namespace heyan::ast
