// `heyan screen`: the caseload campaign (专项治理) over a whole roll.
//
//   heyan screen --rules PATH --roll ROLL.jsonl --as-of YYYY-MM-DD --out ledger.xlsx
//                [--history FILE] [--roster FILE] [--registry NAME=FILE ...] [--checked-on ...]
//                [--format=xlsx|csv|jsonl] [--db campaign.sqlite] [--all] [--threads N]
//   heyan screen record-visit --db campaign.sqlite --key KEY --date YYYY-MM-DD --staff NAME
//                --result 保留|调整|停保清退|新纳入|不予纳入 [--finding TEXT] [--notes TEXT] [--correct]
//   heyan screen import-visits --db campaign.sqlite FILE.xlsx|FILE.csv|FILE.jsonl [--correct]
//
// The roll is streamed in batches: memory stays bounded by the registries, the history and
// the roster whatever the size of the roll. Private to the CLI.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "campaign/ledger.h"
#include "campaign/records.h"
#include "campaign/screen.h"
#include "campaign/state.h"
#include "campaign/xlsx_reader.h"
#include "cli/campaign_cli.h"
#include "cli/registry_flags.h"
#include "common/date.h"
#include "heyan/registry.h"
#include "heyan/v1/options.pb.h"
#include "io/input_file.h"

namespace heyan::cli {
namespace {

using campaign::CampaignState;

inline constexpr io::FileRole kPartitionFile{"分区文件", "partition file"};

int ScreenUsage(const std::string& problem) {
  std::cerr << "heyan screen: " << problem << "\n"
            << "用法：heyan screen --rules PATH --roll 在保名册.jsonl --as-of YYYY-MM-DD --out 台账.xlsx\n"
               "        [--history 历史记录.jsonl] [--roster 经办人员名册.jsonl] [--registry NAME=FILE ...]\n"
               "        [--checked-on NAME=YYYY-MM-DD[,批次] ...] [--format=xlsx|csv|jsonl] [--db 活动.sqlite]\n"
               "        [--all] [--threads N] [--param NAME=VALUE ...]\n"
               "      分区筛查（见 examples/dask_screening.py）：--roll 分区.jsonl --format=jsonl --partition-marks 分区标记\n"
               "      分区合并：以 --merge 分区台账.jsonl=分区标记（可多次，按分区顺序）代替 --roll\n"
               "      heyan screen record-visit --db 活动.sqlite --key 台账编号 --date YYYY-MM-DD --staff 核查人\n"
               "        --result 保留|调整|停保清退|新纳入|不予纳入 [--finding 核查情况] [--notes 备注] [--correct]\n"
               "      heyan screen import-visits --db 活动.sqlite 填好的台账.xlsx|.csv|核查结果.jsonl [--correct]\n";
  return 2;
}

bool ParseResult(const std::string& text, v1::VisitResult* out) {
  const auto* e = v1::VisitResult_descriptor();
  for (int i = 0; i < e->value_count(); ++i) {
    const auto* v = e->value(i);
    if (v->number() != 0 && (text == v->options().GetExtension(v1::zh_value) || text == v->name())) {
      *out = static_cast<v1::VisitResult>(v->number());
      return true;
    }
  }
  return false;
}

const char* OutcomeWord(CampaignState::VisitOutcome o) {
  switch (o) {
    case CampaignState::VisitOutcome::kAdded: return "已录入";
    case CampaignState::VisitOutcome::kAlreadyThere: return "已录入过，内容相同，未重复录入";
    case CampaignState::VisitOutcome::kCorrected: return "已更正（原记录保留备查）";
  }
  return "";
}

int RecordVisit(const std::vector<std::string>& args) {
  std::string db, value;
  v1::VisitRecord visit;
  bool correct = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    if (args[i] == "--correct") {
      correct = true;
      continue;
    }
    if (TakeOption(args, &i, "--db", &db, &missing) || TakeOption(args, &i, "--key", visit.mutable_ledger_key(), &missing) ||
        TakeOption(args, &i, "--date", visit.mutable_visited_on(), &missing) ||
        TakeOption(args, &i, "--staff", visit.mutable_staff(), &missing) ||
        TakeOption(args, &i, "--finding", visit.mutable_finding(), &missing) ||
        TakeOption(args, &i, "--notes", visit.mutable_notes(), &missing)) {
      if (missing) return ScreenUsage(absl::StrCat(args[i], " 缺少值"));
      continue;
    }
    if (TakeOption(args, &i, "--result", &value, &missing)) {
      if (missing) return ScreenUsage("--result 缺少值");
      v1::VisitResult r;
      if (!ParseResult(value, &r)) return ScreenUsage(absl::StrCat("--result ", value, "：应为 保留、调整、停保清退、新纳入 或 不予纳入"));
      visit.set_result(r);
      continue;
    }
    return ScreenUsage(absl::StrCat("未知选项 ", args[i]));
  }
  if (db.empty()) return ScreenUsage("record-visit 需要 --db");
  absl::StatusOr<std::unique_ptr<CampaignState>> state = CampaignState::Open(db);
  if (!state.ok()) {
    std::cerr << "heyan screen: " << state.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<CampaignState::VisitOutcome> r = (*state)->RecordVisit(visit, correct, "命令行");
  if (!r.ok()) {
    std::cerr << "heyan screen: " << r.status().message() << "\n";
    return 1;
  }
  std::cerr << "heyan screen: " << visit.ledger_key() << " " << visit.visited_on() << "：" << OutcomeWord(*r) << "\n";
  return 0;
}

// Splits one CSV line (RFC 4180 quotes; a quoted field may not span lines here: the ledger
// writes line breaks inside cells only in columns this import does not read back... except
// 核查情况, so multi-line records are joined by the caller).
bool SplitCsvLine(std::string_view line, std::vector<std::string>* cells) {
  cells->clear();
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur.push_back(ch);
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      cells->push_back(std::move(cur));
      cur.clear();
    } else if (ch != '\r') {
      cur.push_back(ch);
    }
  }
  cells->push_back(std::move(cur));
  return !quoted;
}

