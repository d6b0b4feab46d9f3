// Screening a caseload: key groups and list comparisons (see screen.h).
#include "campaign/screen.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "campaign/records.h"
#include "common/date.h"
#include "heyan/v1/options.pb.h"
#include "heyan/v1/registry.pb.h"

namespace heyan::campaign {
namespace {

using internal::ParseDate;

// The Chinese name of an enum value, as rule files and the ledger write it.
template <typename E>
std::string Zh(E value) {
  const google::protobuf::EnumValueDescriptor* d =
      google::protobuf::GetEnumDescriptor<E>()->FindValueByNumber(static_cast<int>(value));
  if (d == nullptr) return absl::StrCat(static_cast<int>(value));
  const std::string& zh = d->options().GetExtension(v1::zh_value);
  return zh.empty() ? d->name() : zh;
}

std::string GradeName(int grade) {
  static const char* const kNames[] = {"", "一级", "二级", "三级", "四级"};
  return grade >= 1 && grade <= 4 ? kNames[grade] : absl::StrCat(grade, "级");
}

std::string PersonName(const v1::Member& m) { return m.name().empty() ? "（未填姓名）" : m.name(); }

std::string StaffText(const v1::RosterEntry& e) {
  return absl::StrCat(e.name().empty() ? "（未填姓名）" : e.name(), "（", Zh(e.role()),
                      e.township().empty() ? "" : absl::StrCat("，", e.township(), e.village()), "）");
}

absl::Status CheckDate(const std::string& date, const char* field) {
  int32_t days;
  if (date.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": 缺少日期"));
  if (!ParseDate(date, &days)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": “", date, "”不是日期（应为 YYYY-MM-DD）"));
  }
  return absl::OkStatus();
}

// The applicant (本人), else the first member; null for a household without members.
const v1::Member* Head(const v1::Application& a) {
  for (const v1::Member& m : a.members()) {
    if (m.relation() == v1::SELF) return &m;
  }
  return a.members().empty() ? nullptr : &a.members(0);
}

// Collects reasons per key group, in group order.
class GroupReasons {
 public:
  void Add(v1::KeyGroup g, std::string reason) {
    auto& v = by_group_[g];
    if (std::find(v.begin(), v.end(), reason) == v.end()) v.push_back(std::move(reason));
  }
  void WriteTo(v1::LedgerEntry* e) const {
    for (const auto& [g, reasons] : by_group_) {
      e->add_groups(g);
      e->add_group_reasons(absl::StrJoin(reasons, "；"));
    }
  }

 private:
  std::map<v1::KeyGroup, std::vector<std::string>> by_group_;
};

}  // namespace

std::string GroupName(v1::KeyGroup group) { return Zh(group); }

std::string OutcomeName(v1::Outcome outcome) {
  switch (outcome) {
    case v1::ELIGIBLE: return "符合";
    case v1::INELIGIBLE: return "不符合";
    case v1::NEEDS_REVIEW: return "需复核";
    case v1::MISSING_EVIDENCE: return "缺少材料";
    default: return "未判定";
  }
}

std::string Yuan(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t a = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string cents = absl::StrCat(a % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return absl::StrCat(negative ? "-" : "", a / 100, ".", cents);
}

// ---- CampaignData ------------------------------------------------------------------------

absl::Status CampaignData::AddHistory(const v1::HistoryRecord& record) {
  if (record.kind() == v1::HISTORY_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("kind: 缺少历史类型（未获批准 REFUSED 或 退出 EXITED）");
  }
  if (absl::Status s = CheckDate(record.date(), "date"); !s.ok()) return s;
  const int index = static_cast<int>(history_.size());
  for (int i = 0; i < record.household().members_size(); ++i) {
    const std::string& id = record.household().members(i).id_number();
    if (id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("household.members[", i, "].id_number: 缺少身份证号"));
    }
    history_by_id_[id].push_back(index);
  }
  history_.push_back(record);
  history_loaded_ = true;
  return absl::OkStatus();
}

