// Resident ID numbers: unwrapping, format and check character. See the header.
#include "common/id_number.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace heyan::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return !s.empty();
}

// "4.10183E+17", "4.10183e17", "4E+17": a number a spreadsheet printed in scientific notation.
bool ScientificNotation(std::string_view s) {
  size_t i = 0;
  auto digits = [&]() {
    const size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    digits();
  }
  if (i >= s.size() || (s[i] != 'E' && s[i] != 'e')) return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  return digits() && i == s.size();
}

// Full-width digits U+FF10..U+FF19 and Ｘ/ｘ (U+FF38, U+FF58), as Chinese input methods type them.
bool HasFullWidth(std::string_view s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) != 0xEF) continue;
    const unsigned char b = static_cast<unsigned char>(s[i + 1]);
    const unsigned char c = static_cast<unsigned char>(s[i + 2]);
    if (b == 0xBC && c >= 0x90 && c <= 0x99) return true;
    if (b == 0xBC && c == 0xB8) return true;
    if (b == 0xBD && c == 0x98) return true;
  }
  return false;
}

// The value as messages show it: at most 40 bytes, cut at a character boundary.
std::string Shown(std::string_view id) {
  if (id.size() <= 40) return std::string(id);
  size_t cut = 40;
  while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(std::string(id.substr(0, cut)), "…");
}

constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

}  // namespace

std::string_view UnwrapIdText(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.size() >= 3 && s[0] == '=' && s[1] == '"' && s.back() == '"') {
    s = s.substr(2, s.size() - 3);
  } else if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    s = s.substr(1, s.size() - 2);
  } else if (!s.empty() && s.front() == '\'') {
    s.remove_prefix(1);
  }
  return Trim(s);
}

std::string IdFormatProblem(std::string_view id) {
  if (id.empty()) return "身份证号为空";
  if (id.size() == 18 && AllDigits(id.substr(0, 17)) &&
      (IsDigit(id[17]) || id[17] == 'X' || id[17] == 'x')) {
    return "";
  }
  const std::string shown = Shown(id);
  if (id.size() == 15 && AllDigits(id)) {
    return absl::StrCat("“", shown, "”是 15 位的一代身份证号；请换算为 18 位后再导入");
  }
  if (ScientificNotation(id)) {
    return absl::StrCat("“", shown,
                        "”是电子表格改写成科学计数法的号码，后几位已经丢失；请把该列设为文本格式后重新导出");
  }
  if (HasFullWidth(id)) {
    return absl::StrCat("“", shown, "”含有全角字符；身份证号应为半角数字和 X");
  }
  return absl::StrCat("“", shown, "”不是 18 位身份证号（17 位数字，末位为数字或 X）");
}

char IdCheckCharacter(std::string_view id) {
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

bool IdCheckCharacterOk(std::string_view id) {
  if (id.size() != 18) return false;
  const char want = IdCheckCharacter(id);
  const char got = id[17] == 'x' ? 'X' : id[17];
  return want == got;
}

}  // namespace heyan::internal
