// heyan eval: decides a stream of applications with one compiled rule set.
//
//   heyan eval --rules PATH [--registry NAME=FILE ...] --in APPLICATIONS [--out DECISIONS]
//              [--threads N] [--in-format json|binary] [--out-format json|binary]
//              [--as-of YYYY-MM-DD] [--trace] [--lean] [--lang=en] [--batch-size N] [--strict-ids]
//
// Input: protobuf-JSON lines, one heyan.v1.Application per line (blank lines are skipped but
// counted), or length-delimited binary (varint size, then the message) with --in-format
// binary or a .pb/.bin file. Output: one heyan.v1.Decision per input record, in input order,
// as compact protobuf JSON lines (proto field names, enums by name) or length-delimited
// binary (--out-format binary or a .pb/.bin file). "-" is stdin / stdout.
//
// A record that cannot be read or decided becomes an error record at its place in the output
// and the run goes on:
//   JSON:   {"error":{"line":17,"field":"members[0].birth_date","message":"..."}}
//   binary: a Decision with application_id "" and one RuleFault{rule_id "<input>",
//           message "line 17: members[0].birth_date: ..."}
// (binary input numbers records instead of lines: "record" instead of "line").
//
// The evaluation is the library's BatchEvaluator (heyan/batch.h): this file reads records
// (lines or length-delimited messages: cli/record_streams.h) and writes results; the options
// are cli/eval_flags.h, the closing summary cli/eval_summary.h. Memory stays constant: records
// go in batches of --batch-size (1,000) to --threads workers (default: the number of cores)
// that parse, decide and serialize them; finished batches are written in input order. At
// most 2N+2 batches are in flight, so a slow output stops the reading instead of filling
// memory.
//
// File arguments are classified before any work (io/input_file.h): a directory, a device or a
// socket given as --in, --out or --registry is refused in plain words (exit 2); pipes are
// streams. The summary lists every registry file with the records it loaded.
//
// Exit status: 0 every record was decided; 3 some records are error records; 2 nothing was
// decided (bad options, rule-file errors, a registry file that cannot be loaded, an input or
// output that cannot be opened); 1 the run broke off (read or write failure).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/eval_flags.h"
#include "cli/eval_summary.h"
#include "cli/help.h"
#include "cli/record_streams.h"
#include "cli/registry_flags.h"
#include "cli/table_writer.h"
#include "common/text.h"
#include "heyan/batch.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "io/input_file.h"

