// The compile driver (src/compiler/compiler.cc) through the public API: files and imports,
// limits, and the bounds on what diagnostics can print.
#include "heyan/compiler.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/diagnostic.h"
#include "heyan/explain.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"

namespace heyan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

// Codes of the diagnostics, leaving out citation warnings (W0214: the snippets here cite
// nothing; tests/checker covers W0214).
std::vector<std::string> Codes(const CompileResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) {
    if (d.code != "W0214") out.push_back(d.code);
  }
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

// FindEntryRuleSet: the one search every "rule file or folder" argument uses.
TEST_F(ImportTest, EntryRuleSetOfAFolderIsTheFileNothingImports) {
  absl::StatusOr<std::string> entry = FindEntryRuleSet({Path("tree")});
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry, Path("tree/zz/zz.heyan"));
  // Several paths together: the files and folders are searched as one set.
  entry = FindEntryRuleSet({Path("tree/henan.heyan"), Path("tree/zz")});
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry, Path("tree/zz/zz.heyan"));
}

TEST_F(ImportTest, EntryRuleSetReadsImportsWithTheParser) {
  // An import on the header's line is an import; a scan of lines starting with 导入 missed it.
  Write("tree/zz/zz.heyan", "规则集 市 导入 \"../henan.heyan\"\n输出 o = 标准\n");
  absl::StatusOr<std::string> entry = FindEntryRuleSet({Path("tree")});
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry, Path("tree/zz/zz.heyan"));
  // "导入" in a comment imports nothing: two entries, both listed, in either language.
  Write("tree/zz/zz.heyan", "规则集 市\n# 导入 \"../henan.heyan\"\n输出 o = 1\n");
  entry = FindEntryRuleSet({Path("tree")});
  ASSERT_EQ(entry.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(entry.status().message(), HasSubstr("2 个入口规则集"));
  EXPECT_THAT(entry.status().message(), HasSubstr(Path("tree/henan.heyan")));
  EXPECT_THAT(entry.status().message(), HasSubstr(Path("tree/zz/zz.heyan")));
  entry = FindEntryRuleSet({Path("tree")}, Language::kEnglish);
  EXPECT_THAT(entry.status().message(), HasSubstr("2 entry rule sets"));
}

TEST_F(ImportTest, EntryRuleSetProblemsNameThePath) {
  fs::create_directories(base_ / "empty");
  absl::StatusOr<std::string> entry = FindEntryRuleSet({Path("empty")});
  ASSERT_EQ(entry.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(entry.status().message(), HasSubstr(Path("empty") + "”中没有规则文件"));
  entry = FindEntryRuleSet({Path("missing")}, Language::kEnglish);
  EXPECT_FALSE(entry.ok());
  EXPECT_THAT(entry.status().message(), HasSubstr(Path("missing")));
  // A file named on its own is the entry, even one that another file imports.
  entry = FindEntryRuleSet({Path("tree/henan.heyan")});
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry, Path("tree/henan.heyan"));
}

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

// ---- nesting and evaluation depth ------------------------------------------------------

// Runs `fn` on a thread with a `bytes` stack: the size JVM and JNI threads get by default.
// (std::thread cannot set a stack size.) A stack overflow kills the test binary.
void RunWithStack(size_t bytes, const std::function<void()>& fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes), 0);
  pthread_t thread;
  auto* task = new std::function<void()>(fn);
  auto trampoline = [](void* arg) -> void* {
    auto* f = static_cast<std::function<void()>*>(arg);
    (*f)();
    delete f;
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, task), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
}

// The stack the deep tests run on: 1 MiB, the size of a JVM or JNI thread's stack. The
// release build needs under 96 KiB for the deepest accepted rule set. Sanitizer builds
// (CI runs them as Debug + ASan) use several times more per frame (the checker's largest
// frames grow from a few hundred bytes to 7-9 KiB), so there the test gets 8 MiB, the
// default main-thread stack that the ASan crash at ~600 levels was measured on.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kTestStack = 8 << 20;
#else
constexpr size_t kTestStack = 1 << 20;
#endif

v1::Application SmallHousehold() {
  v1::Application app;
  app.set_id("A");
  app.set_application_date("2023-06-01");
  v1::Member* m = app.add_members();
  m->set_id_number("410100195001011234");
  m->set_name("张三");
  m->set_birth_date("1950-06-01");
  m->set_lives_together(true);
  v1::Income* i = m->add_incomes();
  i->set_kind(v1::WAGES);
  i->set_source(v1::SALARY);
  i->set_amount_fen(100);
  i->set_period(v1::MONTHLY);
  return app;
}

