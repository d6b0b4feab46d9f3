// BatchEvaluator and RecordEvaluator (heyan/batch.h): reading one record, and the ordered,
// bounded pipeline that runs many of them on worker threads.
#include "heyan/batch.h"

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/text.h"
#include "io/application_reader.h"
#include "io/household.h"

namespace heyan {
namespace {

bool HasNonAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// Whether a JSON text has a key with a non-ASCII character (a Chinese field name): a string
// followed by ':' outside strings.
bool HasNonAsciiKey(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '"') continue;
    bool non_ascii = false;
    size_t j = i + 1;
    for (; j < s.size() && s[j] != '"'; ++j) {
      if (s[j] == '\\') ++j;
      else if (static_cast<unsigned char>(s[j]) >= 0x80) non_ascii = true;
    }
    size_t k = j + 1;
    while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
    if (non_ascii && k < s.size() && s[k] == ':') return true;
    i = j;
  }
  return false;
}

// Counts one decision into `counts` (decisions, not reasons: a rule over items may apply to
// several of a household's items and is counted once).
void CountDecision(const v1::Decision& d, BatchCounts* counts) {
  ++counts->records;
  const int o = d.outcome();
  ++counts->outcomes[o >= 0 && o < 5 ? o : 0];
  if (d.faults_size() > 0) ++counts->with_faults;
  for (int i = 0; i < d.reasons_size(); ++i) {
    const v1::Reason& r = d.reasons(i);
    bool seen = false;
    for (int k = 0; k < i && !seen; ++k) seen = d.reasons(k).rule_id() == r.rule_id();
    if (seen) continue;
    BatchCounts::Reason& c = counts->reasons[r.rule_id()];
    ++c.decisions;
    if (c.title.empty()) c.title = r.title();
    c.kind = r.kind();
  }
}

void MergeCounts(const BatchCounts& from, BatchCounts* into) {
  into->records += from.records;
  into->errors += from.errors;
  for (int i = 0; i < 5; ++i) into->outcomes[i] += from.outcomes[i];
  into->with_faults += from.with_faults;
  into->input_bytes += from.input_bytes;
  for (const auto& [id, c] : from.reasons) {
    BatchCounts::Reason& mine = into->reasons[id];
    mine.decisions += c.decisions;
    if (mine.title.empty()) mine.title = c.title;
    mine.kind = c.kind;
  }
}

}  // namespace

// ---- one record -----------------------------------------------------------------------------

struct RecordEvaluator::Impl {
  io::ApplicationReader reader;
  v1::Application application;
  v1::VerificationRequest request;
  v1::Decision decision;
  // What application() returns: `application`, or the one inside `request`.
  const v1::Application* decided = &application;
  std::string padded;  // a copy of JSON input that came without room to read past its end

  // Parses and decides `record`. JSON is parsed where it is if `capacity` bytes are
  // readable from record.data.data() (ApplicationReader::kPadding past its end), else from
  // a padded copy. Never throws.
  bool Evaluate(const Program& program, const Registries& registries, const EvalOptions& options,
                Language language, const InputRecord& record, size_t capacity, RecordError* error) noexcept {
    try {
      return EvaluateOrThrow(program, registries, options, language, record, capacity, error);
    } catch (const std::bad_alloc&) {
      return Fail(RecordError::Kind::kNotDecided, "", "out of memory while evaluating", error,
                  absl::StatusCode::kResourceExhausted);
    } catch (const std::exception& e) {
      return Fail(RecordError::Kind::kNotDecided, "", absl::StrCat("evaluation threw: ", e.what()), error,
                  absl::StatusCode::kInternal);
    }
  }

