// Compile stage, second half: CheckedProgram -> Program (the evaluator's node trees).
// This file's external interface is just Plan(); the planner is private to the compiler.
#ifndef HEYAN_COMPILER_PLANNER_H_
#define HEYAN_COMPILER_PLANNER_H_

#include <memory>

#include "runtime/program_impl.h"

namespace heyan::internal {

// Builds node trees for every live declaration and rule of `parts.checked`, filling
// parts.decls, parts.rules and parts.decl_evidence.
void Plan(ProgramParts* parts);

}  // namespace heyan::internal

#endif  // HEYAN_COMPILER_PLANNER_H_