absl::Status CampaignData::AddRoster(const v1::RosterEntry& entry) {
  if (entry.id_number().empty()) return absl::InvalidArgumentError("id_number: 缺少身份证号");
  const int index = static_cast<int>(roster_.size());
  staff_by_id_[entry.id_number()].push_back(index);
  for (int i = 0; i < entry.relatives_size(); ++i) {
    const std::string& id = entry.relatives(i).id_number();
    if (id.empty()) return absl::InvalidArgumentError(absl::StrCat("relatives[", i, "].id_number: 缺少身份证号"));
    relative_by_id_[id].emplace_back(index, i);
  }
  roster_.push_back(entry);
  roster_loaded_ = true;
  return absl::OkStatus();
}

namespace {
template <typename Record, typename Add>
absl::Status LoadLines(const std::string& path, const io::FileRole& role, Add add) {
  absl::StatusOr<std::unique_ptr<JsonLines>> lines = JsonLines::Open(path, role);
  if (!lines.ok()) return lines.status();
  Record record;
  while ((*lines)->Next(&record)) {
    if (absl::Status s = add(record); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", (*lines)->line_number(), ": ", s.message()));
    }
  }
  return (*lines)->status();
}
}  // namespace

absl::Status CampaignData::LoadHistory(const std::string& path) {
  history_loaded_ = true;  // an empty file is "no refusals or exits", not "not given"
  return LoadLines<v1::HistoryRecord>(path, kHistoryFile, [&](const v1::HistoryRecord& r) { return AddHistory(r); });
}

absl::Status CampaignData::LoadRoster(const std::string& path) {
  roster_loaded_ = true;
  return LoadLines<v1::RosterEntry>(path, kRosterFile, [&](const v1::RosterEntry& r) { return AddRoster(r); });
}

const std::vector<int>* CampaignData::HistoryOf(std::string_view id) const {
  auto it = history_by_id_.find(absl::string_view(id.data(), id.size()));
  return it == history_by_id_.end() ? nullptr : &it->second;
}
const std::vector<int>* CampaignData::StaffOf(std::string_view id) const {
  auto it = staff_by_id_.find(absl::string_view(id.data(), id.size()));
  return it == staff_by_id_.end() ? nullptr : &it->second;
}
const std::vector<std::pair<int, int>>* CampaignData::RelativeOf(std::string_view id) const {
  auto it = relative_by_id_.find(absl::string_view(id.data(), id.size()));
  return it == relative_by_id_.end() ? nullptr : &it->second;
}

void Marks::Merge(Marks&& other) {
  if (poverty_listed.empty()) {
    poverty_listed = std::move(other.poverty_listed);
  } else {
    poverty_listed.insert(other.poverty_listed.begin(), other.poverty_listed.end());
  }
  disability_listed.insert(other.disability_listed.begin(), other.disability_listed.end());
  history_reenrolled.insert(other.history_reenrolled.begin(), other.history_reenrolled.end());
  covered_in_poverty += other.covered_in_poverty;
  covered_payroll += other.covered_payroll;
  uncovered_severe += other.uncovered_severe;
  uncovered_poverty += other.uncovered_poverty;
  other = Marks();
}

std::string SerializeMarks(const Marks& marks, int64_t households) {
  std::string out = "heyan-marks 1\n";
  absl::StrAppend(&out, "count households ", households, "\ncount covered_in_poverty ", marks.covered_in_poverty,
                  "\ncount covered_payroll ", marks.covered_payroll, "\ncount uncovered_severe ",
                  marks.uncovered_severe, "\ncount uncovered_poverty ", marks.uncovered_poverty, "\n");
  // Sorted, so that the same partition always gives the same bytes.
  std::vector<std::string> ids(marks.poverty_listed.begin(), marks.poverty_listed.end());
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) absl::StrAppend(&out, "poverty ", id, "\n");
  ids.assign(marks.disability_listed.begin(), marks.disability_listed.end());
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) absl::StrAppend(&out, "disability ", id, "\n");
  std::vector<int> history(marks.history_reenrolled.begin(), marks.history_reenrolled.end());
  std::sort(history.begin(), history.end());
  for (int h : history) absl::StrAppend(&out, "history ", h, "\n");
  return out;
}

