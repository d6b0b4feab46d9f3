// Shared helpers of the fuzz targets (fuzz/*_fuzzer.cc).
//
// Readers that take a path (registry files, test cases) get the fuzz input through a file in
// the process's own scratch folder: the bytes are the file, exactly as a county would hand
// it over. One file per process and target, overwritten on every input.
#ifndef HEYAN_FUZZ_FUZZ_UTIL_H_
#define HEYAN_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace heyan::fuzz {

// Writes `data` to a per-process scratch file named after `tag`; returns its path.
inline std::string WriteScratch(const char* tag, const uint8_t* data, size_t size) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/heyan-fuzz-" +
                     std::to_string(getpid()) + "-" + tag;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();  // the harness itself is broken: stop loudly
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

// Folder of the source tree (rules and example data used by the targets).
inline std::string SourceDir() {
  const char* env = std::getenv("HEYAN_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : HEYAN_SOURCE_DIR;
}

}  // namespace heyan::fuzz

#endif  // HEYAN_FUZZ_FUZZ_UTIL_H_
