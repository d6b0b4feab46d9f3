// Registries (include/heyan/registry.h): loading verification data from files, membership
// and record fetches by ID number.
#include "heyan/registry.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "heyan/v1/registry.pb.h"

namespace heyan {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kId1[] = "410100195001011234";
constexpr char kId2[] = "41010019800202234X";
constexpr char kId3[] = "010100198002022345";  // leading zero: still a standard ID

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("heyan_registry_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  // Writes records as length-delimited protobuf (varint size, then bytes).
  template <typename M>
  std::string WriteBinary(const std::string& name, const std::vector<M>& records, bool truncate = false) {
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream coded(&stream);
      for (const M& r : records) {
        std::string one = r.SerializeAsString();
        coded.WriteVarint32(static_cast<uint32_t>(one.size()));
        coded.WriteRaw(one.data(), static_cast<int>(one.size()));
      }
    }
    if (truncate) bytes.resize(bytes.size() - 2);
    return Write(name, bytes);
  }

  static std::vector<std::unique_ptr<google::protobuf::Message>> Fetch(const Registries& r, std::string_view registry,
                                                                       std::string_view id) {
    std::vector<std::unique_ptr<google::protobuf::Message>> out;
    r.Fetch(Registries::IndexOf(registry), id, &out);
    return out;
  }
  static bool Contains(const Registries& r, std::string_view registry, std::string_view id) {
    return r.Contains(Registries::IndexOf(registry), id);
  }

  fs::path dir_;
};

TEST_F(RegistryTest, CatalogueNames) {
  std::vector<std::string> names = Registries::Names();
  EXPECT_EQ(names.size(), 10u);
  EXPECT_EQ(names[0], "public_payroll_staff");
  EXPECT_EQ(Registries::IndexOf("财政供养人员"), Registries::IndexOf("public_payroll_staff"));
  EXPECT_EQ(Registries::IndexOf("死亡登记"), Registries::IndexOf("deaths"));
  EXPECT_GE(Registries::IndexOf("deaths"), 0);
  EXPECT_EQ(Registries::IndexOf("财政人员"), -1);
  EXPECT_EQ(Registries::IndexOf(""), -1);
}

TEST_F(RegistryTest, LoadsIdList) {
  std::string path = Write("payroll.txt", std::string(kId1) + "\n\n  " + kId2 + "  \r\nA-123\n");
  Registries r;
  ASSERT_TRUE(r.LoadFile("财政供养人员", path).ok());
  EXPECT_EQ(r.size("public_payroll_staff"), 3u);
  EXPECT_TRUE(Contains(r, "财政供养人员", kId1));
  EXPECT_TRUE(Contains(r, "财政供养人员", kId2));
  EXPECT_TRUE(Contains(r, "财政供养人员", "A-123"));
  EXPECT_FALSE(Contains(r, "财政供养人员", kId3));
  EXPECT_FALSE(Contains(r, "死亡登记", kId1)) << "registries are separate";
  auto records = Fetch(r, "财政供养人员", kId1);
  ASSERT_EQ(records.size(), 1u);
  const auto& staff = static_cast<const v1::PayrollStaffRecord&>(*records[0]);
  EXPECT_EQ(staff.id_number(), kId1);
  EXPECT_EQ(staff.name(), "");
}

TEST_F(RegistryTest, MalformedIdListLoadsNothing) {
  std::string path = Write("bad.txt", std::string(kId1) + "\n" + kId2 + " 张三\n");
  Registries r;
  absl::Status s = r.LoadFile("deaths", path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(path + ":2: id_number"));
  EXPECT_EQ(r.size("deaths"), 0u);
  EXPECT_FALSE(Contains(r, "deaths", kId1));
}

