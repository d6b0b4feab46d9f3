// Compile driver: reads rule files and their imports, then runs parse -> check -> plan.
#include "heyan/compiler.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checker/checker.h"
#include "compiler/planner.h"
#include "io/input_file.h"
#include "parser/parser.h"
#include "runtime/fingerprint.h"
#include "runtime/program_impl.h"

namespace heyan {
namespace {

namespace fs = std::filesystem;
using internal::DiagnosticSink;
using internal::SourceSet;
using internal::Span;

std::string Normalize(const std::string& path) { return fs::path(path).lexically_normal().generic_string(); }

// The file an import written in a file of folder `dir` names, normalised: relative imports
// are relative to the importing file.
std::string ImportTarget(const fs::path& dir, const std::string& written) {
  return Normalize(fs::path(written).is_absolute() ? written : (dir / written).generic_string());
}

// Rule files larger than this are not read at all; up to it, the parser's own limit
// (CompileOptions::max_source_bytes) decides and says so.
constexpr size_t kMaxReadBytes = size_t{64} << 20;

// Why a rule file could not be read, without the "PATH: " the helper starts with.
std::string Reason(const absl::Status& status, const std::string& path) {
  std::string_view m(status.message().data(), status.message().size());
  if (m.substr(0, path.size() + 2) == path + ": ") m.remove_prefix(path.size() + 2);
  return std::string(m);
}

// Absolute and lexically normal, without touching the file system (for in-memory sources).
fs::path LexicalAbsolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(path), ec);
  if (ec) p = fs::path(path);
  return p.lexically_normal();
}

// True when `path` is `root` or inside it, comparing whole components (so /srv/rules2 is not
// inside /srv/rules). Both must be absolute and normal.
bool IsWithin(const fs::path& path, const fs::path& root) {
  auto p = path.begin(), r = root.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // trailing separator of a directory path
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

const std::string* InMemory(const std::string& path, const CompileOptions& options) {
  auto it = options.sources.find(path);
  if (it == options.sources.end()) it = options.sources.find(Normalize(path));
  return it == options.sources.end() ? nullptr : &it->second;
}

// Directory `dir` directly holds a rule file: an in-memory source, or a regular *.heyan file.
bool HoldsRuleFile(const fs::path& dir, const CompileOptions& options, bool on_disk) {
  for (const auto& [name, text] : options.sources) {
    if (LexicalAbsolute(name).parent_path() == dir) return true;
  }
  if (!on_disk) return false;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".heyan" && it->is_regular_file(ec)) return true;
  }
  return false;
}

// What an import may read (issue 14: 导入 "/etc/shadow", "/proc/self/environ" and "../.."
// escapes were read, and diagnostics echoed their lines). See CompileOptions::import_roots.
class ImportPolicy {
 public:
  ImportPolicy(const std::string& entry, const CompileOptions& options) : options_(options) {
    const bool in_memory = InMemory(entry, options) != nullptr;
    // The entry's directory: canonical on disk (symlinks resolved), lexical in memory.
    fs::path dir = LexicalAbsolute(entry).parent_path();
    if (!in_memory) {
      std::error_code ec;
      fs::path canonical = fs::weakly_canonical(dir, ec);
      if (!ec) dir = canonical;
    }
    if (options.import_roots.empty()) {
      // The rule tree the entry belongs to: up from its folder while the folder above also
      // holds rule files (rules/henan/zhengzhou/zhengzhou.heyan imports "../henan.heyan").
      while (dir.has_parent_path() && dir.parent_path() != dir && HoldsRuleFile(dir.parent_path(), options, !in_memory)) {
        dir = dir.parent_path();
      }
      AddRoot(dir);
    } else {
      AddRoot(dir);
      for (const std::string& root : options.import_roots) AddRoot(LexicalAbsolute(root));
    }
  }

  // The roots as written, for messages.
  std::string RootsText() const {
    std::vector<std::string> out;
    for (const auto& r : roots_) {
      std::string text = r.generic_string();
      if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
    }
    return absl::StrJoin(out, "、");
  }

