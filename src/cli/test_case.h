// Reading `heyan test` cases (测试案例, proto/heyan/v1/testcase.proto). Private to the
// command-line tool (cli/test_command.cc); the tests that run every shipped case
// (tests/explain/explain_privacy_test.cc) read them the same way.
//
// A case file is protobuf text format in which field names and enum values may be written
// in Chinese (their `zh` / `zh_value` options) and money and areas carry units (1000元, 50分,
// 1.5亩, 80平方米). A small translator rewrites these into what protobuf parses, keeping
// line numbers, so every problem names its line.
#ifndef HEYAN_CLI_TEST_CASE_H_
#define HEYAN_CLI_TEST_CASE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/text_format.h"
#include "heyan/registry.h"
#include "io/chinese_text.h"
#include "heyan/v1/registry.pb.h"
#include "heyan/v1/testcase.pb.h"

namespace heyan::cli {

// A problem in a case file: its line (1-based) and what is wrong.
using LineError = io::LineError;
using io::ParseMoneyText;

// Reads the case file at `path` into `test`. Problems (unreadable file, unknown field or
// value, money without a unit, text-format errors, no 规则) go to `errors`, in Chinese or,
// with `english`, in English; `test` is complete only when none were added. `locations`,
// if not null, receives where each field was written. Never throws.
void ReadTestCase(const std::string& path, bool english, v1::TestCase* test,
                  google::protobuf::TextFormat::ParseInfoTree* locations, std::vector<LineError>* errors);

// The registries of case `test` (read from `file`). `登记册` stands for a complete
// verification run: every registry of the catalogue counts as checked for everyone on the
// case's evaluation date, holding the records listed (testcase.proto). A case with `核对结果`
// states its checks itself (they are evaluated as a VerificationRequest), so its `登记册`
// must be empty. Returns the first record that cannot be added as the error.
absl::Status AddCaseRegistries(const v1::TestCase& test, const std::string& file, Registries* registries);

}  // namespace heyan::cli

#endif  // HEYAN_CLI_TEST_CASE_H_
