// _heyan: the private pybind11 module behind the `heyan` Python package.
//
// Thin shims only. The Pythonic API (argument conversion, the exception hierarchy, protobuf
// message classes, dataclasses for diagnostics) lives in heyan/__init__.py; nothing here is
// meant to be imported by users.
//
// Data crosses the boundary serialized, never as shared C++ objects: an application comes in
// as protobuf binary (`bytes`) or protobuf JSON text (`str`), a decision goes out as protobuf
// binary. That keeps this module independent of which protobuf backend the Python side runs
// (cpp, upb or pure Python) and of whose descriptor pool the Python classes live in.
//
// Errors: every non-ok absl::Status becomes the one exception type `_heyan.Error` with
// args (status code name, message); heyan/__init__.py turns it into HeyanError, DataError
// or EvaluationError. Rule-author mistakes are not errors here: compile() returns them as
// diagnostics and the Python layer raises RuleError.
//
// Threads and the GIL: compiling, loading and evaluating run with the GIL released. A
// Program is immutable, so that is safe for any number of threads. Registries are not safe
// to load while evaluating (heyan/registry.h), so each Registries object carries a
// readers-writer lock: evaluation holds it shared, loading holds it exclusively. The lock is
// only ever waited for without the GIL, so it cannot deadlock against the interpreter.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "heyan/explain.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/batch.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "heyan/v1/registry.pb.h"

namespace py = pybind11;

namespace heyan::python {
namespace {

// ---- errors --------------------------------------------------------------------------------

// Thrown by the shims for a non-ok Status; translated to `_heyan.Error(code, message)`.
class StatusError : public std::exception {
 public:
  explicit StatusError(absl::Status status) : status_(std::move(status)) {}
  const char* what() const noexcept override { return "heyan status error"; }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

void ThrowIfError(const absl::Status& s) {
  if (!s.ok()) throw StatusError(s);
}

// "INVALID_ARGUMENT", "NOT_FOUND", ...: the names Python code matches on.
std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  for (char& c : name) c = c == ' ' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

std::string ToStd(absl::string_view s) { return std::string(s.data(), s.size()); }

// ---- handles -------------------------------------------------------------------------------

// A compiled rule set. pybind11 cannot hold shared_ptr<const T>, hence the wrapper.
struct ProgramHandle {
  std::shared_ptr<const Program> program;
};

// Registries plus the lock that makes loading safe against concurrent evaluation.
struct RegistriesHandle {
  Registries registries;
  mutable std::shared_mutex mu;
};

// Evaluations without a Registries object read this one: every registry empty.
const RegistriesHandle& EmptyRegistries() {
  static const RegistriesHandle* const empty = new RegistriesHandle;  // never destroyed
  return *empty;
}

const RegistriesHandle& OrEmpty(const RegistriesHandle* r) {
  return r != nullptr ? *r : EmptyRegistries();
}

// ---- inputs --------------------------------------------------------------------------------

// One application as the caller sent it: a view into a Python bytes (binary) or str (JSON)
// object. The Python object must outlive the view; both are immutable, so reading them
// without the GIL is safe.
struct WireInput {
  enum Kind { kSkip, kBinary, kJson } kind = kSkip;
  std::string_view data;
  // A heyan.v1.VerificationRequest (application + 核对结果) rather than an Application, as
  // the Python layer marks it. Unmarked JSON is told apart by the library (RecordType::kAuto:
  // a top-level "application" key).
  bool request = false;
};

// Requires the GIL. Anything other than bytes or str is a TypeError: the Python layer has
// already turned messages, dicts and buffers into one of the two.
WireInput ToWireInput(const py::handle& obj, bool allow_none) {
  WireInput in;
  if (obj.is_none() && allow_none) return in;
  // ("request", bytes or str): a VerificationRequest, as _to_wire marks it.
  if (PyTuple_Check(obj.ptr()) && PyTuple_Size(obj.ptr()) == 2) {
    in = ToWireInput(PyTuple_GetItem(obj.ptr(), 1), /*allow_none=*/false);
    in.request = true;
    return in;
  }
  if (PyBytes_Check(obj.ptr())) {
    char* data = nullptr;
    Py_ssize_t size = 0;
    if (PyBytes_AsStringAndSize(obj.ptr(), &data, &size) != 0) throw py::error_already_set();
    in.kind = WireInput::kBinary;
    in.data = std::string_view(data, static_cast<size_t>(size));
    return in;
  }
  if (PyUnicode_Check(obj.ptr())) {
    Py_ssize_t size = 0;
    // The UTF-8 form is cached inside the str object, so the view stays valid with it.
    const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
    if (data == nullptr) throw py::error_already_set();
    in.kind = WireInput::kJson;
    in.data = std::string_view(data, static_cast<size_t>(size));
    return in;
  }
  throw py::type_error("an application must be bytes (protobuf binary) or str (protobuf JSON)");
}

// Parses into `out` (cleared first). Runs without the GIL.
absl::Status ParseMessage(const WireInput& in, google::protobuf::Message* out) {
  out->Clear();
  if (in.kind == WireInput::kBinary) {
    if (in.data.size() > static_cast<size_t>(INT32_MAX) ||
        !out->ParseFromArray(in.data.data(), static_cast<int>(in.data.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a valid serialized ", out->GetDescriptor()->full_name(),
                       " (protobuf binary, ", in.data.size(), " bytes)"));
    }
    return absl::OkStatus();
  }
  google::protobuf::util::JsonParseOptions options;  // unknown fields are errors
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(in.data.data(), in.data.size()), out, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a valid ", out->GetDescriptor()->full_name(), " in protobuf JSON: ",
                     std::string(status.message().data(), status.message().size())));
  }
  return absl::OkStatus();
}

