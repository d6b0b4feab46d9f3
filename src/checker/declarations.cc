// Declarations: names and rule ids, citations, the order of checking, parameters, values and
// outputs, rules, parameter overrides; constant folding and the evidence of a value or rule.
#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "checker/checker_impl.h"
#include "checker/types.h"
#include "common/text.h"

namespace heyan::internal {

using ast::ExprKind;
using ast::Op;

namespace {

// Well-known output keys after 记为, Chinese and English.
struct OutputKey {
  const char* zh;
  const char* en;
  TypeKind kind;  // kList means list<成员>
};
constexpr OutputKey kOutputKeys[] = {
    {"家庭收入", "counted_income", TypeKind::kMoney},
    {"人均收入", "per_capita_income", TypeKind::kMoney},
    {"保障金额", "benefit", TypeKind::kMoney},
    {"保障档次", "tier", TypeKind::kText},
    {"保障成员", "covered_members", TypeKind::kList},
    {"保障标准", "standard", TypeKind::kMoney},
};

}  // namespace

void Checker::DeclareName(const std::string& name, const Span& span, bool override_, DeclSource src,
                          ast::DeclKind kind, const ast::Citation* basis) {
  auto it = names_.find(name);
  if (it != names_.end()) {
    CheckedDecl& old = program_->decls[it->second];
    if (!override_) {
      if (old.file == FileOf(span)) {
        // Both in this file: 覆盖 is for imported names, so do not suggest it.
        sink_->Error("E0203", span,
                     absl::StrCat("名称", Quote(name), "在本文件第 ", old.line,
                                  " 行已经定义过；一个名称只能定义一次，请删去其中一个或改名"),
                     absl::StrCat("'", name, "' is already defined on line ", old.line,
                                  " of this file; a name may be defined only once"));
      } else {
        sink_->Error("E0203", span,
                     absl::StrCat("名称", Quote(name), "已在 ", old.file, ":", old.line,
                                  " 定义；若要在本地改写，请在前面加“覆盖”并写明依据"),
                     absl::StrCat("'", name, "' is already defined at ", old.file, ":", old.line,
                                  "; to redefine an imported name write 'override' with a basis"));
      }
      return;
    }
    if (old.kind != kind) {
      static const char* kKindZh[] = {"参数", "计算", "输出", "决策表"};
      static const char* kKindEn[] = {"parameter", "let", "output", "table"};
      const int was = static_cast<int>(old.kind), now = static_cast<int>(kind);
      sink_->Error("E0203", span,
                   absl::StrCat(Quote(name), "在 ", old.file, ":", old.line, " 定义为“", kKindZh[was],
                                "”，不能用“覆盖 ", kKindZh[now], "”改写；请写“覆盖 ", kKindZh[was], "”"),
                   absl::StrCat("'", name, "' is a ", kKindEn[was], " (", old.file, ":", old.line,
                                "); override it with 'override ", kKindEn[was], "', not 'override ",
                                kKindEn[now], "'"));
      return;
    }
    old.live = false;
  } else if (override_ && !unparsed_names_.contains(name)) {
    sink_->Error("E0204", span, absl::StrCat("没有可覆盖的", Quote(name), "：导入的规则集中没有这个名称"),
                 absl::StrCat("nothing to override: no imported definition named '", name, "'"),
                 ClosestMatch(name, [&] {
                   std::vector<std::string> v;
                   for (auto& [n, i] : names_) v.push_back(n);
                   return v;
                 }()));
  }
  if (override_ && basis != nullptr && !basis->present) {
    sink_->Error("E0205", span, absl::StrCat("覆盖", Quote(name), "必须写明依据（依据 \"文件名和条款\"）"),
                 absl::StrCat("override of '", name, "' needs a basis (basis \"document and clause\")"));
  }
  CheckedDecl d;
  d.kind = kind;
  d.name = name;
  d.span = span;
  d.file = FileOf(span);
  d.line = LineOf(span);
  program_->decls.push_back(std::move(d));
  decl_sources_.push_back(src);
  names_[name] = static_cast<int>(program_->decls.size()) - 1;
}

namespace {

// Why `text` is not a citation a refusal letter can quote, or "" when it is one. A citation
// names a legal document (its title or number: 办法, 通知, 民发〔2021〕57号, 《…》) or a public page
// (http…); notes about the rule author's own files (policy-facts §3, /work/…, *.md) are not.
std::pair<std::string, std::string> CitationProblem(const std::string& text) {
  for (const char* internal : {"policy-facts", ".md", "/work/", "§", "事实 "}) {
    if (absl::StrContains(text, internal)) {
      return {absl::StrCat("依据引用了内部资料（", internal, "），告知书无法引用；请写文件名称、文号和条款，或公开网页地址"),
              absl::StrCat("the basis cites an internal note (", internal,
                           "), which a letter cannot quote; cite the document (title, number, clause) or a public page")};
    }
  }
  static constexpr const char* kDocumentMarks[] = {"http://", "https://", "〔", "《", "办法", "通知", "条例", "规定",
                                                    "方案", "指南", "答问", "意见", "决定", "令", "公告", "细则",
                                                    "解读", "流程", "文件", "法",
                                                    // English rule files
                                                    "Measures", "Notice", "Regulation", "Rules", "Decree", "Law", "Q&A",
                                                    "No.", "Article", "Art."};
  for (const char* mark : kDocumentMarks) {
    if (absl::StrContains(text, mark)) return {};
  }
  return {"依据没有写出文件或公开网页（应写文件名称、文号和条款，如“民发〔2021〕57号 第二十三条”，或网页地址）",
          "the basis names no document or public page (write the document's title, number and clause, e.g. "
          "\"民发〔2021〕57号 第二十三条\", or a web address)"};
}

}  // namespace

// W0214: every rule and every parameter value cites a document (refusal letters quote it);
// a citation that is there must be a document or a public page. Only warnings: a rule set
// under construction still compiles (heyan check --strict may treat them as errors).
void Checker::CheckCitations(const ast::RuleFile& f) {
  auto check = [&](const ast::Citation& c, const Span& where, const std::string& what_zh, const std::string& what_en) {
    if (!c.present || c.text.empty()) {
      sink_->Warning("W0214", where, absl::StrCat(what_zh, "没有写依据：告知书将无法说明依据哪个文件"),
                     absl::StrCat(what_en, " has no basis: letters cannot say which document it rests on"));
      return;
    }
    auto [zh, en] = CitationProblem(c.text);
    if (!zh.empty()) sink_->Warning("W0214", c.span, zh, en);
  };
  for (const auto& r : f.rules) {
    check(r.basis, r.id_span, absl::StrCat("规则", Quote(r.id)), absl::StrCat("rule '", r.id, "'"));
    for (const auto& ex : r.exceptions) {
      if (ex.basis.present) check(ex.basis, ex.span, "例外", "exception");
    }
  }
  for (const auto& p : f.params) {
    for (const auto& v : p.values) {
      // An assumption (假设) says in its 理由 why no document is cited; only a citation it
      // does give must be a document.
      if (p.assumption && p.because.present && !v.basis.present) continue;
      check(v.basis, v.dated ? v.from_span : p.name_span, absl::StrCat("参数", Quote(p.name), v.dated ? "的这个取值" : ""),
            absl::StrCat("parameter '", p.name, "'", v.dated ? " (this dated value)" : ""));
    }
  }
  for (const auto& v : f.values) {
    if (v.basis.present) check(v.basis, v.name_span, "", "");
  }
  for (const auto& t : f.tables) {
    if (t.basis.present) check(t.basis, t.name_span, "", "");
    for (const auto& row : t.rows) {
      if (row.basis.present) check(row.basis, row.span, "", "");
    }
  }
}

void Checker::Declare(const ast::RuleFile& f) {
  CheckCitations(f);
  // Declarations in source order across kinds, so outputs keep their written order.
  struct Item {
    int begin;
    std::function<void()> declare;
  };
  std::vector<Item> items;
  for (const auto& p : f.params) {
    items.push_back({p.span.begin, [&] {
                       ast::Citation basis;
                       basis.present = !p.values.empty() &&
                                       std::all_of(p.values.begin(), p.values.end(),
                                                   [](const ast::DatedValue& v) { return v.basis.present; });
                       DeclSource s;
                       s.param = &p;
                       DeclareName(p.name, p.name_span, p.override_, s, ast::DeclKind::kParameter, &basis);
                     }});
  }
  for (const auto& v : f.values) {
    items.push_back({v.span.begin, [&] {
                       DeclSource s;
                       s.value = &v;
                       DeclareName(v.name, v.name_span, v.override_, s,
                                   v.output ? ast::DeclKind::kOutput : ast::DeclKind::kValue, &v.basis);
                     }});
  }
  for (const auto& t : f.tables) {
    items.push_back({t.span.begin, [&] {
                       DeclSource s;
                       s.table = &t;
                       DeclareName(t.name, t.name_span, t.override_, s, ast::DeclKind::kTable, &t.basis);
                     }});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.begin < b.begin; });
  for (auto& item : items) item.declare();