// One link of a chain of named values, each using the one before: `k` uses `prev`. The
// kinds of link exercise different evaluator nodes (and stack frames) per level.
std::string Link(int kind, int k, const std::string& prev) {
  const std::string name = "v" + std::to_string(k);
  switch (kind % 5) {
    case 0:
      return "计算 " + name + ": 整数 = 如果 " + prev + " > 0 则 " + prev + " + 1 否则 0\n";
    case 1:
      return "计算 " + name + ": 整数 = 合计([1, 2]: " + prev + ")\n";
    case 2:
      return "决策表 " + name + ": 整数 命中 首个 条件 " + prev + "\n  行 < 0 => 0\n  行 - => " + prev + " + 1\n";
    case 3:
      return "计算 " + name + ": 整数 = 计数(成员 其中 " + prev + " > 0) + 较大值(" + prev + ", 1)\n";
    default:
      return "计算 " + name + ": 整数 = 最大(成员: " + prev + " * 1)\n";
  }
}

// A rule set whose evaluation nests as deep as `links` chained definitions make it: one
// expression at the full nesting limit (64), then the chain written last-first (so the
// checker also recurses through every link), used by an output, a rule, an exception and
// 符合条件.
std::string DeepRules(int links) {
  // 62 如果 deep, and the innermost condition's operand two levels below: depth 64.
  std::string deep = "0";
  for (int i = 0; i < 62; ++i) deep = "如果 v0 > " + std::to_string(i) + " 则 " + std::to_string(i) + " 否则 (" + deep + ")";
  std::string text = "规则集 深 版本 \"1\"\n";
  text += "输出 结果: 整数 = v" + std::to_string(links) + "\n";
  text += "规则 R1 \"链\" 当 v" + std::to_string(links) + " < 0\n  例外 \"负一\": v" + std::to_string(links) +
          " < -1\n  则 不符合\n";
  text += "输出 符合: 整数 = 如果 符合条件 则 v" + std::to_string(links) + " 否则 0\n";
  for (int k = links; k >= 1; --k) text += Link(k, k, "v" + std::to_string(k - 1));
  text += "计算 v0: 整数 = 1 + 计数(成员)\n";
  text += "计算 最深: 整数 = " + deep + "\n";
  return text;
}

absl::StatusOr<CompileResult> CompileText(const std::string& text, CompileOptions options = {}) {
  options.sources["deep.heyan"] = text;
  return CompileFile("deep.heyan", options);
}

bool HasCode(const CompileResult& r, const std::string& code) {
  for (const auto& d : r.diagnostics) {
    if (d.code == code) return true;
  }
  return false;
}

// Issue 14: a 600-term sum and a 1,400-deep 如果…否则 chain passed the checker and then
// crashed check/eval on a 1 MiB stack. Now every depth is bounded: at the limit, check,
// compile, evaluate (with trace) and explain fit in a 1 MiB stack; one step beyond is E0004.
TEST(CompilerTest, DeepestAcceptedRuleSetRunsOnAOneMebibyteStack) {
  // The longest chain that still compiles (binary search on the main thread).
  int lo = 1, hi = 400;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    absl::StatusOr<CompileResult> r = CompileText(DeepRules(mid));
    ASSERT_TRUE(r.ok());
    if (r->ok()) {
      lo = mid;
    } else {
      ASSERT_TRUE(HasCode(*r, "E0004")) << Printed(*r);
      hi = mid - 1;
    }
  }
  const int links = lo;
  ASSERT_GT(links, 20) << "the limit leaves room for realistic chains";
  absl::StatusOr<CompileResult> over = CompileText(DeepRules(links + 1));
  ASSERT_TRUE(over.ok());
  EXPECT_THAT(Codes(*over), ElementsAre("E0004"));
  const Diagnostic* e0004 = nullptr;
  for (const Diagnostic& d : over->diagnostics) {
    if (d.code == "E0004") e0004 = &d;
  }
  ASSERT_NE(e0004, nullptr);
  EXPECT_THAT(e0004->message_zh, HasSubstr("超过上限 256 层"));
  EXPECT_GT(e0004->line, 1);

  bool ran = false;
  RunWithStack(kTestStack, [&] {
    absl::StatusOr<CompileResult> r = CompileText(DeepRules(links));
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->ok()) << Printed(*r);
    Registries registries;
    EvalOptions options;
    options.trace = true;
    absl::StatusOr<v1::Decision> d = r->program->Evaluate(SmallHousehold(), registries, options);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->faults_size(), 0) << d->DebugString();
    EXPECT_EQ(d->outcome(), v1::ELIGIBLE);
    for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
      ExplainOptions explain;
      explain.format = format;
      explain.program = r->program.get();
      absl::StatusOr<std::string> text = Explain(*d, SmallHousehold(), explain);
      ASSERT_TRUE(text.ok()) << text.status();
      EXPECT_FALSE(text->empty());
    }
    ran = true;
  });
  EXPECT_TRUE(ran);
}

