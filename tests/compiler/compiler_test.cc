// The compile driver (src/compiler/compiler.cc) through the public API: files and imports,
// limits, and the bounds on what diagnostics can print.
#include "heyan/compiler.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/diagnostic.h"

namespace heyan {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Codes(const CompileResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) out.push_back(d.code);
  return out;
}

std::string Printed(const CompileResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += FormatDiagnostic(d);
  return out;
}

// ---- diagnostics are bounded ----------------------------------------------------------

// Issue 14: an 8 KB file could print 96 MB, every one of thousands of diagnostics echoing
// the same 8 KB line. Now: at most 100 diagnostics plus one E0008, lines cut to 200 columns.
TEST(CompilerTest, PathologicalFileCannotFloodTheOutput) {
  std::string sum = "未知0";
  for (int i = 1; i < 1000; ++i) sum += "+未知" + std::to_string(i);
  CompileOptions options;
  options.sources["main.heyan"] = "规则集 测试\n计算 a = " + sum + "\n";
  ASSERT_GT(options.sources["main.heyan"].size(), 8000u);
  absl::StatusOr<CompileResult> r = CompileFile("main.heyan", options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok());
  ASSERT_EQ(r->diagnostics.size(), 101u);
  const Diagnostic& more = r->diagnostics.back();
  EXPECT_EQ(more.code, "E0008");
  EXPECT_EQ(more.message_zh, "还有 900 个问题未显示（其中 900 个错误），请先改正上面的问题");
  EXPECT_LT(Printed(*r).size(), 64u * 1024) << "100 diagnostics of at most ~200 columns each";
  for (size_t i = 0; i + 1 < r->diagnostics.size(); ++i) {
    EXPECT_EQ(r->diagnostics[i].code, "E0201");
    EXPECT_LT(r->diagnostics[i].source_line.size(), 700u);
  }
}

TEST(CompilerTest, DiagnosticLimitsAreOptions) {
  CompileOptions options;
  options.sources["main.heyan"] = "规则集 测试\n计算 a = x1 + x2 + x3 + x4 + x5\n";
  options.max_diagnostics = 2;
  absl::StatusOr<CompileResult> r = CompileFile("main.heyan", options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Codes(*r), ::testing::ElementsAre("E0201", "E0201", "E0008"));
  EXPECT_THAT(r->diagnostics.back().message_en, HasSubstr("3 more problem(s) not shown (3 error(s))"));
  options.max_diagnostics = 0;
  EXPECT_FALSE(CompileFile("main.heyan", options).ok()) << "a limit must be positive";
}

}  // namespace
}  // namespace heyan
