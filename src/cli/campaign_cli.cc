// Helpers shared by the campaign commands (see campaign_cli.h).
#include "cli/campaign_cli.h"

#include <chrono>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "heyan/compiler.h"

namespace heyan::cli {

std::shared_ptr<const Program> CompileRulesArg(const std::string& command, const std::string& path,
                                               const std::map<std::string, std::string>& overrides) {
  absl::StatusOr<std::string> entry = FindEntryRuleSet({path});
  if (!entry.ok()) {
    std::cerr << "heyan " << command << ": " << entry.status().message() << "\n";
    return nullptr;
  }
  CompileOptions options;
  options.parameter_overrides = overrides;
  absl::StatusOr<CompileResult> compiled = CompileFile(*entry, options);
  if (!compiled.ok()) {
    std::cerr << "heyan " << command << ": " << compiled.status().message() << "\n";
    return nullptr;
  }
  for (const Diagnostic& d : compiled->diagnostics) {
    if (d.severity == Severity::kError) std::cerr << FormatDiagnostic(d, Language::kChinese);
  }
  if (!compiled->ok()) return nullptr;
  return compiled->program;
}

bool TakeOption(const std::vector<std::string>& args, size_t* i, const std::string& name, std::string* value,
                bool* missing) {
  const std::string& a = args[*i];
  if (a == name) {
    if (*i + 1 >= args.size()) {
      *missing = true;
      return true;
    }
    *value = args[++*i];
    return true;
  }
  if (a.size() > name.size() && a.compare(0, name.size(), name) == 0 && a[name.size()] == '=') {
    *value = a.substr(name.size() + 1);
    return true;
  }
  return false;
}

Progress::Progress(bool enabled) : enabled_(enabled) {}

void Progress::Show(const char* what, int64_t records, uint64_t done, int64_t total) {
  if (!enabled_) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  if (now - last_ms_ < 200) return;
  last_ms_ = now;
  std::string bar;
  if (total > 0) {
    const int width = 30;
    const int filled = static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total));
    bar = absl::StrCat("[", std::string(std::min(filled, width), '#'), std::string(width - std::min(filled, width), '.'),
                       "] ", static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)), "% ");
  }
  std::cerr << "\r\033[K" << bar << what << " " << records << " 户" << std::flush;
  shown_ = true;
}

void Progress::Clear() {
  if (enabled_ && shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace heyan::cli