// Excel and WPS save a date cell as "2024/10/8": read it as 2024-10-08.
std::string SpreadsheetDate(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  int y, m, d;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d) || parts[0].size() != 4) {
    return text;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

int ImportVisits(const std::vector<std::string>& args) {
  std::string db, path;
  bool correct = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    if (args[i] == "--correct") {
      correct = true;
    } else if (TakeOption(args, &i, "--db", &db, &missing)) {
      if (missing) return ScreenUsage("--db 缺少值");
    } else if (absl::StartsWith(args[i], "--")) {
      return ScreenUsage(absl::StrCat("未知选项 ", args[i]));
    } else if (path.empty()) {
      path = args[i];
    } else {
      return ScreenUsage("import-visits 只接受一个文件");
    }
  }
  if (db.empty() || path.empty()) return ScreenUsage("import-visits 需要 --db 和一个文件");
  absl::StatusOr<std::unique_ptr<CampaignState>> state = CampaignState::Open(db);
  if (!state.ok()) {
    std::cerr << "heyan screen: " << state.status().message() << "\n";
    return 1;
  }
  int64_t added = 0, same = 0, corrected = 0, blank = 0;
  auto record = [&](const v1::VisitRecord& v, const std::string& where) -> bool {
    absl::StatusOr<CampaignState::VisitOutcome> r = (*state)->RecordVisit(v, correct, where);
    if (!r.ok()) {
      std::cerr << "heyan screen: " << where << ": " << r.status().message() << "\n";
      return false;
    }
    (*r == CampaignState::VisitOutcome::kAdded ? added : *r == CampaignState::VisitOutcome::kCorrected ? corrected : same)++;
    return true;
  };
  int failures = 0;
  if (absl::EndsWith(path, ".jsonl") || absl::EndsWith(path, ".json")) {
    absl::StatusOr<std::unique_ptr<campaign::JsonLines>> lines = campaign::JsonLines::Open(path, campaign::kVisitFile);
    if (!lines.ok()) {
      std::cerr << "heyan screen: " << lines.status().message() << "\n";
      return 1;
    }
    v1::VisitRecord v;
    while ((*lines)->Next(&v)) {
      if (!record(v, absl::StrCat(path, ":", (*lines)->line_number()))) ++failures;
    }
    if (!(*lines)->status().ok()) {
      std::cerr << "heyan screen: " << (*lines)->status().message() << "\n";
      return 1;
    }
  } else {
    // The ledger as the township filled it in: the .xlsx itself, or saved as CSV (by heyan,
    // Excel or WPS). The columns are found by header, in every sheet but the summary.
    std::map<std::string, int> col;
    auto import_row = [&](const std::vector<std::string>& cells, const std::string& where) {
      auto cell = [&](const char* name) -> std::string {
        auto it = col.find(name);
        return it == col.end() || it->second >= static_cast<int>(cells.size()) ? "" : cells[it->second];
      };
      v1::VisitRecord v;
      v.set_ledger_key(cell("台账编号"));
      std::string date = cell("核查日期");
      if (std::string serial = campaign::ExcelSerialDate(date); !serial.empty()) date = serial;
      v.set_visited_on(SpreadsheetDate(date));
      v.set_staff(cell("核查人"));
      v.set_finding(cell("核查情况"));
      v.set_notes(cell("备注"));
      const std::string result = cell("核查结果");
      if (v.visited_on().empty() && v.staff().empty() && result.empty()) {
        ++blank;  // not visited yet
        return;
      }
      v1::VisitResult r = v1::VISIT_RESULT_UNSPECIFIED;
      if (!result.empty() && !ParseResult(result, &r)) {
        std::cerr << "heyan screen: " << where << ": 核查结果“" << result
                  << "”应为 保留、调整、停保清退、新纳入 或 不予纳入\n";
        ++failures;
        return;
      }
      v.set_result(r);
      if (!record(v, where)) ++failures;
    };
    auto read_header = [&](const std::vector<std::string>& cells, const std::string& where) -> bool {
      col.clear();
      for (size_t c = 0; c < cells.size(); ++c) col[cells[c]] = static_cast<int>(c);
      for (const char* need : {"台账编号", "核查日期", "核查人", "核查结果"}) {
        if (!col.contains(need)) {
          std::cerr << "heyan screen: " << where << ": 表头缺少“" << need << "”列\n";
          return false;
        }
      }
      return true;
    };
    if (absl::EndsWith(path, ".xlsx")) {
      absl::StatusOr<std::vector<campaign::XlsxSheet>> sheets = campaign::ReadXlsx(path);
      if (!sheets.ok()) {
        std::cerr << "heyan screen: " << sheets.status().message() << "\n";
        return 1;
      }
      int sheets_read = 0;
      for (const campaign::XlsxSheet& sheet : *sheets) {
        if (sheet.name == "汇总" || sheet.rows.empty()) continue;
        const std::string where = absl::StrCat(path, "（", sheet.name, "）");
        if (!read_header(sheet.rows[0], where + "第 1 行")) return 1;
        ++sheets_read;
        for (size_t r = 1; r < sheet.rows.size(); ++r) {
          if (!sheet.rows[r].empty()) import_row(sheet.rows[r], absl::StrCat(where, "第 ", r + 1, " 行"));
        }
      }
      if (sheets_read == 0) {
        std::cerr << "heyan screen: " << path << ": 没有台账工作表\n";
        return 1;
      }
    } else {
      absl::StatusOr<io::InputFile> file = io::InputFile::Open(path, campaign::kVisitFile);
      if (!file.ok()) {
        std::cerr << "heyan screen: " << file.status().message() << "\n";
        return 1;
      }
      io::LineReader lines(&*file);
      std::string_view line;
      std::vector<std::string> cells;
      std::string pending;
      int64_t start_line = 0;
      bool header = false;
      while (lines.Next(&line)) {
        if (pending.empty()) start_line = lines.line_number();
        if (!pending.empty()) pending.push_back('\n');
        pending.append(line);
        if (!SplitCsvLine(pending, &cells)) continue;  // a quoted cell goes on
        pending.clear();
        const std::string where = absl::StrCat(path, ":", start_line);
        if (!header) {
          if (!read_header(cells, where)) return 1;
          header = true;
          continue;
        }
        import_row(cells, where);
      }
      if (!lines.status().ok()) {
        std::cerr << "heyan screen: " << lines.status().message() << "\n";
        return 1;
      }
      if (!pending.empty()) {
        std::cerr << "heyan screen: " << path << ":" << start_line << ": 引号没有闭合\n";
        return 1;
      }
    }
  }
  std::cerr << "heyan screen: 录入 " << added << " 条，更正 " << corrected << " 条，内容相同未重复录入 " << same
            << " 条，未填写 " << blank << " 行" << (failures > 0 ? absl::StrCat("，出错 ", failures, " 条") : "") << "\n";
  return failures > 0 ? 1 : 0;
}

