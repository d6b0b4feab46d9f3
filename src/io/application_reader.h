// Reading heyan.v1.Application records from protobuf JSON, fast.
//
// Pipeline position: the first stage of `heyan eval` (and of any batch driver): one input
// line in, one Application out, before Program::Evaluate.
//
// protobuf 3.21's JsonStringToMessage parses about 51,000 households/s on one core, slower
// than the engine evaluates them. ApplicationReader parses with simdjson On-Demand instead,
// driven by the protobuf descriptors (any field order; JSON names and proto field names;
// enums by name or number; 64-bit integers as numbers or strings; nested and repeated
// messages), and defers to JsonStringToMessage for everything else:
//
//   * Any line the fast path does not accept (a syntax error, an unknown field, a wrong
//     type, but also null, a duplicate key, 1.0 for an integer, "1" for an enum, a negative
//     amount, ...) is parsed again by JsonStringToMessage, whose answer is final but for the
//     checks below. So the reader produces exactly the message protobuf produces; the fast
//     path only ever accepts input whose meaning it is sure of.
//   * Beyond protobuf, a line is refused (io/record_check.h) that protobuf reads wrongly
//     (-9223372036854775809 becomes INT64_MIN; 1.2345678901234567e17 is rounded through a
//     double) or that the data model does not allow: a negative amount (fen), area (centi)
//     or count (int32), an enum number the enum does not declare. Messages are Chinese and
//     name the field.
//   * Error messages are protobuf's, made one line; the field path comes from protobuf's
//     message when it names one, else from where the fast path stopped.
//
//   heyan::io::ApplicationReader reader;
//   heyan::v1::Application application;
//   heyan::io::ReadError error;
//   if (!reader.ParseJson(line, &application, &error)) {
//     std::cerr << error.field << ": " << error.message << "\n";
//   }
//
// Failure tiers: a bad line is a ReadError (never an exception, never a crash).
//
// Thread-safety: a reader keeps parser state and buffers; use one per thread.
#ifndef HEYAN_IO_APPLICATION_READER_H_
#define HEYAN_IO_APPLICATION_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/message.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/verification.pb.h"

namespace heyan::io {

// Why a record could not be read.
struct ReadError {
  // Path of the offending field with proto field names, e.g.
  // "members[0].incomes[1].amount_fen"; empty when the problem is the line as a whole
  // (not JSON, not an object, trailing text).
  std::string field;
  // One line of text, protobuf's wording, e.g. `invalid value "x" for type TYPE_INT64`;
  // syntax errors end with "(column N)", N counted in bytes from 1.
  std::string message;
};

class ApplicationReader {
 public:
  // Bytes that must be readable past the end of a line for the zero-copy ParseJson
  // (simdjson reads whole 64-byte blocks; their content past the end is never used).
  static constexpr size_t kPadding = 64;

  ApplicationReader();
  ~ApplicationReader();
  ApplicationReader(const ApplicationReader&) = delete;
  ApplicationReader& operator=(const ApplicationReader&) = delete;

  // Parses one protobuf-JSON object into `out` (cleared first). `json` must stay readable up
  // to json.data() + capacity, with capacity >= json.size() + kPadding: a line inside a
  // larger buffer is parsed where it is. On failure returns false, fills `error` and leaves
  // `out` in an unspecified state.
  bool ParseJson(std::string_view json, size_t capacity, v1::Application* out, ReadError* error);
  // Same for a VerificationRequest (an application with its verification records).
  bool ParseJson(std::string_view json, size_t capacity, v1::VerificationRequest* out, ReadError* error);
  // Same, for a string without padding (copied into an internal buffer first).
  bool ParseJson(std::string_view json, v1::Application* out, ReadError* error);

  // Only the simdjson path, without the protobuf fallback: true if it accepted `json` (in
  // which case `out` is what JsonStringToMessage would give); false when it would defer,
  // with the reason in `why`. For tests and benchmarks.
  bool ParseJsonFastOnly(std::string_view json, v1::Application* out, std::string* why);

  // Lines parsed by the fast path / handed to JsonStringToMessage, since construction.
  uint64_t fast_parses() const { return fast_parses_; }
  uint64_t fallback_parses() const { return fallback_parses_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t fast_parses_ = 0;
  uint64_t fallback_parses_ = 0;
};

// Whether the JSON object `json` is a heyan.v1.VerificationRequest rather than an Application:
// it has the top-level key "application" (an Application has none). One pass over the
// bytes, tracking strings and nesting, without allocating; the JSON itself is not checked.
bool IsVerificationRequestJson(std::string_view json);

// Parses `json` with google::protobuf::util::JsonStringToMessage (the reference behaviour),
// then makes the checks above; turns a failure into a ReadError. `hint_field` is used as
// the field when protobuf's message names none.
bool ParseJsonWithProtobuf(std::string_view json, v1::Application* out, ReadError* error,
                           std::string_view hint_field = {});
bool ParseJsonWithProtobuf(std::string_view json, v1::VerificationRequest* out, ReadError* error,
                           std::string_view hint_field = {});

// The checks ParseJson makes beyond protobuf's (see the top of this file), for applications
// read some other way (binary input, the C ABI): negative amounts, areas and counts, and
// undeclared enum numbers. False with `error` naming the field.
bool CheckApplication(const v1::Application& application, ReadError* error);

// Writes messages (decisions, in `heyan eval`) as compact protobuf JSON: byte for byte what
// google::protobuf::util::MessageToJsonString prints with preserve_proto_field_names = true
// and the other options at their defaults (no whitespace, enums by name, 64-bit integers
// as strings, default values omitted, protobuf's escaping of strings). protobuf 3.21 goes
// through a binary round trip and a type resolver for every message, which costs more
// than deciding the application; this walks the message by reflection instead.
//
// Messages it does not handle (floating-point, bytes, map or well-known-type fields, and
// strings that are not valid UTF-8) are printed by MessageToJsonString itself, so the
// output never differs. Reuse one writer per thread; it keeps scratch space.
class ProtoJsonWriter {
 public:
  // Appends `message` (no newline) to `out`.
  void Append(const google::protobuf::Message& message, std::string* out);

  // Messages printed by MessageToJsonString instead, since construction.
  uint64_t fallbacks() const { return fallbacks_; }

 private:
  bool AppendMessage(const google::protobuf::Message& message, int depth, std::string* out);
  std::vector<std::vector<const google::protobuf::FieldDescriptor*>> fields_;  // by depth
  uint64_t fallbacks_ = 0;
};

}  // namespace heyan::io

#endif  // HEYAN_IO_APPLICATION_READER_H_
