// The C ABI (include/heyan/heyan_c.h): opaque handles over the C++ API.
//
// This file's external interface is just the extern "C" functions declared in heyan_c.h.
// Every entry point is wrapped so that no exception crosses the C boundary: allocation
// failure becomes HEYAN_ERROR_NO_MEMORY, anything else HEYAN_ERROR_INTERNAL.
#include "heyan/heyan_c.h"

#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "heyan/v1/registry.pb.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/explain.h"
#include "io/household.h"
#include "io/application_reader.h"
#include "io/record_check.h"

namespace {

// Diagnostics with their strings, kept alive beside the heyan_diagnostic views into them.
struct DiagnosticList {
  std::vector<heyan::Diagnostic> owned;
  std::vector<heyan_diagnostic> views;

  void Set(std::vector<heyan::Diagnostic> diagnostics) {
    owned = std::move(diagnostics);
    views.clear();
    views.reserve(owned.size());
    for (const heyan::Diagnostic& d : owned) {
      views.push_back(heyan_diagnostic{d.severity == heyan::Severity::kError ? 1 : 0,
                                       d.code.c_str(), d.file.c_str(), d.line, d.column, d.length,
                                       d.message_zh.c_str(), d.message_en.c_str(),
                                       d.suggestion.c_str()});
    }
  }
  const heyan_diagnostic* At(size_t i) const { return i < views.size() ? &views[i] : nullptr; }
};

}  // namespace

struct heyan_error {
  heyan_status status = HEYAN_ERROR_INTERNAL;
  std::string message;
  DiagnosticList diagnostics;
};

struct heyan_bytes {
  std::string data;
};

struct heyan_program {
  std::shared_ptr<const heyan::Program> program;
  DiagnosticList warnings;
};

struct heyan_registries {
  heyan::Registries registries;
};

namespace {

// Out of memory must be reportable without allocating: one static error object, built without
// allocating ("out of memory" fits std::string's inline buffer) and never freed
// (heyan_error_free recognizes it). Nothing writes to it, so sharing it is thread-safe.
heyan_error* NoMemoryError() {
  static heyan_error error{HEYAN_ERROR_NO_MEMORY, "out of memory", {}};
  return &error;
}

heyan_status Fail(heyan_error** error, heyan_status status, std::string message) {
  if (error != nullptr) {
    heyan_error* e = new (std::nothrow) heyan_error;
    if (e == nullptr) {
      *error = NoMemoryError();
    } else {
      e->status = status;
      e->message = std::move(message);
      *error = e;
    }
  }
  return status;
}

std::string ToStd(absl::string_view s) { return std::string(s.data(), s.size()); }

// Maps a Status from a registry call (heyan/registry.h): a file that is missing, a
// directory or device, unreadable, or fails to read is HEYAN_ERROR_NOT_FOUND (the name was
// checked before); InvalidArgument is a malformed record.
heyan_status FailRegistry(heyan_error** error, const absl::Status& s) {
  heyan_status status = HEYAN_ERROR_INTERNAL;
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
      status = HEYAN_ERROR_NOT_FOUND;
      break;
    case absl::StatusCode::kInvalidArgument: status = HEYAN_ERROR_DATA; break;
    default: break;
  }
  return Fail(error, status, ToStd(s.message()));
}

// Runs `body` (returning heyan_status) so that no exception escapes and nothing is printed:
// libprotobuf logs to stderr, e.g. for a string field that is not UTF-8, which heyan_c.h
// promises never happens. A LogSilencer (scoped, thread-safe, unlike SetLogHandler) holds
// those messages back for the duration of the call; the failure itself comes back as a
// heyan_error.
template <typename Body>
heyan_status Guard(heyan_error** error, Body&& body) noexcept {
  try {
    google::protobuf::LogSilencer silence;
    return body();
  } catch (const std::bad_alloc&) {
    if (error != nullptr) *error = NoMemoryError();
    return HEYAN_ERROR_NO_MEMORY;
  } catch (const std::exception& e) {
    return Fail(error, HEYAN_ERROR_INTERNAL, absl::StrCat("internal error: ", e.what()));
  } catch (...) {
    return Fail(error, HEYAN_ERROR_INTERNAL, "internal error: unknown exception");
  }
}

