// Registries (include/heyan/registry.h): loading verification data from files, membership
// and record fetches by ID number.
#include "heyan/registry.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

// A pipe whose write end a thread fills with `content` and closes: `path()` ("/dev/fd/N")
// reads like `<(cat file)` in a shell. Not seekable, no size.
class PipeSource {
 public:
  explicit PipeSource(std::string content) {
    ::signal(SIGPIPE, SIG_IGN);  // a loader that stops reading early must not kill the test
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    read_fd_ = fds[0];
    writer_ = std::thread([fd = fds[1], content = std::move(content)] {
      size_t done = 0;
      while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      ::close(fd);
    });
  }
  ~PipeSource() {
    ::close(read_fd_);  // unblocks the writer if nobody read everything
    writer_.join();
  }
  std::string path() const { return "/dev/fd/" + std::to_string(read_fd_); }

 private:
  int read_fd_ = -1;
  std::thread writer_;
};

// UTF-8 (ASCII and CJK only, as these tests use) to UTF-16, little or big endian, with an
// optional byte order mark.
std::string Utf16(std::string_view utf8, bool big_endian, bool bom) {
  std::u32string cps;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      cps.push_back(c);
      i += 1;
    } else {
      cps.push_back(((c & 0x0F) << 12) | ((utf8[i + 1] & 0x3F) << 6) | (utf8[i + 2] & 0x3F));
      i += 3;
    }
  }
  std::string out;
  auto unit = [&](uint32_t u) {
    char hi = static_cast<char>(u >> 8), lo = static_cast<char>(u & 0xFF);
    out.push_back(big_endian ? hi : lo);
    out.push_back(big_endian ? lo : hi);
  };
  if (bom) unit(0xFEFF);
  for (char32_t cp : cps) unit(cp);
  return out;
}

constexpr char kId1[] = "410100195001011234";
constexpr char kId2[] = "41010019800202234X";
constexpr char kId3[] = "010100198002022345";  // leading zero: still a standard ID
constexpr char kId4[] = "11010119800101007X";  // correct ISO 7064 MOD 11-2 check character (X)
constexpr char kId5[] = "110101198001010010";  // correct check character (kId1's is wrong)

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
  std::string path = Write("payroll.txt", std::string(kId1) + "\n\n  " + kId2 + "  \r\n" + kId3 + "\n");
  Registries r;
  ASSERT_TRUE(r.LoadFile("财政供养人员", path).ok());
  EXPECT_EQ(r.size("public_payroll_staff"), 3u);
  EXPECT_TRUE(Contains(r, "财政供养人员", kId1));
  EXPECT_TRUE(Contains(r, "财政供养人员", kId2));
  EXPECT_TRUE(Contains(r, "财政供养人员", kId3));
  EXPECT_FALSE(Contains(r, "财政供养人员", kId4));
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
                           "身份证号,企业名称,认缴出资（分）,存续\n" + std::string(kId1) + ",甲公司,100000,是\n" + kId1 +
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
  const std::string header = "身份证号,月工资（元）,工作单位\n";
  const std::string good = std::string(kId1) + ",100,单位\n";
  std::vector<BadCsv> cases = {
      {"int", header + good + kId2 + ",abc,单位\n", "3: monthly_salary_fen"},
      {"cells", header + good + good + kId2 + ",1\n", "4: "},
      {"quote", header + good + kId2 + ",\"1,单位\n", "3: "},
      {"id", header + good + ",1,单位\n", "3: id_number"},
      {"column", "身份证号,工资\n" + good, "1: "},
      {"noid", "月工资（元）\n100\n", "1: "},
      {"unit", "身份证号,月工资,工作单位\n" + good, "2: monthly_salary_fen"},
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
  c.set_id_number(kId4);
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
  EXPECT_TRUE(Contains(r, "social_insurance", kId4));
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
  std::string first = Write("a.txt", std::string(kId1) + "\n" + kId3 + "\n" + kId4 + "\n");
  std::string second =
      Write("b.csv", "身份证号,姓名\n" + std::string(kId1) + ",第二次\n" + kId3 + ",零开头\n" + kId4 + ",校验位X\n" + kId2 + ",新\n");
  Registries r;
  ASSERT_TRUE(r.LoadFile("近亲属备案", first).ok());
  ASSERT_TRUE(r.LoadFile("近亲属备案", second).ok());
  EXPECT_EQ(r.size("staff_relatives"), 7u);
  for (const char* id : {kId1, kId3, kId4}) {
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

// ---- file arguments: what a path names, and streams -----------------------------------------

TEST_F(RegistryTest, DirectoryIsRefusedWithoutCrashing) {
  Registries r;
  absl::Status s = r.LoadFile("财政供养人员", dir_.string());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.message()), dir_.string() + ": 是目录，不是登记册文件");
  EXPECT_EQ(r.size("财政供养人员"), 0u);
}

