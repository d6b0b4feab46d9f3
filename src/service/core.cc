// The verification service's calls (see core.h).
#include "service/core.h"

#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/explain.h"
#include "io/record_check.h"

namespace heyan::service {
namespace {

// Largest number of diagnostics quoted in a reload error: enough to find the problem.
constexpr int kQuotedDiagnostics = 5;

std::string FileStamp(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return absl::StrCat(path, ":missing\n");
  return absl::StrCat(path, ":", st.st_size, ":", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, "\n");
}

// The folder a Check request's source is placed in: the first --rules folder.
std::string CheckFolder(const std::vector<std::string>& rules) {
  if (rules.empty()) return ".";
  struct stat st;
  const std::string& p = rules.front();
  if (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return p;
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

absl::Status Prefixed(const absl::Status& s, absl::string_view field) {
  if (s.ok() || field.empty()) return s;
  return absl::Status(s.code(), absl::StrCat(field, ": ", s.message()));
}

}  // namespace

std::string Bilingual(absl::string_view zh, absl::string_view en) { return absl::StrCat(zh, "（", en, "）"); }

absl::StatusOr<std::unique_ptr<Core>> Core::Create(const CoreOptions& options) {
  std::unique_ptr<Core> core(new Core(options));
  if (options.rules.empty()) {
    return absl::InvalidArgumentError(Bilingual("没有指定规则（--rules）", "no --rules given"));
  }
  absl::StatusOr<std::unique_ptr<AuditLog>> audit = AuditLog::Open(options.audit);
  if (!audit.ok()) return audit.status();
  core->audit_ = *std::move(audit);
  absl::StatusOr<std::shared_ptr<const Snapshot>> snap = core->Load(1);
  if (!snap.ok()) return snap.status();
  core->snapshot_ = *std::move(snap);
  return core;
}

absl::StatusOr<std::shared_ptr<const Snapshot>> Core::Load(int generation) const {
  auto snap = std::make_shared<Snapshot>();
  snap->generation = generation;
  for (const std::string& path : options_.rules) {
    absl::StatusOr<RuleFiles> files = FindRuleFiles(path);
    if (!files.ok()) return files.status();
    if (files->entries.empty()) {
      return absl::NotFoundError(absl::StrCat(path, ": ", Bilingual("没有规则文件（*.heyan）", "no rule files")));
    }
    snap->files.insert(snap->files.end(), files->all.begin(), files->all.end());
    for (const std::string& entry : files->entries) {
      absl::StatusOr<CompileResult> compiled = CompileFile(entry);
      if (!compiled.ok()) return compiled.status();
      if (!compiled->ok()) {
        std::string text;
        int quoted = 0;
        for (const Diagnostic& d : compiled->diagnostics) {
          if (d.severity != Severity::kError || quoted++ == kQuotedDiagnostics) continue;
          text += FormatDiagnostic(d);
        }
        return absl::InvalidArgumentError(
            absl::StrCat(entry, ": ", Bilingual("规则有错误，未加载", "rule errors, not loaded"), "\n", text));
      }
      const std::string& name = compiled->program->name();
      for (const LoadedRuleSet& other : snap->rule_sets) {
        if (other.name == name) {
          return absl::InvalidArgumentError(absl::StrCat(
              entry, ": ", Bilingual(absl::StrCat("规则集名称“", name, "”与 ", other.file, " 重复"),
                                     "two rule sets with the same name")));
        }
      }
      snap->rule_sets.push_back(LoadedRuleSet{name, entry, compiled->program});
    }
  }
  std::sort(snap->rule_sets.begin(), snap->rule_sets.end(),
            [](const LoadedRuleSet& a, const LoadedRuleSet& b) { return a.name < b.name; });
  if (!options_.default_ruleset.empty()) {
    for (size_t i = 0; i < snap->rule_sets.size(); ++i) {
      if (snap->rule_sets[i].name == options_.default_ruleset) snap->default_index = static_cast<int>(i);
    }
    if (snap->default_index < 0) {
      return absl::NotFoundError(
          absl::StrCat("--default-ruleset ", options_.default_ruleset, ": ",
                       Bilingual("没有这个名称的规则集", "no rule set of that name")));
    }
  } else if (snap->rule_sets.size() == 1) {
    snap->default_index = 0;
  }
  auto registries = std::make_shared<Registries>(options_.registry_options);
  absl::Status loaded = options_.registries.Load(registries.get());
  if (!loaded.ok()) return loaded;
  snap->registries = std::move(registries);
  for (const auto& [name, file] : options_.registries.files) snap->files.push_back(file);
  for (const std::string& f : snap->files) snap->files_stamp += FileStamp(f);
  snap->loaded_at = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

absl::Status Core::Reload() {
  absl::MutexLock reload(&reload_mu_);
  absl::StatusOr<std::shared_ptr<const Snapshot>> next = Load(snapshot()->generation + 1);
  if (!next.ok()) return next.status();
  absl::MutexLock lock(&mu_);
  snapshot_ = *std::move(next);
  return absl::OkStatus();
}

bool Core::Changed() const {
  std::shared_ptr<const Snapshot> snap = snapshot();
  std::string stamp;
  std::vector<std::string> files;
  for (const std::string& path : options_.rules) {
    absl::StatusOr<RuleFiles> found = FindRuleFiles(path);
    if (!found.ok()) return true;
    files.insert(files.end(), found->all.begin(), found->all.end());
  }
  for (const auto& [name, file] : options_.registries.files) files.push_back(file);
  for (const std::string& f : files) stamp += FileStamp(f);
  return stamp != snap->files_stamp;
}

std::shared_ptr<const Snapshot> Core::snapshot() const {
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

absl::Status Core::Decide(const Caller& caller, const Snapshot& snap, const v1::VerificationRequest& request,
                          bool trace, v1::Decision* decision, const LoadedRuleSet** used) const {
  // The county first: a client learns nothing about rule sets or data it may not use.
  const std::string& county = request.application().county();
  if (!caller.all_counties) {
    if (county.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "application.county: ", Bilingual("未填写县区，无法确认本客户端可以核验该申请",
                                            "no county; this client may decide only its own counties")));
    }
    if (!caller.MayDecide(county)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "application.county: ",
          Bilingual(absl::StrCat("客户端“", caller.name, "”无权核验“", county, "”的申请"),
                    "this client may not decide applications of that county")));
    }
  }
  const LoadedRuleSet* rules = nullptr;
  if (request.ruleset().empty()) {
    if (snap.default_index < 0) {
      std::vector<std::string> names;
      for (const LoadedRuleSet& r : snap.rule_sets) names.push_back(r.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "ruleset: ", Bilingual(absl::StrCat("服务有多个规则集，请指明其一：", absl::StrJoin(names, "、")),
                                 "the service holds several rule sets; name one")));
    }
    rules = &snap.rule_sets[snap.default_index];
  } else {
    for (const LoadedRuleSet& r : snap.rule_sets) {
      if (r.name == request.ruleset()) rules = &r;
    }
    if (rules == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          "ruleset: ", Bilingual(absl::StrCat("没有名为“", request.ruleset(), "”的规则集"), "no such rule set")));
    }
  }
  *used = rules;
  if (!request.rules_fingerprint().empty() && request.rules_fingerprint() != rules->program->fingerprint()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rules_fingerprint: ",
        Bilingual(absl::StrCat("规则已更新，当前“", rules->name, "”的规则指纹为 ", rules->program->fingerprint()),
                  "the rules changed; the current fingerprint is given")));
  }
  std::string field, problem;
  io::RecordCheckOptions check;
  check.dates = true;
  if (!io::CheckRecord(request, check, &field, &problem)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
  }
  EvalOptions options;
  options.trace = trace;
  return rules->program->Evaluate(request, *snap.registries, options, decision);
}

