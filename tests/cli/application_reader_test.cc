// io::ApplicationReader (simdjson JSON -> Application) agrees with protobuf's
// JsonStringToMessage, and io::ProtoJsonWriter agrees with MessageToJsonString, byte for byte.
//
// Agreement is checked three ways: round trips of the example applications and of random
// messages printed in every protobuf JSON style (all of which the fast path must take on its
// own, without falling back); a table of odd and malformed lines, where the reader's answer
// must be protobuf's; and the error records' field paths.
//
// HEYAN_READER_BENCH=FILE (protobuf-JSON Application lines) makes the Throughput test time
// both parsers on FILE and print records/s; without it that test does nothing.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "io/application_reader.h"

namespace heyan::io {
namespace {

using google::protobuf::util::JsonParseOptions;
using google::protobuf::util::JsonPrintOptions;
using google::protobuf::util::JsonStringToMessage;
using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::MessageToJsonString;

const std::string kSourceDir = HEYAN_SOURCE_DIR;

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> ExampleLines() {
  return ReadLines(kSourceDir + "/examples/data/applications.jsonl");
}

// The four protobuf JSON styles a county system might send.
std::vector<JsonPrintOptions> PrintStyles() {
  std::vector<JsonPrintOptions> styles(4);
  styles[1].preserve_proto_field_names = true;
  styles[2].always_print_primitive_fields = true;  // zeros, empty strings and lists too
  styles[2].always_print_enums_as_ints = true;
  styles[3].preserve_proto_field_names = true;
  styles[3].always_print_primitive_fields = true;
  styles[3].add_whitespace = true;  // multi-line JSON is still one JSON value
  return styles;
}

// Parses `json` with the fast path alone and with protobuf; both must accept it and agree.
void ExpectFastAgrees(ApplicationReader& reader, const std::string& json) {
  v1::Application expected;
  ASSERT_TRUE(JsonStringToMessage(json, &expected).ok()) << json;
  v1::Application got;
  std::string why;
  ASSERT_TRUE(reader.ParseJsonFastOnly(json, &got, &why)) << why << "\n" << json;
  EXPECT_TRUE(MessageDifferencer::Equals(expected, got)) << json;
  // Field presence and order too: the binary encodings are the same.
  EXPECT_EQ(expected.SerializeAsString(), got.SerializeAsString()) << json;
}

TEST(ApplicationReaderTest, ExampleLinesTakeTheFastPath) {
  const std::vector<std::string> lines = ExampleLines();
  ASSERT_GE(lines.size(), 300u);
  ApplicationReader reader;
  for (const std::string& line : lines) ExpectFastAgrees(reader, line);
}

TEST(ApplicationReaderTest, ExamplesRoundTripInEveryPrintStyle) {
  ApplicationReader reader;
  for (const std::string& line : ExampleLines()) {
    v1::Application app;
    ASSERT_TRUE(JsonStringToMessage(line, &app).ok());
    for (const JsonPrintOptions& style : PrintStyles()) {
      std::string json;
      ASSERT_TRUE(MessageToJsonString(app, &json, style).ok());
      ExpectFastAgrees(reader, json);
    }
  }
}

// Deterministic generator, independent of the standard library's distributions.
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 11;
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }
  // The data model's integers (money, areas, counts) are never negative: a negative one is
  // an error (NegativeQuantitiesAreRefused), so round trips use the whole non-negative range.
  int64_t Int64() {
    switch (Below(5)) {
      case 0: return 0;
      case 1: return INT64_MAX - Below(3);
      case 2: return Below(3);
      case 3: return static_cast<int64_t>(Below(1000000));
      default: return static_cast<int64_t>(Next() % 100000000000ULL);
    }
  }
  int32_t Int32() {
    switch (Below(4)) {
      case 0: return INT32_MAX;
      case 1: return 0;
      case 2: return Below(100);
      default: return Below(1000);
    }
  }
  // Text with escapes protobuf and JSON care about: quotes, backslashes, controls, <>,
  // non-ASCII (CJK, an emoji as a surrogate pair), NUL.
  std::string Text() {
    static const char* kPieces[] = {"张三", "a", "\"", "\\", "\n", "\t", "<b>", "\x01",
                                    "" /* NUL, below */, "é", "😀", "\u2028", "/", " "};
    std::string s;
    const int n = Below(6);
    for (int i = 0; i < n; ++i) {
      const int k = Below(14);
      if (k == 8) {
        s.push_back('\0');
      } else {
        s += kPieces[k];
      }
    }
    return s;
  }