TEST_F(RegistryTest, DevicesAndSocketsAreRefused) {
  Registries r;
  absl::Status d = r.LoadFile("deaths", "/dev/null");
  EXPECT_FALSE(d.ok()) << "a device is not a registry file (an empty registry is an empty file)";
  EXPECT_THAT(std::string(d.message()), StartsWith("/dev/null: 是设备文件"));

  std::string socket_path = (dir_ / "s.sock").string();
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(socket_path.size(), sizeof(address.sun_path));
  std::strcpy(address.sun_path, socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  absl::Status k = r.LoadFile("deaths", socket_path);
  ::close(fd);
  EXPECT_FALSE(k.ok());
  EXPECT_THAT(std::string(k.message()), StartsWith(socket_path + ": 是套接字"));
  EXPECT_EQ(r.size("deaths"), 0u);
}

TEST_F(RegistryTest, UnreadableFileNamesThePermissionProblem) {
  std::string path = Write("secret.txt", std::string(kId1) + "\n");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  // root reads anything: look at the file as an ordinary user would.
  const bool root = ::geteuid() == 0;
  if (root) ASSERT_EQ(::seteuid(65534), 0);
  Registries r;
  absl::Status s = r.LoadFile("deaths", path);
  if (root) ASSERT_EQ(::seteuid(0), 0);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(std::string(s.message()), path + ": 没有读取权限");
}

TEST_F(RegistryTest, MissingFileSaysSo) {
  Registries r;
  std::string path = (dir_ / "nope.csv").string();
  absl::Status s = r.LoadFile("deaths", path);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(s.message()), path + ": 找不到登记册文件");
}

TEST_F(RegistryTest, PipesAreReadAsStreams) {
  // An ID list from a pipe (`--registry 财政供养人员=<(cat ids.txt)`): every ID is there.
  std::string ids;
  for (int i = 0; i < 20000; ++i) ids += absl::StrCat("1101011980", absl::Dec(i, absl::kZeroPad8), "\n");
  {
    PipeSource pipe(std::string(kId1) + "\n" + ids + kId2 + "\n");
    Registries r;
    absl::Status s = r.LoadFile("财政供养人员", pipe.path());
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(r.size("财政供养人员"), 20002u);
    EXPECT_TRUE(Contains(r, "财政供养人员", kId1));
    EXPECT_TRUE(Contains(r, "财政供养人员", kId2));
  }
  {
    PipeSource pipe("身份证号,月工资（分）\n" + std::string(kId1) + ",100\n");
    Registries r;
    absl::Status s = r.LoadFile("财政供养人员", pipe.path(), RegistryFormat::kCsv);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_TRUE(Contains(r, "财政供养人员", kId1));
  }
  {
    PipeSource pipe(std::string("{\"idNumber\":\"") + kId2 + "\"}\n");
    Registries r;
    absl::Status s = r.LoadFile("财政供养人员", pipe.path(), RegistryFormat::kJsonLines);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_TRUE(Contains(r, "财政供养人员", kId2));
  }
  {
    v1::SocialInsuranceRecord a;
    a.set_id_number(kId1);
    std::string bytes = a.SerializeAsString();
    PipeSource pipe(std::string(1, static_cast<char>(bytes.size())) + bytes);
    Registries r;
    absl::Status s = r.LoadFile("社保", pipe.path(), RegistryFormat::kBinary);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_TRUE(Contains(r, "社保", kId1));
  }
  {
    // A named FIFO; the extension still picks the format.
    std::string fifo = (dir_ / "staff.csv").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] {
      std::ofstream out(fifo, std::ios::binary);
      out << "身份证号\n" << kId3 << "\n";
    });
    Registries r;
    absl::Status s = r.LoadFile("财政供养人员", fifo);
    writer.join();
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_TRUE(Contains(r, "财政供养人员", kId3));
  }
}

