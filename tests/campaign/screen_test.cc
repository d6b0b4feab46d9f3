// Screener (src/campaign/screen.h): key groups, comparisons, the look-back period, marks; and
// Registries::ForEachId, which the comparisons in the other direction rest on.
#include "campaign/screen.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/v1/registry.pb.h"

namespace heyan::campaign {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::shared_ptr<const Program> Rules() {
  static std::shared_ptr<const Program> program = [] {
    absl::StatusOr<CompileResult> r =
        CompileFile(std::string(HEYAN_SOURCE_DIR) + "/rules/henan/zhengzhou/zhengzhou.heyan");
    return r.ok() ? r->program : nullptr;
  }();
  return program;
}

void Check(Registries* r, const char* name) {
  RegistryCheckInfo info;
  info.checked_on = "2024-09-01";
  info.reference = "测试";
  ASSERT_TRUE(r->MarkChecked(name, info).ok());
}

// Every registry the rules read is checked; tests add records before.
void CheckAll(Registries* r) {
  for (const std::string& name : Registries::Names()) Check(r, name.c_str());
}

v1::RollRecord Household(const std::string& id, const std::vector<std::string>& members,
                         const std::vector<std::string>& covered) {
  v1::RollRecord r;
  v1::Application* h = r.mutable_household();
  h->set_id(id);
  h->set_township("城关镇");
  h->set_village("东街社区");
  h->set_hukou_type(v1::URBAN);
  for (size_t i = 0; i < members.size(); ++i) {
    v1::Member* m = h->add_members();
    m->set_id_number(members[i]);
    m->set_name("成员" + std::to_string(i));
    m->set_relation(i == 0 ? v1::SELF : v1::SPOUSE);
  }
  for (const std::string& c : covered) h->mutable_enrollment()->add_covered_members(c);
  h->mutable_enrollment()->set_monthly_amount_fen(45000);
  return r;
}

std::vector<int> Groups(const v1::LedgerEntry& e) { return {e.groups().begin(), e.groups().end()}; }

constexpr char kA[] = "410183195001010011";
constexpr char kB[] = "410183195202020022";

TEST(RegistriesTest, ForEachIdVisitsEveryDistinctId) {
  Registries r;
  ASSERT_TRUE(r.AddId("建档立卡", "41018319500101001X").ok());
  ASSERT_TRUE(r.AddId("建档立卡", "41018319500101001x").ok());  // the same person
  ASSERT_TRUE(r.AddId("建档立卡", kA).ok());
  ASSERT_TRUE(r.AddId("建档立卡", kA).ok());
  ASSERT_TRUE(r.AddId("建档立卡", "A-123").ok());  // not a standard ID: kept as text
  std::vector<std::string> seen;
  r.ForEachId(Registries::IndexOf("建档立卡"), [&](std::string_view id) { seen.emplace_back(id); });
  EXPECT_THAT(seen, UnorderedElementsAre("41018319500101001X", kA, "A-123"));
  seen.clear();
  r.ForEachId(-1, [&](std::string_view id) { seen.emplace_back(id); });
  EXPECT_TRUE(seen.empty());
}

TEST(ScreenerTest, SevereDisability) {
  EXPECT_TRUE(Screener::IsSevere(v1::PHYSICAL, 1));
  EXPECT_TRUE(Screener::IsSevere(v1::VISUAL, 2));
  EXPECT_TRUE(Screener::IsSevere(v1::INTELLECTUAL, 3));
  EXPECT_TRUE(Screener::IsSevere(v1::MENTAL, 3));
  EXPECT_FALSE(Screener::IsSevere(v1::PHYSICAL, 3));
  EXPECT_FALSE(Screener::IsSevere(v1::MENTAL, 4));
  EXPECT_FALSE(Screener::IsSevere(v1::DISABILITY_NONE, 1));
  EXPECT_FALSE(Screener::IsSevere(v1::PHYSICAL, 0));
}

TEST(ScreenerTest, PovertyMemberNotCoveredIsGroupOneCoveredIsCounted) {
  ASSERT_NE(Rules(), nullptr);
  Registries r;
  ASSERT_TRUE(r.AddId("建档立卡", kA).ok());
  ASSERT_TRUE(r.AddId("建档立卡", kB).ok());
  CheckAll(&r);
  CampaignData data;
  Screener s(Rules(), &r, &data, {.as_of = "2024-09-30"});
  Marks marks;
  v1::LedgerEntry e;
  ASSERT_TRUE(s.ScreenRoll(Household("H1", {kA, kB}, {kA}), &marks, &e).ok());
  EXPECT_THAT(Groups(e), ElementsAre(v1::POVERTY_NOT_ENROLLED));
  EXPECT_THAT(e.group_reasons(0), HasSubstr("成员1"));
  EXPECT_THAT(e.group_reasons(0), ::testing::Not(HasSubstr("成员0")));
  EXPECT_EQ(marks.covered_in_poverty, 1);
  EXPECT_EQ(marks.uncovered_poverty, 1);
  ASSERT_TRUE(s.ScreenRoll(Household("H2", {kA, kB}, {kA, kB}), &marks, &e).ok());
  EXPECT_TRUE(Groups(e).empty());
}

TEST(ScreenerTest, UnloadedRegistryComparesNothing) {
  ASSERT_NE(Rules(), nullptr);
  Registries r;
  ASSERT_TRUE(r.AddId("建档立卡", kA).ok());  // records, but never checked
  CampaignData data;
  Screener s(Rules(), &r, &data, {.as_of = "2024-09-30"});
  Marks marks;
  v1::LedgerEntry e;
  ASSERT_TRUE(s.ScreenRoll(Household("H1", {kA}, {}), &marks, &e).ok());
  EXPECT_TRUE(Groups(e).empty());
  ComparisonCounts counts;
  ASSERT_TRUE(s.Finish(marks, [](const v1::LedgerEntry&) { FAIL() << "no rows from an unchecked registry"; }, &counts).ok());
  EXPECT_EQ(counts.poverty_not_on_roll, -1);
}

TEST(ScreenerTest, SevereCertificateIsGroupFiveAndOffTheRollIsACandidate) {
  ASSERT_NE(Rules(), nullptr);
  Registries r;
  v1::DisabilityCertificateRecord cert;
  cert.set_id_number(kA);
  cert.set_category(v1::MENTAL);
  cert.set_grade(3);
  ASSERT_TRUE(r.AddRecord("残疾人证", cert).ok());
  cert.set_id_number(kB);
  cert.set_category(v1::PHYSICAL);
  cert.set_grade(3);  // not severe
  ASSERT_TRUE(r.AddRecord("残疾人证", cert).ok());
  cert.set_id_number("410183196003030033");
  cert.set_grade(1);  // severe, on no household
  ASSERT_TRUE(r.AddRecord("残疾人证", cert).ok());
  CheckAll(&r);
  CampaignData data;
  Screener s(Rules(), &r, &data, {.as_of = "2024-09-30"});
  Marks marks;
  v1::LedgerEntry e;
  ASSERT_TRUE(s.ScreenRoll(Household("H1", {kA}, {}), &marks, &e).ok());
  EXPECT_THAT(Groups(e), ElementsAre(v1::SEVERELY_DISABLED));
  ASSERT_TRUE(s.ScreenRoll(Household("H2", {kB}, {}), &marks, &e).ok());
  EXPECT_TRUE(Groups(e).empty());
  std::vector<std::string> rows;
  ComparisonCounts counts;
  ASSERT_TRUE(s.Finish(marks, [&](const v1::LedgerEntry& row) { rows.push_back(row.key()); }, &counts).ok());
  EXPECT_THAT(rows, ElementsAre("残疾人证:410183196003030033"));
  EXPECT_EQ(counts.severe_not_on_roll, 1);
}

TEST(ScreenerTest, RosterRelativeIsGroupFourUndeclared) {
  ASSERT_NE(Rules(), nullptr);
  Registries r;
  CheckAll(&r);
  CampaignData data;
  v1::RosterEntry cadre;
  cadre.set_id_number("410183198001010044");
  cadre.set_name("村干部");
  cadre.set_role(v1::VILLAGE_CADRE);
  v1::KnownRelative* rel = cadre.add_relatives();
  rel->set_id_number(kB);
  rel->set_relationship("母亲");
  ASSERT_TRUE(data.AddRoster(cadre).ok());
  Screener s(Rules(), &r, &data, {.as_of = "2024-09-30"});
  Marks marks;
  v1::LedgerEntry e;
  ASSERT_TRUE(s.ScreenRoll(Household("H1", {kA, kB}, {}), &marks, &e).ok());
  EXPECT_THAT(Groups(e), ElementsAre(v1::STAFF_RELATIVE));
  EXPECT_THAT(e.group_reasons(0), HasSubstr("未在近亲属备案中登记"));
  ASSERT_TRUE(s.ScreenRoll(Household("H2", {kA}, {}), &marks, &e).ok());
  EXPECT_TRUE(Groups(e).empty());
}

TEST(ScreenerTest, LookBackIsTwelveMonthsUpToTheCampaignDate) {
  ASSERT_NE(Rules(), nullptr);
  Registries r;
  CheckAll(&r);
  CampaignData data;
  for (const char* date : {"2023-09-30", "2023-10-01", "2024-09-30", "2024-10-01"}) {
    v1::HistoryRecord h;
    h.set_kind(v1::EXITED);
    h.set_date(date);
    h.mutable_household()->set_id(std::string("X") + date);
    h.mutable_household()->add_members()->set_id_number(kA);
    ASSERT_TRUE(data.AddHistory(h).ok());
  }
  Screener s(Rules(), &r, &data, {.as_of = "2024-09-30"});
  EXPECT_EQ(s.lookback_start(), "2023-10-01");
  std::vector<std::string> rows;
  ComparisonCounts counts;
  ASSERT_TRUE(s.Finish(Marks(), [&](const v1::LedgerEntry& row) { rows.push_back(row.key()); }, &counts).ok());
  EXPECT_THAT(rows, ElementsAre("退出:X2023-10-01", "退出:X2024-09-30"));
}

TEST(ScreenerTest, MarksSurviveTheirTextForm) {
  Marks m;
  m.poverty_listed = {kA, kB};
  m.disability_listed = {kA};
  m.history_reenrolled = {3, 1};
  m.covered_payroll = 2;
  const std::string text = SerializeMarks(m, 7);
  Marks back;
  int64_t households = 0;
  ASSERT_TRUE(MergeSerializedMarks(text, &back, &households).ok());
  EXPECT_EQ(households, 7);
  EXPECT_EQ(back.poverty_listed, m.poverty_listed);
  EXPECT_EQ(back.disability_listed, m.disability_listed);
  EXPECT_EQ(back.history_reenrolled, m.history_reenrolled);
  EXPECT_EQ(back.covered_payroll, 2);
  EXPECT_EQ(SerializeMarks(back, 7), text);
  absl::Status bad = MergeSerializedMarks("heyan-marks 1\nsomething else\n", &back, &households);
  EXPECT_THAT(std::string(bad.message()), HasSubstr("第 2 行"));
  EXPECT_FALSE(MergeSerializedMarks("", &back, &households).ok());
}

TEST(ScreenerTest, RollRecordWithoutEnrolmentIsRefused) {
  ASSERT_NE(Rules(), nullptr);
  Registries r;
  CampaignData data;
  Screener s(Rules(), &r, &data, {.as_of = "2024-09-30"});
  Marks marks;
  v1::LedgerEntry e;
  v1::RollRecord record;
  record.mutable_household()->set_id("H1");
  absl::StatusOr<bool> result = s.ScreenRoll(record, &marks, &e);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("household.enrollment"));
}

}  // namespace
}  // namespace heyan::campaign
