// Property: no applicant letter shows another person's data (issue 13, item 3).
//
// Every shipped policy test case (rules/**/tests/*.textproto, read as `heyan test` reads
// them) is decided with a trace and explained to each member of its household in turn
// (ExplainOptions.addressee_id_number; and once with the default addressee), as text,
// JSON and HTML. No letter may contain, for any person other than its addressee (other
// members, supporters, the persons of registry records):
//  * their ID number, raw or masked;
//  * their name, unmasked;
//  * an item value of theirs: money rendered as the engine renders it ("4500.00元"), dates,
//    texts (plates, employers, addresses, names in records);
// except a value the addressee may see anyway: one of their own, a household-level field of
// the application (assets, dates), an amount of the decision, or a computed value or
// parameter of the trace (household totals and standards). A value that equals one of those
// is not evidence of a leak, so it is not checked.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "common/text.h"
#include "explain/privacy.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "heyan/explain.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/options.pb.h"
#include "support/shipped_cases.h"

namespace heyan {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string SourceDir() { return HEYAN_SOURCE_DIR; }

std::string Yuan(int64_t fen) {
  const bool neg = fen < 0;
  const uint64_t a = neg ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  return absl::StrFormat("%s%d.%02d元", neg ? "-" : "", a / 100, a % 100);
}

// The values of `m` (and of the messages inside it) as a letter would show them: money as
// "1200.00元", dates and texts as written. Numbers without a unit and enum names are left
// out: they are too common to tell anything ("1", "每月").
void CollectValues(const Message& root, std::set<std::string>* out) {
  std::vector<const Message*> stack = {&root};
  while (!stack.empty()) {
    const Message* m = stack.back();
    stack.pop_back();
    const Reflection* r = m->GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(*m, &fields);
    for (const FieldDescriptor* f : fields) {
      const std::string& unit = f->options().GetExtension(v1::unit);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (f->is_repeated()) {
          for (int k = 0; k < r->FieldSize(*m, f); ++k) stack.push_back(&r->GetRepeatedMessage(*m, f, k));
        } else {
          stack.push_back(&r->GetMessage(*m, f));
        }
        continue;
      }
      if (f->is_repeated()) continue;
      if (unit == "fen" && f->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
        const int64_t fen = r->GetInt64(*m, f);
        if (fen != 0) out->insert(Yuan(fen));
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        const std::string s = r->GetString(*m, f);
        if (internal::DecodeUtf8(s).size() >= 2) out->insert(s);
      }
    }
  }
}

// Money amounts ("-12.34元") and dates ("2023-06-01") inside a rendered text, and the text.
void CollectRendered(const std::string& text, std::set<std::string>* out) {
  out->insert(text);
  for (size_t i = 0; i < text.size(); ++i) {
    // Dates: dddd-dd-dd.
    if (i + 10 <= text.size() && std::isdigit(static_cast<unsigned char>(text[i])) &&
        (i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1])))) {
      const std::string d = text.substr(i, 10);
      if (d[4] == '-' && d[7] == '-') out->insert(d);
    }
  }
  // Money: a run of digits, a point, two digits, then 元.
  const std::string yuan = "元";
  for (size_t at = text.find(yuan); at != std::string::npos; at = text.find(yuan, at + 1)) {
    size_t b = at;
    while (b > 0 && (std::isdigit(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '.' || text[b - 1] == '-')) --b;
    if (b < at) out->insert(text.substr(b, at - b + yuan.size()));
  }
}

// A person other than the addressee, and what of theirs the letter must not show.
struct Person {
  std::string who;  // for failure messages
  std::string id;
  std::string name;
  std::set<std::string> values;
};

// Everything a letter says, as plain text: HTML entities undone, JSON strings unquoted.
std::string PlainText(const std::string& out, ExplainOptions::Format format, std::string* error) {
  if (format == ExplainOptions::Format::kHtml) {
    return absl::StrReplaceAll(out, {{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}});
  }
  if (format != ExplainOptions::Format::kJson) return out;
  google::protobuf::Value v;
  auto s = google::protobuf::util::JsonStringToMessage(out, &v);
  if (!s.ok()) {
    *error = "not JSON: " + s.ToString();
    return out;
  }
  std::string text;
  std::vector<const google::protobuf::Value*> stack = {&v};
  while (!stack.empty()) {
    const google::protobuf::Value* x = stack.back();
    stack.pop_back();
    if (x->has_string_value()) absl::StrAppend(&text, x->string_value(), "\n");
    if (x->has_struct_value()) {
      for (const auto& [key, value] : x->struct_value().fields()) stack.push_back(&value);
    }
    if (x->has_list_value()) {
      for (const auto& value : x->list_value().values()) stack.push_back(&value);
    }
  }
  return text;
}