#define HEYAN_C_REQUIRE(cond, what) \
  if (!(cond)) return Fail(error, HEYAN_ERROR_ARGUMENT, what)

bool KnownRegistry(const char* name, heyan_error** error, heyan_status* status) {
  if (name == nullptr) {
    *status = Fail(error, HEYAN_ERROR_ARGUMENT, "registry name is NULL");
    return false;
  }
  if (heyan::Registries::IndexOf(name) < 0) {
    std::string known;
    for (const std::string& n : heyan::Registries::Names()) {
      absl::StrAppend(&known, known.empty() ? "" : ", ", n);
    }
    *status = Fail(error, HEYAN_ERROR_ARGUMENT,
                   absl::StrCat("unknown registry '", name, "'; known: ", known,
                                " (or their Chinese names)"));
    return false;
  }
  return true;
}

}  // namespace

extern "C" {

const char* heyan_status_name(heyan_status status) {
  switch (status) {
    case HEYAN_OK: return "HEYAN_OK";
    case HEYAN_ERROR_ARGUMENT: return "HEYAN_ERROR_ARGUMENT";
    case HEYAN_ERROR_RULES: return "HEYAN_ERROR_RULES";
    case HEYAN_ERROR_DATA: return "HEYAN_ERROR_DATA";
    case HEYAN_ERROR_NOT_FOUND: return "HEYAN_ERROR_NOT_FOUND";
    case HEYAN_ERROR_NO_MEMORY: return "HEYAN_ERROR_NO_MEMORY";
    case HEYAN_ERROR_INTERNAL: return "HEYAN_ERROR_INTERNAL";
  }
  return "HEYAN_STATUS_UNKNOWN";
}

heyan_status heyan_error_status(const heyan_error* error) {
  return error == nullptr ? HEYAN_OK : error->status;
}

const char* heyan_error_message(const heyan_error* error) {
  return error == nullptr ? "" : error->message.c_str();
}

void heyan_error_free(heyan_error* error) {
  if (error != NoMemoryError()) delete error;
}

size_t heyan_error_diagnostic_count(const heyan_error* error) {
  return error == nullptr ? 0 : error->diagnostics.views.size();
}

const heyan_diagnostic* heyan_error_diagnostic(const heyan_error* error, size_t index) {
  return error == nullptr ? nullptr : error->diagnostics.At(index);
}

const uint8_t* heyan_bytes_data(const heyan_bytes* bytes) {
  return bytes == nullptr ? nullptr : reinterpret_cast<const uint8_t*>(bytes->data.data());
}

size_t heyan_bytes_size(const heyan_bytes* bytes) { return bytes == nullptr ? 0 : bytes->data.size(); }

void heyan_bytes_free(heyan_bytes* bytes) { delete bytes; }

heyan_status heyan_compile_file(const char* path, heyan_program** program, heyan_error** error) {
  return heyan_compile(path, nullptr, 0, nullptr, 0, 0, program, error);
}

heyan_status heyan_compile(const char* entry, const heyan_string_pair* sources, size_t source_count,
                           const heyan_string_pair* overrides, size_t override_count, int english,
                           heyan_program** program, heyan_error** error) {
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(entry != nullptr, "entry is NULL");
    HEYAN_C_REQUIRE(program != nullptr, "program is NULL");
    HEYAN_C_REQUIRE(sources != nullptr || source_count == 0, "sources is NULL");
    HEYAN_C_REQUIRE(overrides != nullptr || override_count == 0, "overrides is NULL");
    heyan::CompileOptions options;
    const heyan::Language lang = english ? heyan::Language::kEnglish : heyan::Language::kChinese;
    for (size_t i = 0; i < source_count; ++i) {
      HEYAN_C_REQUIRE(sources[i].name != nullptr && sources[i].value != nullptr,
                      absl::StrCat("sources[", i, "] has a NULL name or text"));
      options.sources[sources[i].name] = sources[i].value;
    }
    for (size_t i = 0; i < override_count; ++i) {
      HEYAN_C_REQUIRE(overrides[i].name != nullptr && overrides[i].value != nullptr,
                      absl::StrCat("overrides[", i, "] has a NULL name or value"));
      options.parameter_overrides[overrides[i].name] = overrides[i].value;
    }
    absl::StatusOr<heyan::CompileResult> result = heyan::CompileFile(entry, options);
    if (!result.ok()) return Fail(error, HEYAN_ERROR_ARGUMENT, ToStd(result.status().message()));
    if (!result->ok()) {
      std::string message;
      for (const heyan::Diagnostic& d : result->diagnostics) {
        absl::StrAppend(&message, heyan::FormatDiagnostic(d, lang));
        if (!message.empty() && message.back() != '\n') message.push_back('\n');
      }
      if (error != nullptr) {
        auto e = std::make_unique<heyan_error>();
        e->status = HEYAN_ERROR_RULES;
        e->message = std::move(message);
        e->diagnostics.Set(std::move(result->diagnostics));
        *error = e.release();
      }
      return HEYAN_ERROR_RULES;
    }
    auto p = std::make_unique<heyan_program>();
    p->program = std::move(result->program);
    p->warnings.Set(p->program->warnings());
    *program = p.release();
    return HEYAN_OK;
  });
}

