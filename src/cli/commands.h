// Sub-commands of the `heyan` tool: each takes the arguments after its name and returns the
// exit status. They are listed, with their help, in cli/help.cc. Private to the CLI.
#ifndef HEYAN_CLI_COMMANDS_H_
#define HEYAN_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace heyan::cli {

// Prints the overview of commands to stderr; returns 2 (a usage error).
int Usage();
int Check(const std::vector<std::string>& args);
int Eval(const std::vector<std::string>& args);
int Test(const std::vector<std::string>& args);
int Explain(const std::vector<std::string>& args);
int Serve(const std::vector<std::string>& args);  // built with the service (HEYAN_HAVE_SERVICE)

}  // namespace heyan::cli

#endif  // HEYAN_CLI_COMMANDS_H_