TEST_F(RegistryTest, LoadsJsonLines) {
  std::string path = Write("payroll.jsonl",
                           std::string("{\"idNumber\": \"") + kId1 + "\", \"name\": \"张三\", \"employer\": \"县财政局\", "
                               "\"monthlySalaryFen\": \"450000\"}\n"
                               "\n"
                               "{\"id_number\": \"" + kId1 + "\", \"name\": \"张三\", \"monthly_salary_fen\": 1}\n"
                               "{\"id_number\": \"" + kId2 + "\"}\n");
  Registries r;
  ASSERT_TRUE(r.LoadFile("public_payroll_staff", path).ok());
  EXPECT_EQ(r.size("财政供养人员"), 3u);
  auto records = Fetch(r, "财政供养人员", kId1);
  ASSERT_EQ(records.size(), 2u) << "several records per ID, in load order";
  const auto& a = static_cast<const v1::PayrollStaffRecord&>(*records[0]);
  const auto& b = static_cast<const v1::PayrollStaffRecord&>(*records[1]);
  EXPECT_EQ(a.id_number(), kId1);
  EXPECT_EQ(a.name(), "张三");
  EXPECT_EQ(a.employer(), "县财政局");
  EXPECT_EQ(a.monthly_salary_fen(), 450000);
  EXPECT_EQ(b.monthly_salary_fen(), 1);
  EXPECT_EQ(Fetch(r, "财政供养人员", kId2).size(), 1u);
  EXPECT_TRUE(Fetch(r, "财政供养人员", kId3).empty());
}

TEST_F(RegistryTest, MalformedJsonLineNamesFileLineAndField) {
  std::string path = Write("bad.jsonl", std::string("{\"id_number\": \"") + kId1 + "\"}\n" +
                                            "{\"id_number\": \"" + kId2 + "\", \"monthly_salary_fen\": \"abc\"}\n");
  Registries r;
  absl::Status s = r.LoadFile("public_payroll_staff", path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(path + ":2: "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("monthly_salary_fen"));
  EXPECT_EQ(r.size("public_payroll_staff"), 0u);

  std::string unknown = Write("unknown.jsonl", std::string("{\"id_number\": \"") + kId1 + "\", \"salary\": 1}\n");
  absl::Status u = r.LoadFile("public_payroll_staff", unknown);
  EXPECT_THAT(std::string(u.message()), StartsWith(unknown + ":1: "));
  EXPECT_THAT(std::string(u.message()), HasSubstr("salary"));

  std::string no_id = Write("noid.jsonl", "{\"name\": \"张三\"}\n");
  absl::Status n = r.LoadFile("public_payroll_staff", no_id);
  EXPECT_THAT(std::string(n.message()), StartsWith(no_id + ":1: id_number"));
  EXPECT_EQ(r.size("public_payroll_staff"), 0u);
}

TEST_F(RegistryTest, LoadsCsvWithEnglishHeaderAndQuotedCells) {
  std::string path = Write("vehicles.csv",
                           "id_number,plate,kind,registered_on,value_fen,use\n"
                           + std::string(kId1) + ",\"豫A,12345\",CAR,2020-05-01,5000000,PRIVATE_USE\n"
                           + kId1 + ",\"say \"\"hi\"\"\",小汽车,,0,\n"
                           + kId2 + ",豫B1,3,2019-01-01,100,唯一生计营运\n");
  Registries r;
  absl::Status s = r.LoadFile("vehicle_registrations", path);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.size("车辆登记"), 3u);
  auto records = Fetch(r, "车辆登记", kId1);
  ASSERT_EQ(records.size(), 2u);
  const auto& a = static_cast<const v1::VehicleRegistrationRecord&>(*records[0]);
  EXPECT_EQ(a.plate(), "豫A,12345");
  EXPECT_EQ(a.kind(), v1::CAR);
  EXPECT_EQ(a.registered_on(), "2020-05-01");
  EXPECT_EQ(a.value_fen(), 5000000);
  EXPECT_EQ(a.use(), v1::PRIVATE_USE);
  const auto& b = static_cast<const v1::VehicleRegistrationRecord&>(*records[1]);
  EXPECT_EQ(b.plate(), "say \"hi\"");
  EXPECT_EQ(b.kind(), v1::CAR) << "enum by Chinese name";
  EXPECT_EQ(b.registered_on(), "");
  auto c = Fetch(r, "车辆登记", kId2);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(static_cast<const v1::VehicleRegistrationRecord&>(*c[0]).kind(), v1::MOTORCYCLE) << "enum by number";
  EXPECT_EQ(static_cast<const v1::VehicleRegistrationRecord&>(*c[0]).use(), v1::SOLE_LIVELIHOOD);
}