void heyan_program_free(heyan_program* program) { delete program; }

const char* heyan_program_name(const heyan_program* program) {
  return program == nullptr ? "" : program->program->name().c_str();
}

const char* heyan_program_version(const heyan_program* program) {
  return program == nullptr ? "" : program->program->version().c_str();
}

const char* heyan_program_fingerprint(const heyan_program* program) {
  return program == nullptr ? "" : program->program->fingerprint().c_str();
}

size_t heyan_program_warning_count(const heyan_program* program) {
  return program == nullptr ? 0 : program->warnings.views.size();
}

const heyan_diagnostic* heyan_program_warning(const heyan_program* program, size_t index) {
  return program == nullptr ? nullptr : program->warnings.At(index);
}

heyan_registries* heyan_registries_new(void) {
  try {
    return new heyan_registries;
  } catch (...) {
    return nullptr;
  }
}

void heyan_registries_free(heyan_registries* registries) { delete registries; }

heyan_status heyan_registries_load(heyan_registries* registries, const char* name, const char* path,
                                   heyan_registry_format format, heyan_error** error) {
  // C callers may pass any int: read the bytes as an int, since reading an out-of-range
  // value as the enum type would itself be undefined behaviour in C++.
  int format_value;
  static_assert(sizeof(format_value) == sizeof(format));
  std::memcpy(&format_value, &format, sizeof format_value);
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(registries != nullptr, "registries is NULL");
    HEYAN_C_REQUIRE(path != nullptr, "path is NULL");
    HEYAN_C_REQUIRE(format_value >= HEYAN_FORMAT_AUTO && format_value <= HEYAN_FORMAT_ID_LIST,
                    absl::StrCat("unknown registry format ", format_value));
    heyan_status status;
    if (!KnownRegistry(name, error, &status)) return status;
    // heyan_registry_format mirrors heyan::RegistryFormat value for value.
    absl::Status s = registries->registries.LoadFile(name, path, static_cast<heyan::RegistryFormat>(format_value));
    return s.ok() ? HEYAN_OK : FailRegistry(error, s);
  });
}

heyan_status heyan_registries_add_id(heyan_registries* registries, const char* name,
                                     const char* id_number, heyan_error** error) {
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(registries != nullptr, "registries is NULL");
    HEYAN_C_REQUIRE(id_number != nullptr, "id_number is NULL");
    heyan_status status;
    if (!KnownRegistry(name, error, &status)) return status;
    absl::Status s = registries->registries.AddId(name, id_number);
    return s.ok() ? HEYAN_OK : FailRegistry(error, s);
  });
}