// Long flat sums are common (合计 of 20 fields): a 600-term sum, a 600-term 并且 and a
// 600-term product are regrouped, accepted and evaluated on a 1 MiB stack.
TEST(CompilerTest, LongFlatChainsAreAcceptedAndRunOnAOneMebibyteStack) {
  std::string sum = "1", all = "真", product = "1", fen = "1分";
  for (int i = 1; i < 600; ++i) {
    sum += " + " + std::to_string(i + 1);
    all += " 并且 计数(成员) > 0";
    product += " * 1";
    fen += " + 1分";
  }
  bool ran = false;
  RunWithStack(kTestStack, [&] {
    absl::StatusOr<CompileResult> r = CompileText("规则集 长 版本 \"1\"\n输出 和: 整数 = " + sum + "\n输出 全部: 布尔 = " + all +
                                                  "\n输出 积: 整数 = " + product + "\n输出 钱: 金额 = " + fen + "\n");
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->ok()) << Printed(*r);
    absl::StatusOr<v1::Decision> d = r->program->Evaluate(SmallHousehold(), Registries(), EvalOptions());
    ASSERT_TRUE(d.ok());
    std::map<std::string, std::string> out;
    for (const auto& a : d->amounts()) out[a.name()] = a.value();
    EXPECT_EQ(out["和"], "180300");
    EXPECT_EQ(out["全部"], "是");
    EXPECT_EQ(out["积"], "1");
    EXPECT_EQ(out["钱"], "6.00元");
    ran = true;
  });
  EXPECT_TRUE(ran);
}

TEST(CompilerTest, DeepExpressionsAreE0004WithAPosition) {
  // 65 nested 如果…否则 (no brackets): one past the limit. And 1,400 of them, and a
  // 600-term subtraction (not regrouped): E0004, not a crash, on a 1 MiB stack.
  auto ifs = [](int n) {
    std::string e = "0";
    for (int i = 0; i < n; ++i) e = "如果 真 则 " + std::to_string(i) + " 否则 " + e;
    return "规则集 深 版本 \"1\"\n输出 x: 整数 = " + e + "\n";
  };
  std::string minus = "1000";
  for (int i = 0; i < 600; ++i) minus += " - 1";
  RunWithStack(kTestStack, [&] {
    absl::StatusOr<CompileResult> ok = CompileText(ifs(63));
    ASSERT_TRUE(ok.ok());
    EXPECT_TRUE(ok->ok()) << Printed(*ok);
    for (const std::string& text : {ifs(64), ifs(1400), "规则集 深 版本 \"1\"\n输出 x: 整数 = " + minus + "\n"}) {
      absl::StatusOr<CompileResult> r = CompileText(text);
      ASSERT_TRUE(r.ok());
      ASSERT_THAT(Codes(*r), ElementsAre("E0004"));
      const Diagnostic& d = r->diagnostics[0];
      EXPECT_EQ(d.file, "deep.heyan");
      EXPECT_EQ(d.line, 2);
      EXPECT_GT(d.column, 1);
      EXPECT_THAT(d.message_zh, HasSubstr("64 层"));
    }
  });
}

// Regrouping changes the grouping, which is harmless for numbers, money and 并且/或者 but
// not for dates (2024-01-31 + 1个月 + 1个月): a long date chain is refused, a short one
// keeps its left-to-right meaning.
TEST(CompilerTest, LongDateChainsAreRefused) {
  std::string months = "2024-01-31";
  for (int i = 0; i < 8; ++i) months += " + 1个月";
  absl::StatusOr<CompileResult> r = CompileText("规则集 日 版本 \"1\"\n输出 d: 日期 = " + months + "\n");
  ASSERT_TRUE(r.ok());
  ASSERT_THAT(Codes(*r), ElementsAre("E0004"));
  EXPECT_THAT(r->diagnostics[0].message_zh, HasSubstr("日期加期间的连加有 9 项"));
  std::string seven = "2024-01-31";
  for (int i = 0; i < 7; ++i) seven += " + 1个月";
  r = CompileText("规则集 日 版本 \"1\"\n输出 d: 日期 = " + seven + "\n");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->ok()) << Printed(*r);
  absl::StatusOr<v1::Decision> d = r->program->Evaluate(SmallHousehold(), Registries(), EvalOptions());
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->amounts_size(), 1);
  EXPECT_EQ(d->amounts(0).value(), "2024-08-29") << "month by month, clamping at 02-29";
  // Long chains of durations alone are associative and accepted.
  std::string durations = "1个月";
  for (int i = 0; i < 20; ++i) durations += " + 1个月";
  r = CompileText("规则集 日 版本 \"1\"\n输出 d: 日期 = 2024-01-31 + (" + durations + ")\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << Printed(*r);
}

}  // namespace
}  // namespace heyan
