// Help for the `heyan` command: ONE table of subcommands (name, handler, summary, usage,
// options, examples, exit status; Chinese and English), from which come
//   heyan --help / heyan help            the overview (every command and its summary)
//   heyan help CMD / heyan CMD --help    one command's help
//   usage errors                         "heyan CMD: <problem>" + the usage line
//   unknown commands                     "未知的命令“evl”。您是不是要写：eval？"
// and main()'s dispatch. A command exists only through its entry, so none can lack help.
//
// Adding a command (e.g. `heyan serve`): write `int Serve(const std::vector<std::string>&)`
// (declare it in cli/commands.h), then add ONE CommandHelp entry to kCommands in help.cc,
// in the order the overview should list it. Give both languages for every text; Chinese help
// uses Chinese placeholders (规则文件, 名称=文件), English help uses NAME=FILE. Add the
// command to tests/cli/help_test.py's COMMANDS and record its golden help text
// (HEYAN_UPDATE_GOLDEN=1, see that file). Private to the CLI.
#ifndef HEYAN_CLI_HELP_H_
#define HEYAN_CLI_HELP_H_

#include <string>
#include <string_view>
#include <vector>

#include "heyan/diagnostic.h"

namespace heyan::cli {

// A text in both languages.
struct Text {
  const char* zh;
  const char* en;
  const char* In(Language lang) const { return lang == Language::kEnglish ? en : zh; }
};

struct OptionHelp {
  const char* flag;  // "--registry", "--strict" (options are spelt the same in both languages)
  Text value;        // placeholder after the flag, e.g. {"名称=文件", "NAME=FILE"}; {"", ""} if none
  Text description;
};

struct ExampleHelp {
  const char* command;  // a complete command line, starting with "heyan "
  Text what;            // what it does
};

struct CommandHelp {
  const char* name;                                // "check"
  int (*run)(const std::vector<std::string>& args);  // the arguments after the command name
  Text summary;                                    // one line, for the overview
  Text usage;                                      // synopsis after "heyan NAME "
  Text description;                                // a paragraph, may be empty
  std::vector<OptionHelp> options;
  std::vector<ExampleHelp> examples;
  Text exit_status;                                // may be empty
};

// Every command, in the order the overview lists them.
const std::vector<CommandHelp>& Commands();
// The command called `name`, or nullptr.
const CommandHelp* FindCommand(std::string_view name);

// `heyan help CMD`: summary, usage, description, options, examples, exit status.
std::string FormatCommandHelp(const CommandHelp& command, Language lang);
// `heyan --help`: usage, every command with its summary, where to read more.
std::string FormatOverview(Language lang);
// "未知的命令“evl”。您是不是要写：eval？" plus where to find the list of commands.
std::string UnknownCommand(std::string_view name, Language lang);
// The usage line(s) of one command and where to read more, for usage errors.
std::string ShortUsage(const CommandHelp& command, Language lang);

// Prints "heyan NAME: problem" and the command's short usage to stderr; returns 2 (the exit
// status of a usage error).
int UsageError(std::string_view name, const std::string& problem, Language lang);
int UsageError(std::string_view name, const Text& problem, Language lang);

// The language asked for on a command line: English when "--lang=en" or "--lang en" is among
// `args`, else Chinese.
Language LanguageOf(const std::vector<std::string>& args);

// True when `args` asks for help ("--help" or "-h").
bool AsksForHelp(const std::vector<std::string>& args);

}  // namespace heyan::cli

#endif  // HEYAN_CLI_HELP_H_