absl::Status Core::Evaluate(const Caller& caller, const char* method, const v1::VerificationRequest& request,
                            v1::Decision* decision, bool trace) const {
  std::shared_ptr<const Snapshot> snap = snapshot();
  const LoadedRuleSet* used = nullptr;
  absl::Status status = Decide(caller, *snap, request, trace, decision, &used);
  AuditEntry entry;
  entry.client = caller.name;
  entry.method = method;
  entry.request = &request;
  if (used != nullptr) {
    entry.ruleset = used->name;
    entry.fingerprint = used->program->fingerprint();
  }
  if (status.ok()) {
    entry.decision = decision;
  } else {
    entry.code = static_cast<int>(status.code());
    entry.message = std::string(status.message());
  }
  absl::Status audited = audit_->Append(entry);
  if (!audited.ok()) return audited;  // nothing is answered that the log does not hold
  return status;
}

absl::Status Core::Explain(const Caller& caller, const v1::ExplainRequest& request,
                           v1::ExplainResponse* response) const {
  ExplainOptions options;
  switch (request.audience()) {
    case v1::EXPLAIN_AUDIENCE_UNSPECIFIED:
    case v1::STAFF: options.audience = ExplainOptions::Audience::kStaff; break;
    case v1::APPLICANT: options.audience = ExplainOptions::Audience::kApplicant; break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("audience: ", Bilingual("未知的读者", "unknown audience")));
  }
  switch (request.format()) {
    case v1::EXPLAIN_FORMAT_UNSPECIFIED:
    case v1::TEXT:
      options.format = ExplainOptions::Format::kText;
      response->set_content_type("text/plain; charset=utf-8");
      break;
    case v1::JSON:
      options.format = ExplainOptions::Format::kJson;
      response->set_content_type("application/json");
      break;
    case v1::HTML:
      options.format = ExplainOptions::Format::kHtml;
      response->set_content_type("text/html; charset=utf-8");
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("format: ", Bilingual("未知的格式", "unknown format")));
  }
  switch (request.language()) {
    case v1::LANGUAGE_UNSPECIFIED:
    case v1::ZH: options.language = Language::kChinese; break;
    case v1::EN: options.language = Language::kEnglish; break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("language: ", Bilingual("未知的语言", "unknown language")));
  }
  options.addressee_id_number = request.addressee_id_number();
  // Keep the program the decision was made with: a reload between deciding and explaining
  // must not pair a decision with other rules.
  std::shared_ptr<const Snapshot> snap = snapshot();
  v1::Decision* decision = response->mutable_decision();
  absl::Status decided = Evaluate(caller, "Explain", request.request(), decision, /*trace=*/true);
  if (!decided.ok()) return Prefixed(decided, "request");
  for (const LoadedRuleSet& r : snap->rule_sets) {
    if (r.program->fingerprint() == decision->rules_fingerprint()) options.program = r.program.get();
  }
  absl::StatusOr<std::string> document = heyan::Explain(*decision, request.request().application(), options);
  if (!document.ok()) {
    const bool addressee = !request.addressee_id_number().empty() &&
                           absl::StrContains(document.status().message(), "addressee");
    return Prefixed(document.status(), addressee ? "addressee_id_number" : "");
  }
  response->set_document(*std::move(document));
  return absl::OkStatus();
}