namespace heyan::cli {
namespace {

using Clock = std::chrono::steady_clock;
using internal::Thousands;

// Replaces bytes that are not UTF-8 with U+FFFD, so every output line stays valid JSON text.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (ok && n > 1 && c < 0xC2) ok = false;  // overlong 2-byte forms
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

// ---- output ---------------------------------------------------------------------------------

// ---- decisions as a table ------------------------------------------------------------------

std::vector<std::string> TableHeader(bool en) {
  if (en) {
    return {"Case number", "County", "Township", "Village", "Applicant", "Outcome", "Monthly benefit (yuan)",
            "Persons covered", "Tier", "Reasons", "Missing evidence", "Error (line: problem)"};
  }
  return {"编号", "县区", "乡镇", "村居", "申请人", "结论", "保障金额（元）", "保障人数", "保障档次", "理由",
          "缺少材料", "错误（行号：原因）"};
}
std::vector<double> TableWidths() { return {16, 10, 12, 12, 10, 10, 14, 10, 10, 60, 40, 40}; }

const char* OutcomeWord(v1::Outcome o, bool en) {
  switch (o) {
    case v1::ELIGIBLE: return en ? "eligible" : "符合";
    case v1::INELIGIBLE: return en ? "ineligible" : "不符合";
    case v1::NEEDS_REVIEW: return en ? "needs review" : "需复核";
    case v1::MISSING_EVIDENCE: return en ? "missing evidence" : "缺少材料";
    default: return "";
  }
}

std::string Yuan(int64_t fen) {
  const uint64_t a = fen < 0 ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  return absl::StrFormat("%s%d.%02d", fen < 0 ? "-" : "", a / 100, a % 100);
}

// One household's row: where it is, who applies, what was decided, and why.
std::vector<TableCell> DecisionRow(const v1::Application& a, const v1::Decision& d, bool en) {
  std::string applicant;
  for (const v1::Member& m : a.members()) {
    if (m.relation() == v1::SELF) applicant = m.name();
  }
  if (applicant.empty() && a.members_size() > 0) applicant = a.members(0).name();
  std::vector<std::string> reasons, missing;
  for (const v1::Reason& r : d.reasons()) reasons.push_back(r.title().empty() ? r.rule_id() : absl::StrCat(r.rule_id(), " ", r.title()));
  for (const v1::MissingEvidence& m : d.missing_evidence()) missing.push_back(m.field());
  const char* sep = en ? "; " : "；";
  return {{a.id()},
          {a.county()},
          {a.township()},
          {a.village()},
          {applicant},
          {OutcomeWord(d.outcome(), en)},
          {Yuan(d.benefit_fen()), true},
          {absl::StrCat(d.covered_members_size()), true},
          {d.tier()},
          {absl::StrJoin(reasons, sep)},
          {absl::StrJoin(missing, sep)},
          {}};
}

// The case number of a record that could not be read, if it can be found: "id" (or "编号")
// as a JSON string; empty otherwise.
std::string CaseNumberIn(std::string_view bytes) {
  for (std::string_view key : {std::string_view("\"id\""), std::string_view("\"编号\"")}) {
    size_t at = bytes.find(key);
    if (at == std::string_view::npos) continue;
    at = bytes.find('"', bytes.find(':', at + key.size()));
    if (at == std::string_view::npos) continue;
    const size_t end = bytes.find('"', at + 1);
    if (end != std::string_view::npos && end - at < 100) return std::string(bytes.substr(at + 1, end - at - 1));
  }
  return "";
}

class Output {
 public:
  ~Output() {
    if (fd_ > 2) ::close(fd_);
  }
  // Decisions as a table for people (rows packed by the workers, cli/table_writer.h).
  bool OpenTable(const std::string& path, TableWriter::Kind kind, bool english, std::string* error) {
    path_ = path;
    absl::StatusOr<std::unique_ptr<TableWriter>> t =
        TableWriter::Open(path, kind, TableHeader(english), english ? "decisions" : "核验结果", TableWidths());
    if (!t.ok()) {
      *error = std::string(t.status().message());
      return false;
    }
    table_ = *std::move(t);
    return true;
  }
  bool Open(const std::string& path, std::string* error) {
    path_ = path;
    if (path == "-") {
      fd_ = STDOUT_FILENO;
      return true;
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      *error = absl::StrCat(path, ": ", std::strerror(errno));
      return false;
    }
    return true;
  }
  bool Write(std::string_view data, std::string* error) {
    if (table_ != nullptr) {
      absl::Status s = WritePackedRows(data, table_.get());
      if (!s.ok()) *error = std::string(s.message());
      return s.ok();
    }
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = absl::StrCat(path_ == "-" ? "stdout" : path_, ": write error: ", std::strerror(errno));
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool Close(std::string* error) {
    if (table_ != nullptr) {
      absl::Status s = table_->Close();
      table_.reset();
      if (!s.ok()) *error = std::string(s.message());
      return s.ok();
    }
    if (fd_ > 2 && ::close(fd_) != 0) {
      fd_ = -1;
      *error = absl::StrCat(path_, ": ", std::strerror(errno));
      return false;
    }
    fd_ = -1;
    return true;
  }

 private:
  int fd_ = -1;
  std::string path_;
  std::unique_ptr<TableWriter> table_;
};

// ---- writing the results -------------------------------------------------------------------

// Writes each batch's results: the decisions the workers serialized, and an error record in
// the place of each record that was not decided.
class ResultWriter {
 public:
  ResultWriter(Output* output, Format in_format, Format out_format, bool english)
      : output_(output), in_format_(in_format), out_format_(out_format), english_(english) {}