  for (const auto& r : f.rules) {
    auto it = rule_ids_.find(r.id);
    if (it != rule_ids_.end()) {
      CheckedRule& old = program_->rules[it->second];
      if (!r.override_) {
        if (old.file == FileOf(r.id_span)) {
          sink_->Error("E0211", r.id_span,
                       absl::StrCat("规则编号", Quote(r.id), "在本文件第 ", old.line,
                                    " 行已经用过；每条规则的编号必须不同"),
                       absl::StrCat("rule id '", r.id, "' is already used on line ", old.line,
                                    " of this file; every rule needs its own id"));
        } else {
          sink_->Error("E0211", r.id_span,
                       absl::StrCat("规则编号", Quote(r.id), "已在 ", old.file, ":", old.line,
                                    " 使用；要替换导入的规则请写“覆盖 规则”"),
                       absl::StrCat("rule id '", r.id, "' is already used at ", old.file, ":", old.line,
                                    "; write 'override rule' to replace an imported rule"));
        }
        continue;
      }
      old.live = false;
    } else if (r.override_ && !unparsed_rule_ids_.contains(r.id)) {
      std::vector<std::string> ids;
      for (auto& [n, i] : rule_ids_) ids.push_back(n);
      sink_->Error("E0204", r.id_span, absl::StrCat("没有可覆盖的规则", Quote(r.id)),
                   absl::StrCat("nothing to override: no imported rule '", r.id, "'"), ClosestMatch(r.id, ids));
    }
    if (r.override_ && !r.basis.present) {
      sink_->Error("E0205", r.id_span, absl::StrCat("覆盖规则", Quote(r.id), "必须写明依据（依据 \"文件名和条款\"）"),
                   absl::StrCat("override of rule '", r.id, "' needs a basis"));
    }
    CheckedRule cr;
    cr.id = r.id;
    cr.title = r.title;
    cr.basis = r.basis.text;
    cr.outcome = r.outcome;
    cr.file = FileOf(r.span);
    cr.line = LineOf(r.span);
    program_->rules.push_back(std::move(cr));
    rule_sources_.push_back(&r);
    rule_ids_[r.id] = static_cast<int>(program_->rules.size()) - 1;
  }
  for (const auto& d : f.disables) {
    auto it = rule_ids_.find(d.rule_id);
    if (it == rule_ids_.end() && unparsed_rule_ids_.contains(d.rule_id)) continue;
    if (it == rule_ids_.end()) {
      std::vector<std::string> ids;
      for (auto& [n, i] : rule_ids_) ids.push_back(n);
      sink_->Error("E0213", d.span, absl::StrCat("要停用的规则", Quote(d.rule_id), "不存在"),
                   absl::StrCat("cannot disable unknown rule '", d.rule_id, "'"), ClosestMatch(d.rule_id, ids));
      continue;
    }
    if (!d.basis.present) {
      sink_->Error("E0205", d.span, absl::StrCat("停用规则", Quote(d.rule_id), "必须写明依据（依据 \"文件名和条款\"）"),
                   absl::StrCat("disabling rule '", d.rule_id, "' needs a basis"));
    }
    program_->rules[it->second].live = false;
  }
}

