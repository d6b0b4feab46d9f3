// Batch evaluation: decides a stream of serialized applications and verification requests
// on several threads and hands back the results in input order, in bounded memory.
//
// Pipeline position: after compiling (compiler.h) and loading registries (registry.h), in
// place of calling Program::Evaluate in a loop. `heyan eval`, Python's evaluate_many /
// evaluate_iter and the Dask example (through evaluate_many) run on it.
//
//   auto evaluator = heyan::BatchEvaluator::Create(program, &registries, options).value();
//   absl::StatusOr<heyan::BatchCounts> counts = evaluator->Run(
//       // source: one record per call, on the calling thread; false at the end.
//       [&](heyan::InputRecord* record) -> absl::StatusOr<bool> {
//         if (!std::getline(in, line)) return false;
//         record->data = line;            // copied before the next call
//         return true;
//       },
//       // sink: each batch's results, in input order, on one thread.
//       [&](std::span<const heyan::RecordResult> results) -> absl::Status {
//         for (const heyan::RecordResult& r : results) {
//           if (r.ok()) out << r.output;  // options.decisions = DecisionFormat::kJsonLine
//           else out << r.number << ": " << r.error->field << ": " << r.error->message << "\n";
//         }
//         return absl::OkStatus();        // an error here stops the run
//       });
//
// How it runs: the source is called on the thread that called Run; records are copied into
// batches of `batch_size`; `threads` worker threads parse (JSON or binary, per record, so
// parsing is parallel too), decide and serialize whole batches; one more thread hands the
// finished batches to the sink strictly in input order. At most `max_batches_in_flight`
// batches exist at once (read but not yet given to the sink): a slow sink stops the reading
// instead of filling memory, whatever the size of the input. Batches, parsed messages and
// decisions are reused, so a long run allocates little after its first batches.
//
// Failure tiers:
//  * Create: InvalidArgument for bad options (no program, threads < 0, batch_size 0).
//  * A record that cannot be read, parsed or decided is a RecordError in its place among the
//    results, never a failed run: the other records are decided.
//  * Run returns a non-ok Status only when the run itself broke off: the source or the sink
//    returned an error (that status is returned; nothing more is read, and no batch after
//    the sink's failure is delivered), or a thread could not be started.
//
// Thread-safety: a BatchEvaluator is immutable; Run is const and may be called by several
// threads at once (each run has its own workers). The Program and Registries must outlive
// every Run and must not change during one (registry.h: loading is not thread-safe).
// Callbacks are never called concurrently with themselves: the source runs on the calling
// thread, the sink and the progress callback on one delivery thread.
#ifndef HEYAN_BATCH_H_
#define HEYAN_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "heyan/diagnostic.h"
#include "heyan/export.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"

