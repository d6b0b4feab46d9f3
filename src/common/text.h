// Small text helpers: UTF-8 character counting and "did you mean" suggestions.
#ifndef HEYAN_COMMON_TEXT_H_
#define HEYAN_COMMON_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace heyan::internal {

// Number of Unicode code points in a UTF-8 string.
int CodePointCount(std::string_view s);
// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::u32string DecodeUtf8(std::string_view s);
// The candidate closest to `word` by edit distance over code points, if close enough
// (distance <= max(1, length/3)); empty otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
// JSON string literal with escapes.
std::string JsonQuote(std::string_view s);

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_TEXT_H_