Type Checker::ResolveTypeRef(const ast::TypeRef& t) {
  if (t.name == "列表" || t.name == "list") {
    if (!t.arg) {
      sink_->Error("E0207", t.span, "列表类型要写明元素类型，例如 列表<车辆类型>",
                   "a list type needs its element type, e.g. list<VehicleKind>");
      return Type();
    }
    Type e = ResolveTypeRef(*t.arg);
    return e.is_error() ? e : Type::List(e);
  }
  Type out;
  if (!schema_.FindType(t.name, &out)) {
    sink_->Error("E0207", t.span,
                 absl::StrCat("未知的类型", Quote(t.name),
                              "；可用的类型：布尔、整数、小数、金额、日期、期间、文本、列表<…>，"
                              "以及数据模型中的类型（如 车辆类型、收入来源、成员）"),
                 absl::StrCat("unknown type '", t.name,
                              "'; types are bool, int, decimal, money, date, duration, text, list<...> "
                              "and the data-model types (e.g. VehicleKind, IncomeSource, Member)"),
                 SuggestName(t.name, schema_.TypeNames()));
    return Type();
  }
  return out;
}

bool Checker::FoldConstant(const TExpr& e, Value* out) {
  switch (e.kind) {
    case TKind::kConst:
      *out = e.constant;
      return !e.type.is_error();
    case TKind::kList: {
      auto& list = program_->pool->lists.emplace_back();
      for (const auto& a : e.args) {
        Value v;
        if (!FoldConstant(*a, &v)) return false;
        list.items.push_back(v);
      }
      *out = Value();
      out->kind = TypeKind::kList;
      out->list = &list;
      return true;
    }
    case TKind::kUnary: {
      Value v;
      if (e.op != Op::kNeg || !FoldConstant(*e.args[0], &v)) return false;
      *out = v;
      if (v.kind == TypeKind::kInt) {
        // -INT64_MIN does not fit: leave it unfolded, so evaluation reports the overflow.
        if (v.i == INT64_MIN) return false;
        out->i = -v.i;
        return true;
      }
      return Negate(v.r, &out->r);
    }
    case TKind::kArith: {
      Value a, b;
      if (!FoldConstant(*e.args[0], &a) || !FoldConstant(*e.args[1], &b)) return false;
      if (!e.type.is_rational() && e.type.kind != TypeKind::kInt) return false;
      Rational x = a.kind == TypeKind::kInt ? Rational::Int(a.i) : a.r;
      Rational y = b.kind == TypeKind::kInt ? Rational::Int(b.i) : b.r;
      Rational r;
      bool ok = e.op == Op::kAdd ? Add(x, y, &r) : e.op == Op::kSub ? Sub(x, y, &r)
              : e.op == Op::kMul ? Mul(x, y, &r) : Div(x, y, &r);
      if (!ok) return false;
      *out = Value();
      out->kind = e.type.kind;
      if (e.type.kind == TypeKind::kInt) {
        out->i = r.num;
      } else {
        out->r = r;
      }
      return true;
    }
    default:
      return false;
  }
}

