#include "common/value.h"

#include "absl/strings/str_cat.h"
#include "heyan/v1/options.pb.h"

namespace heyan::internal {

std::string Type::Name(bool english) const {
  switch (kind) {
    case TypeKind::kError: return english ? "<error>" : "<错误>";
    case TypeKind::kBool: return english ? "bool" : "布尔";
    case TypeKind::kInt: return english ? "int" : "整数";
    case TypeKind::kDecimal: return english ? "decimal" : "小数";
    case TypeKind::kMoney: return english ? "money" : "金额";
    case TypeKind::kDate: return english ? "date" : "日期";
    case TypeKind::kDuration: return english ? "duration" : "期间";
    case TypeKind::kText: return english ? "text" : "文本";
    case TypeKind::kEnum: {
      const std::string& zh = enum_type->options().GetExtension(v1::zh_enum);
      return english || zh.empty() ? enum_type->name() : zh;
    }
    case TypeKind::kMessage: {
      const std::string& zh = message->options().GetExtension(v1::zh_message);
      return english || zh.empty() ? message->name() : zh;
    }
    case TypeKind::kList:
      return absl::StrCat(english ? "list<" : "列表<", elem->Name(english), ">");
    case TypeKind::kRegistry: return english ? "registry" : "登记册";
    case TypeKind::kCatalog: return english ? "registry catalogue" : "登记册目录";
    case TypeKind::kEmptyList: return english ? "empty list" : "空列表";
  }
  return "?";
}

bool SameType(const Type& a, const Type& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case TypeKind::kEnum: return a.enum_type == b.enum_type;
    case TypeKind::kMessage: return a.message == b.message;
    case TypeKind::kList: return SameType(*a.elem, *b.elem);
    case TypeKind::kRegistry: return a.registry == b.registry;
    default: return true;
  }
}

bool ValuesEqual(const Value& a, const Value& b) {
  switch (a.kind) {
    case TypeKind::kBool: return a.b == b.b;
    case TypeKind::kInt:
      if (b.kind == TypeKind::kDecimal) return Compare(Rational::Int(a.i), b.r) == 0;
      return a.i == b.i;
    case TypeKind::kDecimal:
      if (b.kind == TypeKind::kInt) return Compare(a.r, Rational::Int(b.i)) == 0;
      return a.r == b.r;
    case TypeKind::kMoney: return a.r == b.r;
    case TypeKind::kDate: return a.date == b.date;
    case TypeKind::kDuration: return a.duration == b.duration;
    case TypeKind::kText: return a.text == b.text;
    case TypeKind::kEnum: return a.enum_number == b.enum_number;
    case TypeKind::kMessage: return a.message == b.message;
    default: return false;
  }
}

int CompareValues(const Value& a, const Value& b) {
  if (a.kind == TypeKind::kDate) return a.date < b.date ? -1 : (a.date > b.date ? 1 : 0);
  if (a.kind == TypeKind::kInt && b.kind == TypeKind::kInt) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  Rational x = a.kind == TypeKind::kInt ? Rational::Int(a.i) : a.r;
  Rational y = b.kind == TypeKind::kInt ? Rational::Int(b.i) : b.r;
  return Compare(x, y);
}

namespace {

// The name enum value `number` is shown by (its Chinese name unless `english`); null for a
// number the enum does not declare.
const std::string* EnumValueLabel(const google::protobuf::EnumDescriptor* e, int number, bool english) {
  const google::protobuf::EnumValueDescriptor* v = e->FindValueByNumber(number);
  if (v == nullptr) return nullptr;
  const std::string& zh = v->options().GetExtension(v1::zh_value);
  return english || zh.empty() ? &v->name() : &zh;
}

}  // namespace

std::string EnumValueName(const google::protobuf::EnumDescriptor* e, int number, bool english) {
  const std::string* label = EnumValueLabel(e, number, english);
  return label != nullptr ? *label : absl::StrCat(number);
}

