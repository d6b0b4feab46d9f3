// Per-evaluation state. Private to the runtime.
//
// A Frame belongs to the evaluating thread (one per thread, reused by its next call), so the
// Program itself is never written to. It holds the registers the plan runs in, the state of
// each named value, the causes of failures, and the storage values need during one call
// (lists built by filters, records fetched from registries). Everything is cleared, not
// freed, between evaluations: in steady state an evaluation allocates nothing here.
#ifndef HEYAN_RUNTIME_FRAME_H_
#define HEYAN_RUNTIME_FRAME_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "common/typed_value.h"
#include "common/value.h"
#include "google/protobuf/message.h"
#include "heyan/v1/application.pb.h"
#include "runtime/registry_view.h"
#include "runtime/subjects.h"

namespace heyan {
class Registries;
}

namespace heyan::internal {

class ProgramImpl;
struct Plan;
struct TExpr;

// Why a value could not be computed: missing evidence (an input the application lacks)
// or a fault (overflow, malformed data, ambiguous table).
struct Cause {
  bool fault = false;
  std::string field;    // missing: field path, e.g. "成员[2].出生日期"
  std::string message;  // fault: what went wrong (Chinese); missing: extra detail
  // Missing evidence whose path is not rendered yet: the field read that found nothing and
  // the item its innermost slot held then. Most causes are never reported (a 任一 that
  // another item decides, a rule that another rule makes moot), so `field` is written only
  // when one is (ResolveCauseField in interpreter.h).
  const TExpr* field_expr = nullptr;
  Value item;
};

// One item seen by a filter (其中) or an aggregate (合计 …) while tracing: which items
// counted and which did not, for step-by-step explanations of income accounting.
struct ItemRecord {
  int decl = -1;              // declaration being computed, -1 inside a rule
  const void* expr = nullptr; // the filter or aggregate (a TExpr)
  const google::protobuf::Message* item = nullptr;
  int32_t index = 0;
  bool filter = false;        // true: a 其中 decision (counted says whether it passed)
  bool counted = false;
  Value value;                // aggregate: the item's value
};

// Items a filter or an aggregate looked at beyond what the trace lists (kMaxTracedItems).
struct OmittedItems {
  int decl = -1;
  const void* expr = nullptr;
  bool filter = false;
};

// One registry lookup the rules made: which check answered it, for whom (Decision.checks).
struct CheckUse {
  int16_t registry;
  int16_t check;         // RegistryView: request check index or kLoaded
  std::string_view id;   // points into the application or the request
};

// Where a named value stands in this evaluation.
enum class DeclState : uint8_t { kNotComputed, kComputing, kDone, kFailed };

struct NamedState {
  DeclState state = DeclState::kNotComputed;
  int cause = -1;  // kFailed: index into Frame::causes
  Value value;     // kDone
};

// 符合条件: known once every 不符合 rule has run.
enum class Eligibility : uint8_t {
  kNotYetKnown,  // reading it now is an internal error
  kEligible,     // no 不符合 rule applies
  kIneligible,   // one applies
  kUnknown,      // none applies, but one could not be decided (cause in eligible_cause)
};

// What deciding a rule gave.
enum class RuleResult : int8_t {
  kUnknown = -1,  // cannot be decided: missing evidence or a fault (cause recorded)
  kNotApplicable = 0,
  kApplies = 1,
};

class Frame {
 public:
  const v1::Application* application = nullptr;
  RegistryView registries;  // this evaluation's verification data
  const ProgramImpl* program = nullptr;
  const Plan* plan = nullptr;
  uint64_t constants_of = 0;  // the Program::id() whose constants the registers hold
  int32_t as_of = 0;
  bool as_of_known = false;
  // The Decision this thread's last successful evaluation wrote (see the writer in
  // program_impl.cc); compared, never dereferenced.
  const void* last_decision = nullptr;

  // as_of as "YYYY-MM-DD" (formatted once per date, not per evaluation).
  const std::string& AsOfText() {
    if (as_of_text_days_ != as_of || as_of_text_.empty()) {
      as_of_text_ = FormatDate(as_of);
      as_of_text_days_ = as_of;
    }
    return as_of_text_;
  }
  bool english = false;

  // The plan's registers: variable slots first, then constants and temporaries.
  std::vector<Value> regs;
  std::vector<NamedState> named;
  std::vector<Cause> causes;
  int last_cause = -1;

  Eligibility eligible_state = Eligibility::kNotYetKnown;
  int eligible_cause = -1;

  // Per-rule results of this evaluation (kept here so the hot path does not allocate).
  std::vector<RuleResult> rule_result;
  std::vector<int> rule_cause;

