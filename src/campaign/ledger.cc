// The work ledger writers (see ledger.h).
#include "campaign/ledger.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "absl/container/flat_hash_set.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "campaign/screen.h"
#include "common/text.h"
#include "google/protobuf/util/json_util.h"
#include "xlsxwriter.h"

namespace heyan::campaign {
namespace {

enum Column {
  kSeq, kKey, kSource, kCounty, kTownship, kVillage, kHouseholdId, kHeadName, kHeadId, kGroups,
  kGroupReasons, kFindings, kCategory, kCurrentAmount, kOutcome, kComputedAmount, kSuggestion,
  kReasons, kMissing, kChange, kVisitDate, kVisitStaff, kVisitFinding, kVisitResult, kVisitNotes,
  kColumnCount
};

template <typename E>
std::string Zh(E value) {
  const google::protobuf::EnumValueDescriptor* d =
      google::protobuf::GetEnumDescriptor<E>()->FindValueByNumber(static_cast<int>(value));
  return d == nullptr ? "" : d->options().GetExtension(v1::zh_value);
}

}  // namespace

const std::vector<std::string>& LedgerHeaders() {
  static const std::vector<std::string> kHeaders = {
      "序号", "台账编号", "来源", "县区", "乡镇", "村居", "编号", "户主姓名", "户主身份证号", "重点群体",
      "入组原因", "比对发现", "保障类别", "现保障金额（元）", "复核结论", "复核金额（元）", "处理建议",
      "主要原因", "缺少材料", "较上次变化", "核查日期", "核查人", "核查情况", "核查结果", "备注"};
  return kHeaders;
}

std::string TownshipOf(const v1::LedgerEntry& row) {
  return row.township().empty() ? "（乡镇未知）" : row.township();
}

std::vector<std::string> LedgerCells(const v1::LedgerEntry& row) {
  std::vector<std::string> c(kColumnCount);
  c[kKey] = row.key();
  c[kSource] = Zh(row.source());
  c[kCounty] = row.county();
  c[kTownship] = TownshipOf(row);
  c[kVillage] = row.village();
  c[kHouseholdId] = row.household_id();
  c[kHeadName] = row.head_name();
  c[kHeadId] = row.head_id_number();
  std::vector<std::string> groups;
  for (int g : row.groups()) groups.push_back(absl::StrCat(g));
  c[kGroups] = absl::StrJoin(groups, "、");
  std::vector<std::string> reasons;
  for (int i = 0; i < row.groups_size(); ++i) {
    reasons.push_back(absl::StrCat(row.groups(i), " ", GroupName(static_cast<v1::KeyGroup>(row.groups(i))), "：",
                                   i < row.group_reasons_size() ? row.group_reasons(i) : ""));
  }
  c[kGroupReasons] = absl::StrJoin(reasons, "\n");
  c[kFindings] = absl::StrJoin(row.findings(), "\n");
  c[kCategory] = row.category();
  if (row.has_current_amount_fen()) c[kCurrentAmount] = Yuan(row.current_amount_fen());
  c[kOutcome] = row.outcome();
  if (row.has_computed_amount_fen()) c[kComputedAmount] = Yuan(row.computed_amount_fen());
  c[kSuggestion] = row.suggestion();
  c[kReasons] = absl::StrJoin(row.reasons(), "\n");
  c[kMissing] = absl::StrJoin(row.missing_evidence(), "\n");
  c[kChange] = row.change();
  if (row.has_visit()) {
    c[kVisitDate] = row.visit().visited_on();
    c[kVisitStaff] = row.visit().staff();
    c[kVisitFinding] = row.visit().finding();
    if (row.visit().result() != v1::VISIT_RESULT_UNSPECIFIED) c[kVisitResult] = Zh(row.visit().result());
    c[kVisitNotes] = row.visit().notes();
  }
  return c;
}

void LedgerTally::Add(const v1::LedgerEntry& row) {
  auto add = [&](Counts& c) {
    ++c.rows;
    for (int g : row.groups()) {
      if (g > 0 && g < 6) ++c.groups[g];
    }
    if (row.source() == v1::ROLL) ++c.roll_rows;
    if (absl::StartsWith(row.suggestion(), "停保清退")) ++c.stop;
    if (absl::StartsWith(row.suggestion(), "调整")) ++c.adjust;
    if (row.has_visit() && row.visit().result() != v1::VISIT_RESULT_UNSPECIFIED) ++c.visited;
    if (!row.change().empty()) ++c.changed;
  };
  add(total);
  for (int g : row.groups()) {
    if (g > 0 && g < 6) add(by_group[g]);
  }
  add(by_township[TownshipOf(row)]);
}

absl::StatusOr<LedgerFormat> LedgerFormatOf(const std::string& name, const std::string& path) {
  std::string n = absl::AsciiStrToLower(name);
  if (n.empty()) {
    const std::string lower = absl::AsciiStrToLower(path);
    if (absl::EndsWith(lower, ".xlsx")) return LedgerFormat::kXlsx;
    if (absl::EndsWith(lower, ".csv")) return LedgerFormat::kCsv;
    if (absl::EndsWith(lower, ".jsonl") || absl::EndsWith(lower, ".json")) return LedgerFormat::kJsonLines;
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": 无法从扩展名判断台账格式（.xlsx、.csv 或 .jsonl），请用 --format=xlsx|csv|jsonl"));
  }
  if (n == "xlsx") return LedgerFormat::kXlsx;
  if (n == "csv") return LedgerFormat::kCsv;
  if (n == "jsonl" || n == "json") return LedgerFormat::kJsonLines;
  return absl::InvalidArgumentError(absl::StrCat("--format=", name, ": 台账格式应为 xlsx、csv 或 jsonl"));
}

