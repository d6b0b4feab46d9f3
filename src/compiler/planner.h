// Compile stage, second half: CheckedProgram -> Program (the flat plan, runtime/plan.h).
// This file's external interface is just PlanProgram(); the planner is private to the compiler.
#ifndef HEYAN_COMPILER_PLANNER_H_
#define HEYAN_COMPILER_PLANNER_H_

#include <memory>

#include "runtime/program_impl.h"

namespace heyan::internal {

// Compiles every declaration and rule of `parts.checked` (and their messages and evidence)
// into parts.plan.
void PlanProgram(ProgramParts* parts);

}  // namespace heyan::internal

#endif  // HEYAN_COMPILER_PLANNER_H_
