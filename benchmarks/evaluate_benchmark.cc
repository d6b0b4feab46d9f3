// Benchmarks for evaluating the dibao screening workload (/work/shared/bench/WORKLOAD.md).
//
// The inputs are the 1,000-household sample batch (HEYAN_BENCH_SAMPLE_DIR), loaded once
// into heyan.v1.Application messages outside every timed loop, with both registries and the
// rules in benchmarks/workload/workload.heyan compiled with params.json as parameters (the
// same setup as heyan_workload). Items are households, so items_per_second is directly
// comparable with heyan_workload's hh_per_s.
//
//   build/benchmarks/evaluate_benchmark
//   build/benchmarks/evaluate_benchmark --benchmark_filter=Evaluate --benchmark_repetitions=5
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "support/allocation_counter.h"
#include "workload/workload_data.h"

#ifndef HEYAN_BENCH_SAMPLE_DIR
#error "HEYAN_BENCH_SAMPLE_DIR must name the workload sample directory (benchmarks/CMakeLists.txt)"
#endif
#ifndef HEYAN_WORKLOAD_RULES
#error "HEYAN_WORKLOAD_RULES must name workload.heyan (benchmarks/CMakeLists.txt)"
#endif

namespace heyan::workload {
namespace {

constexpr char kSampleDir[] = HEYAN_BENCH_SAMPLE_DIR;
constexpr char kRulesFile[] = HEYAN_WORKLOAD_RULES;

std::string ParamsPath() { return absl::StrCat(kSampleDir, "/../params.json"); }
std::string HouseholdsPath() { return absl::StrCat(kSampleDir, "/", kHouseholdsFile); }

// Everything the evaluate benchmarks read, loaded once and shared read-only by all threads.
struct Workload {
  absl::Status status;  // not ok: every benchmark reports this and skips
  WorkloadParams params;
  CompileOptions compile_options;  // parameter overrides from params.json
  Households households;
  Registries registries;
  std::shared_ptr<const Program> program;
};

absl::Status LoadWorkload(Workload* w) {
  absl::StatusOr<WorkloadParams> params = LoadParams(ParamsPath());
  if (!params.ok()) return params.status();
  w->params = *std::move(params);
  w->compile_options.parameter_overrides = ParameterOverrides(w->params);
  if (absl::Status s = LoadRegistries(kSampleDir, &w->registries); !s.ok()) return s;
  absl::StatusOr<Households> households = LoadHouseholds(HouseholdsPath());
  if (!households.ok()) return households.status();
  w->households = *std::move(households);

  absl::StatusOr<CompileResult> compiled = CompileFile(kRulesFile, w->compile_options);
  if (!compiled.ok()) return compiled.status();
  if (!compiled->ok()) {
    std::string text;
    for (const Diagnostic& d : compiled->diagnostics) absl::StrAppend(&text, FormatDiagnostic(d));
    return absl::InvalidArgumentError(absl::StrCat(kRulesFile, " has errors:\n", text));
  }
  w->program = compiled->program;
  return absl::OkStatus();
}

const Workload& GetWorkload() {
  // Built on first use (outside any timed loop); intentionally never destroyed.
  static const Workload* const workload = [] {
    auto* w = new Workload;
    w->status = LoadWorkload(w);
    if (!w->status.ok()) std::fprintf(stderr, "%s\n", w->status.ToString().c_str());
    return w;
  }();
  return *workload;
}

// This thread's contiguous share of the batch, as heyan_workload --threads splits it.
struct Slice {
  size_t begin;
  size_t end;
};
Slice ThreadSlice(const benchmark::State& state, size_t n) {
  const size_t t = static_cast<size_t>(state.thread_index());
  const size_t threads = static_cast<size_t>(state.threads());
  return {n * t / threads, n * (t + 1) / threads};
}

// ---- Heyan: compiled rules over pre-built Applications ------------------------------------
// Stresses the evaluator proper: field access through the proto messages, the sum and the
// any-quantifiers over members/incomes/vehicles/machinery, exact money arithmetic and
// rounding, registry membership look-ups, filling the Decision (reasons, amounts) and reading
// it back into a WorkloadResult. One Decision per thread is reused, as in heyan_workload.
// The _Trace twin records every rule, value and parameter: the cost of explanations.
// ThreadRange checks that a shared const Program scales and is race-free (run it under
// HEYAN_SANITIZE=thread too).

void EvaluateWorkload(benchmark::State& state, bool trace, bool explain = true) {
  const Workload& w = GetWorkload();
  if (!w.status.ok()) {
    state.SkipWithError(w.status.ToString().c_str());
    return;
  }
  const Slice slice = ThreadSlice(state, w.households.size());
  EvalOptions options;
  options.trace = trace;
  options.explain = explain;
  v1::Decision decision;
  WorkloadResult result;
  absl::Status status;
  // The first pass over the slice warms the reused Decision up; after it, allocations are
  // counted (the evaluation and reading the result back).
  for (size_t i = slice.begin; i < slice.end && status.ok(); ++i) {
    status = w.program->Evaluate(w.households[i], w.registries, options, &decision);
  }
  const uint64_t allocations_before = test_support::AllocationsOnThisThread();
  for (auto _ : state) {
    for (size_t i = slice.begin; i < slice.end && status.ok(); ++i) {
      status = w.program->Evaluate(w.households[i], w.registries, options, &decision);
      if (status.ok()) status = ExtractResult(w.households[i], decision, &result);
      benchmark::DoNotOptimize(result.benefit_fen);
    }
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
  }
  const int64_t decided = state.iterations() * static_cast<int64_t>(slice.end - slice.begin);
  state.SetItemsProcessed(decided);
  if (decided > 0) {
    state.counters["allocs_per_household"] = benchmark::Counter(
        static_cast<double>(test_support::AllocationsOnThisThread() - allocations_before) / decided,
        benchmark::Counter::kAvgThreads);
  }
}

void BM_Evaluate_Workload(benchmark::State& state) { EvaluateWorkload(state, /*trace=*/false); }
BENCHMARK(BM_Evaluate_Workload)->ThreadRange(1, 2)->UseRealTime();

// Lean decisions (EvalOptions.explain = false): outcome, reason ids and amounts only, as a
// screening run that writes a ledger would ask for. The difference to BM_Evaluate_Workload
// is the cost of rendering messages, citations and values.
void BM_Evaluate_Workload_Lean(benchmark::State& state) {
  EvaluateWorkload(state, /*trace=*/false, /*explain=*/false);
}
BENCHMARK(BM_Evaluate_Workload_Lean)->ThreadRange(1, 2)->UseRealTime();

void BM_Evaluate_Workload_Trace(benchmark::State& state) {
  EvaluateWorkload(state, /*trace=*/true);
}
BENCHMARK(BM_Evaluate_Workload_Trace)->ThreadRange(1, 2)->UseRealTime();

// ---- Baseline: the same rules hand-written in C++ over the same messages -------------------
// The floor for (a): same Applications, same Registries::Contains look-ups, same result
// record, but no interpretation, no Decision and no generality. The ratio
// BM_Evaluate_Workload / BM_Handwritten_Workload is the engine's overhead.

void BM_Handwritten_Workload(benchmark::State& state) {
  const Workload& w = GetWorkload();
  if (!w.status.ok()) {
    state.SkipWithError(w.status.ToString().c_str());
    return;
  }
  const Slice slice = ThreadSlice(state, w.households.size());
  for (auto _ : state) {
    for (size_t i = slice.begin; i < slice.end; ++i) {
      WorkloadResult result = HandwrittenEvaluate(w.households[i], w.registries, w.params);
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(slice.end - slice.begin));
}
BENCHMARK(BM_Handwritten_Workload)->ThreadRange(1, 2)->UseRealTime();

// ---- Compile: workload.heyan from disk to a Program ---------------------------------------
// Stresses the front end once per iteration: reading the file, lexing and parsing Chinese
// source with ANTLR, name resolution against the proto descriptors, type checking,
// applying the eight parameter overrides (each parsed and checked as a constant) and
// planning. Compilation happens once per rule set, so this matters for `heyan check`, editors
// and service start-up, not for throughput.

void BM_Compile_Workload(benchmark::State& state) {
  const Workload& w = GetWorkload();
  for (auto _ : state) {
    absl::StatusOr<CompileResult> compiled = CompileFile(kRulesFile, w.compile_options);
    if (!compiled.ok() || !compiled->ok()) {
      state.SkipWithError(compiled.ok() ? "workload.heyan has errors"
                                        : compiled.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(compiled->program);
  }
}
BENCHMARK(BM_Compile_Workload)->Unit(benchmark::kMillisecond);

// ---- Load: households.jsonl to Applications -------------------------------------------------
// Stresses the input path heyan_workload's load_s is made of: simdjson On-Demand over each
// line, field-by-field conversion to heyan.v1.Application on a protobuf Arena (one ~18-byte
// ID string per member), and freeing the batch. Independent of the engine.

void BM_Load_Households(benchmark::State& state) {
  const std::string path = HouseholdsPath();
  int64_t households_loaded = 0;
  for (auto _ : state) {
    absl::StatusOr<Households> households = LoadHouseholds(path);
    if (!households.ok()) {
      state.SkipWithError(households.status().ToString().c_str());
      break;
    }
    households_loaded += static_cast<int64_t>(households->size());
  }
  int64_t file_bytes = 0;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    if (std::fseek(f, 0, SEEK_END) == 0) file_bytes = std::ftell(f);
    std::fclose(f);
  }
  state.SetItemsProcessed(households_loaded);
  state.SetBytesProcessed(state.iterations() * file_bytes);
}
BENCHMARK(BM_Load_Households)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace heyan::workload

BENCHMARK_MAIN();
