// Public notices of the roll at three levels (郑民文〔2018〕66号 第四部分(四)4: 村务公开栏、
// 乡镇政府网站、县级汇总), with confidential persons withheld.
//
// Pipeline position: reads the roll (RollRecord), writes notices; nothing is decided here.
//
//   campaign::Disclosure d({.as_of = "2024-10-01", .title = "金水区"});
//   for (each RollRecord r) HEYAN_RETURN_IF_ERROR(d.Add(r));
//   HEYAN_RETURN_IF_ERROR(d.Write("notices/", {.html = true, .csv = true}));
//
// Levels and what each shows:
//   村居公示 (village board):   户主姓名, 保障人数, 保障类别, 保障金额, 致困原因, 批准时间
//   乡镇公示 (township website): 姓名, 村居, 保障金额; the number of withheld households
//   县级汇总 (county):           households, persons and monthly amount per township
//
// Privacy (what the tests prove): no ID number of anyone appears in any notice; a household
// is withheld from the village and township notices, and counted as withheld, when its head
// is a minor on the notice date (birth date, else the ID number's birth date) or is flagged
// confidential, or when any covered member is flagged 艾滋病患者 or 其他需保密 (the
// household's amount and cause of hardship would point at that member). Only the head's
// name is ever printed; the county level prints no names at all.
//
// Thread-safety: one thread. Memory: one small entry per household (a county's roll).
#ifndef HEYAN_CAMPAIGN_DISCLOSE_H_
#define HEYAN_CAMPAIGN_DISCLOSE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "heyan/v1/campaign.pb.h"

namespace heyan::campaign {

struct DiscloseOptions {
  std::string as_of;  // notice date "YYYY-MM-DD": minors are counted on this date. Required.
  std::string title;  // the county's name for headings, e.g. "金水区"; empty: from the roll
};

struct NoticeFormats {
  bool html = true;
  bool csv = true;
};

class Disclosure {
 public:
  explicit Disclosure(DiscloseOptions options) : options_(std::move(options)) {}

  // Adds one household. InvalidArgument (naming the field) for a record without enrolment,
  // without township or village, or without members.
  absl::Status Add(const v1::RollRecord& record);

  // Writes 村居公示, 乡镇公示 and 县级汇总 (.html and/or .csv) into `dir` (created if
  // missing). Errors name the file.
  absl::Status Write(const std::string& dir, const NoticeFormats& formats) const;

  // Why a household is withheld ("" if it is not): for tests and the command's summary.
  static std::string WithholdReason(const v1::Application& household, const std::string& as_of);

  int64_t households() const { return households_; }
  int64_t withheld() const { return withheld_; }

 private:
  struct Entry {
    std::string name, category, cause, approved_on;
    int persons = 0;
    int64_t amount_fen = 0;
    bool has_amount = false;
  };
  struct Village {
    std::vector<Entry> entries;
    int64_t withheld = 0;
  };
  struct Township {
    std::map<std::string, Village> villages;
    int64_t households = 0, persons = 0, amount_fen = 0, withheld = 0;
  };
  DiscloseOptions options_;
  std::string county_;
  std::map<std::string, Township> townships_;
  int64_t households_ = 0, withheld_ = 0;
};

}  // namespace heyan::campaign

#endif  // HEYAN_CAMPAIGN_DISCLOSE_H_
