// Compiles an in-memory rule set with an installed Heyan and decides one application.
// Exit status 0 when the decision is the expected one.
#include <iostream>
#include <string>

#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"

namespace {

constexpr char kRules[] = R"(规则集 安装测试 版本 "1"
参数 月低保标准: 金额 自 2023-01-01 起 = 440元 依据 "河南省民政厅答问第5号（2023）"
计算 人数 = 计数(成员 其中 共同生活)
计算 家庭月收入: 金额 = 合计(成员.收入: 金额)
规则 R02 "家庭成员为财政供养人员" 依据 "核对"
  当 任一 成员 满足 身份证号 属于 登记册.财政供养人员
  则 需复核 "成员 {成员.姓名} 在财政供养人员名册中"
输出 月保障金 = 如果 符合条件 则 向上取整到元(较大值(月低保标准 * 人数 - 家庭月收入, 0元)) 否则 0元 记为 benefit
)";

}  // namespace

int main() {
  heyan::CompileOptions options;
  options.sources["consumer.heyan"] = kRules;
  absl::StatusOr<heyan::CompileResult> compiled = heyan::CompileFile("consumer.heyan", options);
  if (!compiled.ok()) {
    std::cerr << "compile failed: " << compiled.status() << "\n";
    return 1;
  }
  if (!compiled->ok()) {
    for (const heyan::Diagnostic& d : compiled->diagnostics) std::cerr << heyan::FormatDiagnostic(d);
    return 1;
  }

  heyan::v1::Application app;
  app.set_id("consumer-1");
  app.set_application_date("2023-06-01");
  for (int i = 0; i < 2; ++i) {
    heyan::v1::Member* m = app.add_members();
    m->set_id_number(i == 0 ? "410100195001011234" : "410100198002022345");
    m->set_name(i == 0 ? "张三" : "李四");
    m->set_lives_together(true);
  }
  heyan::v1::Income* income = app.mutable_members(0)->add_incomes();
  income->set_source(heyan::v1::CASUAL_LABOUR);
  income->set_amount_fen(50050);  // 500.50元
  income->set_period(heyan::v1::MONTHLY);

  heyan::Registries registries;
  if (!registries.AddId("财政供养人员", "410100198002022345").ok()) return 1;
  if (!registries.MarkChecked("财政供养人员", {"2023-05-31", "财政局 2023-05", ""}).ok()) return 1;

  absl::StatusOr<heyan::v1::Decision> decision = compiled->program->Evaluate(app, registries);
  if (!decision.ok()) {
    std::cerr << "evaluate failed: " << decision.status() << "\n";
    return 1;
  }
  std::cout << decision->DebugString();
  // 440元 × 2 − 500.50元 = 379.50元, rounded up to 380元; R02 asks for review.
  const bool ok = decision->outcome() == heyan::v1::NEEDS_REVIEW && decision->benefit_fen() == 38000 &&
                  decision->reasons_size() == 1 && decision->reasons(0).message() == "成员 李四 在财政供养人员名册中" &&
                  decision->engine_version() == heyan::kEngineVersion && decision->checks_size() == 1 &&
                  decision->checks(0).reference() == "财政局 2023-05";
  if (!ok) {
    std::cerr << "unexpected decision\n";
    return 1;
  }
  std::cout << "consumer ok\n";
  return 0;
}
