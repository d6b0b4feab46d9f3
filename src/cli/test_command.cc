// heyan test: placeholder until the test runner lands.
#include "cli/commands.h"

namespace heyan::cli {
int Test(const std::vector<std::string>& args) { return Usage(); }
}  // namespace heyan::cli
