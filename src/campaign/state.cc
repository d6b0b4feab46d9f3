// The campaign database (see state.h).
#include "campaign/state.h"

#include <sqlite3.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "campaign/screen.h"
#include "common/date.h"
#include "heyan/v1/options.pb.h"

namespace heyan::campaign {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS heyan_campaign(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, as_of TEXT NOT NULL,
  rules_fingerprint TEXT NOT NULL, inputs TEXT NOT NULL, finished INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS ledger(
  key TEXT PRIMARY KEY, first_run INTEGER NOT NULL, last_run INTEGER NOT NULL,
  township TEXT NOT NULL, groups TEXT NOT NULL, outcome TEXT NOT NULL,
  computed_amount_fen INTEGER, findings TEXT NOT NULL, suggestion TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes(run INTEGER NOT NULL, key TEXT NOT NULL, change TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS visits(
  id INTEGER PRIMARY KEY, ledger_key TEXT NOT NULL, visited_on TEXT NOT NULL, staff TEXT NOT NULL,
  finding TEXT NOT NULL, result INTEGER NOT NULL, notes TEXT NOT NULL,
  entered_at TEXT NOT NULL, source TEXT NOT NULL, superseded_by INTEGER);
CREATE INDEX IF NOT EXISTS visits_by_key ON visits(ledger_key, visited_on);
)sql";

std::string Now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return buf;
}

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* p = sqlite3_column_text(s, col);
  return p == nullptr ? "" : reinterpret_cast<const char*>(p);
}

void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string Groups(const v1::LedgerEntry& row) {
  std::vector<std::string> g;
  for (int x : row.groups()) g.push_back(absl::StrCat(x));
  return absl::StrJoin(g, "、");
}

std::string ResultName(int result) {
  const auto* d = v1::VisitResult_descriptor()->FindValueByNumber(result);
  return d == nullptr ? absl::StrCat(result) : d->options().GetExtension(v1::zh_value);
}

// Finalizes a statement when it goes out of scope.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

}  // namespace

CampaignState::~CampaignState() {
  for (sqlite3_stmt* s : {select_row_, upsert_row_, insert_change_, latest_visit_}) sqlite3_finalize(s);
  if (in_run_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db_);
}

absl::Status CampaignState::Error(const char* what) {
  return absl::InternalError(absl::StrCat(path_, ": ", what, "：", sqlite3_errmsg(db_)));
}

absl::Status CampaignState::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message == nullptr ? "" : message;
    sqlite3_free(message);
    return absl::FailedPreconditionError(absl::StrCat(path_, ": 活动数据库出错：", m));
  }
  return absl::OkStatus();
}

absl::StatusOr<sqlite3_stmt*> CampaignState::Prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) return Error("活动数据库出错");
  return s;
}

absl::StatusOr<std::unique_ptr<CampaignState>> CampaignState::Open(const std::string& path) {
  std::unique_ptr<CampaignState> state(new CampaignState());
  state->path_ = path;
  if (sqlite3_open_v2(path.c_str(), &state->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    return absl::PermissionDeniedError(absl::StrCat(path, ": 无法打开活动数据库：", sqlite3_errmsg(state->db_)));
  }
  sqlite3_busy_timeout(state->db_, 5000);
  // A file that is not SQLite, or a SQLite file of something else, must not be written to.
  {
    Stmt tables;
    if (sqlite3_prepare_v2(state->db_,
                           "SELECT count(*), sum(name = 'heyan_campaign') FROM sqlite_master WHERE type = 'table'", -1,
                           &tables.s, nullptr) != SQLITE_OK) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": 不是 heyan 活动数据库（", sqlite3_errmsg(state->db_), "）"));
    }
    if (sqlite3_step(tables.s) == SQLITE_ROW && sqlite3_column_int(tables.s, 0) > 0 &&
        sqlite3_column_int(tables.s, 1) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(path, ": 是别的 SQLite 数据库，不是 heyan 活动数据库；请换一个文件名"));
    }
  }
  if (absl::Status s = state->Exec(kSchema); !s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": 不是 heyan 活动数据库（", s.message(), "）"));
  }
  Stmt v;
  if (sqlite3_prepare_v2(state->db_, "SELECT version FROM heyan_campaign", -1, &v.s, nullptr) != SQLITE_OK) {
    return state->Error("活动数据库出错");
  }
  if (sqlite3_step(v.s) != SQLITE_ROW) {
    if (absl::Status s = state->Exec("INSERT INTO heyan_campaign(version) VALUES (1)"); !s.ok()) return s;
  } else if (sqlite3_column_int(v.s, 0) != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": 活动数据库版本为 ", sqlite3_column_int(v.s, 0), "，本程序只认识版本 1"));
  }
  return state;
}

