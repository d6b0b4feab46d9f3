// decision_dump: prints, for every shipped policy test case (rules/**/tests/*.textproto, read
// as `heyan test` reads them), the Decision as protobuf JSON with a trace, full and lean, and
// its explanations (staff and applicant, Chinese and English, text, JSON and HTML).
//
// A developer tool, not a test: run it before and after a change to the evaluator or the
// explanations and diff the two outputs (benchmarks/README.md, "Differential check").
//
//   decision_dump [SOURCE_DIR] > decisions.txt
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/compiler.h"
#include "heyan/explain.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "runtime/interpreter.h"
#include "runtime/program_impl.h"
#include "support/shipped_cases.h"

namespace heyan {
namespace {

namespace fs = std::filesystem;

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &out, o).ok()) return "(not printable)";
  return out;
}

int Run(const std::string& root) {
  for (const test_support::ShippedCase& c : test_support::LoadShippedCases(root)) {
    std::cout << "==== " << fs::relative(c.file, root).generic_string() << "\n";
    if (!c.problem.empty()) {
      std::cout << c.problem << "\n";
      continue;
    }
    const v1::TestCase& test = c.test;
    const std::shared_ptr<const Program>& program = c.program;
    v1::Decision traced;
    for (int variant = 0; variant < 3; ++variant) {
      EvalOptions eval;
      eval.trace = variant == 0;
      eval.explain = variant != 2;
      v1::Decision decision;
      const absl::Status s = test_support::EvaluateShippedCase(c, eval, &decision);
      static const char* kNames[] = {"trace", "full", "lean"};
      std::cout << "-- " << kNames[variant] << "\n";
      if (!s.ok()) {
        std::cout << "error: " << s << "\n";
        continue;
      }
      std::cout << Json(decision) << "\n";
      if (variant == 0) traced = decision;
    }
    for (auto audience : {ExplainOptions::Audience::kStaff, ExplainOptions::Audience::kApplicant}) {
      for (auto language : {Language::kChinese, Language::kEnglish}) {
        for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
          ExplainOptions o;
          o.audience = audience;
          o.language = language;
          o.format = format;
          o.program = program.get();
          absl::StatusOr<std::string> text = Explain(traced, test.application(), o);
          std::cout << "-- explain " << static_cast<int>(audience) << static_cast<int>(language)
                    << static_cast<int>(format) << "\n"
                    << (text.ok() ? *text : text.status().ToString()) << "\n";
        }
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace heyan

int main(int argc, char** argv) {
  // decision_dump --plan RULES: the flat plan of a rule file instead.
  if (argc > 2 && std::string(argv[1]) == "--plan") {
    auto r = heyan::CompileFile(argv[2]);
    if (!r.ok() || !r->ok()) return 1;
    const auto& impl = static_cast<const heyan::internal::ProgramImpl&>(*r->program);
    std::cout << heyan::internal::DumpPlan(impl.plan());
    return 0;
  }
  return heyan::Run(argc > 1 ? argv[1] : HEYAN_SOURCE_DIR);
}
