// The `heyan` command: a thin shell over the public API.
//
//   heyan check FILE|DIR... [--format=json] [--lang=en] [--assumptions]
//   heyan eval  --rules PATH --registry NAME=FILE ... --in FILE --out FILE [--threads N]
//   heyan version
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/campaign_cli.h"
#include "cli/commands.h"
#include "common/text.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "io/input_file.h"

namespace heyan::cli {

int Usage() {
  std::cerr << "用法 / usage:\n"
               "  heyan check FILE|DIR... [--format=json] [--lang=en] [--assumptions]\n"
               "  heyan eval --rules PATH [--registry NAME=FILE ...] --in APPLICATIONS [--out DECISIONS]\n"
               "             [--threads N] [--in-format=json|binary] [--out-format=json|binary]\n"
               "             [--as-of YYYY-MM-DD] [--trace] [--lean] [--lang=en] [--strict-ids]\n"
               "  heyan explain --rules PATH [--registry NAME=FILE ...] APPLICATION [--as-of YYYY-MM-DD]\n"
               "             [--lang=en] [--audience=staff|applicant] [--format=text|json|html] [--out FILE]\n"
               "             [--strict-ids]\n"
               "  heyan test DIR|FILE... [--coverage] [--verbose] [--trace] [--lang=en]\n"
               "  heyan screen --rules PATH --roll ROLL --as-of YYYY-MM-DD --out LEDGER.xlsx [--history FILE]\n"
               "             [--roster FILE] [--registry NAME=FILE ...] [--db CAMPAIGN.sqlite] [--format=xlsx|csv|jsonl]\n"
               "  heyan screen record-visit|import-visits --db CAMPAIGN.sqlite ...\n"
               "  heyan disclose --roll ROLL --as-of YYYY-MM-DD --out-dir DIR [--format=html|csv|all]\n"
               "  heyan diff --old RULES --new RULES --in FILE --as-of YYYY-MM-DD [--registry NAME=FILE ...]\n"
#ifdef HEYAN_HAVE_SERVICE
               "  heyan serve --rules DIR [--registry NAME=FILE ...] --listen HOST:PORT\n"
               "             (--clients FILE | --allow-anonymous) [--audit-db FILE] ...  (heyan serve --help)\n"
#endif
               "  heyan version\n";
  return 2;
}

namespace {

int Check(const std::vector<std::string>& args) {
  bool json = false, assumptions = false;
  Language lang = Language::kChinese;
  std::vector<std::string> paths;
  for (const std::string& a : args) {
    if (a == "--format=json") {
      json = true;
    } else if (a == "--format=text") {
      json = false;
    } else if (a == "--lang=en") {
      lang = Language::kEnglish;
    } else if (a == "--lang=zh") {
      lang = Language::kChinese;
    } else if (a == "--assumptions") {
      assumptions = true;
    } else if (absl::StartsWith(a, "--")) {
      std::cerr << "heyan check: unknown option " << a << "\n";
      return Usage();
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return Usage();
  const bool en = lang == Language::kEnglish;
  int errors = 0, warnings = 0, checked = 0;
  for (const std::string& path : paths) {
    absl::StatusOr<RuleFiles> files = FindRuleFiles(path);
    // A path that is missing, a device, a socket, an unreadable directory, or a directory
    // without rule files: one E0001 saying which (checking nothing must not pass).
    if (!files.ok() || files->all.empty()) {
      Diagnostic d;
      d.code = "E0001";
      d.file = path;
      d.line = 1;
      d.column = 1;
      if (!files.ok() && files.status().code() == absl::StatusCode::kNotFound) {
        d.message_zh = absl::StrCat("找不到文件或目录“", path, "”");
        d.message_en = absl::StrCat("no such file or directory '", path, "'");
      } else if (!files.ok()) {
        // The diagnostic names the path already.
        auto reason = [&](const absl::Status& s) {
          std::string m(s.message());
          return absl::StartsWith(m, path + ": ") ? m.substr(path.size() + 2) : m;
        };
        d.message_zh = reason(files.status());
        absl::Status en = io::CheckInputPath(path, io::kRuleFile, /*english=*/true);
        d.message_en = en.ok() ? d.message_zh : reason(en);
      } else {
        d.message_zh = absl::StrCat("目录“", path, "”中没有规则文件（*.heyan）");
        d.message_en = absl::StrCat("no rule files (*.heyan) in directory '", path, "'");
      }
      std::cout << (json ? DiagnosticToJson(d, lang) + "\n" : FormatDiagnostic(d, lang));
      ++errors;
      continue;
    }
    for (const std::string& entry : files->entries) {
      ++checked;
      absl::StatusOr<CompileResult> r = CompileFile(entry);
      if (!r.ok()) {
        std::cerr << entry << ": " << r.status() << "\n";
        ++errors;
        continue;
      }
      for (const Diagnostic& d : r->diagnostics) {
        (d.severity == Severity::kError ? errors : warnings)++;
        std::cout << (json ? DiagnosticToJson(d, lang) + "\n" : FormatDiagnostic(d, lang));
      }
      if (assumptions && r->program) {
        for (const DeclarationInfo& info : r->program->declarations()) {
          if (!info.assumption) continue;
          if (json) {
            std::cout << "{\"assumption\":" << internal::JsonQuote(info.name) << ",\"file\":"
                      << internal::JsonQuote(info.file) << ",\"line\":" << info.line
                      << ",\"value\":" << internal::JsonQuote(info.value)
                      << ",\"because\":" << internal::JsonQuote(info.assumption_reason)
                      << ",\"basis\":" << internal::JsonQuote(info.citation) << "}\n";
          } else {
            std::cout << info.file << ":" << info.line << ": " << (en ? "assumption " : "假设 ") << info.name
                      << " = " << info.value << "\n    " << (en ? "because: " : "理由：") << info.assumption_reason
                      << "\n";
            if (!info.citation.empty()) std::cout << "    " << (en ? "basis: " : "依据：") << info.citation << "\n";
          }
        }
      }
    }
  }
  if (!json) {
    std::cerr << (en ? absl::StrCat("checked ", checked, " rule set(s): ", errors, " error(s), ", warnings, " warning(s)\n")
                     : absl::StrCat("检查了 ", checked, " 个规则集：", errors, " 个错误，", warnings, " 个警告\n"));
  }
  return errors > 0 ? 1 : 0;
}

}  // namespace
}  // namespace heyan::cli

int main(int argc, char** argv) {
  if (argc < 2) return heyan::cli::Usage();
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "check") return heyan::cli::Check(args);
  if (command == "eval") return heyan::cli::Eval(args);
  if (command == "test") return heyan::cli::Test(args);
  if (command == "explain") return heyan::cli::Explain(args);
  if (command == "screen") return heyan::cli::Screen(args);
  if (command == "disclose") return heyan::cli::Disclose(args);
  if (command == "diff") return heyan::cli::Diff(args);
#ifdef HEYAN_HAVE_SERVICE
  if (command == "serve") return heyan::cli::Serve(args);
#endif
  if (command == "version" || command == "--version") {
    std::cout << heyan::kEngineVersion << "\n";
    return 0;
  }
  return heyan::cli::Usage();
}
