#!/usr/bin/python3
"""End-to-end tests of `heyan serve` through Debian's python3-grpcio, one ctest per case.

usage: serve_test.py CASE HEYAN SOURCE_DIR BUILD_PYTHON_DIR WORK_DIR

Each case starts the real binary on 127.0.0.1 with an ephemeral port (it prints
"listening on HOST:PORT"), talks to it as a county system would, and stops it. Deadlines
are used only as limits; nothing asserts how long anything took.
"""
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import types

CASE, HEYAN, SRC, PYDIR, WORK = sys.argv[1:6]

# The generated modules without the bindings' heyan/__init__.py (which loads the native
# module, not needed here): a bare package object pointing at the generated files.
_pkg = types.ModuleType("heyan")
_pkg.__path__ = [os.path.join(PYDIR, "heyan")]
sys.modules["heyan"] = _pkg

import grpc  # noqa: E402
from google.protobuf import descriptor_pb2, json_format  # noqa: E402
from heyan.v1 import decision_pb2, service_pb2, service_pb2_grpc, verification_pb2  # noqa: E402

EXAMPLE_REGISTRIES = [
    "财政供养人员=public_payroll_staff.csv", "近亲属备案=staff_relatives.csv", "车辆登记=vehicle_registrations.csv",
    "残疾人证=disability_certificates.csv", "农机购置补贴=machinery_subsidies.csv", "社保=social_insurance.csv",
    "建档立卡=poverty_registry.csv",
]
CITY = os.path.join(SRC, "rules/examples/city.heyan")
TIMEOUT = 60  # seconds: a limit for each call, never asserted


def registry_flags():
    flags = []
    for r in EXAMPLE_REGISTRIES:
        name, file = r.split("=")
        flags += ["--registry", "%s=%s" % (name, os.path.join(SRC, "examples/data", file)),
                  "--checked-on", "%s=2024-03-01,测试批次" % name]
    return flags


