// `heyan serve`: the verification service (src/service/) behind command-line flags.
//
//   heyan serve --rules DIR [--rules DIR ...] [--registry NAME=FILE ...] [--checked-on NAME=DATE[,REF] ...]
//               [--listen HOST:PORT] [--default-ruleset NAME]
//               (--clients FILE | --allow-anonymous) [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]
//               [--audit-db FILE] [--audit-pii] [--audit-key FILE]
//               [--max-request-bytes N] [--max-batch N] [--max-seconds S] [--workers N] [--queue N]
//               [--watch SECONDS] [--strict-ids]
//
// Prints "listening on HOST:PORT" on stdout once it serves (port 0 picks a free port, so
// tests and scripts read it there). SIGHUP, or a changed rule or registry file with --watch,
// reloads the rules and registries atomically; a failed reload keeps the old ones serving
// and says why on stderr. SIGINT / SIGTERM stop it gracefully.
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/commands.h"
#include "service/core.h"
#include "service/grpc_service.h"

namespace heyan::cli {
namespace {

constexpr char kServeUsage[] =
    "用法 / usage: heyan serve --rules DIR [--registry NAME=FILE ...] [--checked-on NAME=DATE[,REF] ...]\n"
    "    [--listen HOST:PORT] [--default-ruleset NAME] (--clients FILE | --allow-anonymous)\n"
    "    [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]] [--audit-db FILE] [--audit-pii] [--audit-key FILE]\n"
    "    [--max-request-bytes N] [--max-batch N] [--max-seconds S] [--workers N] [--queue N] [--watch SECONDS]\n"
    "    [--strict-ids]\n";

int Fail(const std::string& message) {
  std::cerr << "heyan serve: " << message << "\n";
  return 1;
}

bool ParsePositive(const std::string& text, long max, long* out) {
  long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > max) return false;
  *out = v;
  return true;
}

int g_signal_pipe[2] = {-1, -1};

void OnSignal(int sig) {
  const unsigned char byte = static_cast<unsigned char>(sig);
  const int saved = errno;
  (void)!write(g_signal_pipe[1], &byte, 1);  // async-signal-safe
  errno = saved;
}

void Log(const std::string& line) {
  std::cerr << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ ", absl::Now(), absl::UTCTimeZone()) << line << std::endl;
}

}  // namespace