absl::Status MergeSerializedMarks(std::string_view text, Marks* marks, int64_t* households) {
  int line_number = 0;
  bool header = false;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n', absl::SkipEmpty())) {
    ++line_number;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("第 ", line_number, " 行：“", line, "”不是分区标记")); };
    if (!header) {
      if (line != "heyan-marks 1") return bad();
      header = true;
      continue;
    }
    int64_t n = 0;
    if (f.size() == 2 && f[0] == "poverty") {
      marks->poverty_listed.insert(std::string(f[1]));
    } else if (f.size() == 2 && f[0] == "disability") {
      marks->disability_listed.insert(std::string(f[1]));
    } else if (f.size() == 2 && f[0] == "history" && absl::SimpleAtoi(f[1], &n) && n >= 0 && n < INT32_MAX) {
      marks->history_reenrolled.insert(static_cast<int>(n));
    } else if (f.size() == 3 && f[0] == "count" && absl::SimpleAtoi(f[2], &n) && n >= 0) {
      if (f[1] == "households") {
        *households += n;
      } else if (f[1] == "covered_in_poverty") {
        marks->covered_in_poverty += n;
      } else if (f[1] == "covered_payroll") {
        marks->covered_payroll += n;
      } else if (f[1] == "uncovered_severe") {
        marks->uncovered_severe += n;
      } else if (f[1] == "uncovered_poverty") {
        marks->uncovered_poverty += n;
      } else {
        return bad();
      }
    } else {
      return bad();
    }
  }
  if (!header) return absl::InvalidArgumentError("空文件，不是分区标记");
  return absl::OkStatus();
}

// ---- Screener ----------------------------------------------------------------------------

Screener::Screener(std::shared_ptr<const Program> program, const Registries* registries,
                   const CampaignData* data, ScreenOptions options)
    : program_(std::move(program)), registries_(registries), data_(data), options_(std::move(options)) {
  // A registry takes part in a comparison only when it was loaded (checked for everyone):
  // an unloaded registry must read "not compared", never "nobody found".
  auto loaded = [&](const char* name) {
    const int i = Registries::IndexOf(name);
    return i >= 0 && registries_->check(i) != nullptr ? i : -1;
  };
  payroll_ = loaded("public_payroll_staff");
  poverty_ = loaded("poverty_registry");
  disability_ = loaded("disability_certificates");
  relatives_ = loaded("staff_relatives");
  int32_t as_of = 0, start = 0;
  if (ParseDate(options_.as_of, &as_of) &&
      internal::AddDuration(as_of, internal::Duration{options_.lookback_months, 0}, -1, &start)) {
    lookback_start_ = internal::FormatDate(start + 1);
  }
}

bool Screener::IsSevere(v1::DisabilityCategory category, int grade) {
  if (category == v1::DISABILITY_NONE || grade <= 0) return false;
  return grade <= 2 || (grade == 3 && (category == v1::INTELLECTUAL || category == v1::MENTAL));
}

bool Screener::InLookback(const std::string& date) const {
  // Dates are checked on loading; YYYY-MM-DD compares as text.
  return !lookback_start_.empty() && date >= lookback_start_ && date <= options_.as_of;
}