std::string Around(const std::string& text, size_t at, size_t n) {
  size_t b = at > 60 ? at - 60 : 0;
  while (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) --b;
  size_t e = std::min(text.size(), at + n + 60);
  while (e < text.size() && (static_cast<unsigned char>(text[e]) & 0xC0) == 0x80) ++e;
  return text.substr(b, e - b);
}

struct Totals {
  int cases = 0;
  int letters = 0;
  int checked_values = 0;
};

// Checks the letters of one decided case for every addressee.
void CheckCase(const std::string& file, const v1::TestCase& test, const v1::Decision& decision, const Program& program,
               Totals* totals) {
  const v1::Application& a = test.application();
  // What anyone in the household may see: household-level fields, the decision's amounts,
  // and the trace's computed values and parameters.
  std::set<std::string> household;
  {
    v1::Application shared = a;
    shared.clear_members();
    shared.clear_relative_support();
    CollectValues(shared, &household);
  }
  for (int64_t fen : {decision.benefit_fen(), decision.counted_income_fen(), decision.per_capita_income_fen()}) {
    household.insert(Yuan(fen));
  }
  for (const v1::Amount& am : decision.amounts()) {
    if (am.subjects_size() == 0) CollectRendered(am.value(), &household);
  }
  for (const v1::TraceStep& t : decision.trace()) {
    if (t.kind() != "value" && t.kind() != "output" && t.kind() != "parameter" && t.kind() != "table") continue;
    if (t.subjects_size() > 0) continue;  // a list of persons is not a household figure
    CollectRendered(t.result(), &household);
  }
  CollectRendered(decision.as_of(), &household);

  // The persons of the case: members, supporters, and the persons of registry records.
  std::vector<Person> persons;
  for (int i = 0; i < a.members_size(); ++i) {
    const v1::Member& m = a.members(i);
    Person p{absl::StrCat("成员[", i + 1, "] ", m.name()), m.id_number(), m.name(), {}};
    CollectValues(m, &p.values);
    persons.push_back(std::move(p));
  }
  for (int i = 0; i < a.relative_support_size(); ++i) {
    const v1::RelativeSupport& s = a.relative_support(i);
    Person p{absl::StrCat("赡养扶养[", i + 1, "] ", s.supporter_name()), s.supporter_id_number(), s.supporter_name(), {}};
    CollectValues(s, &p.values);
    persons.push_back(std::move(p));
  }
  const Reflection* rr = test.registries().GetReflection();
  std::vector<const FieldDescriptor*> registry_fields;
  rr->ListFields(test.registries(), &registry_fields);
  for (const FieldDescriptor* f : registry_fields) {
    for (int k = 0; f->is_repeated() && k < rr->FieldSize(test.registries(), f); ++k) {
      const Message& record = rr->GetRepeatedMessage(test.registries(), f, k);
      const std::string id = record.GetReflection()->GetString(record, record.GetDescriptor()->FindFieldByName("id_number"));
      auto it = std::find_if(persons.begin(), persons.end(), [&](const Person& p) { return !id.empty() && p.id == id; });
      if (it == persons.end()) {
        persons.push_back(Person{absl::StrCat("登记册 ", f->name(), " ", id), id, "", {}});
        it = persons.end() - 1;
      }
      CollectValues(record, &it->values);
    }
  }

  // One letter per member (and the default addressee, the applicant).
  std::vector<std::string> addressees = {""};
  for (const v1::Member& m : a.members()) {
    if (!m.id_number().empty()) addressees.push_back(m.id_number());
  }
  for (const std::string& addressee_id : addressees) {
    int self = -1;
    for (int i = 0; i < a.members_size() && self < 0; ++i) {
      if (addressee_id.empty() ? a.members(i).relation() == v1::SELF : a.members(i).id_number() == addressee_id) self = i;
    }
    if (self < 0 && a.members_size() > 0) self = 0;
    const std::string self_id = self >= 0 ? a.members(self).id_number() : "";
    const std::string self_name = self >= 0 ? a.members(self).name() : "";
    // What the addressee may see: their own values (registry records under their ID
    // included) and the household's.
    std::set<std::string> allowed = household;
    for (const Person& p : persons) {
      if ((!self_id.empty() && p.id == self_id) || (self >= 0 && &p == &persons[self])) {
        allowed.insert(p.values.begin(), p.values.end());
      }
    }
    // What each other person's letter must not show.
    struct Forbidden {
      std::string text, what;
    };
    std::vector<Forbidden> forbidden;
    for (size_t k = 0; k < persons.size(); ++k) {
      const Person& p = persons[k];
      if (static_cast<int>(k) == self || (!self_id.empty() && p.id == self_id)) continue;
      if (!p.id.empty()) {
        forbidden.push_back({p.id, p.who + " 的身份证号"});
        forbidden.push_back({explain_internal::MaskIdNumber(p.id), p.who + " 的身份证号（遮盖后）"});
      }
      // A name inside the addressee's own name ("张伟" in "张伟强") cannot be told apart.
      if (internal::DecodeUtf8(p.name).size() >= 2 && self_name.find(p.name) == std::string::npos) {
        forbidden.push_back({p.name, p.who + " 的姓名"});
      }
      for (const std::string& v : p.values) {
        if (v == p.id || v == p.name || allowed.count(v) || self_name.find(v) != std::string::npos) continue;
        forbidden.push_back({v, p.who + " 的数据"});
      }
    }
    for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
      ExplainOptions o;
      o.audience = ExplainOptions::Audience::kApplicant;
      o.format = format;
      o.program = &program;
      o.addressee_id_number = addressee_id;
      absl::StatusOr<std::string> letter = Explain(decision, a, o);
      ASSERT_TRUE(letter.ok()) << file << ": " << letter.status();
      std::string error;
      const std::string text = PlainText(*letter, format, &error);
      EXPECT_TRUE(error.empty()) << file << ": " << error;
      ++totals->letters;
      for (const Forbidden& f : forbidden) {
        ++totals->checked_values;
        const size_t at = text.find(f.text);
        EXPECT_EQ(at, std::string::npos)
            << file << "\n  letter to " << (addressee_id.empty() ? "the applicant" : addressee_id) << " ("
            << (format == ExplainOptions::Format::kText ? "text" : format == ExplainOptions::Format::kJson ? "json" : "html")
            << ") shows " << f.what << " “" << f.text << "”:\n  …" << (at == std::string::npos ? "" : Around(text, at, f.text.size()))
            << "…";
      }
    }
  }
}