  absl::Status Write(std::span<const RecordResult> results) {
    if (out_format_ == Format::kCsv || out_format_ == Format::kXlsx) {
      buffer_.clear();
      for (const RecordResult& r : results) {
        if (r.ok()) {
          AppendPackedRow(DecisionRow(*r.application, *r.decision, english_), &buffer_);
        } else {
          AppendError(r, &buffer_);
        }
      }
      return WriteBytes(buffer_);
    }
    if (results.empty()) return absl::OkStatus();
    // Decisions lie back to back: without error records the batch is one piece.
    const bool errors = std::any_of(results.begin(), results.end(), [](const RecordResult& r) { return !r.ok(); });
    if (!errors) {
      const char* begin = results.front().output.data();
      const std::string_view& last = results.back().output;
      return WriteBytes(std::string_view(begin, last.data() + last.size() - begin));
    }
    buffer_.clear();
    for (const RecordResult& r : results) {
      if (r.ok()) {
        buffer_.append(r.output);
      } else {
        AppendError(r, &buffer_);
      }
    }
    return WriteBytes(buffer_);
  }

 private:
  absl::Status WriteBytes(std::string_view data) {
    std::string error;
    if (!output_->Write(data, &error)) return absl::UnavailableError(error);
    return absl::OkStatus();
  }

  // An error record, in the output format:
  //   JSON:   {"error":{"line":17,"field":"members[0].birth_date","message":"..."}}
  //   binary: a Decision with application_id "" and one RuleFault "<input>"
  //   table:  a row with the case number (when it can be found) and "第 17 行：..."
  void AppendError(const RecordResult& result, std::string* out) {
    const RecordError& e = *result.error;
    const std::string& field = e.field;
    const char* unit = in_format_ == Format::kJson ? "line" : "record";
    if (out_format_ == Format::kCsv || out_format_ == Format::kXlsx) {
      // An error row keeps its place and names the case and the line, so the sheet can be
      // corrected and run again.
      std::vector<TableCell> row(TableHeader(english_).size());
      if (e.kind == RecordError::Kind::kNotDecided) {
        row[0].text = e.application_id.empty() ? "" : CaseNumberIn(absl::StrCat("{\"id\":\"", e.application_id, "\"}"));
      } else if (e.kind == RecordError::Kind::kInvalidJson || e.kind == RecordError::Kind::kInvalidHousehold) {
        row[0].text = CaseNumberIn(result.data);
      }
      row.back().text = english_ ? absl::StrCat(unit, " ", e.number, ": ", field, field.empty() ? "" : ": ", e.message)
                                 : absl::StrCat("第 ", e.number, in_format_ == Format::kJson ? " 行：" : " 条：",
                                                field, field.empty() ? "" : "：", e.message);
      AppendPackedRow(row, out);
    } else if (out_format_ == Format::kJson) {
      absl::StrAppend(out, "{\"error\":{\"", unit, "\":", e.number,
                      ",\"field\":", internal::JsonQuote(ValidUtf8(field)),
                      ",\"message\":", internal::JsonQuote(ValidUtf8(e.message)), "}}\n");
    } else {
      error_decision_.Clear();
      v1::RuleFault* fault = error_decision_.add_faults();
      fault->set_rule_id("<input>");
      fault->set_message(ValidUtf8(absl::StrCat(unit, " ", e.number, ": ", field,
                                                field.empty() ? "" : ": ", e.message)));
      internal::AppendVarint(error_decision_.ByteSizeLong(), out);
      error_decision_.AppendToString(out);
    }
  }

  Output* output_;
  const Format in_format_;
  const Format out_format_;
  const bool english_;
  std::string buffer_;
  v1::Decision error_decision_;
};

// "已处理 120,000 条，85,000 条/秒，剩余约 12 秒" on stderr, at most five times a second.
class ProgressLine {
 public:
  ProgressLine(const Input& input, bool english) : input_(input), english_(english) {}