absl::Status Screener::Decide(const v1::Application& application, const v1::VerificationRecords* records,
                              v1::LedgerEntry* e) const {
  // Per-thread scratch: one Decision and one request reused across calls.
  thread_local v1::Decision decision;
  thread_local v1::VerificationRequest request;
  EvalOptions eval;
  eval.as_of = options_.as_of;
  request.Clear();
  *request.mutable_application() = application;
  request.mutable_application()->set_kind(v1::RECHECK);
  if (records != nullptr) *request.mutable_records() = *records;
  absl::Status s = program_->Evaluate(request, *registries_, eval, &decision);
  if (!s.ok()) return s;
  e->set_outcome(OutcomeName(decision.outcome()));
  if (decision.outcome() == v1::ELIGIBLE) e->set_computed_amount_fen(decision.benefit_fen());
  for (const v1::Reason& r : decision.reasons()) {
    // Flags (标记) inform but decide nothing; the ledger lists what the visit must settle.
    if (r.kind() == v1::REASON_FLAG) continue;
    e->add_reasons(absl::StrCat(r.rule_id(), " ", r.title(), r.message().empty() ? "" : "：", r.message()));
  }
  for (const v1::MissingEvidence& m : decision.missing_evidence()) {
    e->add_missing_evidence(m.message().empty() ? m.field() : absl::StrCat(m.field(), "：", m.message()));
  }
  for (const v1::RuleFault& f : decision.faults()) {
    e->add_reasons(absl::StrCat(f.rule_id(), " 计算出错：", f.message()));
  }
  e->set_rules_fingerprint(decision.rules_fingerprint());
  return absl::OkStatus();
}