  // Empty if `target` (as resolved from the importing file) may be imported, else why not
  // (Chinese, English). Looks only at the path and the file's type, never at its content.
  std::pair<std::string, std::string> Refusal(const std::string& target) const {
    if (fs::path(target).extension() != ".heyan") {
      return {"只能导入 .heyan 规则文件", "only .heyan rule files can be imported"};
    }
    if (InMemory(target, options_) != nullptr) {
      return Inside(LexicalAbsolute(target)) ? std::pair<std::string, std::string>{} : Outside();
    }
    std::error_code ec;
    // weakly_canonical resolves symlinks in the part that exists, so a link inside the
    // root that points outside it is refused, and so is a link to a non-.heyan file.
    fs::path canonical = fs::weakly_canonical(LexicalAbsolute(target), ec);
    if (ec) canonical = LexicalAbsolute(target);
    if (!Inside(canonical)) return Outside();
    if (canonical.extension() != ".heyan") {
      return {"只能导入 .heyan 规则文件（这个路径链接到别的文件）",
              "only .heyan rule files can be imported (this path links to another file)"};
    }
    fs::file_status status = fs::status(canonical, ec);
    if (!ec && fs::exists(status) && !fs::is_regular_file(status)) {
      return {"不是普通文件（目录、设备、管道等不能导入）",
              "not a regular file (directories, devices and pipes cannot be imported)"};
    }
    return {};
  }

 private:
  // Keeps the root as written (in-memory paths are compared lexically) and as resolved on
  // disk (files are compared after resolving symlinks, e.g. a working directory reached
  // through a link).
  void AddRoot(const fs::path& root) {
    roots_.push_back(root);
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(root, ec);
    if (!ec && canonical != root) roots_.push_back(canonical);
  }
  bool Inside(const fs::path& path) const {
    for (const auto& r : roots_) {
      if (IsWithin(path, r)) return true;
    }
    return false;
  }
  std::pair<std::string, std::string> Outside() const {
    return {absl::StrCat("在规则库根目录之外（允许的目录：", RootsText(), "）"),
            absl::StrCat("outside the rule set's root (allowed: ", RootsText(), ")")};
  }

  const CompileOptions& options_;
  std::vector<fs::path> roots_;
};

enum class ReadResult { kOk, kFailed, kTooLarge };

// Reads a rule file: in-memory sources first, then the file system (a regular file or a
// pipe, read once). A regular file larger than max_source_bytes is not read (*size gets its
// size); a pipe is read up to kMaxReadBytes and the parser reports E0003 if it is too long.
// On kFailed *status says why (io/input_file.h: a directory, a device, no permission, ...).
ReadResult ReadFile(const std::string& path, const CompileOptions& options, std::string* text, uintmax_t* size,
                    absl::Status* status) {
  if (const std::string* source = InMemory(path, options)) {
    *text = *source;
    return ReadResult::kOk;
  }
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    *size = fs::file_size(path, ec);
    if (!ec && *size > options.max_source_bytes) return ReadResult::kTooLarge;
  }
  absl::StatusOr<std::string> read = io::ReadWholeFile(path, io::kRuleFile, kMaxReadBytes);
  if (!read.ok()) {
    *status = read.status();
    return ReadResult::kFailed;
  }
  *text = *std::move(read);
  return ReadResult::kOk;
}

// The same reason in English (diagnostics carry both languages). Classifies the path again
// without opening it, so a pipe is not read twice.
std::string ReasonEn(const absl::Status& status, const std::string& path) {
  absl::Status en = io::CheckInputPath(path, io::kRuleFile, /*english=*/true);
  if (!en.ok()) return Reason(en, path);
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return absl::StrCat("larger than ", kMaxReadBytes >> 20, " MiB");
  }
  return Reason(status, path);
}

class Loader {
 public:
  Loader(const std::string& entry, const CompileOptions& options, SourceSet* sources, DiagnosticSink* sink)
      : options_(options), policy_(entry, options), sources_(sources), sink_(sink) {}