  void Show(const BatchCounts& counts) {
    const Clock::time_point now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const int64_t records = counts.records;
    const uint64_t bytes = counts.input_bytes;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::string line = english_
        ? absl::StrCat(Thousands(records), " records, ",
                       Thousands(static_cast<int64_t>(records / std::max(seconds, 1e-9))), "/s")
        : absl::StrCat("已处理 ", Thousands(records), " 条，",
                       Thousands(static_cast<int64_t>(records / std::max(seconds, 1e-9))), " 条/秒");
    if (input_.size() > 0 && bytes > 0) {
      const double left = seconds * (static_cast<double>(input_.size()) - bytes) / bytes;
      absl::StrAppend(&line, english_ ? ", about " : "，剩余约 ",
                      static_cast<int64_t>(std::max(left, 0.0) + 0.5), english_ ? " s left" : " 秒");
    }
    std::cerr << "\r\033[K" << line << std::flush;
  }

  void Clear() { std::cerr << "\r\033[K" << std::flush; }

 private:
  const Input& input_;
  const bool english_;
  const Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
};

}  // namespace

int Eval(const std::vector<std::string>& args) {
  Flags flags;
  if (std::string error = ParseFlags(args, &flags, LanguageOf(args)); !error.empty()) {
    return UsageError("eval", error, LanguageOf(args));
  }
  const bool en = flags.lang == Language::kEnglish;

  // File arguments first, before minutes of loading: what each path is, in plain words.
  if (flags.in != "-") {
    if (absl::Status s = io::CheckInputPath(flags.in, io::kApplicationFile, en); !s.ok()) {
      std::cerr << "heyan eval: " << s.message() << "\n";
      return 2;
    }
  }
  if (flags.out != "-") {
    if (absl::Status s = io::CheckOutputPath(flags.out, io::kOutputFile, en); !s.ok()) {
      std::cerr << "heyan eval: " << s.message() << "\n";
      return 2;
    }
  }

  // Rules: a file, or a directory with exactly one entry rule set.
  absl::StatusOr<std::string> entry = FindEntryRuleSet({flags.rules}, flags.lang);
  if (!entry.ok()) {
    std::cerr << "heyan eval: " << entry.status().message() << "\n";
    return 2;
  }
  CompileOptions compile_options;
  absl::StatusOr<CompileResult> compiled = CompileFile(*entry, compile_options);
  if (!compiled.ok()) {
    std::cerr << "heyan eval: " << *entry << ": " << compiled.status() << "\n";
    return 2;
  }
  if (!compiled->ok()) {
    for (const Diagnostic& d : compiled->diagnostics) std::cerr << FormatDiagnostic(d, flags.lang);
    return 2;
  }

  RegistryOptions registry_options;
  registry_options.reject_bad_check_character = flags.strict_ids;
  Registries registries(registry_options);
  if (absl::Status s = flags.registries.Load(&registries); !s.ok()) {
    std::cerr << "heyan eval: " << s.message() << "\n";
    return 2;
  }

  Format in_format = FormatFor(flags.in, flags.in_format);
  const Format out_format = FormatFor(flags.out, flags.out_format);

  // Writing the decisions over the applications would destroy the input before it is read.
  struct stat in_stat, out_stat;
  if (flags.in != "-" && flags.out != "-" && ::stat(flags.in.c_str(), &in_stat) == 0 &&
      ::stat(flags.out.c_str(), &out_stat) == 0 && in_stat.st_dev == out_stat.st_dev &&
      in_stat.st_ino == out_stat.st_ino) {
    std::cerr << "heyan eval: --in and --out are the same file: " << flags.out << "\n";
    return 2;
  }
  Input input;
  Output output;
  std::string error;
  // A household in text format (as `heyan test` cases are written) or a spreadsheet export:
  // converted to JSON lines first (io/household.h), then decided like any other input.
  const std::string in_text = !flags.in_text.empty()                                        ? flags.in_text
                              : absl::EndsWith(flags.in, ".csv")                            ? "csv"
                              : absl::EndsWith(flags.in, ".json")                           ? "json"
                              : absl::EndsWith(flags.in, ".textproto") || absl::EndsWith(flags.in, ".txtpb") ||
                                        absl::EndsWith(flags.in, ".pbtxt")
                                  ? "text"
                                  : "";
  if (!in_text.empty()) {
    std::string lines;
    if (absl::Status s = ConvertedInput(flags.in, in_text, en, &lines); !s.ok()) {
      std::cerr << "heyan eval: " << s.message() << "\n";
      return 2;
    }
    input.OpenMemory(flags.in, std::move(lines));
    in_format = Format::kJson;
  } else if (!input.Open(flags.in, &error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 2;
  }
  const bool table = out_format == Format::kCsv || out_format == Format::kXlsx;
  if (table ? !output.OpenTable(flags.out, out_format == Format::kCsv ? TableWriter::Kind::kCsv : TableWriter::Kind::kXlsx,
                                en, &error)
            : !output.Open(flags.out, &error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 2;
  }
  const int threads =
      flags.threads > 0 ? flags.threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));

  // The library does the rest (heyan/batch.h): read records here, decide them on `threads`
  // workers, write them here in input order.
  BatchOptions options;
  options.eval.as_of = flags.as_of;
  options.eval.trace = flags.trace;
  options.eval.explain = !flags.lean;
  options.decisions = table                          ? DecisionFormat::kMessage
                      : out_format == Format::kJson ? DecisionFormat::kJsonLine
                                                    : DecisionFormat::kDelimited;
  options.threads = threads;
  options.batch_size = flags.batch_size;
  options.language = flags.lang;
  absl::StatusOr<std::unique_ptr<const BatchEvaluator>> evaluator =
      BatchEvaluator::Create(compiled->program, &registries, options);
  if (!evaluator.ok()) {
    std::cerr << "heyan eval: " << evaluator.status().message() << "\n";
    return 2;
  }
  const RecordFormat record_format = in_format == Format::kJson ? RecordFormat::kJson : RecordFormat::kBinary;
  const RecordType record_type = flags.in_type == InputType::kRequest       ? RecordType::kRequest
                                 : flags.in_type == InputType::kApplication ? RecordType::kApplication
                                                                            : RecordType::kAuto;
  JsonLineReader json_reader(&input);
  BinaryReader binary_reader(&input);
  uint64_t consumed = 0;
  auto source = [&](InputRecord* record) -> absl::StatusOr<bool> {
    const bool more = record_format == RecordFormat::kJson ? json_reader.Next(record) : binary_reader.Next(record);
    if (!more) {
      if (!input.error().empty()) return absl::UnavailableError(input.error());
      return false;
    }
    record->format = record_format;
    record->type = record_type;
    record->input_bytes = input.consumed() - consumed;
    consumed = input.consumed();
    return true;
  };
  ResultWriter writer(&output, in_format, out_format, en);
  const bool show_progress = ::isatty(STDERR_FILENO) == 1;
  ProgressLine progress(input, en);
  const Clock::time_point start = Clock::now();
  absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
      source, [&](std::span<const RecordResult> results) { return writer.Write(results); },
      show_progress ? ProgressCallback([&](const BatchCounts& c) { progress.Show(c); }) : nullptr);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (show_progress) progress.Clear();
  if (!counts.ok()) {
    std::cerr << "heyan eval: " << counts.status().message() << "\n";
    return 1;
  }
  if (!output.Close(&error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 1;
  }
  const std::string summary =
      Summary(*compiled->program, registries, flags.registries, *counts, seconds, threads, en);
  if (flags.out == "-") {
    std::cerr << summary;
  } else {
    std::cout << summary << std::flush;
  }
  return counts->errors > 0 ? 3 : 0;
}

}  // namespace heyan::cli
