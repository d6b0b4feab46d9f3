// `heyan disclose`: the three-level public notices of the roll (村居公示, 乡镇公示, 县级汇总).
//
//   heyan disclose --roll ROLL.jsonl --as-of YYYY-MM-DD --out-dir DIR [--format=html|csv|all]
//                  [--title 县区名]
//
// Private to the CLI; the notices and their privacy rules are campaign/disclose.h.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "campaign/disclose.h"
#include "campaign/records.h"
#include "cli/campaign_cli.h"
#include "common/date.h"

namespace heyan::cli {
namespace {

int DiscloseUsage(const std::string& problem) {
  std::cerr << "heyan disclose: " << problem << "\n"
            << "用法：heyan disclose --roll 在保名册.jsonl --as-of YYYY-MM-DD --out-dir 目录 [--format=html|csv|all]\n"
               "        [--title 县区名]\n";
  return 2;
}

}  // namespace

int Disclose(const std::vector<std::string>& args) {
  std::string roll, dir, format = "all";
  campaign::DiscloseOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    if (TakeOption(args, &i, "--roll", &roll, &missing) || TakeOption(args, &i, "--out-dir", &dir, &missing) ||
        TakeOption(args, &i, "--format", &format, &missing) || TakeOption(args, &i, "--as-of", &options.as_of, &missing) ||
        TakeOption(args, &i, "--title", &options.title, &missing)) {
      if (missing) return DiscloseUsage(absl::StrCat(args[i], " 缺少值"));
      continue;
    }
    return DiscloseUsage(absl::StrCat("未知选项 ", args[i]));
  }
  if (roll.empty()) return DiscloseUsage("缺少 --roll");
  if (dir.empty()) return DiscloseUsage("缺少 --out-dir");
  int32_t days;
  if (options.as_of.empty() || !internal::ParseDate(options.as_of, &days)) {
    return DiscloseUsage("缺少 --as-of 或不是日期（公示日期，YYYY-MM-DD；未成年人按此日期认定）");
  }
  options.as_of = internal::FormatDate(days);
  campaign::NoticeFormats formats;
  if (format == "html") {
    formats.csv = false;
  } else if (format == "csv") {
    formats.html = false;
  } else if (format != "all") {
    return DiscloseUsage("--format 应为 html、csv 或 all");
  }
  absl::StatusOr<std::unique_ptr<campaign::JsonLines>> lines = campaign::JsonLines::Open(roll, campaign::kRollFile);
  if (!lines.ok()) {
    std::cerr << "heyan disclose: " << lines.status().message() << "\n";
    return 1;
  }
  campaign::Disclosure disclosure(options);
  v1::RollRecord record;
  std::string line;
  while ((*lines)->NextLine(&line)) {
    if (std::string problem = campaign::ParseRollJson(line, &record); !problem.empty()) {
      std::cerr << "heyan disclose: " << roll << ":" << (*lines)->line_number() << ": " << problem << "\n";
      return 1;
    }
    if (absl::Status s = disclosure.Add(record); !s.ok()) {
      std::cerr << "heyan disclose: " << roll << ":" << (*lines)->line_number() << ": " << s.message() << "\n";
      return 1;
    }
  }
  if (!(*lines)->status().ok()) {
    std::cerr << "heyan disclose: " << (*lines)->status().message() << "\n";
    return 1;
  }
  if (disclosure.households() == 0) {
    std::cerr << "heyan disclose: " << roll << ": 在保名册中没有记录\n";
    return 1;
  }
  if (absl::Status s = disclosure.Write(dir, formats); !s.ok()) {
    std::cerr << "heyan disclose: " << s.message() << "\n";
    return 1;
  }
  std::cerr << "heyan disclose：" << disclosure.households() << " 户，其中 " << disclosure.withheld()
            << " 户依规定不公示姓名 → " << dir << "/（村居公示、乡镇公示、县级汇总）\n";
  return 0;
}

}  // namespace heyan::cli
