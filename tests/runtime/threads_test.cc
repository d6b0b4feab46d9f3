// One shared Program evaluated by 8 threads at once gives, byte for byte, the decisions of a
// single thread. CI also runs this under ThreadSanitizer (HEYAN_SANITIZE=thread).
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/registry.pb.h"

namespace heyan {
namespace {

constexpr int kApplications = 1000;
constexpr int kThreads = 8;

// A small deterministic generator (no dependence on the standard library's distributions).
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  uint32_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state_ >> 33);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint32_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }

 private:
  uint64_t state_;
};

std::string IdNumber(int household, int member) {
  char buf[19];
  snprintf(buf, sizeof buf, "4101%08d%05d%c", household, member, member % 11 == 10 ? 'X' : '0' + member % 10);
  return std::string(buf, 18);
}

// Synthetic households exercising every feature the rule sets read: optional fields left unset,
// several incomes and periods, vehicles, registries, dates (some malformed) and huge amounts.
std::vector<v1::Application> MakeApplications() {
  Lcg rng(20240601);
  std::vector<v1::Application> apps(kApplications);
  for (int h = 0; h < kApplications; ++h) {
    v1::Application& app = apps[h];
    app.set_id("H" + std::to_string(h));
    app.set_application_date("20" + std::to_string(20 + rng.Below(4)) + "-0" + std::to_string(1 + rng.Below(9)) + "-1" +
                              std::to_string(rng.Below(10)));
    if (rng.Chance(20)) app.set_as_of("2023-12-31");
    app.set_kind(static_cast<v1::ApplicationKind>(rng.Below(4)));
    app.set_hukou_type(static_cast<v1::HukouType>(rng.Below(3)));
    if (rng.Chance(70)) app.set_farmland_centi_mu(rng.Below(2000));
    if (rng.Chance(80)) app.set_declares_staff_relative(rng.Chance(10));
    int members = 1 + rng.Below(6);
    for (int k = 0; k < members; ++k) {
      v1::Member* m = app.add_members();
      m->set_id_number(IdNumber(h, k));
      m->set_name("成员" + std::to_string(h) + "_" + std::to_string(k));
      if (rng.Chance(95)) {
        m->set_birth_date(std::to_string(1935 + rng.Below(85)) + "-0" + std::to_string(1 + rng.Below(9)) + "-2" +
                          std::to_string(rng.Below(9)));
      }
      if (rng.Chance(2)) m->set_birth_date("1960/01/01");  // malformed: a fault for that household
      if (rng.Chance(95)) m->set_lives_together(rng.Chance(85));
      m->set_absence_reason(static_cast<v1::AbsenceReason>(rng.Below(7)));
      m->set_years_away(rng.Below(6));
      m->set_disability_category(static_cast<v1::DisabilityCategory>(rng.Below(8)));
      m->set_disability_grade(rng.Below(5));
      m->set_major_illness(rng.Chance(10));
      m->set_work_capacity(static_cast<v1::WorkCapacity>(rng.Below(4)));
      m->set_applies_alone(rng.Chance(3));
      int incomes = rng.Below(4);
      for (int i = 0; i < incomes; ++i) {
        v1::Income* in = m->add_incomes();
        in->set_kind(static_cast<v1::IncomeKind>(1 + rng.Below(4)));
        in->set_source(static_cast<v1::IncomeSource>(1 + rng.Below(18)));
        in->set_amount_fen(rng.Chance(1) ? INT64_MAX / 2 : rng.Below(300000));
        in->set_period(static_cast<v1::IncomePeriod>(rng.Below(3)));
        in->set_period_start("2022-0" + std::to_string(1 + rng.Below(9)) + "-01");
        in->set_period_end("2023-0" + std::to_string(1 + rng.Below(9)) + "-01");
        in->set_after_tax(rng.Chance(50));
        in->set_tax_and_insurance_fen(rng.Below(5000));
      }
      if (rng.Chance(20)) {
        v1::Expenditure* e = m->add_expenditures();
        e->set_kind(static_cast<v1::ExpenditureKind>(1 + rng.Below(4)));
        e->set_amount_fen(rng.Below(1000000));
        e->set_receipts_provided(rng.Chance(70));
      }
    }
    if (rng.Chance(30)) {
      v1::RelativeSupport* s = app.add_relative_support();
      s->set_supporter_id_number(IdNumber(h, 90));
      if (rng.Chance(50)) s->set_agreed_monthly_fen(rng.Below(50000));
      if (rng.Chance(70)) s->set_supporter_household_monthly_income_fen(rng.Below(1000000));
      if (rng.Chance(70)) s->set_supporter_household_size(1 + rng.Below(5));
      s->set_dependants(rng.Below(3));
    }
    v1::Assets* assets = app.mutable_assets();
    int vehicles = rng.Below(3);
    for (int v = 0; v < vehicles; ++v) {
      v1::Vehicle* x = assets->add_vehicles();
      x->set_kind(static_cast<v1::VehicleKind>(1 + rng.Below(6)));
      x->set_value_fen(rng.Below(10000000));
      x->set_use(static_cast<v1::VehicleUse>(rng.Below(4)));
      x->set_plate("豫A" + std::to_string(h * 10 + v));
    }
    assets->mutable_homes()->set_count(rng.Below(3));
    assets->mutable_homes()->set_non_residential_count(rng.Chance(5) ? 1 : 0);
    assets->mutable_homes()->set_non_residential_is_only_home(rng.Chance(50));
    assets->mutable_financial()->set_deposits_fen(rng.Below(100000000));
    assets->mutable_financial()->set_cash_fen(rng.Below(1000000));
    // Mostly declared in full; sometimes a figure is left out (missing evidence).
    if (rng.Chance(95)) assets->mutable_financial()->set_securities_fen(rng.Below(100000));
    if (rng.Chance(95)) assets->mutable_financial()->set_commercial_insurance_fen(rng.Below(100000));
    if (rng.Chance(5)) assets->add_enterprises()->set_subscribed_capital_fen(rng.Below(50000000));
    if (rng.Chance(10)) {
      v1::Subsidy* s = app.add_subsidies();
      s->set_kind(static_cast<v1::SubsidyKind>(1 + rng.Below(5)));
      s->set_amount_fen(rng.Below(100000));
    }
  }
  return apps;
}