TEST_F(RegistryTest, EmptyFileIsAnEmptyRegistryButBlankContentIsAnError) {
  Registries r;
  std::string empty = Write("empty.txt", "");
  ASSERT_TRUE(r.LoadFile("deaths", empty).ok());
  EXPECT_EQ(r.size("deaths"), 0u);
  ASSERT_EQ(r.files().size(), 1u);
  EXPECT_EQ(r.files()[0].records, 0u);

  std::vector<std::pair<std::string, std::string>> no_records = {
      {"blank.txt", "\n  \n\r\n"},
      {"header.csv", "身份证号,死亡日期\n"},
      {"blank.jsonl", "\n\n"},
      {"bom.txt", "\xEF\xBB\xBF"},
  };
  for (const auto& [name, content] : no_records) {
    std::string path = Write(name, content);
    absl::Status s = r.LoadFile("deaths", path);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(std::string(s.message()), StartsWith(path + ": 文件不是空的，却没有读到任何记录")) << name;
  }
  PipeSource pipe("\n");
  EXPECT_FALSE(r.LoadFile("deaths", pipe.path()).ok()) << "a pipe with content but no records";
  EXPECT_EQ(r.size("deaths"), 0u);
  EXPECT_EQ(r.files().size(), 1u) << "failed loads are not listed";
}

TEST_F(RegistryTest, FilesListsRecordsPerLoadedFile) {
  std::string a = Write("a.txt", std::string(kId1) + "\n" + kId2 + "\n");
  std::string b = Write("b.csv", "身份证号,姓名\n" + std::string(kId3) + ",甲\n");
  Registries r;
  ASSERT_TRUE(r.LoadFile("财政供养人员", a).ok());
  ASSERT_TRUE(r.LoadFile("近亲属备案", b).ok());
  ASSERT_EQ(r.files().size(), 2u);
  EXPECT_EQ(r.files()[0].registry, "public_payroll_staff");
  EXPECT_EQ(r.files()[0].path, a);
  EXPECT_EQ(r.files()[0].records, 2u);
  EXPECT_EQ(r.files()[1].registry, "staff_relatives");
  EXPECT_EQ(r.files()[1].records, 1u);
}

// ---- encodings and ID numbers ----------------------------------------------------------------

TEST_F(RegistryTest, Utf8BomDoesNotHideTheFirstId) {
  std::string path = Write("bom.txt", "\xEF\xBB\xBF" + std::string(kId1) + "\n" + kId2 + "\n");
  Registries r;
  ASSERT_TRUE(r.LoadFile("财政供养人员", path).ok());
  EXPECT_TRUE(Contains(r, "财政供养人员", kId1));
  EXPECT_TRUE(Contains(r, "财政供养人员", kId2));
  EXPECT_EQ(r.size("财政供养人员"), 2u);
}

TEST_F(RegistryTest, Utf16IdListsAreConverted) {
  const std::string text = std::string(kId1) + "\r\n" + kId2 + "\r\n" + kId3;
  struct Variant {
    const char* name;
    bool big_endian;
    bool bom;
  };
  for (const Variant& v : {Variant{"le_bom.txt", false, true}, Variant{"be_bom.txt", true, true},
                           Variant{"le.txt", false, false}, Variant{"be.txt", true, false}}) {
    std::string path = Write(v.name, Utf16(text, v.big_endian, v.bom));
    Registries r;
    absl::Status s = r.LoadFile("财政供养人员", path);
    ASSERT_TRUE(s.ok()) << v.name << ": " << s;
    EXPECT_EQ(r.size("财政供养人员"), 3u) << v.name;
    for (const char* id : {kId1, kId2, kId3}) EXPECT_TRUE(Contains(r, "财政供养人员", id)) << v.name << " " << id;
  }
  // A lone half of a surrogate pair is not text.
  std::string broken = Write("broken.txt", Utf16(kId1, false, true) + std::string("\x00\xD8\n\x00", 4));
  Registries r;
  absl::Status s = r.LoadFile("财政供养人员", broken);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(broken + ":1: "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("UTF-16"));
}