  // Loads `path` and its imports; appends files in dependency order.
  void Load(const std::string& path, const Span* imported_at) {
    std::string key = Normalize(path);
    if (std::find(stack_.begin(), stack_.end(), key) != stack_.end()) {
      std::vector<std::string> cycle(std::find(stack_.begin(), stack_.end(), key), stack_.end());
      cycle.push_back(key);
      sink_->Error("E0006", *imported_at, absl::StrCat("导入形成循环：", absl::StrJoin(cycle, " → ")),
                   absl::StrCat("import cycle: ", absl::StrJoin(cycle, " -> ")));
      failed_ = true;
      return;
    }
    if (loaded_.contains(key)) return;
    if (static_cast<int>(loaded_.size()) >= options_.max_files) {
      sink_->Error("E0005", *imported_at, absl::StrCat("一个规则集最多 ", options_.max_files, " 个文件"),
                   absl::StrCat("a rule set may have at most ", options_.max_files, " files"));
      failed_ = true;
      return;
    }
    if (imported_at != nullptr) {
      // Refused before anything is read, and the message names only the path.
      auto [zh, en] = policy_.Refusal(path);
      if (!zh.empty()) {
        sink_->Error("E0007", *imported_at, absl::StrCat("不能导入“", path, "”：", zh),
                     absl::StrCat("cannot import '", path, "': ", en));
        failed_ = true;
        return;
      }
    }
    std::string text;
    uintmax_t size = 0;
    absl::Status why;
    ReadResult read = ReadFile(path, options_, &text, &size, &why);
    if (read == ReadResult::kTooLarge) {
      std::string zh = absl::StrCat("规则文件“", path, "”过大（", size, " 字节，上限 ", options_.max_source_bytes, " 字节）");
      std::string en = absl::StrCat("rule file '", path, "' too large (", size, " bytes, limit ", options_.max_source_bytes, ")");
      if (imported_at != nullptr) {
        sink_->Error("E0003", *imported_at, zh, en);
      } else {
        sink_->FileError("E0003", path, zh, en);
      }
      failed_ = true;
      return;
    }
    if (read == ReadResult::kFailed) {
      if (imported_at != nullptr && why.code() == absl::StatusCode::kNotFound) {
        sink_->Error("E0002", *imported_at, absl::StrCat("找不到导入的文件“", path, "”"),
                     absl::StrCat("imported file '", path, "' not found"));
      } else if (imported_at != nullptr) {
        sink_->Error("E0002", *imported_at, absl::StrCat("无法读取导入的文件“", path, "”：", Reason(why, path)),
                     absl::StrCat("cannot read imported file '", path, "': ", ReasonEn(why, path)));
      } else {
        sink_->FileError("E0001", path, absl::StrCat("无法读取规则文件“", path, "”：", Reason(why, path)),
                         absl::StrCat("cannot read rule file '", path, "': ", ReasonEn(why, path)));
      }
      failed_ = true;
      return;
    }
    loaded_.insert(key);
    int file = sources_->Add(path, std::move(text));
    internal::ParseLimits limits{options_.max_source_bytes, options_.max_nesting_depth};
    std::unique_ptr<ast::RuleFile> ast = internal::ParseRuleFile(*sources_, file, limits, sink_);
    if (ast == nullptr) {
      failed_ = true;
      return;
    }
    stack_.push_back(key);
    fs::path dir = fs::path(path).parent_path();
    for (const ast::Import& imp : ast->imports) Load(ImportTarget(dir, imp.path), &imp.span);
    stack_.pop_back();
    files_.push_back(std::move(ast));
  }

  std::vector<std::unique_ptr<ast::RuleFile>>& files() { return files_; }
  // A file could not be loaded or parsed at all (reported): checking the rest would only
  // produce errors about what is missing. Files parsed with recovered syntax errors
  // (RuleFile::incomplete) do not count: the checker still checks their whole declarations.
  bool failed() const { return failed_; }

 private:
  const CompileOptions& options_;
  ImportPolicy policy_;
  SourceSet* sources_;
  DiagnosticSink* sink_;
  std::set<std::string> loaded_;
  std::vector<std::string> stack_;
  std::vector<std::unique_ptr<ast::RuleFile>> files_;
  bool failed_ = false;
};

std::string RenderDated(const internal::CheckedDecl& d) {
  std::vector<std::string> parts;
  for (const auto& v : d.dated) {
    std::string value = internal::FormatValue(v.value, d.type);
    parts.push_back(v.from == INT32_MIN ? value : absl::StrCat("自 ", internal::FormatDate(v.from), " 起 ", value));
  }
  return absl::StrJoin(parts, "；");
}

}  // namespace

