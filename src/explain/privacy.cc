// Masking of ID numbers and names for applicant letters (see privacy.h).
#include "explain/privacy.h"

#include <algorithm>

namespace heyan::explain_internal {
namespace {

// Length in bytes of the UTF-8 sequence that starts with `c` (1 for stray bytes, so a
// malformed string is still walked byte by byte and never read past its end).
size_t SequenceLength(unsigned char c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

// Length of the code point at s[i]: a lead byte counts with its continuation bytes only
// when they really are continuation bytes (10xxxxxx). A stray or truncated lead byte is one
// character by itself, so it never swallows the digits of an ID that follows it.
size_t CodePointLength(std::string_view s, size_t i) {
  size_t n = std::min(SequenceLength(static_cast<unsigned char>(s[i])), s.size() - i);
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

// Splits `s` into code points (as byte strings), tolerating malformed input.
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = CodePointLength(s, i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// ASCII 0-9 or full-width ０-９ (U+FF10..U+FF19, UTF-8 EF BC 90..99).
bool IsDigit(std::string_view cp) {
  if (cp.size() == 1) return cp[0] >= '0' && cp[0] <= '9';
  return cp.size() == 3 && static_cast<unsigned char>(cp[0]) == 0xEF && static_cast<unsigned char>(cp[1]) == 0xBC &&
         static_cast<unsigned char>(cp[2]) >= 0x90 && static_cast<unsigned char>(cp[2]) <= 0x99;
}

// The check character of an 18-character ID: X or x, ASCII or full-width (Ｘ U+FF38, ｘ U+FF58).
bool IsCheckX(std::string_view cp) {
  return cp == "X" || cp == "x" || cp == "\xEF\xBC\xB8" || cp == "\xEF\xBD\x98";
}

std::string MaskCodePoints(const std::vector<std::string_view>& cps, size_t begin, size_t end) {
  const size_t n = end - begin;
  std::string out;
  if (n <= 8) return std::string(n, '*');
  for (size_t k = begin; k < begin + 4; ++k) out.append(cps[k]);
  out.append(n - 8, '*');
  for (size_t k = end - 4; k < end; ++k) out.append(cps[k]);
  return out;
}

}  // namespace

std::string MaskIdNumber(std::string_view id) {
  std::vector<std::string_view> cps = CodePoints(id);
  return MaskCodePoints(cps, 0, cps.size());
}

std::string MaskIdNumbersInText(std::string_view text) {
  std::vector<std::string_view> cps = CodePoints(text);
  std::string out;
  out.reserve(text.size());
  size_t k = 0;
  while (k < cps.size()) {
    if (!IsDigit(cps[k])) {
      out.append(cps[k]);
      ++k;
      continue;
    }
    size_t end = k;
    while (end < cps.size() && IsDigit(cps[end])) ++end;
    // 17 digits and a check character X: the whole 18-character ID.
    if (end - k == 17 && end < cps.size() && IsCheckX(cps[end])) ++end;
    if (end - k >= 15) {
      out += MaskCodePoints(cps, k, end);
    } else {
      for (size_t j = k; j < end; ++j) out.append(cps[j]);
    }
    k = end;
  }
  return out;
}

std::string MaskName(std::string_view name) {
  std::vector<std::string_view> cps = CodePoints(name);
  if (cps.empty()) return "";
  if (cps.size() == 1) return "*";
  std::string out(cps[0]);
  out.append(cps.size() - 1, '*');
  return out;
}

std::string MaskNamesInText(std::string_view text, const std::vector<std::string>& names) {
  std::vector<std::string> sorted;
  for (const std::string& n : names) {
    if (CodePoints(n).size() >= 2) sorted.push_back(n);
  }
  // Longest first, so a name that contains another is replaced whole.
  std::sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool matched = false;
    for (const std::string& n : sorted) {
      if (text.compare(i, n.size(), n) == 0) {
        out += MaskName(n);
        i += n.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    // Advance by a whole code point so a name is never matched from the middle of one.
    size_t len = CodePointLength(text, i);
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

bool MentionsPerson(std::string_view text, std::string_view name, std::string_view id_number) {
  if (!id_number.empty() && text.find(id_number) != std::string_view::npos) return true;
  return CodePoints(name).size() >= 2 && text.find(name) != std::string_view::npos;
}

}  // namespace heyan::explain_internal
