// Small text helpers: UTF-8 character counting and "did you mean" suggestions.
#ifndef HEYAN_COMMON_TEXT_H_
#define HEYAN_COMMON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace heyan::internal {

// Number of Unicode code points in a UTF-8 string.
int CodePointCount(std::string_view s);
// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::u32string DecodeUtf8(std::string_view s);
// True if `s` holds a CJK ideograph (a Chinese name or keyword).
bool HasCjk(std::string_view s);
// The candidate closest to `word` by edit distance over code points, if close enough
// (distance <= max(1, length/3)); empty otherwise. Only candidates in the word's script are
// considered: a Chinese word gets a Chinese suggestion, an English word an English one.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
// The name a common synonym stands for (轿车 -> 小汽车, 优抚金 -> 优待抚恤金, 身份证 -> 身份证号),
// when that name is among `candidates`; empty otherwise.
std::string SynonymFor(std::string_view word, const std::vector<std::string>& candidates);
// "Did you mean" for a name: a synonym among the candidates first, else ClosestMatch.
std::string SuggestName(std::string_view word, const std::vector<std::string>& candidates);
// JSON string literal with escapes.
std::string JsonQuote(std::string_view s);

// Terminal columns a code point takes: 2 for CJK and full-width forms, else 1.
int DisplayWidth(char32_t c);
// Encodes code points as UTF-8.
std::string EncodeUtf8(std::u32string_view s);

// A source line cut for display to at most about `max_width` terminal columns around the
// 1-based character `column`: a quarter of the width before it, the rest after it.
// Cut ends are marked with "…". `*excerpt_column` receives the 1-based character position
// of `column` within the result. A line that fits is returned unchanged (then
// *excerpt_column == column). Invalid UTF-8 bytes become U+FFFD.
std::string ExcerptLine(std::string_view line, int column, int max_width, int* excerpt_column);
// `s` cut to at most `max_chars` code points, ending in "…" when cut.
std::string TruncateText(std::string_view s, int max_chars);

// 1234567 -> "1,234,567".
std::string Thousands(int64_t n);

// Appends `v` as a protobuf base-128 varint (length prefixes, field keys).
void AppendVarint(uint64_t v, std::string* out);

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_TEXT_H_
