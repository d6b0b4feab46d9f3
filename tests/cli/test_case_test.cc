// Reading `heyan test` cases (cli/test_case.h): Chinese names and units, line-numbered
// problems, registry records.
#include "cli/test_case.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace heyan::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

TEST(TestCaseTest, ReadsChineseNamesAndUnits) {
  const std::string path = WriteTemp("case_ok.textproto",
                                     "名称: \"一人户\"\n规则: \"../henan.heyan\"\n"
                                     "申请 { 成员 { 身份证号: \"410100197005010011\" 姓名: \"张三\" 与申请人关系: 本人\n"
                                     "  收入 { 类别: 工资性收入 金额: 240.50元 周期: 每月 } } 耕地面积: 1.5亩 }\n"
                                     "登记册 { 财政供养人员 { 身份证号: \"410100197005010011\" 月工资: 4500元 } }\n"
                                     "预期 { 结论: 符合 保障金额: 200元 }\n");
  v1::TestCase test;
  std::vector<LineError> errors;
  ReadTestCase(path, false, &test, nullptr, &errors);
  ASSERT_THAT(errors, IsEmpty());
  EXPECT_EQ(test.rules(), "../henan.heyan");
  ASSERT_THAT(test.application().members(), SizeIs(1));
  EXPECT_EQ(test.application().members(0).incomes(0).amount_fen(), 24050);
  EXPECT_EQ(test.application().members(0).relation(), v1::SELF);
  EXPECT_EQ(test.application().farmland_centi_mu(), 150);
  EXPECT_EQ(test.expect().benefit_fen(), 20000);
  Registries registries;
  ASSERT_TRUE(AddCaseRegistries(test, path, &registries).ok());
  EXPECT_TRUE(registries.Contains(Registries::IndexOf("财政供养人员"), "410100197005010011"));
  EXPECT_EQ(registries.size("财政供养人员"), 1u);
}

TEST(TestCaseTest, ProblemsNameTheirLine) {
  const std::string path = WriteTemp("case_bad.textproto", "规则: \"x.heyan\"\n申请 {\n  成员 { 收入 { 金额: 240 } }\n}\n");
  v1::TestCase test;
  std::vector<LineError> errors;
  ReadTestCase(path, false, &test, nullptr, &errors);
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_THAT(errors[0].message, HasSubstr("请写明单位"));
  errors.clear();
  ReadTestCase(::testing::TempDir() + "no_such_case.textproto", true, &test, nullptr, &errors);
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].message, HasSubstr("no such test case file"));
}

// Found by testcase_fuzzer: a closing quote ” outside any string made the tokenizer stop
// moving, so `heyan test`, eval and explain hung on such a file. (Before the fix this test
// never returns and ctest's timeout fails it.)
TEST(TestCaseTest, StrayClosingQuoteIsAnErrorNotAHang) {
  for (const char* text : {"名称: ”x\n", "名称: \"a\"\n申请 { 编号: ” }\n", "”", "申请 {\n 成员 { 姓名: 张三” }\n}\n"}) {
    const std::string path = WriteTemp("case_stray_quote.textproto", text);
    v1::TestCase test;
    std::vector<LineError> errors;
    ReadTestCase(path, false, &test, nullptr, &errors);
    EXPECT_THAT(errors, Not(IsEmpty())) << text;
  }
}

TEST(TestCaseTest, ParsesMoneyText) {
  int64_t fen = 0;
  EXPECT_TRUE(ParseMoneyText("800.5元", &fen));
  EXPECT_EQ(fen, 80050);
  EXPECT_TRUE(ParseMoneyText("-5元", &fen));
  EXPECT_EQ(fen, -500);
  EXPECT_TRUE(ParseMoneyText("80000分", &fen));
  EXPECT_EQ(fen, 80000);
  EXPECT_FALSE(ParseMoneyText("1.234元", &fen));
  EXPECT_FALSE(ParseMoneyText("800", &fen));
}

}  // namespace
}  // namespace heyan::cli
