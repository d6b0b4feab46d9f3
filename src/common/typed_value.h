// Values with their type as Decisions carry them (v1::TypedValue, decision.proto): written by
// the runtime into traces, reason values and amounts, and read back by explanations and
// coverage, so that no program has to parse the text the engine renders for people.
#ifndef HEYAN_COMMON_TYPED_VALUE_H_
#define HEYAN_COMMON_TYPED_VALUE_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/value.h"
#include "google/protobuf/message.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"

namespace heyan::internal {

// Where each message of one application sits, from the root (ItemRef.path). Indexed on the
// first question only, since only traces and explanations ask. Not thread-safe.
class MessagePaths {
 public:
  void Reset(const google::protobuf::Message* root) {
    root_ = root;
    paths_.clear();
    indexed_ = false;
  }
  // Fills `out` with the path of `m`; false (and `out` left empty) for a message outside the
  // application, such as a registry record.
  bool PathOf(const google::protobuf::Message& m, google::protobuf::RepeatedPtrField<v1::PathElement>* out);

 private:
  const google::protobuf::Message* root_ = nullptr;
  bool indexed_ = false;
  absl::flat_hash_map<const google::protobuf::Message*, std::vector<v1::PathElement>> paths_;
};

// Writes `v` (of rule-language type `type`) into `out`. Messages are referred to by their
// place in the application (`paths`).
void ToTypedValue(const Value& v, const Type& type, MessagePaths& paths, v1::TypedValue* out);

// The message `ref` refers to inside `root`; nullptr when its path is empty (a registry
// record) or does not lead to a message of the referred type.
const google::protobuf::Message* ResolveItem(const google::protobuf::Message& root, const v1::ItemRef& ref);

// Renders `v` for people as the engine renders values (FormatValue): "470.00元",
// "2018-01-01", enums by their Chinese name; in English "470.00 yuan", yes/no, English enum
// names. A message is shown by its name and ID number, read from `root` (`fallback`, the
// engine's rendering, when the message is not in it or has neither).
std::string FormatTypedValue(const v1::TypedValue& v, bool english, const google::protobuf::Message* root,
                             const std::string& fallback = "");

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_TYPED_VALUE_H_
