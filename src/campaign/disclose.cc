// Public notices (see disclose.h).
#include "campaign/disclose.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "campaign/screen.h"
#include "common/date.h"
#include "heyan/v1/options.pb.h"

namespace heyan::campaign {
namespace {

std::string Html(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(ch);
    }
  }
  return out;
}

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  return out + "\"";
}

std::string CauseName(v1::HardshipCause c) {
  const auto* d = v1::HardshipCause_descriptor()->FindValueByNumber(c);
  return d == nullptr || c == v1::HARDSHIP_CAUSE_UNSPECIFIED ? "" : d->options().GetExtension(v1::zh_value);
}

// Birth date from the member's field, else from an 18-character ID (digits 7-14).
bool BirthDays(const v1::Member& m, int32_t* days) {
  if (m.has_birth_date() && internal::ParseDate(m.birth_date(), days)) return true;
  const std::string& id = m.id_number();
  if (id.size() != 18) return false;
  return internal::ParseDate(absl::StrCat(id.substr(6, 4), "-", id.substr(10, 2), "-", id.substr(12, 2)), days);
}

constexpr char kStyle[] = R"css(
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 11pt; color: #000; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt; }
p.meta { text-align: center; margin: 0 0 8pt; }
section { page-break-after: always; }
section:last-child { page-break-after: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 3pt 5pt; }
th { background: #eee; }
td.num { text-align: right; }
p.note { margin-top: 8pt; }
p.sign { text-align: right; margin-top: 16pt; }
)css";

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>", Html(title),
                      "</title><style>", kStyle, "</style></head><body>\n", body, "</body></html>\n");
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::PermissionDeniedError(absl::StrCat(path, ": 无法写入公示文件"));
  return absl::OkStatus();
}

}  // namespace

std::string Disclosure::WithholdReason(const v1::Application& h, const std::string& as_of) {
  const v1::Member* head = nullptr;
  for (const v1::Member& m : h.members()) {
    if (m.relation() == v1::SELF) head = &m;
  }
  if (head == nullptr && !h.members().empty()) head = &h.members(0);
  int32_t on = 0, birth = 0;
  internal::ParseDate(as_of, &on);
  if (head != nullptr) {
    if (head->confidentiality() != v1::NOT_CONFIDENTIAL) return "户主信息需保密";
    if (BirthDays(*head, &birth) && internal::YearsBetween(birth, on) < 18) return "户主为未成年人";
  }
  const auto& covered = h.enrollment().covered_members();
  for (const v1::Member& m : h.members()) {
    const bool is_covered =
        covered.empty() || std::find(covered.begin(), covered.end(), m.id_number()) != covered.end();
    if (is_covered && (m.confidentiality() == v1::HIV_AIDS || m.confidentiality() == v1::OTHER_CONFIDENTIAL)) {
      return "保障成员信息需保密";
    }
  }
  return "";
}

absl::Status Disclosure::Add(const v1::RollRecord& record) {
  const v1::Application& h = record.household();
  if (!h.has_enrollment()) return absl::InvalidArgumentError("household.enrollment: 在保名册记录缺少在保信息");
  if (h.township().empty()) return absl::InvalidArgumentError("household.township: 缺少乡镇");
  if (h.village().empty()) return absl::InvalidArgumentError("household.village: 缺少村居");
  if (h.members().empty()) return absl::InvalidArgumentError("household.members: 没有成员");
  if (county_.empty()) county_ = h.county();
  const v1::Enrollment& en = h.enrollment();
  Township& t = townships_[h.township()];
  Village& v = t.villages[h.village()];
  const int persons = en.covered_members().empty() ? h.members_size() : en.covered_members_size();
  ++households_;
  ++t.households;
  t.persons += persons;
  if (en.has_monthly_amount_fen()) t.amount_fen += en.monthly_amount_fen();
  if (!WithholdReason(h, options_.as_of).empty()) {
    ++withheld_;
    ++t.withheld;
    ++v.withheld;
    return absl::OkStatus();
  }
  const v1::Member* head = nullptr;
  for (const v1::Member& m : h.members()) {
    if (m.relation() == v1::SELF) head = &m;
  }
  if (head == nullptr) head = &h.members(0);
  Entry& e = v.entries.emplace_back();
  e.name = head->name();
  e.category = en.category();
  e.cause = CauseName(en.hardship_cause());
  e.approved_on = en.approved_on();
  e.persons = persons;
  e.has_amount = en.has_monthly_amount_fen();
  e.amount_fen = en.monthly_amount_fen();
  return absl::OkStatus();
}