TEST_F(RegistryTest, LoadsCsvWithChineseHeaderBomAndCrlf) {
  std::string path = Write("deaths.csv",
                           "\xEF\xBB\xBF身份证号, 死亡日期\r\n" + std::string(kId1) + ",2021-03-04\r\n" + kId3 +
                               ",2022年1月2日\r\n");
  Registries r;
  absl::Status s = r.LoadFile("死亡登记", path);
  ASSERT_TRUE(s.ok()) << s;
  auto records = Fetch(r, "deaths", kId1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(static_cast<const v1::DeathRecord&>(*records[0]).died_on(), "2021-03-04");
  EXPECT_TRUE(Contains(r, "deaths", kId3));
  EXPECT_EQ(static_cast<const v1::DeathRecord&>(*Fetch(r, "deaths", kId3)[0]).id_number(), kId3);
}

TEST_F(RegistryTest, CsvBooleansAndExplicitFormat) {
  std::string path = Write("biz.dat",
                           "身份证号,企业名称,认缴出资,存续\n" + std::string(kId1) + ",甲公司,100000,是\n" + kId1 +
                               ",乙公司,1,false\n");
  Registries r;
  absl::Status s = r.LoadFile("工商登记", path, RegistryFormat::kCsv);
  ASSERT_TRUE(s.ok()) << s;
  auto records = Fetch(r, "工商登记", kId1);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(static_cast<const v1::BusinessRegistrationRecord&>(*records[0]).active());
  EXPECT_FALSE(static_cast<const v1::BusinessRegistrationRecord&>(*records[1]).active());
  EXPECT_EQ(static_cast<const v1::BusinessRegistrationRecord&>(*records[1]).enterprise_name(), "乙公司");
}

struct BadCsv {
  const char* name;
  std::string content;
  std::string expected_prefix;  // after "path:"
};

TEST_F(RegistryTest, MalformedCsvRowsNameFileLineAndFieldAndLoadNothing) {
  const std::string header = "身份证号,月工资,工作单位\n";
  const std::string good = std::string(kId1) + ",100,单位\n";
  std::vector<BadCsv> cases = {
      {"int", header + good + kId2 + ",abc,单位\n", "3: monthly_salary_fen"},
      {"cells", header + good + good + kId2 + ",1\n", "4: "},
      {"quote", header + good + kId2 + ",\"1,单位\n", "3: "},
      {"id", header + good + ",1,单位\n", "3: id_number"},
      {"column", "身份证号,工资\n" + good, "1: "},
      {"noid", "月工资\n100\n", "1: "},
  };
  for (const auto& c : cases) {
    std::string path = Write(std::string(c.name) + ".csv", c.content);
    Registries r;
    ASSERT_TRUE(r.AddId("财政供养人员", kId3).ok());
    absl::Status s = r.LoadFile("财政供养人员", path);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(s.message()), StartsWith(path + ":" + c.expected_prefix)) << c.name;
    EXPECT_EQ(r.size("财政供养人员"), 1u) << c.name << ": a malformed file loads nothing";
    EXPECT_FALSE(Contains(r, "财政供养人员", kId1)) << c.name;
  }
}