Registries MakeRegistries() {
  Lcg rng(7);
  Registries r;
  for (int h = 0; h < kApplications; h += 1 + rng.Below(20)) {
    const std::string id = IdNumber(h, rng.Below(3));
    EXPECT_TRUE(r.AddId("财政供养人员", id).ok());
    EXPECT_TRUE(r.AddId("近亲属备案", IdNumber(h, 1)).ok());
    v1::VehicleRegistrationRecord v;
    v.set_id_number(id);
    v.set_kind(static_cast<v1::VehicleKind>(1 + rng.Below(6)));
    v.set_plate("豫Z" + std::to_string(h));
    EXPECT_TRUE(r.AddRecord("车辆登记", v).ok());
    v1::SocialInsuranceRecord s;
    s.set_id_number(IdNumber(h, 0));
    s.set_kind(v1::EMPLOYEE_PENSION_PAID);
    s.set_monthly_amount_fen(rng.Below(300000));
    EXPECT_TRUE(r.AddRecord("社保", s).ok());
    v1::PovertyRegistryRecord p;
    p.set_id_number(IdNumber(h, 0));
    p.set_added_income_fen(rng.Below(100000));
    EXPECT_TRUE(r.AddRecord("建档立卡", p).ok());
    v1::DisabilityCertificateRecord d;
    d.set_id_number(IdNumber(h, 2));
    d.set_grade(1 + rng.Below(4));
    EXPECT_TRUE(r.AddRecord("残疾人证", d).ok());
  }
  // Every registry was checked for everyone (an unchecked one is the missing-evidence case).
  for (const std::string& name : Registries::Names()) {
    EXPECT_TRUE(r.MarkChecked(name, RegistryCheckInfo{"2023-01-31", "threads_test 批次", ""}).ok());
  }
  return r;
}

std::string Serialize(const v1::Decision& d) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  d.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Options vary with the application so traces and the explain switch are exercised too.
EvalOptions OptionsFor(int i) {
  EvalOptions options;
  options.trace = i % 7 == 0;
  options.explain = i % 11 != 0;
  if (i % 13 == 0) options.as_of = "2022-07-01";
  return options;
}

class ThreadsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ThreadsTest, EightThreadsAgreeWithOneThread) {
  absl::StatusOr<CompileResult> compiled =
      CompileFile(std::string(HEYAN_SOURCE_DIR) + "/rules/examples/" + GetParam());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  ASSERT_TRUE(compiled->ok());
  std::shared_ptr<const Program> program = compiled->program;
  const std::vector<v1::Application> apps = MakeApplications();
  const Registries registries = MakeRegistries();

  std::vector<std::string> expected(kApplications);
  int outcomes[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < kApplications; ++i) {
    absl::StatusOr<v1::Decision> d = program->Evaluate(apps[i], registries, OptionsFor(i));
    ASSERT_TRUE(d.ok()) << d.status();
    expected[i] = Serialize(*d);
    ++outcomes[d->outcome()];
  }
  // The batch is varied enough to reach every outcome.
  EXPECT_GT(outcomes[v1::ELIGIBLE] + outcomes[v1::NEEDS_REVIEW], 0);
  EXPECT_GT(outcomes[v1::INELIGIBLE], 0);
  EXPECT_GT(outcomes[v1::MISSING_EVIDENCE], 0);

  // Every thread decides every application, each starting at a different place so that
  // threads work on different households at the same moment.
  std::vector<std::vector<std::string>> results(kThreads, std::vector<std::string>(kApplications));
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      v1::Decision reused;  // reusing one Decision per thread is part of the contract
      for (int k = 0; k < kApplications; ++k) {
        int i = (k + t * (kApplications / kThreads)) % kApplications;
        if (!program->Evaluate(apps[i], registries, OptionsFor(i), &reused).ok()) ++failures[t];
        results[t][i] = Serialize(reused);
      }
    });
  }
  for (auto& th : threads) th.join();

  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    int mismatches = 0;
    for (int i = 0; i < kApplications; ++i) {
      if (results[t][i] != expected[i]) {
        if (++mismatches <= 3) ADD_FAILURE() << "thread " << t << " differs on application " << apps[i].id();
      }
    }
    EXPECT_EQ(mismatches, 0) << "thread " << t;
  }
}

TEST_P(ThreadsTest, CompilingConcurrentlyGivesTheSameProgram) {
  // Compile functions are reentrant: eight compilations at once agree on the fingerprint.
  std::vector<std::string> fingerprints(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      absl::StatusOr<CompileResult> r = CompileFile(std::string(HEYAN_SOURCE_DIR) + "/rules/examples/" + GetParam());
      if (r.ok() && r->ok()) fingerprints[t] = r->program->fingerprint();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_FALSE(fingerprints[t].empty()) << "thread " << t;
    EXPECT_EQ(fingerprints[t], fingerprints[0]) << "thread " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(ExampleRuleSets, ThreadsTest, ::testing::Values("city.heyan", "english.heyan"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace heyan
