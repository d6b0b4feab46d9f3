// Every policy test case shipped under rules/ (rules/**/tests/*.textproto), loaded as
// `heyan test` loads it: its rule set compiled (once per entry file and parameter overrides)
// and its registries read. For tests and tools that run a property over all of them
// (explain_privacy_test, program_impl_test, decision_dump).
#ifndef HEYAN_TESTS_SUPPORT_SHIPPED_CASES_H_
#define HEYAN_TESTS_SUPPORT_SHIPPED_CASES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/testcase.pb.h"

namespace heyan::test_support {

struct ShippedCase {
  std::string file;
  v1::TestCase test;
  std::shared_ptr<const Program> program;  // null when `problem` is set
  std::unique_ptr<Registries> registries;  // null when `problem` is set
  // Why the case could not be loaded (unreadable, rules that do not compile, a registry
  // that cannot be read); empty when it is ready to evaluate.
  std::string problem;
};

// The test case files under `root`/rules whose folder is named "tests" (*.textproto, *.txtpb,
// *.pbtxt), sorted by path.
std::vector<std::string> ShippedCaseFiles(const std::string& root);

// Every case of ShippedCaseFiles(root), in that order, each loaded or with its problem.
std::vector<ShippedCase> LoadShippedCases(const std::string& root);

// Decides `c` as `heyan test` does: a case with 核对结果 (records) as a VerificationRequest,
// else its application; as of the case's date. `request_id` is set on the request.
absl::Status EvaluateShippedCase(const ShippedCase& c, EvalOptions options, v1::Decision* decision,
                                 const std::string& request_id = "");

}  // namespace heyan::test_support

#endif  // HEYAN_TESTS_SUPPORT_SHIPPED_CASES_H_
