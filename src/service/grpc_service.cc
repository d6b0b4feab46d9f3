// The gRPC glue of `heyan serve` (see grpc_service.h).
#include "service/grpc_service.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/method_handler.h>
#include <grpcpp/support/sync_stream.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/stubs/logging.h"
#include "heyan/v1/service.pb.h"

namespace heyan::service {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(flag, " ", path, ": ", Bilingual("无法读取", "cannot read")));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Why raw bytes: gRPC's generated handlers answer a request that does not parse with
// INTERNAL and an empty message, and a client stream simply ends at such a message (the
// rest of the batch silently dropped). The service parses each message itself instead, so
// malformed bytes are INVALID_ARGUMENT with a reason, for a batch at its index.
using Bytes = grpc::ByteBuffer;

// The last protobuf error logged on this thread (the field of invalid UTF-8 text).
thread_local std::string t_protobuf_error;

void CaptureProtobufLog(google::protobuf::LogLevel level, const char* file, int line, const std::string& message) {
  if (message.find("invalid UTF-8") != std::string::npos) {
    t_protobuf_error = message;
    return;  // reported to the caller, not the console: a client could flood the log
  }
  std::fprintf(stderr, "[libprotobuf %s:%d] %s\n", file, line, message.c_str());
}

template <typename M>
absl::Status Parse(const Bytes& in, M* out) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (in.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  t_protobuf_error.clear();
  if (out->ParseFromString(bytes)) return absl::OkStatus();
  std::string why = "无法解析";
  if (const size_t q = t_protobuf_error.find("String field '"); q != std::string::npos) {
    const size_t e = t_protobuf_error.find('\'', q + 14);
    why = absl::StrCat("字段 ", t_protobuf_error.substr(q + 14, e == std::string::npos ? 0 : e - q - 14),
                       " 的文本不是有效的 UTF-8");
  }
  return absl::InvalidArgumentError(Bilingual(
      absl::StrCat("请求不是有效的 ", M::descriptor()->full_name(), " 消息（", in.Length(), " 字节）：", why),
      "the request bytes are not a valid message of that type"));
}

grpc::Status Reply(const google::protobuf::Message& m, Bytes* out) {
  const std::string bytes = m.SerializeAsString();
  grpc::Slice slice(bytes);
  *out = Bytes(&slice, 1);
  return grpc::Status::OK;
}

class VerificationService final : public grpc::Service {
 public:
  VerificationService(Core* core, const ServerOptions* options)
      : core_(core), options_(options), admission_(options->workers, options->queue) {
    anonymous_.name = "anonymous";
    anonymous_.all_counties = true;
    using grpc::internal::RpcMethod;
    using grpc::internal::RpcServiceMethod;
    using Unary = grpc::internal::RpcMethodHandler<VerificationService, Bytes, Bytes, Bytes, Bytes>;
    auto unary = [this](const char* name, grpc::Status (VerificationService::*f)(grpc::ServerContext*, const Bytes*, Bytes*)) {
      AddMethod(new RpcServiceMethod(
          name, RpcMethod::NORMAL_RPC,
          new Unary([f](VerificationService* s, grpc::ServerContext* c, const Bytes* q, Bytes* r) { return (s->*f)(c, q, r); },
                    this)));
    };
    // Method names as proto/heyan/v1/service.proto declares them (reflection reads the
    // service name from them and its descriptor from the generated pool).
    unary("/heyan.v1.Verification/Evaluate", &VerificationService::Evaluate);
    AddMethod(new RpcServiceMethod(
        "/heyan.v1.Verification/EvaluateStream", RpcMethod::CLIENT_STREAMING,
        new grpc::internal::ClientStreamingHandler<VerificationService, Bytes, Bytes>(
            [](VerificationService* s, grpc::ServerContext* c, grpc::ServerReader<Bytes>* r, Bytes* out) {
              return s->EvaluateStream(c, r, out);
            },
            this)));
    unary("/heyan.v1.Verification/Explain", &VerificationService::Explain);
    unary("/heyan.v1.Verification/Check", &VerificationService::Check);
    unary("/heyan.v1.Verification/RuleSets", &VerificationService::RuleSets);
  }

  Admission* admission() { return &admission_; }

  grpc::Status Evaluate(grpc::ServerContext* ctx, const Bytes* in, Bytes* out) {
    v1::VerificationRequest request;
    v1::Decision decision;
    grpc::Status s = Call(ctx, [&](const Caller& caller) {
      absl::Status parsed = Parse(*in, &request);
      return parsed.ok() ? core_->Evaluate(caller, "Evaluate", request, &decision) : parsed;
    });
    return s.ok() ? Reply(decision, out) : s;
  }

