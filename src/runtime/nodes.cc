// Node implementations: the evaluator proper. Every node is const; all mutable state is in
// the Frame. Failures return false with the cause recorded in the frame; no exceptions.
#include "runtime/nodes.h"

#include "absl/strings/str_cat.h"
#include "checker/schema.h"
#include "heyan/registry.h"
#include "runtime/field_access.h"
#include "runtime/program_impl.h"

namespace heyan::internal {
namespace {

using ast::Op;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

inline Rational AsRational(const Value& v) { return v.kind == TypeKind::kInt ? Rational::Int(v.i) : v.r; }

// A date computed outside 0001-01-01..9999-12-31 is a fault naming the expression.
bool DateOutOfRange(Frame& f, const std::string& source) {
  return f.Fault(absl::StrCat("“", source, "”计算出的日期超出支持范围（0001-01-01 至 9999-12-31）"));
}

const char* OpName(Op op) { return ast::OpSpelling(op); }

class ConstNode final : public Node {
 public:
  using Node::Node;
  bool Eval(Frame&, Value* out) const override {
    *out = expr_->constant;
    return true;
  }
};

class RootNode final : public Node {
 public:
  using Node::Node;
  bool Eval(Frame& f, Value* out) const override {
    out->kind = TypeKind::kMessage;
    out->message = f.application;
    out->index = 0;
    return true;
  }
};

class AsOfNode final : public Node {
 public:
  using Node::Node;
  bool Eval(Frame& f, Value* out) const override {
    if (!f.as_of_known) return f.Missing("评估日期", "申请没有评估日期或申请日期");
    *out = Value::Date(f.as_of);
    return true;
  }
};

class EligibleNode final : public Node {
 public:
  using Node::Node;
  bool Eval(Frame& f, Value* out) const override {
    switch (f.eligible_state) {
      case 1: *out = Value::Bool(true); return true;
      case 2: *out = Value::Bool(false); return true;
      case 3: f.last_cause = f.eligible_cause; return false;
      default: return f.Fault("内部错误：在“不符合”规则完成前读取了“符合条件”");
    }
  }
};

class SlotNode final : public Node {
 public:
  using Node::Node;
  bool Eval(Frame& f, Value* out) const override {
    *out = f.slots[expr_->slot];
    // Unbound only when an explanation reads an item of a list that had no items.
    return out->kind != TypeKind::kError || f.Fault("（没有此项）");
  }
};

class FieldNode final : public Node {
 public:
  FieldNode(const TExpr* e, NodePtr base) : Node(e), base_(std::move(base)) {
    const Schema& schema = Schema::Get();
    field_ = e->field;
    storage_ = schema.Storage(field_);
    has_presence_ = !field_->is_repeated() && field_->has_presence();
    base_is_list_ = e->args[0]->type.kind == TypeKind::kList;
    access_ = FindFieldAccess(field_);
    base_slot_ = e->args[0]->kind == TKind::kSlot ? e->args[0]->slot : -1;
    auto* base_field = dynamic_cast<const FieldNode*>(base_.get());
    base_direct_ = base_field != nullptr && base_field->direct_repeated() ? base_field : nullptr;
  }

  // Consumers that loop over a list (任一, 其中, 合计, ...) iterate a repeated message field
  // of a single message directly, skipping the callback layers of ForEach.
  bool direct_repeated() const {
    return !base_is_list_ && field_->is_repeated() && access_ != nullptr && storage_ == FieldStorage::kMessage;
  }
  bool BeginDirect(Frame& f, const Message** m, int* n) const {
    if (!BaseMessage(f, m)) return false;
    f.NoteRead(**m);
    *n = access_->size(**m);
    return true;
  }
  void DirectAt(const Message& m, int k, Value* v) const {
    access_->at(m, k, v);
    v->index = k;
  }
  // Calls fn(item) for each item of this direct_repeated() field; Node::ForEach's contract.
  template <typename Fn>
  bool IterateDirect(Frame& f, Fn&& fn) const {
    const Message* m = nullptr;
    int n;
    if (!BeginDirect(f, &m, &n)) return false;
    Value v;
    for (int k = 0; k < n; ++k) {
      DirectAt(*m, k, &v);
      Step s = fn(v);
      if (s == Step::kStop) return true;
      if (s == Step::kFail) return false;
    }
    return true;
  }

  bool Eval(Frame& f, Value* out) const override {
    if (expr_->type.kind == TypeKind::kList) {
      ListValue* list = f.NewList();
      bool ok = ForEach(f, [&](const Value& v) {
        list->items.push_back(v);
        return Step::kContinue;
      });
      if (!ok) return false;
      out->kind = TypeKind::kList;
      out->list = list;
      return true;
    }
    const Message* m = nullptr;
    if (!BaseMessage(f, &m)) return false;
    return ReadSingular(f, *m, out);
  }