absl::Status Disclosure::Write(const std::string& dir, const NoticeFormats& formats) const {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(absl::StrCat(dir, ": 无法创建公示目录：", std::strerror(errno)));
  }
  const std::string county = options_.title.empty() ? county_ : options_.title;
  const std::string date = options_.as_of;
  auto amount = [](const Entry& e) { return e.has_amount ? Yuan(e.amount_fen) : std::string("—"); };

  // 村居公示: one section (one printed page or more) per village.
  std::string html, csv = "乡镇,村居,序号,户主姓名,保障人数,保障类别,保障金额（元/月）,致困原因,批准时间\n";
  for (const auto& [tname, t] : townships_) {
    for (const auto& [vname, v] : t.villages) {
      absl::StrAppend(&html, "<section><h1>", Html(county), Html(tname), Html(vname), "最低生活保障对象公示</h1>",
                      "<p class=\"meta\">公示日期：", Html(date), "</p><table><thead><tr><th>序号</th><th>户主姓名</th>",
                      "<th>保障人数</th><th>保障类别</th><th>保障金额（元/月）</th><th>致困原因</th><th>批准时间</th>",
                      "</tr></thead><tbody>\n");
      int n = 0;
      for (const Entry& e : v.entries) {
        ++n;
        absl::StrAppend(&html, "<tr><td class=\"num\">", n, "</td><td>", Html(e.name), "</td><td class=\"num\">",
                        e.persons, "</td><td>", Html(e.category), "</td><td class=\"num\">", amount(e), "</td><td>",
                        Html(e.cause), "</td><td>", Html(e.approved_on), "</td></tr>\n");
        absl::StrAppend(&csv, Csv(tname), ",", Csv(vname), ",", n, ",", Csv(e.name), ",", e.persons, ",",
                        Csv(e.category), ",", amount(e), ",", Csv(e.cause), ",", Csv(e.approved_on), "\n");
      }
      absl::StrAppend(&html, "</tbody></table>");
      if (v.withheld > 0) {
        absl::StrAppend(&html, "<p class=\"note\">另有 ", v.withheld,
                        " 户依规定对个人信息保密（未成年人、艾滋病患者等），未予公示。</p>");
      }
      // 乡镇人民政府 or 街道办事处; 村民委员会 or 居民委员会 (社区).
      const bool street = tname.size() >= 6 && tname.compare(tname.size() - 6, 6, "街道") == 0;
      const std::string government = Html(tname) + (street ? "办事处" : "人民政府");
      const bool village_committee = vname.size() >= 3 && vname.compare(vname.size() - 3, 3, "村") == 0;
      absl::StrAppend(&html, "<p class=\"note\">如有异议，请于公示之日起7日内向", government,
                      "反映。</p><p class=\"sign\">", government, "　", Html(vname),
                      village_committee ? "民委员会" : "居民委员会", "</p></section>\n");
    }
  }
  if (formats.html) {
    if (absl::Status s = WriteFile(dir + "/村居公示.html", Page(county + " 村居低保公示", html)); !s.ok()) return s;
  }
  if (formats.csv) {
    if (absl::Status s = WriteFile(dir + "/村居公示.csv", csv); !s.ok()) return s;
  }

  // 乡镇公示: name, village, amount; withheld households counted.
  html.clear();
  csv = "乡镇,序号,姓名,村居,保障金额（元/月）\n";
  for (const auto& [tname, t] : townships_) {
    absl::StrAppend(&html, "<section><h1>", Html(county), Html(tname), "最低生活保障对象名单</h1>",
                    "<p class=\"meta\">公布日期：", Html(date), "　共 ", t.households, " 户</p><table><thead><tr>",
                    "<th>序号</th><th>姓名</th><th>村居</th><th>保障金额（元/月）</th></tr></thead><tbody>\n");
    int n = 0;
    for (const auto& [vname, v] : t.villages) {
      for (const Entry& e : v.entries) {
        ++n;
        absl::StrAppend(&html, "<tr><td class=\"num\">", n, "</td><td>", Html(e.name), "</td><td>", Html(vname),
                        "</td><td class=\"num\">", amount(e), "</td></tr>\n");
        absl::StrAppend(&csv, Csv(tname), ",", n, ",", Csv(e.name), ",", Csv(vname), ",", amount(e), "\n");
      }
    }
    absl::StrAppend(&html, "</tbody></table><p class=\"note\">依规定对未成年人、艾滋病患者等个人信息需保密的对象不予公布，本名单未列 ",
                    t.withheld, " 户。</p></section>\n");
    absl::StrAppend(&csv, Csv(tname), ",,未公布（个人信息保密）,,", t.withheld, " 户\n");
  }
  if (formats.html) {
    if (absl::Status s = WriteFile(dir + "/乡镇公示.html", Page(county + " 乡镇低保名单", html)); !s.ok()) return s;
  }
  if (formats.csv) {
    if (absl::Status s = WriteFile(dir + "/乡镇公示.csv", csv); !s.ok()) return s;
  }

  // 县级汇总: counts per township, no names.
  html = absl::StrCat("<section><h1>", Html(county), "最低生活保障对象汇总</h1><p class=\"meta\">统计日期：", Html(date),
                      "</p><table><thead><tr><th>乡镇（街道）</th><th>保障户数</th><th>保障人数</th>",
                      "<th>月保障金额（元）</th></tr></thead><tbody>\n");
  csv = "乡镇,保障户数,保障人数,月保障金额（元）\n";
  int64_t hh = 0, persons = 0, fen = 0;
  for (const auto& [tname, t] : townships_) {
    absl::StrAppend(&html, "<tr><td>", Html(tname), "</td><td class=\"num\">", t.households, "</td><td class=\"num\">",
                    t.persons, "</td><td class=\"num\">", Yuan(t.amount_fen), "</td></tr>\n");
    absl::StrAppend(&csv, Csv(tname), ",", t.households, ",", t.persons, ",", Yuan(t.amount_fen), "\n");
    hh += t.households;
    persons += t.persons;
    fen += t.amount_fen;
  }
  absl::StrAppend(&html, "<tr><th>合计</th><td class=\"num\">", hh, "</td><td class=\"num\">", persons,
                  "</td><td class=\"num\">", Yuan(fen), "</td></tr></tbody></table></section>\n");
  absl::StrAppend(&csv, "合计,", hh, ",", persons, ",", Yuan(fen), "\n");
  if (formats.html) {
    if (absl::Status s = WriteFile(dir + "/县级汇总.html", Page(county + " 低保汇总", html)); !s.ok()) return s;
  }
  if (formats.csv) {
    if (absl::Status s = WriteFile(dir + "/县级汇总.csv", csv); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace heyan::campaign
