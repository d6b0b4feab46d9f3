#!/usr/bin/env bash
# Builds the Java client example offline from Debian's packages (libgrpc-java,
# libprotobuf-java, protobuf-compiler-grpc-java-plugin; scripts/install-deps.sh installs
# them) instead of Maven Central: protoc generates the messages and the gRPC stub from
# proto/, javac compiles them with the example into OUT (default /tmp/heyan-java-client).
# With arguments it then runs the client with Debian's Netty transport:
#   build-debian.sh HOST:PORT TOKEN APPLICATION.json
# (With Maven Central instead: `mvn compile exec:java -Dexec.args="HOST:PORT TOKEN FILE"`.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${OUT:-/tmp/heyan-java-client}
rm -rf "$out" && mkdir -p "$out/gen" "$out/classes"
protoc -I "$root/proto" --java_out="$out/gen" --grpc-java_out="$out/gen" \
  --plugin=protoc-gen-grpc-java=/usr/bin/grpc_java_plugin \
  heyan/v1/options.proto heyan/v1/application.proto heyan/v1/registry.proto heyan/v1/verification.proto \
  heyan/v1/decision.proto heyan/v1/service.proto
j=/usr/share/java
cp="$j/protobuf.jar:$j/protobuf-util.jar:$j/grpc-api.jar:$j/grpc-stub.jar:$j/grpc-protobuf.jar:$j/grpc-protobuf-lite.jar"
cp="$cp:$j/grpc-context.jar:$j/guava.jar:$j/jsr305.jar:$j/geronimo-annotation-1.3-spec.jar:$j/gson.jar"
javac -encoding UTF-8 -nowarn -d "$out/classes" -cp "$cp" \
  $(find "$out/gen" -name '*.java') "$here/src/main/java/cn/heyan/example/EvaluateClient.java"
echo "compiled: $out/classes/cn/heyan/example/EvaluateClient.class" >&2
if [ $# -gt 0 ]; then
  run="$cp:$j/grpc-core.jar:$j/grpc-netty.jar:$j/perfmark-api.jar:$j/gson.jar"
  for n in buffer codec codec-http codec-http2 codec-socks common handler handler-proxy resolver transport; do
    run="$run:$j/netty-$n.jar"
  done
  run="$run:$j/error_prone_annotations.jar:$j/failureaccess.jar"
  exec java -cp "$out/classes:$run" cn.heyan.example.EvaluateClient "$@"
fi
