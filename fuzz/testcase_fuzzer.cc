// Fuzz target: the `heyan test` case reader (cli/test_case.h): the Chinese-name and unit
// translator, protobuf's text format, and the case's registries. A case that reads is then
// decided by the shipped Zhengzhou rules, as `heyan test` would decide it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/test_case.h"
#include "fuzz_util.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"

namespace {

std::shared_ptr<const heyan::Program> Rules() {
  static const std::shared_ptr<const heyan::Program> program = [] {
    absl::StatusOr<heyan::CompileResult> r =
        heyan::CompileFile(heyan::fuzz::SourceDir() + "/rules/henan/zhengzhou/zhengzhou.heyan");
    if (!r.ok() || !r->ok()) std::abort();  // the shipped rules must compile
    return r->program;
  }();
  return program;
}

}  // namespace

// Compiles the rules before fuzzing starts: seconds under ASan, not to be charged to the
// first input's time limit.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Rules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::shared_ptr<const heyan::Program> program = Rules();
  const std::string path = heyan::fuzz::WriteScratch("case.textproto", data, size);
  heyan::v1::TestCase test;
  std::vector<heyan::cli::LineError> errors;
  heyan::cli::ReadTestCase(path, size % 2 == 1, &test, nullptr, &errors);
  if (!errors.empty()) return 0;
  heyan::Registries registries;
  if (!heyan::cli::AddCaseRegistries(test, path, &registries).ok()) return 0;
  heyan::EvalOptions options;
  options.as_of = test.as_of();
  options.trace = true;
  heyan::v1::Decision decision;
  if (test.has_records()) {
    heyan::v1::VerificationRequest request;
    *request.mutable_application() = test.application();
    *request.mutable_records() = test.records();
    program->Evaluate(request, registries, options, &decision).IgnoreError();
  } else {
    program->Evaluate(test.application(), registries, options, &decision).IgnoreError();
  }
  return 0;
}
