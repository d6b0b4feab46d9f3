// Tables for people who open them in a spreadsheet: CSV (UTF-8 with a byte order mark, so
// Excel on Chinese Windows reads it as UTF-8) or a real .xlsx workbook (libxlsxwriter).
//
// Private to the command-line tool. Users: `heyan eval --out-format csv|xlsx` (one row per household). Rows are written as
// they come (constant memory: the workbook is written in libxlsxwriter's constant-memory
// mode), in the order given.
//
// Cells are text unless marked as numbers: ID numbers and case numbers must stay text (a
// spreadsheet would turn 410100197005010011 into 4.101E+17), amounts in yuan are numbers.
// The header row is frozen and filtered in .xlsx.
//
// Failure tiers: absl::Status for an output that cannot be created or written.
#ifndef HEYAN_CLI_TABLE_WRITER_H_
#define HEYAN_CLI_TABLE_WRITER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace heyan::cli {

struct TableCell {
  std::string text;
  bool number = false;  // a decimal number ("1234.50"); written as a number cell in .xlsx
};

class TableWriter {
 public:
  enum class Kind { kCsv, kXlsx };
  virtual ~TableWriter() = default;

  // Creates `path` ("-" is stdout, CSV only) and writes the header row. `sheet` names the
  // worksheet of a workbook; `widths` (characters, may be empty) sets column widths.
  static absl::StatusOr<std::unique_ptr<TableWriter>> Open(const std::string& path, Kind kind,
                                                            const std::vector<std::string>& header,
                                                            const std::string& sheet,
                                                            const std::vector<double>& widths = {});

  virtual absl::Status Write(const std::vector<TableCell>& row) = 0;
  // Finishes the file (a workbook is only complete after Close).
  virtual absl::Status Close() = 0;
};

// Cells packed into one string and back, for passing rows between threads as bytes:
// cells end with '\x1f', rows with '\x1e'; a number cell starts with '\x01'.
void AppendPackedRow(const std::vector<TableCell>& row, std::string* out);
// Unpacks every complete row of `bytes` and writes it.
absl::Status WritePackedRows(std::string_view bytes, TableWriter* writer);

}  // namespace heyan::cli

#endif  // HEYAN_CLI_TABLE_WRITER_H_
