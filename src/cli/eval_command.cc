// heyan eval: placeholder replaced below.
#include "cli/commands.h"

namespace heyan::cli {
int Eval(const std::vector<std::string>& args) { return Usage(); }
}  // namespace heyan::cli
