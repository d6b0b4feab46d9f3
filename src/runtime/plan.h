// The flat plan: what the planner (compiler/planner.cc) makes of a checked program and the
// interpreter (runtime/interpreter.cc) runs. Private to the runtime and the planner.
//
// A plan is one array of typed instructions over a register file of Values. Every rule,
// named value, table cell, message part and evidence expression is a Function: an entry
// point into the array and the register that holds its result. Registers are allocated by
// the planner, each function its own, so a named value computed on first use (kDecl, which
// runs another function) never overwrites its caller's registers. The checker's variable
// slots (the items bound by 每个, 任一, 其中, 合计 ...) are registers [0, slot_count);
// constants sit in registers the frame fills once per program and nothing writes.
//
// Failure: an instruction that cannot compute its value (missing evidence, a fault)
// records the cause in the frame (Frame::Missing / Frame::Fault, or leaves the cause of
// the failure it passes on) and jumps to its `fail` target; the planner points `fail` at
// whatever catches it (a 并且/或者 that may still decide, a quantifier that goes on with the
// next item, or the function's kRetFail). Loops over lists are compiled inline (the
// consumer's code is the loop body), so a filter feeding a sum feeding a quantifier runs as
// nested loops with no callbacks, and stops exactly where the node tree it replaces did.
//
// Operand conventions below: R[x] is register x; `p` is the instruction's pointer operand;
// jump targets are instruction indexes.
#ifndef HEYAN_RUNTIME_PLAN_H_
#define HEYAN_RUNTIME_PLAN_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "checker/checker.h"
#include "common/schema.h"
#include "common/value.h"
#include "runtime/field_access.h"

namespace heyan::internal {

using Reg = int32_t;

enum class OpCode : uint8_t {
  // ---- control ----
  kRet,             // return true: the function's result is in its result register
  kRetFail,         // return false: the cause is in Frame::last_cause
  kJump,            // pc = a
  kJumpIfFalse,     // if !R[a].b: pc = b
  kJumpIfTrue,      // if R[a].b: pc = b
  kJumpIfNegative,  // if R[a].i < 0: pc = b
  kJumpIfNotTracing,  // if the evaluation records no trace: pc = a
  kCallSub,         // R[a].i = pc + 1; pc = b (a loop body shared by two loops, see kIf)
  kRetSub,          // pc = R[a].i

  // ---- values ----
  kMove,            // R[a] = R[b]
  kSetBool,         // R[a] = Bool(b)
  kSetInt,          // R[a] = Int(b)
  kZero,            // R[a] = zero of kind b (kInt: 0, kMoney/kDecimal: 0/1)
  kRoot,            // R[a] = the application
  kAsOf,            // R[a] = the evaluation date; missing evidence when there is none
  kEligible,        // R[a] = 符合条件 (known once the 不符合 rules ran)
  kSlot,            // R[a] = R[b]; fault "（没有此项）" when the slot is unbound
  kDecl,            // R[a] = named value b (computed on first use, then cached)
  kConstParam,      // R[a] = R[b] (a constant); while tracing, marks parameter c as read
  kPromote,         // R[a] = Decimal(R[a].i) when R[a] is an integer

  // ---- fields (p: const FieldPlan*) ----
  kField,           // R[a] = the singular field of message R[b] (presence, conversion)
  kPresent,         // R[a] = Bool(the field of message R[b] is set)
  kFieldSize,       // R[a] = Int(number of items of repeated field of R[b]); notes R[b] read
  kIterField,       // loop over repeated field of message R[b] (state R[c], R[c+1]):
                    //   R[a] = item 0, or pc = d when there is none; flags: kNoteBase,
                    //   kNoteUnlessMessage (which reads explanations note, see subjects.h)
  kNextField,       // R[a] = next item and pc = d, or fall through after the last
  kIterList,        // loop over list R[b] (state R[c]): R[a] = item 0, or pc = d if empty
  kNextList,        // R[a] = next item and pc = d, or fall through after the last

  // ---- lists built during the evaluation ----
  kListNew,         // R[a] = a new empty list (frame storage, reused between evaluations)
  kListPush,        // appends R[b] to list R[a]
  kSetIndex,        // R[a].index = b (an item's position, for explanations)