  bool ForEach(Frame& f, ItemFn fn) const override {
    if (!base_is_list_) {
      Value base;
      if (!base_->Eval(f, &base)) return false;
      return ForEachOfField(f, *base.message, fn) != Step::kFail;
    }
    auto each = [&](const Value& item) -> Step {
      if (field_->is_repeated()) return ForEachOfField(f, *item.message, fn);
      Value v;
      if (!ReadSingular(f, *item.message, &v)) return Step::kFail;
      return fn(v);
    };
    // 成员.收入: loop over the members directly, then over each member's incomes.
    if (base_direct_ != nullptr) return base_direct_->IterateDirect(f, each);
    return base_->ForEach(f, each);
  }

  // 存在(x): whether the field is set, without reporting it missing.
  bool Present(Frame& f, bool* present) const {
    Value base;
    if (!base_->Eval(f, &base)) return false;
    const Message& m = *base.message;
    f.NoteRead(m);
    const Reflection* r = m.GetReflection();
    if (field_->is_repeated()) {
      *present = r->FieldSize(m, field_) > 0;
    } else if (has_presence_) {
      *present = r->HasField(m, field_);
    } else if (storage_ == FieldStorage::kDateText || storage_ == FieldStorage::kText) {
      std::string scratch;
      *present = !r->GetStringReference(m, field_, &scratch).empty();
    } else {
      *present = true;
    }
    return true;
  }

 private:
  bool BaseMessage(Frame& f, const Message** m) const {
    if (base_slot_ >= 0) {
      const Value& v = f.slots[base_slot_];
      if (v.kind == TypeKind::kError) return f.Fault("（没有此项）");
      *m = v.message;
      return true;
    }
    Value base;
    if (!base_->Eval(f, &base)) return false;
    *m = base.message;
    return true;
  }

  // Reads the raw proto value (text, integer, bool, enum, message) without conversion.
  void RawSingular(const Message& m, Value* v) const {
    if (access_ != nullptr) {
      access_->get(m, v);
      return;
    }
    const Reflection* r = m.GetReflection();
    switch (field_->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        v->kind = TypeKind::kText;
        v->text = r->GetStringReference(m, field_, &scratch);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL: v->kind = TypeKind::kBool; v->b = r->GetBool(m, field_); break;
      case FieldDescriptor::CPPTYPE_ENUM: v->kind = TypeKind::kEnum; v->enum_number = r->GetEnumValue(m, field_); break;
      case FieldDescriptor::CPPTYPE_MESSAGE: v->kind = TypeKind::kMessage; v->message = &r->GetMessage(m, field_); break;
      case FieldDescriptor::CPPTYPE_INT32: v->kind = TypeKind::kInt; v->i = r->GetInt32(m, field_); break;
      case FieldDescriptor::CPPTYPE_UINT32: v->kind = TypeKind::kInt; v->i = r->GetUInt32(m, field_); break;
      case FieldDescriptor::CPPTYPE_UINT64:
        v->kind = TypeKind::kInt;
        v->i = static_cast<int64_t>(std::min<uint64_t>(r->GetUInt64(m, field_), INT64_MAX));
        break;
      default: v->kind = TypeKind::kInt; v->i = r->GetInt64(m, field_); break;
    }
  }

  void RawRepeated(const Message& m, int k, Value* v) const {
    if (access_ != nullptr) {
      access_->at(m, k, v);
      return;
    }
    const Reflection* r = m.GetReflection();
    switch (field_->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        v->kind = TypeKind::kText;
        v->text = r->GetRepeatedStringReference(m, field_, k, &scratch);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL: v->kind = TypeKind::kBool; v->b = r->GetRepeatedBool(m, field_, k); break;
      case FieldDescriptor::CPPTYPE_ENUM: v->kind = TypeKind::kEnum; v->enum_number = r->GetRepeatedEnumValue(m, field_, k); break;
      case FieldDescriptor::CPPTYPE_MESSAGE: v->kind = TypeKind::kMessage; v->message = &r->GetRepeatedMessage(m, field_, k); break;
      case FieldDescriptor::CPPTYPE_INT32: v->kind = TypeKind::kInt; v->i = r->GetRepeatedInt32(m, field_, k); break;
      default: v->kind = TypeKind::kInt; v->i = r->GetRepeatedInt64(m, field_, k); break;
    }
  }

  // Converts a raw value to its rule-language kind (money, decimal, date).
  bool Convert(Frame& f, Value* v) const {
    switch (storage_) {
      case FieldStorage::kMoneyFen:
        v->kind = TypeKind::kMoney;
        v->r = Rational::Int(v->i);
        return true;
      case FieldStorage::kCenti: {
        Rational r;
        if (!Make(v->i, 100, &r)) return f.Fault("数值超出范围");
        *v = Value::Decimal(r);
        return true;
      }
      case FieldStorage::kDateText: {
        std::string_view text = v->text;
        if (text.empty()) return f.Missing(FieldPath(f, *expr_));
        int32_t days;
        if (!ParseDate(text, &days)) {
          return f.Fault(absl::StrCat(FieldPath(f, *expr_), " 的日期“", std::string(text), "”格式错误（应为 YYYY-MM-DD）"));
        }
        *v = Value::Date(days);
        return true;
      }
      default:
        return true;
    }
  }

