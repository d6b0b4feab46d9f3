// The state of a campaign between runs (`heyan screen --db campaign.sqlite`): what each
// ledger row said last time, and the home-visit results entered since.
//
// Pipeline position: between Screener and the ledger writers. For every row, Apply says
// what changed since the previous run (较上次变化) and attaches the latest visit entered
// for it; FinishRun lists the rows of the previous run that are no longer in the ledger.
//
//   HEYAN_ASSIGN_OR_RETURN(auto state, campaign::CampaignState::Open("campaign.sqlite"));
//   HEYAN_RETURN_IF_ERROR(state->BeginRun(as_of, fingerprint, "roll.jsonl …"));
//   for (each row) HEYAN_RETURN_IF_ERROR(state->Apply(&row));
//   HEYAN_RETURN_IF_ERROR(state->FinishRun(&dropped));
//
// What is entered is never overwritten silently: visits are kept, every one of them;
// RecordVisit refuses a second, different result for the same row and date unless the
// caller says it corrects the first (which stays in the database, marked superseded).
// A run that fails half-way changes nothing (one transaction per run).
//
// Schema (SQLite): runs, ledger (one row per ledger key: last state), changes (per run),
// visits (append-only). Thread-safety: one thread.
#ifndef HEYAN_CAMPAIGN_STATE_H_
#define HEYAN_CAMPAIGN_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "heyan/v1/campaign.pb.h"

struct sqlite3;
struct sqlite3_stmt;

namespace heyan::campaign {

class CampaignState {
 public:
  // Opens or creates the database. Errors name the path ("campaign.sqlite: 不是活动数据库").
  static absl::StatusOr<std::unique_ptr<CampaignState>> Open(const std::string& path);
  ~CampaignState();
  CampaignState(const CampaignState&) = delete;
  CampaignState& operator=(const CampaignState&) = delete;

  // Starts a run (one transaction until FinishRun). `inputs` describes the files.
  absl::Status BeginRun(const std::string& as_of, const std::string& fingerprint, const std::string& inputs);
  // Fills row->change (against the previous run; "" on the first run) and row->visit (the
  // latest visit entered for row->key), and stores the row's state for the next run.
  absl::Status Apply(v1::LedgerEntry* row);
  // Commits the run. `dropped`: keys that were in the previous run's ledger and are not in
  // this one, sorted.
  absl::Status FinishRun(std::vector<std::string>* dropped);

  // The id of the run before the current one (0: none), and of the current run.
  int64_t previous_run() const { return previous_run_; }
  int64_t run() const { return run_; }

  enum class VisitOutcome { kAdded, kAlreadyThere, kCorrected };
  // Enters a visit. The key must be a ledger row of an earlier run (NotFound otherwise: a
  // mistyped key would otherwise be lost). The same row and date with the same content is
  // kAlreadyThere (nothing added); a different content is FailedPrecondition naming what is
  // there, unless `correct`, which adds the new entry and marks the old one superseded.
  // InvalidArgument for a visit without date, staff or result. `source` says where it came
  // from ("命令行", "FILE:LINE").
  absl::StatusOr<VisitOutcome> RecordVisit(const v1::VisitRecord& visit, bool correct, const std::string& source);

  // Every visit entered for `key`, oldest first, superseded ones included (for audits).
  absl::StatusOr<std::vector<v1::VisitRecord>> Visits(const std::string& key);

 private:
  CampaignState() = default;
  absl::Status Exec(const char* sql);
  absl::Status Error(const char* what);
  absl::StatusOr<sqlite3_stmt*> Prepare(const char* sql);

  std::string path_;
  sqlite3* db_ = nullptr;
  int64_t run_ = 0, previous_run_ = 0;
  bool in_run_ = false;
  sqlite3_stmt* select_row_ = nullptr;
  sqlite3_stmt* upsert_row_ = nullptr;
  sqlite3_stmt* insert_change_ = nullptr;
  sqlite3_stmt* latest_visit_ = nullptr;
};

}  // namespace heyan::campaign

#endif  // HEYAN_CAMPAIGN_STATE_H_