 private:
  bool EvaluateOrThrow(const Program& program, const Registries& registries, const EvalOptions& options,
                       Language language, const InputRecord& record, size_t capacity, RecordError* error) {
    decided = &application;
    error->number = record.number;
    error->application_id.clear();
    if (!record.unreadable.empty()) {
      error->request = false;
      return Fail(RecordError::Kind::kUnreadable, "", std::string(record.unreadable), error);
    }
    const std::string_view data = record.data;
    const bool json = record.format == RecordFormat::kJson;
    bool is_request = record.type == RecordType::kRequest ||
                      (record.type == RecordType::kAuto && json && io::IsVerificationRequestJson(data));
    error->request = is_request;
    if (json) {
      std::string_view text = data;
      if (capacity < data.size() + io::ApplicationReader::kPadding) {
        padded.assign(data.data(), data.size());
        padded.resize(data.size() + io::ApplicationReader::kPadding, ' ');
        text = std::string_view(padded.data(), data.size());
        capacity = padded.size();
      }
      io::ReadError read_error;
      if (is_request ? !reader.ParseJson(text, capacity, &request, &read_error)
                     : !reader.ParseJson(text, capacity, &application, &read_error)) {
        // A record with Chinese field names or values with units (as a spreadsheet or a
        // policy officer writes them) is read through io/household.h, which also tells an
        // application from a request (申请 + 核对结果); its message is the one to show.
        if (!HasNonAscii(data)) {
          return Fail(RecordError::Kind::kInvalidJson, std::move(read_error.field), std::move(read_error.message),
                      error);
        }
        io::Household household;
        if (absl::Status s = io::ReadHousehold(data, language == Language::kEnglish, &household); !s.ok()) {
          // With English keys the protobuf reader's message (field path, expected type) says more.
          if (HasNonAsciiKey(data)) {
            return Fail(RecordError::Kind::kInvalidHousehold, "", std::string(s.message()), error);
          }
          return Fail(RecordError::Kind::kInvalidJson, std::move(read_error.field), std::move(read_error.message),
                      error);
        }
        request = std::move(household.request);
        is_request = household.is_request;
        error->request = is_request;
        decided = &request.application();
        return Decide(program, registries, options, is_request, error);
      }
    } else {
      const bool parsed = data.size() <= static_cast<size_t>(INT_MAX) &&
                          (is_request ? request.ParseFromArray(data.data(), static_cast<int>(data.size()))
                                      : application.ParseFromArray(data.data(), static_cast<int>(data.size())));
      if (!parsed) {
        return Fail(RecordError::Kind::kInvalidBinary, "",
                    is_request ? "not a valid heyan.v1.VerificationRequest message"
                               : "not a valid heyan.v1.Application message",
                    error);
      }
      // The JSON reader's value checks, for binary input too.
      if (io::ReadError read_error; !io::CheckApplication(is_request ? request.application() : application, &read_error)) {
        return Fail(RecordError::Kind::kInvalidValue,
                    is_request ? absl::StrCat("application.", read_error.field) : std::move(read_error.field),
                    std::move(read_error.message), error);
      }
    }
    if (is_request) decided = &request.application();
    return Decide(program, registries, options, is_request, error);
  }

  // Decides the parsed record: `request`, or *decided with the loaded registries only.
  bool Decide(const Program& program, const Registries& registries, const EvalOptions& options, bool is_request,
              RecordError* error) {
    const absl::Status status = is_request ? program.Evaluate(request, registries, options, &decision)
                                           : program.Evaluate(*decided, registries, options, &decision);
    if (status.ok()) return true;
    error->application_id = decided->id();
    return Fail(RecordError::Kind::kNotDecided, "", std::string(status.message()), error, status.code());
  }

  static bool Fail(RecordError::Kind kind, std::string field, std::string message, RecordError* error,
                   absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
    error->kind = kind;
    error->code = code;
    error->field = std::move(field);
    error->message = std::move(message);
    return false;
  }
};

RecordEvaluator::RecordEvaluator() : impl_(std::make_unique<Impl>()) {}
RecordEvaluator::~RecordEvaluator() = default;

bool RecordEvaluator::Evaluate(const Program& program, const Registries& registries, const EvalOptions& options,
                               Language language, const InputRecord& record, RecordError* error) {
  return impl_->Evaluate(program, registries, options, language, record, /*capacity=*/0, error);
}

const v1::Application& RecordEvaluator::application() const { return *impl_->decided; }
const v1::Decision& RecordEvaluator::decision() const { return impl_->decision; }

// ---- the pipeline ---------------------------------------------------------------------------

