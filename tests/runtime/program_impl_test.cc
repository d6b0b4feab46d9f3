// ProgramImpl's Decision writer: a Decision evaluated into again (the batch loop reuses one)
// is overwritten in place rather than cleared (runtime/program_impl.cc). Whatever it held
// before, the result must be exactly what evaluating into a new Decision gives: these tests
// fill every field of the reused Decision with junk (so a field the writer forgets, e.g. one
// added to decision.proto later, fails here) and decide every shipped case in every mode.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "support/shipped_cases.h"

namespace heyan {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Sets every field of `m` to a value no evaluation writes, recursively: each element a
// repeated field already holds is overwritten too (the writer reuses those elements, so a
// field it forgets to write there must show), and two junk elements are appended.
void FillWithJunk(Message* m, int depth = 0) {
  const Reflection* r = m->GetReflection();
  const auto* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      const int existing = r->FieldSize(*m, f);
      for (int k = 0; k < existing + 2; ++k) {
        const bool add = k >= existing;
        switch (f->cpp_type()) {
          case FieldDescriptor::CPPTYPE_STRING: {
            const std::string junk = absl::StrCat("junk-", f->name(), "-", k);
            add ? r->AddString(m, f, junk) : r->SetRepeatedString(m, f, k, junk);
            break;
          }
          case FieldDescriptor::CPPTYPE_INT64:
            add ? r->AddInt64(m, f, 777 + k) : r->SetRepeatedInt64(m, f, k, 777 + k);
            break;
          case FieldDescriptor::CPPTYPE_INT32:
            add ? r->AddInt32(m, f, 77 + k) : r->SetRepeatedInt32(m, f, k, 77 + k);
            break;
          case FieldDescriptor::CPPTYPE_BOOL:
            add ? r->AddBool(m, f, true) : r->SetRepeatedBool(m, f, k, !r->GetRepeatedBool(*m, f, k));
            break;
          case FieldDescriptor::CPPTYPE_ENUM: {
            const int v = f->enum_type()->value(f->enum_type()->value_count() - 1)->number();
            add ? r->AddEnumValue(m, f, v) : r->SetRepeatedEnumValue(m, f, k, v);
            break;
          }
          case FieldDescriptor::CPPTYPE_MESSAGE:
            if (depth < 4) FillWithJunk(add ? r->AddMessage(m, f) : r->MutableRepeatedMessage(m, f, k), depth + 1);
            break;
          default:
            break;
        }
      }
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        r->SetString(m, f, absl::StrCat("junk-", f->name()));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        r->SetInt64(m, f, 777);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(m, f, 77);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        r->SetBool(m, f, !r->GetBool(*m, f));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        r->SetEnumValue(m, f, f->enum_type()->value(f->enum_type()->value_count() - 1)->number());
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) FillWithJunk(r->MutableMessage(m, f), depth + 1);
        break;
      default:
        break;
    }
  }
}

using Case = test_support::ShippedCase;

// The shipped cases, every one loaded (a case that cannot be is a failure, not a skip).
std::vector<Case> ShippedCases() {
  std::vector<Case> cases = test_support::LoadShippedCases(HEYAN_SOURCE_DIR);
  for (const Case& c : cases) EXPECT_TRUE(c.problem.empty()) << c.file << ": " << c.problem;
  return cases;
}

absl::Status EvaluateCase(const Case& c, const EvalOptions& options, v1::Decision* d) {
  return test_support::EvaluateShippedCase(c, options, d, "req-1");
}

EvalOptions Mode(int m) {
  EvalOptions o;
  o.trace = m == 0;
  o.explain = m != 2;
  return o;
}

TEST(ProgramImplTest, ReusedDecisionFullOfJunkEqualsNewDecision) {
  const std::vector<Case> cases = ShippedCases();
  ASSERT_GT(cases.size(), 50u);
  int compared = 0;
  for (const Case& c : cases) {
    for (int mode = 0; mode < 3; ++mode) {
      v1::Decision fresh;
      ASSERT_TRUE(EvaluateCase(c, Mode(mode), &fresh).ok()) << c.file;
      // The same Decision object twice: the second evaluation reuses what the first wrote,
      // after every field was overwritten with junk in between.
      v1::Decision reused;
      ASSERT_TRUE(EvaluateCase(c, Mode(mode), &reused).ok()) << c.file;
      FillWithJunk(&reused);
      ASSERT_TRUE(EvaluateCase(c, Mode(mode), &reused).ok()) << c.file;
      std::string diff;
      google::protobuf::util::MessageDifferencer differ;
      differ.ReportDifferencesToString(&diff);
      EXPECT_TRUE(differ.Compare(fresh, reused)) << c.file << " mode " << mode << ":\n" << diff;
      ++compared;
    }
  }
  EXPECT_EQ(compared, static_cast<int>(cases.size()) * 3);
}

// Evaluation i of the reused-Decision sequence: case i % n in mode (i + i / n) % 3.
int ModeOf(size_t i, size_t n) { return static_cast<int>((i + i / n) % 3); }

TEST(ProgramImplTest, OneDecisionReusedAcrossCasesAndModesEqualsNewDecisions) {
  const std::vector<Case> cases = ShippedCases();
  ASSERT_GT(cases.size(), 50u);
  // The expected answers first: evaluating into another Decision between two uses of the
  // reused one would make the writer start that one afresh (as the batch loop never does).
  const int kRounds = 2;
  std::vector<v1::Decision> fresh(cases.size() * kRounds);
  for (size_t i = 0; i < fresh.size(); ++i) {
    ASSERT_TRUE(EvaluateCase(cases[i % cases.size()], Mode(ModeOf(i, cases.size())), &fresh[i]).ok());
  }
  // One Decision carries each evaluation's answer into the next, through every case and
  // mode (the second round gives each case the next mode, so each case is written over
  // other predecessors in other modes; lean answers follow full ones and traced ones).
  v1::Decision reused;
  for (size_t i = 0; i < fresh.size(); ++i) {
    const Case& c = cases[i % cases.size()];
    const int mode = ModeOf(i, cases.size());
    ASSERT_TRUE(EvaluateCase(c, Mode(mode), &reused).ok()) << c.file;
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(fresh[i], reused)) << c.file << " mode " << mode << ":\n" << diff;
  }
}

TEST(ProgramImplTest, FailedEvaluationLeavesDecisionCleared) {
  const std::vector<Case> cases = ShippedCases();
  ASSERT_FALSE(cases.empty());
  v1::Decision d;
  ASSERT_TRUE(EvaluateCase(cases[0], Mode(1), &d).ok());
  EvalOptions bad;
  bad.as_of = "not a date";
  EXPECT_FALSE(cases[0].program->Evaluate(cases[0].test.application(), *cases[0].registries, bad, &d).ok());
  EXPECT_EQ(d.ByteSizeLong(), 0u);
}

}  // namespace
}  // namespace heyan