TEST_F(RegistryTest, Utf16AndBomCsvAndJsonLines) {
  std::string csv = Write("deaths.csv", Utf16("身份证号,死亡日期\r\n" + std::string(kId1) + ",2021-03-04\r\n", false, true));
  std::string jsonl =
      Write("payroll.jsonl", "\xEF\xBB\xBF{\"idNumber\": \"" + std::string(kId2) + "\", \"name\": \"张三\"}\n");
  std::string jsonl16 = Write("payroll16.jsonl", Utf16("{\"idNumber\": \"" + std::string(kId3) + "\", \"name\": \"李四\"}\n", true, true));
  Registries r;
  absl::Status s = r.LoadFile("死亡登记", csv);
  ASSERT_TRUE(s.ok()) << s;
  auto deaths = Fetch(r, "deaths", kId1);
  ASSERT_EQ(deaths.size(), 1u);
  EXPECT_EQ(static_cast<const v1::DeathRecord&>(*deaths[0]).died_on(), "2021-03-04");
  s = r.LoadFile("财政供养人员", jsonl);
  ASSERT_TRUE(s.ok()) << s;
  s = r.LoadFile("财政供养人员", jsonl16);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(Fetch(r, "财政供养人员", kId2).size(), 1u);
  EXPECT_EQ(static_cast<const v1::PayrollStaffRecord&>(*Fetch(r, "财政供养人员", kId3)[0]).name(), "李四");
}

TEST_F(RegistryTest, NotUtf8TextNamesFileAndLine) {
  // "身份证号" in GBK, as a spreadsheet on a Chinese Windows saves CSV by default.
  std::string path = Write("gbk.csv", "\xC9\xED\xB7\xDD\xD6\xA4\xBA\xC5\n" + std::string(kId1) + "\n");
  Registries r;
  absl::Status s = r.LoadFile("deaths", path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(path + ":1: "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("UTF-8"));
  std::string nul = Write("nul.txt", std::string(kId1) + "\n" + std::string("41\0", 3) + "\n");
  absl::Status n = r.LoadFile("deaths", nul);
  EXPECT_THAT(std::string(n.message()), StartsWith(nul + ":2: "));
}

TEST_F(RegistryTest, QuotedIdsAreAccepted) {
  std::string path = Write("quoted.txt", "\"" + std::string(kId1) + "\"\n'" + kId2 + "'\n=\"" + kId3 + "\"\n " +
                                             "\"" + kId4 + "\" \n");
  Registries r;
  absl::Status s = r.LoadFile("财政供养人员", path);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.size("财政供养人员"), 4u);
  for (const char* id : {kId1, kId2, kId3, kId4}) EXPECT_TRUE(Contains(r, "财政供养人员", id)) << id;
  // In a CSV cell, the spreadsheet form ="..." too.
  std::string csv = Write("q.csv", "身份证号,姓名\n=\"" + std::string(kId5) + "\",甲\n");
  s = r.LoadFile("近亲属备案", csv);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(Contains(r, "近亲属备案", kId5));
}