// The record as heyan/batch.h reads it: JSON (an application or, with a top-level
// "application" key, a request) or binary (an application unless marked as a request).
InputRecord ToRecord(const WireInput& in, int64_t number = 0) {
  InputRecord record;
  record.data = in.data;
  record.format = in.kind == WireInput::kBinary ? RecordFormat::kBinary : RecordFormat::kJson;
  record.type = in.request ? RecordType::kRequest : RecordType::kAuto;
  record.number = number;
  return record;
}

// The Python package's wording of a record that could not be decided (what EvaluationError
// says); the reading rules themselves are the library's (heyan/batch.h), shared with
// `heyan eval`.
absl::Status RecordStatus(const RecordError& e, const WireInput& in) {
  const char* type = e.request ? "heyan.v1.VerificationRequest" : "heyan.v1.Application";
  switch (e.kind) {
    case RecordError::Kind::kInvalidJson:
      return absl::InvalidArgumentError(absl::StrCat("not a valid ", type, " in protobuf JSON: ", e.field,
                                                     e.field.empty() ? "" : ": ", e.message));
    case RecordError::Kind::kInvalidHousehold:
      return absl::InvalidArgumentError(absl::StrCat("not a valid household: ", e.message));
    case RecordError::Kind::kInvalidBinary:
      return absl::InvalidArgumentError(
          absl::StrCat("not a valid serialized ", type, " (protobuf binary, ", in.data.size(), " bytes)"));
    case RecordError::Kind::kInvalidValue:
      return absl::InvalidArgumentError(absl::StrCat(e.field, e.field.empty() ? "" : ": ", e.message));
    case RecordError::Kind::kUnreadable:
    case RecordError::Kind::kNotDecided:
      break;
  }
  return absl::Status(e.code, e.message);
}

