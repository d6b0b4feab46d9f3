// Direct access to the fields of heyan.v1 messages, without protobuf reflection.
//
// Reflection costs a schema lookup per read; evaluating a rule set reads hundreds of fields
// per application. accessor_gen.cc writes, at build time, one small function per field that
// calls the generated protobuf accessor, and FieldNode uses it when one exists. Values come
// back in their raw proto form (text, integer, bool, enum number, message); the caller
// converts by the field's rule-language storage (money, date, ...).
#ifndef HEYAN_RUNTIME_FIELD_ACCESS_H_
#define HEYAN_RUNTIME_FIELD_ACCESS_H_

#include "common/value.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace heyan::internal {

struct FieldAccess {
  const char* full_name;
  bool (*has)(const google::protobuf::Message&);            // fields with presence, else null
  void (*get)(const google::protobuf::Message&, Value*);    // singular fields, else null
  int (*size)(const google::protobuf::Message&);            // repeated fields, else null
  void (*at)(const google::protobuf::Message&, int, Value*);  // repeated fields, else null
};

// The accessor of `field`, or null when none was generated (then use reflection).
const FieldAccess* FindFieldAccess(const google::protobuf::FieldDescriptor* field);

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_FIELD_ACCESS_H_
