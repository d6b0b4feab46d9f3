// Whose data a value shows (see subjects.h).
#include "runtime/subjects.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace heyan::internal {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void SubjectIndex::Build() {
  owner_.clear();
  names_.clear();
  built_ = true;
  if (application_ == nullptr) return;
  // Every message inside `root` (itself included) belongs to the person `name`. An explicit
  // stack: the data model nests only a few levels, but the walk stays flat by habit.
  auto claim = [&](const Message& root, std::string name) {
    const int owner = static_cast<int>(names_.size());
    names_.push_back(std::move(name));
    std::vector<const Message*> stack = {&root};
    while (!stack.empty()) {
      const Message* m = stack.back();
      stack.pop_back();
      owner_[m] = owner;
      const Reflection* r = m->GetReflection();
      std::vector<const FieldDescriptor*> fields;
      r->ListFields(*m, &fields);
      for (const FieldDescriptor* f : fields) {
        if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
        if (!f->is_repeated()) {
          stack.push_back(&r->GetMessage(*m, f));
          continue;
        }
        for (int k = 0; k < r->FieldSize(*m, f); ++k) stack.push_back(&r->GetRepeatedMessage(*m, f, k));
      }
    }
  };
  for (int i = 0; i < application_->members_size(); ++i) {
    const v1::Member& m = application_->members(i);
    claim(m, m.id_number().empty() ? absl::StrCat("成员[", i + 1, "]") : m.id_number());
  }
  for (int i = 0; i < application_->relative_support_size(); ++i) {
    const v1::RelativeSupport& s = application_->relative_support(i);
    claim(s, s.supporter_id_number().empty() ? absl::StrCat("赡养扶养[", i + 1, "]") : s.supporter_id_number());
  }
}

std::string SubjectIndex::Of(const Message& m) {
  if (!built_) Build();
  auto it = owner_.find(&m);
  if (it != owner_.end()) return names_[it->second];
  // Not part of the application's members or supporters: a registry record (every record
  // type carries the ID number of the person it is about) or household-level data.
  const FieldDescriptor* id = m.GetDescriptor()->FindFieldByName("id_number");
  if (id != nullptr && id->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !id->is_repeated()) {
    std::string value = m.GetReflection()->GetString(m, id);
    return value.empty() ? std::string(kUnknownSubject) : value;
  }
  return "";
}

void SubjectIndex::AbsorbHousehold(std::vector<const Message*>* reads, size_t mark) {
  if (reads == nullptr || reads->size() <= mark) return;
  std::string first;
  for (size_t k = mark; k < reads->size(); ++k) {
    std::string s = Of(*(*reads)[k]);
    if (s.empty()) continue;
    if (first.empty()) {
      first = std::move(s);
    } else if (s != first) {
      reads->resize(mark);
      return;
    }
  }
}

void AddSubject(const std::string& subject, google::protobuf::RepeatedPtrField<std::string>* out) {
  if (subject.empty()) return;
  for (const std::string& x : *out) {
    if (x == subject) return;
  }
  *out->Add() = subject;
}

void AddSubjects(SubjectIndex& index, const std::vector<const Message*>& reads,
                 google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const Message* m : reads) AddSubject(index.Of(*m), out);
}

}  // namespace heyan::internal
