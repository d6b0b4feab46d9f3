// File arguments (src/io/input_file.h): classification of paths, streaming reads from pipes,
// and the encodings LineReader decodes.
#include "io/input_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace heyan::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class InputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("heyan_input_file_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  // All lines of `content` read through a pipe the writer fills `step` bytes at a time.
  static std::vector<std::string> LinesThroughPipe(const std::string& content, size_t step, absl::Status* status) {
    ::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    std::thread writer([&, fd = fds[1]] {
      for (size_t i = 0; i < content.size(); i += step) {
        if (::write(fd, content.data() + i, std::min(step, content.size() - i)) < 0) break;
      }
      ::close(fd);
    });
    std::vector<std::string> lines;
    {
      absl::StatusOr<InputFile> file = InputFile::Open("/dev/fd/" + std::to_string(fds[0]), kRegistryFile);
      EXPECT_TRUE(file.ok()) << file.status();
      if (file.ok()) {
        EXPECT_EQ(file->size(), -1);
        LineReader reader(&*file);
        for (std::string_view line; reader.Next(&line);) lines.emplace_back(line);
        *status = reader.status();
      }
    }
    ::close(fds[0]);
    writer.join();
    return lines;
  }

  fs::path dir_;
};

TEST_F(InputFileTest, ClassifiesPaths) {
  EXPECT_EQ(InputFile::Open((dir_ / "nope").string(), kApplicationFile).status().message(),
            (dir_ / "nope").string() + ": 找不到申请文件");
  EXPECT_EQ(InputFile::Open(dir_.string(), kRuleFile).status().message(), dir_.string() + ": 是目录，不是规则文件");
  EXPECT_EQ(InputFile::Open(dir_.string(), kRuleFile, /*english=*/true).status().message(),
            dir_.string() + ": is a directory, not a rule file");
  EXPECT_EQ(InputFile::Open("/dev/zero", kRegistryFile).status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<InputFile> file = InputFile::Open(Write("a.txt", "abc"), kRegistryFile);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), 3);
  EXPECT_EQ(KindOfPath(dir_.string()), PathKind::kDirectory);
  EXPECT_EQ(KindOfPath((dir_ / "a.txt").string()), PathKind::kReadable);
  EXPECT_EQ(KindOfPath("/dev/null"), PathKind::kOther);
  EXPECT_EQ(KindOfPath((dir_ / "nope").string()), PathKind::kMissing);
}

TEST_F(InputFileTest, ReadWholeFileHasALimit) {
  std::string path = Write("big.json", std::string((2 << 20) + 1, 'x'));
  absl::StatusOr<std::string> text = ReadWholeFile(path, kApplicationFile, 2 << 20);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(text.status().message()), StartsWith(path + ": 文件超过 2 MiB"));
  EXPECT_EQ(*ReadWholeFile(Write("small.json", "{}"), kApplicationFile, 2 << 20), "{}");
}

TEST_F(InputFileTest, CheckOutputPath) {
  EXPECT_TRUE(CheckOutputPath((dir_ / "new.jsonl").string(), kOutputFile).ok());
  EXPECT_TRUE(CheckOutputPath(Write("old.jsonl", "x"), kOutputFile).ok());
  EXPECT_TRUE(CheckOutputPath("/dev/null", kOutputFile).ok()) << "a device is a fine output";
  EXPECT_EQ(CheckOutputPath(dir_.string(), kOutputFile).message(), dir_.string() + ": 是目录，不是输出文件");
  absl::Status missing = CheckOutputPath((dir_ / "no" / "x.jsonl").string(), kOutputFile);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("不存在"));
}

TEST_F(InputFileTest, LinesSurviveShortReadsAndRefills) {
  // A BOM split over single-byte reads, CRLF, a last line without newline.
  absl::Status status;
  EXPECT_THAT(LinesThroughPipe("\xEF\xBB\xBF" "a\r\nb\n\nc", 1, &status),
              ::testing::ElementsAre("a", "b", "", "c"));
  EXPECT_TRUE(status.ok()) << status;
  // Lines longer than one read and than the reader's chunk.
  const std::string long_line(3 << 20, 'y');
  std::vector<std::string> lines = LinesThroughPipe("x\n" + long_line + "\nz\n", 70000, &status);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], long_line);
  EXPECT_EQ(lines[2], "z");
}

TEST_F(InputFileTest, Utf16WithSurrogatePairsAndOddEnds) {
  // "a😀\n中" in UTF-16LE with a BOM: 😀 is the pair D83D DE00.
  const std::string le("\xFF\xFE" "a\0\x3D\xD8\x00\xDE\n\0\x2D\x4E", 12);
  absl::Status status;
  EXPECT_THAT(LinesThroughPipe(le, 1, &status), ::testing::ElementsAre("a\xF0\x9F\x98\x80", "中"));
  EXPECT_TRUE(status.ok()) << status;
  // An odd number of bytes: the last character is cut in half.
  EXPECT_THAT(LinesThroughPipe(le + "x", 3, &status), ::testing::ElementsAre("a\xF0\x9F\x98\x80"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(":2: UTF-16"));
}

TEST_F(InputFileTest, LineLengthIsBounded) {
  std::string path = Write("long.txt", "ok\n" + std::string(5000, 'x') + "\n");
  absl::StatusOr<InputFile> file = InputFile::Open(path, kRegistryFile);
  ASSERT_TRUE(file.ok());
  LineReader reader(&*file, /*max_line_bytes=*/4096);
  std::string_view line;
  EXPECT_TRUE(reader.Next(&line));
  EXPECT_FALSE(reader.Next(&line));
  EXPECT_THAT(std::string(reader.status().message()), StartsWith(path + ":2: "));
}

}  // namespace
}  // namespace heyan::io