namespace internal {
namespace {

// One record inside a Batch: where its bytes are, and where its result is.
struct Slot {
  int64_t number = 0;
  RecordFormat format = RecordFormat::kJson;
  RecordType type = RecordType::kAuto;
  bool unreadable = false;
  size_t offset = 0;  // bytes [offset, offset + size) of Batch::data: the record, or the
  size_t size = 0;    // source's message when `unreadable`
  size_t output_begin = 0;  // bytes [output_begin, output_end) of Batch::output
  size_t output_end = 0;
  int error = -1;  // index into Batch::errors
};

struct Batch {
  uint64_t sequence = 0;
  // Record bytes back to back, each followed by '\n', then ApplicationReader::kPadding
  // bytes: every JSON record is parsed where it is.
  std::string data;
  std::vector<Slot> slots;
  std::string output;
  std::vector<RecordError> errors;  // reused; the first `error_count` are this batch's
  size_t error_count = 0;
  // DecisionFormat::kMessage: each record's application and decision, by slot.
  std::vector<v1::Application> applications;
  std::vector<v1::Decision> decisions;
  BatchCounts counts;                 // this batch's records only
  std::vector<RecordResult> results;  // made for the sink

  void Reset() {
    data.clear();
    slots.clear();
    output.clear();
    error_count = 0;
    counts = BatchCounts();
  }

  // Copies `record` in; `position` is its place in the stream, from 1.
  void Add(const InputRecord& record, int64_t position) {
    Slot& slot = slots.emplace_back();
    slot.number = record.number != 0 ? record.number : position;
    slot.format = record.format;
    slot.type = record.type;
    slot.unreadable = !record.unreadable.empty();
    const std::string_view bytes = slot.unreadable ? record.unreadable : record.data;
    slot.offset = data.size();
    slot.size = bytes.size();
    data.append(bytes.data(), bytes.size());
    data.push_back('\n');
    counts.input_bytes += record.input_bytes;
  }

  void Seal() { data.append(io::ApplicationReader::kPadding, ' '); }

  // The sink's view of the results; valid until the batch is reset.
  std::span<const RecordResult> Results(bool messages) {
    results.resize(slots.size());
    for (size_t i = 0; i < slots.size(); ++i) {
      const Slot& slot = slots[i];
      RecordResult& r = results[i];
      r.number = slot.number;
      r.data = slot.unreadable ? std::string_view() : std::string_view(data).substr(slot.offset, slot.size);
      r.output = std::string_view(output).substr(slot.output_begin, slot.output_end - slot.output_begin);
      r.error = slot.error >= 0 ? &errors[slot.error] : nullptr;
      r.application = messages && r.error == nullptr ? &applications[i] : nullptr;
      r.decision = messages && r.error == nullptr ? &decisions[i] : nullptr;
    }
    return results;
  }
};

}  // namespace

// One worker's reusable state: its RecordEvaluator and JSON writer.
class BatchWorker {
 public:
  BatchWorker(const Program& program, const Registries& registries, const BatchOptions& options)
      : program_(program), registries_(registries), options_(options) {}

  // Parses, decides and serializes every record of `batch`.
  void Process(Batch* batch) {
    RecordEvaluator::Impl& impl = *evaluator_.impl_;
    const bool messages = options_.decisions == DecisionFormat::kMessage;
    if (messages && batch->decisions.size() < batch->slots.size()) {
      batch->applications.resize(batch->slots.size());
      batch->decisions.resize(batch->slots.size());
    }
    InputRecord record;
    for (size_t i = 0; i < batch->slots.size(); ++i) {
      Slot& slot = batch->slots[i];
      const std::string_view bytes = std::string_view(batch->data).substr(slot.offset, slot.size);
      record.number = slot.number;
      record.format = slot.format;
      record.type = slot.type;
      record.data = slot.unreadable ? std::string_view() : bytes;
      record.unreadable = slot.unreadable ? bytes : std::string_view();
      if (batch->errors.size() <= batch->error_count) batch->errors.emplace_back();
      RecordError& error = batch->errors[batch->error_count];
      slot.output_begin = slot.output_end = batch->output.size();
      if (!impl.Evaluate(program_, registries_, options_.eval, options_.language, record,
                         batch->data.size() - slot.offset, &error)) {
        slot.error = static_cast<int>(batch->error_count++);
        ++batch->counts.records;
        ++batch->counts.errors;
        continue;
      }
      slot.error = -1;
      CountDecision(impl.decision, &batch->counts);
      switch (options_.decisions) {
        case DecisionFormat::kMessage:
          // Swapped, not copied: the worker keeps the batch's previous messages for reuse.
          batch->decisions[i].Swap(&impl.decision);
          if (impl.decided == &impl.application) {
            batch->applications[i].Swap(&impl.application);
          } else {
            batch->applications[i].Swap(impl.request.mutable_application());
          }
          break;
        case DecisionFormat::kBinary:
          impl.decision.AppendToString(&batch->output);
          break;
        case DecisionFormat::kDelimited:
          internal::AppendVarint(impl.decision.ByteSizeLong(), &batch->output);
          impl.decision.AppendToString(&batch->output);
          break;
        case DecisionFormat::kJsonLine:
          writer_.Append(impl.decision, &batch->output);
          batch->output.push_back('\n');
          break;
      }
      slot.output_end = batch->output.size();
    }
  }

