// Golden diagnostics: what `heyan check` prints for each case in tests/golden/errors.
//
// For every NAME.heyan (or NAME.args) in that directory the checker is run with the directory
// as working directory, so file paths in the output are relative and stable:
//   heyan check NAME.heyan                 -> compared with NAME.baseline
//   heyan check NAME.heyan --lang=en       -> NAME.en.baseline   (only if that file exists)
//   heyan check NAME.heyan --format=json   -> NAME.json.baseline (only if that file exists)
// NAME.args may add options (e.g. "missing_basis.heyan --strict").
// A mismatch prints a line diff. HEYAN_UPDATE_GOLDEN=1 rewrites the baselines instead
// (and creates NAME.baseline for a new case); review the result with `git diff`.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

namespace fs = std::filesystem;

const fs::path kDir = HEYAN_GOLDEN_DIR;

struct Variant {
  const char* suffix;  // baseline file suffix
  const char* flag;    // extra command-line flag
};
constexpr Variant kVariants[] = {{".baseline", ""}, {".en.baseline", "--lang=en"}, {".json.baseline", "--format=json"}};

bool Updating() {
  const char* v = std::getenv("HEYAN_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext == ".heyan" || ext == ".args") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// The arguments after `heyan check`: NAME.args if present, else NAME.heyan.
std::string Arguments(const std::string& name) {
  fs::path args = kDir / (name + ".args");
  if (!fs::exists(args)) return name + ".heyan";
  std::string text = ReadFile(args);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

struct CheckRun {
  std::string out;
  int exit_code = -1;
};

CheckRun RunCheck(const std::string& args, const std::string& flag) {
  std::string command = "cd '" + kDir.string() + "' && '" HEYAN_CLI "' check " + args;
  if (!flag.empty()) command += " " + flag;
  command += " 2>/dev/null";
  CheckRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.out.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// A line diff (longest common subsequence): "-" expected only, "+" actual only.
std::string Diff(const std::string& expected, const std::string& actual) {
  std::vector<std::string> a = Lines(expected), b = Lines(actual);
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += "  " + a[i] + "\n";
      ++i, ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "+ " + b[j++] + "\n";
    } else {
      out += "- " + a[i++] + "\n";
    }
  }
  if (!expected.empty() && expected.back() != '\n') out += "(expected output does not end with a newline)\n";
  if (!actual.empty() && actual.back() != '\n') out += "(actual output does not end with a newline)\n";
  return out;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesBaseline) {
  const std::string name = GetParam();
  const std::string args = Arguments(name);
  int compared = 0;
  for (const Variant& v : kVariants) {
    const fs::path baseline = kDir / (name + v.suffix);
    const bool primary = std::string(v.suffix) == ".baseline";
    if (!fs::exists(baseline) && !(primary && Updating())) {
      if (primary) ADD_FAILURE() << "missing " << baseline << " (create it with HEYAN_UPDATE_GOLDEN=1)";
      continue;
    }
    CheckRun run = RunCheck(args, v.flag);
    ASSERT_GE(run.exit_code, 0) << "heyan check " << args << " " << v.flag << " did not exit normally";
    // Exit status: 1 when there is any error, 0 for warnings only (reference §14.1). Under
    // --strict a warning's code (W…) is printed as an error.
    const bool has_error = run.out.find(": 错误 ") != std::string::npos ||
                           run.out.find(": error ") != std::string::npos ||
                           run.out.find("\"severity\":\"error\"") != std::string::npos;
    EXPECT_EQ(run.exit_code, has_error ? 1 : 0) << "heyan check " << args << " " << v.flag;
    if (Updating()) {
      std::ofstream(baseline, std::ios::binary) << run.out;
      ++compared;
      continue;
    }
    const std::string expected = ReadFile(baseline);
    EXPECT_EQ(run.out, expected) << "heyan check " << args << " " << v.flag << " differs from " << baseline.filename()
                                 << " (- expected, + actual):\n"
                                 << Diff(expected, run.out)
                                 << "If the new output is right, run with HEYAN_UPDATE_GOLDEN=1 and review git diff.";
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(Errors, GoldenTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string id = info.param;
                           for (char& c : id) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return id;
                         });

// Every documented diagnostic code that a rule file can trigger has a golden case.
TEST(GoldenCoverageTest, EveryDiagnosticCodeHasACase) {
  std::string all;
  for (const std::string& name : Cases()) all += ReadFile(kDir / (name + ".baseline"));
  std::vector<std::string> codes = {"W0401"};
  for (int c : {1, 2, 3, 4, 5, 6, 101, 102, 103, 104, 105, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212,
                213, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315, 401, 402, 403, 404, 405}) {
    char code[8];
    snprintf(code, sizeof code, "E%04d", c);
    codes.push_back(code);
  }
  for (const std::string& code : codes) {
    EXPECT_NE(all.find(" " + code + ": "), std::string::npos) << "no golden case shows " << code;
  }
}

}  // namespace
