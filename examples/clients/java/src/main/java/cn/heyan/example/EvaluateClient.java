// A county system's call to `heyan serve` from Java: one household in, the decision out.
//
//   java cn.heyan.example.EvaluateClient HOST:PORT TOKEN APPLICATION.json
//
// APPLICATION.json is one heyan.v1.Application in protobuf JSON (e.g. a line of
// examples/data/applications.jsonl). TOKEN is the client's bearer token from the service's
// --clients file ("-" for a service started with --allow-anonymous).
package cn.heyan.example;

import cn.heyan.v1.Decision;
import cn.heyan.v1.Reason;
import cn.heyan.v1.VerificationGrpc;
import cn.heyan.v1.VerificationRequest;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

public final class EvaluateClient {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: EvaluateClient HOST:PORT TOKEN APPLICATION.json");
      System.exit(2);
    }
    VerificationRequest.Builder request = VerificationRequest.newBuilder().setRequestId("java-example-1");
    String json = new String(Files.readAllBytes(Paths.get(args[2])), StandardCharsets.UTF_8);
    JsonFormat.parser().merge(json, request.getApplicationBuilder());

    // Plaintext for a service on loopback; use .useTransportSecurity() (and a client
    // certificate, if the service asks for one) across the network.
    ManagedChannel channel = ManagedChannelBuilder.forTarget(args[0]).usePlaintext().build();
    try {
      VerificationGrpc.VerificationBlockingStub stub = VerificationGrpc.newBlockingStub(channel);
      if (!args[1].equals("-")) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + args[1]);
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      Decision decision = stub.withDeadlineAfter(10, TimeUnit.SECONDS).evaluate(request.build());
      System.out.println("结论 outcome: " + decision.getOutcome());
      System.out.println("保障金额 benefit (fen): " + decision.getBenefitFen());
      System.out.println("规则指纹 rules fingerprint: " + decision.getRulesFingerprint());
      for (Reason r : decision.getReasonsList()) {
        System.out.println("  " + r.getRuleId() + " " + r.getTitle() + ": " + r.getMessage());
      }
    } catch (StatusRuntimeException e) {
      // INVALID_ARGUMENT names the field; PERMISSION_DENIED: another county's application;
      // FAILED_PRECONDITION: the pinned rules fingerprint changed; RESOURCE_EXHAUSTED: retry.
      Status s = e.getStatus();
      System.err.println(s.getCode() + ": " + s.getDescription());
      System.exit(1);
    } finally {
      channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
