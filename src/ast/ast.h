// The rule-file AST: the parser's output and the checker's input.
//
// A RuleFile is built once by the parser and never changed afterwards; later stages keep
// their own side data (types, resolutions) keyed by node ids. Every node carries the Span
// it was written at, so any later diagnostic, trace step or explanation can point at it.
#ifndef HEYAN_AST_AST_H_
#define HEYAN_AST_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/rational.h"
#include "common/source.h"

namespace heyan::ast {

using internal::Span;

enum class Op {
  kNone,
  kAdd, kSub, kMul, kDiv, kNeg,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn, kNotIn,
  kNot, kAnd, kOr,
  kAny, kAll,
  kSum, kMin, kMax, kCount,
  kDistinct,  // 去重(list: key): the items whose key was not seen before, in order
};

const char* OpSpelling(Op op);  // "+", "属于", "合计", ...

enum class ExprKind {
  kLiteral,    // value in `literal`
  kName,       // `text` is the name
  kField,      // args[0].text ; `text` is the field name
  kIndex,      // args[0][args[1]]
  kUnary,      // op kNeg / kNot, args[0]
  kBinary,     // arithmetic, comparison, membership, and/or: args[0] op args[1]
  kQuantifier, // op kAny/kAll; `var` optional binding name; args[0] collection, args[1] condition
  kIf,         // args: condition, then, else
  kWhere,      // args[0] 其中 args[1]
  kList,       // [args...]
  kAggregate,  // op kSum/kMin/kMax/kCount/kDistinct; args[0] collection, args[1] optional mapping
  kCall,       // `text` function name, args
};

enum class LiteralKind { kInt, kDecimal, kMoney, kDate, kDuration, kText, kBool };

struct Literal {
  LiteralKind kind = LiteralKind::kInt;
  int64_t int_value = 0;
  internal::Rational rational;  // decimal, or money in fen
  int32_t date = 0;
  internal::Duration duration;
  std::string text;
  bool bool_value = false;
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  int id = 0;
  Span span;
  Op op = Op::kNone;
  std::string text;
  std::string var;
  Span var_span;
  Literal literal;
  std::vector<std::unique_ptr<Expr>> args;
  // A long chain of one associative operator (a + b + … with more than 8 operands, also
  // *, 并且, 或者) is regrouped by the parser into a balanced tree to bound nesting depth:
  // `regrouped` marks the nodes it made, and the chain's root has `chain_operands` set to
  // the number of operands (0 elsewhere).
  bool regrouped = false;
  int chain_operands = 0;
};

// A message with {placeholders}: alternating literal text and expressions.
struct MessagePart {
  std::string text;             // literal text when expr is null
  std::unique_ptr<Expr> expr;
};
struct Message {
  std::vector<MessagePart> parts;
  Span span;
  bool present = false;
};

struct TypeRef {
  std::string name;
  Span span;
  std::unique_ptr<TypeRef> arg;  // list<arg>
};

struct Citation {
  std::string text;
  Span span;
  bool present = false;
};

struct DatedValue {
  bool dated = false;
  int32_t from = 0;  // days since epoch
  Span from_span;
  std::unique_ptr<Expr> value;
  Citation basis;
};

enum class DeclKind { kParameter, kValue, kOutput, kTable };

struct ParamDecl {
  std::string name;
  Span name_span;
  Span span;
  bool override_ = false;
  bool assumption = false;
  TypeRef type;
  std::string unit;
  std::vector<DatedValue> values;
  Citation because;
};

// 计算 and 输出.
struct ValueDecl {
  bool output = false;
  std::string name;
  Span name_span;
  Span span;
  bool override_ = false;
  bool has_type = false;
  TypeRef type;
  std::unique_ptr<Expr> expr;
  std::string key;  // after 记为
  Span key_span;
  Citation basis;
};

enum class Outcome { kIneligible, kReview, kFlag, kMissing };

struct ExceptClause {
  std::string title;
  Citation basis;
  std::unique_ptr<Expr> condition;
  Span span;
};

struct RuleDecl {
  std::string id;
  Span id_span;
  Span span;
  bool override_ = false;
  std::string title;
  Citation basis;
  std::string each_var;
  Span each_var_span;
  std::unique_ptr<Expr> each;  // collection of a per-item rule, or null
  std::unique_ptr<Expr> condition;
  std::vector<ExceptClause> exceptions;
  Outcome outcome = Outcome::kIneligible;
  Message message;
};

struct DisableDecl {
  std::string rule_id;
  Span span;
  Citation basis;
};

enum class CellKind { kAny, kCompare, kRange, kIn, kNotIn, kEqual };

struct Cell {
  CellKind kind = CellKind::kAny;
  Op op = Op::kNone;           // kCompare
  bool lo_closed = true;       // kRange
  bool hi_closed = false;
  std::unique_ptr<Expr> a;     // value / low bound / list
  std::unique_ptr<Expr> b;     // high bound
  Span span;
};

struct TableRow {
  std::vector<Cell> cells;
  std::unique_ptr<Expr> result;
  Citation basis;
  Span span;
};

enum class HitPolicy { kUnique, kFirst };

struct TableDecl {
  std::string name;
  Span name_span;
  Span span;
  bool override_ = false;
  bool has_type = false;
  TypeRef type;
  HitPolicy hit = HitPolicy::kUnique;
  Citation basis;
  std::vector<std::unique_ptr<Expr>> inputs;
  std::vector<TableRow> rows;
  std::unique_ptr<Expr> otherwise;
  Citation otherwise_basis;
  Span otherwise_span;
};

struct Import {
  std::string path;  // as written
  Span span;
};

struct RuleFile {
  int file = -1;
  std::string name;
  Span name_span;
  std::string version;
  Citation basis;
  std::vector<Import> imports;
  std::vector<ParamDecl> params;
  std::vector<ValueDecl> values;   // 计算 and 输出, in file order
  std::vector<RuleDecl> rules;
  std::vector<TableDecl> tables;
  std::vector<DisableDecl> disables;
  int next_id = 1;
  // Declarations left out because of syntax or literal errors (already reported): the file
  // is incomplete, and the names and rule ids those declarations define are listed so that
  // checking the rest does not report them as unknown.
  bool incomplete = false;
  std::vector<std::string> unparsed_names;
  std::vector<std::string> unparsed_rule_ids;
};

}  // namespace heyan::ast

#endif  // HEYAN_AST_AST_H_