TEST(ExplainPrivacyTest, NoApplicantLetterShowsAnotherPersonsData) {
  const std::vector<test_support::ShippedCase> cases = test_support::LoadShippedCases(SourceDir());
  ASSERT_GE(cases.size(), 100u) << "the shipped cases were not found under " << SourceDir() << "/rules";
  Totals totals;
  for (const test_support::ShippedCase& c : cases) {
    const std::string& file = c.file;
    const v1::TestCase& test = c.test;
    ASSERT_TRUE(c.problem.empty()) << file << ": " << c.problem;
    const Program* program = c.program.get();
    EvalOptions eval;
    eval.trace = true;
    v1::Decision decision;
    const absl::Status s = test_support::EvaluateShippedCase(c, eval, &decision);
    ASSERT_TRUE(s.ok()) << file << ": " << s;
    ++totals.cases;
    CheckCase(file, test, decision, *program, &totals);
  }
  EXPECT_EQ(totals.cases, static_cast<int>(cases.size()));
  // The property was really exercised: letters were written and values looked for.
  EXPECT_GE(totals.letters, 3 * totals.cases);
  EXPECT_GT(totals.checked_values, 1000);
  std::cout << totals.cases << " cases, " << totals.letters << " letters, " << totals.checked_values
            << " (letter, forbidden value) pairs checked\n";
}

}  // namespace
}  // namespace heyan