  // When tracing: every item filters and aggregates looked at, and the declaration being
  // computed (so items are attributed to it); the row each decision table chose (-1 =
  // 否则), by declaration index; the exceptions that held, by rule.
  bool tracing = false;
  std::vector<ItemRecord> items;
  int current_decl = -1;
  std::vector<int> table_hits;
  std::vector<std::vector<int>> excepted;
  bool record_items = false;       // items are recorded (off while values re-render)
  bool record_exceptions = false;  // exceptions are recorded (off when a rule re-runs)
  static constexpr int64_t kMaxTracedItems = 1000;
  // Items seen per (declaration, filter or aggregate) while tracing, and the pairs that saw
  // more than kMaxTracedItems, in the order they passed it (the trace order is reproducible).
  absl::flat_hash_map<std::pair<int, const void*>, int64_t> item_counts;
  std::vector<OmittedItems> omitted;

  // While a value renders for an explanation: the messages whose fields it read, for the
  // Decision's `subjects` (see subjects.h); null otherwise (nothing is recorded).
  std::vector<const google::protobuf::Message*>* reads = nullptr;
  std::vector<const google::protobuf::Message*> read_buffer;  // what `reads` points to
  SubjectIndex subjects;
  MessagePaths paths;  // where messages sit in the application, for typed values

  void NoteRead(const google::protobuf::Message& m) {
    if (reads != nullptr) reads->push_back(&m);
  }
  // Called when a sum, count or 任一/全部 that began at reads->size() == mark finishes.
  void AbsorbHouseholdReads(size_t mark) {
    if (reads != nullptr) subjects.AbsorbHousehold(reads, mark);
  }

  // Storage owned by this evaluation.
  std::vector<std::unique_ptr<ListValue>> list_pool;
  size_t lists_used = 0;
  // Records fetched from loaded registries, by registry index (a message is reused only for
  // its own record type); `used` is reset when an evaluation ends.
  std::vector<Registries::FetchBuffer> fetched;
  std::vector<const google::protobuf::Message*> fetched_records;  // scratch for one fetch
  std::vector<CheckUse> check_uses;
  // Scratch of the Decision writer, kept between evaluations so that it does not allocate:
  // the distinct (registry, check) pairs of check_uses, and text being rendered.
  struct CheckKey {
    int registry, check;
  };
  std::vector<CheckKey> distinct_checks;
  std::string text_scratch;

  // A new empty list, valid until the evaluation ends (pooled: cleared, not freed).
  ListValue* NewList() {
    if (lists_used == list_pool.size()) list_pool.push_back(std::make_unique<ListValue>());
    ListValue* list = list_pool[lists_used++].get();
    list->items.clear();
    return list;
  }

  // While tracing, notes that a filter (filter = true, counted = passed) or an aggregate
  // (value = what it added) looked at `item`.
  void RecordItem(const void* expr, const Value& item, bool filter, bool counted, const Value& value) {
    if (!record_items || item.kind != TypeKind::kMessage) return;
    // A trace lists at most kMaxTracedItems items per filter or aggregate of a declaration,
    // then only how many more there were: without a bound, one household with 100,000
    // income items made a trace of several hundred megabytes.
    const int64_t seen = ++item_counts[{current_decl, expr}];
    if (seen > kMaxTracedItems) {
      if (seen == kMaxTracedItems + 1) omitted.push_back(OmittedItems{current_decl, expr, filter});
      return;
    }
    ItemRecord r;
    r.decl = current_decl;
    r.expr = expr;
    r.item = item.message;
    r.index = item.index;
    r.filter = filter;
    r.counted = counted;
    r.value = value;
    items.push_back(r);
  }

  // Record a failure; always returns false so callers can `return f.Missing(...)`.
  bool Missing(std::string field, std::string detail = "") {
    Cause& c = causes.emplace_back();
    c.field = std::move(field);
    c.message = std::move(detail);
    last_cause = static_cast<int>(causes.size()) - 1;
    return false;
  }
  // Missing evidence at field read `e`, named only if it is reported (Cause::field_expr).
  bool MissingField(const TExpr& e, const Value& item, std::string_view detail = {}) {
    Cause& c = causes.emplace_back();
    c.field_expr = &e;
    c.item = item;
    c.message.assign(detail.data(), detail.size());
    last_cause = static_cast<int>(causes.size()) - 1;
    return false;
  }
  bool Fault(std::string message) {
    Cause& c = causes.emplace_back();
    c.fault = true;
    c.message = std::move(message);
    last_cause = static_cast<int>(causes.size()) - 1;
    return false;
  }

 private:
  std::string as_of_text_;
  int32_t as_of_text_days_ = 0;
};

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_FRAME_H_