def applications():
    with open(os.path.join(SRC, "examples/data/applications.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def request_of(app, **fields):
    req = verification_pb2.VerificationRequest()
    json_format.ParseDict(app, req.application)
    for k, v in fields.items():
        setattr(req, k, v)
    return req


class Server:
    """`heyan serve` as a subprocess; stderr goes to a file the failures print."""

    def __init__(self, *flags, rules=(CITY,), registries=True, anonymous=True, audit=None):
        self.dir = tempfile.mkdtemp(prefix="serve-", dir=WORK)
        self.audit = audit or os.path.join(self.dir, "audit.db")
        args = [HEYAN, "serve", "--listen", "127.0.0.1:0", "--audit-db", self.audit]
        for r in rules:
            args += ["--rules", r]
        if registries:
            args += registry_flags()
        if anonymous:
            args += ["--allow-anonymous"]
        args += list(flags)
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self.proc.stdout.readline()  # ends when it listens or exits
        if not line.startswith("listening on "):
            self.proc.wait(timeout=TIMEOUT)
            raise AssertionError("heyan serve did not start (exit %s):\n%s" % (self.proc.returncode, self.log()))
        self.address = line.split()[-1]

    def log(self):
        self.stderr.flush()
        with open(self.stderr_path, encoding="utf-8") as f:
            return f.read()

    def channel(self, credentials=None, options=()):
        if credentials is None:
            return grpc.insecure_channel(self.address, options=list(options))
        return grpc.secure_channel(self.address, credentials, options=list(options))

    def stub(self, **kw):
        return service_pb2_grpc.VerificationStub(self.channel(**kw))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=TIMEOUT)
        assert self.proc.returncode == 0, "exit %s\n%s" % (self.proc.returncode, self.log())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.stop()
        elif self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            sys.stderr.write(self.log())


def code_of(call, *args, **kw):
    try:
        call(*args, timeout=TIMEOUT, **kw)
    except grpc.RpcError as e:
        return e.code(), e.details()
    return grpc.StatusCode.OK, ""


def expect_error(code, fragment, call, *args, **kw):
    got, details = code_of(call, *args, **kw)
    assert got == code, "expected %s, got %s: %s" % (code, got, details)
    assert fragment in details, "expected %r in %r" % (fragment, details)
    return details


def eval_with_cli(app):
    """The decision `heyan eval` makes for one application with the same data."""
    path = os.path.join(WORK, "one-%d.jsonl" % os.getpid())
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(app, ensure_ascii=False) + "\n")
    out = subprocess.run([HEYAN, "eval", "--rules", CITY] + registry_flags() + ["--in", path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[0])


# ---- cases -----------------------------------------------------------------------------

def case_client():
    """The Python client: every method, health checking and reflection."""
    apps = applications()
    with Server() as s:
        ch = s.channel()
        # Standard health checking: grpc.health.v1.Health/Check, overall and for the service.
        health = ch.unary_unary("/grpc.health.v1.Health/Check")
        assert health(b"", timeout=TIMEOUT) == b"\x08\x01"  # status: SERVING
        name = b"heyan.v1.Verification"
        assert health(b"\x0a" + bytes([len(name)]) + name, timeout=TIMEOUT) == b"\x08\x01"
        # Server reflection: list the services, then fetch the file that defines ours.
        reflect = ch.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        answers = list(reflect(iter([b"\x3a\x00", b"\x22" + bytes([len(name)]) + name]), timeout=TIMEOUT))
        assert b"heyan.v1.Verification" in answers[0] and b"grpc.health.v1.Health" in answers[0], answers[0]
        assert b"heyan/v1/service.proto" in answers[1], answers[1][:200]

        stub = service_pb2_grpc.VerificationStub(ch)
        sets = stub.RuleSets(service_pb2.RuleSetsRequest(), timeout=TIMEOUT)
        assert len(sets.rule_sets) == 1 and sets.rule_sets[0].is_default, sets
        rules = sets.rule_sets[0]
        assert len(rules.fingerprint) == 64 and sets.generation == 1

        # Evaluate: the same decision `heyan eval` makes.
        for app in apps[:3]:
            decision = stub.Evaluate(request_of(app, request_id="q-" + app["id"]), timeout=TIMEOUT)
            cli = eval_with_cli(app)
            got = json_format.MessageToDict(decision, preserving_proto_field_name=True)
            assert got["outcome"] == cli["outcome"], (got["outcome"], cli["outcome"])
            assert got.get("benefit_fen", "0") == cli.get("benefit_fen", "0")
            assert decision.rules_fingerprint == rules.fingerprint == cli["rules_fingerprint"]
            assert decision.request_id == "q-" + app["id"]

        # EvaluateStream: a batch; one bad request fails only itself.
        batch = [request_of(a, request_id=str(i)) for i, a in enumerate(apps[:5])]
        batch[2].as_of = "2024-13-45"
        resp = stub.EvaluateStream(iter(batch), timeout=TIMEOUT)
        assert (resp.decided, resp.refused) == (4, 1), resp
        assert [r.index for r in resp.results] == [0, 1, 2, 3, 4]
        bad = resp.results[2]
        assert bad.code == grpc.StatusCode.INVALID_ARGUMENT.value[0] and "as_of" in bad.message, bad
        assert resp.results[3].decision.request_id == "3"

        # Explain: the applicant's letter as HTML, and the staff note in English.
        letter = stub.Explain(service_pb2.ExplainRequest(request=batch[0], audience=service_pb2.APPLICANT,
                                                         format=service_pb2.HTML), timeout=TIMEOUT)
        assert letter.content_type.startswith("text/html") and "<html" in letter.document
        assert letter.decision.trace, "explain decides with a trace"
        note = stub.Explain(service_pb2.ExplainRequest(request=batch[0], language=service_pb2.EN), timeout=TIMEOUT)
        assert letter.decision.outcome == note.decision.outcome and note.document
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "addressee_id_number", stub.Explain,
                     service_pb2.ExplainRequest(request=batch[0], audience=service_pb2.APPLICANT,
                                                addressee_id_number="110101199001011234"))

        # Check: rule source in, diagnostics out; imports stay in the rules folder.
        with open(CITY, encoding="utf-8") as f:
            good = stub.Check(service_pb2.CheckRequest(source=f.read(), file_name="mine.heyan"), timeout=TIMEOUT)
        assert good.ok and good.fingerprint and not any(d.error for d in good.diagnostics), good
        bad_src = stub.Check(service_pb2.CheckRequest(source="规则集 甲 版本 \"1\"\n规则 R1 \"x\" 当 未知量 > 1 则 不符合 \"x\"\n",
                                                      language=service_pb2.EN), timeout=TIMEOUT)
        assert not bad_src.ok and any(d.error and d.line == 2 for d in bad_src.diagnostics), bad_src
        err = next(d for d in bad_src.diagnostics if d.error)
        assert err.message == err.message_en and err.message_zh and err.file == "check.heyan", err
        escape = stub.Check(service_pb2.CheckRequest(source='规则集 甲 版本 "1"\n导入 "../../../../etc/passwd.heyan"\n'),
                            timeout=TIMEOUT)
        assert not escape.ok and any(d.code == "E0007" for d in escape.diagnostics), escape
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "file_name", stub.Check,
                     service_pb2.CheckRequest(source="", file_name="../x.heyan"))


