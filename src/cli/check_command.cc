// heyan check: checks rule files and prints every diagnostic.
//
//   heyan check FILE|DIR... [--format=text|json] [--lang=zh|en] [--assumptions] [--strict]
//
// Each path is a rule file or a directory searched for entry rule sets. Diagnostics go to
// stdout (caret text, or one JSON object per line); the count goes to stderr. --strict makes
// every warning an error (printed and counted as one): a release must cite a document for
// every rule and dated value (W0214), since refusal letters quote it.
// Exit status: 0 no errors; 1 errors (with --strict, warnings too); 2 usage error.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "common/text.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "io/input_file.h"

namespace heyan::cli {

int Check(const std::vector<std::string>& args) {
  bool json = false, assumptions = false, strict = false;
  Language lang = LanguageOf(args);
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
    } else if (a == "--strict") {
      strict = true;
    } else if (absl::StartsWith(a, "--")) {
      return UsageError("check", lang == Language::kEnglish ? absl::StrCat("unknown option ", a)
                                                            : absl::StrCat("未知的选项 ", a), lang);
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return UsageError("check", Text{"请给出要检查的规则文件或目录", "give a rule file or directory"}, lang);
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
      for (Diagnostic d : r->diagnostics) {
        if (strict) d.severity = Severity::kError;
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
    std::cerr << (en ? absl::StrCat("checked ", checked, " rule set(s): ", errors, " error(s), ", warnings, " warning(s)",
                                    strict ? " (--strict: warnings count as errors)" : "", "\n")
                     : absl::StrCat("检查了 ", checked, " 个规则集：", errors, " 个错误，", warnings, " 个警告",
                                    strict ? "（--strict：警告按错误计）" : "", "\n"));
  }
  return errors > 0 ? 1 : 0;
}

}  // namespace heyan::cli
