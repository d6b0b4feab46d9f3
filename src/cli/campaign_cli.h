// Helpers shared by the campaign commands (screen, disclose, diff). Private to the CLI.
#ifndef HEYAN_CLI_CAMPAIGN_CLI_H_
#define HEYAN_CLI_CAMPAIGN_CLI_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "heyan/program.h"

namespace heyan::cli {

// Compiles the rule set at `path` (a file, or a directory with one entry rule set), printing
// its diagnostics to stderr prefixed by `command`. Null after printing why when it cannot.
std::shared_ptr<const Program> CompileRulesArg(const std::string& command, const std::string& path,
                                               const std::map<std::string, std::string>& overrides = {});

// Takes the value of an option given as "--name value" or "--name=value" from args[*i].
// Returns false when `args[*i]` is not `name`; sets *missing when the value is absent.
bool TakeOption(const std::vector<std::string>& args, size_t* i, const std::string& name, std::string* value,
                bool* missing);

// A progress line on stderr when it is a terminal, at most five times a second.
class Progress {
 public:
  explicit Progress(bool enabled);
  // `done` of `total` bytes (total < 0: unknown), `records` so far.
  void Show(const char* what, int64_t records, uint64_t done, int64_t total);
  void Clear();

 private:
  bool enabled_;
  int64_t last_ms_ = 0;
  bool shown_ = false;
};

int Screen(const std::vector<std::string>& args);
int Disclose(const std::vector<std::string>& args);
int Diff(const std::vector<std::string>& args);

}  // namespace heyan::cli

#endif  // HEYAN_CLI_CAMPAIGN_CLI_H_
