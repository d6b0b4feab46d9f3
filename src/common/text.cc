#include "common/text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace heyan::internal {

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(ok ? cp : 0xFFFD);
    i += ok ? len : 1;
  }
  return out;
}

int CodePointCount(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {
int EditDistance(const std::u32string& a, const std::u32string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

bool HasCjk(std::string_view s) {
  for (char32_t c : DecodeUtf8(s)) {
    if ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF)) return true;
  }
  return false;
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::u32string w = DecodeUtf8(word);
  const bool chinese = HasCjk(word);
  int best = 1 << 30;
  std::string best_name;
  for (const std::string& c : candidates) {
    if (c == word) continue;
    // A Chinese word is never "corrected" to an English one, nor the other way round: short
    // words are a character or two apart from anything (元 from a, as from 是).
    if (HasCjk(c) != chinese) continue;
    int d = EditDistance(w, DecodeUtf8(c));
    if (d < best || (d == best && c < best_name)) {
      best = d;
      best_name = c;
    }
  }
  int limit = std::max<int>(1, static_cast<int>(w.size()) / 3);
  return best <= limit ? best_name : "";
}

// Words policy staff commonly write for a name the data model spells differently. Kept
// small and certain: each right-hand side is a real name (a field, an enum value or an output
// key), suggested only where it is one of the candidates.
constexpr std::pair<const char*, const char*> kSynonyms[] = {
    {"轿车", "小汽车"},       {"小轿车", "小汽车"},       {"私家车", "小汽车"},     {"汽车", "小汽车"},
    {"摩托", "摩托车"},       {"三轮车", "农用三轮车"},   {"优抚金", "优待抚恤金"}, {"抚恤金", "优待抚恤金"},
    {"低保金", "保障金额"},   {"保障金", "保障金额"},     {"身份证", "身份证号"},   {"身份证号码", "身份证号"},
    {"证件号码", "身份证号"}, {"名字", "姓名"},           {"生日", "出生日期"},     {"户口类型", "户籍类型"},
    {"户口性质", "户籍类型"}, {"残疾级别", "残疾等级"},   {"家庭成员", "成员"},     {"房产", "住房"},
    {"房屋", "住房"},         {"农机", "农机具"},         {"高龄补贴", "高龄津贴"}, {"拆迁款", "拆迁补偿"},
    {"工资", "工资薪金"},     {"养老保险金", "养老金"},
};

std::string SynonymFor(std::string_view word, const std::vector<std::string>& candidates) {
  for (const auto& [written, meant] : kSynonyms) {
    if (word == written && std::find(candidates.begin(), candidates.end(), meant) != candidates.end()) return meant;
  }
  return "";
}

std::string SuggestName(std::string_view word, const std::vector<std::string>& candidates) {
  std::string synonym = SynonymFor(word, candidates);
  return synonym.empty() ? ClosestMatch(word, candidates) : synonym;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

int DisplayWidth(char32_t c) {
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
      (c >= 0xFFE0 && c <= 0xFFE6) || c == 0x2192 || c == 0x201C || c == 0x201D) {
    return 2;
  }
  return 1;
}

std::string EncodeUtf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string ExcerptLine(std::string_view line, int column, int max_width, int* excerpt_column) {
  *excerpt_column = column;
  // Cheap exit for the common short line: no line of max_width bytes is wider than that.
  if (static_cast<int>(line.size()) <= max_width) return std::string(line);
  std::u32string chars = DecodeUtf8(line);
  int total = 0;
  for (char32_t c : chars) total += DisplayWidth(c);
  if (total <= max_width) return std::string(line);
  const int n = static_cast<int>(chars.size());
  const int caret = std::clamp(column - 1, 0, n);  // index of the first marked character
  const int budget = std::max(8, max_width - 2);  // room for the two "…"
  // Start a quarter of the budget before the caret (or at the line start if that is near),
  // so the reader sees some context on the left and the marked text on the right.
  int start = caret, used = 0;
  while (start > 0 && used + DisplayWidth(chars[start - 1]) <= budget / 4) used += DisplayWidth(chars[--start]);
  int end = caret;
  while (end < n && used + DisplayWidth(chars[end]) <= budget) used += DisplayWidth(chars[end++]);
  // Fill what is left with more context on the left (e.g. when the caret is near the end).
  while (start > 0 && used + DisplayWidth(chars[start - 1]) <= budget) used += DisplayWidth(chars[--start]);
  std::u32string out;
  if (start > 0) out += U'…';
  out.append(chars, start, end - start);
  if (end < n) out += U'…';
  *excerpt_column = caret - start + 1 + (start > 0 ? 1 : 0);
  return EncodeUtf8(out);
}

std::string TruncateText(std::string_view s, int max_chars) {
  if (static_cast<int>(s.size()) <= max_chars) return std::string(s);  // bytes >= code points
  std::u32string chars = DecodeUtf8(s);
  if (static_cast<int>(chars.size()) <= max_chars) return std::string(s);
  chars.resize(std::max(0, max_chars - 1));
  chars += U'…';
  return EncodeUtf8(chars);
}

std::string Thousands(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

}  // namespace heyan::internal
