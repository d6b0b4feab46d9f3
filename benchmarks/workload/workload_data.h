// Workload data: the dibao screening benchmark's inputs and outputs in Heyan's data model.
//
// Position: benchmark support only (target heyan_workload_data); used by heyan_workload and
// evaluate_benchmark. Nothing here decides anything for the Heyan engine: the rules are in
// workload.heyan. The one exception is HandwrittenEvaluate, the hand-written C++ baseline
// that the engine is measured against.
//
// The workload (inputs, rules R1-R9, output format) is specified in
// /work/shared/bench/WORKLOAD.md. Typical use:
//
//   absl::StatusOr<WorkloadParams> params = LoadParams("params.json");
//   absl::StatusOr<Households> households = LoadHouseholds("data/households.jsonl");
//   heyan::Registries registries;
//   absl::Status s = LoadRegistries("data", &registries);
//   heyan::CompileOptions options;
//   options.parameter_overrides = ParameterOverrides(*params);
//   ... CompileFile(...), Program::Evaluate(households->at(i), registries, {}, &decision),
//   ExtractResult(households->at(i), decision, &results[i]); WriteResults("out.jsonl", results);
//
// Failure tiers: every loader returns absl::Status / StatusOr. A malformed input is an
// InvalidArgument naming "file:line: field: problem"; no line is ever skipped silently.
//
// Thread-safety: loaders are not meant to run concurrently on the same output; the loaded
// Households, WorkloadParams and Registries are read-only afterwards and may be shared by
// any number of evaluating threads. HandwrittenEvaluate and ExtractResult are reentrant.
#ifndef HEYAN_BENCHMARKS_WORKLOAD_WORKLOAD_DATA_H_
#define HEYAN_BENCHMARKS_WORKLOAD_WORKLOAD_DATA_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/arena.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"

namespace heyan::workload {

// Registry names (heyan.v1.Registries field names) the workload's two ID lists load into.
inline constexpr char kStaffRegistry[] = "public_payroll_staff";
inline constexpr char kRelativesRegistry[] = "staff_relatives";
// File names of the two ID lists inside the data directory.
inline constexpr char kStaffFile[] = "salaried_staff.txt";
inline constexpr char kRelativesFile[] = "staff_relatives.txt";
inline constexpr char kHouseholdsFile[] = "households.jsonl";
// Evaluation date written into every Application. The workload's parameters have no dates,
// so any fixed date gives the same result; a fixed one keeps decisions reproducible.
inline constexpr char kAsOf[] = "2024-06-30";

// ---- parameters (params.json) ---------------------------------------------------------

struct WorkloadParams {
  // Values as in params.json (money in fen).
  int64_t monthly_standard_fen = 0;
  std::vector<std::string> excluded_income_kinds;  // workload spellings, e.g. "transfer_..."
  int64_t large_machinery_threshold_fen = 0;
  int64_t deposit_limit_months = 0;
  std::vector<std::string> exempt_vehicle_kinds;  // workload spellings, e.g. "motorcycle"
  int64_t max_houses = 0;
  int64_t benefit_rounding_fen = 0;
  int64_t min_benefit_fen = 0;

  // The two kind lists mapped to the data model, for the hand-written evaluator: bit v is
  // set for heyan.v1.IncomeSource v (resp. VehicleKind v). Both enums have < 64 values.
  uint64_t excluded_sources_mask = 0;
  uint64_t exempt_vehicles_mask = 0;
};

// Reads params.json. Every one of the eight keys is required; an unknown key, a wrong type,
// a negative amount, a non-positive rounding unit or an unknown kind is InvalidArgument
// ("file: key: problem"); an unreadable file is NotFound.
absl::StatusOr<WorkloadParams> LoadParams(const std::string& path);

// The parameters as CompileOptions::parameter_overrides: the Chinese parameter name declared
// in workload.heyan -> a constant in rule-language syntax, e.g. "月低保标准" -> "45000分",
// "豁免车辆类型" -> "[摩托车, 农用三轮车, 残疾人代步车]". Enum values are spelled with their
// (zh_value) names from the proto descriptors, so the proto stays the one source of them.
std::map<std::string, std::string> ParameterOverrides(const WorkloadParams& params);

// ---- households (households.jsonl) ----------------------------------------------------

// The loaded batch: one heyan.v1.Application per input line, in input order.
//
// The messages live on one protobuf Arena owned by this object (allocation is a pointer
// bump and freeing the batch is one step instead of ~10 frees per household); the vector
// holds pointers into it. Measured before the engine existed (100,000 households, 65 MB):
// loading onto the arena took ~0.37-0.47 s against ~0.53-0.60 s for heap-allocated
// messages, not counting the heap version's slower teardown.
// Movable, not copyable; references stay valid across moves.
class Households {
 public:
  Households();
  ~Households();
  Households(Households&&) noexcept;
  Households& operator=(Households&&) noexcept;
  Households(const Households&) = delete;
  Households& operator=(const Households&) = delete;

