// The summary `heyan eval` writes to stderr after a run: records per second, the registry
// files and what they loaded, outcomes, and the reasons with how many decisions gave each.
#ifndef HEYAN_CLI_EVAL_SUMMARY_H_
#define HEYAN_CLI_EVAL_SUMMARY_H_

#include <string>

#include "cli/registry_flags.h"
#include "heyan/batch.h"
#include "heyan/program.h"
#include "heyan/registry.h"

namespace heyan::cli {

std::string Summary(const Program& program, const Registries& registries, const RegistryFlags& registry_flags,
                    const BatchCounts& counts, double seconds, int threads, bool en);

}  // namespace heyan::cli

#endif  // HEYAN_CLI_EVAL_SUMMARY_H_
