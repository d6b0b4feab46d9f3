// The compile driver (src/compiler/compiler.cc) through the public API: files and imports,
// limits, and the bounds on what diagnostics can print.
#include "heyan/compiler.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/diagnostic.h"

namespace heyan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

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

// ---- imports stay inside the rule set's root -------------------------------------------

// A scratch rule tree on disk, removed afterwards:
//   tree/henan.heyan, tree/zz/zz.heyan (imports ../henan.heyan), outside/secret.heyan
class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("heyan_import_test_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "tree" / "zz");
    fs::create_directories(base_ / "outside");
    Write("tree/henan.heyan", "规则集 省\n参数 标准: 金额 = 100元\n");
    Write("tree/zz/zz.heyan", "规则集 市\n导入 \"../henan.heyan\"\n输出 o = 标准\n");
    // A rule file outside the tree whose text must never appear in a diagnostic.
    Write("outside/secret.heyan", "规则集 机密 版本 \"SECRET-TOKEN-42\"\n计算 x = 1 +\n");
  }
  void TearDown() override { fs::remove_all(base_); }

  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(base_ / rel, std::ios::binary) << text;
  }
  std::string Path(const std::string& rel) const { return (base_ / rel).generic_string(); }

  // Compiles tree/zz/main.heyan importing `import` (written as is).
  CompileResult CompileImporting(const std::string& import, CompileOptions options = {}) {
    Write("tree/zz/main.heyan", "规则集 测试\n导入 \"" + import + "\"\n");
    absl::StatusOr<CompileResult> r = CompileFile(Path("tree/zz/main.heyan"), options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : CompileResult();
  }

  fs::path base_;
};

// Every refused import: E0007 at the import, naming only the path; nothing of the refused
// file (or of any file it might be) is echoed.
void ExpectRefused(const CompileResult& r, const std::string& why) {
  ASSERT_THAT(Codes(r), ElementsAre("E0007")) << Printed(r);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 4);
  EXPECT_THAT(d.message_zh, HasSubstr(why));
  EXPECT_THAT(d.source_line, ::testing::StartsWith("导入 \"")) << "only the importing line is shown";
  const std::string printed = Printed(r);
  for (const char* secret : {"SECRET-TOKEN-42", "root:", "PATH="}) EXPECT_THAT(printed, ::testing::Not(HasSubstr(secret)));
}

