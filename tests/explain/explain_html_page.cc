// Writes example explanation pages for the HTML render test (check_html_render.cmake):
//   explain_html_page OUT_DIR  ->  OUT_DIR/staff.html, OUT_DIR/applicant.html,
//                                  OUT_DIR/letter-CASE.html for every case in tests/explain/cases
// The staff page explains an eligible household (policy-facts §9 example 3: 1100 yuan);
// the applicant page is the letter for a household with register matches. The letters are
// the applicant letters of typical households (eligible, refused, documents missing, to be
// verified), issued by a named office with a telephone number: each must print on one A4
// page.
#include <fstream>
#include <iostream>
#include <string>

#include "explain_testing.h"
#include "heyan/explain.h"

namespace {

int Write(const std::string& path, const std::string& case_name, const heyan::testing::RegistryIds& ids,
          heyan::ExplainOptions::Audience audience, const std::string& rules = "rules/examples/city.heyan") {
  std::string errors;
  std::shared_ptr<const heyan::Program> program = heyan::testing::CompileRules(rules, {}, &errors);
  if (program == nullptr) {
    std::cerr << errors;
    return 1;
  }
  heyan::v1::Application application;
  if (!heyan::testing::ReadCase(case_name, &application)) {
    std::cerr << "cannot read case " << case_name << "\n";
    return 1;
  }
  heyan::Registries registries = heyan::testing::MakeRegistries(ids);
  heyan::EvalOptions eval;
  eval.trace = true;
  heyan::v1::Decision decision;
  if (!program->Evaluate(application, registries, eval, &decision).ok()) return 1;
  heyan::ExplainOptions options;
  options.audience = audience;
  options.format = heyan::ExplainOptions::Format::kHtml;
  options.program = program.get();
  if (audience == heyan::ExplainOptions::Audience::kApplicant) {
    options.issuing_office = "郑州市金水区经八路街道办事处";
    options.contact_phone = "0371-65550000";
  }
  absl::StatusOr<std::string> html = heyan::Explain(decision, application, options);
  if (!html.ok()) {
    std::cerr << html.status() << "\n";
    return 1;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << *html;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: explain_html_page OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  int rc = Write(dir + "/staff.html", "household_urban", {}, heyan::ExplainOptions::Audience::kStaff);
  if (rc == 0) {
    rc = Write(dir + "/applicant.html", "household_urban",
               {{"财政供养人员", "410105198708152345"}, {"近亲属备案", "410105198503071234"}},
               heyan::ExplainOptions::Audience::kApplicant);
  }
  // Typical households under the Zhengzhou rules, as a county issues them.
  for (const char* name : {"household_632", "household_700", "household_missing", "household_other_members_items",
                           "household_rural_car", "household_urban", "household_z03_2015_tier_a", "household_z10_tier_b"}) {
    if (rc != 0) break;
    rc = Write(dir + "/letter-" + name + ".html", name, {}, heyan::ExplainOptions::Audience::kApplicant,
               "rules/henan/zhengzhou/zhengzhou.heyan");
  }
  return rc;
}
