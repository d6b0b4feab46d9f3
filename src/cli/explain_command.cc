// heyan explain: decide one application with a trace and print the explanation.
//
//   heyan explain --rules PATH [--registry NAME=FILE ...] APPLICATION [--as-of YYYY-MM-DD]
//                 [--lang=en] [--audience=staff|applicant] [--format=text|json|html] [--out FILE]
//                 [--strict-ids] [--addressee ID] [--with-sources]
//                 [--office NAME] [--phone NUMBER] [--publicity-days N]
//
// APPLICATION holds one heyan.v1.Application: protobuf JSON (one object, may be pretty-printed)
// or, for *.textproto / *.txtpb / *.pbtxt, protobuf text format.
// Exit codes: 0 explained; 2 bad usage, rule errors (diagnostics on stderr) or unreadable input;
// 1 the evaluation or the explanation failed.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "cli/registry_flags.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/compiler.h"
#include "heyan/explain.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "io/application_reader.h"
#include "io/household.h"
#include "io/input_file.h"

namespace heyan::cli {
namespace {

// A usage error: the problem in the language asked for, then the usage lines.
Language g_usage_lang = Language::kChinese;
int ExplainUsage(const char* zh, const std::string& en) {
  return UsageError("explain", g_usage_lang == Language::kEnglish ? en : std::string(zh), g_usage_lang);
}

// One application is small; a file larger than this is not one.
constexpr size_t kMaxApplicationBytes = size_t{64} << 20;

}  // namespace

int Explain(const std::vector<std::string>& args) {
  std::string rules, application_path, as_of, out_path;
  RegistryFlags registries;
  bool strict_ids = false;
  ExplainOptions options;
  g_usage_lang = LanguageOf(args);
  // Accepts both "--opt=value" and "--opt value".
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string name = a, value;
    bool has_value = false;
    if (absl::StartsWith(a, "--")) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        has_value = true;
      }
    }
    auto take = [&](std::string* into) -> bool {
      if (has_value) {
        *into = value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      *into = args[++i];
      return true;
    };
    if (name == "--rules") {
      if (!take(&rules)) return ExplainUsage("--rules 后面要写规则文件或目录", "--rules needs a path");
    } else if (name == "--registry") {
      std::string r;
      if (!take(&r)) return ExplainUsage("--registry 后面要写 名称=文件", "--registry needs NAME=FILE");
      if (std::string e = registries.AddRegistry(r); !e.empty()) return ExplainUsage(e.c_str(), e);
    } else if (name == "--checked-on") {
      std::string r;
      if (!take(&r)) return ExplainUsage("--checked-on 后面要写 名称=YYYY-MM-DD[,批次]", "--checked-on needs NAME=YYYY-MM-DD[,REFERENCE]");
      if (std::string e = registries.AddCheckedOn(r); !e.empty()) return ExplainUsage(e.c_str(), e);
    } else if (name == "--as-of") {
      if (!take(&as_of)) return ExplainUsage("--as-of 后面要写日期（YYYY-MM-DD）", "--as-of needs a date");
    } else if (name == "--strict-ids" && !has_value) {
      strict_ids = true;
    } else if (name == "--out") {
      if (!take(&out_path)) return ExplainUsage("--out 后面要写文件名", "--out needs a file");
    } else if (name == "--lang") {
      std::string v;
      if (!take(&v) || (v != "zh" && v != "en")) return ExplainUsage("--lang 只能是 zh 或 en", "--lang is zh or en");
      options.language = v == "en" ? Language::kEnglish : Language::kChinese;
    } else if (name == "--audience") {
      std::string v;
      if (!take(&v) || (v != "staff" && v != "applicant")) return ExplainUsage("--audience 只能是 staff（工作人员）或 applicant（申请人）", "--audience is staff or applicant");
      options.audience = v == "applicant" ? ExplainOptions::Audience::kApplicant : ExplainOptions::Audience::kStaff;
    } else if (name == "--addressee") {
      if (!take(&options.addressee_id_number) || options.addressee_id_number.empty()) {
        return ExplainUsage("--addressee 后面要写告知书收件成员的身份证号", "--addressee needs the ID number of the member the letter is for");
      }
    } else if (name == "--with-sources" && !has_value) {
      options.show_rule_sources = true;
    } else if (name == "--office") {
      if (!take(&options.issuing_office) || options.issuing_office.empty()) {
        return ExplainUsage("--office 后面要写经办单位名称，例如 --office 郑州市金水区经八路街道办事处",
                            "--office needs the issuing office's name");
      }
    } else if (name == "--phone") {
      if (!take(&options.contact_phone) || options.contact_phone.empty()) {
        return ExplainUsage("--phone 后面要写联系电话，例如 --phone 0371-65550000", "--phone needs a telephone number");
      }
    } else if (name == "--publicity-days") {
      std::string v;
      int days = 0;
      if (!take(&v) || !absl::SimpleAtoi(v, &days) || days < 1 || days > 90) {
        return ExplainUsage("--publicity-days 是公示天数，1 到 90 之间的整数（默认 7）",
                            "--publicity-days is the number of days of public notice, 1 to 90 (default 7)");
      }
      options.publicity_days = days;
    } else if (name == "--format") {
      std::string v;
      if (!take(&v) || (v != "text" && v != "json" && v != "html")) return ExplainUsage("--format 只能是 text、json 或 html", "--format is text, json or html");
      options.format = v == "json" ? ExplainOptions::Format::kJson
                       : v == "html" ? ExplainOptions::Format::kHtml
                                     : ExplainOptions::Format::kText;
    } else if (absl::StartsWith(a, "--")) {
      return ExplainUsage(absl::StrCat("未知的选项 ", a).c_str(), absl::StrCat("unknown option ", a));
    } else if (application_path.empty()) {
      application_path = a;
    } else {
      return ExplainUsage("只能给一个申请文件", "give one application file");
    }
  }
  if (rules.empty()) return ExplainUsage("缺少 --rules（规则文件或目录）", "--rules is required");
  if (application_path.empty()) return ExplainUsage("缺少申请文件", "an application file is required");
  const bool en = options.language == Language::kEnglish;
  // The output path before any work: a directory or a missing directory is a usage error.
  if (!out_path.empty()) {
    if (absl::Status s = io::CheckOutputPath(out_path, io::kOutputFile, en); !s.ok()) {
      std::cerr << "heyan explain: " << s.message() << "\n";
      return 2;
    }
  }

  // Rules: a file, or a directory with exactly one entry rule set.
  absl::StatusOr<std::string> entry = FindEntryRuleSet({rules}, options.language);
  if (!entry.ok()) {
    std::cerr << "heyan explain: " << entry.status().message() << "\n";
    return 2;
  }
  CompileOptions compile_options;
  absl::StatusOr<CompileResult> compiled = CompileFile(*entry, compile_options);
  if (!compiled.ok()) {
    std::cerr << "heyan explain: " << compiled.status().message() << "\n";
    return 2;
  }
  for (const Diagnostic& d : compiled->diagnostics) std::cerr << FormatDiagnostic(d, options.language);
  if (!compiled->ok()) return 2;
  const Program& program = *compiled->program;

  RegistryOptions registry_options;
  registry_options.reject_bad_check_character = strict_ids;
  Registries loaded(registry_options);
  if (absl::Status s = registries.Load(&loaded); !s.ok()) {
    std::cerr << "heyan explain: " << s.message() << "\n";
    return 2;
  }

  absl::StatusOr<std::string> text =
      io::ReadWholeFile(application_path, io::kApplicationFile, kMaxApplicationBytes, en);
  if (!text.ok()) {
    std::cerr << "heyan explain: " << text.status().message() << "\n";
    return 2;
  }
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    std::cerr << "heyan explain: " << application_path
              << (en ? ": the application file is empty\n" : ": 申请文件是空的\n");
    return 2;
  }
  // One household: an Application, a VerificationRequest (申请 + 核对结果) or a heyan test
  // case, in JSON or text format, with English or Chinese names (io/household.h).
  io::Household household;
  if (absl::Status s = io::ReadHousehold(*text, en, &household); !s.ok()) {
    std::cerr << "heyan explain: " << application_path << ": " << s.message() << "\n";
    return 2;
  }
  const bool is_request = household.is_request;
  const v1::VerificationRequest& request = household.request;
  const v1::Application& application = request.application();

  if (!options.addressee_id_number.empty() &&
      std::none_of(application.members().begin(), application.members().end(),
                   [&](const v1::Member& m) { return m.id_number() == options.addressee_id_number; })) {
    std::cerr << "heyan explain: --addressee " << options.addressee_id_number
              << (en ? ": no member of the application has this ID number\n" : "：申请中没有这个身份证号的成员\n");
    return 2;
  }

  EvalOptions eval;
  eval.trace = true;
  eval.as_of = as_of;
  v1::Decision decision;
  absl::Status s = is_request ? program.Evaluate(request, loaded, eval, &decision)
                              : program.Evaluate(application, loaded, eval, &decision);
  if (!s.ok()) {
    std::cerr << "heyan explain: " << s.message() << "\n";
    return s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  options.program = &program;
  absl::StatusOr<std::string> explanation = heyan::Explain(decision, application, options);
  if (!explanation.ok()) {
    std::cerr << "heyan explain: " << explanation.status().message() << "\n";
    return 1;
  }
  if (out_path.empty()) {
    std::cout << *explanation;
    return std::cout.good() ? 0 : 1;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out << *explanation;
  out.close();
  if (!out) {
    std::cerr << "heyan explain: " << (en ? "cannot write " : "无法写入 ") << out_path << "\n";
    return 1;
  }
  return 0;
}

}  // namespace heyan::cli