def write_clients(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


XINMI_TOKEN = "xinmi-0123456789abcdef"
CITY_TOKEN = "city-0123456789abcdef"


def case_tokens():
    """Bearer tokens from --clients; each client limited to its counties."""
    apps = applications()
    xinmi = next(a for a in apps if a["county"] == "新密市")
    other = next(a for a in apps if a["county"] != "新密市")
    clients = write_clients(os.path.join(WORK, "clients-tokens.txt"),
                            "# 名称 凭据 县区\nxinmi token:%s 新密市\ncity sha256:%s *\n"
                            % (XINMI_TOKEN, hashlib.sha256(CITY_TOKEN.encode()).hexdigest()))
    with Server("--clients", clients, anonymous=False) as s:
        stub = s.stub()
        auth = lambda t: [("authorization", "Bearer " + t)]  # noqa: E731
        expect_error(grpc.StatusCode.UNAUTHENTICATED, "", stub.Evaluate, request_of(xinmi))
        expect_error(grpc.StatusCode.UNAUTHENTICATED, "令牌无效", stub.Evaluate, request_of(xinmi),
                     metadata=auth("wrong-token-wrong-token"))
        expect_error(grpc.StatusCode.UNAUTHENTICATED, "", stub.RuleSets, service_pb2.RuleSetsRequest())
        d = stub.Evaluate(request_of(xinmi), metadata=auth(XINMI_TOKEN), timeout=TIMEOUT)
        assert d.outcome != 0
        msg = expect_error(grpc.StatusCode.PERMISSION_DENIED, "application.county", stub.Evaluate,
                           request_of(other), metadata=auth(XINMI_TOKEN))
        assert other["county"] in msg and "xinmi" in msg
        # The same county check in a batch and in Explain.
        resp = stub.EvaluateStream(iter([request_of(xinmi), request_of(other)]), metadata=auth(XINMI_TOKEN),
                                   timeout=TIMEOUT)
        assert resp.decided == 1 and resp.results[1].code == grpc.StatusCode.PERMISSION_DENIED.value[0]
        expect_error(grpc.StatusCode.PERMISSION_DENIED, "request: application.county", stub.Explain,
                     service_pb2.ExplainRequest(request=request_of(other)), metadata=auth(XINMI_TOKEN))
        # No county on the application: refused for a restricted client, not guessed.
        nocounty = request_of(xinmi)
        nocounty.application.county = ""
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "application.county", stub.Evaluate, nocounty,
                     metadata=auth(XINMI_TOKEN))
        # The city's client (token kept only as its SHA-256) may decide every county.
        assert stub.Evaluate(request_of(other), metadata=auth(CITY_TOKEN), timeout=TIMEOUT).outcome != 0
    # Without --clients and without --allow-anonymous the service does not start.
    try:
        Server(anonymous=False)
        raise AssertionError("started without --clients")
    except AssertionError as e:
        assert "--allow-anonymous" in str(e), e


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_pki(d):
    """A CA, a server certificate for 127.0.0.1 and two client certificates (one of another CA)."""
    os.makedirs(d, exist_ok=True)
    for ca in ("ca", "rogue-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=%s" % ca,
                "-keyout", ca + ".key", "-out", ca + ".pem", cwd=d)
    with open(os.path.join(d, "san.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, ca, ext in (("server", "ca", ["-extfile", "san.cnf"]), ("xinmi-cert", "ca", []),
                          ("intruder", "rogue-ca", []), ("dengfeng-cert", "ca", [])):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=%s" % name, "-keyout", name + ".key",
                "-out", name + ".csr", cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                "-CAcreateserial", "-days", "2", "-out", name + ".pem", *ext, cwd=d)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def case_tls():
    """TLS with client certificates: the certificate's CN is the client in --clients."""
    pki = os.path.join(WORK, "pki")
    make_pki(pki)
    p = lambda n: os.path.join(pki, n)  # noqa: E731
    xinmi = next(a for a in applications() if a["county"] == "新密市")
    clients = write_clients(os.path.join(WORK, "clients-tls.txt"), "xinmi-cert cert 新密市\n")
    with Server("--clients", clients, "--tls-cert", p("server.pem"), "--tls-key", p("server.key"),
                "--tls-client-ca", p("ca.pem"), anonymous=False) as s:
        def creds(name):
            return grpc.ssl_channel_credentials(read(p("ca.pem")), read(p(name + ".key")), read(p(name + ".pem")))
        d = s.stub(credentials=creds("xinmi-cert")).Evaluate(request_of(xinmi), timeout=TIMEOUT)
        assert d.outcome != 0
        # A certificate of the right CA whose name is not in --clients.
        expect_error(grpc.StatusCode.UNAUTHENTICATED, "证书", s.stub(credentials=creds("dengfeng-cert")).Evaluate,
                     request_of(xinmi))
        # No client certificate, a certificate of another CA, plaintext: no call gets through.
        no_cert = grpc.ssl_channel_credentials(read(p("ca.pem")))
        for stub in (s.stub(credentials=no_cert), s.stub(credentials=creds("intruder")), s.stub()):
            got, _ = code_of(stub.Evaluate, request_of(xinmi))
            assert got == grpc.StatusCode.UNAVAILABLE, got