absl::Status Core::Check(const v1::CheckRequest& request, v1::CheckResponse* response) const {
  std::string name = request.file_name().empty() ? "check.heyan" : request.file_name();
  if (name.size() > 255 || !absl::EndsWith(name, ".heyan") || name.find_first_of("/\\") != std::string::npos ||
      name[0] == '.' || name.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file_name: ", Bilingual("应为以 .heyan 结尾的文件名，不含目录", "a plain file name ending in .heyan")));
  }
  const std::string folder = CheckFolder(options_.rules);
  const std::string path = folder + "/" + name;
  CompileOptions options;
  options.sources[path] = request.source();
  options.import_roots = {folder};
  const Language lang = request.language() == v1::EN ? Language::kEnglish : Language::kChinese;
  absl::StatusOr<CompileResult> result = CompileFile(path, options);
  if (!result.ok()) return result.status();
  for (const Diagnostic& d : result->diagnostics) {
    v1::CheckDiagnostic* out = response->add_diagnostics();
    out->set_error(d.severity == Severity::kError);
    out->set_code(d.code);
    // Paths inside the service's folder are the caller's business only relative to it.
    std::string file = d.file;
    if (absl::StartsWith(file, folder + "/")) file.erase(0, folder.size() + 1);
    out->set_file(file);
    out->set_line(d.line);
    out->set_column(d.column);
    out->set_length(d.length);
    out->set_message(lang == Language::kEnglish ? d.message_en : d.message_zh);
    out->set_message_zh(d.message_zh);
    out->set_message_en(d.message_en);
    out->set_suggestion(d.suggestion);
    Diagnostic shown = d;
    shown.file = file;
    out->set_formatted(FormatDiagnostic(shown, lang));
  }
  response->set_ok(result->ok());
  if (result->ok()) {
    response->set_name(result->program->name());
    response->set_version(result->program->version());
    response->set_fingerprint(result->program->fingerprint());
  }
  return absl::OkStatus();
}

void Core::RuleSets(v1::RuleSetsResponse* response) const {
  std::shared_ptr<const Snapshot> snap = snapshot();
  for (size_t i = 0; i < snap->rule_sets.size(); ++i) {
    const LoadedRuleSet& r = snap->rule_sets[i];
    v1::RuleSet* out = response->add_rule_sets();
    out->set_name(r.name);
    out->set_version(r.program->version());
    out->set_fingerprint(r.program->fingerprint());
    out->set_file(r.file);
    out->set_is_default(static_cast<int>(i) == snap->default_index);
    for (const DeclarationInfo& d : r.program->declarations()) {
      if (!d.assumption) continue;
      v1::Assumption* a = out->add_assumptions();
      a->set_name(d.name);
      a->set_value(d.value);
      a->set_reason(d.assumption_reason);
      a->set_citation(d.citation);
      a->set_file(d.file);
      a->set_line(d.line);
    }
  }
  response->set_loaded_at(snap->loaded_at);
  response->set_generation(snap->generation);
}

}  // namespace heyan::service
