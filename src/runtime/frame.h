// Per-evaluation state. Private to the runtime.
//
// A Frame lives on the evaluating thread's stack for one Program::Evaluate call; the
// Program itself is never written to. Values that need storage during the call (lists
// built by filters, records fetched from registries) are owned here and die with it.
#ifndef HEYAN_RUNTIME_FRAME_H_
#define HEYAN_RUNTIME_FRAME_H_

#include <deque>
#include <memory>
#include <string>
#include <vector>

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

// Why a value could not be computed: missing evidence (an input the application lacks)
// or a fault (overflow, malformed data, ambiguous table).
struct Cause {
  bool fault = false;
  std::string field;    // missing: field path, e.g. "成员[2].出生日期"
  std::string message;  // fault: what went wrong (Chinese); missing: extra detail
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

// One registry lookup the rules made: which check answered it, for whom (Decision.checks).
struct CheckUse {
  int16_t registry;
  int16_t check;         // RegistryView: request check index or kLoaded
  std::string_view id;   // points into the application or the request
};

struct NamedState {
  uint8_t state = 0;  // 0 not computed, 1 computing, 2 ok, 3 failed
  int cause = -1;
  Value value;
};

class Frame {
 public:
  const v1::Application* application = nullptr;
  RegistryView registries;  // this evaluation's verification data
  const ProgramImpl* program = nullptr;
  int32_t as_of = 0;
  bool as_of_known = false;
  bool english = false;

  std::vector<Value> slots;
  std::vector<NamedState> named;
  std::vector<Cause> causes;
  int last_cause = -1;

  // 符合条件: 0 not yet known, 1 eligible, 2 ineligible, 3 unknown (cause in eligible_cause)
  int eligible_state = 0;
  int eligible_cause = -1;

  // Per-rule results of this evaluation (kept here so the hot path does not allocate).
  std::vector<int8_t> rule_result;
  std::vector<int> rule_cause;

  // When tracing: every item filters and aggregates looked at, and the declaration being
  // computed (so items are attributed to it).
  std::vector<ItemRecord>* items = nullptr;
  int current_decl = -1;

  // When tracing: the row each decision table chose (-1 = 否则), by declaration index.
  std::vector<int>* named_trace = nullptr;

  // While a value renders for an explanation: the messages whose fields it read, for the
  // Decision's `subjects` (see subjects.h); null otherwise (nothing is recorded).
  std::vector<const google::protobuf::Message*>* reads = nullptr;
  std::vector<const google::protobuf::Message*> read_buffer;  // what `reads` points to
  SubjectIndex subjects;

  void NoteRead(const google::protobuf::Message& m) {
    if (reads != nullptr) reads->push_back(&m);
  }
  // Called when a sum, count or 任一/全部 that began at reads->size() == mark finishes.
  void AbsorbHouseholdReads(size_t mark) {
    if (reads != nullptr) subjects.AbsorbHousehold(reads, mark);
  }

  // Storage owned by this evaluation.
  std::deque<ListValue> lists;
  std::vector<std::unique_ptr<google::protobuf::Message>> fetched;
  std::vector<const google::protobuf::Message*> fetched_records;  // scratch for one fetch
  std::vector<CheckUse> check_uses;
  std::deque<std::string> texts;

  ListValue* NewList() { return &lists.emplace_back(); }

  // While tracing, notes that a filter (filter = true, counted = passed) or an aggregate
  // (value = what it added) looked at `item`.
  void RecordItem(const void* expr, const Value& item, bool filter, bool counted, const Value& value) {
    if (items == nullptr || item.kind != TypeKind::kMessage) return;
    ItemRecord r;
    r.decl = current_decl;
    r.expr = expr;
    r.item = item.message;
    r.index = item.index;
    r.filter = filter;
    r.counted = counted;
    r.value = value;
    items->push_back(r);
  }

  // Record a failure; always returns false so callers can `return f.Missing(...)`.
  bool Missing(std::string field, std::string detail = "") {
    causes.push_back(Cause{false, std::move(field), std::move(detail)});
    last_cause = static_cast<int>(causes.size()) - 1;
    return false;
  }
  bool Fault(std::string message) {
    causes.push_back(Cause{true, "", std::move(message)});
    last_cause = static_cast<int>(causes.size()) - 1;
    return false;
  }
};

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_FRAME_H_
