// Expressions: names (bound items, enum values, declarations, fields of the application),
// fields and registries, operators, collections (filters, quantifiers, aggregates), calls of
// built-in functions, literals and lists.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checker/checker_impl.h"
#include "checker/types.h"
#include "common/text.h"

namespace heyan::internal {

using ast::ExprKind;
using ast::Op;

namespace {

struct BuiltinSpec {
  const char* zh;
  const char* en;
  Builtin builtin;
  RoundMode mode;
  int args;
};
constexpr BuiltinSpec kBuiltins[] = {
    {"四舍五入到分", "round_half_up_fen", Builtin::kRoundToFen, RoundMode::kHalfUp, 1},
    {"向上取整到分", "round_up_fen", Builtin::kRoundToFen, RoundMode::kUp, 1},
    {"向下取整到分", "round_down_fen", Builtin::kRoundToFen, RoundMode::kDown, 1},
    {"四舍五入到元", "round_half_up_yuan", Builtin::kRoundToYuan, RoundMode::kHalfUp, 1},
    {"向上取整到元", "round_up_yuan", Builtin::kRoundToYuan, RoundMode::kUp, 1},
    {"向下取整到元", "round_down_yuan", Builtin::kRoundToYuan, RoundMode::kDown, 1},
    {"向上取整到倍数", "round_up_to", Builtin::kRoundToMultiple, RoundMode::kUp, 2},
    {"向下取整到倍数", "round_down_to", Builtin::kRoundToMultiple, RoundMode::kDown, 2},
    {"四舍五入到倍数", "round_half_up_to", Builtin::kRoundToMultiple, RoundMode::kHalfUp, 2},
    {"向下取整", "floor", Builtin::kToInteger, RoundMode::kDown, 1},
    {"向上取整", "ceil", Builtin::kToInteger, RoundMode::kUp, 1},
    {"四舍五入", "round", Builtin::kToInteger, RoundMode::kHalfUp, 1},
    {"较大值", "greater", Builtin::kGreater, RoundMode::kDown, 2},
    {"较小值", "lesser", Builtin::kLesser, RoundMode::kDown, 2},
    {"年龄", "age_at", Builtin::kAgeAt, RoundMode::kDown, 2},
    {"相差月数", "months_between", Builtin::kMonthsBetween, RoundMode::kDown, 2},
    {"相差天数", "days_between", Builtin::kDaysBetween, RoundMode::kDown, 2},
    {"之前期间内", "within_before", Builtin::kWithinBefore, RoundMode::kDown, 3},
    {"存在", "present", Builtin::kPresent, RoundMode::kDown, 1},
};

// "Did you mean" for an enum value. Two-character names are left to the list of values in the
// message: one changed character is half the word (轿车 is not 货车 but 小汽车).
std::string EnumSuggestion(const std::string& name, const google::protobuf::EnumDescriptor* e) {
  const std::vector<std::string> values = Schema::Get().EnumValueNames(e);
  if (std::string synonym = SynonymFor(name, values); !synonym.empty()) return synonym;  // 轿车 -> 小汽车
  if (CodePointCount(name) <= 2) return "";
  return ClosestMatch(name, values);
}

}  // namespace

std::string Checker::DefaultItemName(const ast::Expr& coll) const {
  if (coll.kind == ExprKind::kName || coll.kind == ExprKind::kField) return coll.text;
  if (coll.kind == ExprKind::kWhere) return DefaultItemName(*coll.args[0]);
  if (coll.kind == ExprKind::kIndex) return DefaultItemName(*coll.args[0]);
  return "项";
}

int Checker::PushBinding(const std::string& name, const TExpr& coll) {
  int slot = program_->slot_count++;
  Type elem = coll.type.kind == TypeKind::kList ? *coll.type.elem : Type();
  bindings_.push_back(Binding{name, slot, elem});
  return slot;
}

std::vector<std::string> Checker::VisibleNames() const {
  std::vector<std::string> out;
  for (const auto& b : bindings_) out.push_back(b.name);
  if (!bindings_.empty() && bindings_.back().type.kind == TypeKind::kMessage) {
    for (auto& f : schema_.FieldNames(bindings_.back().type.message)) out.push_back(f);
  }
  for (const auto& [n, i] : names_) out.push_back(n);
  // Declared too, though their declaration has a syntax error (家庭收入 -> 家庭月收入).
  for (const auto& n : unparsed_names_) out.push_back(n);
  for (auto& f : schema_.FieldNames(schema_.application())) out.push_back(f);
  for (const char* b : {"申请", "登记册", "评估日期", "符合条件", "application", "registry", "as_of", "eligible"}) {
    out.push_back(b);
  }
  return out;
}

std::unique_ptr<TExpr> Checker::CheckBool(const ast::Expr& e) {
  auto t = CheckExpr(e);
  if (!t->type.is_error() && t->type.kind != TypeKind::kBool) {
    sink_->Error("E0302", e.span,
                 absl::StrCat("这里需要一个条件（是/否），但", Quote(t->source), "是", t->type.Name()),
                 absl::StrCat("a condition (bool) is needed here, but '", t->source, "' is ", t->type.Name(true)));
    t->type = Type();
  }
  return t;
}

std::unique_ptr<TExpr> Checker::CheckName(const ast::Expr& e, const Type* hint) {
  const std::string& n = e.text;
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
    if (it->name == n) {
      auto t = Make(TKind::kSlot, it->type, e);
      t->slot = it->slot;
      return t;
    }
  }
  if (hint != nullptr) {
    const Type* h = hint->kind == TypeKind::kList ? hint->elem.get() : hint;
    if (h->kind == TypeKind::kEnum) {
      if (const auto* v = schema_.FindEnumValue(h->enum_type, n)) {
        auto t = Make(TKind::kConst, *h, e);
        t->constant.kind = TypeKind::kEnum;
        t->constant.enum_number = v->number();
        return t;
      }
    }
  }
  if (!bindings_.empty() && bindings_.back().type.kind == TypeKind::kMessage) {
    const Binding& b = bindings_.back();
    if (const auto* f = schema_.FindField(b.type.message, n)) {
      auto base = Make(TKind::kSlot, b.type, e);
      base->slot = b.slot;
      base->source = b.name;
      auto t = Make(TKind::kField, schema_.FieldType(f), e);
      t->field = f;
      t->source = absl::StrCat(b.name, ".", n);
      t->args.push_back(std::move(base));
      return t;
    }
  }
  if (IsName(n, "申请", "application")) return Make(TKind::kRoot, Type::Message(schema_.application()), e);
  if (IsName(n, "登记册", "registry")) return Make(TKind::kConst, Type::Of(TypeKind::kCatalog), e);
  if (IsName(n, "评估日期", "as_of")) return Make(TKind::kAsOf, Type::Of(TypeKind::kDate), e);
  if (IsName(n, "符合条件", "eligible")) {
    if (current_uses_eligible_) *current_uses_eligible_ = true;
    return Make(TKind::kEligible, Type::Of(TypeKind::kBool), e);
  }
  auto it = names_.find(n);
  if (it != names_.end()) {
    int index = it->second;
    if (decl_sources_[index].state == 1) {
      // Found while this very declaration (or one it needs) is being checked: a cycle.
      // List it from the declaration back to itself: A → B → A.
      std::vector<std::string> cycle;
      auto from = std::find(checking_.begin(), checking_.end(), index);
      for (auto k = from; k != checking_.end(); ++k) cycle.push_back(program_->decls[*k].name);
      cycle.push_back(n);
      sink_->Error("E0206", e.span, absl::StrCat("定义之间循环引用：", absl::StrJoin(cycle, " → ")),
                   absl::StrCat("definitions refer to each other in a cycle: ", absl::StrJoin(cycle, " -> ")));
      return ErrorExpr(e);
    }
    CheckDecl(index);
    if (current_deps_) current_deps_->insert(index);
    auto t = Make(TKind::kDecl, program_->decls[index].type, e);
    t->decl = index;
    return t;
  }
  if (const auto* f = schema_.FindField(schema_.application(), n)) {
    auto t = Make(TKind::kField, schema_.FieldType(f), e);
    t->field = f;
    t->args.push_back(Make(TKind::kRoot, Type::Message(schema_.application()), e));
    return t;
  }
  if (unparsed_names_.contains(n)) return ErrorExpr(e);  // its declaration has a syntax error
  if (hint != nullptr) {
    // Where an enum value is expected (车辆.类型 = 轿车), an unknown name is most likely a
    // value that does not exist: say so and list the values that do.
    const Type* h = hint->kind == TypeKind::kList ? hint->elem.get() : hint;
    if (h != nullptr && h->kind == TypeKind::kEnum) {
      std::vector<std::string> zh, en;
      for (int k = 0; k < h->enum_type->value_count(); ++k) {
        zh.push_back(EnumValueName(h->enum_type, h->enum_type->value(k)->number(), false));
        en.push_back(h->enum_type->value(k)->name());
      }
      sink_->Error("E0209", e.span,
                   absl::StrCat(Quote(h->Name()), "没有取值", Quote(n), "；可用的取值：", absl::StrJoin(zh, "、")),
                   absl::StrCat(h->Name(true), " has no value '", n, "'; its values are ", absl::StrJoin(en, ", ")),
                   EnumSuggestion(n, h->enum_type));
      return ErrorExpr(e);
    }
  }
  sink_->Error("E0201", e.span, absl::StrCat("未知的名称", Quote(n)), absl::StrCat("unknown name '", n, "'"),
               SuggestName(n, VisibleNames()));
  return ErrorExpr(e);
}

