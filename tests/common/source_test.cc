// Rule-file sources and the diagnostic collector (src/common/source.h).
#include "common/source.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "common/text.h"

namespace heyan::internal {
namespace {

using ::testing::HasSubstr;

// The old, obviously correct (and quadratic) Slice: scan from byte 0.
std::string NaiveSlice(const std::string& text, int begin, int end) {
  size_t b = std::string::npos, e = text.size();
  int cp = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (cp == begin && b == std::string::npos) b = i;
    if (cp == end) {
      e = i;
      break;
    }
    ++cp;
  }
  if (b == std::string::npos) return "";
  return text.substr(b, e - b);
}

// Issue 14: Slice rescanned from byte 0 for every expression, so `heyan check` was
// quadratic (15,000 rules: 79 s). It now starts from a checkpoint every 64 code points;
// this checks it against the naive scan on mixed 1-, 2-, 3- and 4-byte characters.
TEST(SourceFileTest, SliceMatchesNaiveScan) {
  std::mt19937 rng(14);
  const char* pieces[] = {"a", "\n", "é", "元", "规则", "\xF0\x9F\x98\x80", " ", "（"};
  std::string text;
  for (int i = 0; i < 3000; ++i) text += pieces[rng() % 8];
  SourceFile f("t.heyan", text);
  int count = 0;
  for (size_t i = 0; i < text.size(); ++i) count += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  for (int k = 0; k < 3000; ++k) {
    int begin = static_cast<int>(rng() % (count + 3));
    int end = begin + static_cast<int>(rng() % 200) - 20;
    ASSERT_EQ(f.Slice(begin, end), NaiveSlice(text, begin, end)) << begin << ".." << end;
  }
  EXPECT_EQ(f.Slice(0, count), text);
  EXPECT_EQ(f.Slice(count, count + 5), "");
  EXPECT_EQ(f.Slice(count + 1, count + 5), "");
}

struct Sink {
  SourceSet sources;
  DiagnosticSink sink{&sources};
  int file;
  explicit Sink(const std::string& text) { file = sources.Add("t.heyan", text); }
};

TEST(DiagnosticSinkTest, CapsTheCountAndSummarisesTheRest) {
  Sink s("x\n");
  s.sink.SetLimits(100, 200);
  for (int i = 0; i < 150; ++i) s.sink.Error("E0201", Span{s.file, 0, 1}, "错" + std::to_string(i), "e");
  std::vector<Diagnostic> out = s.sink.Take();
  ASSERT_EQ(out.size(), 101u);
  EXPECT_EQ(out.back().code, "E0008");
  EXPECT_EQ(out.back().severity, Severity::kError);
  EXPECT_EQ(out.back().message_zh, "还有 50 个问题未显示（其中 50 个错误），请先改正上面的问题");
  EXPECT_EQ(out.back().file, "t.heyan");
}

TEST(DiagnosticSinkTest, KeepsErrorsBeforeWarnings) {
  Sink s("a\nb\nc\n");
  s.sink.SetLimits(3, 200);
  for (int i = 0; i < 5; ++i) s.sink.Warning("W0301", Span{s.file, 0, 1}, "警" + std::to_string(i), "w");
  s.sink.Error("E0201", Span{s.file, 4, 5}, "错", "e");  // line 3
  std::vector<Diagnostic> out = s.sink.Take();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].code, "W0301");
  EXPECT_EQ(out[1].code, "W0301");
  EXPECT_EQ(out[2].code, "E0201") << "the error is shown although five warnings come first";
  EXPECT_EQ(out[3].code, "E0008");
  EXPECT_EQ(out[3].severity, Severity::kWarning) << "only warnings were left out";
  EXPECT_THAT(out[3].message_zh, HasSubstr("还有 3 个问题未显示（其中 0 个错误）"));
}

TEST(DiagnosticSinkTest, StoresBoundedNumberAndCountsTheRest) {
  Sink s("x\n");
  s.sink.SetLimits(2, 200);
  for (int i = 0; i < 100000; ++i) s.sink.Error("E0201", Span{s.file, 0, 1}, "错" + std::to_string(i), "e");
  EXPECT_EQ(s.sink.error_count(), 100000);
  std::vector<Diagnostic> out = s.sink.Take();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_THAT(out.back().message_zh, HasSubstr("还有 99998 个问题未显示"));
}

TEST(DiagnosticSinkTest, LongLinesAndMessagesAreCut) {
  std::string line = "计算 a = " + std::string(5000, 'x') + " + 未知";
  Sink s(line + "\n");
  const int column = 7 + 5000 + 3 + 1;  // "未知", 1-based
  std::string name(20000, 'y');
  s.sink.Error("E0201", Span{s.file, column - 1, column + 1}, "未知的名称“" + name + "”", "unknown");
  std::vector<Diagnostic> out = s.sink.Take();
  ASSERT_EQ(out.size(), 1u);
  const Diagnostic& d = out[0];
  EXPECT_EQ(d.column, column);
  EXPECT_LT(d.source_line.size(), 400u);
  EXPECT_THAT(d.source_line, HasSubstr("+ 未知"));
  EXPECT_LE(d.message_zh.size(), 3u * DiagnosticSink::kMaxMessageChars);
  std::string shown = FormatDiagnostic(d);
  EXPECT_LT(shown.size(), 4000u);
  // The excerpt column points at 未知 in the excerpt.
  std::u32string chars = DecodeUtf8(d.source_line);
  ASSERT_GT(d.source_column, 0);
  ASSERT_LE(d.source_column + 1, static_cast<int>(chars.size()));
  EXPECT_EQ(chars[d.source_column - 1], U'未');
  EXPECT_EQ(chars[d.source_column], U'知');
}

}  // namespace
}  // namespace heyan::internal
