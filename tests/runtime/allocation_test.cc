// The lean path allocates nothing per household in steady state (issue 10): with a Decision
// reused for the same household, a lean evaluation (EvalOptions.explain = false) makes no heap
// allocation at all, for every shipped case decided without missing evidence or faults (whose
// field paths and messages are text built when reported). Full decisions render text and may
// allocate: their counts are printed, not asserted. Allocations are counted by
// support/allocation_counter.h.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "support/allocation_counter.h"
#include "support/shipped_cases.h"

namespace heyan {
namespace {

using Case = test_support::ShippedCase;

// One shipped case's input, built once outside the counted evaluations.
struct PreparedCase {
  const Case* c;
  v1::VerificationRequest request;  // used when the case has 核对结果 (records)
  EvalOptions options;
};

absl::Status Decide(const PreparedCase& p, v1::Decision* decision) {
  if (p.c->test.has_records()) return p.c->program->Evaluate(p.request, *p.c->registries, p.options, decision);
  return p.c->program->Evaluate(p.c->test.application(), *p.c->registries, p.options, decision);
}

// Allocations of the third evaluation of each case into one Decision (the first two warm it:
// repeated fields and strings keep their storage), summed over the shipped cases decided
// without missing evidence or faults; those with are summed into *incomplete_*.
struct Counts {
  uint64_t complete_allocations = 0;
  int complete_cases = 0;
  uint64_t incomplete_allocations = 0;
  int incomplete_cases = 0;
};
Counts SteadyStateAllocations(bool explain) {
  Counts counts;
  uint64_t* incomplete_allocations = &counts.incomplete_allocations;
  int* incomplete_cases = &counts.incomplete_cases;
  const std::vector<Case> cases = test_support::LoadShippedCases(HEYAN_SOURCE_DIR);
  EXPECT_GT(cases.size(), 50u);
  std::vector<PreparedCase> prepared;
  for (const Case& c : cases) {
    EXPECT_TRUE(c.problem.empty()) << c.file << ": " << c.problem;
    if (!c.problem.empty()) continue;
    PreparedCase& p = prepared.emplace_back();
    p.c = &c;
    *p.request.mutable_application() = c.test.application();
    *p.request.mutable_records() = c.test.records();
    p.options.as_of = c.test.as_of();
    p.options.explain = explain;
  }
  uint64_t total = 0;
  for (const PreparedCase& p : prepared) {
    v1::Decision decision;
    for (int warm = 0; warm < 2; ++warm) EXPECT_TRUE(Decide(p, &decision).ok()) << p.c->file;
    const uint64_t before = test_support::AllocationsOnThisThread();
    const absl::Status status = Decide(p, &decision);
    const uint64_t made = test_support::AllocationsOnThisThread() - before;
    EXPECT_TRUE(status.ok()) << p.c->file;
    // Missing evidence and faults are named in text built as they are found (field paths
    // such as 成员[2].出生日期): those decisions may allocate, and are counted apart.
    const bool complete = decision.missing_evidence_size() == 0 && decision.faults_size() == 0;
    if (!explain && complete) EXPECT_EQ(made, 0u) << p.c->file << ": a lean decision allocated";
    if (complete) {
      total += made;
    } else {
      *incomplete_allocations += made;
      ++*incomplete_cases;
    }
  }
  counts.complete_allocations = total;
  counts.complete_cases = static_cast<int>(prepared.size()) - counts.incomplete_cases;
  return counts;
}

TEST(AllocationTest, CountingWorks) {
  const uint64_t before = test_support::AllocationsOnThisThread();
  int* volatile p = new int(7);
  delete p;
  EXPECT_EQ(test_support::AllocationsOnThisThread() - before, 1u);
}

void Print(const char* what, const Counts& c) {
  std::printf("%s: %llu allocations over %d complete cases, %llu over %d with missing evidence or faults\n",
              what, static_cast<unsigned long long>(c.complete_allocations), c.complete_cases,
              static_cast<unsigned long long>(c.incomplete_allocations), c.incomplete_cases);
}

TEST(AllocationTest, LeanDecisionAllocatesNothingInSteadyState) {
  const Counts counts = SteadyStateAllocations(/*explain=*/false);
  Print("lean decisions", counts);
  EXPECT_EQ(counts.complete_allocations, 0u);
  EXPECT_GT(counts.complete_cases, 50);
}

TEST(AllocationTest, FullDecisionAllocationsAreReported) {
  const Counts counts = SteadyStateAllocations(/*explain=*/true);
  Print("full decisions", counts);
  EXPECT_GT(counts.complete_cases, 50);
}

}  // namespace
}  // namespace heyan
