// Screening a caseload (专项治理): every enrolled household decided again as a 重点复核,
// sorted into the five key groups (郑民文〔2018〕66号 第四部分(二)2), and the lists compared
// both ways (五(2)): the roll against 建档立卡, 残疾人证 and 财政供养人员.
//
// Pipeline position: after CompileFile and Registries::LoadFile, before the ledger writers
// (campaign/ledger.h) and the campaign state (campaign/state.h). `heyan screen` drives it:
//
//   heyan::campaign::CampaignData data;                  // history and roster, in memory
//   HEYAN_RETURN_IF_ERROR(data.LoadHistory("history.jsonl"));
//   HEYAN_RETURN_IF_ERROR(data.LoadRoster("roster.jsonl"));
//   heyan::campaign::Screener screener(program, &registries, &data, {.as_of = "2024-09-30"});
//   heyan::campaign::Marks marks;                        // what the roll touched
//   for (each RollRecord r of the roll, streamed) {
//     v1::LedgerEntry row;
//     absl::StatusOr<bool> keep = screener.ScreenRoll(r, &marks, &row);
//     if (*keep) ledger.Add(row);
//   }
//   screener.Finish(marks, [&](const v1::LedgerEntry& row) { ledger.Add(row); });
//
// Memory: a roll record is screened and dropped; what stays is bounded by the registries,
// the history and the roster (Marks holds only IDs found in those), never by the roll.
//
// Failure tiers: a record that cannot be screened (no enrolment, an unreadable date, an
// inconsistent VerificationRecords) is a non-ok Status naming the field; the caller names
// the file and line. Everything about the household itself is in the LedgerEntry.
//
// Thread-safety: a Screener is immutable after construction; ScreenRoll is const and may be
// called from several threads at once, each with its own Marks (merge them with Merge).
#ifndef HEYAN_CAMPAIGN_SCREEN_H_
#define HEYAN_CAMPAIGN_SCREEN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/campaign.pb.h"

namespace heyan::campaign {

// The history and the staff roster of a campaign, loaded whole (they are small: one
// county's refusals and exits of a year, its staff). Read-only once loaded.
class CampaignData {
 public:
  // Loads HistoryRecord / RosterEntry JSON lines. Errors: the file's own (io/input_file.h),
  // or InvalidArgument "FILE:LINE: FIELD: problem" for the first bad record (a record
  // without kind or date, a date that is not YYYY-MM-DD, a member without ID number).
  absl::Status LoadHistory(const std::string& path);
  absl::Status LoadRoster(const std::string& path);
  // For tests and embedders: add one record, checked as above ("记录 N" as the place).
  absl::Status AddHistory(const v1::HistoryRecord& record);
  absl::Status AddRoster(const v1::RosterEntry& entry);

  const std::vector<v1::HistoryRecord>& history() const { return history_; }
  const std::vector<v1::RosterEntry>& roster() const { return roster_; }
  bool has_history() const { return history_loaded_; }
  bool has_roster() const { return roster_loaded_; }

  // History records naming `id` (as a member), roster entries that are `id`, and roster
  // entries that list `id` as a relative (with the relative's index).
  const std::vector<int>* HistoryOf(std::string_view id) const;
  const std::vector<int>* StaffOf(std::string_view id) const;
  const std::vector<std::pair<int, int>>* RelativeOf(std::string_view id) const;

