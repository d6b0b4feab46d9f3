// The `heyan` command: a thin shell over the public API. The subcommands, their handlers and
// their help all come from one table (cli/help.h); see there to add a command.
//
//   heyan COMMAND [OPTIONS]          run a command (heyan --help lists them)
//   heyan help [COMMAND]             the overview, or one command's help (also COMMAND --help)
//   heyan --version                  the engine version
// Help asked for goes to stdout (exit 0); a usage error goes to stderr (exit 2).
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/help.h"

namespace heyan::cli {

int Usage() {
  std::cerr << FormatOverview(Language::kChinese);
  return 2;
}

}  // namespace heyan::cli

int main(int argc, char** argv) {
  using namespace heyan::cli;
  const std::vector<std::string> all(argv + 1, argv + argc);
  const heyan::Language lang = LanguageOf(all);
  // "heyan --lang=en eval ...": a language before the command applies to it.
  std::vector<std::string> words = all;
  while (!words.empty() && (words[0] == "--lang=en" || words[0] == "--lang=zh")) words.erase(words.begin());
  if (words.empty()) {
    std::cerr << FormatOverview(lang);
    return 2;
  }
  const std::string& command = words[0];
  std::vector<std::string> args(words.begin() + 1, words.end());
  if (lang == heyan::Language::kEnglish && words.size() < all.size()) args.push_back("--lang=en");
  if (command == "--help" || command == "-h") return FindCommand("help")->run(args);
  if (command == "--version") return FindCommand("version")->run(args);
  const CommandHelp* found = FindCommand(command);
  if (found == nullptr) {
    std::cerr << UnknownCommand(command, lang);
    return 2;
  }
  if (AsksForHelp(args)) {
    std::cout << FormatCommandHelp(*found, lang);
    return 0;
  }
  return found->run(args);
}