 private:
  uint64_t state_;
};

v1::Application RandomApplication(Lcg& rng) {
  v1::Application app;
  app.set_id(rng.Text());
  app.set_kind(static_cast<v1::ApplicationKind>(rng.Below(4)));
  app.set_county(rng.Text());
  app.set_hukou_type(static_cast<v1::HukouType>(rng.Below(3)));
  app.set_application_date(rng.Chance(50) ? "2024-01-31" : "");
  if (rng.Chance(60)) app.set_farmland_centi_mu(rng.Int64());
  if (rng.Chance(60)) app.set_declares_staff_relative(rng.Chance(50));
  const int members = rng.Below(4);
  for (int i = 0; i < members; ++i) {
    v1::Member* m = app.add_members();
    m->set_id_number(rng.Text());
    m->set_name(rng.Text());
    m->set_sex(static_cast<v1::Sex>(rng.Below(3)));
    if (rng.Chance(70)) m->set_birth_date(rng.Chance(50) ? "" : "1960-02-29");
    if (rng.Chance(70)) m->set_lives_together(rng.Chance(50));
    m->set_relation(static_cast<v1::Relation>(rng.Below(10)));
    m->set_years_away(rng.Int32());
    m->set_disability_grade(rng.Int32());
    m->set_major_illness(rng.Chance(30));
    const int incomes = rng.Below(3);
    for (int k = 0; k < incomes; ++k) {
      v1::Income* in = m->add_incomes();
      in->set_source(static_cast<v1::IncomeSource>(rng.Below(19)));
      in->set_amount_fen(rng.Int64());
      in->set_period(static_cast<v1::IncomePeriod>(rng.Below(3)));
      in->set_tax_and_insurance_fen(rng.Int64());
    }
    if (rng.Chance(30)) m->add_expenditures()->set_receipts_provided(true);
  }
  if (rng.Chance(30)) app.add_relative_support()->set_supporter_household_size(rng.Int32());
  if (rng.Chance(60)) {
    v1::Assets* a = app.mutable_assets();
    if (rng.Chance(50)) a->mutable_homes()->set_count(rng.Int32());
    if (rng.Chance(50)) a->mutable_financial();  // present but empty
    if (rng.Chance(50)) {
      v1::Vehicle* v = a->add_vehicles();
      v->set_kind(static_cast<v1::VehicleKind>(rng.Below(7)));
      v->set_value_fen(rng.Int64());
      v->set_plate(rng.Text());
    }
    if (rng.Chance(30)) a->add_enterprises();  // an empty element
  }
  return app;
}

TEST(ApplicationReaderTest, RandomMessagesRoundTripInEveryPrintStyle) {
  Lcg rng(42);
  ApplicationReader reader;
  for (int i = 0; i < 500; ++i) {
    const v1::Application app = RandomApplication(rng);
    for (const JsonPrintOptions& style : PrintStyles()) {
      std::string json;
      ASSERT_TRUE(MessageToJsonString(app, &json, style).ok());
      ExpectFastAgrees(reader, json);
      // And protobuf's parse is the message we started from.
      v1::Application back;
      ASSERT_TRUE(JsonStringToMessage(json, &back).ok());
      EXPECT_TRUE(MessageDifferencer::Equals(app, back)) << json;
    }
  }
}

