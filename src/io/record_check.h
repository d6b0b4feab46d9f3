// Checks on data-model records (applications and registry records) that protobuf's parsers
// do not make. Private to the library.
//
// Pipeline position: right after a record is parsed, before it is evaluated or indexed. The
// JSON, CSV and binary readers all end here, so a record means the same whichever way it
// came in.
//
// The data model's integers are amounts, areas and counts, never negative:
//   * money (unit "fen"), areas (unit "centi") and int32 counts and grades (套数, 人数,
//     离家年数, 残疾等级, ...) must be >= 0;
//   * an enum field must hold a value its enum declares (proto3 keeps any number);
//   * for registry records, a date (unit "date") must be YYYY-MM-DD or empty.
// protobuf's JSON parser also reads some integers wrongly instead of refusing them:
//   * -9223372036854775809 and below become INT64_MIN (the literal goes through a double);
//   * 1.2345678901234567e17 (a fraction or an exponent) is rounded to a double first.
// CheckJsonIntegers finds those in the JSON text.
//
// Failures: false, with the field path ("members[0].incomes[1].amount_fen") and the problem
// (Chinese, naming the value). Never an exception.
#ifndef HEYAN_IO_RECORD_CHECK_H_
#define HEYAN_IO_RECORD_CHECK_H_

#include <string>
#include <string_view>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace heyan::io {

struct RecordCheckOptions {
  bool dates = false;  // check unit "date" text too (registry records; the evaluator judges
                       // an application's dates itself, as missing evidence)
};

// True if `field` holds an amount, area or count that must not be negative.
bool MustNotBeNegative(const google::protobuf::FieldDescriptor* field);

// Checks `record` and everything in it. False with *field and *problem set on the first
// offending value.
bool CheckRecord(const google::protobuf::Message& record, const RecordCheckOptions& options,
                 std::string* field, std::string* problem);

// Looks at the integer literals of `json`, which JsonStringToMessage accepted as a `type`
// message, for the ones it reads wrongly (see above). False with *field and *problem set.
// JSON it cannot follow is not its concern (true): protobuf has judged the syntax.
bool CheckJsonIntegers(std::string_view json, const google::protobuf::Descriptor* type,
                       std::string* field, std::string* problem);

}  // namespace heyan::io

#endif  // HEYAN_IO_RECORD_CHECK_H_