std::unique_ptr<TExpr> Checker::CheckField(const ast::Expr& e) {
  const ast::Expr& base_ast = *e.args[0];
  // Qualified enum value: 车辆类型.摩托车
  if (base_ast.kind == ExprKind::kName) {
    bool bound = std::any_of(bindings_.begin(), bindings_.end(), [&](const Binding& b) { return b.name == base_ast.text; });
    if (!bound && !names_.contains(base_ast.text)) {
      if (const auto* en = schema_.FindEnum(base_ast.text)) {
        const auto* v = schema_.FindEnumValue(en, e.text);
        if (v == nullptr) {
          std::vector<std::string> zh;
          for (int k = 0; k < en->value_count(); ++k) zh.push_back(EnumValueName(en, en->value(k)->number(), false));
          sink_->Error("E0209", e.var_span,
                       absl::StrCat(Quote(base_ast.text), "没有取值", Quote(e.text), "；可用的取值：",
                                    absl::StrJoin(zh, "、")),
                       absl::StrCat("'", base_ast.text, "' has no value '", e.text, "'"),
                       EnumSuggestion(e.text, en));
          return ErrorExpr(e);
        }
        auto t = Make(TKind::kConst, Type::Enum(en), e);
        t->constant.kind = TypeKind::kEnum;
        t->constant.enum_number = v->number();
        return t;
      }
    }
  }
  auto base = CheckExpr(base_ast);
  if (base->type.is_error()) return ErrorExpr(e);
  if (base->type.kind == TypeKind::kCatalog) {
    int index = schema_.RegistryIndex(e.text);
    if (index < 0) {
      std::vector<std::string> zh, en;
      for (int k = 0; schema_.RegistryField(k) != nullptr; ++k) {
        zh.push_back(schema_.FieldName(schema_.RegistryField(k)));
        en.push_back(schema_.FieldName(schema_.RegistryField(k), true));
      }
      sink_->Error("E0208", e.var_span,
                   absl::StrCat("未知的登记册", Quote(e.text), "；可用的登记册：", absl::StrJoin(zh, "、")),
                   absl::StrCat("unknown registry '", e.text, "'; registries are ", absl::StrJoin(en, ", ")),
                   SuggestName(e.text, schema_.RegistryNames()));
      return ErrorExpr(e);
    }
    Type t = Type::Of(TypeKind::kRegistry);
    t.registry = index;
    t.message = schema_.RegistryField(index)->message_type();
    auto r = Make(TKind::kRegistryRef, t, e);
    r->registry = index;
    return r;
  }
  const Type* msg_type = nullptr;
  bool over_list = false;
  if (base->type.kind == TypeKind::kMessage) {
    msg_type = &base->type;
  } else if (base->type.kind == TypeKind::kList && base->type.elem->kind == TypeKind::kMessage) {
    msg_type = base->type.elem.get();
    over_list = true;
  }
  if (msg_type == nullptr) {
    sink_->Error("E0312", e.var_span,
                 absl::StrCat(Quote(base_ast.kind == ExprKind::kName ? base_ast.text : base->source), "是",
                              base->type.Name(), "，没有字段", Quote(e.text)),
                 absl::StrCat("'", base->source, "' is ", base->type.Name(true), " and has no field '", e.text, "'"));
    return ErrorExpr(e);
  }
  const auto* f = schema_.FindField(msg_type->message, e.text);
  if (f == nullptr) {
    sink_->Error("E0202", e.var_span, absl::StrCat(msg_type->Name(), "没有字段", Quote(e.text)),
                 absl::StrCat(msg_type->Name(true), " has no field '", e.text, "'"),
                 SuggestName(e.text, schema_.FieldNames(msg_type->message)));
    return ErrorExpr(e);
  }
  Type ft = schema_.FieldType(f);
  if (over_list && ft.kind != TypeKind::kList) ft = Type::List(ft);
  auto t = Make(TKind::kField, ft, e);
  t->field = f;
  t->args.push_back(std::move(base));
  return t;
}

