// Sub-commands of the `heyan` tool. Private to the CLI.
#ifndef HEYAN_CLI_COMMANDS_H_
#define HEYAN_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace heyan::cli {

int Usage();
int Eval(const std::vector<std::string>& args);
int Test(const std::vector<std::string>& args);
int Explain(const std::vector<std::string>& args);
int Serve(const std::vector<std::string>& args);  // built with the service (HEYAN_HAVE_SERVICE)

}  // namespace heyan::cli

#endif  // HEYAN_CLI_COMMANDS_H_
