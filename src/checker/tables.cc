// Decision tables: the types of inputs, cells and results, and the analysis of a table whose
// cells are constants (gaps E0404, overlaps E0403, rows that are never chosen W0401).
#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checker/checker_impl.h"
#include "checker/types.h"

namespace heyan::internal {

using ast::Op;

namespace {

constexpr std::string_view kOtherText = "\x01<other>";

// Beyond this many combinations of sample values a table is not analysed.
constexpr size_t kMaxCombinations = 200000;

// A column compared with percentages (收入标准比 < 30%) is a ratio: its examples are shown
// as percentages, and the points around its bounds are one percent apart.
std::vector<bool> PercentColumns(const CheckedDecl& d) {
  const size_t n = d.inputs.size();
  std::vector<bool> percent(n, false);
  for (size_t c = 0; c < n; ++c) {
    if (d.inputs[c]->type.kind != TypeKind::kDecimal) continue;
    for (const auto& row : d.rows) {
      for (const TExpr* e : {row.cells[c].a.get(), row.cells[c].b.get()}) {
        if (e != nullptr && (absl::EndsWith(e->source, "%") || absl::EndsWith(e->source, "％"))) percent[c] = true;
      }
    }
  }
  return percent;
}

// The samples of an ordered input (number, amount, date) whose cells name `points`; `step` is
// how far below the first point and above the last the outermost samples lie.
std::vector<Value> OrderedSamples(const Type& type, const std::vector<Value>& points,
                                  const Rational& step) {
  // Elementary regions: below the first point, each point, between points, above the last.
  std::vector<Rational> rs;
  for (const Value& v : points) {
    rs.push_back(v.kind == TypeKind::kInt ? Rational::Int(v.i)
                 : v.kind == TypeKind::kDate ? Rational::Int(v.date) : v.r);
  }
  std::sort(rs.begin(), rs.end(), [](const Rational& a, const Rational& b) { return Compare(a, b) < 0; });
  rs.erase(std::unique(rs.begin(), rs.end()), rs.end());
  auto make = [&](const Rational& r) {
    Value v;
    v.kind = type.kind == TypeKind::kInt ? TypeKind::kDecimal : type.kind;
    if (type.kind == TypeKind::kDate) {
      v.kind = TypeKind::kDate;
      v.date = static_cast<int32_t>(r.num / r.den);
    } else {
      v.r = r;
    }
    return v;
  };
  std::vector<Rational> cand;
  if (rs.empty()) {
    cand.push_back(Rational::Int(0));
  } else {
    Rational below;
    if (Sub(rs.front(), step, &below)) cand.push_back(below);
    for (size_t k = 0; k < rs.size(); ++k) {
      cand.push_back(rs[k]);
      if (k + 1 < rs.size()) {
        Rational mid, sum;
        // Integer inputs only take integer values: skip an open gap with no integer in it.
        if (Add(rs[k], rs[k + 1], &sum) && Div(sum, Rational::Int(2), &mid)) {
          if (type.kind == TypeKind::kInt || type.kind == TypeKind::kDate) {
            Rational next;
            RoundTo(rs[k], Rational::Int(1), RoundMode::kDown, &next);
            Add(next, Rational::Int(1), &next);
            if (Compare(next, rs[k + 1]) < 0) cand.push_back(next);
          } else {
            cand.push_back(mid);
          }
        }
      }
    }
    Rational above;
    if (Add(rs.back(), step, &above)) cand.push_back(above);
  }
  std::vector<Value> samples;
  for (const Rational& r : cand) {
    if ((type.kind == TypeKind::kInt || type.kind == TypeKind::kDate) && !r.is_integer()) continue;
    Value v = make(r);
    if (type.kind == TypeKind::kInt) v = Value::Int(r.num);
    samples.push_back(v);
  }
  return samples;
}

// The values an input of type `type` is tried with, given the values its cells name.
std::vector<Value> ColumnSamples(const Type& type, const std::vector<Value>& points, bool percent) {
  std::vector<Value> samples;
  if (type.kind == TypeKind::kEnum) {
    for (int k = 0; k < type.enum_type->value_count(); ++k) {
      Value v;
      v.kind = TypeKind::kEnum;
      v.enum_number = type.enum_type->value(k)->number();
      samples.push_back(v);
    }
  } else if (type.kind == TypeKind::kBool) {
    samples = {Value::Bool(false), Value::Bool(true)};
  } else if (IsOrdered(type)) {
    samples = OrderedSamples(type, points, percent ? Rational{1, 100} : Rational::Int(1));
  } else {
    // Text and other equality-only inputs: each listed value, plus "anything else".
    for (const Value& v : points) samples.push_back(v);
    // A text no rule author writes, standing for "anything else".
    Value other;
    other.kind = type.kind;
    other.text = kOtherText;
    samples.push_back(other);
  }
  return samples;
}

// The bounds of a cell, folded to constants.
struct FoldedCell {
  Value a, b;
};

// Whether input value `v` satisfies `cell`, whose bounds are `f`.
bool CellMatches(const CheckedCell& cell, const FoldedCell& f, const Value& v) {
  const Value& a = f.a;
  const Value& b = f.b;
  switch (cell.kind) {
    case ast::CellKind::kAny: return true;
    case ast::CellKind::kEqual:
      return ValuesEqual(v, a);
    case ast::CellKind::kIn:
    case ast::CellKind::kNotIn: {
      bool found = false;
      if (a.kind == TypeKind::kList && a.list != nullptr) {
        for (const Value& item : a.list->items) found = found || ValuesEqual(v, item);
      }
      return cell.kind == ast::CellKind::kIn ? found : !found;
    }
    case ast::CellKind::kCompare: {
      if (cell.op == Op::kEq) return ValuesEqual(v, a);
      if (cell.op == Op::kNe) return !ValuesEqual(v, a);
      int c = CompareValues(v, a);
      return cell.op == Op::kLt ? c < 0 : cell.op == Op::kLe ? c <= 0 : cell.op == Op::kGt ? c > 0 : c >= 0;
    }
    case ast::CellKind::kRange: {
      int lo = CompareValues(v, a), hi = CompareValues(v, b);
      return (cell.lo_closed ? lo >= 0 : lo > 0) && (cell.hi_closed ? hi <= 0 : hi < 0);
    }
  }
  return false;
}

// The rows (in order) that apply when input c is samples[c][idx[c]].
std::vector<int> MatchingRows(const CheckedDecl& d,
                              const std::vector<std::vector<FoldedCell>>& folded,
                              const std::vector<std::vector<Value>>& samples,
                              const std::vector<size_t>& idx) {
  std::vector<int> hits;
  for (size_t r = 0; r < d.rows.size(); ++r) {
    bool all = true;
    for (size_t c = 0; c < idx.size() && all; ++c) {
      all = CellMatches(d.rows[r].cells[c], folded[r][c], samples[c][idx[c]]);
    }
    if (all) hits.push_back(static_cast<int>(r));
  }
  return hits;
}

// The combination of samples[c][idx[c]] in words, for a diagnostic: "收入 = 300元，人数 = 2".
std::string DescribeCombination(const CheckedDecl& d,
                                const std::vector<std::vector<Value>>& samples,
                                const std::vector<bool>& percent, const std::vector<size_t>& idx,
                                bool english) {
  std::vector<std::string> parts;
  for (size_t c = 0; c < idx.size(); ++c) {
    const Value& v = samples[c][idx[c]];
    const Type& in = d.inputs[c]->type;
    std::string text;
    if (v.kind == TypeKind::kText && v.text == kOtherText) {
      text = english ? "any other value" : "其他值";
    } else if (percent[c] && v.kind == TypeKind::kDecimal) {
      Rational hundredfold;
      text = Mul(v.r, Rational::Int(100), &hundredfold) ? absl::StrCat(FormatDecimal(hundredfold), "%")
                                                        : FormatValue(v, Type::Of(v.kind), english);
    } else if (v.kind == TypeKind::kEnum) {
      // The sample carries only the number; the enum type is the input's.
      text = EnumValueName(in.enum_type, v.enum_number, english);
    } else {
      text = FormatValue(v, v.kind == TypeKind::kDecimal && in.kind == TypeKind::kMoney ? in : Type::Of(v.kind),
                         english);
    }
    parts.push_back(absl::StrCat(d.inputs[c]->source, " = ", text));
  }
  return absl::StrJoin(parts, english ? ", " : "，");
}

}  // namespace

void Checker::CheckTable(int index) {
  const ast::TableDecl& t = *decl_sources_[index].table;
  CheckedDecl& d = program_->decls[index];
  d.first_hit = t.hit == ast::HitPolicy::kFirst;
  d.basis = t.basis.text;
  d.otherwise_basis = t.otherwise_basis.text;
  // Errors elsewhere in the rule set do not stop this table's analysis; its own do.
  const int errors_before = sink_->error_count();
  Type declared;
  if (t.has_type) declared = ResolveTypeRef(t.type);
  for (const auto& in : t.inputs) d.inputs.push_back(CheckExpr(*in));
  Type result = t.has_type ? declared : Type();
  bool have_result = t.has_type;
  bool cells_ok = true;
  auto check_result = [&](const ast::Expr& e) {
    auto r = CheckExpr(e, have_result ? &result : nullptr);
    if (!r->type.is_error()) {
      if (!have_result) {
        result = r->type;
        have_result = true;
      } else {
        Type u = UnifyTypes(result, r->type);
        if (t.has_type && !declared.is_error() &&
            (u.is_error() || (!SameType(u, declared) &&
                              !(declared.kind == TypeKind::kDecimal && r->type.is_numeric())))) {
          sink_->Error("E0303", e.span,
                       absl::StrCat("决策表", Quote(t.name), "声明为", declared.Name(), "，但这一行的结果是",
                                    r->type.Name()),
                       absl::StrCat("table '", t.name, "' is declared ", declared.Name(true), " but this result is ",
                                    r->type.Name(true)));
        } else if (u.is_error() && !result.is_error()) {
          sink_->Error("E0405", e.span,
                       absl::StrCat("这一行的结果是", r->type.Name(), "，与其他行的", result.Name(), "不同"),
                       absl::StrCat("this row's result is ", r->type.Name(true), ", other rows give ",
                                    result.Name(true)));
        } else if (!t.has_type) {
          result = u;
        }
      }
    }
    return r;
  };
  for (const auto& row : t.rows) {
    CheckedRow cr;
    cr.basis = row.basis.text;
    cr.line = LineOf(row.span);
    if (row.cells.size() != t.inputs.size()) {
      sink_->Error("E0402", row.span,
                   absl::StrCat("这一行有 ", row.cells.size(), " 个条件，但决策表有 ", t.inputs.size(), " 个输入"),
                   absl::StrCat("this row has ", row.cells.size(), " cells but the table has ", t.inputs.size(),
                                " inputs"));
      cells_ok = false;
    }
    for (size_t c = 0; c < row.cells.size(); ++c) {
      const ast::Cell& cell = row.cells[c];
      CheckedCell cc;
      cc.kind = cell.kind;
      cc.op = cell.op;
      cc.lo_closed = cell.lo_closed;
      cc.hi_closed = cell.hi_closed;
      const Type* in_type = c < d.inputs.size() ? &d.inputs[c]->type : nullptr;
      bool ok = true;
      if (cell.kind == ast::CellKind::kIn || cell.kind == ast::CellKind::kNotIn) {
        Type hint = in_type ? Type::List(*in_type) : Type();
        cc.a = CheckExpr(*cell.a, in_type ? &hint : nullptr);
        if (in_type && !cc.a->type.is_error() && !in_type->is_error()) {
          ok = cc.a->type.kind == TypeKind::kEmptyList ||
               (cc.a->type.kind == TypeKind::kList && ComparableTypes(Op::kEq, *in_type, *cc.a->type.elem));
        }
      } else if (cell.kind != ast::CellKind::kAny) {
        cc.a = CheckExpr(*cell.a, in_type);
        if (cell.b) cc.b = CheckExpr(*cell.b, in_type);
        Op op = cell.kind == ast::CellKind::kCompare ? cell.op
                : cell.kind == ast::CellKind::kRange ? Op::kLt : Op::kEq;
        if (in_type && !in_type->is_error()) {
          if (!cc.a->type.is_error()) ok = ComparableTypes(op, *in_type, cc.a->type);
          if (cc.b && !cc.b->type.is_error()) ok = ok && ComparableTypes(op, *in_type, cc.b->type);
        }
      }
      if (!ok) {
        cells_ok = false;
        std::string lit;
        if (in_type != nullptr && in_type->kind == TypeKind::kMoney) {
          for (const TExpr* x : {cc.a.get(), cc.b.get()}) {
            if (x != nullptr && lit.empty() && x->type.is_numeric()) lit = MoneyLiteralFor(*x);
          }
        }
        sink_->Error("E0401", cell.span,
                     absl::StrCat("这个条件与输入", Quote(c < t.inputs.size() ? d.inputs[c]->source : ""), "（",
                                  in_type ? in_type->Name() : "", "）类型不符",
                                  lit.empty() ? "" : absl::StrCat("（金额要写单位：写成 ", lit, "）")),
                     absl::StrCat("this cell does not match input '", c < t.inputs.size() ? d.inputs[c]->source : "",
                                  "' (", in_type ? in_type->Name(true) : "", ")",
                                  lit.empty() ? "" : absl::StrCat(" (write the unit: ", lit, ")")));
      }
      cr.cells.push_back(std::move(cc));
    }
    cr.result = check_result(*row.result);
    d.rows.push_back(std::move(cr));
  }
  if (t.otherwise) d.otherwise = check_result(*t.otherwise);
  d.type = have_result ? result : Type();
  bool inputs_ok = true;
  for (const auto& in : d.inputs) inputs_ok = inputs_ok && !in->type.is_error();
  if (cells_ok && inputs_ok && sink_->error_count() == errors_before) AnalyseTable(d, t);
}

// Static analysis of a decision table whose cells are constants: every combination of
// elementary input regions is tried against every row.
void Checker::AnalyseTable(const CheckedDecl& d, const ast::TableDecl& t) {
  const std::vector<bool> percent = PercentColumns(d);
  std::vector<std::vector<Value>> samples;
  // Bounds that depend on parameters: checked at run time instead.
  if (!SampleInputs(d, percent, &samples)) return;
  size_t combos = 1;
  for (const auto& s : samples) {
    combos *= std::max<size_t>(1, s.size());
    // Too many combinations to enumerate: rows are checked at run time.
    if (combos > kMaxCombinations) return;
  }
  const std::vector<bool> row_used = ReportGapsAndOverlaps(d, t, samples, percent, combos);
  if (d.first_hit) ReportUnreachableRows(t, row_used);
}

bool Checker::SampleInputs(const CheckedDecl& d, const std::vector<bool>& percent,
                           std::vector<std::vector<Value>>* samples) {
  samples->assign(d.inputs.size(), std::vector<Value>());
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    std::vector<Value> points;
    bool constant = true;
    for (const auto& row : d.rows) {
      const CheckedCell& cell = row.cells[c];
      for (const TExpr* e : {cell.a.get(), cell.b.get()}) {
        if (e == nullptr) continue;
        Value v;
        if (!FoldConstant(*e, &v)) {
          constant = false;
          continue;
        }
        if (v.kind == TypeKind::kList) {
          for (const Value& item : v.list->items) points.push_back(item);
        } else {
          points.push_back(v);
        }
      }
    }
    if (!constant) return false;
    (*samples)[c] = ColumnSamples(d.inputs[c]->type, points, percent[c]);
  }
  return true;
}