TEST_F(RegistryTest, MalformedCsvEnumAndDate) {
  Registries r;
  std::string e = Write("enum.csv", "身份证号,类型\n" + std::string(kId1) + ",轿车\n");
  absl::Status se = r.LoadFile("车辆登记", e);
  EXPECT_THAT(std::string(se.message()), StartsWith(e + ":2: kind"));
  EXPECT_THAT(std::string(se.message()), HasSubstr("轿车"));
  std::string d = Write("date.csv", "身份证号,死亡日期\n" + std::string(kId1) + ",2021-02-30\n");
  absl::Status sd = r.LoadFile("死亡登记", d);
  EXPECT_THAT(std::string(sd.message()), StartsWith(d + ":2: died_on"));
  std::string b = Write("bool.csv", "身份证号,存续\n" + std::string(kId1) + ",maybe\n");
  absl::Status sb = r.LoadFile("工商登记", b);
  EXPECT_THAT(std::string(sb.message()), StartsWith(b + ":2: active"));
  EXPECT_EQ(r.size("车辆登记") + r.size("死亡登记") + r.size("工商登记"), 0u);
}

TEST_F(RegistryTest, LoadsLengthDelimitedBinary) {
  v1::SocialInsuranceRecord a;
  a.set_id_number(kId1);
  a.set_kind(v1::EMPLOYEE_PENSION_PAID);
  a.set_monthly_amount_fen(150000);
  v1::SocialInsuranceRecord b = a;
  b.set_kind(v1::UNEMPLOYMENT_BENEFIT);
  b.set_employer("人社局");
  v1::SocialInsuranceRecord c;
  c.set_id_number("non-standard id");
  std::string path = WriteBinary<v1::SocialInsuranceRecord>("si.pb", {a, b, c});
  Registries r;
  absl::Status s = r.LoadFile("社保", path);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.size("社保"), 3u);
  auto records = Fetch(r, "社保", kId1);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(static_cast<const v1::SocialInsuranceRecord&>(*records[0]).kind(), v1::EMPLOYEE_PENSION_PAID);
  EXPECT_EQ(static_cast<const v1::SocialInsuranceRecord&>(*records[1]).employer(), "人社局");
  EXPECT_EQ(static_cast<const v1::SocialInsuranceRecord&>(*records[1]).id_number(), kId1);
  EXPECT_TRUE(Contains(r, "social_insurance", "non-standard id"));
}

TEST_F(RegistryTest, MalformedBinaryLoadsNothing) {
  v1::SocialInsuranceRecord a;
  a.set_id_number(kId1);
  a.set_employer("某单位");
  std::string path = WriteBinary<v1::SocialInsuranceRecord>("cut.bin", {a, a}, /*truncate=*/true);
  Registries r;
  absl::Status s = r.LoadFile("社保", path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(path + ": record 2"));
  EXPECT_EQ(r.size("社保"), 0u);

  std::string garbage = Write("garbage.pb", std::string("\x05\xFF\xFF\xFF\xFF\xFF", 6));
  absl::Status g = r.LoadFile("社保", garbage);
  EXPECT_EQ(g.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(g.message()), StartsWith(garbage + ": record 1"));

  v1::SocialInsuranceRecord no_id;
  no_id.set_employer("x");
  std::string missing = WriteBinary<v1::SocialInsuranceRecord>("noid.pb", {no_id});
  absl::Status m = r.LoadFile("社保", missing);
  EXPECT_THAT(std::string(m.message()), HasSubstr("id_number"));
  EXPECT_EQ(r.size("社保"), 0u);
}

TEST_F(RegistryTest, UnknownRegistryAndMissingFile) {
  std::string path = Write("x.txt", std::string(kId1) + "\n");
  Registries r;
  absl::Status s = r.LoadFile("财政人员", path);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("财政人员"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("public_payroll_staff"));
  absl::Status f = r.LoadFile("deaths", (dir_ / "nope.txt").string());
  EXPECT_EQ(f.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.size("财政人员"), 0u);
  EXPECT_FALSE(r.Contains(-1, kId1));
  EXPECT_FALSE(r.Contains(99, kId1));
  std::vector<std::unique_ptr<google::protobuf::Message>> out;
  r.Fetch(-1, kId1, &out);
  EXPECT_TRUE(out.empty());
}

