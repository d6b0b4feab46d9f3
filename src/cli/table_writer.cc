// CSV and .xlsx tables (see table_writer.h).
#include "cli/table_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "xlsxwriter.h"

namespace heyan::cli {
namespace {

class CsvWriter final : public TableWriter {
 public:
  absl::Status Open(const std::string& path, const std::vector<std::string>& header) {
    path_ = path;
    if (path == "-") {
      fd_ = STDOUT_FILENO;
    } else {
      fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd_ < 0) return absl::UnavailableError(absl::StrCat(path, ": ", std::strerror(errno)));
    }
    buffer_ = "\xEF\xBB\xBF";  // byte order mark: spreadsheets then read UTF-8
    std::vector<TableCell> cells;
    for (const std::string& h : header) cells.push_back({h, false});
    return Write(cells);
  }

  absl::Status Write(const std::vector<TableCell>& row) override {
    for (size_t k = 0; k < row.size(); ++k) {
      if (k > 0) buffer_.push_back(',');
      const std::string& t = row[k].text;
      // Quote what a spreadsheet would misread: separators, quotes, line breaks, and long
      // digit strings (ID numbers) which are also prefixed so they stay text.
      const bool digits = !row[k].number && t.size() >= 12 && t.find_first_not_of("0123456789Xx") == std::string::npos;
      if (digits || t.find_first_of(",\"\r\n") != std::string::npos) {
        buffer_.push_back('"');
        if (digits) buffer_.append("\t");
        for (char c : t) {
          if (c == '"') buffer_.push_back('"');
          buffer_.push_back(c);
        }
        buffer_.push_back('"');
      } else {
        buffer_.append(t);
      }
    }
    buffer_.append("\r\n");
    return buffer_.size() > (1 << 16) ? Flush() : absl::OkStatus();
  }

  absl::Status Close() override {
    absl::Status s = Flush();
    if (fd_ > 2 && ::close(fd_) != 0 && s.ok()) s = absl::UnavailableError(absl::StrCat(path_, ": ", std::strerror(errno)));
    fd_ = -1;
    return s;
  }

 private:
  absl::Status Flush() {
    std::string_view data = buffer_;
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return absl::UnavailableError(absl::StrCat(path_ == "-" ? "stdout" : path_, ": ", std::strerror(errno)));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    buffer_.clear();
    return absl::OkStatus();
  }

  int fd_ = -1;
  std::string path_;
  std::string buffer_;
};

class XlsxWriter final : public TableWriter {
 public:
  ~XlsxWriter() override {
    if (workbook_ != nullptr) workbook_close(workbook_);
  }

  absl::Status Open(const std::string& path, const std::vector<std::string>& header, const std::string& sheet,
                    const std::vector<double>& widths) {
    path_ = path;
    lxw_workbook_options options = {};
    options.constant_memory = LXW_TRUE;  // rows go to disk as they are written
    workbook_ = workbook_new_opt(path.c_str(), &options);
    if (workbook_ == nullptr) return absl::UnavailableError(absl::StrCat(path, ": cannot create the workbook"));
    sheet_ = workbook_add_worksheet(workbook_, sheet.c_str());
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
    text_ = workbook_add_format(workbook_);
    format_set_num_format(text_, "@");
    money_ = workbook_add_format(workbook_);
    format_set_num_format(money_, "0.00");
    columns_ = header.size();
    for (size_t c = 0; c < widths.size() && c < header.size(); ++c) {
      worksheet_set_column(sheet_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c], nullptr);
    }
    worksheet_freeze_panes(sheet_, 1, 0);
    if (!header.empty()) worksheet_autofilter(sheet_, 0, 0, 0, static_cast<lxw_col_t>(header.size() - 1));
    for (size_t c = 0; c < header.size(); ++c) {
      worksheet_write_string(sheet_, 0, static_cast<lxw_col_t>(c), header[c].c_str(), bold_);
    }
    row_ = 1;
    return absl::OkStatus();
  }

  absl::Status Write(const std::vector<TableCell>& row) override {
    if (row_ >= LXW_ROW_MAX) return absl::ResourceExhaustedError(absl::StrCat(path_, ": more rows than a worksheet holds"));
    for (size_t c = 0; c < row.size(); ++c) {
      const lxw_col_t col = static_cast<lxw_col_t>(c);
      lxw_error e;
      if (row[c].text.empty()) continue;
      if (row[c].number) {
        e = worksheet_write_number(sheet_, row_, col, std::strtod(row[c].text.c_str(), nullptr), money_);
      } else {
        e = worksheet_write_string(sheet_, row_, col, row[c].text.c_str(), text_);
      }
      if (e != LXW_NO_ERROR) return absl::InternalError(absl::StrCat(path_, ": ", lxw_strerror(e)));
    }
    ++row_;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (workbook_ == nullptr) return absl::OkStatus();
    if (columns_ > 0 && row_ > 1) {
      worksheet_autofilter(sheet_, 0, 0, row_ - 1, static_cast<lxw_col_t>(columns_ - 1));
    }
    const lxw_error e = workbook_close(workbook_);
    workbook_ = nullptr;
    if (e != LXW_NO_ERROR) return absl::UnavailableError(absl::StrCat(path_, ": ", lxw_strerror(e)));
    return absl::OkStatus();
  }

 private:
  std::string path_;
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* sheet_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* text_ = nullptr;
  lxw_format* money_ = nullptr;
  size_t columns_ = 0;
  lxw_row_t row_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TableWriter>> TableWriter::Open(const std::string& path, Kind kind,
                                                               const std::vector<std::string>& header,
                                                               const std::string& sheet,
                                                               const std::vector<double>& widths) {
  if (kind == Kind::kCsv) {
    auto w = std::make_unique<CsvWriter>();
    if (absl::Status s = w->Open(path, header); !s.ok()) return s;
    return std::unique_ptr<TableWriter>(std::move(w));
  }
  if (path == "-") {
    return absl::InvalidArgumentError("an .xlsx workbook needs a file (--out FILE.xlsx), not stdout");
  }
  auto w = std::make_unique<XlsxWriter>();
  if (absl::Status s = w->Open(path, header, sheet, widths); !s.ok()) return s;
  return std::unique_ptr<TableWriter>(std::move(w));
}

void AppendPackedRow(const std::vector<TableCell>& row, std::string* out) {
  for (const TableCell& cell : row) {
    if (cell.number) out->push_back('\x01');
    for (char c : cell.text) out->push_back(c == '\x01' || c == '\x1e' || c == '\x1f' ? ' ' : c);
    out->push_back('\x1f');
  }
  out->push_back('\x1e');
}

absl::Status WritePackedRows(std::string_view bytes, TableWriter* writer) {
  std::vector<TableCell> row;
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\x1f') {
      TableCell cell;
      std::string_view text = bytes.substr(start, i - start);
      if (!text.empty() && text[0] == '\x01') {
        cell.number = true;
        text.remove_prefix(1);
      }
      cell.text = std::string(text);
      row.push_back(std::move(cell));
      start = i + 1;
    } else if (bytes[i] == '\x1e') {
      if (absl::Status s = writer->Write(row); !s.ok()) return s;
      row.clear();
      start = i + 1;
    }
  }
  return absl::OkStatus();
}

}  // namespace heyan::cli
