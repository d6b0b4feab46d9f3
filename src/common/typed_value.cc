#include "common/typed_value.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/date.h"
#include "common/rational.h"
#include "google/protobuf/descriptor.h"

namespace heyan::internal {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool MessagePaths::PathOf(const Message& m, google::protobuf::RepeatedPtrField<v1::PathElement>* out) {
  out->Clear();
  if (root_ == nullptr) return false;
  if (!indexed_) {
    indexed_ = true;
    // An explicit stack: the application is shallow, but the walk stays flat by habit.
    std::vector<std::pair<const Message*, std::vector<v1::PathElement>>> stack;
    stack.push_back({root_, {}});
    while (!stack.empty()) {
      auto [msg, path] = std::move(stack.back());
      stack.pop_back();
      const Reflection* r = msg->GetReflection();
      std::vector<const FieldDescriptor*> fields;
      r->ListFields(*msg, &fields);
      for (const FieldDescriptor* f : fields) {
        if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
        const int n = f->is_repeated() ? r->FieldSize(*msg, f) : 1;
        for (int i = 0; i < n; ++i) {
          const Message& child = f->is_repeated() ? r->GetRepeatedMessage(*msg, f, i) : r->GetMessage(*msg, f);
          std::vector<v1::PathElement> child_path = path;
          v1::PathElement& e = child_path.emplace_back();
          e.set_field(f->name());
          e.set_index(f->is_repeated() ? i : -1);
          paths_.emplace(&child, child_path);
          stack.push_back({&child, std::move(child_path)});
        }
      }
    }
  }
  auto it = paths_.find(&m);
  if (it == paths_.end()) return false;
  for (const v1::PathElement& e : it->second) *out->Add() = e;
  return true;
}

namespace {

void SetFraction(const Rational& r, v1::Fraction* out) {
  out->set_num(r.num);
  out->set_den(r.den);
}

}  // namespace

void ToTypedValue(const Value& v, const Type& type, MessagePaths& paths, v1::TypedValue* out) {
  // No Clear() first: the setters switch the oneof, and a value of the same kind as before
  // reuses its storage (Decisions are reused from one evaluation to the next).
  switch (type.kind) {
    case TypeKind::kBool: out->set_bool_value(v.b); break;
    case TypeKind::kInt: out->set_int_value(v.i); break;
    case TypeKind::kDecimal: SetFraction(v.r, out->mutable_decimal_value()); break;
    case TypeKind::kMoney: SetFraction(v.r, out->mutable_money_fen()); break;
    case TypeKind::kDate: out->set_date_value(FormatDate(v.date)); break;
    case TypeKind::kDuration:
      out->mutable_duration_value()->set_months(v.duration.months);
      out->mutable_duration_value()->set_days(v.duration.days);
      break;
    case TypeKind::kText: out->set_text_value(std::string(v.text)); break;
    case TypeKind::kEnum:
      out->mutable_enum_value()->set_type(type.enum_type != nullptr ? type.enum_type->full_name() : "");
      out->mutable_enum_value()->set_number(v.enum_number);
      break;
    case TypeKind::kMessage: {
      v1::ItemRef* ref = out->mutable_item_value();
      ref->Clear();
      if (v.message == nullptr) break;
      ref->set_type(v.message->GetDescriptor()->full_name());
      ref->set_index(v.index);
      paths.PathOf(*v.message, ref->mutable_path());
      break;
    }
    case TypeKind::kList: {
      v1::TypedList* list = out->mutable_list_value();
      list->clear_items();
      if (v.list == nullptr || type.elem == nullptr) break;
      for (const Value& item : v.list->items) ToTypedValue(item, *type.elem, paths, list->add_items());
      break;
    }
    default: out->clear_value(); break;
  }
}

const Message* ResolveItem(const Message& root, const v1::ItemRef& ref) {
  if (ref.path().empty()) return nullptr;
  const Message* m = &root;
  for (const v1::PathElement& e : ref.path()) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(e.field());
    if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return nullptr;
    const Reflection* r = m->GetReflection();
    if (f->is_repeated()) {
      if (e.index() < 0 || e.index() >= r->FieldSize(*m, f)) return nullptr;
      m = &r->GetRepeatedMessage(*m, f, e.index());
    } else {
      if (e.index() != -1) return nullptr;
      m = &r->GetMessage(*m, f);
    }
  }
  return m->GetDescriptor()->full_name() == ref.type() ? m : nullptr;
}

namespace {

Rational RationalOf(const v1::Fraction& f) { return Rational{f.num(), f.den() > 0 ? f.den() : 1}; }

// A message as FormatValue shows it: its name and ID number, else its type and place.
std::string FormatItem(const v1::ItemRef& ref, bool english, const Message* root, const std::string& fallback) {
  const Message* m = root != nullptr ? ResolveItem(*root, ref) : nullptr;
  const Descriptor* d = DescriptorPool::generated_pool()->FindMessageTypeByName(ref.type());
  if (m == nullptr || d == nullptr) return fallback;
  Value v;
  v.kind = TypeKind::kMessage;
  v.message = m;
  v.index = ref.index();
  return FormatValue(v, Type::Message(d), english);
}

}  // namespace

std::string FormatTypedValue(const v1::TypedValue& v, bool english, const Message* root, const std::string& fallback) {
  switch (v.value_case()) {
    case v1::TypedValue::kBoolValue:
      // Explanations are read by people: yes/no, not the rule language's true/false.
      return v.bool_value() ? (english ? "yes" : "是") : (english ? "no" : "否");
    case v1::TypedValue::kIntValue: return absl::StrCat(v.int_value());
    case v1::TypedValue::kDecimalValue: return FormatDecimal(RationalOf(v.decimal_value()));
    case v1::TypedValue::kMoneyFen: return FormatMoney(RationalOf(v.money_fen()), english);
    case v1::TypedValue::kDateValue: return v.date_value();
    case v1::TypedValue::kDurationValue:
      return FormatDuration(Duration{v.duration_value().months(), v.duration_value().days()}, english);
    case v1::TypedValue::kTextValue: return v.text_value();
    case v1::TypedValue::kEnumValue: {
      const auto* e = DescriptorPool::generated_pool()->FindEnumTypeByName(v.enum_value().type());
      if (e == nullptr) return absl::StrCat(v.enum_value().number());
      return EnumValueName(e, v.enum_value().number(), english);
    }
    case v1::TypedValue::kItemValue: return FormatItem(v.item_value(), english, root, fallback);
    case v1::TypedValue::kListValue: {
      std::string out = "[";
      for (int k = 0; k < v.list_value().items_size(); ++k) {
        if (k > 0) out += english ? ", " : "、";
        out += FormatTypedValue(v.list_value().items(k), english, root);
      }
      return out + "]";
    }
    case v1::TypedValue::VALUE_NOT_SET: break;
  }
  return fallback;
}

}  // namespace heyan::internal