TEST_F(RegistryTest, LoadingTwiceAddsToTheRegistry) {
  std::string first = Write("a.txt", std::string(kId1) + "\n" + kId3 + "\nshort-id\n");
  std::string second =
      Write("b.csv", "身份证号,姓名\n" + std::string(kId1) + ",第二次\n" + kId3 + ",零开头\nshort-id,非标准\n" + kId2 + ",新\n");
  Registries r;
  ASSERT_TRUE(r.LoadFile("近亲属备案", first).ok());
  ASSERT_TRUE(r.LoadFile("近亲属备案", second).ok());
  EXPECT_EQ(r.size("staff_relatives"), 7u);
  for (const char* id : {kId1, kId3, "short-id"}) {
    auto records = Fetch(r, "近亲属备案", id);
    ASSERT_EQ(records.size(), 2u) << id;
    EXPECT_EQ(static_cast<const v1::StaffRelativeRecord&>(*records[0]).name(), "") << id << ": first load first";
    EXPECT_NE(static_cast<const v1::StaffRelativeRecord&>(*records[1]).name(), "") << id;
    EXPECT_EQ(static_cast<const v1::StaffRelativeRecord&>(*records[1]).id_number(), id);
  }
  EXPECT_EQ(Fetch(r, "近亲属备案", kId2).size(), 1u);
}

TEST_F(RegistryTest, IdsAreMatchedExactly) {
  Registries r;
  ASSERT_TRUE(r.AddId("deaths", kId1).ok());
  ASSERT_TRUE(r.AddId("deaths", "12345").ok());
  ASSERT_TRUE(r.AddId("deaths", "41010019800202234x").ok());
  EXPECT_TRUE(Contains(r, "deaths", kId1));
  EXPECT_FALSE(Contains(r, "deaths", "41010019500101123"));   // 17 characters
  EXPECT_FALSE(Contains(r, "deaths", "4101001950010112345")); // 19 characters
  EXPECT_FALSE(Contains(r, "deaths", " 410100195001011234"));
  EXPECT_TRUE(Contains(r, "deaths", "12345"));
  EXPECT_FALSE(Contains(r, "deaths", "012345"));
  EXPECT_FALSE(Contains(r, "deaths", ""));
  // The check character X is not case-sensitive in resident IDs.
  EXPECT_TRUE(Contains(r, "deaths", kId2));
  EXPECT_TRUE(Contains(r, "deaths", "41010019800202234x"));
}

TEST_F(RegistryTest, AddRecordChecksTypeAndId) {
  Registries r;
  v1::DeathRecord death;
  death.set_id_number(kId1);
  death.set_died_on("2020-01-01");
  EXPECT_TRUE(r.AddRecord("死亡登记", death).ok());
  EXPECT_EQ(r.AddRecord("财政供养人员", death).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddRecord("nope", death).code(), absl::StatusCode::kNotFound);
  v1::DeathRecord anonymous;
  EXPECT_EQ(r.AddRecord("deaths", anonymous).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddId("deaths", "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddId("nope", kId1).code(), absl::StatusCode::kNotFound);
  auto records = Fetch(r, "deaths", kId1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(static_cast<const v1::DeathRecord&>(*records[0]).died_on(), "2020-01-01");
  EXPECT_EQ(death.id_number(), kId1) << "the caller's record is not changed";
}

TEST_F(RegistryTest, MovedRegistriesKeepTheirData) {
  Registries a;
  ASSERT_TRUE(a.AddId("deaths", kId1).ok());
  Registries b = std::move(a);
  EXPECT_TRUE(Contains(b, "deaths", kId1));
  EXPECT_EQ(b.size("deaths"), 1u);
}

}  // namespace
}  // namespace heyan
