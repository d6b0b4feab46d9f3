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

}  // namespace heyan::cli

#endif  // HEYAN_CLI_COMMANDS_H_
