#include "cli/eval_summary.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/text.h"
#include "heyan/v1/decision.pb.h"

namespace heyan::cli {
namespace {

using internal::Thousands;

const char* KindLabel(v1::ReasonKind kind, bool en) {
  switch (kind) {
    case v1::REASON_INELIGIBLE: return en ? "ineligible" : "不符合";
    case v1::REASON_NEEDS_REVIEW: return en ? "review" : "需复核";
    case v1::REASON_FLAG: return en ? "flag" : "标记";
    case v1::REASON_MISSING_EVIDENCE: return en ? "missing" : "缺少材料";
    default: return "";
  }
}

// Columns a terminal gives `s`: CJK and full-width characters take two.
int DisplayWidth(std::string_view s) {
  int width = 0;
  for (char32_t c : internal::DecodeUtf8(s)) width += c >= 0x2E80 ? 2 : 1;
  return width;
}

std::string PadRight(const std::string& s, int width) {
  return s + std::string(std::max(0, width - DisplayWidth(s)), ' ');
}

}  // namespace

std::string Summary(const Program& program, const Registries& registries, const RegistryFlags& registry_flags,
                    const BatchCounts& counts,
                    double seconds, int threads, bool en) {
  const int64_t total = counts.records;
  const int64_t rate = static_cast<int64_t>(total / std::max(seconds, 1e-9));
  std::string out;
  auto percent = [&](int64_t n) {
    return total == 0 ? std::string() : absl::StrFormat("%5.1f%%", 100.0 * n / total);
  };
  if (en) {
    absl::StrAppend(&out, "heyan eval: ", program.name(), " ", program.version(), ": ",
                    Thousands(total), " records in ", absl::StrFormat("%.2f", seconds), " s (",
                    Thousands(rate), " records/s, ", threads, threads == 1 ? " thread" : " threads",
                    ")\n");
  } else {
    absl::StrAppend(&out, "heyan eval：", program.name(), " ", program.version(), "，共 ",
                    Thousands(total), " 条，用时 ", absl::StrFormat("%.2f", seconds), " 秒（",
                    Thousands(rate), " 条/秒，", threads, " 个线程）\n");
  }
  // What the decisions were checked against: a registry that loaded nothing is visible here.
  out += registry_flags.Lines(registries, en);
  struct Row {
    const char* zh;
    const char* en;
    int64_t n;
  };
  const Row rows[] = {
      {"符合", "eligible", counts.outcomes[v1::ELIGIBLE]},
      {"不符合", "ineligible", counts.outcomes[v1::INELIGIBLE]},
      {"需复核", "needs review", counts.outcomes[v1::NEEDS_REVIEW]},
      {"缺少材料", "missing evidence", counts.outcomes[v1::MISSING_EVIDENCE]},
      {"输入错误", "input errors", counts.errors},
  };
  for (const Row& row : rows) {
    absl::StrAppend(&out, "  ", PadRight(en ? row.en : row.zh, 28),
                    absl::StrFormat("%10s", Thousands(row.n)), "  ", percent(row.n), "\n");
  }
  if (counts.outcomes[v1::OUTCOME_UNSPECIFIED] > 0) {
    absl::StrAppend(&out, "  ", PadRight(en ? "no outcome" : "无结论", 28),
                    absl::StrFormat("%10s", Thousands(counts.outcomes[v1::OUTCOME_UNSPECIFIED])),
                    "\n");
  }
  if (counts.with_faults > 0) {
    absl::StrAppend(&out, "  ", PadRight(en ? "with rule faults" : "有规则故障", 28),
                    absl::StrFormat("%10s", Thousands(counts.with_faults)), "\n");
  }
  if (counts.reasons.empty()) return out;

  // Titles come from the decisions; --lean decisions have none, so fall back to the rule
  // set's declarations (the last one of an id wins: an override follows what it replaces).
  std::map<std::string, std::string> declared;
  for (const DeclarationInfo& d : program.declarations()) {
    if (d.kind == "rule") declared[d.name] = d.title;
  }
  struct Line {
    std::string id;
    const BatchCounts::Reason* count;
  };
  std::vector<Line> lines;
  for (const auto& [id, c] : counts.reasons) lines.push_back({id, &c});
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    if (a.count->decisions != b.count->decisions) return a.count->decisions > b.count->decisions;
    return a.id < b.id;
  });
  absl::StrAppend(&out, en ? "reasons (rule, title, kind: records):\n" : "原因（规则、标题、结论：条数）：\n");
  for (const Line& line : lines) {
    std::string title = line.count->title;
    if (title.empty()) {
      auto it = declared.find(line.id);
      if (it != declared.end()) title = it->second;
    }
    const std::string label = absl::StrCat(line.id, " ", title, " [",
                                           KindLabel(line.count->kind, en), "]");
    absl::StrAppend(&out, "  ", PadRight(label, 64),
                    absl::StrFormat("%10s", Thousands(line.count->decisions)), "  ",
                    percent(line.count->decisions), "\n");
  }
  return out;
}

}  // namespace heyan::cli
