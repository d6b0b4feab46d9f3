#include "common/schema.h"

#include "heyan/v1/application.pb.h"
#include "heyan/v1/options.pb.h"
#include "heyan/v1/registry.pb.h"

namespace heyan::internal {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

const Schema& Schema::Get() {
  static const Schema* schema = new Schema();
  return *schema;
}

Schema::Schema() {
  application_ = v1::Application::descriptor();
  registries_ = v1::Registries::descriptor();
  AddMessage(application_);
  AddMessage(registries_);
}

void Schema::AddMessage(const Descriptor* d) {
  if (fields_.contains(d)) return;
  // Filled locally: recursing into nested messages rehashes fields_, which would
  // invalidate a reference into it.
  absl::flat_hash_map<std::string, const FieldDescriptor*> map;
  std::vector<const Descriptor*> nested;
  messages_[d->name()] = d;
  const std::string& zh_msg = d->options().GetExtension(v1::zh_message);
  if (!zh_msg.empty()) messages_.emplace(zh_msg, d);
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    map[f->name()] = f;
    const std::string& zh = f->options().GetExtension(v1::zh);
    if (!zh.empty()) map[zh] = f;
    if (f->type() == FieldDescriptor::TYPE_MESSAGE) nested.push_back(f->message_type());
    if (f->type() == FieldDescriptor::TYPE_ENUM) {
      const EnumDescriptor* e = f->enum_type();
      if (!enum_values_.contains(e)) {
        auto& values = enum_values_[e];
        enums_[e->name()] = e;
        const std::string& zh_enum = e->options().GetExtension(v1::zh_enum);
        if (!zh_enum.empty()) enums_.emplace(zh_enum, e);
        for (int k = 0; k < e->value_count(); ++k) {
          values[e->value(k)->name()] = e->value(k);
          const std::string& zv = e->value(k)->options().GetExtension(v1::zh_value);
          if (!zv.empty()) values[zv] = e->value(k);
        }
      }
    }
  }
  fields_[d] = std::move(map);
  for (const Descriptor* n : nested) AddMessage(n);
}

const FieldDescriptor* Schema::FindField(const Descriptor* message, std::string_view name) const {
  auto it = fields_.find(message);
  if (it == fields_.end()) return nullptr;
  auto f = it->second.find(absl::string_view(name.data(), name.size()));
  return f == it->second.end() ? nullptr : f->second;
}

std::vector<std::string> Schema::FieldNames(const Descriptor* message) const {
  std::vector<std::string> out;
  for (int i = 0; i < message->field_count(); ++i) {
    const std::string& zh = message->field(i)->options().GetExtension(v1::zh);
    if (!zh.empty()) out.push_back(zh);
  }
  for (int i = 0; i < message->field_count(); ++i) out.push_back(message->field(i)->name());
  return out;
}

std::string Schema::FieldName(const FieldDescriptor* field, bool english) const {
  const std::string& zh = field->options().GetExtension(v1::zh);
  return english || zh.empty() ? field->name() : zh;
}

const google::protobuf::EnumValueDescriptor* Schema::FindEnumValue(const EnumDescriptor* e,
                                                                   std::string_view name) const {
  auto it = enum_values_.find(e);
  if (it == enum_values_.end()) return nullptr;
  auto v = it->second.find(absl::string_view(name.data(), name.size()));
  return v == it->second.end() ? nullptr : v->second;
}

std::vector<std::string> Schema::EnumValueNames(const EnumDescriptor* e) const {
  std::vector<std::string> out;
  for (int k = 0; k < e->value_count(); ++k) {
    const std::string& zv = e->value(k)->options().GetExtension(v1::zh_value);
    if (!zv.empty()) out.push_back(zv);
    out.push_back(e->value(k)->name());
  }
  return out;
}

