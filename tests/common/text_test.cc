// UTF-8 helpers and "did you mean" suggestions (src/common/text.h), and the caret display
// of diagnostics (src/common/diagnostic.cc), which depends on them.
#include "common/text.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "heyan/diagnostic.h"

namespace heyan::internal {
namespace {

TEST(TextTest, CodePointCountCountsCharactersNotBytes) {
  EXPECT_EQ(CodePointCount(""), 0);
  EXPECT_EQ(CodePointCount("abc"), 3);
  EXPECT_EQ(CodePointCount("规则R02"), 5);
  EXPECT_EQ(CodePointCount("（），：“”"), 6);
  EXPECT_EQ(CodePointCount("470元"), 4);
  EXPECT_EQ(CodePointCount("\xF0\x9F\x98\x80"), 1);  // a 4-byte character
}

TEST(TextTest, DecodeUtf8ReplacesInvalidBytes) {
  EXPECT_EQ(DecodeUtf8("a元"), (std::u32string{U'a', U'元'}));
  EXPECT_EQ(DecodeUtf8("a\xFF" "b"), (std::u32string{U'a', 0xFFFD, U'b'}));
  EXPECT_EQ(DecodeUtf8("\xE5\x85"), (std::u32string{0xFFFD, 0xFFFD}));  // truncated sequence
}

TEST(TextTest, ClosestMatchFindsMisspeltName) {
  EXPECT_EQ(ClosestMatch("低保标准", {"月低保标准", "人数", "家庭月收入"}), "月低保标准");
  EXPECT_EQ(ClosestMatch("身份证", {"身份证号", "姓名", "出生日期"}), "身份证号");
  EXPECT_EQ(ClosestMatch("规责", {"规则集", "规则", "计算", "参数"}), "规则");
  EXPECT_EQ(ClosestMatch("monthly_standrd", {"monthly_standard", "members"}), "monthly_standard");
}

TEST(TextTest, ClosestMatchGivesNothingWhenTooFar) {
  EXPECT_EQ(ClosestMatch("xyz", {"abc", "def"}), "");
  EXPECT_EQ(ClosestMatch("车辆", {"家庭月收入"}), "");
  EXPECT_EQ(ClosestMatch("anything", {}), "");
}

TEST(TextTest, ClosestMatchIgnoresTheWordItselfAndBreaksTiesByName) {
  EXPECT_EQ(ClosestMatch("a", {"a"}), "");
  EXPECT_EQ(ClosestMatch("ab", {"ac", "aa"}), "aa");
  EXPECT_EQ(ClosestMatch("ab", {"aa", "ac"}), "aa");
}

TEST(TextTest, ClosestMatchDistanceLimitScalesWithLength) {
  // Limit is max(1, length/3) code points: a 6-character word tolerates 2 edits.
  EXPECT_EQ(ClosestMatch("abcdef", {"abxdyf"}), "abxdyf");
  EXPECT_EQ(ClosestMatch("abcdef", {"axxdyf"}), "");
  // Chinese characters count as one code point each, not three bytes.
  EXPECT_EQ(ClosestMatch("财政供养人", {"财政供养人员"}), "财政供养人员");
}

TEST(TextTest, ClosestMatchStaysInTheWordsScript) {
  // One character apart from both, but a Chinese word is not corrected to an English name.
  EXPECT_EQ(ClosestMatch("元", {"a", "b", "则"}), "则");
  EXPECT_EQ(ClosestMatch("元", {"a", "b"}), "");
  EXPECT_EQ(ClosestMatch("是", {"as", "in"}), "");
  EXPECT_EQ(ClosestMatch("iff", {"if", "如果"}), "if");
  EXPECT_EQ(ClosestMatch("id_numbr", {"id_number", "身份证号"}), "id_number");
}

TEST(TextTest, SynonymsSuggestOnlyRealNames) {
  EXPECT_EQ(SuggestName("轿车", {"小汽车", "货车", "摩托车"}), "小汽车");
  EXPECT_EQ(SuggestName("私家车", {"小汽车", "货车"}), "小汽车");
  EXPECT_EQ(SuggestName("优抚金", {"养老金", "优待抚恤金"}), "优待抚恤金");
  EXPECT_EQ(SuggestName("身份证号码", {"姓名", "身份证号"}), "身份证号");
  // The synonym's name is not a candidate here: no suggestion from the table.
  EXPECT_EQ(SynonymFor("轿车", {"货车", "摩托车"}), "");
  EXPECT_EQ(SuggestName("轿车", {"货车", "摩托车"}), ClosestMatch("轿车", {"货车", "摩托车"}));
  // Not a synonym: the closest name.
  EXPECT_EQ(SuggestName("低保标准", {"月低保标准", "人数"}), "月低保标准");
}

TEST(TextTest, JsonQuoteEscapes) {
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("line\nnext\ttab\r"), "\"line\\nnext\\ttab\\r\"");
  EXPECT_EQ(JsonQuote(std::string("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(JsonQuote("元"), "\"元\"");
}

TEST(TextTest, CaretsLineUpUnderChineseText) {
  Diagnostic d;
  d.code = "E0201";
  d.file = "a.heyan";
  d.line = 3;
  d.column = 11;
  d.length = 4;
  d.message_zh = "未知的名称“低保标准”";
  d.message_en = "unknown name '低保标准'";
  d.suggestion = "月低保标准";
  d.source_line = "  当 人均 >= 低保标准";
  // Columns count characters; carets are placed by display width (CJK = 2).
  EXPECT_EQ(FormatDiagnostic(d),
            "a.heyan:3:11: 错误 E0201: 未知的名称“低保标准”\n"
            "    当 人均 >= 低保标准\n"
            "               ^^^^^^^^\n"
            "  您是不是要写：月低保标准\n");
  EXPECT_EQ(FormatDiagnostic(d, Language::kEnglish),
            "a.heyan:3:11: error E0201: unknown name '低保标准'\n"
            "    当 人均 >= 低保标准\n"
            "               ^^^^^^^^\n"
            "  did you mean: 月低保标准\n");
}

TEST(TextTest, DiagnosticJsonHasEveryField) {
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.code = "W0401";
  d.file = "t.heyan";
  d.line = 2;
  d.column = 5;
  d.length = 3;
  d.message_zh = "第 2 行永远不会被选中";
  d.message_en = "row 2 can never be chosen";
  EXPECT_EQ(DiagnosticToJson(d, Language::kEnglish),
            "{\"severity\":\"warning\",\"code\":\"W0401\",\"file\":\"t.heyan\",\"line\":2,\"column\":5,"
            "\"length\":3,\"message\":\"row 2 can never be chosen\",\"message_zh\":\"第 2 行永远不会被选中\","
            "\"message_en\":\"row 2 can never be chosen\",\"suggestion\":\"\"}");
  EXPECT_FALSE(HasErrors({d}));
  d.severity = Severity::kError;
  EXPECT_TRUE(HasErrors({d}));
}

// Issue 14: diagnostics echoed whole source lines, so an 8 KB file printed 96 MB. Long
// lines are cut to a window around the problem.
TEST(TextTest, ExcerptLineKeepsShortLinesAndWindowsLongOnes) {
  int col = 0;
  EXPECT_EQ(ExcerptLine("计算 a = b", 8, 200, &col), "计算 a = b");
  EXPECT_EQ(col, 8);

  std::string line = std::string(1000, 'a') + "XYZ" + std::string(1000, 'b');
  std::string cut = ExcerptLine(line, 1001, 200, &col);
  std::u32string chars = DecodeUtf8(cut);
  int width = 0;
  for (char32_t c : chars) width += DisplayWidth(c);
  EXPECT_LE(width, 200);
  EXPECT_EQ(chars.front(), U'…');
  EXPECT_EQ(chars.back(), U'…');
  ASSERT_GE(col, 2);
  EXPECT_EQ(EncodeUtf8(chars.substr(col - 1, 3)), "XYZ") << "the excerpt column points at the problem";

  // Near the start: no leading "…"; CJK characters count two columns.
  std::string cjk;
  for (int i = 0; i < 300; ++i) cjk += "元";
  cut = ExcerptLine(cjk, 3, 200, &col);
  chars = DecodeUtf8(cut);
  EXPECT_EQ(col, 3);
  EXPECT_NE(chars.front(), U'…');
  EXPECT_EQ(chars.back(), U'…');
  EXPECT_LE(static_cast<int>(chars.size()), 100);

  // Near the end: no trailing "…".
  cut = ExcerptLine(line, 2003, 200, &col);
  chars = DecodeUtf8(cut);
  EXPECT_EQ(chars.front(), U'…');
  EXPECT_EQ(chars.back(), U'b');
  EXPECT_EQ(chars[col - 1], U'b');
}

TEST(TextTest, TruncateTextCutsByCharacters) {
  EXPECT_EQ(TruncateText("未知的名称", 10), "未知的名称");
  EXPECT_EQ(TruncateText("未知的名称", 3), "未知…");
  EXPECT_EQ(TruncateText(std::string(5000, 'x'), 1000).size(), 999 + std::string("…").size());
}

TEST(TextTest, FormatDiagnosticUsesTheExcerptColumn) {
  Diagnostic d;
  d.file = "a.heyan";
  d.line = 1;
  d.column = 5000;
  d.length = 3;
  d.code = "E0201";
  d.message_zh = "未知的名称“XYZ”";
  d.source_line = "…abcXYZdef…";
  d.source_column = 5;
  EXPECT_EQ(FormatDiagnostic(d), "a.heyan:1:5000: 错误 E0201: 未知的名称“XYZ”\n  …abcXYZdef…\n      ^^^\n");
}

}  // namespace
}  // namespace heyan::internal
