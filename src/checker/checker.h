// Check stage: AST -> CheckedProgram.
//
// Resolves every name (declarations, data-model fields by Chinese or English name, enum
// values, registries, built-in functions), infers and checks every type, orders definitions
// by dependency and rejects cycles, and analyses decision tables for gaps and overlaps.
// Author mistakes are diagnostics; the result is only used when there are none.
//
// The CheckedProgram is a typed tree (TExpr) that the planner (compiler/planner.h) turns
// into the evaluator's nodes. Private to the compiler.
#ifndef HEYAN_CHECKER_CHECKER_H_
#define HEYAN_CHECKER_CHECKER_H_

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "common/source.h"
#include "common/value.h"

namespace heyan::internal {

enum class TKind {
  kConst,             // `constant`
  kList,              // list literal of args
  kRoot,              // the application
  kField,             // args[0] . field (args[0] a message, or a list of messages: flattening)
  kSlot,              // the item bound to `slot`
  kDecl,              // declaration `decl` (parameter, value, output, table)
  kAsOf,              // evaluation date
  kEligible,          // no 不符合 rule applies
  kRegistryRef,       // 登记册.X (only as an operand of kRegistryContains / kRegistryFetch)
  kRegistryContains,  // args[0] (ID number) 属于 registry
  kRegistryFetch,     // registry[args[0]]: the records of an ID number
  kUnary,             // op kNeg / kNot
  kArith,             // op + - * /
  kCompare,           // op = ≠ < ≤ > ≥
  kIn,                // args[0] 属于 / 不属于 args[1] (a list)
  kAnd,
  kOr,
  kIf,
  kFilter,            // args[0] 其中 args[1], item in `slot`
  kQuant,             // op any/all over args[0], condition args[1], item in `slot`
  kAggregate,         // op sum/min/max/count over args[0], optional mapping args[1], item in `slot`
  kCall,              // built-in function `builtin`
};

enum class Builtin {
  kRoundToFen, kRoundToYuan, kRoundToMultiple,   // with round_mode
  kToInteger,                                     // floor/ceil/round of a decimal, with round_mode
  kGreater, kLesser,
  kAgeAt, kMonthsBetween, kDaysBetween, kWithinBefore,
  kPresent,
};

struct TExpr {
  TKind kind = TKind::kConst;
  Type type;
  Span span;
  ast::Op op = ast::Op::kNone;
  int slot = -1;
  int decl = -1;
  int registry = -1;
  const google::protobuf::FieldDescriptor* field = nullptr;
  Builtin builtin = Builtin::kPresent;
  RoundMode round_mode = RoundMode::kDown;
  Value constant;
  std::string source;  // source text, for explanations and missing-evidence paths
  std::string var;     // kFilter/kQuant/kAggregate: the name the item is bound to
  std::vector<std::unique_ptr<TExpr>> args;
};

// Storage for constants (list values, texts) referenced by Values in the checked program.
// Moves into the Program; deque keeps addresses stable.
struct ConstantPool {
  std::deque<ListValue> lists;
  std::deque<std::string> texts;
};

struct DatedConstant {
  int32_t from = INT32_MIN;  // INT32_MIN: no effective date (always)
  Value value;
  std::string basis;
  int line = 0;
};

struct CheckedCell {
  ast::CellKind kind = ast::CellKind::kAny;
  ast::Op op = ast::Op::kNone;
  bool lo_closed = true, hi_closed = false;
  std::unique_ptr<TExpr> a, b;
};

struct CheckedRow {
  std::vector<CheckedCell> cells;
  std::unique_ptr<TExpr> result;
  std::string basis;
  int line = 0;
};

struct CheckedDecl {
  ast::DeclKind kind = ast::DeclKind::kValue;
  std::string name;
  Span span;
  std::string file;
  int line = 0;
  Type type;
  std::string basis;
  bool live = true;  // false when overridden by a later 覆盖
  // parameters
  std::vector<DatedConstant> dated;
  bool assumption = false;
  std::string because;
  std::string unit;
  // values and outputs
  std::unique_ptr<TExpr> expr;
  bool output = false;
  std::string key;  // normalised: counted_income, per_capita_income, benefit, tier, covered_members, standard
  // tables
  bool first_hit = false;
  std::vector<std::unique_ptr<TExpr>> inputs;
  std::vector<CheckedRow> rows;
  std::unique_ptr<TExpr> otherwise;
  std::string otherwise_basis;
  // values and outputs: sub-expressions that explain the value (see CheckedRule::evidence)
  std::vector<const TExpr*> evidence;
};

struct CheckedException {
  std::string title;
  std::string basis;
  std::unique_ptr<TExpr> condition;
  int line = 0;
};

struct CheckedMessagePart {
  std::string text;
  std::unique_ptr<TExpr> expr;
};

struct CheckedRule {
  std::string id;
  std::string title;
  std::string basis;
  ast::Outcome outcome = ast::Outcome::kIneligible;
  std::string file;
  int line = 0;
  bool live = true;  // false when overridden or disabled
  int each_slot = -1;
  std::unique_ptr<TExpr> each;
  std::unique_ptr<TExpr> condition;
  std::vector<CheckedException> exceptions;
  std::vector<CheckedMessagePart> message;
  // Sub-expressions whose values explain why the rule applied (fields, named values,
  // aggregates read by the condition), evaluated only when the rule applies.
  std::vector<const TExpr*> evidence;
};

struct CheckedProgram {
  std::string name, version, basis;
  std::vector<CheckedDecl> decls;
  std::vector<CheckedRule> rules;
  int slot_count = 0;
  std::shared_ptr<ConstantPool> pool = std::make_shared<ConstantPool>();
  // Constant nodes made by the planner when folding (owned here so they live as long).
  std::vector<std::unique_ptr<TExpr>> folded;
};

struct CheckInput {
  // Files in dependency order (imported files before the files that import them).
  std::vector<const ast::RuleFile*> files;
  // Parameter overrides: name -> parsed constant expression (span in its own pseudo-file).
  std::vector<std::pair<std::string, const ast::Expr*>> parameter_overrides;
  // CompileOptions::max_nesting_depth. The parser holds each expression to this depth; the
  // checker holds evaluation, which nests through named values, to
  // kEvaluationDepthPerNesting times it (E0004 beyond).
  int max_nesting_depth = 64;
};

// Evaluation depth allowed per level of expression nesting: with the default nesting limit
// of 64, evaluation may nest 256 levels, e.g. a chain of 128 named values each adding to the
// one before. Checker, planner and evaluator recurse over this depth, so it bounds their
// stack use (tests/compiler/compiler_test.cc runs the limit on a 1 MiB stack).
inline constexpr int kEvaluationDepthPerNesting = 4;

// Checks the rule set. Returns null if any error was reported.
std::unique_ptr<CheckedProgram> Check(const CheckInput& input, const SourceSet& sources,
                                      DiagnosticSink* sink);

}  // namespace heyan::internal

#endif  // HEYAN_CHECKER_CHECKER_H_
