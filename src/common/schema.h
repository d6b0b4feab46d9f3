// The data model as the checker sees it: heyan.v1 message descriptors with their Chinese
// names (from the options in proto/heyan/v1/options.proto) mapped to rule-language types.
// Shared by the checker, the readers of input (io) and the runtime: below all three.
#ifndef HEYAN_COMMON_SCHEMA_H_
#define HEYAN_COMMON_SCHEMA_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/value.h"
#include "google/protobuf/descriptor.h"

namespace heyan::internal {

// How a proto field's storage maps to its rule-language type.
enum class FieldStorage : uint8_t {
  kBool, kInt32, kInt64, kUint32, kUint64, kMoneyFen, kCenti, kDateText, kText, kEnum, kMessage,
};

class Schema {
 public:
  // The one schema of heyan.v1, built on first use (thread-safe).
  static const Schema& Get();

  const google::protobuf::Descriptor* application() const { return application_; }
  const google::protobuf::Descriptor* registries() const { return registries_; }

  // A field of `message` by English or Chinese name; null if none.
  const google::protobuf::FieldDescriptor* FindField(const google::protobuf::Descriptor* message,
                                                     std::string_view name) const;
  // Every name (Chinese first, then English) of `message`'s fields, for suggestions.
  std::vector<std::string> FieldNames(const google::protobuf::Descriptor* message) const;
  std::string FieldName(const google::protobuf::FieldDescriptor* field, bool english = false) const;

  const google::protobuf::EnumValueDescriptor* FindEnumValue(const google::protobuf::EnumDescriptor* e,
                                                             std::string_view name) const;
  std::vector<std::string> EnumValueNames(const google::protobuf::EnumDescriptor* e) const;

  // The rule-language type of a field (list<T> for repeated fields) and its storage.
  Type FieldType(const google::protobuf::FieldDescriptor* field) const;
  FieldStorage Storage(const google::protobuf::FieldDescriptor* field) const;

  // Primitive, enum and message type names (Chinese and English). False if unknown.
  bool FindType(std::string_view name, Type* type) const;
  std::vector<std::string> TypeNames() const;

  // Registries: index of a Registries field by name, or -1; record type by index.
  int RegistryIndex(std::string_view name) const;
  const google::protobuf::FieldDescriptor* RegistryField(int index) const;
  std::vector<std::string> RegistryNames() const;
  // The registries' proto field names (cars, farm_machinery, ...), in field order.
  std::vector<std::string> RegistryProtoNames() const;

  // Enum types, for qualified values such as 车辆类型.摩托车.
  const google::protobuf::EnumDescriptor* FindEnum(std::string_view name) const;

 private:
  Schema();
  void AddMessage(const google::protobuf::Descriptor* d);

  const google::protobuf::Descriptor* application_;
  const google::protobuf::Descriptor* registries_;
  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      absl::flat_hash_map<std::string, const google::protobuf::FieldDescriptor*>> fields_;
  absl::flat_hash_map<const google::protobuf::EnumDescriptor*,
                      absl::flat_hash_map<std::string, const google::protobuf::EnumValueDescriptor*>> enum_values_;
  absl::flat_hash_map<std::string, const google::protobuf::EnumDescriptor*> enums_;
  absl::flat_hash_map<std::string, const google::protobuf::Descriptor*> messages_;
};

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_SCHEMA_H_