  size_t size() const { return applications_.size(); }
  const v1::Application& operator[](size_t i) const { return *applications_[i]; }
  const v1::Application& at(size_t i) const { return *applications_.at(i); }
  // Number of members over all households.
  size_t people() const { return people_; }

  // Appends an empty Application owned by this batch.
  v1::Application* Add();
  void Reserve(size_t n) { applications_.reserve(n); }

 private:
  friend absl::StatusOr<Households> LoadHouseholds(const std::string& path);
  std::unique_ptr<google::protobuf::Arena> arena_;
  std::vector<v1::Application*> applications_;
  size_t people_ = 0;
};

// Reads a households.jsonl file (WORKLOAD.md "Inputs") with simdjson On-Demand, one thread,
// and converts each line to an Application:
//   id = household_id, county, members[i].id_number = person_id, relation (head -> SELF, ...),
//   disability_grade, incomes (amount_fen = monthly_fen, period MONTHLY, kind/source by the
//   workload kind), assets.vehicles, assets.homes.count = houses,
//   assets.financial.deposits_fen, assets.machinery; as_of = kAsOf. `age` is checked and
//   otherwise ignored (birth_date stays unset: no rule reads it).
// assets, assets.homes and assets.financial are always set, so rules never see them absent.
// Errors: NotFound if the file cannot be read; InvalidArgument "file:line: field: problem"
// for the first malformed line (bad JSON, missing or unknown key, wrong type, unknown kind,
// negative amount, empty member list, blank line). Nothing is returned then.
absl::StatusOr<Households> LoadHouseholds(const std::string& path);

// Parses one households.jsonl line into `out` (which is cleared first). `file` and `line`
// only label errors. `json` must stay readable for `capacity` >= json.size() + 64 bytes
// (simdjson's padding); LoadHouseholds guarantees that without copying lines.
absl::Status ParseHouseholdLine(std::string_view file, size_t line, std::string_view json,
                                size_t capacity, v1::Application* out);

// Loads DIR/salaried_staff.txt into "public_payroll_staff" and DIR/staff_relatives.txt into
// "staff_relatives" (RegistryFormat::kIdList). Errors as Registries::LoadFile.
absl::Status LoadRegistries(const std::string& dir, Registries* registries);

// Writes the Applications as protobuf JSON, one compact message per line (input for
// `heyan eval` in the end-to-end benchmark). Errors: Internal for a write failure.
absl::Status WriteApplicationsJson(const std::string& path, const Households& households);

// ---- results ----------------------------------------------------------------------------

// One output record (WORKLOAD.md "Output").
struct WorkloadResult {
  std::string household_id;
  bool eligible = false;
  std::vector<std::string> reasons;  // reason codes, sorted in byte order
  bool relative_flag = false;        // RELATIVE_OF_STAFF
  int64_t per_capita_fen = 0;
  int64_t benefit_fen = 0;
};

// Reads the Heyan Decision for `application` into `out` (reusing its buffers):
// household_id = application.id; eligible = outcome != INELIGIBLE; reasons = rule ids of
// REASON_INELIGIBLE reasons, sorted; relative_flag = a REASON_FLAG reason with rule id
// RELATIVE_OF_STAFF; per_capita_fen and benefit_fen from the well-known Decision fields.
// Errors (Internal, naming the household): the decision carries rule faults or missing
// evidence, its outcome is unspecified, or it names another application. The workload's
// inputs are complete and its arithmetic cannot overflow, so any of these means the rules
// or the engine are wrong, and a result would silently disagree with the reference.
absl::Status ExtractResult(const v1::Application& application, const v1::Decision& decision,
                           WorkloadResult* out);

// Appends one output line (with '\n'), fields in WORKLOAD.md order, compact JSON.
void AppendResultJson(const WorkloadResult& result, std::string* out);

// Writes all results, one line each, in order. Errors: Internal for a write failure.
absl::Status WriteResults(const std::string& path, const std::vector<WorkloadResult>& results);

// ---- baseline -----------------------------------------------------------------------------

// Rules R1-R9 written by hand in C++ against the same messages and registries: the baseline
// "(b) the same rules, hand-written" that the engine is measured against. Reentrant.
// Registry look-ups go through Registries::Contains, as the engine's do.
WorkloadResult HandwrittenEvaluate(const v1::Application& application,
                                   const Registries& registries, const WorkloadParams& params);

}  // namespace heyan::workload

#endif  // HEYAN_BENCHMARKS_WORKLOAD_WORKLOAD_DATA_H_