 private:
  std::vector<v1::HistoryRecord> history_;
  std::vector<v1::RosterEntry> roster_;
  bool history_loaded_ = false, roster_loaded_ = false;
  absl::flat_hash_map<std::string, std::vector<int>> history_by_id_;
  absl::flat_hash_map<std::string, std::vector<int>> staff_by_id_;
  absl::flat_hash_map<std::string, std::vector<std::pair<int, int>>> relative_by_id_;
};

struct ScreenOptions {
  // Campaign date "YYYY-MM-DD" (评估日期): parameters as in force then, the 12-month
  // look-back ends then, minors are counted then. Required.
  std::string as_of;
  // Months of history that make a household a key-group member (第四部分(二)2: 近一年).
  int lookback_months = 12;
  // Put every roll household in the ledger, not only those that need action.
  bool include_all = false;
};

// What the roll touched, for the comparisons that run the other way (who is in a registry
// or the history but on no household of the roll). Holds only IDs found in 建档立卡 or
// 残疾人证 and indices of history records, so its size is bounded by those, not the roll.
struct Marks {
  absl::flat_hash_set<std::string> poverty_listed;     // 建档立卡 IDs listed on the roll
  absl::flat_hash_set<std::string> disability_listed;  // 残疾人证 IDs listed on the roll
  absl::flat_hash_set<int> history_reenrolled;         // history records now on the roll
  // Counters of the comparisons, for the summary.
  int64_t covered_in_poverty = 0;     // covered members who are 建档立卡
  int64_t covered_payroll = 0;        // covered members who are 财政供养人员
  int64_t uncovered_severe = 0;       // severely disabled members listed but not covered
  int64_t uncovered_poverty = 0;      // 建档立卡 members listed but not covered
  void Merge(Marks&& other);
};

// Marks of one partition of the roll, as text, so that partitions screened apart (on a Dask
// cluster, examples/dask_screening.py) can be finished together: one item per line,
// "poverty ID", "disability ID", "history N", "count NAME N", after a "heyan-marks 1" line.
std::string SerializeMarks(const Marks& marks, int64_t households);
// Adds the marks in `text` to `marks` and their household count to *households.
// InvalidArgument "line N: …" for anything else.
absl::Status MergeSerializedMarks(std::string_view text, Marks* marks, int64_t* households);

// Counts of the list comparisons for the summary (比对结果); -1 = not compared (registry
// or file not given).
struct ComparisonCounts {
  int64_t covered_in_poverty = -1;
  int64_t poverty_not_on_roll = -1;     // persons; households in poverty_households_not_on_roll
  int64_t poverty_households_not_on_roll = -1;
  int64_t uncovered_poverty = -1;
  int64_t severe_not_on_roll = -1;      // 漏保 candidates
  int64_t uncovered_severe = -1;
  int64_t covered_payroll = -1;
  int64_t history_reenrolled = -1;
};

class Screener {
 public:
  // `program`, `registries` and `data` must outlive the Screener. Registries that are not
  // loaded make their comparison "not compared" (ComparisonCounts -1) rather than empty.
  Screener(std::shared_ptr<const Program> program, const Registries* registries,
           const CampaignData* data, ScreenOptions options);

  // Screens one household of the roll: decides it as a 重点复核 on options.as_of, assigns
  // its key groups with reasons, runs the per-household comparisons, and fills `entry`.
  // Returns whether the row belongs in the ledger: in a key group, named by a comparison,
  // or not decided "符合, same amount" (or options.include_all). Records what it touched
  // in `marks`. InvalidArgument (naming the field) when the record cannot be screened.
  absl::StatusOr<bool> ScreenRoll(const v1::RollRecord& record, Marks* marks,
                                  v1::LedgerEntry* entry) const;

  // After the whole roll: the rows of households that are not on it: refusals and exits of
  // the look-back period whose members are all off the roll (decided again with the current
  // rules), registered poor households none of whose members is on the roll (group 1), and
  // severe disability certificates whose holder is on no roll household (group 5, 漏保).
  // Rows come out in that order, each list sorted by key.
  absl::Status Finish(const Marks& marks, const std::function<void(const v1::LedgerEntry&)>& emit,
                      ComparisonCounts* counts) const;

  const ScreenOptions& options() const { return options_; }
  // The earliest date of the look-back period (as_of minus lookback_months, plus one day).
  const std::string& lookback_start() const { return lookback_start_; }

  // Whether a certificate counts as severe disability: grade 1 or 2, or grade 3 for
  // intellectual or mental disability.
  static bool IsSevere(v1::DisabilityCategory category, int grade);

 private:
  // Decides `application` (a copy, as 重点复核) and fills the decision columns of `entry`.
  absl::Status Decide(const v1::Application& application, const v1::VerificationRecords* records,
                      v1::LedgerEntry* entry) const;
  bool InLookback(const std::string& date) const;

  std::shared_ptr<const Program> program_;
  const Registries* registries_;
  const CampaignData* data_;
  ScreenOptions options_;
  std::string lookback_start_;
  int payroll_ = -1, poverty_ = -1, disability_ = -1, relatives_ = -1;  // registry indices, -1 = not loaded
};

// Chinese name of a key group ("经办人员和村干部近亲属") and of an outcome ("符合").
std::string GroupName(v1::KeyGroup group);
std::string OutcomeName(v1::Outcome outcome);
// "1234.50" for 123450 fen.
std::string Yuan(int64_t fen);

}  // namespace heyan::campaign

#endif  // HEYAN_CAMPAIGN_SCREEN_H_
