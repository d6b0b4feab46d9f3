// heyan serve's parts (src/service/): admission (bounded queue), the clients file, the audit
// log's ID hashing, and the gRPC service in-process: overload answers RESOURCE_EXHAUSTED,
// and a reload under load loses no request.
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "heyan/v1/service.grpc.pb.h"
#include "service/admission.h"
#include "service/audit_log.h"
#include "service/clients.h"
#include "service/core.h"
#include "service/grpc_service.h"

namespace heyan::service {
namespace {

using ::testing::HasSubstr;

const std::string kSrc = HEYAN_SOURCE_DIR;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempDir(const std::string& name) {
  std::string d = ::testing::TempDir() + "heyan-service-" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

std::vector<v1::VerificationRequest> ExampleRequests() {
  std::vector<v1::VerificationRequest> out;
  std::ifstream in(kSrc + "/examples/data/applications.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    v1::VerificationRequest r;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, r.mutable_application()).ok());
    out.push_back(r);
  }
  return out;
}

TEST(AdmissionTest, QueueIsBoundedAndBeyondItIsRefusedAtOnce) {
  Admission a(/*workers=*/1, /*queue=*/1);
  const absl::Time far = absl::Now() + absl::Hours(1);
  ASSERT_TRUE(a.Enter(far).ok());
  std::atomic<bool> second_in{false};
  std::thread waiter([&] {
    ASSERT_TRUE(a.Enter(far).ok());  // queued until the first leaves
    second_in = true;
    a.Leave();
  });
  while (a.waiting() == 0) absl::SleepFor(absl::Milliseconds(1));
  absl::Status third = a.Enter(far);
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(third.message()), HasSubstr("服务繁忙"));
  EXPECT_FALSE(second_in.load());
  a.Leave();
  waiter.join();
  EXPECT_TRUE(second_in.load());
  EXPECT_EQ(a.refused(), 1);
  EXPECT_EQ(a.active(), 0);
}

TEST(AdmissionTest, QueuedCallGivesUpAtItsDeadline) {
  Admission a(1, 4);
  ASSERT_TRUE(a.Enter(absl::InfiniteFuture()).ok());
  EXPECT_EQ(a.Enter(absl::Now() + absl::Milliseconds(20)).code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(a.waiting(), 0);
}

TEST(ClientsTest, ParsesTokensHashesAndCertificates) {
  absl::StatusOr<Clients> c = Clients::Parse(
      "# comment\n\nxinmi token:0123456789abcdef 新密市，登封市  # two counties\n"
      "city sha256:" + Sha256Hex("city-secret-0123456789") + " *\nlab cert 新郑市\n",
      "clients.txt");
  ASSERT_TRUE(c.ok()) << c.status();
  const Caller* x = c->ByToken("0123456789abcdef");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->name, "xinmi");
  EXPECT_TRUE(x->MayDecide("登封市"));
  EXPECT_FALSE(x->MayDecide("新郑市"));
  ASSERT_NE(c->ByToken("city-secret-0123456789"), nullptr);
  EXPECT_TRUE(c->ByToken("city-secret-0123456789")->MayDecide("任何县"));
  EXPECT_EQ(c->ByToken("nobody"), nullptr);
  ASSERT_NE(c->ByCertificate("lab"), nullptr);
  EXPECT_EQ(c->ByCertificate("xinmi"), nullptr);  // a token client is no certificate client
}

TEST(ClientsTest, ErrorsNameFileAndLine) {
  EXPECT_THAT(std::string(Clients::Parse("a token:0123456789abcdef *\nb short\n", "c.txt").status().message()),
              HasSubstr("c.txt:2:"));
  EXPECT_THAT(std::string(Clients::Parse("a token:short *\n", "c.txt").status().message()),
              HasSubstr("至少 16"));
  EXPECT_THAT(std::string(Clients::Parse("a token:0123456789abcdef *\nb token:0123456789abcdef x\n", "c.txt")
                              .status()
                              .message()),
              HasSubstr("c.txt:2: 令牌与前面的客户端重复"));
  EXPECT_FALSE(Clients::Parse("# nothing\n", "c.txt").ok());
}

TEST(AuditLogTest, HashesIdLikeRunsOnly) {
  const std::string dir = TempDir("hash");
  AuditOptions o;
  o.path = dir + "/a.db";
  auto log = AuditLog::Open(o);
  ASSERT_TRUE(log.ok()) << log.status();
  const std::string id = "41018319561107999X";
  const std::string h = (*log)->HashId(id);
  EXPECT_THAT(h, ::testing::StartsWith("hmac:"));
  EXPECT_EQ((*log)->HashIdsInText("成员 " + id + " 有车"), "成员 " + h + " 有车");
  // Longer digit runs (amounts, phone numbers run together) are left alone.
  EXPECT_EQ((*log)->HashIdsInText("1234567890123456789"), "1234567890123456789");
  // The key is kept in the database: reopening hashes alike.
  log->reset();
  auto again = AuditLog::Open(o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->HashId(id), h);
}

// The service in-process on an ephemeral port, with rules in a folder the test may rewrite.
class ServerTest : public ::testing::Test {
 protected:
  void StartServer(int workers, int queue) {
    dir_ = TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    rules_ = dir_ + "/city.heyan";
    original_ = Slurp(kSrc + "/rules/examples/city.heyan");
    std::ofstream(rules_) << original_;
    std::filesystem::copy_file(kSrc + "/rules/examples/province.heyan", dir_ + "/province.heyan");  // imported
    CoreOptions options;
    options.rules = {dir_};
    options.audit.path = dir_ + "/audit.db";
    auto core = Core::Create(options);
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
    ServerOptions so;
    so.listen = "127.0.0.1:0";
    so.allow_anonymous = true;
    so.workers = workers;
    so.queue = queue;
    auto server = Server::Start(core_.get(), std::move(so));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  std::string dir_, rules_, original_;
  std::unique_ptr<Core> core_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerTest, OverloadIsRefusedWithResourceExhausted) {
  StartServer(/*workers=*/1, /*queue=*/0);
  auto stub = v1::Verification::NewStub(channel_);
  const v1::VerificationRequest request = ExampleRequests()[0];
  {
    grpc::ClientContext ctx;
    v1::Decision d;
    ASSERT_TRUE(stub->Evaluate(&ctx, request, &d).ok());
  }
  // The one worker is busy (the test holds it): the next call is refused, not queued.
  ASSERT_TRUE(server_->admission()->Enter(absl::InfiniteFuture()).ok());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::Decision d;
  grpc::Status s = stub->Evaluate(&ctx, request, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("服务繁忙"));
  server_->admission()->Leave();
  grpc::ClientContext ctx2;
  EXPECT_TRUE(stub->Evaluate(&ctx2, request, &d).ok());
}

TEST_F(ServerTest, ReloadUnderLoadLosesNoRequest) {
  StartServer(/*workers=*/4, /*queue=*/64);
  const std::vector<v1::VerificationRequest> requests = ExampleRequests();
  const std::string first = core_->snapshot()->rule_sets[0].program->fingerprint();
  constexpr int kClients = 6, kPerClient = 150, kReloads = 10;
  std::atomic<int> ok{0}, failed{0};
  std::atomic<bool> done{false};
  std::mutex mu;
  std::set<std::string> fingerprints;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::Verification::NewStub(channel_);
      for (int i = 0; i < kPerClient; ++i) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
        v1::Decision d;
        grpc::Status s = stub->Evaluate(&ctx, requests[(c * kPerClient + i) % requests.size()], &d);
        if (s.ok() && d.outcome() != v1::OUTCOME_UNSPECIFIED) {
          ++ok;
          std::lock_guard<std::mutex> lock(mu);
          fingerprints.insert(d.rules_fingerprint());
        } else {
          ++failed;
          ADD_FAILURE() << s.error_code() << " " << s.error_message();
        }
      }
    });
  }
  // Reload while the clients run, alternating two versions of the rules.
  std::thread reloader([&] {
    for (int r = 0; r < kReloads; ++r) {
      std::ofstream(rules_) << (r % 2 == 0 ? absl::StrReplaceAll(original_, {{"版本 \"", "版本 \"v2-"}}) : original_);
      EXPECT_TRUE(core_->Reload().ok());
    }
    done = true;
  });
  for (auto& t : clients) t.join();
  reloader.join();
  EXPECT_EQ(ok.load(), kClients * kPerClient);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(core_->snapshot()->generation, 1 + kReloads);
  EXPECT_TRUE(fingerprints.count(first) == 1 || fingerprints.size() >= 1);
  // Every answered request is in the audit log.
  EXPECT_EQ(core_->audit()->rows(), kClients * kPerClient);
}

}  // namespace
}  // namespace heyan::service
