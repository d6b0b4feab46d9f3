// Whose data a value shows (see subjects.h).
#include "runtime/subjects.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "heyan/v1/registry.pb.h"

namespace heyan::internal {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

// The message-typed fields of each personal message type, computed once: the walk from a
// member down to one of its items reads only these.
struct PersonalTypes {
  // Bits of `kinds`: a type found inside a member, inside a supporter, a registry record.
  static constexpr uint8_t kOfMember = 1, kOfSupporter = 2, kRecord = 4;
  absl::flat_hash_map<const Descriptor*, uint8_t> kinds;
  absl::flat_hash_map<const Descriptor*, std::vector<const FieldDescriptor*>> message_fields;

  uint8_t KindOf(const Descriptor* d) const {
    auto it = kinds.find(d);
    return it == kinds.end() ? 0 : it->second;
  }

  PersonalTypes() {
    auto reach = [&](const Descriptor* root, uint8_t kind) {
      std::vector<const Descriptor*> stack = {root};
      while (!stack.empty()) {
        const Descriptor* t = stack.back();
        stack.pop_back();
        uint8_t& k = kinds[t];
        if (k & kind) continue;
        k |= kind;
        std::vector<const FieldDescriptor*>& fields = message_fields[t];
        fields.clear();
        for (int i = 0; i < t->field_count(); ++i) {
          if (t->field(i)->message_type() == nullptr) continue;
          fields.push_back(t->field(i));
          stack.push_back(t->field(i)->message_type());
        }
      }
    };
    reach(v1::Member::descriptor(), kOfMember);
    reach(v1::RelativeSupport::descriptor(), kOfSupporter);
    const Descriptor* registries = v1::Registries::descriptor();
    for (int i = 0; i < registries->field_count(); ++i) {
      if (registries->field(i)->message_type() != nullptr) reach(registries->field(i)->message_type(), kRecord);
    }
  }
};

const PersonalTypes& Types() {
  static const PersonalTypes* types = new PersonalTypes();
  return *types;
}

// Calls fn(message) for every message inside `root` (not `root` itself).
template <typename Fn>
void ForEachInside(const Message& root, Fn&& fn) {
  const PersonalTypes& types = Types();
  std::vector<const Message*> stack = {&root};
  while (!stack.empty()) {
    const Message* m = stack.back();
    stack.pop_back();
    auto it = types.message_fields.find(m->GetDescriptor());
    if (it == types.message_fields.end()) continue;
    const Reflection* r = m->GetReflection();
    for (const FieldDescriptor* f : it->second) {
      if (!f->is_repeated()) {
        if (!r->HasField(*m, f)) continue;
        const Message* child = &r->GetMessage(*m, f);
        fn(child);
        stack.push_back(child);
        continue;
      }
      const int n = r->FieldSize(*m, f);
      for (int k = 0; k < n; ++k) {
        const Message* child = &r->GetRepeatedMessage(*m, f, k);
        fn(child);
        stack.push_back(child);
      }
    }
  }
}

}  // namespace

bool IsPersonalType(const Descriptor* d) { return Types().KindOf(d) != 0; }

std::string_view SubjectIndex::Place(const char* list, int index) {
  std::string name = absl::StrCat(list, "[", index + 1, "]");
  for (const std::string& p : places_) {
    if (p == name) return p;
  }
  return places_.emplace_back(std::move(name));
}

std::string_view SubjectIndex::Member(int i) {
  const std::string& id = application_->members(i).id_number();
  return id.empty() ? Place("成员", i) : std::string_view(id);
}

std::string_view SubjectIndex::Supporter(int i) {
  const std::string& id = application_->relative_support(i).supporter_id_number();
  return id.empty() ? Place("赡养扶养", i) : std::string_view(id);
}

std::string_view SubjectIndex::Of(const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  const PersonalTypes& types = Types();
  const uint8_t kind = types.KindOf(d);
  if (kind == 0) return "";  // household-level
  const bool of_member = kind & PersonalTypes::kOfMember, of_supporter = kind & PersonalTypes::kOfSupporter;
  if (application_ != nullptr && d == v1::Member::descriptor()) {
    for (int i = 0; i < application_->members_size(); ++i) {
      if (&application_->members(i) == &m) return Member(i);
    }
  } else if (application_ != nullptr && d == v1::RelativeSupport::descriptor()) {
    for (int i = 0; i < application_->relative_support_size(); ++i) {
      if (&application_->relative_support(i) == &m) return Supporter(i);
    }
  } else if (application_ != nullptr && (of_member || of_supporter)) {
    // Items inside members and supporters (incomes, expenditures): indexed on first use, as
    // a trace asks about every item a sum looked at.
    if (!indexed_) {
      indexed_ = true;
      items_.clear();
      for (int i = 0; i < application_->members_size(); ++i) {
        const std::string_view who = Member(i);
        ForEachInside(application_->members(i), [&](const Message* item) { items_[item] = who; });
      }
      for (int i = 0; i < application_->relative_support_size(); ++i) {
        const std::string_view who = Supporter(i);
        ForEachInside(application_->relative_support(i), [&](const Message* item) { items_[item] = who; });
      }
    }
    auto it = items_.find(&m);
    if (it != items_.end()) return it->second;
  }
  if (kind & PersonalTypes::kRecord) {
    // Every record type carries the ID number of the person it is about.
    const FieldDescriptor* id = d->FindFieldByName("id_number");
    if (id != nullptr && id->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !id->is_repeated()) {
      std::string scratch;
      const std::string& value = m.GetReflection()->GetStringReference(m, id, &scratch);
      if (value.empty()) return kUnknownSubject;
      return &value == &scratch ? std::string_view(places_.emplace_back(value)) : std::string_view(value);
    }
  }
  // Household-level data, or a person's message that is not in this application.
  return of_member || of_supporter ? kUnknownSubject : "";
}

void SubjectIndex::AbsorbHousehold(std::vector<const Message*>* reads, size_t mark) {
  if (reads == nullptr || reads->size() <= mark) return;
  std::string_view first;
  for (size_t k = mark; k < reads->size(); ++k) {
    std::string_view s = Of(*(*reads)[k]);
    if (s.empty()) continue;
    if (first.empty()) {
      first = s;
    } else if (s != first) {
      reads->resize(mark);
      return;
    }
  }
}

void AddSubject(std::string_view subject, google::protobuf::RepeatedPtrField<std::string>* out) {
  if (subject.empty()) return;
  for (const std::string& x : *out) {
    if (x == subject) return;
  }
  out->Add()->assign(subject.data(), subject.size());
}

void AddSubjects(SubjectIndex& index, const std::vector<const Message*>& reads,
                 google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const Message* m : reads) AddSubject(index.Of(*m), out);
}

}  // namespace heyan::internal
