// `heyan eval` with length-delimited binary input and output: the same applications given as
// JSON lines and as binary records give the same decisions in both output formats, and a
// damaged binary input gives error records in place.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"

namespace heyan {
namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = HEYAN_SOURCE_DIR;
const std::string kCli = HEYAN_CLI;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Delimited(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.WriteVarint32(static_cast<uint32_t>(m.ByteSizeLong()));
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Splits length-delimited Decisions.
std::vector<v1::Decision> ReadDecisions(const std::string& bytes) {
  std::vector<v1::Decision> out;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  uint32_t size;
  while (in.ReadVarint32(&size)) {
    const auto limit = in.PushLimit(static_cast<int>(size));
    v1::Decision d;
    EXPECT_TRUE(d.ParseFromCodedStream(&in));
    in.PopLimit(limit);
    out.push_back(std::move(d));
  }
  return out;
}

class EvalBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / "heyan_eval_binary_test";
    fs::create_directories(dir_);
    registries_.clear();
    const std::string data = kSourceDir + "/examples/data/";
    for (const char* name : {"public_payroll_staff", "staff_relatives", "vehicle_registrations",
                             "disability_certificates", "machinery_subsidies", "social_insurance",
                             "poverty_registry"}) {
      registries_ += std::string(" --registry ") + name + "=" + data + name + ".csv";
    }
  }

  // Runs heyan eval; returns its exit status.
  int Eval(const std::string& args) {
    const std::string command = kCli + " eval --rules " + kSourceDir +
                                "/rules/examples/city.heyan" + registries_ + " " + args +
                                " > " + (dir_ / "summary.txt").string() + " 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  std::string registries_;
};

TEST_F(EvalBinaryTest, BinaryAndJsonGiveTheSameDecisions) {
  const std::string jsonl = kSourceDir + "/examples/data/applications.jsonl";
  std::string binary;
  int count = 0;
  for (const std::string& line : Lines(ReadFile(jsonl))) {
    v1::Application app;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &app).ok());
    binary += Delimited(app);
    ++count;
  }
  WriteFile(dir_ / "apps.pb", binary);
  const std::string in_json = " --in " + jsonl;
  const std::string in_bin = " --in " + (dir_ / "apps.pb").string();
  // JSON -> JSON, binary -> binary, JSON -> binary, binary -> JSON (format by option and by
  // file extension).
  ASSERT_EQ(Eval(in_json + " --out " + (dir_ / "jj.jsonl").string()), 0) << ReadFile(dir_ / "summary.txt");
  ASSERT_EQ(Eval(in_bin + " --out " + (dir_ / "bb.pb").string() + " --threads 2 --batch-size 17"), 0)
      << ReadFile(dir_ / "summary.txt");
  ASSERT_EQ(Eval(in_json + " --out " + (dir_ / "jb.out").string() + " --out-format binary"), 0);
  ASSERT_EQ(Eval(" --in-format binary --in " + (dir_ / "apps.pb").string() + " --out " +
                 (dir_ / "bj.jsonl").string()),
            0);

  const std::string jj = ReadFile(dir_ / "jj.jsonl");
  EXPECT_EQ(ReadFile(dir_ / "bj.jsonl"), jj);
  const std::string bb = ReadFile(dir_ / "bb.pb");
  EXPECT_EQ(ReadFile(dir_ / "jb.out"), bb);

  // The binary decisions, printed by protobuf, are the JSON lines heyan wrote.
  const std::vector<v1::Decision> decisions = ReadDecisions(bb);
  const std::vector<std::string> lines = Lines(jj);
  ASSERT_EQ(static_cast<int>(decisions.size()), count);
  ASSERT_EQ(lines.size(), decisions.size());
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  for (size_t i = 0; i < decisions.size(); ++i) {
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(decisions[i], &json, options).ok());
    EXPECT_EQ(json, lines[i]) << "record " << i + 1;
    EXPECT_FALSE(decisions[i].application_id().empty());
  }
}

TEST_F(EvalBinaryTest, DamagedBinaryInputGivesErrorRecordsInPlace) {
  v1::Application good;
  good.set_id("GOOD");
  good.set_application_date("2024-03-01");
  std::string bytes = Delimited(good);
  bytes += std::string("\x03\xff\xff\xff", 4);  // a 3-byte record that is not a message
  bytes += Delimited(good);
  const std::string last = Delimited(good);
  bytes += last.substr(0, last.size() - 2);      // truncated at the end of the input
  WriteFile(dir_ / "damaged.bin", bytes);
  ASSERT_EQ(Eval("--in " + (dir_ / "damaged.bin").string() + " --out " +
                 (dir_ / "damaged_out.bin").string()),
            3)
      << ReadFile(dir_ / "summary.txt");
  const std::vector<v1::Decision> decisions = ReadDecisions(ReadFile(dir_ / "damaged_out.bin"));
  ASSERT_EQ(decisions.size(), 4u);
  EXPECT_EQ(decisions[0].application_id(), "GOOD");
  EXPECT_EQ(decisions[2].application_id(), "GOOD");
  for (int i : {1, 3}) {
    EXPECT_EQ(decisions[i].application_id(), "");
    ASSERT_EQ(decisions[i].faults_size(), 1);
    EXPECT_EQ(decisions[i].faults(0).rule_id(), "<input>");
    EXPECT_EQ(decisions[i].faults(0).message().rfind("record " + std::to_string(i + 1) + ": ", 0), 0u)
        << decisions[i].faults(0).message();
  }
}

}  // namespace
}  // namespace heyan