std::unique_ptr<TExpr> Checker::CheckBinary(const ast::Expr& e) {
  Op op = e.op;
  if (op == Op::kAnd || op == Op::kOr) {
    auto t = Make(op == Op::kAnd ? TKind::kAnd : TKind::kOr, Type::Of(TypeKind::kBool), e);
    t->args.push_back(CheckBool(*e.args[0]));
    t->args.push_back(CheckBool(*e.args[1]));
    return t;
  }
  if (op == Op::kIn || op == Op::kNotIn) {
    auto left = CheckExpr(*e.args[0]);
    Type hint = left->type.is_error() ? Type() : Type::List(left->type);
    auto right = CheckExpr(*e.args[1], left->type.is_error() ? nullptr : &hint);
    if (left->type.is_error() || right->type.is_error()) return ErrorExpr(e);
    if (right->type.kind == TypeKind::kRegistry) {
      if (left->type.kind != TypeKind::kText) {
        sink_->Error("E0307", e.args[0]->span,
                     absl::StrCat("登记册按身份证号查找，左边需要文本（身份证号），但这是", left->type.Name()),
                     absl::StrCat("registries are searched by ID number: the left side must be text, this is ",
                                  left->type.Name(true)));
        return ErrorExpr(e);
      }
      auto t = Make(TKind::kRegistryContains, Type::Of(TypeKind::kBool), e);
      t->registry = right->registry;
      t->args.push_back(std::move(left));
      if (op == Op::kNotIn) {
        auto n = Make(TKind::kUnary, Type::Of(TypeKind::kBool), e);
        n->op = Op::kNot;
        n->args.push_back(std::move(t));
        return n;
      }
      return t;
    }
    bool ok = right->type.kind == TypeKind::kEmptyList ||
              (right->type.kind == TypeKind::kList && ComparableTypes(Op::kEq, left->type, *right->type.elem));
    if (!ok) {
      sink_->Error("E0307", e.args[1]->span,
                   absl::StrCat("“属于”右边需要", Type::List(left->type).Name(), "或登记册，但这是", right->type.Name()),
                   absl::StrCat("the right side of 'in' must be ", Type::List(left->type).Name(true),
                                " or a registry, this is ", right->type.Name(true)));
      return ErrorExpr(e);
    }
    auto t = Make(TKind::kIn, Type::Of(TypeKind::kBool), e);
    t->op = op;
    t->args.push_back(std::move(left));
    t->args.push_back(std::move(right));
    return t;
  }
  bool compare = op == Op::kEq || op == Op::kNe || op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe;
  auto left = CheckExpr(*e.args[0]);
  auto right = CheckExpr(*e.args[1], compare && !left->type.is_error() ? &left->type : nullptr);
  if (left->type.is_error() || right->type.is_error()) return ErrorExpr(e);
  if (compare) {
    if (!ComparableTypes(op, left->type, right->type)) {
      std::string hint_zh, hint_en;
      if ((left->type.kind == TypeKind::kMoney && right->type.is_numeric()) ||
          (right->type.kind == TypeKind::kMoney && left->type.is_numeric())) {
        std::string lit = MoneyLiteralFor(left->type.is_numeric() ? *left : *right);
        hint_zh = lit.empty() ? "（金额只能和金额比较）" : absl::StrCat("（金额要写单位：写成 ", lit, "）");
        hint_en = lit.empty() ? " (money compares only with money)" : absl::StrCat(" (write the unit: ", lit, ")");
      }
      sink_->Error("E0306", e.span,
                   absl::StrCat(left->type.Name(), "不能和", right->type.Name(), "用“", ast::OpSpelling(op), "”比较",
                                hint_zh),
                   absl::StrCat("cannot compare ", left->type.Name(true), " with ", right->type.Name(true), " using '",
                                ast::OpSpelling(op), "'", hint_en));
      return ErrorExpr(e);
    }
    auto t = Make(TKind::kCompare, Type::Of(TypeKind::kBool), e);
    t->op = op;
    t->args.push_back(std::move(left));
    t->args.push_back(std::move(right));
    return t;
  }
  Type result = ArithmeticType(op, left->type, right->type);
  if (result.is_error()) {
    std::string hint_zh, hint_en;
    if ((op == Op::kAdd || op == Op::kSub) &&
        ((left->type.kind == TypeKind::kMoney && right->type.is_numeric()) ||
         (right->type.kind == TypeKind::kMoney && left->type.is_numeric()))) {
      std::string lit = MoneyLiteralFor(left->type.is_numeric() ? *left : *right);
      hint_zh = lit.empty() ? "（金额只能和金额相加减）"
                            : absl::StrCat("（金额只能和金额相加减；数字要写单位：写成 ", lit, "）");
      hint_en = lit.empty() ? " (money adds only to money)"
                            : absl::StrCat(" (money adds only to money; write the unit: ", lit, ")");
    }
    sink_->Error("E0301", e.span,
                 absl::StrCat(left->type.Name(), "和", right->type.Name(), "不能做“", ast::OpSpelling(op), "”运算", hint_zh),
                 absl::StrCat("operator '", ast::OpSpelling(op), "' is not defined for ", left->type.Name(true), " and ",
                              right->type.Name(true), hint_en));
    return ErrorExpr(e);
  }
  if (e.chain_operands > 0 && result.kind == TypeKind::kDate) {
    // The parser regrouped this long chain (ast.h); with a date in it the grouping changes
    // the result (2024-01-31 + 1个月 + 1个月 is 03-29, + (1个月 + 1个月) is 03-31).
    sink_->Error("E0004", e.span,
                 absl::StrCat("日期加期间的连加有 ", e.chain_operands,
                              " 项：超过 8 项的加法会被重新分组以限制嵌套深度，而日期的结果与分组有关，请拆分为多个“计算”"),
                 absl::StrCat("a chain of ", e.chain_operands,
                              " additions with a date: chains of more than 8 are regrouped to bound nesting, and "
                              "date results depend on the grouping; split it into named values"));
    return ErrorExpr(e);
  }
  auto t = Make(TKind::kArith, result, e);
  t->op = op;
  t->args.push_back(std::move(left));
  t->args.push_back(std::move(right));
  if (op == Op::kDiv) {
    Value divisor;
    if (FoldConstant(*t->args[1], &divisor) &&
        ((divisor.kind == TypeKind::kInt && divisor.i == 0) || (divisor.kind != TypeKind::kInt && divisor.r.num == 0))) {
      sink_->Error("E0315", e.args[1]->span, "除数为零", "division by zero");
      return ErrorExpr(e);
    }
  }
  Value folded;
  if (FoldConstant(*t, &folded)) {
    auto c = Make(TKind::kConst, result, e);
    c->constant = folded;
    return c;
  }
  return t;
}