absl::Status CampaignState::BeginRun(const std::string& as_of, const std::string& fingerprint,
                                     const std::string& inputs) {
  {
    Stmt last;
    if (sqlite3_prepare_v2(db_, "SELECT max(id) FROM runs WHERE finished = 1", -1, &last.s, nullptr) != SQLITE_OK) {
      return Error("活动数据库出错");
    }
    previous_run_ = sqlite3_step(last.s) == SQLITE_ROW ? sqlite3_column_int64(last.s, 0) : 0;
  }
  if (absl::Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  in_run_ = true;
  Stmt insert;
  if (sqlite3_prepare_v2(db_, "INSERT INTO runs(started_at, as_of, rules_fingerprint, inputs) VALUES (?,?,?,?)", -1,
                         &insert.s, nullptr) != SQLITE_OK) {
    return Error("活动数据库出错");
  }
  Bind(insert.s, 1, Now());
  Bind(insert.s, 2, as_of);
  Bind(insert.s, 3, fingerprint);
  Bind(insert.s, 4, inputs);
  if (sqlite3_step(insert.s) != SQLITE_DONE) return Error("无法记录本次运行");
  run_ = sqlite3_last_insert_rowid(db_);
  auto prepare = [&](const char* sql, sqlite3_stmt** out) -> absl::Status {
    absl::StatusOr<sqlite3_stmt*> s = Prepare(sql);
    if (!s.ok()) return s.status();
    *out = *s;
    return absl::OkStatus();
  };
  if (absl::Status s = prepare(
          "SELECT last_run, groups, outcome, computed_amount_fen, findings FROM ledger WHERE key = ?", &select_row_);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = prepare(
          "INSERT INTO ledger(key, first_run, last_run, township, groups, outcome, computed_amount_fen, findings, "
          "suggestion) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(key) DO UPDATE SET last_run = ?2, "
          "township = ?3, groups = ?4, outcome = ?5, computed_amount_fen = ?6, findings = ?7, suggestion = ?8",
          &upsert_row_);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = prepare("INSERT INTO changes(run, key, change) VALUES (?,?,?)", &insert_change_); !s.ok()) {
    return s;
  }
  return prepare(
      "SELECT visited_on, staff, finding, result, notes FROM visits WHERE ledger_key = ? AND superseded_by IS NULL "
      "ORDER BY visited_on DESC, id DESC LIMIT 1",
      &latest_visit_);
}

absl::Status CampaignState::Apply(v1::LedgerEntry* row) {
  const std::string groups = Groups(*row);
  const std::string findings = absl::StrJoin(row->findings(), "\n");
  sqlite3_reset(select_row_);
  Bind(select_row_, 1, row->key());
  std::vector<std::string> change;
  const int rc = sqlite3_step(select_row_);
  if (rc == SQLITE_ROW) {
    const int64_t last_run = sqlite3_column_int64(select_row_, 0);
    if (last_run == run_) {
      // Two rows with one key in one run: the roll (or history) holds a case number twice,
      // and the second would silently replace the first's state and visits.
      sqlite3_reset(select_row_);
      return absl::InvalidArgumentError(absl::StrCat("台账编号“", row->key(), "”重复：同一编号出现了两次（在保名册或历史记录中编号重复）"));
    }
    if (last_run != previous_run_) {
      change.push_back("重新进入台账");
    } else {
      const std::string old_groups = Text(select_row_, 1), old_outcome = Text(select_row_, 2);
      const bool had_amount = sqlite3_column_type(select_row_, 3) != SQLITE_NULL;
      const int64_t old_amount = sqlite3_column_int64(select_row_, 3);
      if (old_groups != groups) {
        change.push_back(absl::StrCat("重点群体：", old_groups.empty() ? "无" : old_groups, " → ",
                                      groups.empty() ? "无" : groups));
      }
      if (old_outcome != row->outcome()) {
        change.push_back(absl::StrCat("复核结论：", old_outcome.empty() ? "无" : old_outcome, " → ",
                                      row->outcome().empty() ? "无" : row->outcome()));
      }
      if (had_amount != row->has_computed_amount_fen() ||
          (had_amount && old_amount != row->computed_amount_fen())) {
        change.push_back(absl::StrCat("复核金额：", had_amount ? Yuan(old_amount) : "无", " → ",
                                      row->has_computed_amount_fen() ? Yuan(row->computed_amount_fen()) : "无"));
      }
      if (Text(select_row_, 4) != findings) change.push_back("比对发现有变化");
    }
  } else if (rc == SQLITE_DONE) {
    if (previous_run_ != 0) change.push_back("新进入台账");
  } else {
    return Error("读取上次结果失败");
  }
  sqlite3_reset(select_row_);
  row->set_change(absl::StrJoin(change, "；"));
  if (!row->change().empty()) {
    sqlite3_reset(insert_change_);
    sqlite3_bind_int64(insert_change_, 1, run_);
    Bind(insert_change_, 2, row->key());
    Bind(insert_change_, 3, row->change());
    if (sqlite3_step(insert_change_) != SQLITE_DONE) return Error("无法记录变化");
  }

  sqlite3_reset(upsert_row_);
  Bind(upsert_row_, 1, row->key());
  sqlite3_bind_int64(upsert_row_, 2, run_);
  Bind(upsert_row_, 3, row->township());
  Bind(upsert_row_, 4, groups);
  Bind(upsert_row_, 5, row->outcome());
  if (row->has_computed_amount_fen()) {
    sqlite3_bind_int64(upsert_row_, 6, row->computed_amount_fen());
  } else {
    sqlite3_bind_null(upsert_row_, 6);
  }
  Bind(upsert_row_, 7, findings);
  Bind(upsert_row_, 8, row->suggestion());
  if (sqlite3_step(upsert_row_) != SQLITE_DONE) return Error("无法保存台账行");

  sqlite3_reset(latest_visit_);
  Bind(latest_visit_, 1, row->key());
  if (sqlite3_step(latest_visit_) == SQLITE_ROW) {
    v1::VisitRecord* v = row->mutable_visit();
    v->set_ledger_key(row->key());
    v->set_visited_on(Text(latest_visit_, 0));
    v->set_staff(Text(latest_visit_, 1));
    v->set_finding(Text(latest_visit_, 2));
    v->set_result(static_cast<v1::VisitResult>(sqlite3_column_int(latest_visit_, 3)));
    v->set_notes(Text(latest_visit_, 4));
  }
  sqlite3_reset(latest_visit_);
  return absl::OkStatus();
}

absl::Status CampaignState::FinishRun(std::vector<std::string>* dropped) {
  dropped->clear();
  if (previous_run_ != 0) {
    Stmt q;
    if (sqlite3_prepare_v2(db_, "SELECT key FROM ledger WHERE last_run = ? ORDER BY key", -1, &q.s, nullptr) !=
        SQLITE_OK) {
      return Error("活动数据库出错");
    }
    sqlite3_bind_int64(q.s, 1, previous_run_);
    while (sqlite3_step(q.s) == SQLITE_ROW) dropped->push_back(Text(q.s, 0));
    Stmt ins;
    if (sqlite3_prepare_v2(db_, "INSERT INTO changes(run, key, change) VALUES (?, ?, '已移出台账')", -1, &ins.s,
                           nullptr) != SQLITE_OK) {
      return Error("活动数据库出错");
    }
    for (const std::string& key : *dropped) {
      sqlite3_reset(ins.s);
      sqlite3_bind_int64(ins.s, 1, run_);
      Bind(ins.s, 2, key);
      if (sqlite3_step(ins.s) != SQLITE_DONE) return Error("无法记录变化");
    }
  }
  Stmt done;
  if (sqlite3_prepare_v2(db_, "UPDATE runs SET finished = 1 WHERE id = ?", -1, &done.s, nullptr) != SQLITE_OK) {
    return Error("活动数据库出错");
  }
  sqlite3_bind_int64(done.s, 1, run_);
  if (sqlite3_step(done.s) != SQLITE_DONE) return Error("无法记录本次运行");
  if (absl::Status s = Exec("COMMIT"); !s.ok()) return s;
  in_run_ = false;
  return absl::OkStatus();
}

absl::StatusOr<CampaignState::VisitOutcome> CampaignState::RecordVisit(const v1::VisitRecord& visit, bool correct,
                                                                       const std::string& source) {
  int32_t days;
  if (visit.ledger_key().empty()) return absl::InvalidArgumentError("台账编号: 不能为空");
  if (!internal::ParseDate(visit.visited_on(), &days)) {
    return absl::InvalidArgumentError(absl::StrCat("核查日期: “", visit.visited_on(), "”不是日期（应为 YYYY-MM-DD）"));
  }
  if (visit.staff().empty()) return absl::InvalidArgumentError("核查人: 不能为空");
  if (visit.result() == v1::VISIT_RESULT_UNSPECIFIED) {
    return absl::InvalidArgumentError("核查结果: 不能为空（保留、调整、停保清退、新纳入或不予纳入）");
  }
  {
    Stmt known;
    if (sqlite3_prepare_v2(db_, "SELECT 1 FROM ledger WHERE key = ?", -1, &known.s, nullptr) != SQLITE_OK) {
      return Error("活动数据库出错");
    }
    Bind(known.s, 1, visit.ledger_key());
    if (sqlite3_step(known.s) != SQLITE_ROW) {
      return absl::NotFoundError(absl::StrCat("台账编号“", visit.ledger_key(), "”不在活动数据库的台账中（先运行 heyan screen --db）"));
    }
  }
  if (absl::Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&](absl::Status s) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  int64_t existing = 0;
  {
    Stmt q;
    if (sqlite3_prepare_v2(db_,
                           "SELECT id, staff, finding, result, notes, source FROM visits WHERE ledger_key = ? AND "
                           "visited_on = ? AND superseded_by IS NULL ORDER BY id DESC LIMIT 1",
                           -1, &q.s, nullptr) != SQLITE_OK) {
      return fail(Error("活动数据库出错"));
    }
    Bind(q.s, 1, visit.ledger_key());
    Bind(q.s, 2, visit.visited_on());
    if (sqlite3_step(q.s) == SQLITE_ROW) {
      existing = sqlite3_column_int64(q.s, 0);
      const bool same = Text(q.s, 1) == visit.staff() && Text(q.s, 2) == visit.finding() &&
                        sqlite3_column_int(q.s, 3) == visit.result() && Text(q.s, 4) == visit.notes();
      if (same) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return VisitOutcome::kAlreadyThere;
      }
      if (!correct) {
        return fail(absl::FailedPreconditionError(absl::StrCat(
            "台账编号“", visit.ledger_key(), "”在 ", visit.visited_on(), " 已有核查记录（核查人 ", Text(q.s, 1),
            "，核查结果 ", ResultName(sqlite3_column_int(q.s, 3)), "，录入自 ", Text(q.s, 5),
            "），与本次不同；如需更正，请加 --correct（原记录保留备查）")));
      }
    }
  }
  Stmt ins;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO visits(ledger_key, visited_on, staff, finding, result, notes, entered_at, source) "
                         "VALUES (?,?,?,?,?,?,?,?)",
                         -1, &ins.s, nullptr) != SQLITE_OK) {
    return fail(Error("活动数据库出错"));
  }
  Bind(ins.s, 1, visit.ledger_key());
  Bind(ins.s, 2, visit.visited_on());
  Bind(ins.s, 3, visit.staff());
  Bind(ins.s, 4, visit.finding());
  sqlite3_bind_int(ins.s, 5, visit.result());
  Bind(ins.s, 6, visit.notes());
  Bind(ins.s, 7, Now());
  Bind(ins.s, 8, source);
  if (sqlite3_step(ins.s) != SQLITE_DONE) return fail(Error("无法保存核查记录"));
  const int64_t id = sqlite3_last_insert_rowid(db_);
  if (existing != 0) {
    Stmt up;
    if (sqlite3_prepare_v2(db_, "UPDATE visits SET superseded_by = ? WHERE id = ?", -1, &up.s, nullptr) != SQLITE_OK) {
      return fail(Error("活动数据库出错"));
    }
    sqlite3_bind_int64(up.s, 1, id);
    sqlite3_bind_int64(up.s, 2, existing);
    if (sqlite3_step(up.s) != SQLITE_DONE) return fail(Error("无法保存核查记录"));
  }
  if (absl::Status s = Exec("COMMIT"); !s.ok()) return fail(s);
  return existing != 0 ? VisitOutcome::kCorrected : VisitOutcome::kAdded;
}

absl::StatusOr<std::vector<v1::VisitRecord>> CampaignState::Visits(const std::string& key) {
  Stmt q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT visited_on, staff, finding, result, notes FROM visits WHERE ledger_key = ? ORDER BY id",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return Error("活动数据库出错");
  }
  Bind(q.s, 1, key);
  std::vector<v1::VisitRecord> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    v1::VisitRecord& v = out.emplace_back();
    v.set_ledger_key(key);
    v.set_visited_on(Text(q.s, 0));
    v.set_staff(Text(q.s, 1));
    v.set_finding(Text(q.s, 2));
    v.set_result(static_cast<v1::VisitResult>(sqlite3_column_int(q.s, 3)));
    v.set_notes(Text(q.s, 4));
  }
  return out;
}

}  // namespace heyan::campaign
