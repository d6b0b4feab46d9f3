// Measures loading one registry file: wall time and peak resident memory.
//   registry_load NAME FILE   e.g. registry_load public_payroll_staff ids10m.txt
// Prints one JSON line: {"records":…, "load_s":…, "peak_rss_mib":…, "lookups_per_s":…}.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "heyan/registry.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: registry_load NAME FILE\n");
    return 2;
  }
  heyan::Registries registries;
  auto start = std::chrono::steady_clock::now();
  absl::Status s = registries.LoadFile(argv[1], argv[2]);
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  // Membership look-ups of the first 1,000,000 IDs in the file (all hits).
  std::vector<std::string> ids;
  std::ifstream in(argv[2]);
  std::string line;
  while (ids.size() < 1000000 && std::getline(in, line)) ids.push_back(line);
  const int index = heyan::Registries::IndexOf(argv[1]);
  start = std::chrono::steady_clock::now();
  size_t hits = 0;
  for (const std::string& id : ids) hits += registries.Contains(index, id);
  double lookup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("{\"records\":%zu,\"load_s\":%.3f,\"peak_rss_mib\":%.1f,\"lookups_per_s\":%.0f,\"hits\":%zu}\n",
              registries.size(argv[1]), load_s, usage.ru_maxrss / 1024.0, ids.size() / lookup_s, hits);
  return 0;
}