std::unique_ptr<TExpr> Checker::CheckCollection(const ast::Expr& e, TKind kind) {
  auto coll = CheckExpr(*e.args[0]);
  if (coll->type.is_error()) return ErrorExpr(e);
  if (coll->type.kind != TypeKind::kList) {
    if (coll->type.kind == TypeKind::kEmptyList) {
      sink_->Error("E0305", e.args[0]->span, "不能对空列表做汇总", "cannot aggregate over an empty list");
    } else {
      const char* what = e.kind == ExprKind::kWhere ? "其中" : ast::OpSpelling(e.op);
      sink_->Error("E0305", e.args[0]->span,
                   absl::StrCat("“", what, "”需要一个列表（如 成员、成员.收入），但", Quote(coll->source), "是",
                                coll->type.Name()),
                   absl::StrCat("'", what, "' needs a list (e.g. members, members.incomes), but '", coll->source,
                                "' is ", coll->type.Name(true)));
    }
    return ErrorExpr(e);
  }
  std::string name = e.var.empty() ? DefaultItemName(*e.args[0]) : e.var;
  int slot = PushBinding(name, *coll);
  Type elem = *coll->type.elem;
  auto set_var = [&](TExpr* x) { x->var = name; };
  std::unique_ptr<TExpr> t;
  if (kind == TKind::kFilter || kind == TKind::kQuant) {
    auto cond = CheckBool(*e.args[1]);
    t = Make(kind, kind == TKind::kFilter ? coll->type : Type::Of(TypeKind::kBool), e);
    t->op = e.op;
    t->slot = slot;
    t->args.push_back(std::move(coll));
    t->args.push_back(std::move(cond));
    set_var(t.get());
  } else {
    std::unique_ptr<TExpr> mapping;
    Type value_type = elem;
    if (e.args.size() > 1) {
      mapping = CheckExpr(*e.args[1]);
      value_type = mapping->type;
    }
    Type result;
    if (e.op == Op::kCount) {
      result = Type::Of(TypeKind::kInt);
    } else if (e.op == Op::kDistinct) {
      // 去重(收入: 来源): the items themselves, keyed by any value that can be compared.
      const TypeKind k = value_type.kind;
      if (!value_type.is_error() && (k == TypeKind::kList || k == TypeKind::kEmptyList || k == TypeKind::kMessage)) {
        sink_->Error("E0305", (e.args.size() > 1 ? e.args[1] : e.args[0])->span,
                     absl::StrCat("“去重”按一个可以比较的值（文本、枚举、数值、金额、日期）去重，但这是", value_type.Name(),
                                  e.args.size() > 1 ? "" : "；请用“:”写出去重所按的字段，如 去重(记录: 户编号)"),
                     absl::StrCat("'distinct' needs a comparable key (text, enum, number, amount, date), this is ",
                                  value_type.Name(true), e.args.size() > 1 ? "" : "; name the key after ':'"));
      } else {
        result = coll->type;
      }
    } else if (!value_type.is_error()) {
      bool ok = e.op == Op::kSum ? (value_type.is_numeric() || value_type.kind == TypeKind::kMoney)
                                 : IsOrdered(value_type);
      if (!ok) {
        sink_->Error("E0305", (e.args.size() > 1 ? e.args[1] : e.args[0])->span,
                     absl::StrCat("“", ast::OpSpelling(e.op), "”需要数值、金额", e.op == Op::kSum ? "" : "或日期",
                                  "，但这是", value_type.Name(), e.args.size() > 1 ? "" : "；请用“:”写出要汇总的字段"),
                     absl::StrCat("'", ast::OpSpelling(e.op), "' needs numbers or amounts, this is ",
                                  value_type.Name(true), e.args.size() > 1 ? "" : "; name the field after ':'"));
      } else {
        result = value_type;
      }
    }
    t = Make(TKind::kAggregate, result, e);
    t->op = e.op;
    t->slot = slot;
    t->args.push_back(std::move(coll));
    if (mapping) t->args.push_back(std::move(mapping));
    set_var(t.get());
  }
  bindings_.pop_back();
  return t;
}