// Lines Heyan refuses although JsonStringToMessage accepts them (see the header): a negative
// amount, area or count, an enum number the enum does not declare.
bool HeyanRefuses(const std::string& line) {
  static const std::set<std::string> refused = {
      R"({"members":[{"sex":99}]})",
      R"({"farmland_centi_mu":-9223372036854775808})",
      R"({"members":[{"yearsAway":-2147483648}]})",
  };
  return refused.count(line) > 0;
}

// Lines where the fast path must defer or fail: whatever the reader answers (accept with a
// message, or reject) must be exactly protobuf's answer, except where Heyan refuses more.
TEST(ApplicationReaderTest, OddAndMalformedLinesGetProtobufsAnswer) {
  const std::vector<std::string> lines = {
      R"({"id":"a","members":[{"birthDate":5}]})",
      R"({"members":[{"sex":"BOGUS"}]})",
      R"({"members":[{"sex":99}]})",                       // open enum: kept as 99
      R"({"members":[{"sex":"1"}]})",                      // number in a string
      R"({"members":[{"sex":"99"}]})",
      R"({"members":[{"sex":null}]})",
      R"({"members":[{"sex":1.0}]})",
      R"({"members":[{"sex":true}]})",
      R"({"members":[{"incomes":[{},{"amountFen":1.5}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":1.0}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":1e3}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":"1e3"}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":" 12"}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":"+12"}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":"012"}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":"-0"}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":""}]}]})",
      R"({"members":[{"incomes":[{},{"amountFen":"-"}]}]})",
      R"({"farmland_centi_mu":9223372036854775808})",
      R"({"farmland_centi_mu":-9223372036854775808})",
      R"({"farmland_centi_mu":"9223372036854775807"})",
      R"({"farmland_centi_mu":"9223372036854775808"})",
      R"({"farmland_centi_mu":123456789012345678901234567890})",
      R"({"farmland_centi_mu":01})",
      R"({"farmland_centi_mu":-0})",
      R"({"farmland_centi_mu":null})",
      R"({"farmland_centi_mu":0})",
      R"({"members":[{"yearsAway":3000000000}]})",
      R"({"members":[{"yearsAway":-2147483648}]})",
      R"({"members":[{"yearsAway":-2147483649}]})",
      R"({"members":[{"yearsAway":"3"}]})",
      R"({"members":[{"yearsAway":"0x10"}]})",
      R"({"members":[{"yearsAway":true}]})",
      R"({"members":[{"majorIllness":"true"}]})",
      R"({"members":[{"majorIllness":1}]})",
      R"({"members":[{"name":true}]})",
      R"({"members":[{"name":12}]})",
      R"({"members":[{"name":"a	b"}]})",                 // raw tab inside a string
      R"({"members":[{"name":"\u00e9\ud83d\ude00"}]})",
      R"({"id":"\ud800"})",
      R"({"id":"a\u0000b"})",
      R"({"i\u0064":"x"})",                                // escaped key
      R"({"bogus":1})",
      R"({"Id":"a"})",
      R"({"members":[{"bogus":1}]})",
      R"({"assets":{"homes":{"bogus":{}}}})",
      R"({"id":"a","id":"b"})",                            // duplicate key
      R"({"members":[{"name":"a"}],"members":[{"name":"b"}]})",
      R"({"assets":{"homes":{"count":1}},"assets":{"homes":{"nonResidentialCount":2}}})",
      R"({"members":[{"birth_date":"x","birthDate":"y"}]})",
      R"({"members":{}})",                                 // an object for a list
      R"({"members":[1]})",
      R"({"members":[null]})",
      R"({"members":[[]]})",
      R"({"members":null})",
      R"({"assets":null})",
      R"({"assets":{"vehicles":null}})",
      R"({"assets":[]})",
      R"({"assets":"x"})",
      R"({"id":null})",
      R"({"id":"a",)",
      R"({"id":"a"} x)",
      R"({"id":"a"}{"id":"b"})",
      R"({"id":"a"},)",
      R"({'id':'a'})",
      R"({id:"a"})",
      R"({"id" "a"})",
      R"({"id":"a" "county":"b"})",
      R"({"id":"a",})",
      R"([])",
      R"("x")",
      R"(5)",
      R"(null)",
      R"()",
      R"(   )",
      R"({})",
      R"(  {"id":"a"}  )",
      "{\"id\":\"\xff\"}",                                 // not UTF-8
      "{\"id\":\"\xe5\xbc\"}",                             // truncated UTF-8
      R"({"members":[{"incomes":[{"period":"ANNUAL","kind":2}]}]})",
      R"({"declaresStaffRelative":null})",
      R"({"declaresStaffRelative":false})",
      R"({"members":[{"livesTogether":false}]})",
      R"({"assets":{}})",
      R"({"members":[{}]})",
  };
  ApplicationReader reader;
  for (const std::string& line : lines) {
    v1::Application expected;
    const bool protobuf_ok = JsonStringToMessage(line, &expected).ok();
    v1::Application got;
    ReadError error;
    const bool ok = reader.ParseJson(line, &got, &error);
    EXPECT_EQ(ok, protobuf_ok && !HeyanRefuses(line)) << line << "\n" << error.field << ": " << error.message;
    if (ok && protobuf_ok) {
      EXPECT_EQ(expected.SerializeAsString(), got.SerializeAsString()) << line;
    }
    if (!ok) EXPECT_FALSE(error.message.empty()) << line;
    // The fast path alone never accepts what protobuf rejects or reads differently.
    v1::Application fast;
    if (reader.ParseJsonFastOnly(line, &fast, nullptr)) {
      EXPECT_TRUE(protobuf_ok) << line;
      EXPECT_EQ(expected.SerializeAsString(), fast.SerializeAsString()) << line;
    }
  }
}

