// Load on `heyan serve`: many concurrent clients over loopback gRPC, reporting requests/s
// and p50/p99 latency, plus two checks the service must pass under load (see
// benchmarks/README.md, "serve_load"):
//
//   serve_load [--clients N] [--requests M] [--workers W] [--queue Q] [--reload-every-ms T]
//              [--target HOST:PORT [--token TOKEN]]
//
// Without --target it starts the service in-process (service::Server on 127.0.0.1:0) with
// the example rules and registries (examples/data), W workers and a queue of Q. Each of the N
// clients sends M Evaluate calls back to back (the example applications, in turn), with a
// 60 s deadline each. --reload-every-ms reloads the rules that often while the load runs
// (in-process only). Prints one line of figures and the answers by status code; exits 1 if
// any call got an answer other than OK or RESOURCE_EXHAUSTED (a lost request).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "heyan/v1/service.grpc.pb.h"
#include "service/core.h"
#include "service/grpc_service.h"

namespace {

struct Flags {
  int clients = 16;
  int requests = 500;
  int workers = 2;
  int queue = 64;
  int reload_every_ms = 0;
  std::string target;
  std::string token;
};

std::vector<heyan::v1::VerificationRequest> Requests(const std::string& src) {
  std::vector<heyan::v1::VerificationRequest> out;
  std::ifstream in(src + "/examples/data/applications.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    heyan::v1::VerificationRequest r;
    if (google::protobuf::util::JsonStringToMessage(line, r.mutable_application()).ok()) out.push_back(r);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--clients") f.clients = std::atoi(v.c_str());
    else if (k == "--requests") f.requests = std::atoi(v.c_str());
    else if (k == "--workers") f.workers = std::atoi(v.c_str());
    else if (k == "--queue") f.queue = std::atoi(v.c_str());
    else if (k == "--reload-every-ms") f.reload_every_ms = std::atoi(v.c_str());
    else if (k == "--target") f.target = v;
    else if (k == "--token") f.token = v;
    else {
      std::fprintf(stderr, "serve_load: unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  const std::string src = HEYAN_SOURCE_DIR;
  const std::vector<heyan::v1::VerificationRequest> requests = Requests(src);
  if (requests.empty()) {
    std::fprintf(stderr, "serve_load: no example applications in %s\n", src.c_str());
    return 1;
  }

  std::unique_ptr<heyan::service::Core> core;
  std::unique_ptr<heyan::service::Server> server;
  std::string target = f.target;
  char audit_path[] = "/tmp/serve_load_audit_XXXXXX";
  if (target.empty()) {
    const int fd = mkstemp(audit_path);
    if (fd >= 0) close(fd);
    heyan::service::CoreOptions options;
    options.rules = {src + "/rules/examples/city.heyan"};
    options.audit.path = audit_path;
    for (const char* r : {"财政供养人员=public_payroll_staff.csv", "近亲属备案=staff_relatives.csv",
                          "车辆登记=vehicle_registrations.csv", "残疾人证=disability_certificates.csv",
                          "农机购置补贴=machinery_subsidies.csv", "社保=social_insurance.csv",
                          "建档立卡=poverty_registry.csv"}) {
      std::string flag(r);
      const size_t eq = flag.find('=');
      options.registries.AddRegistry(flag.substr(0, eq + 1) + src + "/examples/data/" + flag.substr(eq + 1));
    }
    auto created = heyan::service::Core::Create(options);
    if (!created.ok()) {
      std::fprintf(stderr, "serve_load: %s\n", std::string(created.status().message()).c_str());
      return 1;
    }
    core = *std::move(created);
    heyan::service::ServerOptions so;
    so.listen = "127.0.0.1:0";
    so.allow_anonymous = true;
    so.workers = f.workers;
    so.queue = f.queue;
    auto started = heyan::service::Server::Start(core.get(), std::move(so));
    if (!started.ok()) {
      std::fprintf(stderr, "serve_load: %s\n", std::string(started.status().message()).c_str());
      return 1;
    }
    server = *std::move(started);
    target = "127.0.0.1:" + std::to_string(server->port());
  }

  std::mutex mu;
  std::vector<double> latencies_us;
  std::map<int, long> by_code;
  std::atomic<bool> done{false};
  std::atomic<int> reloads{0};
  std::thread reloader;
  if (f.reload_every_ms > 0 && core != nullptr) {
    reloader = std::thread([&] {
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(f.reload_every_ms));
        if (core->Reload().ok()) ++reloads;
      }
    });
  }
  // A few channels shared by the clients, as a county system's connection pool would be.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < std::min(f.clients, 4); ++c) {
    grpc::ChannelArguments args;
    args.SetInt("heyan.channel", c);  // distinct arguments: distinct connections
    channels.push_back(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < f.clients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = heyan::v1::Verification::NewStub(channels[c % channels.size()]);
      std::vector<double> mine;
      std::map<int, long> codes;
      for (int i = 0; i < f.requests; ++i) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        if (!f.token.empty()) ctx.AddMetadata("authorization", "Bearer " + f.token);
        heyan::v1::Decision d;
        const auto t0 = std::chrono::steady_clock::now();
        grpc::Status s = stub->Evaluate(&ctx, requests[(c * 7919 + i) % requests.size()], &d);
        const auto t1 = std::chrono::steady_clock::now();
        ++codes[s.error_code()];
        if (s.ok()) mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
      for (auto [k, v] : codes) by_code[k] += v;
    });
  }
  for (auto& t : clients) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  done = true;
  if (reloader.joinable()) reloader.join();

  std::sort(latencies_us.begin(), latencies_us.end());
  auto pct = [&](double p) {
    return latencies_us.empty() ? 0.0 : latencies_us[std::min(latencies_us.size() - 1, size_t(p * latencies_us.size()))];
  };
  const long total = static_cast<long>(f.clients) * f.requests;
  std::printf("clients %d  requests %ld  workers %d  queue %d  %.2f s  answered %.0f req/s  "
              "ok %zu (%.0f/s)  p50 %.0f us  p99 %.0f us  reloads %d\n",
              f.clients, total, f.workers, f.queue, seconds, total / seconds, latencies_us.size(),
              latencies_us.size() / seconds, pct(0.50), pct(0.99), reloads.load());
  long lost = 0;
  for (auto [code, n] : by_code) {
    std::printf("  status %-2d %-20s %ld\n", code,
                code == 0 ? "OK" : code == 8 ? "RESOURCE_EXHAUSTED" : code == 4 ? "DEADLINE_EXCEEDED" : "",
                n);
    if (code != 0 && code != grpc::StatusCode::RESOURCE_EXHAUSTED) lost += n;
  }
  if (core != nullptr) {
    std::printf("  audit rows %ld (decisions and refusals the service recorded)\n",
                static_cast<long>(core->audit()->rows()));
  }
  if (server) {
    server->Shutdown();
    server->Wait();
    std::remove(audit_path);
    std::remove((std::string(audit_path) + "-wal").c_str());
    std::remove((std::string(audit_path) + "-shm").c_str());
  }
  if (lost > 0) {
    std::printf("LOST %ld requests (answered with neither OK nor RESOURCE_EXHAUSTED)\n", lost);
    return 1;
  }
  return 0;
}