 private:
  const Program& program_;
  const Registries& registries_;
  const BatchOptions& options_;
  RecordEvaluator evaluator_;
  io::ProtoJsonWriter writer_;  // what MessageToJsonString prints, without its cost
};

namespace {

// Read (calling thread) -> decide (N workers) -> deliver in order (one thread), with a bounded
// number of batches in flight.
class Pipeline {
 public:
  Pipeline(const Program& program, const Registries& registries, const BatchOptions& options,
           const RecordSource& source, const ResultSink& sink, const ProgressCallback& progress)
      : program_(program),
        registries_(registries),
        options_(options),
        max_in_flight_(options.max_batches_in_flight > 0 ? options.max_batches_in_flight
                                                         : 2 * static_cast<size_t>(options.threads) + 2),
        source_(source),
        sink_(sink),
        progress_(progress) {}

  absl::StatusOr<BatchCounts> Run() {
    if (options_.threads == 0) {
      RunOnCallingThread();
    } else {
      RunOnThreads();
    }
    if (!status_.ok()) return status_;
    return std::move(totals_);
  }

 private:
  // Fills `batch` from the source. False when the source has nothing more (or failed).
  bool Fill(Batch* batch) {
    InputRecord record;
    while (batch->slots.size() < options_.batch_size) {
      record = InputRecord();
      absl::StatusOr<bool> more = source_(&record);
      if (!more.ok()) {
        source_status_ = more.status();
        source_done_ = true;
        break;
      }
      if (!*more) {
        source_done_ = true;
        break;
      }
      batch->Add(record, ++position_);
    }
    batch->Seal();
    return !batch->slots.empty();
  }

  // Gives one batch to the sink and the progress callback. False if the sink failed.
  bool Deliver(Batch* batch) {
    absl::Status s = sink_(batch->Results(options_.decisions == DecisionFormat::kMessage));
    if (!s.ok()) {
      sink_status_ = std::move(s);
      return false;
    }
    MergeCounts(batch->counts, &totals_);
    if (progress_) progress_(totals_);
    return true;
  }

  void RunOnCallingThread() {
    BatchWorker worker(program_, registries_, options_);
    Batch batch;
    while (!source_done_) {
      batch.Reset();
      if (!Fill(&batch)) break;
      worker.Process(&batch);
      if (!Deliver(&batch)) break;
    }
    status_ = !sink_status_.ok() ? sink_status_ : source_status_;
  }

  void RunOnThreads() {
    std::vector<std::unique_ptr<BatchWorker>> workers;
    std::vector<std::thread> threads;
    std::thread delivery;
    try {
      for (int i = 0; i < options_.threads; ++i) {
        workers.push_back(std::make_unique<BatchWorker>(program_, registries_, options_));
        threads.emplace_back([this, w = workers.back().get()] { WorkLoop(w); });
      }
      delivery = std::thread([this] { DeliveryLoop(); });
    } catch (const std::system_error& e) {
      std::lock_guard lock(mu_);
      failed_ = true;
      thread_status_ = absl::ResourceExhaustedError(absl::StrCat("cannot start a thread: ", e.what()));
      changed_.notify_all();
    }
    ReadLoop();
    for (std::thread& t : threads) t.join();
    if (delivery.joinable()) delivery.join();
    status_ = !thread_status_.ok() ? thread_status_ : !sink_status_.ok() ? sink_status_ : source_status_;
  }

  void ReadLoop() {
    uint64_t sequence = 0;
    while (!source_done_) {
      std::unique_ptr<Batch> batch;
      {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [this] { return in_flight_ < max_in_flight_ || failed_; });
        if (failed_) break;
        if (!free_.empty()) {
          batch = std::move(free_.back());
          free_.pop_back();
        }
      }
      if (batch == nullptr) batch = std::make_unique<Batch>();
      batch->Reset();
      batch->sequence = sequence;
      if (!Fill(batch.get())) break;
      std::lock_guard lock(mu_);
      ++sequence;
      ++in_flight_;
      todo_.push_back(std::move(batch));
      changed_.notify_all();
    }
    std::lock_guard lock(mu_);
    batches_ = sequence;
    input_done_ = true;
    changed_.notify_all();
  }