void AppendValue(const Value& v, const Type& type, bool english, std::string* out) {
  switch (type.kind) {
    case TypeKind::kBool: out->append(v.b ? (english ? "true" : "是") : (english ? "false" : "否")); return;
    case TypeKind::kInt: absl::StrAppend(out, v.i); return;
    case TypeKind::kDecimal: out->append(FormatDecimal(v.r)); return;
    case TypeKind::kMoney: out->append(FormatMoney(v.r, english)); return;
    case TypeKind::kDate: out->append(FormatDate(v.date)); return;
    case TypeKind::kDuration: out->append(FormatDuration(v.duration, english)); return;
    case TypeKind::kText: out->append(v.text); return;
    case TypeKind::kEnum:
      if (const std::string* label = EnumValueLabel(type.enum_type, v.enum_number, english)) {
        out->append(*label);
      } else {
        absl::StrAppend(out, v.enum_number);
      }
      return;
    case TypeKind::kMessage: {
      // A message is shown by its most telling fields: name and ID number when present.
      if (v.message == nullptr) return;
      const auto* d = v.message->GetDescriptor();
      const auto* r = v.message->GetReflection();
      const size_t start = out->size();
      std::string scratch;  // only used by messages on an arena or with string_piece fields
      for (const char* f : {"name", "id_number"}) {
        const auto* fd = d->FindFieldByName(f);
        if (fd != nullptr && fd->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
          const std::string& s = r->GetStringReference(*v.message, fd, &scratch);
          if (s.empty()) continue;
          if (out->size() > start) out->push_back(' ');
          out->append(s);
        }
      }
      if (out->size() == start) {
        absl::StrAppend(out, type.Name(english), english ? " #" : "第", v.index + 1, english ? "" : "项");
      }
      return;
    }
    case TypeKind::kList: {
      out->push_back('[');
      if (v.list != nullptr) {
        for (size_t k = 0; k < v.list->items.size(); ++k) {
          if (k > 0) out->append(english ? ", " : "、");
          AppendValue(v.list->items[k], *type.elem, english, out);
        }
      }
      out->push_back(']');
      return;
    }
    default: return;
  }
}

std::string FormatValue(const Value& v, const Type& type, bool english) {
  std::string out;
  AppendValue(v, type, english, &out);
  return out;
}

}  // namespace heyan::internal

namespace heyan::internal {

std::string FormatMessageFields(const google::protobuf::Message& m, bool english) {
  using google::protobuf::FieldDescriptor;
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  std::string out;
  for (const FieldDescriptor* f : fields) {
    if (f->is_repeated() || f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string& zh = f->options().GetExtension(v1::zh);
    const std::string& unit = f->options().GetExtension(v1::unit);
    std::string name = english || zh.empty() ? f->name() : zh;
    // In English the unit follows the value ("amount=800.00 yuan", not "amount_fen=…").
    if (english && unit == "fen" && name.size() > 4 && name.compare(name.size() - 4, 4, "_fen") == 0) name.resize(name.size() - 4);
    std::string value;
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: value = r->GetString(m, f); break;
      case FieldDescriptor::CPPTYPE_BOOL: value = r->GetBool(m, f) ? (english ? "yes" : "是") : (english ? "no" : "否"); break;
      case FieldDescriptor::CPPTYPE_ENUM: value = EnumValueName(f->enum_type(), r->GetEnumValue(m, f), english); break;
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = r->GetInt64(m, f);
        if (unit == "fen") {
          value = FormatMoney(Rational::Int(v), english);
        } else if (unit == "centi") {
          Rational x;
          value = Make(v, 100, &x) ? FormatDecimal(x) : absl::StrCat(v);
        } else {
          value = absl::StrCat(v);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32: value = absl::StrCat(r->GetInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT32: value = absl::StrCat(r->GetUInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT64: value = absl::StrCat(r->GetUInt64(m, f)); break;
      default: continue;
    }
    absl::StrAppend(&out, out.empty() ? "" : (english ? ", " : "，"), name, "=", value);
  }
  (void)d;
  return out;
}

}  // namespace heyan::internal
