// Reading the cells of an .xlsx workbook back as text: the filled-in ledger, whose visit
// columns township staff complete by hand (heyan screen import-visits ledger.xlsx). Private
// to the campaign library.
//
// Reads what Excel, WPS, LibreOffice and libxlsxwriter write: shared strings, inline strings,
// numbers and formulas' cached values, as text; styles are not read, so a date typed into a
// cell comes back as its serial number (see ExcelSerialDate). Uses minizip and expat.
//
// Limits: at most `max_part_bytes` of uncompressed XML per part (a zip bomb is refused, not
// unpacked); at most 1,048,576 rows and 16,384 columns, as Excel.
#ifndef HEYAN_CAMPAIGN_XLSX_READER_H_
#define HEYAN_CAMPAIGN_XLSX_READER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace heyan::campaign {

struct XlsxSheet {
  std::string name;
  // rows[r][c]: the text of the cell in row r+1, column c+1 ("" when empty); rows keep
  // their position, so rows[r] may be empty.
  std::vector<std::vector<std::string>> rows;
};

// The sheets of `path` in workbook order. Errors name the path ("ledger.xlsx: 不是 .xlsx 文件").
absl::StatusOr<std::vector<XlsxSheet>> ReadXlsx(const std::string& path, size_t max_part_bytes = size_t{256} << 20);

// "2024-10-08" for an Excel date serial ("45573" or "45573.0", 1900 date system), or "" when
// `text` is not one.
std::string ExcelSerialDate(const std::string& text);

}  // namespace heyan::campaign

#endif  // HEYAN_CAMPAIGN_XLSX_READER_H_
