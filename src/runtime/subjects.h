// Whose data a value shows: the `subjects` of Decision reasons, values, amounts and trace
// steps (proto/heyan/v1/decision.proto). Private to the runtime.
//
// Why the runtime and not the explanation decides: a rule message such as "有一项收入
// （{收入.来源}，{收入.金额}）…" names nobody, yet shows one member's income. Only the
// evaluator knows which messages a rendered value was read from, so it records them while an
// explanation value renders (Frame::reads) and turns them into persons here; explanations
// for applicants then hide by person, not by searching text for names.
//
// The rules (documented for users in docs/explain-zh.md, 隐私保护):
//  * A member, everything inside a member (incomes, expenditures) and a registry record
//    belong to one person; a relative-support entry belongs to its supporter. The
//    application's other messages (assets, homes, subsidies, the application itself) are
//    household-level.
//  * A person is named by ID number; without one, by place: "成员[2]", "赡养扶养[1]".
//  * A sum, a count or 任一/全部 that read the data of two or more persons is a household
//    figure and belongs to nobody; over one person's data it is still that person's.
//  * Named values (计算, 输出, parameters, tables) are household figures; the items of a list
//    a value shows are still their owners' (a list of members names each member).
#ifndef HEYAN_RUNTIME_SUBJECTS_H_
#define HEYAN_RUNTIME_SUBJECTS_H_

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "heyan/v1/application.pb.h"

namespace heyan::internal {

// The subject used when the engine cannot tell whose a value is (explanations treat it as
// another person's).
inline constexpr char kUnknownSubject[] = "*";

// Whether messages of type `d` belong to one person: a member and what it holds (incomes,
// expenditures), a relative-support entry, a registry record.
bool IsPersonalType(const google::protobuf::Descriptor* d);

// Tells which person a message of one application, or a registry record, belongs to. One per
// Frame; Reset at the start of each evaluation. Asked only while explanation values render
// (a few messages per reason), it indexes the members' items only when first asked about
// one. Not thread-safe (a Frame is per thread).
class SubjectIndex {
 public:
  void Reset(const v1::Application* application) {
    application_ = application;
    places_.clear();
    indexed_ = false;
  }

  // The person `m` belongs to, "" when it is household-level, kUnknownSubject for a
  // person's message that is not in the application. The view is valid until Reset (it
  // points into the application, a record, or this index).
  std::string_view Of(const google::protobuf::Message& m);

  // Forgets the reads from `mark` on when they concern two or more persons: a sum, count
  // or 任一/全部 over them is a household figure (see above).
  void AbsorbHousehold(std::vector<const google::protobuf::Message*>* reads, size_t mark);

 private:
  std::string_view Place(const char* list, int index);
  std::string_view Member(int i);
  std::string_view Supporter(int i);

  const v1::Application* application_ = nullptr;
  std::deque<std::string> places_;  // "成员[2]", and record IDs that had to be copied
  bool indexed_ = false;
  absl::flat_hash_map<const google::protobuf::Message*, std::string_view> items_;  // item -> owner
};

// Appends to `out` the subject of each message in `reads`, skipping household-level ones and
// subjects already in `out`.
void AddSubjects(SubjectIndex& index, const std::vector<const google::protobuf::Message*>& reads,
                 google::protobuf::RepeatedPtrField<std::string>* out);

// Appends `subject` to `out` unless it is empty or already there.
void AddSubject(std::string_view subject, google::protobuf::RepeatedPtrField<std::string>* out);

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_SUBJECTS_H_
