// The interpreter: runs a flat plan (runtime/plan.h) in a Frame. Private to the runtime.
#ifndef HEYAN_RUNTIME_INTERPRETER_H_
#define HEYAN_RUNTIME_INTERPRETER_H_

#include <string>

#include "runtime/frame.h"
#include "runtime/plan.h"

namespace heyan::internal {

// Runs `fn` in `f` (whose `plan` and registers are set up for the program). True with the
// result in f.regs[fn.result]; false when it cannot be computed, with the cause in
// f.last_cause (missing evidence or a fault). Never throws.
bool Run(Frame& f, const Function& fn);

// Human-readable path of a field read for missing-evidence reports, e.g. "成员[2].出生日期".
std::string FieldPath(const Frame& f, const TExpr& field_expr);
// The item FieldPath names a field read by: what the innermost slot under its chain of
// field reads holds now (an empty Value for a read from the application's root).
Value FieldPathItem(const Frame& f, const TExpr& field_expr);
// Writes the path of a lazily named cause (Frame::MissingField) into its `field`, once.
void ResolveCauseField(const Frame& f, Cause* cause);

// The plan's instructions, one per line ("12: kField a=40 b=3 ..."), for tests and tools.
std::string DumpPlan(const Plan& plan);

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_INTERPRETER_H_