std::vector<int> Checker::CheckOrder() const {
  const int n = static_cast<int>(decl_sources_.size());
  std::vector<int> declared(n);
  for (int i = 0; i < n; ++i) declared[i] = i;
  // Names each declaration mentions that are declared names. An over-approximation (a
  // name may turn out to be a field of a bound item), which only adds ordering edges.
  std::vector<std::vector<int>> uses(n);
  std::vector<const ast::Expr*> walk;
  auto scan = [&](const ast::Expr* e, int from) {
    if (e == nullptr) return;
    walk.assign(1, e);
    while (!walk.empty()) {
      const ast::Expr* x = walk.back();
      walk.pop_back();
      if (x->kind == ExprKind::kName) {
        auto it = names_.find(x->text);
        if (it != names_.end() && it->second != from) uses[from].push_back(it->second);
      }
      for (const auto& a : x->args) walk.push_back(a.get());
    }
  };
  for (int i = 0; i < n; ++i) {
    const DeclSource& src = decl_sources_[i];
    if (src.param) {
      for (const auto& v : src.param->values) scan(v.value.get(), i);
    }
    if (src.value) scan(src.value->expr.get(), i);
    if (src.table) {
      for (const auto& in : src.table->inputs) scan(in.get(), i);
      for (const auto& row : src.table->rows) {
        for (const auto& cell : row.cells) {
          scan(cell.a.get(), i);
          scan(cell.b.get(), i);
        }
        scan(row.result.get(), i);
      }
      scan(src.table->otherwise.get(), i);
    }
  }
  // Post-order by an explicit-stack DFS. On a cycle keep declaration order: checking then
  // finds and reports the cycle (E0206) exactly as written.
  std::vector<int> order;
  std::vector<char> state(n, 0);  // 0 new, 1 on the stack, 2 done
  for (int start = 0; start < n; ++start) {
    if (state[start] != 0) continue;
    std::vector<std::pair<int, size_t>> stack = {{start, 0}};
    state[start] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < uses[node].size()) {
        int to = uses[node][next++];
        if (state[to] == 1) return declared;
        if (state[to] == 0) {
          state[to] = 1;
          stack.push_back({to, 0});
        }
      } else {
        state[node] = 2;
        order.push_back(node);
        stack.pop_back();
      }
    }
  }
  return order;
}