namespace {

// ---- CSV and JSON lines --------------------------------------------------------------------

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

class StreamLedger : public LedgerWriter {
 public:
  StreamLedger(std::string path, LedgerFormat format) : path_(std::move(path)), format_(format) {}
  absl::Status Open() {
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) return absl::PermissionDeniedError(absl::StrCat(path_, ": 无法写入台账文件"));
    if (format_ == LedgerFormat::kCsv) {
      std::vector<std::string> h;
      for (const std::string& s : LedgerHeaders()) h.push_back(CsvField(s));
      out_ << absl::StrJoin(h, ",") << "\n";
    }
    return absl::OkStatus();
  }
  absl::Status Add(const v1::LedgerEntry& row) override {
    tally_.Add(row);
    if (format_ == LedgerFormat::kCsv) {
      std::vector<std::string> cells = LedgerCells(row);
      cells[kSeq] = absl::StrCat(tally_.total.rows);
      for (std::string& c : cells) c = CsvField(c);
      out_ << absl::StrJoin(cells, ",") << "\n";
    } else {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      line_.clear();
      const auto s = google::protobuf::util::MessageToJsonString(row, &line_, options);
      if (!s.ok()) return absl::InternalError(std::string(s.message()));
      out_ << line_ << "\n";
    }
    if (!out_) return absl::DataLossError(absl::StrCat(path_, ": 写入失败"));
    return absl::OkStatus();
  }
  absl::Status Close(const LedgerSummary&) override {
    out_.close();
    if (out_.fail()) return absl::DataLossError(absl::StrCat(path_, ": 写入失败"));
    return absl::OkStatus();
  }

 private:
  std::string path_;
  LedgerFormat format_;
  std::ofstream out_;
  std::string line_;
};

// ---- .xlsx -------------------------------------------------------------------------------

// An Excel sheet holds 1,048,576 rows; a township with more continues on a second sheet.
constexpr lxw_row_t kMaxSheetRows = 1048576;