TEST(ApplicationReaderTest, ZeroCopyParseInsideALargerBuffer) {
  const std::vector<std::string> lines = ExampleLines();
  std::string buffer;
  std::vector<std::pair<size_t, size_t>> spans;
  for (size_t i = 0; i < 20; ++i) {
    spans.emplace_back(buffer.size(), lines[i].size());
    buffer += lines[i];
    buffer += '\n';
  }
  buffer.append(ApplicationReader::kPadding, 'x');  // padding content is never read as JSON
  ApplicationReader reader;
  for (size_t i = 0; i < spans.size(); ++i) {
    v1::Application got, expected;
    ReadError error;
    ASSERT_TRUE(reader.ParseJson(std::string_view(buffer.data() + spans[i].first, spans[i].second),
                                 buffer.size() - spans[i].first, &got, &error))
        << error.message;
    ASSERT_TRUE(JsonStringToMessage(lines[i], &expected).ok());
    EXPECT_EQ(expected.SerializeAsString(), got.SerializeAsString());
  }
  EXPECT_EQ(reader.fast_parses(), spans.size());
  EXPECT_EQ(reader.fallback_parses(), 0u);
}

struct ErrorCase {
  std::string json;
  std::string field;
  std::string message_part;
};

TEST(ApplicationReaderTest, ErrorsNameTheFieldPath) {
  const std::vector<ErrorCase> cases = {
      {R"({"id":"a","members":[{"name":"x"},{"birthDate":5}]})", "members[1].birth_date",
       "invalid value 5"},
      {R"({"members":[{"incomes":[{},{"amountFen":"12元"}]}]})",
       "members[0].incomes[1].amount_fen", "invalid value"},
      {R"({"members":[{"sex":"男"}]})", "members[0].sex", "heyan.v1.Sex"},
      {R"({"members":[{"yearsAway":3000000000}]})", "members[0].years_away", "TYPE_INT32"},
      {R"({"members":[{"name":"x","bogus":1}]})", "members[0].bogus", "Cannot find field"},
      {R"({"assets":{"homes":{"rooms":3}}})", "assets.homes.rooms", "Cannot find field"},
      {R"({"household_id":"HH1"})", "household_id", "Cannot find field"},
      {R"({"id":"a",)", "", "(column "},
      {R"({"id":"a"} trailing)", "", "(column 12)"},
      {R"([1,2])", "", "Root element must be a message"},
  };
  ApplicationReader reader;
  for (const ErrorCase& c : cases) {
    v1::Application app;
    ReadError error;
    ASSERT_FALSE(reader.ParseJson(c.json, &app, &error)) << c.json;
    EXPECT_EQ(error.field, c.field) << c.json << " -> " << error.message;
    EXPECT_NE(error.message.find(c.message_part), std::string::npos)
        << c.json << " -> " << error.message;
    EXPECT_EQ(error.message.find('\n'), std::string::npos) << error.message;
  }
}