void Checker::CheckDecl(int index) {
  DeclSource& src = decl_sources_[index];
  if (src.state != 0) return;
  src.state = 1;
  int saved_decl = current_decl_, saved_rule = current_rule_;
  auto saved_bindings = std::move(bindings_);
  bindings_.clear();
  std::set<int>* saved_deps = current_deps_;
  bool* saved_eligible = current_uses_eligible_;
  current_decl_ = index;
  current_rule_ = -1;
  current_deps_ = &src.deps;
  current_uses_eligible_ = &src.uses_eligible;
  checking_.push_back(index);
  if (src.param) CheckParam(index);
  if (src.value) CheckValue(index);
  if (src.table) CheckTable(index);
  checking_.pop_back();
  current_decl_ = saved_decl;
  current_rule_ = saved_rule;
  current_deps_ = saved_deps;
  current_uses_eligible_ = saved_eligible;
  bindings_ = std::move(saved_bindings);
  src.state = 2;
}

void Checker::CheckParam(int index) {
  const ast::ParamDecl& p = *decl_sources_[index].param;
  CheckedDecl& d = program_->decls[index];
  d.type = ResolveTypeRef(p.type);
  d.assumption = p.assumption;
  d.unit = p.unit;
  if (p.because.present) d.because = p.because.text;
  if (p.assumption && !p.because.present) {
    sink_->Error("E0212", p.name_span, absl::StrCat("假设参数", Quote(p.name), "必须写明理由（理由 \"…\"），说明为什么取这个值"),
                 absl::StrCat("assumption parameter '", p.name, "' needs 'because \"...\"' explaining the value"));
  }
  int32_t last = INT32_MIN;
  bool first = true;
  for (const auto& v : p.values) {
    if (v.dated && !first && v.from <= last) {
      sink_->Error("E0308", v.from_span, "生效日期必须从早到晚排列，且不能重复",
                   "effective dates must be in increasing order without repeats");
    }
    auto t = CheckExpr(*v.value, &d.type);
    DatedConstant dc;
    dc.from = v.dated ? v.from : INT32_MIN;
    dc.basis = v.basis.text;
    dc.line = LineOf(v.value->span);
    if (!t->type.is_error() && !d.type.is_error()) {
      Type u = UnifyTypes(d.type, t->type);
      if (u.is_error() || (!SameType(u, d.type) && !(d.type.kind == TypeKind::kDecimal && t->type.is_numeric()))) {
        std::string lit = d.type.kind == TypeKind::kMoney && t->type.is_numeric() ? MoneyLiteralFor(*t) : "";
        sink_->Error("E0303", v.value->span,
                     absl::StrCat("参数值的类型是", t->type.Name(), "，与声明的", d.type.Name(), "不符",
                                  lit.empty() ? "" : absl::StrCat("（金额要写单位：写成 ", lit, "）")),
                     absl::StrCat("value has type ", t->type.Name(true), " but the parameter is declared ",
                                  d.type.Name(true), lit.empty() ? "" : absl::StrCat(" (write the unit: ", lit, ")")));
      } else if (!FoldConstant(*t, &dc.value)) {
        sink_->Error("E0309", v.value->span, "参数值必须是常量（数值、金额、日期、文字或它们的列表）",
                     "a parameter value must be a constant (number, amount, date, text, or a list of them)");
      } else {
        if (d.type.kind == TypeKind::kDecimal && dc.value.kind == TypeKind::kInt) {
          dc.value = Value::Decimal(Rational::Int(dc.value.i));
        }
        if (d.type.kind == TypeKind::kList) dc.value.kind = TypeKind::kList;
      }
    }
    d.dated.push_back(dc);
    if (v.dated) last = v.from;
    first = false;
  }
  if (!p.values.empty() && p.values[0].basis.present) d.basis = p.values[0].basis.text;
}

