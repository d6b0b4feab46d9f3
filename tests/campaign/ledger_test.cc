// The ledger writers (src/campaign/ledger.h) read back by the .xlsx reader
// (src/campaign/xlsx_reader.h): what is written is what import-visits reads.
#include "campaign/ledger.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "campaign/xlsx_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace heyan::campaign {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TempPath(const char* name) {
  return std::string(::testing::TempDir()) + "/" + std::to_string(::getpid()) + "-" + name;
}

TEST(LedgerTest, XlsxRoundTrip) {
  const std::string path = TempPath("ledger.xlsx");
  absl::StatusOr<std::unique_ptr<LedgerWriter>> ledger = OpenLedger(path, LedgerFormat::kXlsx);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  v1::LedgerEntry row;
  row.set_key("在保:A1");
  row.set_source(v1::ROLL);
  row.set_township("城关镇");
  row.set_head_name("张三 & <李四>");
  row.set_head_id_number("41018319500101001X");
  row.add_groups(v1::STAFF_RELATIVE);
  row.add_group_reasons("理由");
  row.set_current_amount_fen(45050);
  ASSERT_TRUE((*ledger)->Add(row).ok());
  row.set_key("建档立卡:9");
  row.clear_township();
  ASSERT_TRUE((*ledger)->Add(row).ok());
  EXPECT_EQ((*ledger)->tally().by_group[v1::STAFF_RELATIVE].rows, 2);
  ASSERT_TRUE((*ledger)->Close({.title = "汇总标题"}).ok());

  absl::StatusOr<std::vector<XlsxSheet>> sheets = ReadXlsx(path);
  ASSERT_TRUE(sheets.ok()) << sheets.status();
  ASSERT_EQ(sheets->size(), 3u);
  EXPECT_EQ((*sheets)[0].name, "汇总");
  EXPECT_EQ((*sheets)[0].rows[0][0], "汇总标题");
  const XlsxSheet& town = (*sheets)[1];
  EXPECT_EQ(town.name, "城关镇");
  EXPECT_EQ(town.rows[0], LedgerHeaders());
  ASSERT_EQ(town.rows.size(), 2u);
  EXPECT_EQ(town.rows[1][1], "在保:A1");
  EXPECT_EQ(town.rows[1][7], "张三 & <李四>");
  EXPECT_EQ(town.rows[1][8], "41018319500101001X");  // text, not a number
  EXPECT_EQ(town.rows[1][9], "4");
  EXPECT_EQ(town.rows[1][13], "450.5");               // amounts are numbers (yuan)
  EXPECT_EQ((*sheets)[2].name, "（乡镇未知）");
  std::remove(path.c_str());
}

TEST(LedgerTest, XlsxNeverOverADevice) {
  absl::StatusOr<std::unique_ptr<LedgerWriter>> ledger = OpenLedger("/dev/null", LedgerFormat::kXlsx);
  ASSERT_FALSE(ledger.ok());
  EXPECT_THAT(std::string(ledger.status().message()), HasSubstr("只能写入普通文件"));
}

TEST(LedgerTest, FormatFromNameOrExtension) {
  EXPECT_EQ(*LedgerFormatOf("", "a.XLSX"), LedgerFormat::kXlsx);
  EXPECT_EQ(*LedgerFormatOf("", "a.csv"), LedgerFormat::kCsv);
  EXPECT_EQ(*LedgerFormatOf("jsonl", "a.xlsx"), LedgerFormat::kJsonLines);
  EXPECT_FALSE(LedgerFormatOf("", "a.txt").ok());
  EXPECT_FALSE(LedgerFormatOf("pdf", "a.xlsx").ok());
}

TEST(XlsxReaderTest, ExcelSerialDates) {
  EXPECT_EQ(ExcelSerialDate("45573"), "2024-10-08");
  EXPECT_EQ(ExcelSerialDate("45573.0"), "2024-10-08");
  EXPECT_EQ(ExcelSerialDate("45573.5"), "");
  EXPECT_EQ(ExcelSerialDate("2024-10-08"), "");
  EXPECT_EQ(ExcelSerialDate(""), "");
  EXPECT_EQ(ExcelSerialDate("-3"), "");
}

TEST(XlsxReaderTest, NotAWorkbook) {
  const std::string path = TempPath("not.xlsx");
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("plain text", f);
  std::fclose(f);
  absl::StatusOr<std::vector<XlsxSheet>> sheets = ReadXlsx(path);
  ASSERT_FALSE(sheets.ok());
  EXPECT_THAT(std::string(sheets.status().message()), HasSubstr("不是 .xlsx 文件"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace heyan::campaign