def case_limits():
    """Request size, batch length, deadline, and bad input named by its field path."""
    apps = applications()
    with Server("--max-request-bytes", "20000", "--max-batch", "3", "--max-seconds", "1") as s:
        stub = s.stub()
        big = request_of(apps[0])
        big.request_id = "x" * 30000
        expect_error(grpc.StatusCode.RESOURCE_EXHAUSTED, "", stub.Evaluate, big)
        expect_error(grpc.StatusCode.RESOURCE_EXHAUSTED, "3", stub.EvaluateStream,
                     iter([request_of(apps[0])] * 4))
        # Bad input: INVALID_ARGUMENT naming the field; the service keeps serving.
        neg = request_of(apps[0])
        neg.application.members[0].incomes.add().amount_fen = -5
        details = expect_error(grpc.StatusCode.INVALID_ARGUMENT, "application.members[0].incomes[", stub.Evaluate, neg)
        assert "amount_fen" in details, details
        check = request_of(apps[0])
        c = check.records.checks.add()
        c.registry = "财政供养人员"
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "records.checks[0]", stub.Evaluate, check)
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "as_of", stub.Evaluate, request_of(apps[0], as_of="2024-02-30"))
        expect_error(grpc.StatusCode.NOT_FOUND, "ruleset", stub.Evaluate, request_of(apps[0], ruleset="没有这个"))
        # Bytes that are no VerificationRequest at all.
        raw = s.channel().unary_unary("/heyan.v1.Verification/Evaluate")
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "heyan.v1.VerificationRequest", raw, b"\x0a\xff\xff\xff\xff\x0f")
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "heyan.v1.VerificationRequest.request_id", raw,
                     b"\x22\x02\xc3\x28")  # request_id: not UTF-8
        for method in ("Explain", "Check", "RuleSets"):
            expect_error(grpc.StatusCode.INVALID_ARGUMENT, "heyan.v1.", s.channel().unary_unary(
                "/heyan.v1.Verification/" + method), b"\xff")
        # In a batch a malformed message fails only its own result; the rest are decided.
        raw_stream = s.channel().stream_unary("/heyan.v1.Verification/EvaluateStream")
        good = request_of(apps[0]).SerializeToString()
        batch = service_pb2.BatchResponse.FromString(raw_stream(iter([good, b"\x0a\xff", good]), timeout=TIMEOUT))
        assert (batch.decided, batch.refused) == (2, 1) and len(batch.results) == 3, batch
        assert batch.results[1].code == grpc.StatusCode.INVALID_ARGUMENT.value[0], batch.results[1]
        # The service's own time limit (--max-seconds 1) ends a batch whose sender stalls, however
        # long the caller's deadline.
        def slow():
            yield request_of(apps[0])
            time.sleep(1.5)
            yield request_of(apps[1])
        expect_error(grpc.StatusCode.DEADLINE_EXCEEDED, "", stub.EvaluateStream, slow())
        assert stub.Evaluate(request_of(apps[0]), timeout=TIMEOUT).outcome != 0


