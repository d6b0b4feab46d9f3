// Fuzz target: the application JSON reader (io/application_reader.h), both as an Application
// line and as a VerificationRequest line, through the padded zero-copy path that
// `heyan eval` uses and the copying one, and the record checks it makes beyond protobuf.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "io/application_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static heyan::io::ApplicationReader* reader = new heyan::io::ApplicationReader();
  // A copy with the padding the zero-copy path may read past the end (its content unused).
  std::string buffer(reinterpret_cast<const char*>(data), size);
  buffer.append(heyan::io::ApplicationReader::kPadding, '\0');
  std::string_view json(buffer.data(), size);

  heyan::io::ReadError error;
  heyan::v1::Application application;
  if (reader->ParseJson(json, buffer.size(), &application, &error)) {
    heyan::io::CheckApplication(application, &error);
  }
  heyan::v1::Application copied;
  reader->ParseJson(json, &copied, &error);
  if (heyan::io::IsVerificationRequestJson(json)) {
    heyan::v1::VerificationRequest request;
    reader->ParseJson(json, buffer.size(), &request, &error);
  }
  return 0;
}