std::vector<bool> Checker::ReportGapsAndOverlaps(const CheckedDecl& d, const ast::TableDecl& t,
                                                 const std::vector<std::vector<Value>>& samples,
                                                 const std::vector<bool>& percent, size_t combos) {
  const size_t n = d.inputs.size();
  // Cell bounds folded once: folding a list cell allocates in the program's constant pool, so
  // folding inside the loop below grew the pool by one list per combination and row.
  std::vector<std::vector<FoldedCell>> folded(d.rows.size(), std::vector<FoldedCell>(n));
  for (size_t r = 0; r < d.rows.size(); ++r) {
    for (size_t c = 0; c < n; ++c) {
      const CheckedCell& cell = d.rows[r].cells[c];
      if (cell.a) FoldConstant(*cell.a, &folded[r][c].a);
      if (cell.b) FoldConstant(*cell.b, &folded[r][c].b);
    }
  }
  std::vector<size_t> idx(n, 0);
  std::set<std::pair<int, int>> overlaps_reported;
  std::vector<bool> row_used(d.rows.size(), false);
  bool gap_reported = false;  // one E0404 per table: the first gap found says what to fix
  for (size_t combo = 0; combo < combos; ++combo) {
    size_t rest = combo;
    for (size_t c = 0; c < n; ++c) {
      idx[c] = rest % samples[c].size();
      rest /= samples[c].size();
    }
    const std::vector<int> hits = MatchingRows(d, folded, samples, idx);
    auto describe = [&](bool english) {
      return DescribeCombination(d, samples, percent, idx, english);
    };
    if (hits.empty() && !d.otherwise && !gap_reported) {
      gap_reported = true;
      sink_->Error("E0404", t.name_span,
                   absl::StrCat("决策表", Quote(d.name), "有遗漏：当 ", describe(false), " 时没有任何一行适用；请补充行或加“否则”"),
                   absl::StrCat("table '", d.name, "' has a gap: no row applies when ", describe(true),
                                "; add a row or an 'else'"));
    }
    if (!hits.empty()) row_used[hits[0]] = true;
    if (!d.first_hit && hits.size() > 1) {
      auto key = std::make_pair(hits[0], hits[1]);
      if (overlaps_reported.insert(key).second && overlaps_reported.size() <= 3) {
        sink_->Error("E0403", t.rows[hits[1]].span,
                     absl::StrCat("决策表", Quote(d.name), "（命中 唯一）第 ", hits[0] + 1, " 行和第 ", hits[1] + 1,
                                  " 行重叠：", describe(false), " 时两行都适用"),
                     absl::StrCat("table '", d.name, "' (hit unique): rows ", hits[0] + 1, " and ", hits[1] + 1,
                                  " overlap: both apply when ", describe(true)));
      }
    }
  }
  return row_used;
}

void Checker::ReportUnreachableRows(const ast::TableDecl& t, const std::vector<bool>& row_used) {
  for (size_t r = 0; r < row_used.size(); ++r) {
    if (!row_used[r]) {
      sink_->Warning("W0401", t.rows[r].span,
                     absl::StrCat("第 ", r + 1, " 行永远不会被选中：前面的行已覆盖它的所有情况"),
                     absl::StrCat("row ", r + 1, " can never be chosen: earlier rows cover all its cases"));
    }
  }
}

}  // namespace heyan::internal