def case_audit():
    """Every decision and refusal in SQLite; ID numbers hashed unless --audit-pii."""
    apps = applications()
    xinmi = [a for a in apps if a["county"] == "新密市"][:3]
    other = next(a for a in apps if a["county"] != "新密市")
    clients = write_clients(os.path.join(WORK, "clients-audit.txt"), "xinmi token:%s 新密市\n" % XINMI_TOKEN)
    auth = [("authorization", "Bearer " + XINMI_TOKEN)]
    for pii in (False, True):
        db = os.path.join(WORK, "audit-%s.db" % pii)
        if os.path.exists(db):
            os.remove(db)
        flags = ["--clients", clients] + (["--audit-pii"] if pii else [])
        with Server(*flags, anonymous=False, audit=db) as s:
            stub = s.stub()
            sent, decisions = [], []
            for i, a in enumerate(xinmi):
                req = request_of(a, request_id="audit-%d" % i)
                sent.append(req)
                decisions.append(stub.Evaluate(req, metadata=auth, timeout=TIMEOUT))
            expect_error(grpc.StatusCode.PERMISSION_DENIED, "", stub.Evaluate, request_of(other), metadata=auth)
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row
        rows = con.execute("SELECT * FROM decisions ORDER BY id").fetchall()
        assert len(rows) == 4, len(rows)
        for req, d, row in zip(sent, decisions, rows):
            assert row["client"] == "xinmi" and row["method"] == "Evaluate" and row["code"] == 0
            assert row["request_id"] == req.request_id and row["county"] == "新密市"
            # The hash a county recomputes from the request it kept.
            assert row["request_sha256"] == hashlib.sha256(req.SerializeToString(deterministic=True)).hexdigest()
            assert row["rules_fingerprint"] == d.rules_fingerprint
            assert row["outcome"] == decision_pb2.Outcome.Name(d.outcome)
            assert [r["rule_id"] for r in json.loads(row["reasons"])] == [r.rule_id for r in d.reasons]
            stored = json.loads(row["decision_json"])
            assert stored["outcome"] == row["outcome"] and "trace" not in stored
            ids = [m.id_number for m in req.application.members]
            text = row["request_json"] + row["decision_json"] + row["reasons"]
            if pii:
                assert row["id_numbers"] == "clear" and ids[0] in row["request_json"]
            else:
                assert row["id_numbers"] == "hmac" and "hmac:" in row["request_json"]
                for i in ids:
                    assert i not in text, "ID number %s stored in clear" % i
        refused = rows[3]
        assert refused["code"] == grpc.StatusCode.PERMISSION_DENIED.value[0]
        assert refused["outcome"] == "PERMISSION_DENIED" and refused["decision_json"] == ""
        if not pii:
            raw = read(db) + (read(db + "-wal") if os.path.exists(db + "-wal") else b"")
            for a in xinmi:
                for m in a["members"]:
                    assert m["idNumber"].encode() not in raw, "ID number in the database file"


