#include "cli/record_streams.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "io/household.h"
#include "io/input_file.h"
#include "simdjson.h"

namespace heyan::cli {

// JSON lines for input that is not JSON lines: one household in text format (an application, a
// verification request or a heyan test case), or a CSV export with one row per member.
absl::Status ConvertedInput(const std::string& path, const std::string& kind, bool en, std::string* out) {
  std::vector<std::string> lines;
  if (kind == "csv") {
    if (absl::Status s = io::ReadHouseholdsCsv(path, en, &lines); !s.ok()) return s;
  } else if (kind == "json") {
    // A .json file: one JSON document, an object (one household, possibly over many lines)
    // or an array of them; anything else is read as JSON lines.
    absl::StatusOr<std::string> text = io::ReadWholeFile(path, io::kApplicationFile, size_t{1} << 30, en);
    if (!text.ok()) return text.status();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::padded_string padded(*text);
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
      *out = *std::move(text);
      return absl::OkStatus();
    }
    simdjson::dom::array array;
    if (doc.get_array().get(array) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : array) lines.push_back(simdjson::minify(e));
    } else {
      lines.push_back(simdjson::minify(doc));
    }
  } else {
    absl::StatusOr<std::string> text = io::ReadWholeFile(path == "-" ? "/dev/stdin" : path, io::kApplicationFile,
                                                         size_t{64} << 20, en);
    if (!text.ok()) return text.status();
    io::Household household;
    if (absl::Status s = io::ReadHousehold(*text, en, &household); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
    }
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    if (household.is_request) {
      (void)google::protobuf::util::MessageToJsonString(household.request, &json, print);
    } else {
      (void)google::protobuf::util::MessageToJsonString(household.request.application(), &json, print);
    }
    lines.push_back(std::move(json));
  }
  for (const std::string& line : lines) absl::StrAppend(out, line, "\n");
  return absl::OkStatus();
}

}  // namespace heyan::cli