  Step ForEachOfField(Frame& f, const Message& m, ItemFn fn) const {
    // Listing a person's items is not yet reading them (the items are noted when read);
    // a list of plain values is.
    if (storage_ != FieldStorage::kMessage) f.NoteRead(m);
    const int n = access_ != nullptr ? access_->size(m) : m.GetReflection()->FieldSize(m, field_);
    Value v;
    for (int k = 0; k < n; ++k) {
      RawRepeated(m, k, &v);
      if (!Convert(f, &v)) return Step::kFail;
      v.index = k;
      Step s = fn(v);
      if (s != Step::kContinue) return s;
    }
    return Step::kContinue;
  }

  bool ReadSingular(Frame& f, const Message& m, Value* out) const {
    f.NoteRead(m);
    if (has_presence_) {
      bool has = access_ != nullptr ? access_->has(m) : m.GetReflection()->HasField(m, field_);
      if (!has) return f.Missing(FieldPath(f, *expr_));
    }
    RawSingular(m, out);
    return Convert(f, out);
  }

  NodePtr base_;
  const FieldDescriptor* field_;
  FieldStorage storage_;
  bool has_presence_;
  bool base_is_list_;
  const FieldAccess* access_;
  int base_slot_;
  const FieldNode* base_direct_;
};

// Calls fn(item) for each item of `coll`, directly when `direct` (a FieldNode able to
// iterate without callbacks) is given. Same contract as Node::ForEach.
template <typename Fn>
inline bool Iterate(Frame& f, const Node& coll, const FieldNode* direct, Fn&& fn) {
  if (direct != nullptr) return direct->IterateDirect(f, fn);
  return coll.ForEach(f, fn);
}

const FieldNode* DirectOf(const NodePtr& node) {
  auto* field = dynamic_cast<const FieldNode*>(node.get());
  return field != nullptr && field->direct_repeated() ? field : nullptr;
}

class DeclNode final : public Node {
 public:
  using Node::Node;
  bool Eval(Frame& f, Value* out) const override { return f.program->EvalDecl(f, expr_->decl, out); }
};

// The check that covers `id` in registry `e.registry`, recorded for Decision.checks. A lookup
// no check covers is missing evidence ("财政供养人员 未核对"): a registry that was never
// queried must not read as one without a record. An empty ID cannot be looked up at all.
bool CoveringCheck(Frame& f, const TExpr& e, const TExpr& key_expr, std::string_view id, int* check) {
  if (id.empty()) return f.Missing(FieldPath(f, key_expr), "身份证号为空，无法核对");
  const int c = f.registries.Covering(e.registry, id);
  if (c == RegistryView::kUnchecked) {
    const Schema& schema = Schema::Get();
    const std::string name = schema.FieldName(schema.RegistryField(e.registry), f.english);
    // Whose check is missing, named by where the person is in the application (成员[2],
    // 赡养扶养[1]) rather than by ID number: explanations describe the person for staff and
    // keep other persons' numbers out of an applicant's letter.
    std::string who = FieldPath(f, key_expr);
    const size_t dot = who.rfind('.');
    if (dot != std::string::npos && who.find('[') < dot) {
      who.resize(dot);
    } else {
      who = std::string(id);
    }
    return f.Missing(absl::StrCat("登记册.", name, "[", who, "]"), absl::StrCat(name, " 未核对"));
  }
  f.check_uses.push_back(CheckUse{static_cast<int16_t>(e.registry), static_cast<int16_t>(c), id});
  *check = c;
  return true;
}

class RegistryContainsNode final : public Node {
 public:
  RegistryContainsNode(const TExpr* e, NodePtr key) : Node(e), key_(std::move(key)) {}
  bool Eval(Frame& f, Value* out) const override {
    Value key;
    if (!key_->Eval(f, &key)) return false;
    int check;
    if (!CoveringCheck(f, *expr_, key_->expr(), key.text, &check)) return false;
    *out = Value::Bool(f.registries.Contains(expr_->registry, check, key.text));
    return true;
  }

 private:
  NodePtr key_;
};

// registry[id] or registry[list of ids]: the records of one person, or of several persons
// one after another (paths through lists flatten, as for fields).
class RegistryFetchNode final : public Node {
 public:
  RegistryFetchNode(const TExpr* e, NodePtr key) : Node(e), key_(std::move(key)) {
    key_is_list_ = e->args[0]->type.kind == TypeKind::kList;
  }
  bool Eval(Frame& f, Value* out) const override {
    ListValue* list = f.NewList();
    auto fetch = [&](std::string_view id) {
      int check;
      if (!CoveringCheck(f, *expr_, key_->expr(), id, &check)) return false;
      f.fetched_records.clear();
      f.registries.Fetch(expr_->registry, check, id, &f.fetched_records, &f.fetched);
      for (const Message* record : f.fetched_records) {
        Value v;
        v.kind = TypeKind::kMessage;
        v.message = record;
        v.index = static_cast<int32_t>(list->items.size());
        list->items.push_back(v);
      }
      return true;
    };
    if (key_is_list_) {
      if (!key_->ForEach(f, [&](const Value& id) { return fetch(id.text) ? Step::kContinue : Step::kFail; })) {
        return false;
      }
    } else {
      Value key;
      if (!key_->Eval(f, &key) || !fetch(key.text)) return false;
    }
    out->kind = TypeKind::kList;
    out->list = list;
    return true;
  }