int Serve(const std::vector<std::string>& args) {
  service::CoreOptions core;
  core.audit.path = "heyan-audit.db";
  service::ServerOptions server;
  std::string clients_file;
  long watch_seconds = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    const bool boolean = flag == "--audit-pii" || flag == "--allow-anonymous" || flag == "--strict-ids";
    if (const size_t eq = flag.find('='); absl::StartsWith(flag, "--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (!boolean) {
      if (i + 1 >= args.size() || !absl::StartsWith(flag, "--")) {
        std::cerr << "heyan serve: " << flag << (absl::StartsWith(flag, "--") ? " 缺少取值 (needs a value)\n" : ": 未知参数 (unknown argument)\n")
                  << kServeUsage;
        return 2;
      }
      value = args[++i];
    }
    long n = 0;
    auto number = [&](long max) {
      if (ParsePositive(value, max, &n)) return true;
      std::cerr << "heyan serve: " << flag << " " << value << ": 应为 1 到 " << max << " 的整数 (an integer 1.." << max
                << ")\n";
      return false;
    };
    if (flag == "--rules") {
      core.rules.push_back(value);
    } else if (flag == "--registry") {
      if (std::string e = core.registries.AddRegistry(value); !e.empty()) return Fail(e);
    } else if (flag == "--checked-on") {
      if (std::string e = core.registries.AddCheckedOn(value); !e.empty()) return Fail(e);
    } else if (flag == "--strict-ids") {
      core.registry_options.reject_bad_check_character = true;
    } else if (flag == "--listen") {
      server.listen = value;
    } else if (flag == "--default-ruleset") {
      core.default_ruleset = value;
    } else if (flag == "--clients") {
      clients_file = value;
    } else if (flag == "--allow-anonymous") {
      server.allow_anonymous = true;
    } else if (flag == "--tls-cert") {
      server.tls_cert = value;
    } else if (flag == "--tls-key") {
      server.tls_key = value;
    } else if (flag == "--tls-client-ca") {
      server.tls_client_ca = value;
    } else if (flag == "--audit-db") {
      core.audit.path = value;
    } else if (flag == "--audit-pii") {
      core.audit.store_pii = true;
    } else if (flag == "--audit-key") {
      core.audit.key_file = value;
    } else if (flag == "--max-request-bytes") {
      if (!number(1L << 30)) return 2;
      server.max_request_bytes = static_cast<int>(n);
    } else if (flag == "--max-batch") {
      if (!number(10'000'000)) return 2;
      core.max_batch = static_cast<int>(n);
    } else if (flag == "--max-seconds") {
      if (!number(86400)) return 2;
      server.max_call_time = absl::Seconds(n);
    } else if (flag == "--workers") {
      if (!number(4096)) return 2;
      server.workers = static_cast<int>(n);
    } else if (flag == "--queue") {
      if (value == "0") {
        server.queue = 0;
      } else {
        if (!number(100000)) return 2;
        server.queue = static_cast<int>(n);
      }
    } else if (flag == "--watch") {
      if (!number(86400)) return 2;
      watch_seconds = n;
    } else {
      std::cerr << "heyan serve: 未知选项 (unknown option) " << flag << "\n" << kServeUsage;
      return 2;
    }
  }
  if (core.rules.empty()) {
    std::cerr << kServeUsage;
    return 2;
  }
  if (!clients_file.empty()) {
    absl::StatusOr<service::Clients> clients = service::Clients::Load(clients_file);
    if (!clients.ok()) return Fail(std::string(clients.status().message()));
    server.clients = *std::move(clients);
  }

  // Signals become bytes on a pipe that one thread reads: a handler works whichever thread
  // the kernel picks (gRPC and libraries start threads of their own), and the reload and
  // shutdown then run as ordinary code, not inside a signal handler.
  if (pipe(g_signal_pipe) != 0) return Fail("pipe() failed");
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGHUP, SIGINT, SIGTERM}) sigaction(sig, &action, nullptr);

  absl::StatusOr<std::unique_ptr<service::Core>> created = service::Core::Create(core);
  if (!created.ok()) return Fail(std::string(created.status().message()));
  std::unique_ptr<service::Core> engine = *std::move(created);
  const std::string host = server.listen.substr(0, server.listen.rfind(':'));
  absl::StatusOr<std::unique_ptr<service::Server>> started = service::Server::Start(engine.get(), std::move(server));
  if (!started.ok()) return Fail(std::string(started.status().message()));
  std::unique_ptr<service::Server> running = *std::move(started);

  auto reload = [&](const char* why) {
    absl::Status s = engine->Reload();
    if (s.ok()) {
      const auto snap = engine->snapshot();
      std::string sets;
      for (const auto& r : snap->rule_sets) absl::StrAppend(&sets, " ", r.name, "=", r.program->fingerprint().substr(0, 12));
      Log(absl::StrCat("重新加载（", why, "）第 ", snap->generation, " 版:", sets, " (reloaded)"));
    } else {
      Log(absl::StrCat("重新加载失败，继续使用原规则（reload failed, old rules kept）：", s.message()));
    }
  };

  {
    const auto snap = engine->snapshot();
    for (const auto& r : snap->rule_sets) {
      Log(absl::StrCat("规则集 ", r.name, " 版本 ", r.program->version(), " 指纹 ", r.program->fingerprint(),
                       " (", r.file, ")", snap->default_index >= 0 && &r == &snap->rule_sets[snap->default_index] ? " [默认]" : ""));
    }
  }
  std::cout << "listening on " << absl::StrCat(host, ":", running->port())
            << std::endl;

  std::atomic<bool> stopping{false};
  std::thread watcher;
  if (watch_seconds > 0) {
    watcher = std::thread([&] {
      while (!stopping.load()) {
        for (long t = 0; t < watch_seconds * 10 && !stopping.load(); ++t) absl::SleepFor(absl::Milliseconds(100));
        if (!stopping.load() && engine->Changed()) reload("文件已更改 files changed");
      }
    });
  }
  std::thread signaller([&] {
    for (;;) {
      unsigned char sig = 0;
      const ssize_t n = read(g_signal_pipe[0], &sig, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n == 1 && sig == SIGHUP) {
        reload("SIGHUP");
        continue;
      }
      Log("正在停止 (stopping)");
      stopping.store(true);
      running->Shutdown();
      return;
    }
  });
  running->Wait();
  signaller.join();
  if (watcher.joinable()) watcher.join();
  return 0;
}

}  // namespace heyan::cli