absl::StatusOr<CompileResult> CompileFile(const std::string& path, const CompileOptions& options) {
  if (options.max_source_bytes == 0 || options.max_nesting_depth <= 0 || options.max_files <= 0 ||
      options.max_diagnostics <= 0 || options.max_source_line_columns < 20) {
    return absl::InvalidArgumentError(
        "CompileOptions limits must be positive (max_source_line_columns at least 20)");
  }
  SourceSet sources;
  DiagnosticSink sink(&sources);
  sink.SetLimits(options.max_diagnostics, options.max_source_line_columns);
  Loader loader(path, options, &sources, &sink);
  loader.Load(path, nullptr);
  CompileResult result;
  std::unique_ptr<internal::CheckedProgram> checked;
  std::vector<std::unique_ptr<ast::Expr>> override_exprs;
  if (!loader.failed()) {
    internal::CheckInput input;
    input.max_nesting_depth = options.max_nesting_depth;
    for (const auto& f : loader.files()) input.files.push_back(f.get());
    int next_id = 1;
    bool overrides_ok = true;
    for (const auto& [name, text] : options.parameter_overrides) {
      int file = sources.Add(absl::StrCat("<参数 ", name, ">"), text);
      internal::ParseLimits limits{options.max_source_bytes, options.max_nesting_depth};
      auto expr = internal::ParseStandaloneExpression(sources, file, limits, &next_id, &sink);
      if (expr == nullptr) {
        overrides_ok = false;
        continue;
      }
      input.parameter_overrides.emplace_back(name, expr.get());
      override_exprs.push_back(std::move(expr));
    }
    // Syntax errors recovered in some declarations do not stop checking the others: one run
    // reports syntax, name, type and table problems together.
    if (overrides_ok) checked = internal::Check(input, sources, &sink);
  }
  std::vector<Diagnostic> diagnostics = sink.Take();
  if (checked == nullptr || HasErrors(diagnostics)) {
    result.diagnostics = std::move(diagnostics);
    return result;
  }

  internal::ProgramParts parts;
  // Fingerprint: engine version, each file's name and text, every resolved parameter value.
  internal::Sha256 sha;
  sha.AddField(kEngineVersion);
  for (int i = 0; i < sources.size(); ++i) {
    sha.AddField(fs::path(sources.file(i).path()).filename().string());
    sha.AddField(sources.file(i).text());
  }
  for (const auto& d : checked->decls) {
    if (d.live && d.kind == ast::DeclKind::kParameter) {
      sha.AddField(d.name);
      sha.AddField(RenderDated(d));
    }
  }
  parts.fingerprint = sha.HexDigest();
  for (const auto& d : checked->decls) {
    if (!d.live) continue;
    DeclarationInfo info;
    static const char* kKinds[] = {"parameter", "value", "output", "table"};
    info.kind = kKinds[static_cast<int>(d.kind)];
    info.name = d.name;
    info.citation = d.basis;
    info.file = d.file;
    info.line = d.line;
    info.assumption = d.assumption;
    info.assumption_reason = d.because;
    if (d.kind == ast::DeclKind::kParameter) {
      info.value = RenderDated(d);
      info.branches = static_cast<int>(d.dated.size());
      for (const auto& dated : d.dated) {
        if (dated.from != INT32_MIN) info.effective_dates.push_back(internal::FormatDate(dated.from));
      }
    }
    if (d.kind == ast::DeclKind::kTable) {
      info.branches = static_cast<int>(d.rows.size()) + (d.otherwise ? 1 : 0);
      info.has_otherwise = d.otherwise != nullptr;
    }
    parts.declarations.push_back(std::move(info));
  }
  for (const auto& r : checked->rules) {
    if (!r.live) continue;
    DeclarationInfo info;
    info.kind = "rule";
    info.name = r.id;
    info.title = r.title;
    info.citation = r.basis;
    info.file = r.file;
    info.line = r.line;
    info.branches = static_cast<int>(r.exceptions.size());
    for (const auto& ex : r.exceptions) info.exception_titles.push_back(ex.title);
    parts.declarations.push_back(std::move(info));
  }
  parts.warnings = diagnostics;
  parts.checked = std::move(checked);
  internal::PlanProgram(&parts);
  result.program = std::make_shared<internal::ProgramImpl>(std::move(parts));
  result.diagnostics = std::move(diagnostics);
  return result;
}