TEST_F(ImportTest, HierarchyInsideTheRuleTreeIsAllowed) {
  absl::StatusOr<CompileResult> r = CompileFile(Path("tree/zz/zz.heyan"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok()) << Printed(*r);
  CompileResult sibling = CompileImporting("zz.heyan");
  EXPECT_TRUE(sibling.ok()) << Printed(sibling);
}

TEST_F(ImportTest, SystemFilesAreRefused) {
  ExpectRefused(CompileImporting("/etc/shadow"), "只能导入 .heyan 规则文件");
  ExpectRefused(CompileImporting("/etc/passwd"), "只能导入 .heyan 规则文件");
  ExpectRefused(CompileImporting("/proc/self/environ"), "只能导入 .heyan 规则文件");
}

TEST_F(ImportTest, EscapesFromTheRootAreRefused) {
  ExpectRefused(CompileImporting("../../outside/secret.heyan"), "在规则库根目录之外");
  ExpectRefused(CompileImporting(Path("outside/secret.heyan")), "在规则库根目录之外");
  // Inside the tree's root, the file just does not exist: still "not found".
  EXPECT_THAT(Codes(CompileImporting("../nothing.heyan")), ElementsAre("E0002"));
}

TEST_F(ImportTest, SymlinksAreFollowedBeforeTheCheck) {
  fs::create_symlink(base_ / "outside" / "secret.heyan", base_ / "tree" / "zz" / "link.heyan");
  ExpectRefused(CompileImporting("link.heyan"), "在规则库根目录之外");
  fs::create_symlink("/etc/passwd", base_ / "tree" / "zz" / "passwd.heyan");
  ExpectRefused(CompileImporting("passwd.heyan"), "在规则库根目录之外");
  fs::create_symlink(base_ / "tree" / "henan.heyan", base_ / "tree" / "zz" / "ok.heyan");
  EXPECT_TRUE(CompileImporting("ok.heyan").ok()) << "a link that stays inside the root is fine";
}

TEST_F(ImportTest, NonRegularFilesAreRefused) {
  ASSERT_EQ(::mkfifo((base_ / "tree" / "zz" / "pipe.heyan").c_str(), 0600), 0);
  ExpectRefused(CompileImporting("pipe.heyan"), "不是普通文件");  // and does not block on open
  fs::create_directories(base_ / "tree" / "zz" / "dir.heyan");
  ExpectRefused(CompileImporting("dir.heyan"), "不是普通文件");
}

TEST_F(ImportTest, AllowListAddsRoots) {
  CompileOptions options;
  options.import_roots = {Path("outside")};
  CompileResult r = CompileImporting("../../outside/secret.heyan", options);
  EXPECT_THAT(Codes(r), ::testing::Contains("E0101")) << "now read (and its syntax error reported)";
  // With an allow-list the default rule tree no longer applies: only the entry's own
  // folder and the listed ones.
  absl::StatusOr<CompileResult> zz = CompileFile(Path("tree/zz/zz.heyan"), options);
  ASSERT_TRUE(zz.ok());
  ASSERT_THAT(Codes(*zz), ElementsAre("E0007"));
  options.import_roots.push_back(Path("tree"));
  zz = CompileFile(Path("tree/zz/zz.heyan"), options);
  EXPECT_TRUE(zz->ok()) << Printed(*zz);
}

TEST_F(ImportTest, OversizedImportIsRefusedBeforeReading) {
  Write("tree/zz/big.heyan", "规则集 大\n# " + std::string(2000, 'x') + "\n");
  CompileOptions options;
  options.max_source_bytes = 1000;
  CompileResult r = CompileImporting("big.heyan", options);
  ASSERT_THAT(Codes(r), ElementsAre("E0003"));
  EXPECT_EQ(r.diagnostics[0].file, Path("tree/zz/main.heyan")) << "reported at the import";
  EXPECT_THAT(r.diagnostics[0].message_zh, HasSubstr("big.heyan"));
}

// In-memory sources (bindings, editors, services) follow the same path rules.
TEST(CompilerTest, InMemoryImportsFollowThePathRules) {
  CompileOptions options;
  // rules/ holds no rule file, so the root is rules/zz.
  options.sources["rules/zz/main.heyan"] = "规则集 测试\n导入 \"../../secret.heyan\"\n";
  options.sources["secret.heyan"] = "规则集 机密 版本 \"SECRET-TOKEN-42\"\n";
  absl::StatusOr<CompileResult> r = CompileFile("rules/zz/main.heyan", options);
  ASSERT_TRUE(r.ok());
  ExpectRefused(*r, "在规则库根目录之外");
  // An in-memory tree may import upwards like one on disk.
  options.sources["rules/henan.heyan"] = "规则集 省\n";
  options.sources["rules/zz/main.heyan"] = "规则集 测试\n导入 \"../henan.heyan\"\n";
  r = CompileFile("rules/zz/main.heyan", options);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Codes(*r), IsEmpty());
  options.sources.erase("rules/henan.heyan");

  options.sources["rules/main.heyan"] = "规则集 测试\n导入 \"/etc/passwd\"\n";
  r = CompileFile("rules/main.heyan", options);
  ASSERT_TRUE(r.ok());
  ExpectRefused(*r, "只能导入 .heyan 规则文件");

  options.sources["rules/main.heyan"] = "规则集 测试\n导入 \"/secret.heyan\"\n";
  options.sources["/secret.heyan"] = "规则集 机密 版本 \"SECRET-TOKEN-42\"\n";
  r = CompileFile("rules/main.heyan", options);
  ASSERT_TRUE(r.ok());
  ExpectRefused(*r, "在规则库根目录之外");

  // Inside the root, in-memory imports work as before.
  options.sources["rules/main.heyan"] = "规则集 测试\n导入 \"lib/ok.heyan\"\n";
  options.sources["rules/lib/ok.heyan"] = "规则集 库\n";
  r = CompileFile("rules/main.heyan", options);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Codes(*r), IsEmpty());
}

}  // namespace
}  // namespace heyan