  grpc::Status EvaluateStream(grpc::ServerContext* ctx, grpc::ServerReader<Bytes>* reader, Bytes* out) {
    absl::StatusOr<const Caller*> caller = Authenticate(ctx);
    if (!caller.ok()) return ToGrpc(caller.status());
    const absl::Time deadline = Deadline(ctx);
    v1::BatchResponse response;
    v1::VerificationRequest request;
    Bytes message;
    int index = 0;
    while (reader->Read(&message)) {
      if (index >= core_->options().max_batch) {
        return ToGrpc(absl::ResourceExhaustedError(Bilingual(
            absl::StrCat("一批最多 ", core_->options().max_batch, " 个请求"), "too many requests in one stream")));
      }
      if (absl::Now() >= deadline || ctx->IsCancelled()) {
        return ToGrpc(absl::DeadlineExceededError(Bilingual(
            absl::StrCat("已超过时限，已收到 ", index, " 个请求"), "deadline exceeded during the batch")));
      }
      v1::BatchResult* result = response.add_results();
      result->set_index(index++);
      absl::Status s = Parse(message, &request);
      if (s.ok()) {
        result->set_request_id(request.request_id());
        // A slot per request: a slow sender holds no worker while it sends.
        AdmissionSlot slot(&admission_);
        s = slot.Enter(deadline);
        if (s.ok()) s = core_->Evaluate(**caller, "EvaluateStream", request, result->mutable_decision());
      }
      if (s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kDeadlineExceeded) {
        return ToGrpc(s);  // the audit log or the clock: the whole batch stops
      }
      if (s.ok()) {
        response.set_decided(response.decided() + 1);
      } else {
        result->clear_decision();
        result->set_code(static_cast<int>(s.code()));
        result->set_message(std::string(s.message()));
        response.set_refused(response.refused() + 1);
      }
    }
    return Reply(response, out);
  }

  grpc::Status Explain(grpc::ServerContext* ctx, const Bytes* in, Bytes* out) {
    v1::ExplainRequest request;
    v1::ExplainResponse response;
    grpc::Status s = Call(ctx, [&](const Caller& caller) {
      absl::Status parsed = Parse(*in, &request);
      return parsed.ok() ? core_->Explain(caller, request, &response) : parsed;
    });
    return s.ok() ? Reply(response, out) : s;
  }

  grpc::Status Check(grpc::ServerContext* ctx, const Bytes* in, Bytes* out) {
    v1::CheckRequest request;
    v1::CheckResponse response;
    grpc::Status s = Call(ctx, [&](const Caller&) {
      absl::Status parsed = Parse(*in, &request);
      return parsed.ok() ? core_->Check(request, &response) : parsed;
    });
    return s.ok() ? Reply(response, out) : s;
  }

  grpc::Status RuleSets(grpc::ServerContext* ctx, const Bytes* in, Bytes* out) {
    absl::StatusOr<const Caller*> caller = Authenticate(ctx);
    if (!caller.ok()) return ToGrpc(caller.status());
    v1::RuleSetsRequest request;
    if (absl::Status parsed = Parse(*in, &request); !parsed.ok()) return ToGrpc(parsed);
    v1::RuleSetsResponse response;
    core_->RuleSets(&response);
    return Reply(response, out);
  }

 private:
  template <typename F>
  grpc::Status Call(grpc::ServerContext* ctx, F body) {
    absl::StatusOr<const Caller*> caller = Authenticate(ctx);
    if (!caller.ok()) return ToGrpc(caller.status());
    const absl::Time deadline = Deadline(ctx);
    AdmissionSlot slot(&admission_);
    absl::Status s = slot.Enter(deadline);
    if (s.ok() && ctx->IsCancelled()) {
      s = absl::CancelledError(Bilingual("调用方已取消", "cancelled by the caller"));
    }
    if (s.ok()) s = body(**caller);
    return ToGrpc(s);
  }

  // The caller's deadline or the service's own limit, whichever is first.
  absl::Time Deadline(grpc::ServerContext* ctx) const {
    const absl::Time limit = absl::Now() + options_->max_call_time;
    const absl::Time theirs = absl::FromChrono(ctx->deadline());
    return std::min(limit, theirs);
  }