// Each thread's RecordEvaluator (parser, messages and buffers reused by every call on that
// thread) and its serialized decision. Nothing calls back into Python during an evaluation,
// so a thread never uses them twice at once.
struct Scratch {
  RecordEvaluator evaluator;
  std::string out;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Parses and decides one record into `scratch` (without the GIL). Never throws.
absl::Status EvaluateOne(const Program& program, const Registries& registries, const EvalOptions& options,
                         const WireInput& in, Scratch* scratch) {
  RecordError error;
  if (!scratch->evaluator.Evaluate(program, registries, options, Language::kChinese, ToRecord(in), &error)) {
    return RecordStatus(error, in);
  }
  return absl::OkStatus();
}

EvalOptions MakeEvalOptions(const std::string& as_of, bool trace, bool explain) {
  EvalOptions options;
  options.as_of = as_of;
  options.trace = trace;
  options.explain = explain;
  return options;
}

// ---- compile -------------------------------------------------------------------------------

py::dict DiagnosticToDict(const Diagnostic& d) {
  py::dict out;
  out["severity"] = d.severity == Severity::kError ? "error" : "warning";
  out["code"] = d.code;
  out["file"] = d.file;
  out["line"] = d.line;
  out["column"] = d.column;
  out["length"] = d.length;
  out["message"] = d.message_zh;
  out["message_en"] = d.message_en;
  out["suggestion"] = d.suggestion;
  out["source_line"] = d.source_line;
  out["formatted"] = FormatDiagnostic(d, Language::kChinese);
  out["formatted_en"] = FormatDiagnostic(d, Language::kEnglish);
  return out;
}

py::list DiagnosticsToList(const std::vector<Diagnostic>& diagnostics) {
  py::list out;
  for (const Diagnostic& d : diagnostics) out.append(DiagnosticToDict(d));
  return out;
}

// The one entry rule file among `paths` (heyan::FindEntryRuleSet, the same search as the
// command line's --rules); raises HeyanError naming the paths otherwise.
std::string FindEntry(const std::vector<std::string>& paths, const std::string& language) {
  absl::StatusOr<std::string> entry =
      FindEntryRuleSet(paths, language == "en" ? Language::kEnglish : Language::kChinese);
  ThrowIfError(entry.status());
  return *entry;
}

// Returns (Program or None, [diagnostic dicts]). A non-ok Status (invalid options) raises.
py::tuple Compile(const std::string& entry, const std::map<std::string, std::string>& sources,
                  const std::map<std::string, std::string>& parameter_overrides) {
  CompileOptions options;
  options.sources = sources;
  options.parameter_overrides = parameter_overrides;
  absl::StatusOr<CompileResult> result;
  {
    py::gil_scoped_release release;
    result = CompileFile(entry, options);
  }
  ThrowIfError(result.status());
  py::object program = py::none();
  if (result->ok()) program = py::cast(ProgramHandle{result->program});
  return py::make_tuple(program, DiagnosticsToList(result->diagnostics));
}

py::list Declarations(const ProgramHandle& p) {
  py::list out;
  for (const DeclarationInfo& d : p.program->declarations()) {
    py::dict item;
    item["kind"] = d.kind;
    item["name"] = d.name;
    item["title"] = d.title;
    item["citation"] = d.citation;
    item["file"] = d.file;
    item["line"] = d.line;
    item["assumption"] = d.assumption;
    item["assumption_reason"] = d.assumption_reason;
    item["value"] = d.value;
    item["branches"] = d.branches;
    out.append(std::move(item));
  }
  return out;
}

// ---- evaluate ------------------------------------------------------------------------------

py::bytes Evaluate(const ProgramHandle& p, const RegistriesHandle* r, const py::object& application,
                   const std::string& as_of, bool trace, bool explain) {
  const WireInput in = ToWireInput(application, /*allow_none=*/false);
  const RegistriesHandle& registries = OrEmpty(r);
  const EvalOptions options = MakeEvalOptions(as_of, trace, explain);
  Scratch& scratch = ThreadScratch();
  absl::Status status;
  {
    py::gil_scoped_release release;
    std::shared_lock lock(registries.mu);
    status = EvaluateOne(*p.program, registries.registries, options, in, &scratch);
    if (status.ok() && !scratch.evaluator.decision().SerializeToString(&scratch.out)) {
      status = absl::InternalError("cannot serialize Decision");
    }
  }
  ThrowIfError(status);
  return py::bytes(scratch.out);
}

// Decides one application with a trace and explains the decision (heyan/explain.h), as
// `heyan explain` does. audience: "staff" | "applicant"; format: "text" | "json" | "html";
// language: "zh" | "en".
std::string ExplainApplication(const ProgramHandle& p, const RegistriesHandle* r, const py::object& application,
                               const std::string& as_of, const std::string& audience,
                               const std::string& format, const std::string& language) {
  heyan::ExplainOptions eo;
  if (audience == "staff") {
    eo.audience = heyan::ExplainOptions::Audience::kStaff;
  } else if (audience == "applicant") {
    eo.audience = heyan::ExplainOptions::Audience::kApplicant;
  } else {
    throw py::value_error("audience must be 'staff' or 'applicant'");
  }
  if (format == "text") {
    eo.format = heyan::ExplainOptions::Format::kText;
  } else if (format == "json") {
    eo.format = heyan::ExplainOptions::Format::kJson;
  } else if (format == "html") {
    eo.format = heyan::ExplainOptions::Format::kHtml;
  } else {
    throw py::value_error("format must be 'text', 'json' or 'html'");
  }
  if (language != "zh" && language != "en") throw py::value_error("language must be 'zh' or 'en'");
  eo.language = language == "en" ? heyan::Language::kEnglish : heyan::Language::kChinese;
  eo.program = p.program.get();
  const WireInput in = ToWireInput(application, /*allow_none=*/false);
  const RegistriesHandle& registries = OrEmpty(r);
  const EvalOptions options = MakeEvalOptions(as_of, /*trace=*/true, /*explain=*/true);
  Scratch& scratch = ThreadScratch();
  absl::Status status;
  std::string text;
  {
    py::gil_scoped_release release;
    std::shared_lock lock(registries.mu);
    status = EvaluateOne(*p.program, registries.registries, options, in, &scratch);
    if (status.ok()) {
      absl::StatusOr<std::string> explained =
          heyan::Explain(scratch.evaluator.decision(), scratch.evaluator.application(), eo);
      if (explained.ok()) {
        text = *std::move(explained);
      } else {
        status = explained.status();
      }
    }
  }
  ThrowIfError(status);
  return text;
}

// Evaluates `applications` (bytes, str or None each) on `threads` threads without the GIL,
// with the library's BatchEvaluator (heyan/batch.h).
// Returns a list in input order: bytes (a serialized Decision) for each success,
// (code name, message, application id) for each failure, None for each None input.
py::list EvaluateMany(const ProgramHandle& p, const RegistriesHandle* r,
                      const py::list& applications, int threads, const std::string& as_of,
                      bool trace, bool explain) {
  // With the GIL: views into the Python objects, which `applications` keeps alive.
  const size_t n = py::len(applications);
  std::vector<WireInput> inputs;
  inputs.reserve(n);
  for (size_t i = 0; i < n; ++i) inputs.push_back(ToWireInput(applications[i], /*allow_none=*/true));

  const RegistriesHandle& registries = OrEmpty(r);
  std::vector<std::string> results(n);
  std::vector<absl::Status> statuses(n);
  std::vector<std::string> failed_ids(n);  // application id of a failure, when it parsed
  absl::Status run_status;
  {
    py::gil_scoped_release release;
    std::shared_lock lock(registries.mu);
    // Batches of 64: households differ in size, so few large batches would leave a thread
    // idle at the end; no more threads than batches, and none started for a single batch.
    constexpr size_t kBatch = 64;
    const size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1,
                                              std::max<size_t>(1, (n + kBatch - 1) / kBatch));
    BatchOptions options;
    options.eval = MakeEvalOptions(as_of, trace, explain);
    options.decisions = DecisionFormat::kBinary;
    options.batch_size = kBatch;
    options.threads = workers == 1 ? 0 : static_cast<int>(workers);
    auto run = [&](const BatchOptions& o) -> absl::Status {
      absl::StatusOr<std::unique_ptr<const BatchEvaluator>> evaluator =
          BatchEvaluator::Create(p.program, &registries.registries, o);
      if (!evaluator.ok()) return evaluator.status();
      size_t next = 0;
      return (*evaluator)
          ->Run(
              [&](InputRecord* record) -> absl::StatusOr<bool> {
                while (next < n && inputs[next].kind == WireInput::kSkip) ++next;
                if (next == n) return false;
                *record = ToRecord(inputs[next], static_cast<int64_t>(next) + 1);
                ++next;
                return true;
              },
              [&](std::span<const RecordResult> batch) {
                for (const RecordResult& result : batch) {
                  const size_t i = static_cast<size_t>(result.number - 1);
                  if (result.ok()) {
                    results[i].assign(result.output);
                  } else {
                    statuses[i] = RecordStatus(*result.error, inputs[i]);
                    failed_ids[i] = result.error->application_id;
                  }
                }
                return absl::OkStatus();
              })
          .status();
    };
    run_status = run(options);
    if (run_status.code() == absl::StatusCode::kResourceExhausted && options.threads > 0) {
      // The system refused a thread: the calling thread does all the work instead.
      options.threads = 0;
      run_status = run(options);
    }
  }
  ThrowIfError(run_status);
  py::list out(n);
  for (size_t i = 0; i < n; ++i) {
    if (inputs[i].kind == WireInput::kSkip) {
      out[i] = py::none();
    } else if (statuses[i].ok()) {
      out[i] = py::bytes(results[i]);
      std::string().swap(results[i]);  // free as we go: the batch may be large
    } else {
      out[i] = py::make_tuple(CodeName(statuses[i].code()), ToStd(statuses[i].message()),
                              failed_ids[i]);
    }
  }
  return out;
}