heyan_status heyan_registries_add_record(heyan_registries* registries, const char* name,
                                         const void* record, size_t record_size, heyan_error** error) {
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(registries != nullptr, "registries is NULL");
    HEYAN_C_REQUIRE(record != nullptr || record_size == 0, "record is NULL");
    heyan_status status;
    if (!KnownRegistry(name, error, &status)) return status;
    const google::protobuf::Descriptor* type =
        heyan::v1::Registries::descriptor()->field(heyan::Registries::IndexOf(name))->message_type();
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
    if (record_size > static_cast<size_t>(INT32_MAX) ||
        !message->ParseFromArray(record, static_cast<int>(record_size))) {
      return Fail(error, HEYAN_ERROR_DATA, absl::StrCat("not a valid serialized ", type->full_name()));
    }
    // The value checks LoadFile makes (negative amounts, undeclared enums, dates).
    std::string field, problem;
    heyan::io::RecordCheckOptions check;
    check.dates = true;
    if (!heyan::io::CheckRecord(*message, check, &field, &problem)) {
      return Fail(error, HEYAN_ERROR_DATA, absl::StrCat(field, ": ", problem));
    }
    absl::Status s = registries->registries.AddRecord(name, *message);
    return s.ok() ? HEYAN_OK : FailRegistry(error, s);
  });
}

heyan_status heyan_registries_mark_checked(heyan_registries* registries, const char* name, const char* checked_on,
                                          const char* reference, const char* source, heyan_error** error) {
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(registries != nullptr, "registries is NULL");
    HEYAN_C_REQUIRE(checked_on != nullptr, "checked_on is NULL");
    HEYAN_C_REQUIRE(reference != nullptr, "reference is NULL");
    heyan_status status;
    if (!KnownRegistry(name, error, &status)) return status;
    absl::Status s = registries->registries.MarkChecked(
        name, heyan::RegistryCheckInfo{checked_on, reference, source != nullptr ? source : ""});
    return s.ok() ? HEYAN_OK : Fail(error, HEYAN_ERROR_ARGUMENT, ToStd(s.message()));
  });
}

size_t heyan_registries_size(const heyan_registries* registries, const char* name) {
  if (registries == nullptr || name == nullptr) return 0;
  return registries->registries.size(name);
}

}  // extern "C"

// The part of heyan_program_evaluate(_request) after parsing: evaluates `input` (an
// Application or a VerificationRequest) and writes the Decision into *decision.
template <typename Input>
heyan_status EvaluateParsed(const heyan_program* program, const heyan_registries* registries, const Input& input,
                            const char* as_of, unsigned flags, heyan_bytes** decision, heyan_error** error) {
  // Shared by every evaluation without registries; immutable, never destroyed.
  static const heyan::Registries* const kEmpty = new heyan::Registries;
  heyan::EvalOptions options;
  if (as_of != nullptr) options.as_of = as_of;
  options.trace = (flags & HEYAN_EVAL_TRACE) != 0;
  options.explain = (flags & HEYAN_EVAL_NO_EXPLAIN) == 0;
  heyan::v1::Decision result;
  absl::Status s =
      program->program->Evaluate(input, registries != nullptr ? registries->registries : *kEmpty, options, &result);
  if (!s.ok()) {
    return Fail(error, s.code() == absl::StatusCode::kInvalidArgument ? HEYAN_ERROR_ARGUMENT : HEYAN_ERROR_INTERNAL,
                ToStd(s.message()));
  }
  // A reused buffer keeps its capacity: clear() does not free.
  std::unique_ptr<heyan_bytes> fresh;
  heyan_bytes* out = *decision;
  if (out == nullptr) {
    fresh = std::make_unique<heyan_bytes>();
    out = fresh.get();
  }
  out->data.clear();
  if (!result.SerializeToString(&out->data)) {
    return Fail(error, HEYAN_ERROR_INTERNAL, "cannot serialize the Decision");
  }
  if (fresh != nullptr) *decision = fresh.release();
  return HEYAN_OK;
}

