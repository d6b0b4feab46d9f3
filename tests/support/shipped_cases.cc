#include "support/shipped_cases.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "cli/test_case.h"
#include "heyan/compiler.h"

namespace heyan::test_support {

namespace fs = std::filesystem;

std::vector<std::string> ShippedCaseFiles(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root + "/rules")) {
    if (!e.is_regular_file() || e.path().parent_path().filename() != "tests") continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".textproto" || ext == ".txtpb" || ext == ".pbtxt") out.push_back(e.path().generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ShippedCase> LoadShippedCases(const std::string& root) {
  std::vector<ShippedCase> out;
  // Many cases share a rule set: compile each entry file + overrides once.
  std::map<std::string, std::shared_ptr<const Program>> programs;
  for (const std::string& file : ShippedCaseFiles(root)) {
    ShippedCase& c = out.emplace_back();
    c.file = file;
    std::vector<cli::LineError> errors;
    cli::ReadTestCase(file, false, &c.test, nullptr, &errors);
    if (!errors.empty()) {
      c.problem = absl::StrCat("unreadable: line ", errors[0].line, ": ", errors[0].message);
      continue;
    }
    const std::string entry = (fs::path(file).parent_path() / c.test.rules()).lexically_normal().generic_string();
    CompileOptions compile;
    std::string key = entry;
    for (const v1::ParameterValue& p : c.test.parameters()) {
      compile.parameter_overrides[p.name()] = p.value();
      absl::StrAppend(&key, "\n", p.name(), "=", p.value());
    }
    std::shared_ptr<const Program>& program = programs[key];
    if (program == nullptr) {
      absl::StatusOr<CompileResult> r = CompileFile(entry, compile);
      if (!r.ok()) {
        c.problem = absl::StrCat("rules: ", r.status().ToString());
        continue;
      }
      if (!r->ok()) {
        c.problem = "does not compile";
        continue;
      }
      program = r->program;
    }
    auto registries = std::make_unique<Registries>();
    if (absl::Status s = cli::AddCaseRegistries(c.test, file, registries.get()); !s.ok()) {
      c.problem = absl::StrCat("registries: ", s.ToString());
      continue;
    }
    c.program = program;
    c.registries = std::move(registries);
  }
  return out;
}

absl::Status EvaluateShippedCase(const ShippedCase& c, EvalOptions options, v1::Decision* decision,
                                 const std::string& request_id) {
  if (!c.problem.empty()) return absl::FailedPreconditionError(c.problem);
  options.as_of = c.test.as_of();
  if (c.test.has_records()) {
    v1::VerificationRequest request;
    *request.mutable_application() = c.test.application();
    *request.mutable_records() = c.test.records();
    request.set_request_id(request_id);
    return c.program->Evaluate(request, *c.registries, options, decision);
  }
  return c.program->Evaluate(c.test.application(), *c.registries, options, decision);
}

}  // namespace heyan::test_support