// For the README's overhead measurement: mean seconds per call of the C++ side alone on one
// application, either Program::Evaluate on an already parsed Application (`wire` false) or
// parse + Evaluate + serialize, the work the evaluate() shim does without the GIL (`wire`).
double TimeEvaluate(const ProgramHandle& p, const RegistriesHandle* r, const py::bytes& application,
                    int iterations, bool wire, bool explain) {
  const WireInput in = ToWireInput(application, /*allow_none=*/false);
  const RegistriesHandle& registries = OrEmpty(r);
  const EvalOptions options = MakeEvalOptions("", false, explain);
  py::gil_scoped_release release;
  std::shared_lock lock(registries.mu);
  Scratch& scratch = ThreadScratch();
  ThrowIfError(EvaluateOne(*p.program, registries.registries, options, in, &scratch));
  const v1::Application parsed = scratch.evaluator.application();
  v1::Decision decision;
  absl::Status status;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations && status.ok(); ++i) {
    if (wire) {
      status = EvaluateOne(*p.program, registries.registries, options, in, &scratch);
      if (status.ok()) scratch.evaluator.decision().SerializeToString(&scratch.out);
    } else {
      status = p.program->Evaluate(parsed, registries.registries, options, &decision);
    }
  }
  const auto stop = std::chrono::steady_clock::now();
  ThrowIfError(status);
  return std::chrono::duration<double>(stop - start).count() / std::max(iterations, 1);
}

