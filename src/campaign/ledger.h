// The work ledger (工作台账) of a campaign: the rows Screener produces, written as a township
// office prints it (.xlsx: one sheet per township, Chinese headers, ID numbers as text,
// frozen header, filters, a summary sheet) or for other systems (CSV, JSON lines).
//
// Pipeline position: the last stage of `heyan screen`, after Screener and CampaignState.
//
//   HEYAN_ASSIGN_OR_RETURN(auto ledger, campaign::OpenLedger("ledger.xlsx", campaign::LedgerFormat::kXlsx));
//   for (...) HEYAN_RETURN_IF_ERROR(ledger->Add(row));   // streamed: rows are not kept
//   HEYAN_RETURN_IF_ERROR(ledger->Close(summary));
//
// Memory: the .xlsx writer runs libxlsxwriter in constant-memory mode (each sheet is
// streamed to a temporary file); CSV and JSONL write as they go. Only the counts of the
// summary (LedgerTally) are kept: per group and per township.
//
// Failure tiers: Status naming the output path for anything the file system refuses.
// Thread-safety: one writer, one thread.
#ifndef HEYAN_CAMPAIGN_LEDGER_H_
#define HEYAN_CAMPAIGN_LEDGER_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "heyan/v1/campaign.pb.h"

namespace heyan::campaign {

enum class LedgerFormat { kXlsx, kCsv, kJsonLines };

// The format named by `name` ("xlsx", "csv", "jsonl") or by the extension of `path` when
// `name` is empty (.xlsx, .csv, .jsonl/.json); InvalidArgument otherwise.
absl::StatusOr<LedgerFormat> LedgerFormatOf(const std::string& name, const std::string& path);

// Counts for the summary, kept as rows are added.
struct LedgerTally {
  struct Counts {
    int64_t rows = 0;
    std::array<int64_t, 6> groups{};  // by KeyGroup number (index 0 unused)
    int64_t roll_rows = 0;            // rows of households on the roll
    int64_t stop = 0;                 // suggestion 停保清退
    int64_t adjust = 0;               // suggestion 调整保障金额
    int64_t visited = 0;              // a visit result is entered
    int64_t changed = 0;              // 较上次变化 not empty
  };
  Counts total;
  std::array<Counts, 6> by_group{};  // the Counts of rows in each group (rows counted once per group)
  std::map<std::string, Counts> by_township;
  void Add(const v1::LedgerEntry& row);
};

// What the summary sheet says besides the counts.
struct LedgerSummary {
  std::string title;                                         // first line
  std::vector<std::pair<std::string, std::string>> comparisons;  // 比对项, 结果
  std::vector<std::pair<std::string, std::string>> changes;      // 变化, 数量 / 编号
  std::vector<std::pair<std::string, std::string>> run;          // 项目, 内容
};

// The township a row is filed under ("（乡镇未知）" for registry rows without one).
std::string TownshipOf(const v1::LedgerEntry& row);

class LedgerWriter {
 public:
  virtual ~LedgerWriter() = default;
  virtual absl::Status Add(const v1::LedgerEntry& row) = 0;
  // Writes the summary (xlsx only; the others carry it nowhere) and closes the file.
  virtual absl::Status Close(const LedgerSummary& summary) = 0;
  const LedgerTally& tally() const { return tally_; }

 protected:
  LedgerTally tally_;
};

// Opens `path` for writing in `format`. The .xlsx is written to `path` only on Close.
absl::StatusOr<std::unique_ptr<LedgerWriter>> OpenLedger(const std::string& path, LedgerFormat format);

// The ledger's columns, in order (Chinese headers), and the text of one cell (amounts in
// yuan "123.40", groups "4、5"), shared by the writers and by tests.
const std::vector<std::string>& LedgerHeaders();
std::vector<std::string> LedgerCells(const v1::LedgerEntry& row);

}  // namespace heyan::campaign

#endif  // HEYAN_CAMPAIGN_LEDGER_H_
