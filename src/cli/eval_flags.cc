#include "cli/eval_flags.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/help.h"
#include "common/date.h"

namespace heyan::cli {
namespace {

bool ParseFormat(const std::string& text, std::optional<Format>* out) {
  if (text == "json" || text == "jsonl") {
    *out = Format::kJson;
  } else if (text == "binary" || text == "pb") {
    *out = Format::kBinary;
  } else if (text == "csv") {
    *out = Format::kCsv;
  } else if (text == "xlsx") {
    *out = Format::kXlsx;
  } else {
    return false;
  }
  return true;
}

}  // namespace

Format FormatFor(const std::string& path, const std::optional<Format>& given) {
  if (given.has_value()) return *given;
  if (absl::EndsWith(path, ".pb") || absl::EndsWith(path, ".bin")) return Format::kBinary;
  if (absl::EndsWith(path, ".csv")) return Format::kCsv;
  if (absl::EndsWith(path, ".xlsx")) return Format::kXlsx;
  return Format::kJson;
}

std::string ParseFlags(const std::vector<std::string>& args, Flags* flags, Language lang) {
  auto say = [&](const std::string& zh, const std::string& en) { return lang == Language::kEnglish ? en : zh; };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> inline_value;
    if (absl::StartsWith(name, "--")) {
      const size_t eq = name.find('=');
      if (eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
    } else {
      return say(absl::StrCat("多余的参数“", name, "”"), absl::StrCat("unexpected argument '", name, "'"));
    }
    auto value = [&](std::string* out) -> bool {
      if (inline_value.has_value()) {
        *out = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    auto no_value = [&]() { return !inline_value.has_value(); };
    std::string v;
    if (name == "--rules") {
      if (!value(&flags->rules)) return say("--rules 后面要写规则文件或目录", "--rules needs a path");
    } else if (name == "--registry") {
      if (!value(&v)) return say("--registry 后面要写 名称=文件", "--registry needs NAME=FILE");
      if (std::string e = flags->registries.AddRegistry(v); !e.empty()) return e;
    } else if (name == "--checked-on") {
      if (!value(&v)) return say("--checked-on 后面要写 名称=YYYY-MM-DD[,批次]", "--checked-on needs NAME=YYYY-MM-DD[,REFERENCE]");
      if (std::string e = flags->registries.AddCheckedOn(v); !e.empty()) return e;
    } else if (name == "--in") {
      if (!value(&flags->in)) return say("--in 后面要写申请文件（- 表示标准输入）", "--in needs a file (- for stdin)");
    } else if (name == "--out") {
      if (!value(&flags->out)) return say("--out 后面要写输出文件（- 表示标准输出）", "--out needs a file (- for stdout)");
    } else if (name == "--threads") {
      if (!value(&v) || !absl::SimpleAtoi(v, &flags->threads) || flags->threads < 1 ||
          flags->threads > 1024) {
        return say("--threads 要写 1 到 1024 之间的数", "--threads needs a number from 1 to 1024");
      }
    } else if (name == "--batch-size") {
      if (!value(&v) || !absl::SimpleAtoi(v, &flags->batch_size) || flags->batch_size < 1 ||
          flags->batch_size > 1000000) {
        return say("--batch-size 要写 1 到 1000000 之间的数", "--batch-size needs a number from 1 to 1000000");
      }
    } else if (name == "--in-format") {
      if (!value(&v)) return say("--in-format 只能是 json、binary、text 或 csv", "--in-format is json, binary, text or csv");
      if (v == "text" || v == "textproto" || v == "csv") {
        flags->in_text = v == "csv" ? "csv" : "text";
      } else if (!ParseFormat(v, &flags->in_format)) {
        return say("--in-format 只能是 json、binary、text 或 csv", "--in-format is json, binary, text or csv");
      }
    } else if (name == "--in-type") {
      if (!value(&v)) return say("--in-type 只能是 auto、application 或 request", "--in-type is auto, application or request");
      if (v == "auto") {
        flags->in_type = InputType::kAuto;
      } else if (v == "application") {
        flags->in_type = InputType::kApplication;
      } else if (v == "request") {
        flags->in_type = InputType::kRequest;
      } else {
        return say("--in-type 只能是 auto、application 或 request", "--in-type is auto, application or request");
      }
    } else if (name == "--out-format") {
      if (!value(&v) || !ParseFormat(v, &flags->out_format)) {
        return say("--out-format 只能是 jsonl、binary、csv 或 xlsx", "--out-format is jsonl, binary, csv or xlsx");
      }
    } else if (name == "--format") {
      // Both directions at once (the spelling the top-level usage shows).
      if (!value(&v) || !ParseFormat(v, &flags->out_format) || *flags->out_format == Format::kCsv ||
          *flags->out_format == Format::kXlsx) {
        return say("--format 只能是 json 或 binary（要输出表格请用 --out-format csv 或 xlsx）",
                   "--format is json or binary (for a table of decisions use --out-format csv or xlsx)");
      }
      flags->in_format = flags->out_format;
    } else if (name == "--as-of") {
      int32_t days;
      if (!value(&flags->as_of) || !internal::ParseDate(flags->as_of, &days)) {
        return say(absl::StrCat("--as-of 要写 YYYY-MM-DD 格式的日期，而不是“", flags->as_of, "”"),
                   absl::StrCat("--as-of needs a date YYYY-MM-DD, got '", flags->as_of, "'"));
      }
    } else if (name == "--trace" && no_value()) {
      flags->trace = true;
    } else if (name == "--strict-ids" && no_value()) {
      flags->strict_ids = true;
    } else if (name == "--lean" && no_value()) {
      flags->lean = true;
    } else if (name == "--lang") {
      if (!value(&v) || (v != "en" && v != "zh")) return say("--lang 只能是 zh 或 en", "--lang is en or zh");
      flags->lang = v == "en" ? Language::kEnglish : Language::kChinese;
    } else {
      return say(absl::StrCat("未知的选项 ", args[i]), absl::StrCat("unknown option ", args[i]));
    }
  }
  if (flags->rules.empty()) return say("缺少 --rules（规则文件或目录）", "--rules is required");
  if (flags->in.empty()) return say("缺少 --in（申请文件，- 表示标准输入）", "--in is required (- for stdin)");
  return "";
}

}  // namespace heyan::cli