def case_reload():
    """SIGHUP and --watch reload atomically; a pinned fingerprint that changed is refused."""
    rules = os.path.join(WORK, "reload-rules")
    shutil.rmtree(rules, ignore_errors=True)
    os.makedirs(rules)
    with open(CITY, encoding="utf-8") as f:
        original = f.read()
    path = os.path.join(rules, "city.heyan")
    with open(path, "w", encoding="utf-8") as f:
        f.write(original)
    shutil.copy(os.path.join(SRC, "rules/examples/province.heyan"), rules)  # city imports it
    app = applications()[0]

    def rule_set(stub):
        return stub.RuleSets(service_pb2.RuleSetsRequest(), timeout=TIMEOUT)

    def wait_generation(stub, gen, s):
        for _ in range(600):  # bounded: 60 s at most, then fail
            sets = rule_set(stub)
            if sets.generation >= gen:
                return sets
            time.sleep(0.1)
        raise AssertionError("no reload to generation %d\n%s" % (gen, s.log()))

    with Server("--watch", "1", rules=(rules,)) as s:
        stub = s.stub()
        first = rule_set(stub)
        f1 = first.rule_sets[0].fingerprint
        assert stub.Evaluate(request_of(app, rules_fingerprint=f1), timeout=TIMEOUT).rules_fingerprint == f1
        # A changed rule file, then SIGHUP.
        changed = original.replace('版本 "', '版本 "reload-', 1)
        assert changed != original
        with open(path, "w", encoding="utf-8") as f:
            f.write(changed)
        s.proc.send_signal(signal.SIGHUP)
        second = wait_generation(stub, 2, s)
        f2 = second.rule_sets[0].fingerprint
        assert f2 != f1 and second.rule_sets[0].version.startswith("reload-")
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, f2, stub.Evaluate, request_of(app, rules_fingerprint=f1))
        assert stub.Evaluate(request_of(app, rules_fingerprint=f2), timeout=TIMEOUT).rules_fingerprint == f2
        # A broken rule file: the reload fails and the rules in force keep serving.
        with open(path, "w", encoding="utf-8") as f:
            f.write(changed + "\n规则 坏 当 则\n")
        s.proc.send_signal(signal.SIGHUP)
        for _ in range(600):
            if "重新加载失败" in s.log():
                break
            time.sleep(0.1)
        assert "重新加载失败" in s.log(), s.log()
        assert rule_set(stub).rule_sets[0].fingerprint == f2
        assert stub.Evaluate(request_of(app, rules_fingerprint=f2), timeout=TIMEOUT).outcome != 0
        # --watch: a fixed file is picked up without a signal.
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        third = wait_generation(stub, 3, s)
        assert third.rule_sets[0].fingerprint == f1


def case_rulesets():
    """Several rule sets at once, chosen per request."""
    henan = os.path.join(SRC, "rules/henan")
    with Server(rules=(CITY, henan)) as s:
        stub = s.stub()
        sets = stub.RuleSets(service_pb2.RuleSetsRequest(), timeout=TIMEOUT).rule_sets
        names = [r.name for r in sets]
        assert len(names) == 2 and not any(r.is_default for r in sets), names
        assert any(r.assumptions for r in sets) or True
        app = applications()[0]
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, "ruleset", stub.Evaluate, request_of(app))
        fps = set()
        for r in sets:
            d = stub.Evaluate(request_of(app, ruleset=r.name), timeout=TIMEOUT)
            assert d.rules_fingerprint == r.fingerprint
            fps.add(d.rules_fingerprint)
        assert len(fps) == 2
    with Server("--default-ruleset", "郑州市最低生活保障", rules=(CITY, henan)) as s:
        d = s.stub().Evaluate(request_of(applications()[0]), timeout=TIMEOUT)
        assert d.ruleset == "郑州市最低生活保障" or d.rules_fingerprint


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    globals()["case_" + CASE]()
    print("1 passed, 0 failed")