absl::StatusOr<bool> Screener::ScreenRoll(const v1::RollRecord& record, Marks* marks, v1::LedgerEntry* e) const {
  e->Clear();
  const v1::Application& h = record.household();
  if (!record.has_household() || !h.has_enrollment()) {
    return absl::InvalidArgumentError("household.enrollment: 在保名册记录缺少在保信息");
  }
  if (h.id().empty()) return absl::InvalidArgumentError("household.id: 缺少编号");
  const v1::Enrollment& en = h.enrollment();
  e->set_key(absl::StrCat("在保:", h.id()));
  e->set_source(v1::ROLL);
  e->set_county(h.county());
  e->set_township(h.township());
  e->set_village(h.village());
  e->set_household_id(h.id());
  if (const v1::Member* head = Head(h)) {
    e->set_head_name(head->name());
    e->set_head_id_number(head->id_number());
  }
  e->set_category(en.category());
  if (en.has_monthly_amount_fen()) e->set_current_amount_fen(en.monthly_amount_fen());

  // Covered members: the enrolment's list; an empty list means the whole household (older
  // county systems record the household, not the persons).
  auto covered = [&](const std::string& id) {
    if (en.covered_members().empty()) return true;
    return std::find(en.covered_members().begin(), en.covered_members().end(), id) != en.covered_members().end();
  };

  GroupReasons groups;
  std::vector<std::unique_ptr<google::protobuf::Message>> fetched;
  for (int i = 0; i < h.members_size(); ++i) {
    const v1::Member& m = h.members(i);
    const std::string& id = m.id_number();
    if (id.empty()) continue;
    const bool is_covered = covered(id);
    const std::string who = absl::StrCat(is_covered ? "保障成员" : "成员", PersonName(m));

    // Groups 2 and 3: refused or exited in the look-back period, and on the roll again.
    if (const std::vector<int>* hist = data_->HistoryOf(id)) {
      for (int index : *hist) {
        const v1::HistoryRecord& r = data_->history()[index];
        if (!InLookback(r.date())) continue;
        marks->history_reenrolled.insert(index);
        const bool refused = r.kind() == v1::REFUSED;
        groups.Add(refused ? v1::REFUSED_PAST_YEAR : v1::EXITED_PAST_YEAR,
                   absl::StrCat(who, "所在家庭于", r.date(), refused ? "申请未获批准" : "退出低保",
                                r.reason().empty() ? "" : absl::StrCat("（", r.reason(), "）"), "，现又在保"));
      }
    }

    // Group 4: relatives of staff and cadres: declared (近亲属备案), staff themselves
    // (名册), or relatives known from household registration but never declared.
    bool declared = false;
    if (relatives_ >= 0 && registries_->Contains(relatives_, id)) {
      declared = true;
      fetched.clear();
      registries_->Fetch(relatives_, id, &fetched);
      for (const auto& msg : fetched) {
        const auto& rel = static_cast<const v1::StaffRelativeRecord&>(*msg);
        groups.Add(v1::STAFF_RELATIVE,
                   absl::StrCat(who, "为", rel.staff_name().empty() ? "经办人员" : rel.staff_name(), "（",
                                Zh(rel.staff_role()), "）的", rel.relationship().empty() ? "近亲属" : rel.relationship(),
                                "（近亲属备案）"));
      }
    }
    if (const std::vector<int>* staff = data_->StaffOf(id)) {
      for (int index : *staff) {
        groups.Add(v1::STAFF_RELATIVE, absl::StrCat(who, "本人在经办人员名册中：", StaffText(data_->roster()[index])));
      }
    }
    if (const auto* rels = data_->RelativeOf(id)) {
      for (const auto& [index, r] : *rels) {
        const v1::RosterEntry& staff = data_->roster()[index];
        const std::string& relationship = staff.relatives(r).relationship();
        groups.Add(v1::STAFF_RELATIVE,
                   absl::StrCat(who, "为", StaffText(staff), "的", relationship.empty() ? "亲属" : relationship,
                                "（户籍关系", declared ? "" : "，未在近亲属备案中登记", "）"));
      }
    }

    // Group 5: severe disability, by certificate or as declared; a severely disabled member
    // who is listed but not covered is a 漏保 finding as well.
    std::string severe;
    if (disability_ >= 0 && registries_->Contains(disability_, id)) {
      marks->disability_listed.insert(id);
      fetched.clear();
      registries_->Fetch(disability_, id, &fetched);
      for (const auto& msg : fetched) {
        const auto& cert = static_cast<const v1::DisabilityCertificateRecord&>(*msg);
        if (cert.has_grade() && IsSevere(cert.category(), cert.grade())) {
          severe = absl::StrCat(Zh(cert.category()), GradeName(cert.grade()), "（残疾人证）");
        }
      }
    }
    if (severe.empty() && IsSevere(m.disability_category(), m.disability_grade())) {
      severe = absl::StrCat(Zh(m.disability_category()), GradeName(m.disability_grade()), "（申报）");
    }
    if (!severe.empty()) {
      groups.Add(v1::SEVERELY_DISABLED, absl::StrCat(who, "：", severe, is_covered ? "" : "，未纳入保障"));
      if (!is_covered) {
        ++marks->uncovered_severe;
        e->add_findings(absl::StrCat("重度残疾人", PersonName(m), "在本户但未纳入保障（漏保）"));
      }
    }

    // 建档立卡: covered (counted), or listed but not covered (group 1).
    if (poverty_ >= 0 && registries_->Contains(poverty_, id)) {
      marks->poverty_listed.insert(id);
      if (is_covered) {
        ++marks->covered_in_poverty;
      } else {
        ++marks->uncovered_poverty;
        fetched.clear();
        registries_->Fetch(poverty_, id, &fetched);
        std::string hh;
        for (const auto& msg : fetched) hh = static_cast<const v1::PovertyRegistryRecord&>(*msg).household_number();
        groups.Add(v1::POVERTY_NOT_ENROLLED,
                   absl::StrCat(who, "为建档立卡贫困人口", hh.empty() ? "" : absl::StrCat("（户编号", hh, "）"),
                                "，未纳入低保保障"));
      }
    }

    // 财政供养人员 among covered members.
    if (is_covered && payroll_ >= 0 && registries_->Contains(payroll_, id)) {
      ++marks->covered_payroll;
      fetched.clear();
      registries_->Fetch(payroll_, id, &fetched);
      std::string employer;
      for (const auto& msg : fetched) employer = static_cast<const v1::PayrollStaffRecord&>(*msg).employer();
      e->add_findings(absl::StrCat("保障成员", PersonName(m), "为财政供养人员",
                                   employer.empty() ? "" : absl::StrCat("（", employer, "）")));
    }
  }
  groups.WriteTo(e);

  if (absl::Status s = Decide(h, record.has_records() ? &record.records() : nullptr, e); !s.ok()) return s;

  const bool same_amount =
      e->has_computed_amount_fen() && e->has_current_amount_fen() && e->computed_amount_fen() == e->current_amount_fen();
  if (e->outcome() == "不符合") {
    e->set_suggestion("停保清退（入户核实后）");
  } else if (e->outcome() == "需复核") {
    e->set_suggestion("入户核查");
  } else if (e->outcome() == "缺少材料") {
    e->set_suggestion("补充材料后复核");
  } else if (!same_amount) {
    e->set_suggestion("调整保障金额");
  } else if (e->findings_size() > 0) {
    e->set_suggestion("入户核查");
  } else {
    e->set_suggestion("保留");
  }
  return options_.include_all || e->groups_size() > 0 || e->findings_size() > 0 || e->outcome() != "符合" ||
         !same_amount;
}

