// Reading campaign files (see records.h).
#include "campaign/records.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/json_util.h"
#include "io/record_check.h"

namespace heyan::campaign {

absl::StatusOr<std::unique_ptr<JsonLines>> JsonLines::Open(const std::string& path, const io::FileRole& role) {
  absl::StatusOr<io::InputFile> file = io::InputFile::Open(path, role);
  if (!file.ok()) return file.status();
  return std::unique_ptr<JsonLines>(new JsonLines(std::move(*file)));
}

std::string ParseRecordJson(std::string_view json, google::protobuf::Message* record) {
  record->Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto s = google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(json.data(), json.size()),
                                                             record, options);
  if (!s.ok()) {
    // protobuf's messages may span lines; one line is easier to read next to "file:line".
    std::string m = absl::StrReplaceAll(std::string(s.message()), {{"\n", " "}});
    return absl::StrCat("不是有效的记录（", record->GetDescriptor()->full_name(), "）：", m);
  }
  std::string field, problem;
  if (!io::CheckJsonIntegers(json, record->GetDescriptor(), &field, &problem) ||
      !io::CheckRecord(*record, io::RecordCheckOptions{}, &field, &problem)) {
    return absl::StrCat(field, ": ", problem);
  }
  return "";
}

bool JsonLines::NextLine(std::string* out) {
  if (!status_.ok()) return false;
  std::string_view line;
  while (lines_.Next(&line)) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    out->assign(line.data(), line.size());
    ++records_;
    return true;
  }
  status_ = lines_.status();
  return false;
}

bool JsonLines::Next(google::protobuf::Message* record) {
  if (!status_.ok()) return false;
  std::string_view line;
  while (lines_.Next(&line)) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::string problem = ParseRecordJson(line, record);
    if (!problem.empty()) {
      status_ = absl::InvalidArgumentError(absl::StrCat(file_.path(), ":", lines_.line_number(), ": ", problem));
      return false;
    }
    ++records_;
    return true;
  }
  status_ = lines_.status();
  return false;
}

}  // namespace heyan::campaign
