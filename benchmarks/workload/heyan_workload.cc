// heyan_workload: runs the dibao screening workload (/work/shared/bench/WORKLOAD.md) with
// Heyan, with the interface every engine in the comparison shares:
//
//   heyan_workload --data DIR --params params.json --out OUT.jsonl [--threads N]
//                  [--rules FILE] [--engine heyan|handwritten] [--write-applications FILE]
//
// 1. Load (timed as load_s): params.json, the rule file compiled with params.json as its
//    parameter values, both registries, and every household converted to a
//    heyan.v1.Application.
// 2. Evaluate (eval_s, the number the comparison is about): every household in input order,
//    from the loaded Application to a WorkloadResult in memory, registry look-ups included.
//    --threads N splits the households into N contiguous chunks evaluated by N threads that
//    share the one immutable Program; each thread reuses one Decision.
// 3. Write OUT (write_s) in the workload's output format, then print ONE JSON line:
//    {"peer":"heyan","households":N,"load_s":..,"eval_s":..,"write_s":..,"hh_per_s":..,
//     "threads":T,"engine":"heyan"}
//
// --engine handwritten runs the same rules written by hand in C++ against the same messages
// (HandwrittenEvaluate), the baseline the engine is measured against; no rule file is read.
// --write-applications FILE also writes the converted Applications as protobuf JSON lines
// (after the timed phases) for feeding `heyan eval` in the end-to-end benchmark.
//
// Exit status: 0 on success, 1 when an input cannot be read or is malformed, or evaluation
// fails; 2 for a usage error or a rule file with errors (diagnostics go to stderr).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "workload/workload_data.h"

#ifndef HEYAN_WORKLOAD_RULES
#error "HEYAN_WORKLOAD_RULES must name the default rule file (set by benchmarks/CMakeLists.txt)"
#endif

namespace heyan::workload {
namespace {

constexpr char kUsage[] =
    "usage: heyan_workload --data DIR --params FILE --out FILE [--threads N] [--rules FILE]\n"
    "                      [--engine heyan|handwritten] [--write-applications FILE]\n"
    "  --data DIR      directory with households.jsonl, salaried_staff.txt, staff_relatives.txt\n"
    "  --params FILE   params.json; its values replace the rule file's parameters\n"
    "  --out FILE      where to write the results (one JSON line per household)\n"
    "  --threads N     evaluate with N threads (default 1)\n"
    "  --rules FILE    rule file (default " HEYAN_WORKLOAD_RULES ")\n"
    "  --engine E      heyan (default) or handwritten (the C++ baseline)\n"
    "  --lean          lean decisions (EvalOptions.explain = false): no messages or values\n"
    "  --write-applications FILE  also write the Applications as protobuf JSON lines\n";

struct Flags {
  std::string data;
  std::string params;
  std::string out;
  std::string rules = HEYAN_WORKLOAD_RULES;
  std::string engine = "heyan";
  std::string write_applications;
  int threads = 1;
  bool help = false;
  bool lean = false;
};

// Accepts "--name VALUE" and "--name=VALUE".
absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
      return flags;
    }
    if (arg == "--lean") {
      flags.lean = true;
      continue;
    }
    absl::string_view name = arg, value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    std::string* target = nullptr;
    std::string threads;
    if (name == "--data") {
      target = &flags.data;
    } else if (name == "--params") {
      target = &flags.params;
    } else if (name == "--out") {
      target = &flags.out;
    } else if (name == "--rules") {
      target = &flags.rules;
    } else if (name == "--engine") {
      target = &flags.engine;
    } else if (name == "--write-applications") {
      target = &flags.write_applications;
    } else if (name == "--threads") {
      target = &threads;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg));
    }
    if (!has_value) {
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
      value = argv[++i];
    }
    if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
    target->assign(value.data(), value.size());
    if (target == &threads && (!absl::SimpleAtoi(threads, &flags.threads) || flags.threads < 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--threads must be a positive integer, not ", threads));
    }
  }
  if (flags.data.empty() || flags.params.empty() || flags.out.empty()) {
    return absl::InvalidArgumentError("--data, --params and --out are required");
  }
  if (flags.engine != "heyan" && flags.engine != "handwritten") {
    return absl::InvalidArgumentError(
        absl::StrCat("--engine must be heyan or handwritten, not ", flags.engine));
  }
  return flags;
}

// Everything the timed loop reads; immutable once loaded.
struct Loaded {
  WorkloadParams params;
  Registries registries;
  Households households;
  std::shared_ptr<const Program> program;  // null for --engine handwritten
  bool explain = true;  // false with --lean
};

// Sets *rule_errors when the rule file has errors (exit 2, diagnostics already printed), as
// opposed to other load failures (exit 1).
absl::Status CompileRules(const Flags& flags, Loaded* loaded, bool* rule_errors) {
  CompileOptions options;
  options.parameter_overrides = ParameterOverrides(loaded->params);
  absl::StatusOr<CompileResult> result = CompileFile(flags.rules, options);
  if (!result.ok()) return result.status();
  for (const Diagnostic& d : result->diagnostics) {
    std::string text = FormatDiagnostic(d);
    if (text.empty() || text.back() != '\n') text.push_back('\n');
    std::fputs(text.c_str(), stderr);
  }
  if (!result->ok()) {
    *rule_errors = true;
    return absl::InvalidArgumentError(absl::StrCat(flags.rules, ": the rule file has errors"));
  }
  loaded->program = std::move(result->program);
  return absl::OkStatus();
}