TEST_F(RegistryTest, MalformedIdsNameFileLineAndLoadNothing) {
  struct Bad {
    std::string line;
    std::string says;  // part of the message
  };
  const std::vector<Bad> cases = {
      {"A-123", "不是 18 位身份证号"},
      {"41010019500101123", "不是 18 位身份证号"},                 // 17 characters
      {"4101001950010112345", "不是 18 位身份证号"},               // 19
      {"410100500101123", "15 位"},                                // first-generation ID
      {"4.10100E+17", "科学计数法"},                               // a spreadsheet's rewrite
      {"41010019500101123Y", "不是 18 位身份证号"},
      {"\xEF\xBC\x94\xEF\xBC\x91" "0100195001011234", "全角"},   // full-width ４１
      {"\"410100195001011234", "不是 18 位身份证号"},              // unbalanced quote
  };
  for (const Bad& c : cases) {
    std::string path = Write("bad.txt", std::string(kId2) + "\n" + c.line + "\n");
    Registries r;
    absl::Status s = r.LoadFile("财政供养人员", path);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(std::string(s.message()), StartsWith(path + ":2: id_number: ")) << c.line;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.says)) << c.line;
    EXPECT_EQ(r.size("财政供养人员"), 0u) << c.line;
  }
  // The same check in every format.
  Registries r;
  std::string csv = Write("bad.csv", "身份证号,姓名\n" + std::string(kId1) + ",甲\n4.10183E+17,乙\n");
  EXPECT_THAT(std::string(r.LoadFile("近亲属备案", csv).message()), StartsWith(csv + ":3: id_number: "));
  std::string jsonl = Write("bad.jsonl", "{\"idNumber\": \"12345\"}\n");
  EXPECT_THAT(std::string(r.LoadFile("近亲属备案", jsonl).message()), StartsWith(jsonl + ":1: id_number: "));
  v1::SocialInsuranceRecord short_id;
  short_id.set_id_number("12345");
  std::string bin = WriteBinary<v1::SocialInsuranceRecord>("bad.pb", {short_id});
  EXPECT_THAT(std::string(r.LoadFile("社保", bin).message()), StartsWith(bin + ": record 1: id_number: "));
  EXPECT_EQ(r.size("近亲属备案") + r.size("社保"), 0u);
}

