// `heyan diff`: what a new rule version changes, household by household, before it is adopted.
//
//   heyan diff --old RULES [--old-param NAME=VALUE ...] --new RULES [--new-param NAME=VALUE ...]
//              --in FILE --as-of YYYY-MM-DD [--in-type=applications|roll]
//              [--registry NAME=FILE ...] [--checked-on ...] [--format=text|csv|jsonl] [--out FILE]
//
// Both versions decide every household on the same date with the same registries; the report
// lists each household whose outcome, amount or reasons differ, then a summary: how many gain
// (become eligible), lose, get more or less, and the change of the total monthly cost.
// Private to the CLI.
#include <fstream>
#include <map>
#include <iostream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "campaign/records.h"
#include "campaign/screen.h"
#include "cli/campaign_cli.h"
#include "cli/registry_flags.h"
#include "common/date.h"
#include "common/text.h"
#include "io/application_reader.h"
#include "heyan/registry.h"
#include "heyan/v1/campaign.pb.h"

namespace heyan::cli {
namespace {

using campaign::OutcomeName;
using campaign::Yuan;

int DiffUsage(const std::string& problem) {
  std::cerr << "heyan diff: " << problem << "\n"
            << "用法：heyan diff --old 旧规则 [--old-param 参数=值 ...] --new 新规则 [--new-param 参数=值 ...]\n"
               "        --in 申请或在保名册.jsonl --as-of YYYY-MM-DD\n"
               "        [--in-type=applications|roll] [--registry NAME=FILE ...] [--checked-on ...]\n"
               "        [--format=text|csv|jsonl] [--out FILE]\n";
  return 2;
}

std::string Signed(int64_t fen) { return fen > 0 ? "+" + Yuan(fen) : Yuan(fen); }

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  return out + "\"";
}

// The monthly benefit a decision pays: benefit_fen when eligible, else 0.
int64_t Paid(const v1::Decision& d) { return d.outcome() == v1::ELIGIBLE ? d.benefit_fen() : 0; }

}  // namespace