 private:
  NodePtr key_;
  bool key_is_list_;
};

class UnaryNode final : public Node {
 public:
  UnaryNode(const TExpr* e, NodePtr a) : Node(e), a_(std::move(a)) {}
  bool Eval(Frame& f, Value* out) const override {
    if (!a_->Eval(f, out)) return false;
    if (expr_->op == Op::kNot) {
      out->b = !out->b;
      return true;
    }
    if (out->kind == TypeKind::kInt) {
      if (out->i == INT64_MIN) return f.Fault(absl::StrCat(expr_->source, "：数值溢出"));
      out->i = -out->i;
      return true;
    }
    Rational negated;
    if (!Negate(out->r, &negated)) return f.Fault(absl::StrCat(expr_->source, "：数值溢出"));
    out->r = negated;
    return true;
  }

 private:
  NodePtr a_;
};

class ArithNode final : public Node {
 public:
  ArithNode(const TExpr* e, NodePtr a, NodePtr b) : Node(e), a_(std::move(a)), b_(std::move(b)) {
    result_ = e->type.kind;
  }
  bool Eval(Frame& f, Value* out) const override {
    Value a, b;
    if (!a_->Eval(f, &a) || !b_->Eval(f, &b)) return false;
    const Op op = expr_->op;
    if (result_ == TypeKind::kInt) {
      int64_t r;
      bool overflow = op == Op::kAdd ? __builtin_add_overflow(a.i, b.i, &r)
                      : op == Op::kSub ? __builtin_sub_overflow(a.i, b.i, &r)
                                       : __builtin_mul_overflow(a.i, b.i, &r);
      if (overflow) return Overflow(f);
      *out = Value::Int(r);
      return true;
    }
    if (result_ == TypeKind::kDate) {
      int32_t date;
      bool ok = a.kind == TypeKind::kDate ? AddDuration(a.date, b.duration, op == Op::kSub ? -1 : 1, &date)
                                          : AddDuration(b.date, a.duration, 1, &date);
      if (!ok) return DateOutOfRange(f, expr_->source);
      *out = Value::Date(date);
      return true;
    }
    if (result_ == TypeKind::kDuration) {
      Duration sum;
      if (!AddDurations(a.duration, b.duration, &sum)) return Overflow(f);
      out->kind = TypeKind::kDuration;
      out->duration = sum;
      return true;
    }
    Rational x = AsRational(a), y = AsRational(b), r;
    bool ok;
    switch (op) {
      case Op::kAdd: ok = Add(x, y, &r); break;
      case Op::kSub: ok = Sub(x, y, &r); break;
      case Op::kMul: ok = Mul(x, y, &r); break;
      default:
        if (y.num == 0) return f.Fault(absl::StrCat(expr_->source, "：除数为零"));
        ok = Div(x, y, &r);
        break;
    }
    if (!ok) return Overflow(f);
    out->kind = result_;
    out->r = r;
    return true;
  }

 private:
  bool Overflow(Frame& f) const {
    return f.Fault(absl::StrCat("“", expr_->source, "”计算结果超出可表示范围（溢出）"));
  }
  NodePtr a_, b_;
  TypeKind result_;
};

class CompareNode final : public Node {
 public:
  CompareNode(const TExpr* e, NodePtr a, NodePtr b) : Node(e), a_(std::move(a)), b_(std::move(b)) {
    const Type& t = e->args[0]->type;
    ordered_ = t.is_numeric() || t.kind == TypeKind::kMoney || t.kind == TypeKind::kDate;
  }
  bool Eval(Frame& f, Value* out) const override {
    Value a, b;
    if (!a_->Eval(f, &a) || !b_->Eval(f, &b)) return false;
    const Op op = expr_->op;
    bool r;
    if (ordered_) {
      int c = CompareValues(a, b);
      switch (op) {
        case Op::kEq: r = c == 0; break;
        case Op::kNe: r = c != 0; break;
        case Op::kLt: r = c < 0; break;
        case Op::kLe: r = c <= 0; break;
        case Op::kGt: r = c > 0; break;
        default: r = c >= 0; break;
      }
    } else {
      r = ValuesEqual(a, b) == (op == Op::kEq);
    }
    *out = Value::Bool(r);
    return true;
  }