void Checker::CheckValue(int index) {
  const ast::ValueDecl& v = *decl_sources_[index].value;
  CheckedDecl& d = program_->decls[index];
  d.output = v.output;
  d.basis = v.basis.text;
  Type declared;
  if (v.has_type) declared = ResolveTypeRef(v.type);
  d.expr = CheckExpr(*v.expr, v.has_type ? &declared : nullptr);
  d.type = d.expr->type;
  std::set<std::string> seen;
  CollectEvidence(*d.expr, &d.evidence, &seen);
  if (v.has_type && !declared.is_error() && !d.type.is_error() && !SameType(declared, d.type)) {
    if (declared.kind == TypeKind::kDecimal && d.type.kind == TypeKind::kInt) {
      d.type = declared;
    } else {
      sink_->Error("E0303", v.expr->span,
                   absl::StrCat(Quote(v.name), "声明为", declared.Name(), "，但算出的是", d.type.Name()),
                   absl::StrCat("'", v.name, "' is declared ", declared.Name(true), " but computes ",
                                d.type.Name(true)));
    }
  }
  if (!v.key.empty()) {
    const OutputKey* key = nullptr;
    for (const auto& k : kOutputKeys) {
      if (IsName(v.key, k.zh, k.en)) key = &k;
    }
    if (key == nullptr) {
      std::vector<std::string> names;
      for (const auto& k : kOutputKeys) {
        names.push_back(k.zh);
        names.push_back(k.en);
      }
      sink_->Error("E0310", v.key_span, absl::StrCat("未知的输出项", Quote(v.key), "；可用：家庭收入、人均收入、保障金额、保障档次、保障成员、保障标准"),
                   absl::StrCat("unknown output key '", v.key,
                                "'; use counted_income, per_capita_income, benefit, tier, covered_members or standard"),
                   ClosestMatch(v.key, names));
    } else {
      d.key = key->en;
      bool fits = d.type.is_error() ||
                  (key->kind == TypeKind::kList
                       ? d.type.kind == TypeKind::kList && d.type.elem->kind == TypeKind::kMessage &&
                             d.type.elem->message == schema_.application()->FindFieldByName("members")->message_type()
                       : key->kind == TypeKind::kText
                             ? (d.type.kind == TypeKind::kText || d.type.kind == TypeKind::kEnum)
                             : d.type.kind == key->kind);
      if (!fits) {
        sink_->Error("E0311", v.key_span,
                     absl::StrCat("输出项", Quote(v.key), "需要",
                                  key->kind == TypeKind::kList ? "成员列表" : Type::Of(key->kind).Name(), "，但",
                                  Quote(v.name), "是", d.type.Name()),
                     absl::StrCat("output key '", v.key, "' needs ",
                                  key->kind == TypeKind::kList ? "a list of members" : Type::Of(key->kind).Name(true),
                                  " but '", v.name, "' is ", d.type.Name(true)));
      }
    }
  }
}

