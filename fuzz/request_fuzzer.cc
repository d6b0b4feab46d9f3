// Fuzz target: VerificationRequest bytes through the service's Evaluate, as `heyan serve`
// receives them: protobuf parsing, then service::Core (the caller's county, the rule set and
// its pinned fingerprint, value checks, Program::Evaluate, the audit log with its ID hashing),
// then the staff explanation of every decision. The service holds the example rule set
// (default) and the Zhengzhou rules, with the example registries loaded.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <memory>
#include <string>

#include "fuzz_util.h"
#include "service/core.h"

namespace {

std::unique_ptr<heyan::service::Core> g_core;
std::string g_audit;

void RemoveAudit() {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((g_audit + suffix).c_str());
}

// The service is built once, before fuzzing starts (compiling the rules takes seconds under
// ASan, which must not count against one input's time limit). Its audit log is a file in
// TMPDIR, not memory: it grows with every input, and the fuzzer's memory must stay flat.
std::unique_ptr<heyan::service::Core> NewCore() {
  const std::string src = heyan::fuzz::SourceDir();
  heyan::service::CoreOptions options;
  options.rules = {src + "/rules/examples/city.heyan", src + "/rules/henan"};
  const char* tmp = std::getenv("TMPDIR");
  g_audit = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/heyan-fuzz-audit-" +
            std::to_string(getpid()) + ".db";
  RemoveAudit();
  std::atexit(RemoveAudit);
  options.audit.path = g_audit;
  for (const char* r : {"财政供养人员=public_payroll_staff.csv", "近亲属备案=staff_relatives.csv",
                        "车辆登记=vehicle_registrations.csv", "残疾人证=disability_certificates.csv",
                        "农机购置补贴=machinery_subsidies.csv", "社保=social_insurance.csv",
                        "建档立卡=poverty_registry.csv"}) {
    std::string flag(r);
    const size_t eq = flag.find('=');
    options.registries.AddRegistry(flag.substr(0, eq + 1) + src + "/examples/data/" + flag.substr(eq + 1));
  }
  absl::StatusOr<std::unique_ptr<heyan::service::Core>> core = heyan::service::Core::Create(options);
  if (!core.ok()) {
    fprintf(stderr, "request_fuzzer: %s\n", std::string(core.status().message()).c_str());
    std::abort();  // the shipped rules and data must load
  }
  const auto snap = (*core)->snapshot();
  if (snap->rule_sets.size() < 2) std::abort();
  return *std::move(core);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_core = NewCore();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  heyan::service::Core* core = g_core.get();
  static const heyan::service::Caller everyone = [] {
    heyan::service::Caller c;
    c.name = "fuzz-city";
    c.all_counties = true;
    return c;
  }();
  static const heyan::service::Caller county = [] {
    heyan::service::Caller c;
    c.name = "fuzz-county";
    c.counties = {"新密市"};
    return c;
  }();

  heyan::v1::VerificationRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  heyan::v1::Decision decision;
  core->Evaluate(county, "Evaluate", request, &decision).IgnoreError();
  heyan::v1::ExplainRequest explain;
  *explain.mutable_request() = request;
  // The last byte varies the explanation: audience, format and language.
  const uint8_t knob = size > 0 ? data[size - 1] : 0;
  explain.set_audience(static_cast<heyan::v1::ExplainAudience>(knob % 3));
  explain.set_format(static_cast<heyan::v1::ExplainFormat>((knob / 3) % 4));
  explain.set_language(static_cast<heyan::v1::Language>((knob / 12) % 3));
  heyan::v1::ExplainResponse response;
  core->Explain(everyone, explain, &response).IgnoreError();
  return 0;
}