 private:
  NodePtr a_, b_;
  bool ordered_;
};

class InNode final : public Node {
 public:
  InNode(const TExpr* e, NodePtr item, NodePtr list, const Value* constant_list)
      : Node(e), item_(std::move(item)), list_(std::move(list)) {
    enum_items_ = e->args[0]->type.kind == TypeKind::kEnum;
    // A constant list of enum values becomes a bit set: membership is one test.
    if (enum_items_ && constant_list != nullptr && constant_list->list != nullptr) {
      use_set_ = true;
      for (const Value& v : constant_list->list->items) {
        if (v.enum_number < 0 || v.enum_number > 4096) {
          use_set_ = false;
          break;
        }
        if (static_cast<size_t>(v.enum_number) >= enum_set_.size()) enum_set_.resize(v.enum_number + 1, false);
        enum_set_[v.enum_number] = true;
      }
    }
  }
  bool Eval(Frame& f, Value* out) const override {
    Value x;
    if (!item_->Eval(f, &x)) return false;
    bool found = false;
    if (use_set_) {
      if (f.named_trace != nullptr) {
        // Tracing: read the list anyway, so the parameter shows as used (coverage, explain).
        Value unused;
        list_->Eval(f, &unused);
      }
      found = x.enum_number >= 0 && static_cast<size_t>(x.enum_number) < enum_set_.size() && enum_set_[x.enum_number];
    } else {
      bool ok = list_->ForEach(f, [&](const Value& v) {
        if (enum_items_ ? v.enum_number == x.enum_number : ValuesEqual(x, v)) {
          found = true;
          return Step::kStop;
        }
        return Step::kContinue;
      });
      if (!ok) return false;
    }
    *out = Value::Bool(found == (expr_->op == Op::kIn));
    return true;
  }

 private:
  NodePtr item_, list_;
  bool enum_items_;
  bool use_set_ = false;
  std::vector<bool> enum_set_;
};

// A parameter with one value for all dates: a constant. While tracing it still marks the
// parameter as read, so explanations and coverage see it.
class ConstantParamNode final : public Node {
 public:
  ConstantParamNode(const TExpr* e, Value value) : Node(e), value_(value) {}
  bool Eval(Frame& f, Value* out) const override {
    *out = value_;
    if (f.named_trace != nullptr) {
      NamedState& s = f.named[expr_->decl];
      if (s.state == 0) {
        s.state = 2;
        s.value = value_;
      }
    }
    return true;
  }

 private:
  Value value_;
};

// 并且 / 或者 with three-valued logic: a known answer wins over a missing one
// (false 并且 missing = false), so one missing input does not hide a decisive one.
class LogicNode final : public Node {
 public:
  LogicNode(const TExpr* e, NodePtr a, NodePtr b) : Node(e), a_(std::move(a)), b_(std::move(b)) {
    is_and_ = e->kind == TKind::kAnd;
  }
  bool Eval(Frame& f, Value* out) const override {
    Value a;
    bool a_ok = a_->Eval(f, &a);
    int a_cause = f.last_cause;
    if (a_ok && a.b != is_and_) {
      *out = a;
      return true;
    }
    Value b;
    if (!b_->Eval(f, &b)) return false;
    if (b.b != is_and_) {
      *out = b;
      return true;
    }
    if (!a_ok) {
      f.last_cause = a_cause;
      return false;
    }
    *out = b;
    return true;
  }

 private:
  NodePtr a_, b_;
  bool is_and_;
};

class IfNode final : public Node {
 public:
  IfNode(const TExpr* e, NodePtr c, NodePtr a, NodePtr b)
      : Node(e), c_(std::move(c)), a_(std::move(a)), b_(std::move(b)) {
    promote_ = e->type.kind == TypeKind::kDecimal;
  }
  bool Eval(Frame& f, Value* out) const override {
    Value c;
    if (!c_->Eval(f, &c)) return false;
    if (!(c.b ? a_ : b_)->Eval(f, out)) return false;
    if (promote_ && out->kind == TypeKind::kInt) *out = Value::Decimal(Rational::Int(out->i));
    return true;
  }
  bool ForEach(Frame& f, ItemFn fn) const override {
    Value c;
    if (!c_->Eval(f, &c)) return false;
    return (c.b ? a_ : b_)->ForEach(f, fn);
  }

 private:
  NodePtr c_, a_, b_;
  bool promote_;
};

class ListNode final : public Node {
 public:
  ListNode(const TExpr* e, std::vector<NodePtr> items) : Node(e), items_(std::move(items)) {}
  bool Eval(Frame& f, Value* out) const override {
    ListValue* list = f.NewList();
    if (!ForEach(f, [&](const Value& v) {
          list->items.push_back(v);
          return Step::kContinue;
        }))
      return false;
    out->kind = TypeKind::kList;
    out->list = list;
    return true;
  }
  bool ForEach(Frame& f, ItemFn fn) const override {
    for (size_t k = 0; k < items_.size(); ++k) {
      Value v;
      if (!items_[k]->Eval(f, &v)) return false;
      v.index = static_cast<int32_t>(k);
      Step s = fn(v);
      if (s == Step::kStop) return true;
      if (s == Step::kFail) return false;
    }
    return true;
  }

 private:
  std::vector<NodePtr> items_;
};

class FilterNode final : public Node {
 public:
  FilterNode(const TExpr* e, NodePtr coll, NodePtr cond)
      : Node(e), coll_(std::move(coll)), cond_(std::move(cond)), direct_(DirectOf(coll_)) {}
  bool Eval(Frame& f, Value* out) const override {
    ListValue* list = f.NewList();
    if (!ForEach(f, [&](const Value& v) {
          list->items.push_back(v);
          return Step::kContinue;
        }))
      return false;
    out->kind = TypeKind::kList;
    out->list = list;
    return true;
  }
  bool ForEach(Frame& f, ItemFn fn) const override {
    const int slot = expr_->slot;
    return Iterate(f, *coll_, direct_, [&](const Value& item) {
      f.slots[slot] = item;
      Value c;
      // What the condition read only selects items; the items chosen are noted when read.
      std::vector<const Message*>* reads = f.reads;
      f.reads = nullptr;
      const bool ok = cond_->Eval(f, &c);
      f.reads = reads;
      if (!ok) return Step::kFail;
      f.RecordItem(expr_, item, /*filter=*/true, /*counted=*/c.b, Value());
      return c.b ? fn(item) : Step::kContinue;
    });
  }