namespace heyan {

// ---- input ----------------------------------------------------------------------------------

// How one record is written.
enum class RecordFormat {
  kJson,    // one protobuf-JSON object (JSON or proto field names). Records with Chinese field
            // names or values with units ("1000元"), as policy staff write them, are read too.
  kBinary,  // one serialized message, without a length prefix
};

// What one record holds.
enum class RecordType {
  kAuto,         // JSON: a VerificationRequest if it has a top-level "application" key, else an
                 // Application. Binary: an Application (bytes cannot tell the two apart).
  kApplication,  // heyan.v1.Application: decided with the registries loaded for everyone
  kRequest,      // heyan.v1.VerificationRequest: one household with its own 核对结果
};

// One record as the source hands it over. Everything it points to only needs to stay valid
// until the source is called again: the evaluator copies what it keeps.
struct InputRecord {
  // The record's bytes (for JSON: without the line's newline).
  std::string_view data;
  RecordFormat format = RecordFormat::kJson;
  RecordType type = RecordType::kAuto;
  // The caller's number for the record (a line number, a record number, an index), given
  // back in its RecordResult and RecordError. 0: its position in the stream, from 1.
  int64_t number = 0;
  // Not empty: the source could not read this record (a line longer than it accepts, a
  // truncated binary record). `data` is ignored and the result is a kUnreadable error with
  // this message, in the record's place.
  std::string_view unreadable;
  // How many bytes of the caller's input this record used, framing and skipped blank lines
  // included; only summed into BatchCounts::input_bytes (for "about N s left"). May be 0.
  uint64_t input_bytes = 0;
};

// ---- results --------------------------------------------------------------------------------

// Why one record has no decision. The messages are the engine's own: protobuf's wording for
// malformed protobuf JSON (made one line, "(column N)" for syntax errors), Chinese for the
// data model's checks and for records written with Chinese field names.
struct RecordError {
  enum class Kind {
    kUnreadable,        // the source said so (InputRecord::unreadable)
    kInvalidJson,       // not protobuf JSON of the type, or a value the data model forbids
    kInvalidHousehold,  // JSON with Chinese field names that the household reader refused
    kInvalidBinary,     // not a serialized message of the type
    kInvalidValue,      // a binary message with a value the data model forbids (a negative
                        // amount, an undeclared enum number)
    kNotDecided,        // Program::Evaluate returned an error (an unparsable as-of date,
                        // inconsistent verification records), or the evaluation ran out of memory
  };
  Kind kind = Kind::kUnreadable;
  int64_t number = 0;  // InputRecord::number (or the position)
  // Whether the record was read as a heyan.v1.VerificationRequest (else an Application).
  bool request = false;
  // kInvalidArgument, except for kNotDecided: the status code Program::Evaluate returned
  // (kResourceExhausted when memory ran out).
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
  // Path of the offending field with proto field names ("members[0].birth_date"; prefixed
  // "application." inside a request), when the reader could name one; else empty.
  std::string field;
  // One line saying what is wrong. kInvalidBinary: "not a valid heyan.v1.Application
  // message" (or VerificationRequest).
  std::string message;
  // kNotDecided: the id of the application that could not be decided; else empty.
  std::string application_id;
};

// What a decided record's result carries. Serializing runs on the worker threads.
enum class DecisionFormat {
  kMessage,    // RecordResult::decision and ::application point at the messages
  kBinary,     // RecordResult::output: the Decision in protobuf binary
  kDelimited,  // ... preceded by its size as a varint (a length-delimited stream)
  kJsonLine,   // ... as compact protobuf JSON (proto field names, enums by name, exactly what
               // MessageToJsonString prints) followed by '\n': a line of JSON lines
};

// One record's outcome, valid only during the sink call that receives it.
struct RecordResult {
  int64_t number = 0;  // InputRecord::number (or the position)
  // The record's bytes as the source gave them (empty for an unreadable record).
  std::string_view data;
  // Serialized decision (DecisionFormat other than kMessage); empty on error. The outputs of
  // the records of one sink call lie back to back in memory, in order: a sink may write a
  // run of successes as one piece (from the first one's data() to the last one's end).
  std::string_view output;
  // kMessage only: the application decided (inside the request for a request) and its
  // decision; null on error.
  const v1::Application* application = nullptr;
  const v1::Decision* decision = nullptr;
  // Set when the record was not decided.
  const RecordError* error = nullptr;

