// Reading .xlsx cells (see xlsx_reader.h).
#include "campaign/xlsx_reader.h"

#include <expat.h>
#include <minizip/unzip.h>

#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/date.h"

namespace heyan::campaign {
namespace {

constexpr int kMaxRows = 1048576;
constexpr int kMaxColumns = 16384;

struct ZipCloser {
  void operator()(void* z) const { unzClose(z); }
};

// The uncompressed bytes of `name` in the archive; NotFound when absent.
absl::StatusOr<std::string> ReadPart(unzFile zip, const std::string& path, const std::string& name, size_t max_bytes) {
  if (unzLocateFile(zip, name.c_str(), /*case sensitive*/ 1) != UNZ_OK) {
    return absl::NotFoundError(absl::StrCat(path, ": .xlsx 中没有 ", name));
  }
  if (unzOpenCurrentFile(zip) != UNZ_OK) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": 无法读取 .xlsx 中的 ", name));
  }
  std::string out;
  char buf[65536];
  int n;
  while ((n = unzReadCurrentFile(zip, buf, sizeof buf)) > 0) {
    out.append(buf, n);
    if (out.size() > max_bytes) {
      unzCloseCurrentFile(zip);
      return absl::InvalidArgumentError(absl::StrCat(path, ": .xlsx 中的 ", name, " 解压后超过 ", max_bytes >> 20, " MiB"));
    }
  }
  const bool crc_ok = unzCloseCurrentFile(zip) == UNZ_OK;
  if (n < 0 || !crc_ok) return absl::InvalidArgumentError(absl::StrCat(path, ": .xlsx 中的 ", name, " 已损坏"));
  return out;
}

// A small SAX walk over one XML part: the handlers get local element names (prefix dropped).
class Xml {
 public:
  virtual ~Xml() = default;
  absl::Status Parse(const std::string& text, const std::string& where) {
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"), XML_ParserFree);
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(
        parser.get(),
        [](void* self, const XML_Char* name, const XML_Char** attrs) {
          static_cast<Xml*>(self)->Start(Local(name), attrs);
        },
        [](void* self, const XML_Char* name) { static_cast<Xml*>(self)->End(Local(name)); });
    XML_SetCharacterDataHandler(parser.get(), [](void* self, const XML_Char* s, int len) {
      static_cast<Xml*>(self)->Text(std::string_view(s, len));
    });
    if (XML_Parse(parser.get(), text.data(), static_cast<int>(text.size()), 1) == XML_STATUS_ERROR) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": 第 ", XML_GetCurrentLineNumber(parser.get()),
                                                     " 行 XML 有误：", XML_ErrorString(XML_GetErrorCode(parser.get()))));
    }
    return error_;
  }

 protected:
  static std::string_view Local(const char* name) {
    std::string_view n(name);
    const size_t colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
  }
  static const char* Attr(const XML_Char** attrs, std::string_view name) {
    for (int i = 0; attrs[i] != nullptr; i += 2) {
      if (Local(attrs[i]) == name) return attrs[i + 1];
    }
    return nullptr;
  }
  virtual void Start(std::string_view name, const XML_Char** attrs) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(std::string_view text) = 0;
  absl::Status error_;
};

class Workbook : public Xml {
 public:
  std::vector<std::pair<std::string, std::string>> sheets;  // name, relationship id
 private:
  void Start(std::string_view name, const XML_Char** attrs) override {
    if (name != "sheet") return;
    const char* n = Attr(attrs, "name");
    const char* id = Attr(attrs, "id");
    if (n != nullptr && id != nullptr) sheets.emplace_back(n, id);
  }
  void End(std::string_view) override {}
  void Text(std::string_view) override {}
};

class Relationships : public Xml {
 public:
  std::map<std::string, std::string> targets;
 private:
  void Start(std::string_view name, const XML_Char** attrs) override {
    if (name != "Relationship") return;
    const char* id = Attr(attrs, "Id");
    const char* target = Attr(attrs, "Target");
    if (id != nullptr && target != nullptr) targets[id] = target;
  }
  void End(std::string_view) override {}
  void Text(std::string_view) override {}
};

class SharedStrings : public Xml {
 public:
  std::vector<std::string> strings;
 private:
  void Start(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      strings.emplace_back();
      in_si_ = true;
    } else if (name == "rPh") {
      ++in_phonetic_;  // pronunciation hints are not part of the text
    } else if (name == "t") {
      in_t_ = true;
    }
  }
  void End(std::string_view name) override {
    if (name == "si") in_si_ = false;
    if (name == "rPh") --in_phonetic_;
    if (name == "t") in_t_ = false;
  }
  void Text(std::string_view text) override {
    if (in_si_ && in_t_ && in_phonetic_ == 0) strings.back().append(text);
  }
  bool in_si_ = false, in_t_ = false;
  int in_phonetic_ = 0;
};

class Sheet : public Xml {
 public:
  explicit Sheet(const std::vector<std::string>* shared, XlsxSheet* out) : shared_(shared), out_(out) {}

