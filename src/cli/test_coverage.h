// heyan test --coverage (see test_command.cc): which rules, exceptions, parameter values and
// decision-table rows the test cases exercise.
#ifndef HEYAN_CLI_TEST_COVERAGE_H_
#define HEYAN_CLI_TEST_COVERAGE_H_

#include <iosfwd>
#include <memory>
#include <set>
#include <string>

#include "heyan/program.h"
#include "heyan/v1/decision.pb.h"

namespace heyan::cli {

// `path` made absolute and normal, so the same rule file reached two ways is one file.
std::string NormalPath(const std::string& path);
// `path` as shown to people: relative to the working directory when it is near it.
std::string ShownPath(const std::string& path);

class RuleCoverage {
 public:
  explicit RuleCoverage(bool english);
  ~RuleCoverage();

  // Registers the declarations of a compiled rule set (once per entry file).
  void AddProgram(const Program& program);
  // Marks what one traced evaluation exercised; parameters in `overridden` were replaced
  // by the case and do not count.
  void AddTrace(const Program& program, const v1::Decision& decision, const std::set<std::string>& overridden);
  // Prints the report; returns the number of items no case exercised.
  int Report(std::ostream& out) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace heyan::cli

#endif  // HEYAN_CLI_TEST_COVERAGE_H_