// ---- registries ----------------------------------------------------------------------------

// Unknown names are checked before taking the lock so the message can list the known ones.
void CheckRegistryName(const std::string& name) {
  if (Registries::IndexOf(name) < 0) {
    std::string known;
    for (const std::string& n : Registries::Names()) absl::StrAppend(&known, known.empty() ? "" : ", ", n);
    throw StatusError(absl::NotFoundError(
        absl::StrCat("unknown registry '", name, "'; known: ", known,
                     " (or their Chinese names, see proto/heyan/v1/registry.proto)")));
  }
}

void LoadRegistry(RegistriesHandle& r, const std::string& name, const std::string& path, int format,
                  const std::string& checked_on, const std::string& reference, const std::string& source) {
  CheckRegistryName(name);
  if (format < static_cast<int>(RegistryFormat::kAuto) || format > static_cast<int>(RegistryFormat::kIdList)) {
    throw StatusError(absl::InvalidArgumentError(absl::StrCat("unknown registry format ", format)));
  }
  absl::Status status;
  {
    py::gil_scoped_release release;
    std::unique_lock lock(r.mu);
    status = r.registries.LoadFile(name, path, static_cast<RegistryFormat>(format),
                                   RegistryCheckInfo{checked_on, reference, source});
  }
  ThrowIfError(status);
}

// Adds ID numbers; all or nothing (an empty ID rejects the whole call before anything is added).
void AddIds(RegistriesHandle& r, const std::string& name, const std::vector<std::string>& ids) {
  CheckRegistryName(name);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty()) {
      throw StatusError(absl::InvalidArgumentError(absl::StrCat("ids[", i, "]: empty id_number")));
    }
  }
  py::gil_scoped_release release;
  std::unique_lock lock(r.mu);
  for (const std::string& id : ids) ThrowIfError(r.registries.AddId(name, id));
}

// Adds records given as bytes (binary) or str (JSON) of the registry's record type; all or
// nothing: every record is parsed before any is added.
void AddRecords(RegistriesHandle& r, const std::string& name, const py::list& records) {
  CheckRegistryName(name);
  const google::protobuf::Descriptor* type =
      v1::Registries::descriptor()->field(Registries::IndexOf(name))->message_type();
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  const google::protobuf::FieldDescriptor* id_field = type->FindFieldByName("id_number");
  std::vector<std::unique_ptr<google::protobuf::Message>> parsed;
  const size_t n = py::len(records);
  parsed.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const WireInput in = ToWireInput(records[i], /*allow_none=*/false);
    parsed.emplace_back(prototype->New());
    if (absl::Status s = ParseMessage(in, parsed.back().get()); !s.ok()) {
      throw StatusError(absl::InvalidArgumentError(absl::StrCat("records[", i, "]: ", ToStd(s.message()))));
    }
    // Checked here, not by AddRecord, so that a bad record rejects the call before any is added.
    if (id_field == nullptr || parsed.back()->GetReflection()->GetString(*parsed.back(), id_field).empty()) {
      throw StatusError(absl::InvalidArgumentError(absl::StrCat("records[", i, "]: id_number: missing")));
    }
  }
  absl::Status status;
  {
    py::gil_scoped_release release;
    std::unique_lock lock(r.mu);
    for (size_t i = 0; i < n && status.ok(); ++i) {
      status = r.registries.AddRecord(name, *parsed[i]);
      if (!status.ok()) {
        status = absl::Status(status.code(), absl::StrCat("records[", i, "]: ", ToStd(status.message())));
      }
    }
  }
  ThrowIfError(status);
}

