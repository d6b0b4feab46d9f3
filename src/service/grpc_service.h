// `heyan serve` on the network: the heyan.v1.Verification gRPC service
// (proto/heyan/v1/service.proto) over a Core, with the standard health service
// (grpc.health.v1.Health, "heyan.v1.Verification" and "") and server reflection.
//
// Every call is authenticated (a bearer token from the --clients file, or a TLS client
// certificate), admitted (Admission: bounded workers and queue, RESOURCE_EXHAUSTED beyond),
// limited in time (the caller's deadline or max_call_time, whichever comes first) and in
// size (max_request_bytes per message, max_batch messages per stream).
//
// Thread-safety: Start/Shutdown from one thread; the service itself runs on gRPC's threads.
#ifndef HEYAN_SERVICE_GRPC_SERVICE_H_
#define HEYAN_SERVICE_GRPC_SERVICE_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/admission.h"
#include "service/clients.h"
#include "service/core.h"

namespace grpc {
class Server;
}

namespace heyan::service {

struct ServerOptions {
  // host:port; port 0 picks a free one (see Server::port()).
  std::string listen = "127.0.0.1:50051";
  // Who may call (clients.h). Without them every caller is "anonymous" with every county,
  // which Start refuses unless allow_anonymous (tests, a workstation).
  std::optional<Clients> clients;
  bool allow_anonymous = false;
  // TLS: PEM files. With tls_client_ca, clients must present a certificate it signed.
  std::string tls_cert, tls_key, tls_client_ca;
  // Largest request message accepted (bytes); larger: RESOURCE_EXHAUSTED.
  int max_request_bytes = 4 << 20;
  // Longest a call may take, whatever deadline the caller set (none included).
  absl::Duration max_call_time = absl::Seconds(30);
  // Requests decided at once, and waiting beyond those.
  int workers = 8;
  int queue = 64;
};

class Server {
 public:
  // Builds and starts the service; returns once it listens.
  static absl::StatusOr<std::unique_ptr<Server>> Start(Core* core, ServerOptions options);
  ~Server();

  int port() const { return port_; }
  // Stops accepting calls, lets running ones finish (at most `grace`), then returns.
  void Shutdown(absl::Duration grace = absl::Seconds(5));
  // Blocks until Shutdown.
  void Wait();
  Admission* admission();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace heyan::service

#endif  // HEYAN_SERVICE_GRPC_SERVICE_H_