extern "C" {

heyan_status heyan_program_evaluate(const heyan_program* program, const heyan_registries* registries,
                                    const void* application, size_t application_size,
                                    const char* as_of, unsigned flags, heyan_bytes** decision,
                                    heyan_error** error) {
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(program != nullptr, "program is NULL");
    HEYAN_C_REQUIRE(decision != nullptr, "decision is NULL");
    HEYAN_C_REQUIRE(application != nullptr || application_size == 0, "application is NULL");
    heyan::v1::Application parsed;
    if (application_size > static_cast<size_t>(INT32_MAX) ||
        !parsed.ParseFromArray(application, static_cast<int>(application_size))) {
      return Fail(error, HEYAN_ERROR_DATA,
                  absl::StrCat("not a valid serialized heyan.v1.Application (", application_size,
                               " bytes)"));
    }
    if (heyan::io::ReadError bad; !heyan::io::CheckApplication(parsed, &bad)) {
      return Fail(error, HEYAN_ERROR_DATA, absl::StrCat(bad.field, ": ", bad.message));
    }
    return EvaluateParsed(program, registries, parsed, as_of, flags, decision, error);
  });
}

heyan_status heyan_program_evaluate_request(const heyan_program* program, const heyan_registries* registries,
                                            const void* request, size_t request_size, const char* as_of,
                                            unsigned flags, heyan_bytes** decision, heyan_error** error) {
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(program != nullptr, "program is NULL");
    HEYAN_C_REQUIRE(decision != nullptr, "decision is NULL");
    HEYAN_C_REQUIRE(request != nullptr || request_size == 0, "request is NULL");
    heyan::v1::VerificationRequest parsed;
    if (request_size > static_cast<size_t>(INT32_MAX) ||
        !parsed.ParseFromArray(request, static_cast<int>(request_size))) {
      return Fail(error, HEYAN_ERROR_DATA,
                  absl::StrCat("not a valid serialized heyan.v1.VerificationRequest (", request_size, " bytes)"));
    }
    if (absl::Status s = heyan::io::CheckHousehold(parsed); !s.ok()) {
      return Fail(error, HEYAN_ERROR_DATA, ToStd(s.message()));
    }
    return EvaluateParsed(program, registries, parsed, as_of, flags, decision, error);
  });
}

}  // extern "C"

namespace {

// Reads a household text argument; the status is the C ABI's DATA error on failure.
heyan_status ReadHouseholdArg(const char* text, size_t size, bool english, heyan::io::Household* out,
                              heyan_error** error) {
  absl::Status s = heyan::io::ReadHousehold(std::string_view(text, size), english, out);
  if (!s.ok()) return Fail(error, HEYAN_ERROR_DATA, ToStd(s.message()));
  return HEYAN_OK;
}

heyan_status Decide(const heyan_program* program, const heyan_registries* registries,
                    const heyan::io::Household& household, const char* as_of, unsigned flags,
                    heyan::v1::Decision* decision, heyan_error** error) {
  static const heyan::Registries* const kEmpty = new heyan::Registries;
  const heyan::Registries& loaded = registries != nullptr ? registries->registries : *kEmpty;
  heyan::EvalOptions options;
  if (as_of != nullptr) options.as_of = as_of;
  options.trace = (flags & HEYAN_EVAL_TRACE) != 0;
  options.explain = (flags & HEYAN_EVAL_NO_EXPLAIN) == 0;
  absl::Status s = household.is_request
                       ? program->program->Evaluate(household.request, loaded, options, decision)
                       : program->program->Evaluate(household.request.application(), loaded, options, decision);
  if (!s.ok()) {
    return Fail(error, s.code() == absl::StatusCode::kInvalidArgument ? HEYAN_ERROR_ARGUMENT : HEYAN_ERROR_INTERNAL,
                ToStd(s.message()));
  }
  return HEYAN_OK;
}

// Stores `text` in *out (a new heyan_bytes, or the caller's one reused).
void StoreBytes(std::string text, heyan_bytes** out) {
  if (*out == nullptr) *out = new heyan_bytes;
  (*out)->data = std::move(text);
}

}  // namespace