std::unique_ptr<TExpr> Checker::CheckCall(const ast::Expr& e) {
  const BuiltinSpec* spec = nullptr;
  for (const auto& b : kBuiltins) {
    if (IsName(e.text, b.zh, b.en)) spec = &b;
  }
  if (spec == nullptr) {
    std::vector<std::string> names;
    for (const auto& b : kBuiltins) {
      names.push_back(b.zh);
      names.push_back(b.en);
    }
    sink_->Error("E0210", e.var_span, absl::StrCat("未知的函数", Quote(e.text)),
                 absl::StrCat("unknown function '", e.text, "'"), ClosestMatch(e.text, names));
    return ErrorExpr(e);
  }
  if (static_cast<int>(e.args.size()) != spec->args) {
    sink_->Error("E0210", e.span, absl::StrCat(Quote(e.text), "需要 ", spec->args, " 个参数，这里给了 ", e.args.size(), " 个"),
                 absl::StrCat("'", e.text, "' takes ", spec->args, " argument(s), ", e.args.size(), " given"));
    return ErrorExpr(e);
  }
  std::vector<std::unique_ptr<TExpr>> args;
  bool error = false;
  for (const auto& a : e.args) {
    args.push_back(CheckExpr(*a));
    error = error || args.back()->type.is_error();
  }
  if (error) return ErrorExpr(e);
  auto bad = [&](int i, const char* zh_need, const char* en_need) {
    sink_->Error("E0210", e.args[i]->span,
                 absl::StrCat(Quote(e.text), "的第 ", i + 1, " 个参数需要", zh_need, "，但这是", args[i]->type.Name()),
                 absl::StrCat("argument ", i + 1, " of '", e.text, "' must be ", en_need, ", this is ",
                              args[i]->type.Name(true)));
    return ErrorExpr(e);
  };
  const Type& a0 = args[0]->type;
  Type result;
  switch (spec->builtin) {
    case Builtin::kRoundToFen:
    case Builtin::kRoundToYuan:
      if (a0.kind != TypeKind::kMoney) return bad(0, "金额", "money");
      result = a0;
      break;
    case Builtin::kRoundToMultiple:
      if (!a0.is_rational() && a0.kind != TypeKind::kInt) return bad(0, "金额或数值", "money or a number");
      if (!(SameType(args[1]->type, a0) || (a0.is_numeric() && args[1]->type.is_numeric())))
        return bad(1, "与第 1 个参数相同的类型", "the same type as argument 1");
      result = a0.kind == TypeKind::kInt ? Type::Of(TypeKind::kDecimal) : a0;
      if (a0.kind == TypeKind::kInt && args[1]->type.kind == TypeKind::kInt) result = a0;
      break;
    case Builtin::kToInteger:
      if (!a0.is_numeric()) return bad(0, "小数", "a decimal");
      result = Type::Of(TypeKind::kInt);
      break;
    case Builtin::kGreater:
    case Builtin::kLesser:
      if (!IsOrdered(a0)) return bad(0, "数值、金额或日期", "a number, amount or date");
      result = UnifyTypes(a0, args[1]->type);
      if (result.is_error()) return bad(1, "与第 1 个参数相同的类型", "the same type as argument 1");
      break;
    case Builtin::kAgeAt:
    case Builtin::kMonthsBetween:
    case Builtin::kDaysBetween:
      if (a0.kind != TypeKind::kDate) return bad(0, "日期", "a date");
      if (args[1]->type.kind != TypeKind::kDate) return bad(1, "日期", "a date");
      result = Type::Of(TypeKind::kInt);
      break;
    case Builtin::kWithinBefore:
      if (a0.kind != TypeKind::kDate) return bad(0, "日期", "a date");
      if (args[1]->type.kind != TypeKind::kDate) return bad(1, "日期", "a date");
      if (args[2]->type.kind != TypeKind::kDuration) return bad(2, "期间（如 12个月）", "a duration (e.g. 12 months)");
      result = Type::Of(TypeKind::kBool);
      break;
    case Builtin::kPresent:
      if (args[0]->kind != TKind::kField) return bad(0, "一个字段", "a field");
      if (args[0]->args[0]->type.kind == TypeKind::kList) {
        // 存在(成员.出生日期) asks about every member at once; the evaluator can only test one
        // field of one message (it used to read the list as a message).
        sink_->Error("E0210", e.args[0]->span,
                     absl::StrCat(Quote(e.text), "只能判断一个字段，", Quote(args[0]->source),
                                  "是列表中每一项的字段；请写 所有 … 满足 存在(…) 或 任一 … 满足 存在(…)"),
                     absl::StrCat("'", e.text, "' tests one field, but '", args[0]->source,
                                  "' is a field of every item of a list; write all … satisfies present(…) "
                                  "or any … satisfies present(…)"));
        return ErrorExpr(e);
      }
      result = Type::Of(TypeKind::kBool);
      break;
  }
  auto t = Make(TKind::kCall, result, e);
  t->builtin = spec->builtin;
  t->round_mode = spec->mode;
  t->args = std::move(args);
  return t;
}