  // ---- registries (p: const RegistryPlan*) ----
  kRegistryContains,  // R[a] = Bool(ID R[b] has a record); not checked: missing evidence
  kRegistryFetch,     // appends the records of ID R[b] to list R[a]

  // ---- arithmetic and comparison (p: the TExpr, for fault messages) ----
  kNot,             // R[a] = !R[b]
  kNegInt,          // R[a] = -R[b]; overflow: fault
  kNegRational,     // idem for money and decimals
  kArithInt,        // R[a] = R[b] (flags: ast::Op) R[c]; overflow: fault
  kArithRational,   // idem, exact; result kind d; whole numbers take the int64 fast path
  kArithDate,       // date ± duration; outside 0001..9999: fault
  kArithDuration,   // duration + duration
  kCompareInt,      // R[a] = Bool(R[b] (flags) R[c]) for integers
  kCompareRational, // idem for money and decimals (R[b], R[c] may be integers too)
  kCompareDate,     // idem for dates
  kEqual,           // R[a] = Bool(ValuesEqual(R[b], R[c]) == (flags == kEq))
  kEnumEqual,       // R[a] = Bool(R[b].enum_number == R[c].enum_number)
  kInEnumSet,       // R[a] = Bool(R[b] in enum set p) == (flags == kIn)
  kCall,            // R[a] = builtin p->builtin (R[b], R[c], R[d]); faults as the builtin
  kSumInt,          // R[a].i += R[b].i; overflow: fault "…合计超出可表示范围（溢出）"
  kSumRational,     // idem, exact
  kMinMax,          // R[a] = R[b] if R[c] (have) is false or R[b] is smaller/larger (flags)
  kEmptyFault,      // fault "…：列表为空，没有最小/最大值" (p: the aggregate)
  kDistinct,        // R[a] = Bool(key R[b] is in list R[c]); appends it if not

  // ---- fused loops: the common shapes in one instruction each (p: const FusedLoop*) ----
  // Each runs only when the evaluation neither traces nor notes reads; otherwise it falls
  // through to the general code for the same expression, which the planner emits right
  // after it. Both give the same values, causes and registry lookups.
  kQuantLoop,       // 任一/全部 (flags: 1 = 任一) over repeated field of message R[b] with a
                    //   simple test of each item: pc = c when it holds, d when not, fail
  kSumLoop,         // R[a] = 合计 over the items of repeated field(s) of message R[b],
                    //   optionally filtered by a simple test; pc = d after the general code
  kDivRound,        // R[a] = call p (向下取整到分 …) of R[b] / R[c] (division TExpr p->args[0]),
                    //   whole numbers in int64, else exactly as kArithRational + kCall