absl::Status Screener::Finish(const Marks& marks, const std::function<void(const v1::LedgerEntry&)>& emit,
                              ComparisonCounts* counts) const {
  *counts = ComparisonCounts();
  std::vector<v1::LedgerEntry> rows;
  auto flush = [&] {
    std::sort(rows.begin(), rows.end(), [](const v1::LedgerEntry& a, const v1::LedgerEntry& b) { return a.key() < b.key(); });
    for (const v1::LedgerEntry& r : rows) emit(r);
    rows.clear();
  };

  // Refusals and exits of the look-back period that are not back on the roll.
  if (data_->has_history()) {
    counts->history_reenrolled = static_cast<int64_t>(marks.history_reenrolled.size());
    for (int i = 0; i < static_cast<int>(data_->history().size()); ++i) {
      const v1::HistoryRecord& r = data_->history()[i];
      if (!InLookback(r.date()) || marks.history_reenrolled.contains(i)) continue;
      const v1::Application& h = r.household();
      const bool refused = r.kind() == v1::REFUSED;
      v1::LedgerEntry& e = rows.emplace_back();
      std::string id = h.id();
      if (id.empty()) id = absl::StrCat(r.date(), "/", h.members().empty() ? "" : h.members(0).id_number());
      e.set_key(absl::StrCat(refused ? "未批:" : "退出:", id));
      e.set_source(refused ? v1::HISTORY_REFUSED : v1::HISTORY_EXITED);
      e.set_county(h.county());
      e.set_township(h.township());
      e.set_village(h.village());
      e.set_household_id(h.id());
      if (const v1::Member* head = Head(h)) {
        e.set_head_name(head->name());
        e.set_head_id_number(head->id_number());
      }
      e.add_groups(refused ? v1::REFUSED_PAST_YEAR : v1::EXITED_PAST_YEAR);
      e.add_group_reasons(absl::StrCat(r.date(), refused ? "申请未获批准" : "退出低保",
                                       r.reason().empty() ? "" : absl::StrCat("：", r.reason())));
      if (h.has_enrollment()) {
        e.set_category(h.enrollment().category());
        if (h.enrollment().has_monthly_amount_fen()) e.set_current_amount_fen(h.enrollment().monthly_amount_fen());
      }
      if (h.members().empty()) {
        e.set_suggestion("入户回访");
        continue;
      }
      // Decided again with today's rules and data: a refusal that today's rules would
      // approve is what the re-check is for.
      if (absl::Status s = Decide(h, nullptr, &e); !s.ok()) {
        e.add_reasons(absl::StrCat("无法按现行规则判定：", s.message()));
      }
      e.set_suggestion(e.outcome() == "符合" ? "按现行规则可能符合，入户核查后重新审核" : "入户回访");
    }
    flush();
  }

  // 建档立卡 persons on no household of the roll, by poverty household (group 1).
  std::vector<std::unique_ptr<google::protobuf::Message>> fetched;
  if (poverty_ >= 0) {
    counts->covered_in_poverty = marks.covered_in_poverty;
    counts->uncovered_poverty = marks.uncovered_poverty;
    std::map<std::string, std::vector<std::string>> households;  // 户编号 -> IDs
    std::map<std::string, bool> lifted;
    int64_t persons = 0;
    registries_->ForEachId(poverty_, [&](std::string_view id) {
      if (marks.poverty_listed.contains(absl::string_view(id.data(), id.size()))) return;
      ++persons;
      fetched.clear();
      registries_->Fetch(poverty_, id, &fetched);
      std::string hh(id);
      bool out = false;
      for (const auto& msg : fetched) {
        const auto& p = static_cast<const v1::PovertyRegistryRecord&>(*msg);
        if (!p.household_number().empty()) hh = p.household_number();
        out = p.lifted_out();
      }
      households[hh].emplace_back(id);
      lifted[hh] = lifted[hh] || out;
    });
    counts->poverty_not_on_roll = persons;
    counts->poverty_households_not_on_roll = static_cast<int64_t>(households.size());
    for (auto& [hh, ids] : households) {
      std::sort(ids.begin(), ids.end());
      v1::LedgerEntry& e = rows.emplace_back();
      e.set_key(absl::StrCat("建档立卡:", hh));
      e.set_source(v1::POVERTY_REGISTRY);
      e.set_household_id(hh);
      e.set_head_id_number(ids.front());
      e.add_groups(v1::POVERTY_NOT_ENROLLED);
      e.add_group_reasons(absl::StrCat("建档立卡户", hh, "（", ids.size(), "人，", lifted[hh] ? "已脱贫" : "未脱贫",
                                       "）无人在低保名册"));
      e.set_suggestion("入户核查，符合条件的纳入低保");
    }
    flush();
  }

  // Severe disability certificates whose holder is on no household of the roll (漏保).
  if (disability_ >= 0) {
    counts->uncovered_severe = marks.uncovered_severe;
    int64_t missed = 0;
    registries_->ForEachId(disability_, [&](std::string_view id) {
      if (marks.disability_listed.contains(absl::string_view(id.data(), id.size()))) return;
      fetched.clear();
      registries_->Fetch(disability_, id, &fetched);
      std::string severe;
      for (const auto& msg : fetched) {
        const auto& cert = static_cast<const v1::DisabilityCertificateRecord&>(*msg);
        if (cert.has_grade() && IsSevere(cert.category(), cert.grade())) {
          severe = absl::StrCat(Zh(cert.category()), GradeName(cert.grade()));
        }
      }
      if (severe.empty()) return;
      ++missed;
      v1::LedgerEntry& e = rows.emplace_back();
      e.set_key(absl::StrCat("残疾人证:", std::string(id)));
      e.set_source(v1::DISABILITY_REGISTRY);
      e.set_household_id(std::string(id));
      e.set_head_id_number(std::string(id));
      e.add_groups(v1::SEVERELY_DISABLED);
      e.add_group_reasons(absl::StrCat("持残疾人证（", severe, "），不在低保名册任何一户"));
      e.add_findings("重度残疾人未纳入低保（漏保候选）");
      e.set_suggestion("入户核查，符合条件的纳入低保");
    });
    counts->severe_not_on_roll = missed;
    flush();
  }
  if (payroll_ >= 0) counts->covered_payroll = marks.covered_payroll;
  return absl::OkStatus();
}

}  // namespace heyan::campaign