TEST_F(RegistryTest, WrongCheckCharacterIsCountedOrRefused) {
  // kId1's check character is wrong; kId4 and kId5 are right.
  std::string path = Write("ids.txt", std::string(kId4) + "\n" + kId1 + "\n" + kId5 + "\n" + kId1 + "\n");
  Registries lenient;
  ASSERT_TRUE(lenient.LoadFile("财政供养人员", path).ok());
  EXPECT_TRUE(Contains(lenient, "财政供养人员", kId1)) << "accepted by default";
  ASSERT_EQ(lenient.files().size(), 1u);
  EXPECT_EQ(lenient.files()[0].records, 4u);
  EXPECT_EQ(lenient.files()[0].bad_check_characters, 2u);
  EXPECT_EQ(lenient.files()[0].first_bad_check_character, path + ":2");

  RegistryOptions options;
  options.reject_bad_check_character = true;
  Registries strict(options);
  absl::Status s = strict.LoadFile("财政供养人员", path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(path + ":2: id_number: "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("校验位"));
  EXPECT_EQ(strict.size("财政供养人员"), 0u);
  std::string good = Write("good.txt", std::string(kId4) + "\n" + kId5 + "\n");
  EXPECT_TRUE(strict.LoadFile("财政供养人员", good).ok());
}

// ---- record values ---------------------------------------------------------------------------

TEST_F(RegistryTest, CsvHeaderWithADuplicateColumnIsRefused) {
  Registries r;
  std::string same = Write("same.csv", "身份证号,姓名,月工资,姓名\n" + std::string(kId1) + ",甲,1,乙\n");
  absl::Status s = r.LoadFile("财政供养人员", same);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(same + ":1: "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("姓名"));
  // The same field by its English and Chinese names.
  std::string both = Write("both.csv", "id_number,月工资,身份证号\n" + std::string(kId1) + ",1," + kId2 + "\n");
  absl::Status b = r.LoadFile("财政供养人员", both);
  EXPECT_THAT(std::string(b.message()), StartsWith(both + ":1: "));
  EXPECT_THAT(std::string(b.message()), HasSubstr("身份证号"));
  EXPECT_EQ(r.size("财政供养人员"), 0u);
}

TEST_F(RegistryTest, CsvMoneyAndAreasSayTheirUnit) {
  // 月工资 in 元 as the guide writes it: by a header annotation, or on every value; English
  // headers are the stored fen. A Chinese header without any unit is refused, never guessed.
  const std::string files[] = {
      Write("yuan.csv", "身份证号,月工资（元）\n" + std::string(kId1) + ",4500.5\n"),
      Write("each.csv", "身份证号,月工资\n" + std::string(kId1) + ",4500.50元\n"),
      Write("fen.csv", "id_number,monthly_salary_fen\n" + std::string(kId1) + ",450050\n"),
      Write("fen2.csv", "身份证号,月工资（分）\n" + std::string(kId1) + ",450050\n"),
  };
  for (const std::string& f : files) {
    Registries r;
    ASSERT_TRUE(r.LoadFile("财政供养人员", f).ok()) << f;
    auto records = Fetch(r, "财政供养人员", kId1);
    ASSERT_EQ(records.size(), 1u) << f;
    EXPECT_EQ(static_cast<const v1::PayrollStaffRecord&>(*records[0]).monthly_salary_fen(), 450050) << f;
  }
  Registries r;
  absl::Status s = r.LoadFile("财政供养人员", Write("bare.csv", "身份证号,月工资\n" + std::string(kId1) + ",4500\n"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("没有单位"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("月工资（元）"));
  Registries area;
  ASSERT_TRUE(area.LoadFile("不动产登记", Write("area.csv", "身份证号,面积（平方米）\n" + std::string(kId1) + ",90.5\n")).ok());
  auto homes = Fetch(area, "不动产登记", kId1);
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_EQ(static_cast<const v1::RealEstateRecord&>(*homes[0]).area_centi_m2(), 9050);
}

TEST_F(RegistryTest, NegativeQuantitiesAndUndeclaredEnumNumbersAreRefused) {
  Registries r;
  std::string csv = Write("neg.csv", "身份证号,月工资（分）\n" + std::string(kId1) + ",100\n" + kId2 + ",-100\n");
  absl::Status s = r.LoadFile("财政供养人员", csv);
  EXPECT_THAT(std::string(s.message()), StartsWith(csv + ":3: monthly_salary_fen: "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("负数"));

  std::string grade = Write("grade.csv", "身份证号,残疾等级\n" + std::string(kId1) + ",-2\n");
  EXPECT_THAT(std::string(r.LoadFile("残疾人证", grade).message()), StartsWith(grade + ":2: grade: "));

  std::string jsonl = Write("neg.jsonl", "{\"idNumber\": \"" + std::string(kId1) + "\", \"valueFen\": \"-5\"}\n");
  EXPECT_THAT(std::string(r.LoadFile("车辆登记", jsonl).message()), StartsWith(jsonl + ":1: value_fen: "));

  std::string enums = Write("enum.jsonl", "{\"idNumber\": \"" + std::string(kId1) + "\", \"kind\": 77}\n");
  absl::Status e = r.LoadFile("车辆登记", enums);
  EXPECT_THAT(std::string(e.message()), StartsWith(enums + ":1: kind: "));
  EXPECT_THAT(std::string(e.message()), HasSubstr("77"));

  std::string huge = Write("huge.jsonl", "{\"idNumber\": \"" + std::string(kId1) +
                                             "\", \"valueFen\": -9223372036854775809}\n");
  absl::Status h = r.LoadFile("车辆登记", huge);
  EXPECT_THAT(std::string(h.message()), StartsWith(huge + ":1: value_fen: "));

  v1::RealEstateRecord area;
  area.set_id_number(kId1);
  area.set_area_centi_m2(-1);
  std::string bin = WriteBinary<v1::RealEstateRecord>("area.pb", {area});
  EXPECT_THAT(std::string(r.LoadFile("不动产登记", bin).message()), StartsWith(bin + ": record 1: area_centi_m2: "));

  std::string date = Write("date.jsonl", "{\"idNumber\": \"" + std::string(kId1) + "\", \"diedOn\": \"2021-02-30\"}\n");
  EXPECT_THAT(std::string(r.LoadFile("死亡登记", date).message()), StartsWith(date + ":1: died_on: "));

  EXPECT_EQ(r.size("财政供养人员") + r.size("残疾人证") + r.size("车辆登记") + r.size("不动产登记") + r.size("死亡登记"), 0u);
}

}  // namespace
}  // namespace heyan
