// Fuzz target: one registry file loader (Registries::LoadFile), chosen at build time by
// HEYAN_FUZZ_REGISTRY_FORMAT (kCsv, kJsonLines, kBinary, kIdList). The first input byte
// picks the registry (its record type decides which columns and fields exist); the rest is
// the file. Loading then looks every loaded ID up, as the evaluator does.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "google/protobuf/message.h"
#include "heyan/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> names = heyan::Registries::Names();
  if (size == 0) return 0;
  const std::string& name = names[data[0] % names.size()];
  const std::string path = heyan::fuzz::WriteScratch("registry", data + 1, size - 1);
  heyan::Registries registries;
  heyan::RegistryCheckInfo check{"2024-03-01", "fuzz", ""};
  absl::Status status =
      registries.LoadFile(name, path, heyan::RegistryFormat::HEYAN_FUZZ_REGISTRY_FORMAT, check);
  if (!status.ok()) return 0;
  // A loaded registry must answer look-ups for what it holds and for what it does not.
  const int index = heyan::Registries::IndexOf(name);
  std::vector<std::unique_ptr<google::protobuf::Message>> out;
  registries.Contains(index, "410100197005010011");
  registries.Fetch(index, "410100197005010011", &out);
  return 0;
}