class XlsxLedger : public LedgerWriter {
 public:
  explicit XlsxLedger(std::string path) : path_(std::move(path)) {}
  ~XlsxLedger() override {
    // A ledger that was never closed (an error upstream) must not look finished: the
    // workbook is written to a temporary name and renamed only by Close.
    if (wb_ != nullptr) {
      workbook_close(wb_);
      std::remove(TempPath().c_str());
    }
  }
  std::string TempPath() const { return path_ + ".tmp"; }

  absl::Status Open() {
    // The workbook is renamed into place: never over a device or a FIFO (/dev/null).
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(path_, ": .xlsx 台账只能写入普通文件"));
    }
    lxw_workbook_options options = {};
    options.constant_memory = LXW_TRUE;
    options.use_zip64 = LXW_TRUE;
    wb_ = workbook_new_opt(TempPath().c_str(), &options);
    if (wb_ == nullptr) return absl::PermissionDeniedError(absl::StrCat(path_, ": 无法创建台账文件"));
    workbook_set_properties(wb_, &properties_);
    header_ = workbook_add_format(wb_);
    format_set_bold(header_);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_CENTER);
    format_set_align(header_, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(header_, 0xD9E1F2);
    format_set_border(header_, LXW_BORDER_THIN);
    text_ = workbook_add_format(wb_);
    format_set_num_format(text_, "@");  // ID numbers and case numbers stay text
    format_set_border(text_, LXW_BORDER_THIN);
    format_set_align(text_, LXW_ALIGN_VERTICAL_TOP);
    wrap_ = workbook_add_format(wb_);
    format_set_text_wrap(wrap_);
    format_set_border(wrap_, LXW_BORDER_THIN);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
    money_ = workbook_add_format(wb_);
    format_set_num_format(money_, "0.00");
    format_set_border(money_, LXW_BORDER_THIN);
    format_set_align(money_, LXW_ALIGN_VERTICAL_TOP);
    title_ = workbook_add_format(wb_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    bold_ = workbook_add_format(wb_);
    format_set_bold(bold_);
    // The summary comes first in the workbook but is written last (constant-memory mode
    // writes each sheet front to back, and the summary needs every row's counts).
    summary_ = workbook_add_worksheet(wb_, "汇总");
    if (summary_ == nullptr) return absl::InternalError(absl::StrCat(path_, ": 无法创建汇总表"));
    return absl::OkStatus();
  }

  absl::Status Add(const v1::LedgerEntry& row) override {
    tally_.Add(row);
    const std::string township = TownshipOf(row);
    Sheet* sheet = SheetFor(township);
    if (sheet == nullptr) return absl::InternalError(absl::StrCat(path_, ": 无法为“", township, "”创建工作表"));
    std::vector<std::string> cells = LedgerCells(row);
    const lxw_row_t r = ++sheet->last_row;
    worksheet_write_number(sheet->ws, r, kSeq, static_cast<double>(++sheet->seq), nullptr);
    for (int c = 1; c < kColumnCount; ++c) {
      if (cells[c].empty()) {
        // Blank cells keep their border, so the printed visit columns can be filled by hand.
        worksheet_write_blank(sheet->ws, r, c, c == kVisitDate || c >= kVisitStaff ? wrap_ : text_);
        continue;
      }
      if ((c == kCurrentAmount && row.has_current_amount_fen()) || (c == kComputedAmount && row.has_computed_amount_fen())) {
        const int64_t fen = c == kCurrentAmount ? row.current_amount_fen() : row.computed_amount_fen();
        worksheet_write_number(sheet->ws, r, c, static_cast<double>(fen) / 100.0, money_);
        continue;
      }
      const bool long_text = c == kGroupReasons || c == kFindings || c == kReasons || c == kMissing || c == kChange ||
                             c == kSuggestion || c >= kVisitFinding;
      lxw_error e = worksheet_write_string(sheet->ws, r, c, cells[c].c_str(), long_text ? wrap_ : text_);
      if (e != LXW_NO_ERROR) {
        return absl::InvalidArgumentError(absl::StrCat(path_, ": ", row.key(), "：", LedgerHeaders()[c], "：",
                                                       lxw_strerror(e)));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Close(const LedgerSummary& summary) override {
    for (auto& [name, sheets] : sheets_) {
      for (Sheet& s : sheets) {
        worksheet_autofilter(s.ws, 0, 0, s.last_row, kColumnCount - 1);
      }
    }
    WriteSummary(summary);
    lxw_error e = workbook_close(wb_);
    wb_ = nullptr;
    if (e != LXW_NO_ERROR) {
      std::remove(TempPath().c_str());
      return absl::DataLossError(absl::StrCat(path_, ": 写入台账失败：", lxw_strerror(e)));
    }
    if (std::rename(TempPath().c_str(), path_.c_str()) != 0) {
      return absl::DataLossError(absl::StrCat(path_, ": 无法写入台账文件"));
    }
    return absl::OkStatus();
  }

 private:
  struct Sheet {
    lxw_worksheet* ws = nullptr;
    lxw_row_t last_row = 0;  // the header is row 0
    int64_t seq = 0;
  };

  // A valid, unique sheet name: at most 31 characters, none of []:*?/\ .
  std::string SheetName(const std::string& township, int part) {
    std::u32string name;
    for (char32_t ch : internal::DecodeUtf8(township)) {
      name.push_back(std::u32string_view(U"[]:*?/\\").find(ch) == std::u32string_view::npos ? ch : U'_');
    }
    std::u32string suffix = part > 1 ? internal::DecodeUtf8(absl::StrCat("（", part, "）")) : U"";
    if (name.size() + suffix.size() > 31) name.resize(31 - suffix.size());
    std::string base = internal::EncodeUtf8(name + suffix);
    std::string candidate = base;
    for (int n = 2; used_names_.contains(candidate) || candidate == "汇总"; ++n) {
      std::string tail = absl::StrCat("-", n);
      candidate = internal::EncodeUtf8(internal::DecodeUtf8(base).substr(0, 31 - tail.size())) + tail;
    }
    used_names_.insert(candidate);
    return candidate;
  }

  Sheet* SheetFor(const std::string& township) {
    std::vector<Sheet>& parts = sheets_[township];
    if (!parts.empty() && parts.back().last_row + 1 < kMaxSheetRows) return &parts.back();
    Sheet s;
    s.ws = workbook_add_worksheet(wb_, SheetName(township, static_cast<int>(parts.size()) + 1).c_str());
    if (s.ws == nullptr) return nullptr;
    SetUpSheet(s.ws, township);
    parts.push_back(s);
    return &parts.back();
  }

  void SetUpSheet(lxw_worksheet* ws, const std::string& township) {
    static const double kWidths[kColumnCount] = {6, 20, 10, 10, 10, 10, 14, 10, 21, 8, 40, 30, 10, 12, 9, 12, 18,
                                                 40, 30, 20, 11, 10, 24, 10, 16};
    for (int c = 0; c < kColumnCount; ++c) worksheet_set_column(ws, c, c, kWidths[c], nullptr);
    worksheet_set_row(ws, 0, 30, nullptr);
    for (int c = 0; c < kColumnCount; ++c) worksheet_write_string(ws, 0, c, LedgerHeaders()[c].c_str(), header_);
    worksheet_freeze_panes(ws, 1, 0);
    // Printing: A4 landscape, one page wide, the header row on every page.
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
    worksheet_set_header(ws, absl::StrCat("&C低保专项治理工作台账 ", township).c_str());
    worksheet_set_footer(ws, "&C第 &P 页，共 &N 页");
  }

  void WriteSummary(const LedgerSummary& summary) {
    lxw_worksheet* ws = summary_;
    worksheet_set_column(ws, 0, 0, 28, nullptr);
    worksheet_set_column(ws, 1, 12, 12, nullptr);
    lxw_row_t r = 0;
    worksheet_write_string(ws, r++, 0, summary.title.c_str(), title_);
    ++r;
    auto header = [&](const std::vector<std::string>& cells) {
      for (size_t c = 0; c < cells.size(); ++c) worksheet_write_string(ws, r, c, cells[c].c_str(), header_);
      ++r;
    };
    auto number = [&](int c, int64_t v) { worksheet_write_number(ws, r, c, static_cast<double>(v), nullptr); };

    worksheet_write_string(ws, r++, 0, "一、按重点群体", bold_);
    header({"重点群体", "台账户数", "其中在保", "其中不在保", "建议停保清退", "已录入核查"});
    for (int g = 1; g <= 5; ++g) {
      const LedgerTally::Counts& c = tally_.by_group[g];
      worksheet_write_string(ws, r, 0, absl::StrCat(g, " ", GroupName(static_cast<v1::KeyGroup>(g))).c_str(), nullptr);
      number(1, c.rows);
      number(2, c.roll_rows);
      number(3, c.rows - c.roll_rows);
      number(4, c.stop);
      number(5, c.visited);
      ++r;
    }
    ++r;
    worksheet_write_string(ws, r++, 0, "二、按乡镇", bold_);
    header({"乡镇", "台账户数", "群体1", "群体2", "群体3", "群体4", "群体5", "建议停保清退", "建议调整金额",
            "已录入核查", "较上次变化"});
    auto township_row = [&](const std::string& name, const LedgerTally::Counts& c) {
      worksheet_write_string(ws, r, 0, name.c_str(), nullptr);
      number(1, c.rows);
      for (int g = 1; g <= 5; ++g) number(1 + g, c.groups[g]);
      number(7, c.stop);
      number(8, c.adjust);
      number(9, c.visited);
      number(10, c.changed);
      ++r;
    };
    for (const auto& [name, c] : tally_.by_township) township_row(name, c);
    township_row("合计", tally_.total);
    ++r;
    worksheet_write_string(ws, r++, 0, "三、名单比对", bold_);
    header({"比对项", "结果"});
    for (const auto& [k, v] : summary.comparisons) {
      worksheet_write_string(ws, r, 0, k.c_str(), nullptr);
      worksheet_write_string(ws, r++, 1, v.c_str(), nullptr);
    }
    ++r;
    worksheet_write_string(ws, r++, 0, "四、较上次运行的变化", bold_);
    header({"项目", "内容"});
    for (const auto& [k, v] : summary.changes) {
      worksheet_write_string(ws, r, 0, k.c_str(), nullptr);
      worksheet_write_string(ws, r++, 1, v.c_str(), nullptr);
    }
    ++r;
    worksheet_write_string(ws, r++, 0, "五、运行信息", bold_);
    for (const auto& [k, v] : summary.run) {
      worksheet_write_string(ws, r, 0, k.c_str(), nullptr);
      worksheet_write_string(ws, r++, 1, v.c_str(), nullptr);
    }
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_activate(ws);
  }

  std::string path_;
  lxw_workbook* wb_ = nullptr;
  lxw_doc_properties properties_ = {.title = const_cast<char*>("低保专项治理工作台账")};
  lxw_format *header_ = nullptr, *text_ = nullptr, *wrap_ = nullptr, *money_ = nullptr, *title_ = nullptr,
             *bold_ = nullptr;
  lxw_worksheet* summary_ = nullptr;
  std::map<std::string, std::vector<Sheet>> sheets_;
  absl::flat_hash_set<std::string> used_names_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerWriter>> OpenLedger(const std::string& path, LedgerFormat format) {
  if (format == LedgerFormat::kXlsx) {
    auto w = std::make_unique<XlsxLedger>(path);
    if (absl::Status s = w->Open(); !s.ok()) return s;
    return std::unique_ptr<LedgerWriter>(std::move(w));
  }
  auto w = std::make_unique<StreamLedger>(path, format);
  if (absl::Status s = w->Open(); !s.ok()) return s;
  return std::unique_ptr<LedgerWriter>(std::move(w));
}

}  // namespace heyan::campaign
