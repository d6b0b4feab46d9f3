// Reading campaign files (see records.h).
#include "campaign/records.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/json_util.h"
#include "io/application_reader.h"
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

namespace {

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

// The extent of the JSON object that starts at s[i] ('{'), strings and escapes respected;
// npos when it does not close.
size_t ObjectEnd(std::string_view s, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string ParseRollJson(std::string_view json, v1::RollRecord* record) {
  // {"household": {...}} and nothing else: the household goes to the fast reader.
  constexpr std::string_view kKey = "\"household\"";
  size_t i = SkipSpace(json, 0);
  if (i < json.size() && json[i] == '{') {
    i = SkipSpace(json, i + 1);
    if (json.substr(i, kKey.size()) == kKey) {
      i = SkipSpace(json, i + kKey.size());
      if (i < json.size() && json[i] == ':') {
        const size_t start = SkipSpace(json, i + 1);
        const size_t end = start < json.size() && json[start] == '{' ? ObjectEnd(json, start) : std::string_view::npos;
        if (end != std::string_view::npos) {
          const size_t close = SkipSpace(json, end);
          if (close < json.size() && json[close] == '}' && SkipSpace(json, close + 1) == json.size()) {
            thread_local io::ApplicationReader reader;
            io::ReadError error;
            record->Clear();
            if (reader.ParseJson(json.substr(start, end - start), record->mutable_household(), &error)) return "";
            return absl::StrCat("household", error.field.empty() ? "" : ".", error.field, ": ", error.message);
          }
        }
      }
    }
  }
  return ParseRecordJson(json, record);
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