FieldStorage Schema::Storage(const FieldDescriptor* f) const {
  const std::string& unit = f->options().GetExtension(v1::unit);
  switch (f->type()) {
    case FieldDescriptor::TYPE_BOOL: return FieldStorage::kBool;
    case FieldDescriptor::TYPE_ENUM: return FieldStorage::kEnum;
    case FieldDescriptor::TYPE_MESSAGE: return FieldStorage::kMessage;
    case FieldDescriptor::TYPE_STRING: return unit == "date" ? FieldStorage::kDateText : FieldStorage::kText;
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      if (unit == "fen") return FieldStorage::kMoneyFen;
      if (unit == "centi") return FieldStorage::kCenti;
      return FieldStorage::kInt64;
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64: return FieldStorage::kUint64;
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32: return FieldStorage::kUint32;
    default: return FieldStorage::kInt32;
  }
}

Type Schema::FieldType(const FieldDescriptor* f) const {
  Type t;
  switch (Storage(f)) {
    case FieldStorage::kBool: t = Type::Of(TypeKind::kBool); break;
    case FieldStorage::kEnum: t = Type::Enum(f->enum_type()); break;
    case FieldStorage::kMessage: t = Type::Message(f->message_type()); break;
    case FieldStorage::kDateText: t = Type::Of(TypeKind::kDate); break;
    case FieldStorage::kText: t = Type::Of(TypeKind::kText); break;
    case FieldStorage::kMoneyFen: t = Type::Of(TypeKind::kMoney); break;
    case FieldStorage::kCenti: t = Type::Of(TypeKind::kDecimal); break;
    default: t = Type::Of(TypeKind::kInt); break;
  }
  return f->is_repeated() ? Type::List(t) : t;
}

bool Schema::FindType(std::string_view name, Type* type) const {
  static const std::pair<const char*, TypeKind> kPrimitives[] = {
      {"布尔", TypeKind::kBool}, {"bool", TypeKind::kBool},         {"整数", TypeKind::kInt},
      {"int", TypeKind::kInt},   {"小数", TypeKind::kDecimal},     {"decimal", TypeKind::kDecimal},
      {"金额", TypeKind::kMoney}, {"money", TypeKind::kMoney},     {"日期", TypeKind::kDate},
      {"date", TypeKind::kDate}, {"期间", TypeKind::kDuration},    {"duration", TypeKind::kDuration},
      {"文本", TypeKind::kText}, {"text", TypeKind::kText},
  };
  for (const auto& [n, k] : kPrimitives) {
    if (name == n) {
      *type = Type::Of(k);
      return true;
    }
  }
  if (const EnumDescriptor* e = FindEnum(name)) {
    *type = Type::Enum(e);
    return true;
  }
  auto m = messages_.find(absl::string_view(name.data(), name.size()));
  if (m != messages_.end() && m->second != registries_) {
    *type = Type::Message(m->second);
    return true;
  }
  return false;
}

std::vector<std::string> Schema::TypeNames() const {
  std::vector<std::string> out = {"布尔", "整数", "小数", "金额", "日期", "期间", "文本", "列表",
                                  "bool", "int", "decimal", "money", "date", "duration", "text", "list"};
  for (const auto& [n, e] : enums_) out.push_back(n);
  for (const auto& [n, m] : messages_) out.push_back(n);
  return out;
}

const EnumDescriptor* Schema::FindEnum(std::string_view name) const {
  auto it = enums_.find(absl::string_view(name.data(), name.size()));
  return it == enums_.end() ? nullptr : it->second;
}

int Schema::RegistryIndex(std::string_view name) const {
  const FieldDescriptor* f = FindField(registries_, name);
  return f == nullptr ? -1 : f->index();
}

const FieldDescriptor* Schema::RegistryField(int index) const {
  return index >= 0 && index < registries_->field_count() ? registries_->field(index) : nullptr;
}

std::vector<std::string> Schema::RegistryNames() const { return FieldNames(registries_); }

std::vector<std::string> Schema::RegistryProtoNames() const {
  std::vector<std::string> out;
  for (int i = 0; i < registries_->field_count(); ++i) out.push_back(registries_->field(i)->name());
  return out;
}

}  // namespace heyan::internal