std::unique_ptr<TExpr> Checker::CheckExpr(const ast::Expr& e, const Type* hint) {
  if (check_depth_ >= evaluation_limit_) {
    // A guard for this stage's own stack; CheckEvaluationDepth gives the precise message
    // when checking completes without hitting it.
    if (!check_depth_reported_) {
      check_depth_reported_ = true;
      sink_->Error("E0004", e.span,
                   absl::StrCat("求值嵌套超过 ", evaluation_limit_, " 层（经由层层引用的计算），请缩短引用链"),
                   absl::StrCat("evaluation nests deeper than ", evaluation_limit_,
                                " levels (through named values that use each other); shorten the chain"));
    }
    return ErrorExpr(e);
  }
  ++check_depth_;
  std::unique_ptr<TExpr> t = CheckExprImpl(e, hint);
  --check_depth_;
  return t;
}

std::unique_ptr<TExpr> Checker::CheckExprImpl(const ast::Expr& e, const Type* hint) {
  switch (e.kind) {
    case ExprKind::kLiteral: {
      Type t;
      Value v;
      const ast::Literal& lit = e.literal;
      switch (lit.kind) {
        case ast::LiteralKind::kInt: t = Type::Of(TypeKind::kInt); v = Value::Int(lit.int_value); break;
        case ast::LiteralKind::kDecimal: t = Type::Of(TypeKind::kDecimal); v = Value::Decimal(lit.rational); break;
        case ast::LiteralKind::kMoney: t = Type::Of(TypeKind::kMoney); v = Value::Money(lit.rational); break;
        case ast::LiteralKind::kDate: t = Type::Of(TypeKind::kDate); v = Value::Date(lit.date); break;
        case ast::LiteralKind::kDuration:
          t = Type::Of(TypeKind::kDuration);
          v.kind = TypeKind::kDuration;
          v.duration = lit.duration;
          break;
        case ast::LiteralKind::kText:
          t = Type::Of(TypeKind::kText);
          v.kind = TypeKind::kText;
          v.text = program_->pool->texts.emplace_back(lit.text);
          break;
        case ast::LiteralKind::kBool: t = Type::Of(TypeKind::kBool); v = Value::Bool(lit.bool_value); break;
      }
      auto c = Make(TKind::kConst, t, e);
      c->constant = v;
      return c;
    }
    case ExprKind::kName:
      return CheckName(e, hint);
    case ExprKind::kField:
      return CheckField(e);
    case ExprKind::kIndex: {
      auto base = CheckExpr(*e.args[0]);
      if (base->type.is_error()) return ErrorExpr(e);
      if (base->type.kind != TypeKind::kRegistry) {
        sink_->Error("E0313", e.span, "方括号 [..] 只能用于登记册查找，例如 登记册.车辆登记[成员.身份证号]",
                     "[..] is only for registry look-ups, e.g. registry.vehicle_registrations[id_number]");
        return ErrorExpr(e);
      }
      auto key = CheckExpr(*e.args[1]);
      if (key->type.is_error()) return ErrorExpr(e);
      // One ID number, or a list of them (家庭成员.身份证号): the records of every person in turn.
      const bool id_list = key->type.kind == TypeKind::kList && key->type.elem != nullptr &&
                           key->type.elem->kind == TypeKind::kText;
      if (key->type.kind != TypeKind::kText && !id_list) {
        sink_->Error("E0313", e.args[1]->span,
                     absl::StrCat("登记册按身份证号（文本或文本列表）查找，但这是", key->type.Name()),
                     absl::StrCat("registries are searched by ID number (text or a list of text), this is ",
                                  key->type.Name(true)));
        return ErrorExpr(e);
      }
      auto t = Make(TKind::kRegistryFetch, Type::List(Type::Message(base->type.message)), e);
      t->registry = base->registry;
      t->args.push_back(std::move(key));
      return t;
    }
    case ExprKind::kUnary: {
      if (e.op == Op::kNot) {
        auto t = Make(TKind::kUnary, Type::Of(TypeKind::kBool), e);
        t->op = Op::kNot;
        t->args.push_back(CheckBool(*e.args[0]));
        return t;
      }
      auto a = CheckExpr(*e.args[0]);
      if (a->type.is_error()) return ErrorExpr(e);
      if (!a->type.is_numeric() && a->type.kind != TypeKind::kMoney) {
        sink_->Error("E0301", e.span, absl::StrCat(a->type.Name(), "不能取负"),
                     absl::StrCat("cannot negate ", a->type.Name(true)));
        return ErrorExpr(e);
      }
      auto t = Make(TKind::kUnary, a->type, e);
      t->op = Op::kNeg;
      t->args.push_back(std::move(a));
      Value folded;
      if (FoldConstant(*t, &folded)) {
        auto c = Make(TKind::kConst, t->type, e);
        c->constant = folded;
        return c;
      }
      return t;
    }
    case ExprKind::kBinary:
      return CheckBinary(e);
    case ExprKind::kQuantifier:
      return CheckCollection(e, TKind::kQuant);
    case ExprKind::kWhere:
      return CheckCollection(e, TKind::kFilter);
    case ExprKind::kAggregate:
      return CheckCollection(e, TKind::kAggregate);
    case ExprKind::kIf: {
      auto cond = CheckBool(*e.args[0]);
      auto a = CheckExpr(*e.args[1], hint);
      auto b = CheckExpr(*e.args[2], a->type.is_error() ? hint : &a->type);
      if (a->type.is_error() || b->type.is_error() || cond->type.is_error()) return ErrorExpr(e);
      Type u = UnifyTypes(a->type, b->type);
      if (u.is_error()) {
        sink_->Error("E0314", e.span,
                     absl::StrCat("“如果”的两个分支类型不同：", a->type.Name(), " 和 ", b->type.Name()),
                     absl::StrCat("the branches of 'if' have different types: ", a->type.Name(true), " and ",
                                  b->type.Name(true)));
        return ErrorExpr(e);
      }
      auto t = Make(TKind::kIf, u, e);
      t->args.push_back(std::move(cond));
      t->args.push_back(std::move(a));
      t->args.push_back(std::move(b));
      return t;
    }
    case ExprKind::kList: {
      const Type* elem_hint = hint != nullptr && hint->kind == TypeKind::kList ? hint->elem.get() : nullptr;
      auto t = Make(TKind::kList, Type::Of(TypeKind::kEmptyList), e);
      Type elem;
      bool have = false, error = false;
      for (const auto& a : e.args) {
        auto x = CheckExpr(*a, elem_hint != nullptr ? elem_hint : (have ? &elem : nullptr));
        if (x->type.is_error()) {
          error = true;
        } else if (!have) {
          elem = x->type;
          have = true;
        } else {
          Type u = UnifyTypes(elem, x->type);
          if (u.is_error()) {
            sink_->Error("E0304", a->span,
                         absl::StrCat("列表中的元素类型不同：", elem.Name(), " 和 ", x->type.Name()),
                         absl::StrCat("list elements have different types: ", elem.Name(true), " and ",
                                      x->type.Name(true)));
            error = true;
          } else {
            elem = u;
          }
        }
        t->args.push_back(std::move(x));
      }
      if (error) return ErrorExpr(e);
      if (have) t->type = Type::List(elem);
      // Promote integer items of a decimal list so every item has the list's kind.
      if (have && elem.kind == TypeKind::kDecimal) {
        for (auto& x : t->args) {
          if (x->kind == TKind::kConst && x->constant.kind == TypeKind::kInt) {
            x->constant = Value::Decimal(Rational::Int(x->constant.i));
            x->type = elem;
          }
        }
      }
      return t;
    }
    case ExprKind::kCall:
      return CheckCall(e);
  }
  return ErrorExpr(e);
}

}  // namespace heyan::internal