 private:
  // "BC12" -> column 54 (0-based 54), row 11 (0-based); false for anything else.
  static bool Ref(const char* ref, int* row, int* col) {
    int c = 0, i = 0;
    for (; ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
      c = c * 26 + (ref[i] - 'A' + 1);
      if (c > kMaxColumns) return false;  // before it could overflow
    }
    int r = 0;
    if (i == 0 || !absl::SimpleAtoi(ref + i, &r) || r < 1 || r > kMaxRows || c > kMaxColumns) return false;
    *row = r - 1;
    *col = c - 1;
    return true;
  }
  void Start(std::string_view name, const XML_Char** attrs) override {
    if (name == "row") {
      const char* r = Attr(attrs, "r");
      int n = 0;
      row_ = r != nullptr && absl::SimpleAtoi(r, &n) && n >= 1 && n <= kMaxRows ? n - 1 : row_ + 1;
      col_ = -1;
    } else if (name == "c") {
      const char* ref = Attr(attrs, "r");
      int r = row_;
      if (ref == nullptr || !Ref(ref, &r, &col_)) ++col_;
      const char* t = Attr(attrs, "t");
      type_ = t == nullptr ? "n" : t;
      value_.clear();
      in_cell_ = true;
    } else if (in_cell_ && (name == "v" || name == "t")) {
      in_value_ = true;
    }
  }
  void End(std::string_view name) override {
    if (name == "v" || name == "t") in_value_ = false;
    if (name != "c" || !in_cell_) return;
    in_cell_ = false;
    if (row_ < 0 || col_ < 0 || row_ >= kMaxRows || col_ >= kMaxColumns) return;
    std::string text = value_;
    if (type_ == "s") {
      size_t index = 0;
      if (!absl::SimpleAtoi(value_, &index) || shared_ == nullptr || index >= shared_->size()) {
        if (error_.ok()) error_ = absl::InvalidArgumentError(absl::StrCat("共享字符串编号 ", value_, " 不存在"));
        return;
      }
      text = (*shared_)[index];
    }
    if (text.empty()) return;
    auto& rows = out_->rows;
    if (rows.size() <= static_cast<size_t>(row_)) rows.resize(row_ + 1);
    auto& cells = rows[row_];
    if (cells.size() <= static_cast<size_t>(col_)) cells.resize(col_ + 1);
    cells[col_] = std::move(text);
  }
  void Text(std::string_view text) override {
    if (in_cell_ && in_value_) value_.append(text);
  }
  const std::vector<std::string>* shared_;
  XlsxSheet* out_;
  int row_ = -1, col_ = -1;
  std::string type_, value_;
  bool in_cell_ = false, in_value_ = false;
};

}  // namespace

absl::StatusOr<std::vector<XlsxSheet>> ReadXlsx(const std::string& path, size_t max_part_bytes) {
  std::unique_ptr<void, ZipCloser> zip(unzOpen64(path.c_str()));
  if (zip == nullptr) return absl::InvalidArgumentError(absl::StrCat(path, ": 不是 .xlsx 文件（无法按 zip 打开）"));
  absl::StatusOr<std::string> text = ReadPart(zip.get(), path, "xl/workbook.xml", max_part_bytes);
  if (!text.ok()) return text.status();
  Workbook workbook;
  if (absl::Status s = workbook.Parse(*text, path + ": xl/workbook.xml"); !s.ok()) return s;
  text = ReadPart(zip.get(), path, "xl/_rels/workbook.xml.rels", max_part_bytes);
  if (!text.ok()) return text.status();
  Relationships rels;
  if (absl::Status s = rels.Parse(*text, path + ": xl/_rels/workbook.xml.rels"); !s.ok()) return s;
  SharedStrings shared;
  text = ReadPart(zip.get(), path, "xl/sharedStrings.xml", max_part_bytes);
  if (text.ok()) {
    if (absl::Status s = shared.Parse(*text, path + ": xl/sharedStrings.xml"); !s.ok()) return s;
  } else if (text.status().code() != absl::StatusCode::kNotFound) {
    return text.status();
  }
  std::vector<XlsxSheet> out;
  for (const auto& [name, id] : workbook.sheets) {
    auto it = rels.targets.find(id);
    if (it == rels.targets.end()) return absl::InvalidArgumentError(absl::StrCat(path, ": 工作表“", name, "”找不到内容"));
    std::string part = it->second;
    part = part.rfind("/", 0) == 0 ? part.substr(1) : "xl/" + part;
    text = ReadPart(zip.get(), path, part, max_part_bytes);
    if (!text.ok()) return text.status();
    XlsxSheet& sheet = out.emplace_back();
    sheet.name = name;
    Sheet reader(&shared.strings, &sheet);
    if (absl::Status s = reader.Parse(*text, absl::StrCat(path, ": 工作表“", name, "”")); !s.ok()) return s;
  }
  return out;
}

std::string ExcelSerialDate(const std::string& text) {
  std::string digits = text;
  if (const size_t dot = digits.find('.'); dot != std::string::npos) {
    if (digits.find_first_not_of('0', dot + 1) != std::string::npos) return "";
    digits.resize(dot);
  }
  int serial = 0;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(digits, &serial) || serial < 1 || serial > 2958465) {
    return "";
  }
  // Day 0 of the 1900 date system is 1899-12-30 once Excel's fictitious 1900-02-29 is passed.
  return internal::FormatDate(internal::DaysFromCivil(1899, 12, 30) + serial);
}

}  // namespace heyan::campaign