  void WorkLoop(BatchWorker* worker) {
    while (true) {
      std::unique_ptr<Batch> batch;
      {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [this] { return !todo_.empty() || input_done_ || failed_; });
        if (failed_ || todo_.empty()) return;
        batch = std::move(todo_.front());
        todo_.pop_front();
      }
      worker->Process(batch.get());
      std::lock_guard lock(mu_);
      const uint64_t sequence = batch->sequence;
      done_.emplace(sequence, std::move(batch));
      changed_.notify_all();
    }
  }

  void DeliveryLoop() {
    uint64_t next = 0;
    while (true) {
      std::unique_ptr<Batch> batch;
      {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [&] { return failed_ || done_.contains(next) || (input_done_ && next == batches_); });
        auto it = done_.find(next);
        if (failed_ || it == done_.end()) return;
        batch = std::move(it->second);
        done_.erase(it);
      }
      const bool ok = Deliver(batch.get());
      ++next;
      std::lock_guard lock(mu_);
      --in_flight_;
      changed_.notify_all();
      if (!ok) {
        failed_ = true;
        return;
      }
      if (free_.size() < max_in_flight_) free_.push_back(std::move(batch));
    }
  }

  const Program& program_;
  const Registries& registries_;
  const BatchOptions& options_;
  const size_t max_in_flight_;
  const RecordSource& source_;
  const ResultSink& sink_;
  const ProgressCallback& progress_;

  // The reading side (the calling thread only).
  int64_t position_ = 0;
  bool source_done_ = false;
  absl::Status source_status_;
  // The delivery side (the delivery thread only, until it is joined).
  BatchCounts totals_;
  absl::Status sink_status_;

  // std::mutex rather than absl::Mutex: ThreadSanitizer sees through libstdc++'s
  // pthread-based primitives, not through an uninstrumented Abseil's Await conditions.
  // One condition variable for every change: a few notifications per batch.
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> todo_;                    // read, not yet decided
  absl::flat_hash_map<uint64_t, std::unique_ptr<Batch>> done_;  // decided, not yet delivered
  std::vector<std::unique_ptr<Batch>> free_;                   // delivered, for reuse
  size_t in_flight_ = 0;                                       // read but not yet delivered
  bool input_done_ = false;
  uint64_t batches_ = 0;  // valid once input_done_
  bool failed_ = false;   // the sink failed or a thread could not start: stop everything
  absl::Status thread_status_;

  absl::Status status_;  // the run's result, once the threads are joined
};

}  // namespace
}  // namespace internal

// ---- BatchEvaluator -------------------------------------------------------------------------

namespace {
// Evaluations without a Registries object read this one: every registry empty.
const Registries& EmptyRegistries() {
  static const Registries* const empty = new Registries;  // never destroyed
  return *empty;
}
}  // namespace

BatchEvaluator::BatchEvaluator(std::shared_ptr<const Program> program, const Registries* registries,
                               BatchOptions options)
    : program_(std::move(program)), registries_(registries), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<const BatchEvaluator>> BatchEvaluator::Create(
    std::shared_ptr<const Program> program, const Registries* registries, BatchOptions options) {
  if (program == nullptr) return absl::InvalidArgumentError("BatchEvaluator needs a Program");
  if (options.threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat("BatchOptions.threads is ", options.threads, "; 0 or more"));
  }
  if (options.batch_size == 0) return absl::InvalidArgumentError("BatchOptions.batch_size is 0; 1 or more");
  return std::unique_ptr<const BatchEvaluator>(
      new BatchEvaluator(std::move(program), registries != nullptr ? registries : &EmptyRegistries(),
                         std::move(options)));
}

absl::StatusOr<BatchCounts> BatchEvaluator::Run(const RecordSource& source, const ResultSink& sink,
                                                const ProgressCallback& progress) const {
  internal::Pipeline pipeline(*program_, *registries_, options_, source, sink, progress);
  return pipeline.Run();
}

}  // namespace heyan