void MarkChecked(RegistriesHandle& r, const std::string& name, const std::string& checked_on,
                 const std::string& reference, const std::string& source) {
  CheckRegistryName(name);
  py::gil_scoped_release release;
  std::unique_lock lock(r.mu);
  ThrowIfError(r.registries.MarkChecked(name, RegistryCheckInfo{checked_on, reference, source}));
}

// (checked_on, reference, source) of a registry, or None when it was never checked.
py::object CheckOf(const RegistriesHandle& r, const std::string& name) {
  CheckRegistryName(name);
  std::shared_lock lock(r.mu);
  const RegistryCheckInfo* c = r.registries.check(Registries::IndexOf(name));
  if (c == nullptr) return py::none();
  return py::make_tuple(c->checked_on, c->reference, c->source);
}

size_t RegistrySize(const RegistriesHandle& r, const std::string& name) {
  CheckRegistryName(name);
  py::gil_scoped_release release;  // a load may hold the lock for a while
  std::shared_lock lock(r.mu);
  return r.registries.size(name);
}

}  // namespace
}  // namespace heyan::python

PYBIND11_MODULE(_heyan, m) {
  using namespace heyan::python;
  m.doc() = "Private shims behind the heyan package; use `import heyan` instead.";

  static py::exception<StatusError> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      py::tuple args = py::make_tuple(CodeName(e.status().code()), ToStd(e.status().message()));
      PyErr_SetObject(error.ptr(), args.ptr());
    }
  });

  m.attr("ENGINE_VERSION") = heyan::kEngineVersion;

  py::class_<ProgramHandle>(m, "Program")
      .def_property_readonly("name", [](const ProgramHandle& p) { return p.program->name(); })
      .def_property_readonly("version", [](const ProgramHandle& p) { return p.program->version(); })
      .def_property_readonly("fingerprint",
                             [](const ProgramHandle& p) { return p.program->fingerprint(); })
      .def_property_readonly("declarations", &Declarations)
      .def_property_readonly("warnings", [](const ProgramHandle& p) {
        return DiagnosticsToList(p.program->warnings());
      });

  py::class_<RegistriesHandle>(m, "Registries")
      .def(py::init<>())
      .def("load", &LoadRegistry, py::arg("name"), py::arg("path"), py::arg("format"), py::arg("checked_on"),
           py::arg("reference"), py::arg("source"))
      .def("mark_checked", &MarkChecked, py::arg("name"), py::arg("checked_on"), py::arg("reference"),
           py::arg("source"))
      .def("check", &CheckOf, py::arg("name"))
      .def("add_ids", &AddIds, py::arg("name"), py::arg("ids"))
      .def("add_records", &AddRecords, py::arg("name"), py::arg("records"))
      .def("size", &RegistrySize, py::arg("name"))
      .def_static("names", &heyan::Registries::Names);

  m.def("compile", &Compile, py::arg("entry"), py::arg("sources"), py::arg("parameter_overrides"));
  m.def("find_entry_rule_set", &FindEntry, py::arg("paths"), py::arg("language"));
  m.def("evaluate", &Evaluate, py::arg("program"), py::arg("registries").none(true),
        py::arg("application"), py::arg("as_of"), py::arg("trace"), py::arg("explain"));
  m.def("explain", &ExplainApplication, py::arg("program"), py::arg("registries").none(true),
        py::arg("application"), py::arg("as_of"), py::arg("audience"), py::arg("format"),
        py::arg("language"));
  m.def("evaluate_many", &EvaluateMany, py::arg("program"), py::arg("registries").none(true),
        py::arg("applications"), py::arg("threads"), py::arg("as_of"), py::arg("trace"),
        py::arg("explain"));
  m.def("time_evaluate", &TimeEvaluate, py::arg("program"), py::arg("registries").none(true),
        py::arg("application"), py::arg("iterations"), py::arg("wire"), py::arg("explain"));
}
