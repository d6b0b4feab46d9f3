// Types and values of the rule language, shared by the checker (constants) and the runtime.
#ifndef HEYAN_COMMON_VALUE_H_
#define HEYAN_COMMON_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/rational.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace heyan::internal {

enum class TypeKind : uint8_t {
  kError,     // a type error was already reported; suppresses follow-on errors
  kBool,
  kInt,
  kDecimal,
  kMoney,     // fen, exact
  kDate,
  kDuration,
  kText,
  kEnum,
  kMessage,
  kList,
  kRegistry,  // 登记册.X: usable only with 属于 and [..]
  kCatalog,   // 登记册 itself
  kEmptyList, // [] before its element type is known
};

struct Type {
  TypeKind kind = TypeKind::kError;
  const google::protobuf::EnumDescriptor* enum_type = nullptr;
  const google::protobuf::Descriptor* message = nullptr;  // kMessage, kRegistry record type
  std::shared_ptr<const Type> elem;                        // kList
  int registry = -1;                                       // kRegistry

  static Type Of(TypeKind k) { Type t; t.kind = k; return t; }
  static Type Enum(const google::protobuf::EnumDescriptor* e) { Type t; t.kind = TypeKind::kEnum; t.enum_type = e; return t; }
  static Type Message(const google::protobuf::Descriptor* d) { Type t; t.kind = TypeKind::kMessage; t.message = d; return t; }
  static Type List(const Type& elem) { Type t; t.kind = TypeKind::kList; t.elem = std::make_shared<Type>(elem); return t; }

  bool is_error() const { return kind == TypeKind::kError; }
  bool is_numeric() const { return kind == TypeKind::kInt || kind == TypeKind::kDecimal; }
  bool is_list() const { return kind == TypeKind::kList || kind == TypeKind::kEmptyList; }
  // Rational-backed at run time.
  bool is_rational() const { return kind == TypeKind::kDecimal || kind == TypeKind::kMoney; }
  // Name as a rule author writes it: "金额", "列表<车辆类型>" / "money", "list<VehicleKind>".
  std::string Name(bool english = false) const;
};

bool SameType(const Type& a, const Type& b);

struct ListValue;

// A run-time value. The checker guarantees the kind, so nodes read the member they expect.
// Text and messages are views: text points into the application, a registry record or the
// Program's constants, all of which outlive one evaluation.
struct Value {
  TypeKind kind = TypeKind::kError;
  int32_t index = 0;  // position of a list item in its collection (for explanations)
  // Only the member that matches `kind` is meaningful; a Value is 24 bytes and trivially
  // copyable, which matters because the evaluator passes one per node.
  union {
    int64_t i;
    bool b;
    Rational r;
    int32_t date;
    Duration duration;
    int32_t enum_number;
    std::string_view text;
    const google::protobuf::Message* message;
    const ListValue* list;
    const void* ptr;  // the evaluator's own bookkeeping (saved pointers), never a rule value
  };

  Value() : i(0) {}

  static Value Bool(bool v) { Value x; x.kind = TypeKind::kBool; x.b = v; return x; }
  static Value Int(int64_t v) { Value x; x.kind = TypeKind::kInt; x.i = v; return x; }
  static Value Money(Rational v) { Value x; x.kind = TypeKind::kMoney; x.r = v; return x; }
  static Value Decimal(Rational v) { Value x; x.kind = TypeKind::kDecimal; x.r = v; return x; }
  static Value Date(int32_t v) { Value x; x.kind = TypeKind::kDate; x.date = v; return x; }
};

struct ListValue {
  std::vector<Value> items;
};

// Equality of two values of the same (checked) type.
bool ValuesEqual(const Value& a, const Value& b);
// Ordering of numeric, money and date values: -1, 0, 1.
int CompareValues(const Value& a, const Value& b);

// Renders a value for people: money "470.00元", dates "2018-01-01", enums by Chinese name.
std::string FormatValue(const Value& v, const Type& type, bool english = false);
// FormatValue appended to `out`, without temporaries of its own: a reused string renders a
// value without allocating (the lean Decision's outputs, runtime/program_impl.cc).
void AppendValue(const Value& v, const Type& type, bool english, std::string* out);

// The set fields of a message as "类别=工资性收入，金额=1200.00元" (Chinese field names and
// rule-language renderings; nested messages and lists are left out). In English: field names
// as in the proto, money without its _fen suffix ("amount=800.00 yuan"), yes/no.
std::string FormatMessageFields(const google::protobuf::Message& m, bool english = false);

// Chinese (or English) name of an enum value, falling back to the proto name.
std::string EnumValueName(const google::protobuf::EnumDescriptor* e, int number, bool english = false);

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_VALUE_H_