 private:
  NodePtr coll_, cond_;
  const FieldNode* direct_;
};

class QuantNode final : public Node {
 public:
  QuantNode(const TExpr* e, NodePtr coll, NodePtr cond)
      : Node(e), coll_(std::move(coll)), cond_(std::move(cond)), direct_(DirectOf(coll_)) {
    any_ = e->op == Op::kAny;
  }
  bool Eval(Frame& f, Value* out) const override {
    const int slot = expr_->slot;
    bool decided = false;
    int unknown_cause = -1;
    const size_t mark = f.reads != nullptr ? f.reads->size() : 0;
    bool ok = Iterate(f, *coll_, direct_, [&](const Value& item) {
      f.slots[slot] = item;
      Value c;
      if (!cond_->Eval(f, &c)) {
        if (unknown_cause < 0) unknown_cause = f.last_cause;
        return Step::kContinue;
      }
      if (c.b == any_) {
        decided = true;
        return Step::kStop;  // the slot keeps the witness, for messages and explanations
      }
      return Step::kContinue;
    });
    if (!ok) return false;
    f.AbsorbHouseholdReads(mark);  // 任一/全部 over several persons is a household fact
    if (decided) {
      *out = Value::Bool(any_);
      return true;
    }
    if (unknown_cause >= 0) {
      f.last_cause = unknown_cause;
      return false;
    }
    *out = Value::Bool(!any_);
    return true;
  }

 private:
  NodePtr coll_, cond_;
  const FieldNode* direct_;
  bool any_;
};

class AggregateNode final : public Node {
 public:
  AggregateNode(const TExpr* e, NodePtr coll, NodePtr mapping)
      : Node(e), coll_(std::move(coll)), mapping_(std::move(mapping)), direct_(DirectOf(coll_)) {
    result_ = e->type.kind;
  }
  bool Eval(Frame& f, Value* out) const override {
    const Op op = expr_->op;
    const int slot = expr_->slot;
    // Sums and counts over several persons' data are household figures; a minimum or a
    // maximum is one item's value and stays its owner's.
    const size_t mark = f.reads != nullptr ? f.reads->size() : 0;
    if (op == Op::kCount) {
      int64_t n = 0;
      if (direct_ != nullptr) {
        const Message* m = nullptr;
        int size;
        if (!direct_->BeginDirect(f, &m, &size)) return false;
        *out = Value::Int(size);
        return true;
      }
      if (!coll_->ForEach(f, [&](const Value&) {
            ++n;
            return Step::kContinue;
          }))
        return false;
      f.AbsorbHouseholdReads(mark);
      *out = Value::Int(n);
      return true;
    }
    if (op == Op::kDistinct) return EvalDistinct(f, out);
    bool overflow = false, have = false;
    int64_t isum = 0;
    Rational rsum;
    Value best;
    bool ok = Iterate(f, *coll_, direct_, [&](const Value& item) {
      Value v;
      if (mapping_) {
        f.slots[slot] = item;
        if (!mapping_->Eval(f, &v)) return Step::kFail;
      } else {
        v = item;
      }
      f.RecordItem(expr_, item, /*filter=*/false, /*counted=*/true, v);
      if (op == Op::kSum) {
        // Into a fresh local, then assigned: an output that aliases an input makes GCC
        // compute the overflow flag from the overwritten operand (issue 14).
        if (result_ == TypeKind::kInt) {
          int64_t next;
          overflow = __builtin_add_overflow(isum, v.i, &next);
          if (!overflow) isum = next;
        } else {
          Rational next;
          overflow = !Add(rsum, AsRational(v), &next);
          if (!overflow) rsum = next;
        }
        return overflow ? Step::kFail : Step::kContinue;
      }
      if (!have || (op == Op::kMin ? CompareValues(v, best) < 0 : CompareValues(v, best) > 0)) best = v;
      have = true;
      return Step::kContinue;
    });
    if (overflow) return f.Fault(absl::StrCat("“", expr_->source, "”合计超出可表示范围（溢出）"));
    if (!ok) return false;
    if (op == Op::kSum) {
      f.AbsorbHouseholdReads(mark);
      if (result_ == TypeKind::kInt) {
        *out = Value::Int(isum);
      } else {
        out->kind = result_;
        out->r = rsum;
      }
      return true;
    }
    if (!have) return f.Fault(absl::StrCat("“", expr_->source, "”：列表为空，没有", OpName(op), "值"));
    *out = best;
    if (result_ == TypeKind::kDecimal && out->kind == TypeKind::kInt) *out = Value::Decimal(Rational::Int(out->i));
    return true;
  }