extern "C" {

heyan_status heyan_program_evaluate_json(const heyan_program* program, const heyan_registries* registries,
                                         const char* household, size_t household_size, const char* as_of,
                                         unsigned flags, heyan_bytes** decision_json, heyan_error** error) {
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(program != nullptr, "program is NULL");
    HEYAN_C_REQUIRE(decision_json != nullptr, "decision_json is NULL");
    HEYAN_C_REQUIRE(household != nullptr || household_size == 0, "household is NULL");
    heyan::io::Household parsed;
    if (heyan_status st = ReadHouseholdArg(household, household_size, false, &parsed, error); st != HEYAN_OK) return st;
    heyan::v1::Decision decision;
    if (heyan_status st = Decide(program, registries, parsed, as_of, flags, &decision, error); st != HEYAN_OK) return st;
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    if (!google::protobuf::util::MessageToJsonString(decision, &json, print).ok()) {
      return Fail(error, HEYAN_ERROR_INTERNAL, "cannot write the Decision as JSON");
    }
    StoreBytes(std::move(json), decision_json);
    return HEYAN_OK;
  });
}

heyan_status heyan_explain(const heyan_program* program, const heyan_registries* registries, const char* household,
                           size_t household_size, const char* as_of, heyan_audience audience,
                           heyan_explain_format format, int english, const char* addressee,
                           heyan_bytes** explanation, heyan_error** error) {
  // Read the enums as ints: C callers may pass any value (see heyan_registries_load).
  int audience_value, format_value;
  std::memcpy(&audience_value, &audience, sizeof audience_value);
  std::memcpy(&format_value, &format, sizeof format_value);
  return Guard(error, [&]() -> heyan_status {
    HEYAN_C_REQUIRE(program != nullptr, "program is NULL");
    HEYAN_C_REQUIRE(explanation != nullptr, "explanation is NULL");
    HEYAN_C_REQUIRE(household != nullptr || household_size == 0, "household is NULL");
    HEYAN_C_REQUIRE(audience_value == HEYAN_AUDIENCE_STAFF || audience_value == HEYAN_AUDIENCE_APPLICANT,
                    absl::StrCat("unknown audience ", audience_value));
    HEYAN_C_REQUIRE(format_value >= HEYAN_EXPLAIN_TEXT && format_value <= HEYAN_EXPLAIN_HTML,
                    absl::StrCat("unknown explanation format ", format_value));
    heyan::io::Household parsed;
    if (heyan_status st = ReadHouseholdArg(household, household_size, english != 0, &parsed, error); st != HEYAN_OK) {
      return st;
    }
    heyan::v1::Decision decision;
    if (heyan_status st = Decide(program, registries, parsed, as_of, HEYAN_EVAL_TRACE, &decision, error);
        st != HEYAN_OK) {
      return st;
    }
    heyan::ExplainOptions options;
    options.program = program->program.get();
    options.language = english != 0 ? heyan::Language::kEnglish : heyan::Language::kChinese;
    options.audience = audience_value == HEYAN_AUDIENCE_APPLICANT ? heyan::ExplainOptions::Audience::kApplicant
                                                                  : heyan::ExplainOptions::Audience::kStaff;
    options.format = format_value == HEYAN_EXPLAIN_JSON   ? heyan::ExplainOptions::Format::kJson
                     : format_value == HEYAN_EXPLAIN_HTML ? heyan::ExplainOptions::Format::kHtml
                                                          : heyan::ExplainOptions::Format::kText;
    if (addressee != nullptr) options.addressee_id_number = addressee;
    absl::StatusOr<std::string> text = heyan::Explain(decision, parsed.request.application(), options);
    if (!text.ok()) {
      return Fail(error, text.status().code() == absl::StatusCode::kInvalidArgument ? HEYAN_ERROR_ARGUMENT
                                                                                    : HEYAN_ERROR_INTERNAL,
                  ToStd(text.status().message()));
    }
    StoreBytes(*std::move(text), explanation);
    return HEYAN_OK;
  });
}

const char* heyan_version(void) { return heyan::kEngineVersion; }

}  // extern "C"
