// Protobuf text format and JSON as policy staff write them: field names and enum values in
// Chinese (the `zh` / `zh_value` options of proto/heyan/v1), 是/否 for booleans, and money and
// areas with their units (1000元, 50分, 1.5亩, 80平方米). These functions rewrite such input into
// what protobuf parses, keeping line numbers, so every problem can name its line.
//
// Users: `heyan test` cases, and every tool that reads one household (eval, explain, the C
// ABI, Python) through io/household.h.
//
// Rules for values written under a Chinese field name: money needs a unit (元 or 分) and an
// area needs one (亩, 平方米); under an English name the stored integer is written (fen,
// hundredths). Enum values may be written by their Chinese or proto names.
#ifndef HEYAN_IO_CHINESE_TEXT_H_
#define HEYAN_IO_CHINESE_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"

namespace heyan::io {

// A problem in text input: its line (1-based) and what is wrong.
struct LineError {
  int line;
  std::string message;
};

// Rewrites text format for a `root` message written with Chinese names and units into plain
// protobuf text format. Problems (unknown field or value, money without a unit, …) go to
// `errors` (Chinese, or English with `english`); the result is only meaningful without them.
std::string TranslateChineseText(const std::string& text, const google::protobuf::Descriptor* root, bool english,
                                 std::vector<LineError>* errors);

// Translates and parses `text` into `out` (cleared first); false with `errors` filled on any
// problem, protobuf's own parse errors included. `locations` may be null.
bool ParseChineseText(const std::string& text, google::protobuf::Message* out, bool english,
                      google::protobuf::TextFormat::ParseInfoTree* locations, std::vector<LineError>* errors);

// Rewrites a JSON object for a `root` message whose keys may be Chinese field names, whose
// enum values may be Chinese, and whose money and area values may be text with units, into
// protobuf JSON (proto field names). English keys and protobuf JSON values pass unchanged.
// False with `error` ("成员[1].收入[1].金额: …") on a problem.
bool TranslateChineseJson(std::string_view json, const google::protobuf::Descriptor* root, bool english,
                          std::string* out, std::string* error);

// "800元", "800.5元", "800.00元", "80000分", "-5元" (also "yuan", "fen") -> fen. False if the
// text is not an amount of money (at most two decimals for yuan, whole fen).
bool ParseMoneyText(std::string_view s, int64_t* fen);

}  // namespace heyan::io

#endif  // HEYAN_IO_CHINESE_TEXT_H_