  absl::StatusOr<const Caller*> Authenticate(grpc::ServerContext* ctx) const {
    if (!options_->clients.has_value()) return &anonymous_;
    const Clients& clients = *options_->clients;
    const auto& metadata = ctx->client_metadata();
    auto it = metadata.find("authorization");
    if (it != metadata.end()) {
      absl::string_view value(it->second.data(), it->second.size());
      if (absl::StartsWithIgnoreCase(value, "bearer ")) {
        const Caller* caller = clients.ByToken(value.substr(7));
        if (caller != nullptr) return caller;
      }
      return absl::UnauthenticatedError(Bilingual("令牌无效", "unknown bearer token"));
    }
    std::shared_ptr<const grpc::AuthContext> auth = ctx->auth_context();
    if (auth != nullptr && auth->IsPeerAuthenticated()) {
      for (const grpc::string_ref& cn : auth->FindPropertyValues("x509_common_name")) {
        const Caller* caller = clients.ByCertificate(absl::string_view(cn.data(), cn.size()));
        if (caller != nullptr) return caller;
      }
      return absl::UnauthenticatedError(Bilingual("客户端证书未登记", "client certificate not in --clients"));
    }
    return absl::UnauthenticatedError(
        Bilingual("未提供凭据（authorization: Bearer 令牌，或客户端证书）", "no credentials"));
  }

  Core* core_;
  const ServerOptions* options_;
  Admission admission_;
  Caller anonymous_;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<VerificationService> service;
  std::unique_ptr<grpc::Server> server;
  std::atomic<bool> shut_down{false};
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(Core* core, ServerOptions options) {
  if (!options.clients.has_value() && !options.allow_anonymous) {
    return absl::InvalidArgumentError(Bilingual(
        "没有 --clients：请给出客户端文件（令牌或证书及其县区），或明确用 --allow-anonymous 允许匿名调用",
        "no --clients; give a clients file or --allow-anonymous"));
  }
  auto server = std::unique_ptr<Server>(new Server());
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.options = std::move(options);
  impl.service = std::make_unique<VerificationService>(core, &impl.options);

  std::shared_ptr<grpc::ServerCredentials> creds;
  if (!impl.options.tls_cert.empty() || !impl.options.tls_key.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(impl.options.tls_cert, "--tls-cert");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(impl.options.tls_key, "--tls-key");
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    if (!impl.options.tls_client_ca.empty()) {
      absl::StatusOr<std::string> ca = ReadPem(impl.options.tls_client_ca, "--tls-client-ca");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    creds = grpc::SslServerCredentials(ssl);
  } else if (!impl.options.tls_client_ca.empty()) {
    return absl::InvalidArgumentError(Bilingual("--tls-client-ca 需要 --tls-cert 和 --tls-key",
                                                "--tls-client-ca needs --tls-cert and --tls-key"));
  } else {
    creds = grpc::InsecureServerCredentials();
  }

  google::protobuf::SetLogHandler(&CaptureProtobufLog);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(impl.options.listen, creds, &server->port_);
  builder.RegisterService(impl.service.get());
  builder.SetMaxReceiveMessageSize(impl.options.max_request_bytes);
  // gRPC's own thread limit sits above the admission limits: the threads past the workers
  // wait in the queue or answer RESOURCE_EXHAUSTED, and beyond this gRPC itself answers
  // RESOURCE_EXHAUSTED, so no load makes the service stop answering.
  grpc::ResourceQuota quota("heyan-serve");
  quota.SetMaxThreads(impl.options.workers + impl.options.queue + 16);
  builder.SetResourceQuota(quota);
  impl.server = builder.BuildAndStart();
  if (impl.server == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("--listen ", impl.options.listen, ": ", Bilingual("无法监听该地址", "cannot listen there")));
  }
  grpc::HealthCheckServiceInterface* health = impl.server->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus("heyan.v1.Verification", true);
    health->SetServingStatus(true);
  }
  return server;
}

Server::~Server() {
  if (impl_ != nullptr && impl_->server != nullptr) {
    Shutdown(absl::ZeroDuration());
    impl_->server->Wait();
  }
}

void Server::Shutdown(absl::Duration grace) {
  bool expected = false;
  if (!impl_->shut_down.compare_exchange_strong(expected, true)) return;
  if (grpc::HealthCheckServiceInterface* health = impl_->server->GetHealthCheckService()) health->Shutdown();
  impl_->server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

void Server::Wait() { impl_->server->Wait(); }

Admission* Server::admission() { return impl_->service->admission(); }

}  // namespace heyan::service