// What protobuf's JSON parser accepts but reads wrongly, and values the data model does not
// have: errors naming the field, whether the fast path or the fallback reads the line.
TEST(ApplicationReaderTest, IntegersProtobufMisreadsAreRefused) {
  const std::vector<ErrorCase> cases = {
      // Below INT64_MIN: protobuf reads INT64_MIN.
      {R"({"farmlandCentiMu":-9223372036854775809})", "farmland_centi_mu", "超出 64 位整数的范围"},
      {R"({"members":[{"incomes":[{},{"amountFen":-9223372036854776000}]}]})",
       "members[0].incomes[1].amount_fen", "超出 64 位整数的范围"},
      // An exponent beyond 2^53: protobuf rounds through a double.
      {R"({"members":[{"incomes":[{"amountFen":1.2345678901234567e17}]}]})",
       "members[0].incomes[0].amount_fen", "精确"},
      {R"({'farmland_centi_mu':-9223372036854775809})", "farmland_centi_mu", "超出 64 位整数的范围"},
  };
  ApplicationReader reader;
  for (const ErrorCase& c : cases) {
    v1::Application app;
    ReadError error;
    EXPECT_FALSE(reader.ParseJson(c.json, &app, &error)) << c.json;
    EXPECT_EQ(error.field, c.field) << c.json << " -> " << error.message;
    EXPECT_NE(error.message.find(c.message_part), std::string::npos) << c.json << " -> " << error.message;
    // The fallback on its own says the same.
    ReadError fallback;
    EXPECT_FALSE(ParseJsonWithProtobuf(c.json, &app, &fallback)) << c.json;
    EXPECT_EQ(fallback.field, c.field) << c.json;
  }
  // What is exact stays accepted.
  for (const char* ok : {R"({"farmlandCentiMu":9007199254740991})", R"({"farmlandCentiMu":1e3})",
                         R"({"farmlandCentiMu":9223372036854775807})", R"({"farmlandCentiMu":-0})"}) {
    v1::Application app;
    ReadError error;
    EXPECT_TRUE(reader.ParseJson(ok, &app, &error)) << ok << " -> " << error.message;
  }
}