  // ---- causes, explanations and traces ----
  kSaveCause,       // R[a].i = last_cause
  kSaveCauseOnce,   // if R[a].i < 0: R[a].i = last_cause
  kRestoreCause,    // last_cause = R[a].i
  kFailWith,        // last_cause = R[a].i; pc = fail
  kReadsOff,        // R[a] = Frame::reads; Frame::reads = null (a filter's condition)
  kReadsOn,         // Frame::reads = R[a]
  kReadsMark,       // R[a].i = number of reads so far
  kAbsorbReads,     // reads since mark R[a].i over several persons are a household figure
  kRecordItem,      // trace: item R[a] seen by filter/aggregate p; flags kFilterItem: counted
                    //   = R[b].b; else value R[b]
  kNoteException,   // trace: exception b of rule c held
};

// Instruction flags.
inline constexpr uint8_t kNoteBase = 1;          // kIterField: note the base message read
inline constexpr uint8_t kNoteUnlessMessage = 2; // kIterField: note it unless items are messages
inline constexpr uint8_t kFilterItem = 1;        // kRecordItem: a filter's decision

struct Instr {
  OpCode op = OpCode::kRet;
  uint8_t flags = 0;
  int32_t a = 0, b = 0, c = 0, d = 0;
  int32_t fail = -1;     // where to go when the instruction fails
  const void* p = nullptr;
};

// A field read: descriptor, storage and the generated accessor.
struct FieldPlan {
  const google::protobuf::FieldDescriptor* field = nullptr;
  FieldStorage storage = FieldStorage::kInt64;
  bool has_presence = false;
  const FieldAccess* access = nullptr;  // null: protobuf reflection
  const TExpr* expr = nullptr;          // the field expression (missing-evidence paths)
};

struct RegistryPlan;
struct EnumSet;

// A test of one item bound to a slot, simple enough to fuse into a loop: a field of the
// item in a registry (属于 登记册.X), in a constant set of enum values, or compared with a
// constant.
struct ItemTest {
  enum class Kind : uint8_t { kRegistry, kEnumSet, kCompare };
  Kind kind = Kind::kCompare;
  const FieldPlan* field = nullptr;   // the item's field
  const RegistryPlan* registry = nullptr;
  const EnumSet* set = nullptr;
  bool in = true;                     // kEnumSet: 属于 (true) or 不属于
  ast::Op op = ast::Op::kEq;          // kCompare
  Reg rhs = -1;                       // kCompare: a constant register
};

struct FusedLoop {
  const FieldPlan* outer = nullptr;   // repeated message field of the base message
  const FieldPlan* inner = nullptr;   // optional: repeated message field of each outer item
  Reg slot = -1;                      // the item's slot (quantifier; sum: the mapping's)
  ItemTest test;                      // quantifier: the condition
  bool filtered = false;              // sum: a filter (其中) before the mapping
  Reg filter_slot = -1;
  ItemTest filter;
  const FieldPlan* mapping = nullptr; // sum: the integer or money field added
  Reg unknown_cause = -1;             // quantifier: register of the general code's cause
  const TExpr* expr = nullptr;        // the quantifier or aggregate
};

struct RegistryPlan {
  int registry = -1;
  const TExpr* expr = nullptr;      // 属于 登记册.X / 登记册.X[...]
  const TExpr* key_expr = nullptr;  // the ID number expression (missing-evidence paths)
};

// Membership in a constant list of enum values, as a bit set.
struct EnumSet {
  std::vector<bool> bits;
  bool Contains(int32_t n) const { return n >= 0 && static_cast<size_t>(n) < bits.size() && bits[n]; }
};

// An entry point and where its result is left. entry < 0: nothing to run (literal text).
struct Function {
  int32_t entry = -1;
  Reg result = -1;
  const TExpr* expr = nullptr;  // what it computes (type, source, explanations)
  bool valid() const { return entry >= 0; }
};

struct CellPlan {
  ast::CellKind kind = ast::CellKind::kAny;
  ast::Op op = ast::Op::kNone;
  bool lo_closed = true, hi_closed = false;
  Function a, b;  // kIn / kNotIn: `a` is whether the input (in register `input`) is in the list
};

struct RowPlan {
  std::vector<CellPlan> cells;
  Function result;
};

struct DeclPlan {
  Function value;               // values and outputs
  std::vector<Function> inputs; // tables
  std::vector<RowPlan> rows;
  Function otherwise;
  Reg input = -1;               // tables: the register the 属于 cells compare
  std::vector<Function> evidence;
};

struct RulePlan {
  // Decides the rule: leaves 1 (applies), 0 (does not) or -1 (cannot be decided; cause in
  // Frame::last_cause) in register `result` as an integer. Per-item rules (每个) leave the
  // item that applied bound to the rule's slot.
  Function decide;
  bool each = false;
  std::vector<Function> message;   // parallel to CheckedRule::message (invalid for text)
  std::vector<Function> evidence;  // parallel to CheckedRule::evidence
};

struct Plan {
  std::vector<Instr> code;
  int register_count = 0;
  // Registers holding constants, with their values (filled once per frame and program).
  std::vector<std::pair<Reg, Value>> constants;
  std::vector<DeclPlan> decls;
  std::vector<RulePlan> rules;
  // Storage the instructions point into.
  std::deque<FieldPlan> fields;
  std::deque<RegistryPlan> registries;
  std::deque<EnumSet> enum_sets;
  std::deque<FusedLoop> fused;
};

// Human-readable name of an opcode, for plan dumps and tests.
const char* OpCodeName(OpCode op);

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_PLAN_H_
