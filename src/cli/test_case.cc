// Reading `heyan test` cases (see test_case.h).
#include "cli/test_case.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/date.h"
#include "common/text.h"
#include "io/input_file.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "heyan/v1/options.pb.h"

namespace heyan::cli {

// A test case is small; a file larger than this is not one.
constexpr size_t kMaxCaseBytes = size_t{16} << 20;

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;
using google::protobuf::TextFormat;

void ReadTestCase(const std::string& path, bool en, v1::TestCase* test, TextFormat::ParseInfoTree* locations,
                  std::vector<LineError>* errors) {
  auto L = [en](const char* zh, const char* english) { return en ? english : zh; };
  absl::StatusOr<std::string> read = io::ReadWholeFile(path, io::kTestCaseFile, kMaxCaseBytes, en);
  if (!read.ok()) {
    // The message starts with the path, which the caller prints before the line number.
    std::string m(read.status().message());
    if (absl::StartsWith(m, path + ": ")) m.erase(0, path.size() + 2);
    errors->push_back({1, m});
    return;
  }
  std::string text = *std::move(read);
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.replace(0, 3, "   ");  // BOM, keeps columns
  if (!io::ParseChineseText(text, test, en, locations, errors)) {
    if (errors->empty()) errors->push_back({1, L("无法解析测试案例", "cannot parse the test case")});
    return;
  }
  if (test->rules().empty()) {
    errors->push_back({1, L("没有写“规则”（要测试的规则文件，相对于本文件的路径）",
                              "no 'rules' (the rule file to test, relative to this file)")});
  }
}

absl::Status AddCaseRegistries(const v1::TestCase& test, const std::string& file, Registries* registries) {
  const Reflection* refl = test.registries().GetReflection();
  const Descriptor* rd = v1::Registries::descriptor();
  bool any_record = false;
  for (int i = 0; i < rd->field_count(); ++i) {
    const FieldDescriptor* f = rd->field(i);
    for (int k = 0; k < refl->FieldSize(test.registries(), f); ++k) {
      any_record = true;
      absl::Status s = registries->AddRecord(f->name(), refl->GetRepeatedMessage(test.registries(), f, k));
      if (!s.ok()) return s;
    }
  }
  if (test.has_records()) {
    if (any_record) {
      return absl::InvalidArgumentError(
          "写了“核对结果”的案例，核对到的记录写在“核对结果”里，“登记册”须为空 "
          "(a case with records lists them there, not under registries)");
    }
    return absl::OkStatus();
  }
  // The date of the run: the case's evaluation date as the decision will use it. Without any
  // date the decision reports 评估日期 as missing; the check then carries a placeholder date.
  std::string date = !test.as_of().empty()                   ? test.as_of()
                     : !test.application().as_of().empty() ? test.application().as_of()
                                                               : test.application().application_date();
  int32_t days;
  if (!internal::ParseDate(date, &days)) date = "1970-01-01";
  for (const std::string& name : Registries::Names()) {
    absl::Status s = registries->MarkChecked(name, RegistryCheckInfo{date, absl::StrCat("测试案例 ", file), ""});
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace heyan::cli