 private:
  // 去重(集合: 键): the items whose key no earlier item had, in order. Lists are short (a
  // household's records), so seen keys are compared one by one.
  bool EvalDistinct(Frame& f, Value* out) const {
    const int slot = expr_->slot;
    ListValue* list = f.NewList();
    ListValue* keys = f.NewList();
    bool ok = Iterate(f, *coll_, direct_, [&](const Value& item) {
      Value key = item;
      if (mapping_) {
        f.slots[slot] = item;
        if (!mapping_->Eval(f, &key)) return Step::kFail;
      }
      bool seen = false;
      for (const Value& k : keys->items) seen = seen || ValuesEqual(k, key);
      f.RecordItem(expr_, item, /*filter=*/true, /*counted=*/!seen, Value());
      if (!seen) {
        keys->items.push_back(key);
        list->items.push_back(item);
      }
      return Step::kContinue;
    });
    if (!ok) return false;
    out->kind = TypeKind::kList;
    out->list = list;
    return true;
  }

  NodePtr coll_, mapping_;
  const FieldNode* direct_;
  TypeKind result_;
};

class CallNode final : public Node {
 public:
  CallNode(const TExpr* e, std::vector<NodePtr> args) : Node(e), args_(std::move(args)) {}
  bool Eval(Frame& f, Value* out) const override {
    const Builtin b = expr_->builtin;
    if (b == Builtin::kPresent) {
      bool present;
      if (!static_cast<const FieldNode*>(args_[0].get())->Present(f, &present)) return false;
      *out = Value::Bool(present);
      return true;
    }
    Value a[3];
    for (size_t k = 0; k < args_.size(); ++k) {
      if (!args_[k]->Eval(f, &a[k])) return false;
    }
    const RoundMode mode = expr_->round_mode;
    switch (b) {
      case Builtin::kRoundToFen:
      case Builtin::kRoundToYuan: {
        Rational r;
        if (!RoundTo(a[0].r, Rational::Int(b == Builtin::kRoundToFen ? 1 : 100), mode, &r)) return Overflow(f);
        *out = Value::Money(r);
        return true;
      }
      case Builtin::kRoundToMultiple: {
        Rational unit = AsRational(a[1]);
        if (unit.num <= 0) return f.Fault(absl::StrCat("“", expr_->source, "”：取整单位必须大于零"));
        Rational r;
        if (!RoundTo(AsRational(a[0]), unit, mode, &r)) return Overflow(f);
        out->kind = expr_->type.kind;
        if (out->kind == TypeKind::kInt) {
          out->i = r.num;
        } else {
          out->r = r;
        }
        return true;
      }
      case Builtin::kToInteger: {
        Rational r;
        if (!RoundTo(AsRational(a[0]), Rational::Int(1), mode, &r)) return Overflow(f);
        *out = Value::Int(r.num);
        return true;
      }
      case Builtin::kGreater:
      case Builtin::kLesser: {
        int c = CompareValues(a[0], a[1]);
        *out = (b == Builtin::kGreater ? c >= 0 : c <= 0) ? a[0] : a[1];
        if (expr_->type.kind == TypeKind::kDecimal && out->kind == TypeKind::kInt) {
          *out = Value::Decimal(Rational::Int(out->i));
        }
        return true;
      }
      case Builtin::kAgeAt:
        *out = Value::Int(YearsBetween(a[0].date, a[1].date));
        return true;
      case Builtin::kMonthsBetween:
        *out = Value::Int(MonthsBetween(a[0].date, a[1].date));
        return true;
      case Builtin::kDaysBetween:
        *out = Value::Int(static_cast<int64_t>(a[1].date) - a[0].date);
        return true;
      case Builtin::kWithinBefore: {
        int32_t start;
        if (!AddDuration(a[1].date, a[2].duration, -1, &start)) return DateOutOfRange(f, expr_->source);
        *out = Value::Bool(a[0].date >= start && a[0].date <= a[1].date);
        return true;
      }
      case Builtin::kPresent:
        break;
    }
    return f.Fault("内部错误：未知函数");
  }

 private:
  bool Overflow(Frame& f) const { return f.Fault(absl::StrCat("“", expr_->source, "”计算结果超出可表示范围（溢出）")); }
  std::vector<NodePtr> args_;
};

}  // namespace

bool Node::ForEach(Frame& f, ItemFn fn) const {
  Value v;
  if (!Eval(f, &v)) return false;
  if (v.list == nullptr) return true;
  for (const Value& item : v.list->items) {
    Step s = fn(item);
    if (s == Step::kStop) return true;
    if (s == Step::kFail) return false;
  }
  return true;
}

namespace {

// Where `target` sits inside `m`, as "成员[2].收入[1]" (Chinese field names, 1-based indices);
// false when it is not inside. Walks the message tree with an explicit stack; only used when
// something is missing, so the cost (a few dozen messages per household) is off the hot path.
bool PathInside(const Message& root, const Message* target, bool english, std::string* out) {
  struct Step {
    const Message* message;
    std::string path;
  };
  const Schema& schema = Schema::Get();
  std::vector<Step> stack{{&root, ""}};
  while (!stack.empty()) {
    Step step = std::move(stack.back());
    stack.pop_back();
    const Message& m = *step.message;
    const Reflection* r = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(m, &fields);
    for (const FieldDescriptor* field : fields) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      const std::string name = schema.FieldName(field, english);
      const std::string prefix = step.path.empty() ? name : absl::StrCat(step.path, ".", name);
      if (!field->is_repeated()) {
        const Message* child = &r->GetMessage(m, field);
        if (child == target) return (*out = prefix), true;
        stack.push_back({child, prefix});
        continue;
      }
      for (int k = 0; k < r->FieldSize(m, field); ++k) {
        const Message* child = &r->GetRepeatedMessage(m, field, k);
        std::string path = absl::StrCat(prefix, "[", k + 1, "]");
        if (child == target) return (*out = std::move(path)), true;
        stack.push_back({child, std::move(path)});
      }
    }
  }
  return false;
}

}  // namespace