namespace {

// The files `file` imports, as normalised paths. Read with the real parser, so an import is
// recognised exactly when the compiler would follow it (not inside a string or a comment).
// A file the parser gives up on (broken header, too many errors) falls back to a scan of its
// import lines: it is then still known which files it imports, and compiling it reports why
// it is broken.
std::vector<std::string> ImportsOf(const std::string& file) {
  std::vector<std::string> out;
  const fs::path dir = fs::path(file).parent_path();
  absl::StatusOr<std::string> text = io::ReadWholeFile(file, io::kRuleFile, kMaxReadBytes);
  if (!text.ok()) return out;  // compiling it reports why it cannot be read
  internal::SourceSet sources;
  const int id = sources.Add(file, *text);
  internal::DiagnosticSink ignored(&sources);
  CompileOptions defaults;
  internal::ParseLimits limits{defaults.max_source_bytes, defaults.max_nesting_depth};
  if (std::unique_ptr<ast::RuleFile> ast = internal::ParseRuleFile(sources, id, limits, &ignored)) {
    for (const ast::Import& imp : ast->imports) out.push_back(ImportTarget(dir, imp.path));
    return out;
  }
  static const std::regex kImport(R"(^\s*(导入|import)\s*["“]([^"”]+)["”])");
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kImport)) out.push_back(ImportTarget(dir, m[2].str()));
  }
  return out;
}

// Adds the rule files at `path` to `out->all`; a file (or a pipe) named directly is added
// whatever its name and returned in `named`.
absl::Status CollectRuleFiles(const std::string& path, RuleFiles* out, std::vector<std::string>* named) {
  switch (io::KindOfPath(path)) {
    case io::PathKind::kReadable:  // a file, or a pipe (`--rules <(...)`): compiled as given
      out->all.push_back(path);
      named->push_back(path);
      return absl::OkStatus();
    case io::PathKind::kDirectory:
      break;
    default: {
      absl::Status why = io::CheckInputPath(path, io::kRuleFile);
      return why.ok() ? absl::NotFoundError(absl::StrCat(path, ": 找不到规则文件")) : why;
    }
  }
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(path, ec);
  std::string last = path;  // the entry before an error: the directory that could not be read
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    last = it->path().generic_string();
    if (it->is_regular_file() && it->path().extension() == ".heyan") out->all.push_back(last);
  }
  // A subdirectory that cannot be read would otherwise drop its rule files unnoticed.
  if (ec) return absl::UnavailableError(absl::StrCat(path, ": 读取目录“", last, "”时出错：", ec.message()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RuleFiles> FindRuleFiles(const std::vector<std::string>& paths) {
  RuleFiles out;
  std::vector<std::string> named;
  for (const std::string& path : paths) {
    if (absl::Status s = CollectRuleFiles(path, &out, &named); !s.ok()) return s;
  }
  std::sort(out.all.begin(), out.all.end());
  out.all.erase(std::unique(out.all.begin(), out.all.end()), out.all.end());
  // One file named on its own is the entry whatever it imports or whoever imports it (a
  // pipe cannot be read twice). Otherwise the entries are the files no other file imports.
  if (paths.size() == 1 && named.size() == 1) {
    out.entries = named;
    return out;
  }
  std::set<std::string> imported;
  for (const std::string& file : out.all) {
    for (std::string& target : ImportsOf(file)) imported.insert(std::move(target));
  }
  for (const std::string& file : out.all) {
    if (!imported.contains(Normalize(file))) out.entries.push_back(file);
  }
  return out;
}

absl::StatusOr<RuleFiles> FindRuleFiles(const std::string& path) {
  return FindRuleFiles(std::vector<std::string>{path});
}

absl::StatusOr<std::string> FindEntryRuleSet(const std::vector<std::string>& paths, Language language) {
  const bool en = language == Language::kEnglish;
  const std::string where = absl::StrJoin(paths, en ? ", " : "、");
  absl::StatusOr<RuleFiles> files = FindRuleFiles(paths);
  if (!files.ok()) {
    if (!en) return files.status();
    // The same problem in English, for the first path that has one.
    for (const std::string& path : paths) {
      if (absl::Status said = io::CheckInputPath(path, io::kRuleFile, /*english=*/true); !said.ok()) return said;
    }
    return files.status();
  }
  if (files->entries.empty()) {
    return absl::NotFoundError(en ? absl::StrCat("no rule files (*.heyan) in '", where, "'")
                                  : absl::StrCat("“", where, "”中没有规则文件（*.heyan）"));
  }
  if (files->entries.size() > 1) {
    std::string list;
    for (const std::string& e : files->entries) absl::StrAppend(&list, "\n  ", e);
    return absl::InvalidArgumentError(
        en ? absl::StrCat("'", where, "' holds ", files->entries.size(),
                          " entry rule sets (rule files no other file imports); name exactly one:", list)
           : absl::StrCat("“", where, "”中有 ", files->entries.size(),
                          " 个入口规则集（没有被其他文件导入的规则文件），请指定其中一个：", list));
  }
  return files->entries[0];
}

}  // namespace heyan