  bool ok() const { return error == nullptr; }
};

// Running totals over the records given to the sink so far.
struct BatchCounts {
  struct Reason {
    int64_t decisions = 0;  // decisions with at least one reason of this rule
    std::string title;      // from the first decision that has one (none with explain=false)
    v1::ReasonKind kind = v1::REASON_KIND_UNSPECIFIED;
  };
  int64_t records = 0;          // decided + errors
  int64_t errors = 0;           // records with a RecordError
  int64_t outcomes[5] = {};     // decided records by v1::Outcome (index = enum value)
  int64_t with_faults = 0;      // decisions with at least one rule fault
  uint64_t input_bytes = 0;     // sum of InputRecord::input_bytes
  std::map<std::string, Reason> reasons;  // by rule id
};

// ---- the evaluator --------------------------------------------------------------------------

struct BatchOptions {
  // As for Program::Evaluate (as-of date, trace, explain).
  EvalOptions eval;
  // What a decided record's result carries.
  DecisionFormat decisions = DecisionFormat::kMessage;
  // Worker threads that parse, decide and serialize. 0: no thread is started; batches are
  // read, decided and delivered one after the other on the calling thread (small inputs,
  // callers that must not start threads). With N >= 1, N + 1 threads are started (the
  // workers and the delivery thread).
  int threads = 1;
  // Records per batch: the unit of work of a worker and of a sink call.
  size_t batch_size = 1000;
  // Batches read but not yet given to the sink, at most. 0: 2 * threads + 2, which keeps
  // every worker busy while the sink writes. Memory is about this many batches of records,
  // their parsed messages and their outputs.
  size_t max_batches_in_flight = 0;
  // Language of messages about records written with Chinese field names (the household
  // reader's); protobuf's and the data model's messages do not change.
  Language language = Language::kChinese;
};

// Gets the next record. Returns true with `*record` filled, false at the end of the input,
// or an error to stop the run (Run returns it). `*record` is reset before each call.
using RecordSource = std::function<absl::StatusOr<bool>(InputRecord* record)>;
// Receives the results of one batch, in input order; batches arrive in input order too. An
// error stops the run: Run returns it and calls the sink no more.
using ResultSink = std::function<absl::Status(std::span<const RecordResult> results)>;
// Called after each sink call with the totals so far.
using ProgressCallback = std::function<void(const BatchCounts& counts)>;

class HEYAN_EXPORT BatchEvaluator {
 public:
  // `program` is required. `registries` may be null: every registry empty and unchecked.
  // Both must outlive the evaluator. InvalidArgument for bad options.
  static absl::StatusOr<std::unique_ptr<const BatchEvaluator>> Create(
      std::shared_ptr<const Program> program, const Registries* registries, BatchOptions options);

  BatchEvaluator(const BatchEvaluator&) = delete;
  BatchEvaluator& operator=(const BatchEvaluator&) = delete;

  // Reads every record from `source`, decides it and gives the results to `sink`, in input
  // order. Returns the totals over the records delivered, or the status that broke the run
  // off (see the top of this file). `progress` may be null.
  absl::StatusOr<BatchCounts> Run(const RecordSource& source, const ResultSink& sink,
                                  const ProgressCallback& progress = nullptr) const;

  const BatchOptions& options() const { return options_; }

 private:
  BatchEvaluator(std::shared_ptr<const Program> program, const Registries* registries,
                 BatchOptions options);

  std::shared_ptr<const Program> program_;
  const Registries* registries_;
  BatchOptions options_;
};

// ---- one record at a time -------------------------------------------------------------------

namespace internal {
class BatchWorker;
}  // namespace internal

// Reads and decides single records exactly as the BatchEvaluator's workers do (same formats,
// same checks, same RecordErrors), for callers that get one record at a time (a request
// handler, Python's Program.evaluate). Keeps its parser, messages and buffers between calls,
// so reusing one avoids allocations.
//
// Thread-safety: none; use one per thread. Cheap to keep in a thread_local.
class HEYAN_EXPORT RecordEvaluator {
 public:
  RecordEvaluator();
  ~RecordEvaluator();
  RecordEvaluator(const RecordEvaluator&) = delete;
  RecordEvaluator& operator=(const RecordEvaluator&) = delete;

  // Parses and decides `record`. True on success: application() and decision() hold the
  // result until the next call. False with `*error` filled otherwise; after a kNotDecided
  // error application() is the application that could not be decided.
  bool Evaluate(const Program& program, const Registries& registries, const EvalOptions& options,
                Language language, const InputRecord& record, RecordError* error);

  const v1::Application& application() const;
  const v1::Decision& decision() const;

 private:
  friend class internal::BatchWorker;  // parses in place inside a batch (src/runtime/batch.cc)
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace heyan

#endif  // HEYAN_BATCH_H_