absl::Status Load(const Flags& flags, Loaded* loaded, bool* rule_errors) {
  loaded->explain = !flags.lean;
  absl::StatusOr<WorkloadParams> params = LoadParams(flags.params);
  if (!params.ok()) return params.status();
  loaded->params = *std::move(params);
  // Rules before data: a broken rule file fails in milliseconds, not after a 650 MB load.
  if (flags.engine == "heyan") {
    if (absl::Status s = CompileRules(flags, loaded, rule_errors); !s.ok()) return s;
  }
  if (absl::Status s = LoadRegistries(flags.data, &loaded->registries); !s.ok()) return s;
  const std::string path =
      absl::StrCat(flags.data, flags.data.back() == '/' ? "" : "/", kHouseholdsFile);
  absl::StatusOr<Households> households = LoadHouseholds(path);
  if (!households.ok()) return households.status();
  loaded->households = *std::move(households);
  return absl::OkStatus();
}

// Evaluates households [begin, end) into results[begin, end). The vector is preallocated, so
// threads write disjoint elements and never reallocate it.
absl::Status EvaluateChunk(const Loaded& loaded, size_t begin, size_t end,
                           std::vector<WorkloadResult>* results) {
  const Households& households = loaded.households;
  if (loaded.program == nullptr) {
    for (size_t i = begin; i < end; ++i) {
      (*results)[i] = HandwrittenEvaluate(households[i], loaded.registries, loaded.params);
    }
    return absl::OkStatus();
  }
  const Program& program = *loaded.program;
  EvalOptions options;  // as_of comes from each Application
  options.explain = loaded.explain;
  v1::Decision decision;      // reused: Evaluate clears it and keeps its allocations
  for (size_t i = begin; i < end; ++i) {
    if (absl::Status s = program.Evaluate(households[i], loaded.registries, options, &decision);
        !s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat("household ", households[i].id(), ": ", s.message()));
    }
    if (absl::Status s = ExtractResult(households[i], decision, &(*results)[i]); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status EvaluateAll(const Flags& flags, const Loaded& loaded,
                         std::vector<WorkloadResult>* results) {
  const size_t n = loaded.households.size();
  const size_t threads = static_cast<size_t>(flags.threads);
  if (threads == 1) return EvaluateChunk(loaded, 0, n, results);
  // Contiguous chunks: each thread walks its own part of the batch front to back, as the
  // single-threaded loop does, and writes its own part of `results`.
  const size_t chunk = (n + threads - 1) / threads;
  std::vector<absl::Status> statuses(threads);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (size_t t = 0; t < threads; ++t) {
    const size_t begin = std::min(n, t * chunk);
    const size_t end = std::min(n, begin + chunk);
    workers.emplace_back([&, t, begin, end] {
      statuses[t] = EvaluateChunk(loaded, begin, end, results);
    });
  }
  for (std::thread& w : workers) w.join();
  for (const absl::Status& s : statuses) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

int Run(int argc, char** argv) {
  absl::StatusOr<Flags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "heyan_workload: %s\n%s", std::string(flags.status().message()).c_str(),
                 kUsage);
    return 2;
  }
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }

  using Clock = std::chrono::steady_clock;
  const Clock::time_point t0 = Clock::now();
  Loaded loaded;
  bool rule_errors = false;
  if (absl::Status s = Load(*flags, &loaded, &rule_errors); !s.ok()) {
    std::fprintf(stderr, "heyan_workload: %s\n", s.ToString().c_str());
    return rule_errors ? 2 : 1;
  }
  std::vector<WorkloadResult> results(loaded.households.size());

  const Clock::time_point t1 = Clock::now();
  if (absl::Status s = EvaluateAll(*flags, loaded, &results); !s.ok()) {
    std::fprintf(stderr, "heyan_workload: evaluation failed: %s\n", s.ToString().c_str());
    return 1;
  }
  const Clock::time_point t2 = Clock::now();

  if (absl::Status s = WriteResults(flags->out, results); !s.ok()) {
    std::fprintf(stderr, "heyan_workload: %s\n", s.ToString().c_str());
    return 1;
  }
  const Clock::time_point t3 = Clock::now();

  if (!flags->write_applications.empty()) {
    if (absl::Status s = WriteApplicationsJson(flags->write_applications, loaded.households);
        !s.ok()) {
      std::fprintf(stderr, "heyan_workload: %s\n", s.ToString().c_str());
      return 1;
    }
  }

  const double eval_s = Seconds(t2 - t1);
  const size_t n = loaded.households.size();
  std::fputs(absl::StrFormat("{\"peer\":\"heyan\",\"households\":%d,\"load_s\":%.6f,"
                             "\"eval_s\":%.6f,\"write_s\":%.6f,\"hh_per_s\":%.1f,"
                             "\"threads\":%d,\"engine\":\"%s\"}\n",
                             n, Seconds(t1 - t0), eval_s, Seconds(t3 - t2),
                             eval_s > 0 ? static_cast<double>(n) / eval_s : 0.0, flags->threads,
                             flags->engine)
                 .c_str(),
             stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace heyan::workload

int main(int argc, char** argv) { return heyan::workload::Run(argc, argv); }
