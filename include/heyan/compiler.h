// Compiling rule files into a Program.
//
// Pipeline: parse -> AST -> check -> compile. This header is the one door to all four:
//
//   heyan::CompileOptions options;
//   absl::StatusOr<heyan::CompileResult> r = heyan::CompileFile("rules/henan/zhengzhou.heyan", options);
//   if (!r.ok()) { /* could not run at all: bad options, internal error */ }
//   if (!r->ok()) { /* rule-author mistakes: print r->diagnostics */ }
//   std::shared_ptr<const heyan::Program> program = r->program;
//
// Failure tiers:
//  * absl::Status (non-ok StatusOr): the compiler could not run (invalid options).
//  * Diagnostics in CompileResult: anything a rule author can fix, including an unreadable
//    or missing file, an import cycle, size and nesting limits. All are reported at once.
//  * The returned Program never fails to evaluate for a reason the checker could have seen.
//
// Thread-safety: compile functions are reentrant; the Program they return is immutable and
// may be shared by any number of threads.
#ifndef HEYAN_COMPILER_H_
#define HEYAN_COMPILER_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "heyan/diagnostic.h"
#include "heyan/export.h"

namespace heyan {

class Program;

struct CompileOptions {
  // Largest rule file accepted, in bytes. Larger files get diagnostic E0003.
  size_t max_source_bytes = 1 << 20;
  // Deepest nesting of brackets, and of any one expression, accepted (E0004 beyond it).
  // Chains of one associative operator (+ * 并且 或者) longer than 8 are regrouped into a
  // balanced tree first, so a 600-term sum nests 10 levels. Evaluation, which nests
  // through named values, may go 4 times this deep (E0004 beyond). Every stage recurses
  // within these bounds: at the defaults a rule set compiles and evaluates on a 1 MiB
  // thread stack; raising them needs a larger stack.
  int max_nesting_depth = 64;
  // Most files one rule set may pull in through imports (E0005 beyond it).
  int max_files = 64;
  // Most diagnostics returned; the rest are summarised by one E0008 ("还有 N 个问题未显示").
  // Errors are kept before warnings.
  int max_diagnostics = 100;
  // Widest source line (in terminal columns; CJK characters count two) kept in a
  // Diagnostic; longer lines become an excerpt around the problem with "…" at the cuts.
  int max_source_line_columns = 200;
  // In-memory rule files by path. Consulted before the file system, so rule sets can be
  // compiled from strings (bindings, tests, editors). Imports resolve here too, under the
  // same rules as files on disk (see import_roots).
  std::map<std::string, std::string> sources;
  // Where imports may read from. An import must name a *.heyan file that (after resolving
  // "..", and on disk symlinks) lies inside an allowed root, and on disk it must be a
  // regular file; otherwise it is refused with E0007 before anything is read, and the
  // diagnostic names only the path. Empty (the default): the one root is the entry file's
  // rule tree, i.e. its folder and each folder above it that also directly holds a rule
  // file (so rules/henan/zhengzhou/zhengzhou.heyan may import "../henan.heyan", but
  // nothing outside rules/henan). Non-empty: the entry file's own folder plus these
  // folders, and nothing above them. The entry file itself is never restricted.
  std::vector<std::string> import_roots;
  // Replaces parameter values: parameter name (as declared, Chinese or English) -> a
  // constant in rule-language syntax, e.g. {"月低保标准", "450元"} or
  // {"豁免车辆类型", "[摩托车, 农用三轮车]"}. The value replaces every dated value, is
  // type-checked like any other, and is part of the rules fingerprint. An unknown name is
  // diagnostic E0201.
  std::map<std::string, std::string> parameter_overrides;
  // (No language option: every Diagnostic carries its message in Chinese and in English, and
  // a Program's texts are chosen per call, by EvalOptions and ExplainOptions.)
};

struct CompileResult {
  // Null when any error-level diagnostic was reported.
  std::shared_ptr<const Program> program;
  // Every problem found, errors and warnings, in file then position order.
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return program != nullptr; }
};

// Compiles the rule set in `path` together with everything it imports.
HEYAN_EXPORT absl::StatusOr<CompileResult> CompileFile(const std::string& path,
                                          const CompileOptions& options = {});

// Finds the rule files (*.heyan) under `path` (a file or a directory, searched recursively),
// sorted. A directory's "entry" rule sets are those no other file in it imports. A path that
// is a file or a pipe is itself the one entry, whatever its name.
// Errors (Chinese, starting with the path): NotFound; FailedPrecondition for a device or a
// socket; Unavailable when part of the directory cannot be read. A directory without rule
// files is not an error: `entries` is empty.
struct RuleFiles {
  std::vector<std::string> all;
  std::vector<std::string> entries;
};
HEYAN_EXPORT absl::StatusOr<RuleFiles> FindRuleFiles(const std::string& path);
// The same over several paths (files and directories together): the entries are the found
// files that no other found file imports. Imports are read by the rule parser itself.
HEYAN_EXPORT absl::StatusOr<RuleFiles> FindRuleFiles(const std::vector<std::string>& paths);

// The one entry rule set in `paths`, as every tool that compiles "a rule file or a folder"
// needs it (heyan eval/explain/screen, Python heyan.compile). Errors, in `language` and
// naming the paths: those of FindRuleFiles; NotFound when there is no rule file at all;
// InvalidArgument when there are several entries (each listed on its own line).
HEYAN_EXPORT absl::StatusOr<std::string> FindEntryRuleSet(const std::vector<std::string>& paths,
                                             Language language = Language::kChinese);

}  // namespace heyan

#endif  // HEYAN_COMPILER_H_