void Checker::CheckRule(const ast::RuleDecl& r, CheckedRule* out) {
  bindings_.clear();
  if (r.each) {
    auto coll = CheckExpr(*r.each);
    if (!coll->type.is_error() && coll->type.kind != TypeKind::kList) {
      sink_->Error("E0305", r.each->span, absl::StrCat("“每个”后面需要一个列表，但这里是", coll->type.Name()),
                   absl::StrCat("'each' needs a list, this is ", coll->type.Name(true)));
    }
    out->each_slot = PushBinding(r.each_var, *coll);
    out->each = std::move(coll);
  }
  out->condition = CheckBool(*r.condition);
  for (const auto& ex : r.exceptions) {
    CheckedException ce;
    ce.title = ex.title;
    ce.basis = ex.basis.text;
    ce.line = LineOf(ex.span);
    ce.condition = CheckBool(*ex.condition);
    out->exceptions.push_back(std::move(ce));
  }
  // Names in the message see the witness of a top-level 任一 in the condition
  // ("成员 {成员.姓名} 为财政供养人员" names the member that made the rule apply).
  std::vector<const TExpr*> pending = {out->condition.get()};
  while (!pending.empty()) {
    const TExpr* x = pending.back();
    pending.pop_back();
    if (x->kind == TKind::kAnd) {
      for (const auto& a : x->args) pending.push_back(a.get());
    } else if (x->kind == TKind::kQuant && x->op == Op::kAny && x->args[0]->type.kind == TypeKind::kList) {
      bindings_.push_back(Binding{x->var, x->slot, *x->args[0]->type.elem});
    }
  }
  for (const auto& part : r.message.parts) {
    CheckedMessagePart p;
    p.text = part.text;
    if (part.expr) p.expr = CheckExpr(*part.expr);
    out->message.push_back(std::move(p));
  }
  std::set<std::string> seen;
  CollectEvidence(*out->condition, &out->evidence, &seen);
  bindings_.clear();
}

void Checker::CollectEvidence(const TExpr& e, std::vector<const TExpr*>* out, std::set<std::string>* seen) {
  if (out->size() >= 8) return;
  bool leaf = false;
  switch (e.kind) {
    case TKind::kField:
      leaf = e.type.kind != TypeKind::kList && e.type.kind != TypeKind::kMessage;
      break;
    case TKind::kDecl:
      leaf = e.type.kind != TypeKind::kList;
      break;
    case TKind::kAggregate:
      if (e.op == Op::kDistinct) return;  // a list, like a filter
      leaf = true;
      break;
    case TKind::kFilter:
      return;  // items inside a filter have no single value
    default:
      break;
  }
  if (leaf) {
    if (seen->insert(e.source).second) out->push_back(&e);
    return;
  }
  if (e.kind == TKind::kQuant && e.op == Op::kAll) return;  // no single witness
  for (const auto& a : e.args) CollectEvidence(*a, out, seen);
}

void Checker::ApplyOverride(const std::string& name, const ast::Expr& expr) {
  auto it = names_.find(name);
  if (it == names_.end() || program_->decls[it->second].kind != ast::DeclKind::kParameter) {
    std::vector<std::string> params;
    for (const auto& d : program_->decls) {
      if (d.kind == ast::DeclKind::kParameter && d.live) params.push_back(d.name);
    }
    sink_->Error("E0201", expr.span, absl::StrCat("要设置的参数", Quote(name), "不存在"),
                 absl::StrCat("there is no parameter '", name, "' to set"), ClosestMatch(name, params));
    return;
  }
  CheckedDecl& d = program_->decls[it->second];
  auto t = CheckExpr(expr, &d.type);
  DatedConstant dc;
  dc.basis = "参数覆盖 (CompileOptions.parameter_overrides)";
  if (t->type.is_error()) return;
  Type u = UnifyTypes(d.type, t->type);
  if (u.is_error() || (!SameType(u, d.type) && d.type.kind != TypeKind::kDecimal)) {
    sink_->Error("E0303", expr.span,
                 absl::StrCat("参数", Quote(name), "是", d.type.Name(), "，给定的值是", t->type.Name()),
                 absl::StrCat("parameter '", name, "' is ", d.type.Name(true), ", the value given is ", t->type.Name(true)));
    return;
  }
  if (!FoldConstant(*t, &dc.value)) {
    sink_->Error("E0309", expr.span, "参数值必须是常量", "a parameter value must be a constant");
    return;
  }
  if (d.type.kind == TypeKind::kDecimal && dc.value.kind == TypeKind::kInt) {
    dc.value = Value::Decimal(Rational::Int(dc.value.i));
  }
  d.dated.clear();
  d.dated.push_back(dc);
}

}  // namespace heyan::internal