TEST(ApplicationReaderTest, NegativeQuantitiesAndUndeclaredEnumsAreRefused) {
  const std::vector<ErrorCase> cases = {
      {R"({"members":[{"incomes":[{},{"amountFen":-5}]}]})", "members[0].incomes[1].amount_fen", "负数"},
      {R"({"members":[{"incomes":[{"taxAndInsuranceFen":"-5"}]}]})", "members[0].incomes[0].tax_and_insurance_fen",
       "负数"},
      {R"({"farmlandCentiMu":-1})", "farmland_centi_mu", "负数"},
      {R"({"members":[{},{"yearsAway":-1}]})", "members[1].years_away", "负数"},
      {R"({"members":[{"disabilityGrade":-2}]})", "members[0].disability_grade", "负数"},
      {R"({"assets":{"homes":{"count":-1}}})", "assets.homes.count", "负数"},
      {R"({"assets":{"vehicles":[{"valueFen":"-100"}]}})", "assets.vehicles[0].value_fen", "负数"},
      {R"({"relativeSupport":[{"dependants":-3}]})", "relative_support[0].dependants", "负数"},
      {R"({"members":[{"sex":99}]})", "members[0].sex", "heyan.v1.Sex"},
      {R"({"hukouType":7})", "hukou_type", "7"},
      // Through the fallback too (a duplicate key makes the fast path defer).
      {R"({"id":"a","id":"b","members":[{"incomes":[{"amountFen":-5}]}]})", "members[0].incomes[0].amount_fen",
       "负数"},
  };
  ApplicationReader reader;
  for (const ErrorCase& c : cases) {
    v1::Application app;
    ReadError error;
    EXPECT_FALSE(reader.ParseJson(c.json, &app, &error)) << c.json;
    EXPECT_EQ(error.field, c.field) << c.json << " -> " << error.message;
    EXPECT_NE(error.message.find(c.message_part), std::string::npos) << c.json << " -> " << error.message;
    // The fast path alone never accepts them.
    EXPECT_FALSE(reader.ParseJsonFastOnly(c.json, &app, nullptr)) << c.json;
  }
}

TEST(ApplicationReaderTest, CheckApplicationForOtherInputs) {
  // Binary input (heyan eval --in-format binary, the C ABI) goes through the same checks.
  v1::Application app;
  app.add_members()->add_incomes()->set_amount_fen(100);
  ReadError error;
  EXPECT_TRUE(CheckApplication(app, &error)) << error.message;
  app.mutable_members(0)->add_incomes()->set_amount_fen(-1);
  EXPECT_FALSE(CheckApplication(app, &error));
  EXPECT_EQ(error.field, "members[0].incomes[1].amount_fen");
  app.mutable_members(0)->mutable_incomes(1)->set_amount_fen(1);
  app.set_hukou_type(static_cast<v1::HukouType>(42));
  EXPECT_FALSE(CheckApplication(app, &error));
  EXPECT_EQ(error.field, "hukou_type");
}

// ---- ProtoJsonWriter -------------------------------------------------------------------------

std::string ProtobufJson(const google::protobuf::Message& m) {
  JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  EXPECT_TRUE(MessageToJsonString(m, &json, options).ok());
  return json;
}

