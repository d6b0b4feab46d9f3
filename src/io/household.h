// One household, in whatever form people and systems write it.
//
// Pipeline position: before Program::Evaluate, in every tool that decides one household
// from text (heyan explain, heyan eval for text-format and Chinese-JSON input, the C ABI's
// JSON functions, Python dicts with Chinese keys).
//
// Accepted, as protobuf JSON or protobuf text format (a first non-blank character '{' means
// JSON), with English or Chinese field names and 元/分/亩/平方米 units (io/chinese_text.h):
//  * a heyan.v1.Application (申请);
//  * a heyan.v1.VerificationRequest (核验请求: 申请 + 核对结果 + 评估日期);
//  * a heyan test case (测试案例, as written for `heyan test`): its 申请 and 评估日期, and its
//    核对结果 — or its 登记册, which a case uses to mean "every registry checked on the
//    evaluation date, with these records" — so a case can be explained or evaluated as is.
// Which of the three a text is follows from its top-level fields: a test case's own fields
// (名称, 规则, 预期, 登记册, …) make it a case; 申请/核对结果/application/records a request.
//
// Failure tiers: a text that is none of these, or has a wrong value, is InvalidArgument with
// the line (text format) or the field path (JSON) — never an exception.
#ifndef HEYAN_IO_HOUSEHOLD_H_
#define HEYAN_IO_HOUSEHOLD_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "heyan/v1/verification.pb.h"

namespace heyan::io {

struct Household {
  // The application, and for a request or a test case its records and as-of date.
  v1::VerificationRequest request;
  // False: a plain Application, decided with the registries loaded for everyone.
  bool is_request = false;
};

absl::Status ReadHousehold(std::string_view text, bool english, Household* out);

// The value checks of every reader (io/record_check.h) on a request built elsewhere (binary
// input): negative amounts, areas and counts and undeclared enum numbers in the application,
// and also malformed dates in the records. InvalidArgument naming the field.
absl::Status CheckHousehold(const v1::VerificationRequest& request);

// Households from a spreadsheet export (CSV, UTF-8 or UTF-16, one row per member), as
// protobuf JSON lines of heyan.v1.Application, one per household, in order.
//
// The header row names fields by their path, in Chinese or English: household fields
// directly (编号, 县区, 乡镇, 村居, 户籍类型, 申请日期, 耕地面积, 申报近亲属, 资产.金融资产.存款,
// 资产.住房.套数, …), member fields after 成员. (成员.身份证号, 成员.姓名, 成员.与申请人关系, …);
// a list item gets a number after its name: 成员.收入1.金额, 成员.收入1.周期, 补贴1.类型.
// Values as in test cases: 800元, 1.5亩, 90平方米, 是/否, enum values in Chinese; an empty cell
// is an absent value (never 0). Rows with the same 编号, one after another, are one
// household; its household columns are read from its first row, and a later row of the
// household must leave them empty or repeat them.
//
// Errors: InvalidArgument "PATH:LINE: column: problem" for the first bad row or header.
absl::Status ReadHouseholdsCsv(const std::string& path, bool english, std::vector<std::string>* json_lines);

}  // namespace heyan::io

#endif  // HEYAN_IO_HOUSEHOLD_H_
