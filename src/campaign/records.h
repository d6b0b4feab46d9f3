// Reading campaign files (roll, history, roster, visits): protobuf JSON lines of one message
// type, streamed, each record checked like an application (io/record_check.h). Private to
// the campaign library and the `heyan` command.
//
//   HEYAN_ASSIGN_OR_RETURN(auto lines, campaign::JsonLines::Open("roll.jsonl", campaign::kRollFile));
//   v1::RollRecord record;
//   while (lines.Next(&record)) { ... lines.line_number() ... }
//   HEYAN_RETURN_IF_ERROR(lines.status());   // "roll.jsonl:17: household.members[0].name: …"
//
// Blank lines are skipped; a bad line stops the reading with its place (nothing is skipped
// silently). Thread-safety: one reader per thread.
#ifndef HEYAN_CAMPAIGN_RECORDS_H_
#define HEYAN_CAMPAIGN_RECORDS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "heyan/v1/campaign.pb.h"
#include "io/input_file.h"

namespace heyan::campaign {

inline constexpr io::FileRole kRollFile{"在保名册文件", "roll file"};
inline constexpr io::FileRole kHistoryFile{"历史记录文件", "history file"};
inline constexpr io::FileRole kRosterFile{"经办人员名册文件", "roster file"};
inline constexpr io::FileRole kVisitFile{"核查结果文件", "visit file"};

class JsonLines {
 public:
  // Opens `path` (errors as io::InputFile::Open).
  static absl::StatusOr<std::unique_ptr<JsonLines>> Open(const std::string& path, const io::FileRole& role);

  // Reads the next non-blank line into `record` (cleared first). False at the end of the
  // file or on the first error (then status() says "PATH:LINE: FIELD: problem").
  bool Next(google::protobuf::Message* record);
  // Reads the next non-blank line's text into `line` without parsing it (parse it with
  // ParseRecordJson, e.g. on another thread). False at the end or on a read error.
  bool NextLine(std::string* line);
  const absl::Status& status() const { return status_; }
  int64_t line_number() const { return lines_.line_number(); }
  int64_t records() const { return records_; }
  uint64_t bytes_read() const { return file_.bytes_read(); }
  int64_t size() const { return file_.size(); }  // -1 for a pipe
  const std::string& path() const { return file_.path(); }

 private:
  explicit JsonLines(io::InputFile file) : file_(std::move(file)), lines_(&file_) {}
  io::InputFile file_;
  io::LineReader lines_;
  absl::Status status_;
  int64_t records_ = 0;
};

// Parses one JSON object into `record` and checks it; "" or "FIELD: problem".
std::string ParseRecordJson(std::string_view json, google::protobuf::Message* record);

// The same for a roll line, fast: a line that is exactly {"household": {...}} is read by
// io::ApplicationReader (simdjson; it defers to protobuf for anything unusual, so the result
// and the checks are the same); any other line goes to ParseRecordJson. protobuf's own JSON
// parser takes four fifths of a campaign's time otherwise. Thread-safe (one reader per thread).
std::string ParseRollJson(std::string_view json, v1::RollRecord* record);

}  // namespace heyan::campaign

#endif  // HEYAN_CAMPAIGN_RECORDS_H_