std::string WriterJson(ProtoJsonWriter& writer, const google::protobuf::Message& m) {
  std::string json;
  writer.Append(m, &json);
  return json;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

TEST(ProtoJsonWriterTest, EscapesEveryCodePointAsProtobufDoes) {
  ProtoJsonWriter writer;
  v1::Decision d;
  for (uint32_t start = 0; start <= 0x10FFFF; start += 512) {
    std::string s;
    for (uint32_t cp = start; cp < start + 512 && cp <= 0x10FFFF; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      AppendUtf8(cp, &s);
    }
    d.set_application_id(s);
    ASSERT_EQ(WriterJson(writer, d), ProtobufJson(d)) << "code points from " << start;
  }
  EXPECT_EQ(writer.fallbacks(), 0u);
}

TEST(ProtoJsonWriterTest, OddValuesMatchProtobuf) {
  ProtoJsonWriter writer;
  v1::Decision d;
  EXPECT_EQ(WriterJson(writer, d), ProtobufJson(d));  // {}
  d.set_outcome(static_cast<v1::Outcome>(99));           // unknown enum value
  d.set_benefit_fen(INT64_MIN);
  d.set_counted_income_fen(-1);
  d.add_reasons();                                       // empty element
  d.add_reasons()->add_values()->set_name("a\"b\\c<d>e&f'g\x7f");
  d.add_covered_members("");
  d.add_amounts()->set_fen(INT64_MAX);
  EXPECT_EQ(WriterJson(writer, d), ProtobufJson(d));
  EXPECT_EQ(writer.fallbacks(), 0u);
  // Not UTF-8: printed by protobuf itself, so still the same.
  d.set_tier("\xff\xfe");
  EXPECT_EQ(WriterJson(writer, d), ProtobufJson(d));
  EXPECT_EQ(writer.fallbacks(), 1u);
}

// Real decisions (explained, traced, lean) of the example applications print the same.
TEST(ProtoJsonWriterTest, ExampleDecisionsMatchProtobuf) {
  absl::StatusOr<CompileResult> compiled = CompileFile(kSourceDir + "/rules/examples/city.heyan");
  ASSERT_TRUE(compiled.ok() && compiled->ok());
  Registries registries;
  const std::string data = kSourceDir + "/examples/data/";
  for (const char* name :
       {"public_payroll_staff", "staff_relatives", "vehicle_registrations",
        "disability_certificates", "machinery_subsidies", "social_insurance",
        "poverty_registry"}) {
    ASSERT_TRUE(registries.LoadFile(name, data + name + ".csv").ok()) << name;
  }
  std::vector<EvalOptions> modes(3);
  modes[1].trace = true;
  modes[2].explain = false;
  ProtoJsonWriter writer;
  ApplicationReader reader;
  for (const std::string& line : ExampleLines()) {
    v1::Application app;
    ReadError error;
    ASSERT_TRUE(reader.ParseJson(line, &app, &error));
    for (const EvalOptions& mode : modes) {
      v1::Decision d;
      ASSERT_TRUE(compiled->program->Evaluate(app, registries, mode, &d).ok());
      ASSERT_EQ(WriterJson(writer, d), ProtobufJson(d)) << app.id();
    }
  }
  EXPECT_EQ(writer.fallbacks(), 0u);
}

// ---- throughput (only with HEYAN_READER_BENCH=FILE) ------------------------------------------

TEST(ApplicationReaderTest, Throughput) {
  const char* path = std::getenv("HEYAN_READER_BENCH");
  if (path == nullptr) GTEST_SKIP() << "set HEYAN_READER_BENCH=FILE to measure";
  const std::vector<std::string> lines = ReadLines(path);
  ASSERT_FALSE(lines.empty());
  size_t bytes = 0;
  for (const std::string& l : lines) bytes += l.size();
  using Clock = std::chrono::steady_clock;
  auto report = [&](const char* name, double seconds) {
    std::cout << name << ": " << lines.size() << " records in " << seconds << " s = "
              << static_cast<int64_t>(lines.size() / seconds) << " records/s, "
              << bytes / seconds / 1e6 << " MB/s\n";
  };
  // HEYAN_READER_BENCH_PROTOBUF=N: time protobuf on the first N lines only (it is slow).
  const char* protobuf_lines = std::getenv("HEYAN_READER_BENCH_PROTOBUF");
  const size_t protobuf_n =
      protobuf_lines == nullptr ? lines.size() : std::min<size_t>(lines.size(), std::atoll(protobuf_lines));
  for (int round = 0; round < 3; ++round) {
    if (protobuf_n > 0) {
      v1::Application app;
      size_t protobuf_bytes = 0;
      const Clock::time_point start = Clock::now();
      for (size_t i = 0; i < protobuf_n; ++i) {
        app.Clear();
        ASSERT_TRUE(JsonStringToMessage(lines[i], &app).ok());
        protobuf_bytes += lines[i].size();
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      std::cout << "protobuf JsonStringToMessage: " << protobuf_n << " records in " << seconds
                << " s = " << static_cast<int64_t>(protobuf_n / seconds) << " records/s, "
                << protobuf_bytes / seconds / 1e6 << " MB/s\n";
    }
    {
      ApplicationReader reader;
      v1::Application app;
      ReadError error;
      const Clock::time_point start = Clock::now();
      for (const std::string& l : lines) ASSERT_TRUE(reader.ParseJson(l, &app, &error));
      report("io::ApplicationReader       ", std::chrono::duration<double>(Clock::now() - start).count());
      EXPECT_EQ(reader.fallback_parses(), 0u);
    }
  }
}

}  // namespace
}  // namespace heyan::io