std::string FieldPath(const Frame& f, const TExpr& e) {
  if (e.kind != TKind::kField || e.args.empty()) return e.source;
  const TExpr& base = *e.args[0];
  std::string name = Schema::Get().FieldName(e.field, f.english);
  if (base.kind == TKind::kSlot) {
    // An item of the application is named by where it is in the application
    // (成员[1].收入[2].金额), whatever filtered list the rule was walking; other items (registry
    // records) by the list they came from.
    const Value& item = f.slots[base.slot];
    std::string where;
    if (item.kind == TypeKind::kMessage && f.application != nullptr &&
        PathInside(*f.application, item.message, f.english, &where)) {
      return absl::StrCat(where, ".", name);
    }
    return absl::StrCat(base.source, "[", item.index + 1, "].", name);
  }
  if (base.kind == TKind::kRoot) return name;
  if (base.kind == TKind::kField) return absl::StrCat(FieldPath(f, base), ".", name);
  return e.source;
}

NodePtr MakeConstNode(const TExpr* e) { return std::make_unique<ConstNode>(e); }
NodePtr MakeRootNode(const TExpr* e) { return std::make_unique<RootNode>(e); }
NodePtr MakeAsOfNode(const TExpr* e) { return std::make_unique<AsOfNode>(e); }
NodePtr MakeEligibleNode(const TExpr* e) { return std::make_unique<EligibleNode>(e); }
NodePtr MakeSlotNode(const TExpr* e) { return std::make_unique<SlotNode>(e); }
NodePtr MakeFieldNode(const TExpr* e, NodePtr base) { return std::make_unique<FieldNode>(e, std::move(base)); }
NodePtr MakeDeclNode(const TExpr* e) { return std::make_unique<DeclNode>(e); }
NodePtr MakeRegistryContainsNode(const TExpr* e, NodePtr key) {
  return std::make_unique<RegistryContainsNode>(e, std::move(key));
}
NodePtr MakeRegistryFetchNode(const TExpr* e, NodePtr key) {
  return std::make_unique<RegistryFetchNode>(e, std::move(key));
}
NodePtr MakeUnaryNode(const TExpr* e, NodePtr arg) { return std::make_unique<UnaryNode>(e, std::move(arg)); }
NodePtr MakeArithNode(const TExpr* e, NodePtr a, NodePtr b) {
  return std::make_unique<ArithNode>(e, std::move(a), std::move(b));
}
NodePtr MakeCompareNode(const TExpr* e, NodePtr a, NodePtr b) {
  return std::make_unique<CompareNode>(e, std::move(a), std::move(b));
}
NodePtr MakeInNode(const TExpr* e, NodePtr item, NodePtr list, const Value* constant_list) {
  return std::make_unique<InNode>(e, std::move(item), std::move(list), constant_list);
}
NodePtr MakeConstantParamNode(const TExpr* e, const Value& value) {
  return std::make_unique<ConstantParamNode>(e, value);
}
NodePtr MakeLogicNode(const TExpr* e, NodePtr a, NodePtr b) {
  return std::make_unique<LogicNode>(e, std::move(a), std::move(b));
}
NodePtr MakeIfNode(const TExpr* e, NodePtr c, NodePtr a, NodePtr b) {
  return std::make_unique<IfNode>(e, std::move(c), std::move(a), std::move(b));
}
NodePtr MakeListNode(const TExpr* e, std::vector<NodePtr> items) {
  return std::make_unique<ListNode>(e, std::move(items));
}
NodePtr MakeFilterNode(const TExpr* e, NodePtr coll, NodePtr cond) {
  return std::make_unique<FilterNode>(e, std::move(coll), std::move(cond));
}
NodePtr MakeQuantNode(const TExpr* e, NodePtr coll, NodePtr cond) {
  return std::make_unique<QuantNode>(e, std::move(coll), std::move(cond));
}
NodePtr MakeAggregateNode(const TExpr* e, NodePtr coll, NodePtr mapping) {
  return std::make_unique<AggregateNode>(e, std::move(coll), std::move(mapping));
}
NodePtr MakeCallNode(const TExpr* e, std::vector<NodePtr> args) {
  return std::make_unique<CallNode>(e, std::move(args));
}

}  // namespace heyan::internal