std::string CountText(int64_t n, const char* unit) { return n < 0 ? "未比对" : absl::StrCat(n, " ", unit); }

}  // namespace

int Screen(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "record-visit") return RecordVisit({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "import-visits") return ImportVisits({args.begin() + 1, args.end()});

  std::string rules, roll, history, roster, out, format, db, value, partition_marks;
  std::vector<std::pair<std::string, std::string>> merge;  // (rows, marks) of partitions
  campaign::ScreenOptions options;
  RegistryFlags registry_flags;
  std::map<std::string, std::string> overrides;
  int threads = 1;
  for (size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    const std::string& a = args[i];
    if (a == "--all") {
      options.include_all = true;
      continue;
    }
    if (TakeOption(args, &i, "--rules", &rules, &missing) || TakeOption(args, &i, "--roll", &roll, &missing) ||
        TakeOption(args, &i, "--history", &history, &missing) ||
        TakeOption(args, &i, "--roster", &roster, &missing) || TakeOption(args, &i, "--out", &out, &missing) ||
        TakeOption(args, &i, "--format", &format, &missing) || TakeOption(args, &i, "--db", &db, &missing) ||
        TakeOption(args, &i, "--as-of", &options.as_of, &missing) ||
        TakeOption(args, &i, "--partition-marks", &partition_marks, &missing)) {
      if (missing) return ScreenUsage(absl::StrCat(a, " 缺少值"));
      continue;
    }
    if (TakeOption(args, &i, "--registry", &value, &missing)) {
      if (missing) return ScreenUsage("--registry 缺少 NAME=FILE");
      if (std::string e = registry_flags.AddRegistry(value); !e.empty()) return ScreenUsage(e);
      continue;
    }
    if (TakeOption(args, &i, "--checked-on", &value, &missing)) {
      if (missing) return ScreenUsage("--checked-on 缺少 NAME=YYYY-MM-DD");
      if (std::string e = registry_flags.AddCheckedOn(value); !e.empty()) return ScreenUsage(e);
      continue;
    }
    if (TakeOption(args, &i, "--merge", &value, &missing)) {
      const size_t eq = value.find('=');
      if (missing || eq == std::string::npos || eq == 0) return ScreenUsage("--merge 应为 分区台账.jsonl=分区标记");
      merge.emplace_back(value.substr(0, eq), value.substr(eq + 1));
      continue;
    }
    if (TakeOption(args, &i, "--param", &value, &missing)) {
      const size_t eq = value.find('=');
      if (missing || eq == std::string::npos || eq == 0) return ScreenUsage("--param 应为 NAME=VALUE");
      overrides[value.substr(0, eq)] = value.substr(eq + 1);
      continue;
    }
    if (TakeOption(args, &i, "--threads", &value, &missing)) {
      if (missing || !absl::SimpleAtoi(value, &threads) || threads < 1 || threads > 256) {
        return ScreenUsage("--threads 应为 1 到 256 的整数");
      }
      continue;
    }
    return ScreenUsage(absl::StrCat("未知选项 ", a));
  }
  if (rules.empty()) return ScreenUsage("缺少 --rules");
  if (roll.empty() == merge.empty()) return ScreenUsage("需要 --roll（或分区合并时的 --merge），二者只能用一个");
  if (!partition_marks.empty() && (!merge.empty() || !db.empty())) {
    return ScreenUsage("--partition-marks 只用于筛查一个分区：不能与 --merge 或 --db 同用");
  }
  if (out.empty()) return ScreenUsage("缺少 --out");
  int32_t as_of_days;
  if (options.as_of.empty()) return ScreenUsage("缺少 --as-of（专项治理的评估日期，YYYY-MM-DD）");
  if (!internal::ParseDate(options.as_of, &as_of_days)) {
    return ScreenUsage(absl::StrCat("--as-of ", options.as_of, "：不是日期（应为 YYYY-MM-DD）"));
  }
  options.as_of = internal::FormatDate(as_of_days);
  absl::StatusOr<campaign::LedgerFormat> ledger_format = campaign::LedgerFormatOf(format, out);
  if (!ledger_format.ok()) return ScreenUsage(std::string(ledger_format.status().message()));
  if (absl::Status s = io::CheckOutputPath(out, io::kOutputFile); !s.ok()) {
    std::cerr << "heyan screen: " << s.message() << "\n";
    return 2;
  }
  if (!partition_marks.empty() && *ledger_format != campaign::LedgerFormat::kJsonLines) {
    return ScreenUsage("--partition-marks 的分区台账须为 --format=jsonl");
  }
  if (!roll.empty()) {
    if (absl::Status s = io::CheckInputPath(roll, campaign::kRollFile); !s.ok()) {
      std::cerr << "heyan screen: " << s.message() << "\n";
      return 2;
    }
  }

  std::shared_ptr<const Program> program = CompileRulesArg("screen", rules, overrides);
  if (program == nullptr) return 2;
  Registries registries;
  if (absl::Status s = registry_flags.Load(&registries); !s.ok()) {
    std::cerr << "heyan screen: " << s.message() << "\n";
    return 1;
  }
  campaign::CampaignData data;
  if (!history.empty()) {
    if (absl::Status s = data.LoadHistory(history); !s.ok()) {
      std::cerr << "heyan screen: " << s.message() << "\n";
      return 1;
    }
  }
  if (!roster.empty()) {
    if (absl::Status s = data.LoadRoster(roster); !s.ok()) {
      std::cerr << "heyan screen: " << s.message() << "\n";
      return 1;
    }
  }
  std::unique_ptr<CampaignState> state;
  if (!db.empty()) {
    absl::StatusOr<std::unique_ptr<CampaignState>> opened = CampaignState::Open(db);
    if (!opened.ok()) {
      std::cerr << "heyan screen: " << opened.status().message() << "\n";
      return 1;
    }
    state = std::move(*opened);
    if (absl::Status s = state->BeginRun(options.as_of, program->fingerprint(),
                                         absl::StrCat("在保名册 ", roll.empty() ? "（分区合并）" : roll, history.empty() ? "" : "；历史记录 " + history,
                                                      roster.empty() ? "" : "；经办人员名册 " + roster));
        !s.ok()) {
      std::cerr << "heyan screen: " << s.message() << "\n";
      return 1;
    }
  }
  // The roll (not when merging partitions, whose rows are read below).
  std::unique_ptr<campaign::JsonLines> lines;
  if (!roll.empty()) {
    absl::StatusOr<std::unique_ptr<campaign::JsonLines>> opened = campaign::JsonLines::Open(roll, campaign::kRollFile);
    if (!opened.ok()) {
      std::cerr << "heyan screen: " << opened.status().message() << "\n";
      return 1;
    }
    lines = std::move(*opened);
  }
  absl::StatusOr<std::unique_ptr<campaign::LedgerWriter>> ledger = campaign::OpenLedger(out, *ledger_format);
  if (!ledger.ok()) {
    std::cerr << "heyan screen: " << ledger.status().message() << "\n";
    return 1;
  }

  campaign::Screener screener(program, &registries, &data, options);
  campaign::Marks marks;
  Progress progress(::isatty(STDERR_FILENO) == 1);
  absl::Status failed;
  auto write = [&](v1::LedgerEntry* row) -> bool {
    if (state != nullptr) {
      if (absl::Status s = state->Apply(row); !s.ok()) {
        failed = s;
        return false;
      }
    }
    if (absl::Status s = (*ledger)->Add(*row); !s.ok()) {
      failed = s;
      return false;
    }
    return true;
  };

  // Batches of the roll, screened by `threads` threads, written in roll order.
  constexpr size_t kBatch = 2048;
  std::vector<std::string> batch(kBatch);
  std::vector<v1::RollRecord> records(threads);
  std::vector<int64_t> line_of(kBatch);
  std::vector<v1::LedgerEntry> rows(kBatch);
  std::vector<char> keep(kBatch);
  std::vector<absl::Status> errors(kBatch);
  std::vector<campaign::Marks> thread_marks(threads);
  int64_t households = 0;
  bool more = lines != nullptr;
  // Merging partitions screened apart: their rows in partition order, then the marks.
  for (const auto& [rows_path, marks_path] : merge) {
    if (!failed.ok()) break;
    absl::StatusOr<std::unique_ptr<campaign::JsonLines>> part = campaign::JsonLines::Open(rows_path, kPartitionFile);
    if (!part.ok()) {
      failed = part.status();
      break;
    }
    v1::LedgerEntry row;
    while ((*part)->Next(&row) && write(&row)) {
    }
    if (failed.ok() && !(*part)->status().ok()) failed = (*part)->status();
    absl::StatusOr<std::string> text = io::ReadWholeFile(marks_path, kPartitionFile, size_t{1} << 30);
    if (failed.ok() && !text.ok()) failed = text.status();
    if (failed.ok()) {
      if (absl::Status s = campaign::MergeSerializedMarks(*text, &marks, &households); !s.ok()) {
        failed = absl::InvalidArgumentError(absl::StrCat(marks_path, ": ", s.message()));
      }
    }
  }
  while (more && failed.ok()) {
    size_t n = 0;
    while (n < kBatch && (more = lines->NextLine(&batch[n]))) line_of[n++] = lines->line_number();
    // Parsing is as costly as deciding: both run on the workers.
    auto work = [&](int t) {
      for (size_t k = t; k < n; k += threads) {
        if (std::string problem = campaign::ParseRollJson(batch[k], &records[t]); !problem.empty()) {
          errors[k] = absl::InvalidArgumentError(problem);
          keep[k] = false;
          continue;
        }
        absl::StatusOr<bool> r = screener.ScreenRoll(records[t], &thread_marks[t], &rows[k]);
        errors[k] = r.status();
        keep[k] = r.ok() && *r;
      }
    };
    if (threads == 1 || n < 64) {
      for (int t = 0; t < threads; ++t) work(t);
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
      for (std::thread& th : pool) th.join();
    }
    for (size_t k = 0; k < n; ++k) {
      if (!errors[k].ok()) {
        failed = absl::InvalidArgumentError(absl::StrCat(roll, ":", line_of[k], ": ", errors[k].message()));
        break;
      }
      ++households;
      if (keep[k] && !write(&rows[k])) break;
    }
    progress.Show("在保名册", households, lines->bytes_read(), lines->size());
  }
  progress.Clear();
  if (failed.ok() && lines != nullptr && !lines->status().ok()) failed = lines->status();
  if (failed.ok() && households == 0 && partition_marks.empty()) failed = absl::InvalidArgumentError(absl::StrCat(roll, ": 在保名册中没有记录"));
  for (campaign::Marks& m : thread_marks) marks.Merge(std::move(m));
  campaign::ComparisonCounts counts;
  if (failed.ok() && !partition_marks.empty()) {
    // One partition of a larger roll: the rows the roll gave, and what it touched; the rows
    // of households off the roll come from the merge (--merge), which sees every partition.
    std::ofstream m(partition_marks, std::ios::binary | std::ios::trunc);
    m << campaign::SerializeMarks(marks, households);
    m.close();
    if (!m) failed = absl::PermissionDeniedError(absl::StrCat(partition_marks, ": 无法写入分区标记"));
    if (failed.ok()) failed = (*ledger)->Close({});
    if (!failed.ok()) {
      std::cerr << "heyan screen: " << failed.message() << "\n";
      return 1;
    }
    std::cerr << "heyan screen：分区 " << households << " 户，台账 " << (*ledger)->tally().total.rows << " 户 → " << out
              << "，标记 → " << partition_marks << "\n";
    return 0;
  }
  if (failed.ok()) {
    absl::Status s = screener.Finish(marks, [&](const v1::LedgerEntry& row) {
      if (!failed.ok()) return;
      v1::LedgerEntry copy = row;
      write(&copy);
    }, &counts);
    if (failed.ok() && !s.ok()) failed = s;
  }
  std::vector<std::string> dropped;
  if (failed.ok() && state != nullptr) failed = state->FinishRun(&dropped);
  if (!failed.ok()) {
    std::cerr << "heyan screen: " << failed.message() << "\n";
    return 1;  // the ledger's temporary file and the run's transaction are dropped
  }

  const campaign::LedgerTally& tally = (*ledger)->tally();
  campaign::LedgerSummary summary;
  summary.title = absl::StrCat("低保专项治理工作台账汇总（评估日期 ", options.as_of, "）");
  summary.comparisons = {
      {"在保名册户数", absl::StrCat(households, " 户")},
      {"保障成员中的建档立卡人员", CountText(counts.covered_in_poverty, "人")},
      {"建档立卡人员不在低保名册", counts.poverty_not_on_roll < 0 ? "未比对"
                                   : absl::StrCat(counts.poverty_not_on_roll, " 人（", counts.poverty_households_not_on_roll, " 户）")},
      {"建档立卡人员在低保户中但未纳入保障", CountText(counts.uncovered_poverty, "人")},
      {"重度残疾人不在低保名册（漏保候选）", CountText(counts.severe_not_on_roll, "人")},
      {"重度残疾人在低保户中但未纳入保障", CountText(counts.uncovered_severe, "人")},
      {"保障成员中的财政供养人员", CountText(counts.covered_payroll, "人")},
      {"近一年未获批准或退出后又在保", CountText(counts.history_reenrolled, "户次")},
  };
  if (state != nullptr) {
    if (state->previous_run() == 0) {
      summary.changes.push_back({"上次运行", "无（本次为第一次运行）"});
    } else {
      summary.changes.push_back({"有变化的台账行", absl::StrCat(tally.total.changed, " 户")});
      summary.changes.push_back({"已移出台账", absl::StrCat(dropped.size(), " 户")});
      for (size_t i = 0; i < dropped.size() && i < 1000; ++i) summary.changes.push_back({"  已移出", dropped[i]});
    }
  } else {
    summary.changes.push_back({"活动数据库", "未使用（加 --db 才能比较两次运行、保存入户核查结果）"});
  }
  summary.run = {{"规则集", absl::StrCat(program->name(), " ", program->version())},
                 {"规则指纹", program->fingerprint()},
                 {"在保名册", roll.empty() ? absl::StrCat("分区合并（", merge.size(), " 个分区）") : roll},
                 {"历史记录", history.empty() ? "未提供（群体2、3未筛查）" : history},
                 {"经办人员名册", roster.empty() ? "未提供" : roster}};
  for (absl::string_view line : absl::StrSplit(registry_flags.Lines(registries, false), '\n', absl::SkipEmpty())) {
    summary.run.push_back({"登记册", std::string(absl::StripAsciiWhitespace(line))});
  }
  if (absl::Status s = (*ledger)->Close(summary); !s.ok()) {
    std::cerr << "heyan screen: " << s.message() << "\n";
    return 1;
  }

  // The summary on stderr: per group, per township, comparisons, changes.
  std::cerr << "heyan screen：在保名册 " << households << " 户，评估日期 " << options.as_of << "，规则 "
            << program->name() << "（指纹 " << program->fingerprint().substr(0, 12) << "）\n"
            << "台账 " << tally.total.rows << " 户 → " << out << "\n按重点群体：\n";
  for (int g = 1; g <= 5; ++g) {
    std::cerr << "  " << g << " " << campaign::GroupName(static_cast<v1::KeyGroup>(g)) << "：" << tally.by_group[g].rows
              << " 户\n";
  }
  std::cerr << "按乡镇：\n";
  for (const auto& [name, c] : tally.by_township) {
    std::cerr << "  " << name << "：台账 " << c.rows << " 户（群体1—5：" << c.groups[1] << "/" << c.groups[2] << "/"
              << c.groups[3] << "/" << c.groups[4] << "/" << c.groups[5] << "；建议停保清退 " << c.stop << "，调整 "
              << c.adjust << "）\n";
  }
  std::cerr << "名单比对：\n";
  for (const auto& [k, v] : summary.comparisons) std::cerr << "  " << k << "：" << v << "\n";
  if (state != nullptr && state->previous_run() != 0) {
    std::cerr << "较上次运行：" << tally.total.changed << " 户有变化，" << dropped.size() << " 户已移出台账\n";
  }
  return 0;
}

}  // namespace heyan::cli