int Diff(const std::vector<std::string>& args) {
  std::string old_rules, new_rules, in, in_type, format = "text", out_path, as_of, value;
  RegistryFlags registry_flags;
  std::map<std::string, std::string> old_params, new_params;
  for (size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    const bool old_param = args[i] == "--old-param" || args[i].rfind("--old-param=", 0) == 0;
    if (TakeOption(args, &i, "--old-param", &value, &missing) || TakeOption(args, &i, "--new-param", &value, &missing)) {
      const size_t eq = value.find('=');
      if (missing || eq == std::string::npos || eq == 0) return DiffUsage("--old-param/--new-param 应为 参数名=值，例如 郑州市城市低保标准=740元");
      (old_param ? old_params : new_params)[value.substr(0, eq)] = value.substr(eq + 1);
      continue;
    }
    if (TakeOption(args, &i, "--old", &old_rules, &missing) || TakeOption(args, &i, "--new", &new_rules, &missing) ||
        TakeOption(args, &i, "--in", &in, &missing) || TakeOption(args, &i, "--in-type", &in_type, &missing) ||
        TakeOption(args, &i, "--format", &format, &missing) || TakeOption(args, &i, "--out", &out_path, &missing) ||
        TakeOption(args, &i, "--as-of", &as_of, &missing)) {
      if (missing) return DiffUsage(absl::StrCat(args[i], " 缺少值"));
      continue;
    }
    if (TakeOption(args, &i, "--registry", &value, &missing)) {
      if (missing) return DiffUsage("--registry 缺少 NAME=FILE");
      if (std::string e = registry_flags.AddRegistry(value); !e.empty()) return DiffUsage(e);
      continue;
    }
    if (TakeOption(args, &i, "--checked-on", &value, &missing)) {
      if (missing) return DiffUsage("--checked-on 缺少 NAME=YYYY-MM-DD");
      if (std::string e = registry_flags.AddCheckedOn(value); !e.empty()) return DiffUsage(e);
      continue;
    }
    return DiffUsage(absl::StrCat("未知选项 ", args[i]));
  }
  if (old_rules.empty() || new_rules.empty()) return DiffUsage("需要 --old 和 --new 两个规则集");
  if (in.empty()) return DiffUsage("缺少 --in");
  int32_t days;
  if (as_of.empty() || !internal::ParseDate(as_of, &days)) {
    return DiffUsage("缺少 --as-of 或不是日期（两个版本在同一日期判定，YYYY-MM-DD）");
  }
  as_of = internal::FormatDate(days);
  if (!in_type.empty() && in_type != "applications" && in_type != "roll") {
    return DiffUsage("--in-type 应为 applications 或 roll");
  }
  if (format != "text" && format != "csv" && format != "jsonl") return DiffUsage("--format 应为 text、csv 或 jsonl");

  std::shared_ptr<const Program> old_program = CompileRulesArg("diff", old_rules, old_params);
  if (old_program == nullptr) return 2;
  std::shared_ptr<const Program> new_program = CompileRulesArg("diff", new_rules, new_params);
  if (new_program == nullptr) return 2;
  Registries registries;
  if (absl::Status s = registry_flags.Load(&registries); !s.ok()) {
    std::cerr << "heyan diff: " << s.message() << "\n";
    return 1;
  }
  absl::StatusOr<io::InputFile> file = io::InputFile::Open(in, io::kApplicationFile);
  if (!file.ok()) {
    std::cerr << "heyan diff: " << file.status().message() << "\n";
    return 1;
  }
  std::ofstream out_file;
  if (!out_path.empty()) {
    out_file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!out_file) {
      std::cerr << "heyan diff: " << out_path << ": 无法写入\n";
      return 1;
    }
  }
  std::ostream& out = out_path.empty() ? std::cout : out_file;
  if (format == "text") {
    auto params = [](const std::map<std::string, std::string>& p) {
      std::string s;
      for (const auto& [k, v] : p) absl::StrAppend(&s, "，", k, " = ", v);
      return s;
    };
    out << "规则对比：旧 " << old_program->name() << " " << old_program->version() << "（" << old_rules
        << params(old_params) << "）\n"
        << "          新 " << new_program->name() << " " << new_program->version() << "（" << new_rules
        << params(new_params) << "）\n"
        << "评估日期：" << as_of << "\n\n";
  } else if (format == "csv") {
    out << "编号,乡镇,村居,旧结论,新结论,旧金额（元）,新金额（元）,金额变化（元）,变化类型,新增原因,不再适用的原因\n";
  }

  io::LineReader lines(&*file);
  std::string_view line;
  v1::RollRecord roll;
  v1::Application application;
  v1::Decision old_d, new_d;
  io::ApplicationReader reader;
  EvalOptions eval;
  eval.as_of = as_of;
  int64_t households = 0, changed = 0, gain = 0, lose = 0, more = 0, less = 0, reasons_only = 0;
  int64_t old_total = 0, new_total = 0;
  while (lines.Next(&line)) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const bool is_roll = in_type == "roll" || (in_type.empty() && line.find("\"household\"") != std::string_view::npos);
    std::string problem;
    if (is_roll) {
      problem = campaign::ParseRollJson(line, &roll);
    } else if (io::ReadError error; !reader.ParseJson(line, &application, &error)) {
      problem = error.field.empty() ? error.message : absl::StrCat(error.field, ": ", error.message);
    }
    if (!problem.empty()) {
      std::cerr << "heyan diff: " << in << ":" << lines.line_number() << ": " << problem << "\n";
      return 1;
    }
    if (is_roll) {
      application = roll.household();
      application.set_kind(v1::RECHECK);
    }
    for (auto [program, decision] : {std::pair{old_program.get(), &old_d}, std::pair{new_program.get(), &new_d}}) {
      if (absl::Status s = program->Evaluate(application, registries, eval, decision); !s.ok()) {
        std::cerr << "heyan diff: " << in << ":" << lines.line_number() << ": " << s.message() << "\n";
        return 1;
      }
    }
    ++households;
    const int64_t before = Paid(old_d), after = Paid(new_d);
    old_total += before;
    new_total += after;
    std::set<std::string> old_rules_applied, new_rules_applied;
    for (const v1::Reason& r : old_d.reasons()) old_rules_applied.insert(absl::StrCat(r.rule_id(), " ", r.title()));
    for (const v1::Reason& r : new_d.reasons()) new_rules_applied.insert(absl::StrCat(r.rule_id(), " ", r.title()));
    std::vector<std::string> added, removed;
    for (const std::string& r : new_rules_applied) {
      if (!old_rules_applied.contains(r)) added.push_back(r);
    }
    for (const std::string& r : old_rules_applied) {
      if (!new_rules_applied.contains(r)) removed.push_back(r);
    }
    const bool outcome_changed = old_d.outcome() != new_d.outcome();
    if (!outcome_changed && before == after && added.empty() && removed.empty()) continue;
    ++changed;
    std::string kind;
    if (old_d.outcome() != v1::ELIGIBLE && new_d.outcome() == v1::ELIGIBLE) {
      kind = "新增符合";
      ++gain;
    } else if (old_d.outcome() == v1::ELIGIBLE && new_d.outcome() != v1::ELIGIBLE) {
      kind = "不再符合";
      ++lose;
    } else if (after > before) {
      kind = "金额增加";
      ++more;
    } else if (after < before) {
      kind = "金额减少";
      ++less;
    } else {
      kind = outcome_changed ? "结论变化" : "原因变化";
      ++reasons_only;
    }
    const std::string& id = application.id();
    if (format == "text") {
      out << id << "（" << application.township() << application.village() << "）：" << kind << "\n"
          << "    结论 " << OutcomeName(old_d.outcome()) << " → " << OutcomeName(new_d.outcome()) << "；月保障金 "
          << Yuan(before) << " → " << Yuan(after) << " 元（" << Signed(after - before) << "）\n";
      for (const std::string& r : added) out << "    + " << r << "\n";
      for (const std::string& r : removed) out << "    - " << r << "\n";
    } else if (format == "csv") {
      out << Csv(id) << "," << Csv(application.township()) << "," << Csv(application.village()) << ","
          << OutcomeName(old_d.outcome()) << "," << OutcomeName(new_d.outcome()) << "," << Yuan(before) << ","
          << Yuan(after) << "," << Signed(after - before) << "," << kind << "," << Csv(absl::StrJoin(added, "；"))
          << "," << Csv(absl::StrJoin(removed, "；")) << "\n";
    } else {
      std::vector<std::string> a, r;
      for (const std::string& s : added) a.push_back(internal::JsonQuote(s));
      for (const std::string& s : removed) r.push_back(internal::JsonQuote(s));
      out << "{\"id\":" << internal::JsonQuote(id) << ",\"change\":" << internal::JsonQuote(kind)
          << ",\"old_outcome\":\"" << v1::Outcome_Name(old_d.outcome()) << "\",\"new_outcome\":\""
          << v1::Outcome_Name(new_d.outcome()) << "\",\"old_benefit_fen\":" << before
          << ",\"new_benefit_fen\":" << after << ",\"rules_added\":[" << absl::StrJoin(a, ",")
          << "],\"rules_removed\":[" << absl::StrJoin(r, ",") << "]}\n";
    }
  }
  if (!lines.status().ok()) {
    std::cerr << "heyan diff: " << lines.status().message() << "\n";
    return 1;
  }
  if (households == 0) {
    std::cerr << "heyan diff: " << in << ": 没有记录\n";
    return 1;
  }
  const std::string summary = absl::StrCat(
      "共 ", households, " 户，有变化 ", changed, " 户：新增符合 ", gain, " 户，不再符合 ", lose, " 户，金额增加 ", more,
      " 户，金额减少 ", less, " 户，仅结论或原因变化 ", reasons_only, " 户\n月保障金总额：", Yuan(old_total), " → ",
      Yuan(new_total), " 元（每月 ", Signed(new_total - old_total), " 元）\n");
  if (format == "text") out << "\n" << summary;
  std::cerr << "heyan diff：" << summary;
  out.flush();
  if (!out) {
    std::cerr << "heyan diff: 写入失败\n";
    return 1;
  }
  return 0;
}

}  // namespace heyan::cli
