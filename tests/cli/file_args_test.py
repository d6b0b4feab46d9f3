#!/usr/bin/env python3
"""File arguments of every `heyan` subcommand (one ctest per case; stdlib only).

    file_args_test.py CASE HEYAN SOURCE_DIR WORK_DIR

Every file argument (check PATH, eval --rules/--registry/--in/--out, explain --rules/
--registry/APPLICATION/--out, test PATH) is given what adversarial testing gave it: a
directory, a device, a socket, a pipe, an empty file, a missing file. The tool must never
crash, hang or read nothing silently: it either reads the argument (pipes are streams) or
says in Chinese what the path is, and exits with the documented status.
"""

import json
import os
import socket
import subprocess
import sys
import threading

from cli_cases import check, run_case

TIMEOUT = 60  # seconds; a hang (reading /dev/zero forever) fails the case instead of the run


class Env:
    def __init__(self, heyan, source, work):
        self.heyan = heyan
        self.source = source
        self.work = work
        self.data = os.path.join(source, "examples", "data")
        self.rules = os.path.join(source, "rules", "examples", "city.heyan")
        self.apps = os.path.join(self.data, "applications.jsonl")
        self.payroll = os.path.join(self.data, "public_payroll_staff.csv")
        self.textproto = os.path.join(source, "tests", "explain", "cases", "household_urban.textproto")
        os.makedirs(work, exist_ok=True)
        self.dir = self.path("SOMEDIR")
        os.makedirs(self.dir, exist_ok=True)

    def path(self, name):
        return os.path.join(self.work, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        return p

    def run(self, *args, stdin=None, pass_fds=(), as_nobody=False):
        # Permissions do not stop root: run as nobody to see what an ordinary user sees.
        demote = None
        if as_nobody and os.geteuid() == 0:
            def demote():
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
        try:
            return subprocess.run([self.heyan] + list(args), input=stdin, capture_output=True,
                                  timeout=TIMEOUT, pass_fds=pass_fds, preexec_fn=demote)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"hangs: heyan {' '.join(args)}")

    def socket_path(self):
        p = self.path("s.sock")
        if os.path.exists(p):
            os.unlink(p)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(p)
        self._socket = s  # kept open for the case's lifetime
        return p

    def payroll_ids(self):
        with open(self.payroll, encoding="utf-8") as f:
            return [line.split(",")[0] for line in f.read().splitlines()[1:] if line]

    def payroll_application(self):
        """An example application whose first member is on the payroll list."""
        with open(self.apps, encoding="utf-8") as f:
            app = json.loads(f.readline())
        app["members"][0]["idNumber"] = self.payroll_ids()[0]
        return self.write("payroll_app.jsonl", json.dumps(app, ensure_ascii=False) + "\n")


class Pipe:
    """A pipe a thread fills with `data`: like `<(cat file)` in a shell. path() is /dev/fd/N."""

    def __init__(self, data):
        self.read_fd, write_fd = os.pipe()

        def fill():
            try:
                os.write(write_fd, data)
            except BrokenPipeError:
                pass
            finally:
                os.close(write_fd)

        self.thread = threading.Thread(target=fill)
        self.thread.start()

    def path(self):
        return f"/dev/fd/{self.read_fd}"

    def close(self):
        os.close(self.read_fd)
        self.thread.join()


def err(r):
    return r.stderr.decode("utf-8", "replace")


def out(r):
    return r.stdout.decode("utf-8", "replace")


# ---- heyan eval ---------------------------------------------------------------------------------

def case_eval_registry_directory(env):
    """A directory as a registry file: exit 2 naming it (it used to abort the process)."""
    r = env.run("eval", "--rules", env.rules, "--registry", f"财政供养人员={env.dir}", "--in", env.apps,
                "--out", env.path("unused.jsonl"))
    check(r.returncode == 2, f"exit {r.returncode}, want 2: {err(r)}")
    check(f"{env.dir}: 是目录，不是登记册文件" in err(r), f"message: {err(r)}")


def case_eval_registry_pipe(env):
    """An ID list from a pipe or /dev/stdin finds the payroll member exactly as the file does."""
    app = env.payroll_application()
    ids = ("\n".join(env.payroll_ids()) + "\n").encode()
    ids_file = env.write("ids.txt", ids)

    def decide(registry_path, **kw):
        # The same stated check date and reference for every source: a file's default
        # provenance is its name and size, which a pipe does not have.
        r = env.run("eval", "--rules", env.rules, "--registry", f"财政供养人员={registry_path}",
                    "--checked-on", "财政供养人员=2024-03-01,名册2024-03", "--in", app, "--threads", "1", **kw)
        check(r.returncode == 0, f"exit {r.returncode}: {err(r)}")
        return json.loads(out(r).splitlines()[0]), err(r)

    from_file, _ = decide(ids_file)
    none = env.write("none.txt", "")
    without, _ = decide(none)
    check(from_file != without, "the crafted application does not depend on the payroll list")
    pipe = Pipe(ids)
    try:
        from_pipe, summary = decide(pipe.path(), pass_fds=(pipe.read_fd,))
    finally:
        pipe.close()
    check(from_pipe == from_file, f"pipe decision differs:\n{from_pipe}\n{from_file}")
    check(f"{len(env.payroll_ids())} 条" in summary, f"summary does not count the pipe's records:\n{summary}")
    from_stdin, _ = decide("/dev/stdin", stdin=ids)
    check(from_stdin == from_file, "/dev/stdin decision differs")


def case_eval_registry_special(env):
    """Devices and sockets are refused; an empty file is an empty registry; blank content is an error."""
    for path, says in (("/dev/null", "是设备文件"), ("/dev/zero", "是设备文件"), (env.socket_path(), "是套接字")):
        r = env.run("eval", "--rules", env.rules, "--registry", f"财政供养人员={path}", "--in", env.apps,
                    "--out", env.path("unused.jsonl"))
        check(r.returncode == 2, f"{path}: exit {r.returncode}, want 2: {err(r)}")
        check(f"{path}: {says}" in err(r), f"{path}: message: {err(r)}")
    empty = env.write("empty.txt", "")
    r = env.run("eval", "--rules", env.rules, "--registry", f"财政供养人员={empty}", "--in", env.apps,
                "--out", env.path("out.jsonl"))
    check(r.returncode == 0, f"empty registry file: exit {r.returncode}: {err(r)}")
    check(f"登记册 财政供养人员：0 条（{empty}；核对日期 " in out(r), f"summary:\n{out(r)}")
    blank = env.write("blank.txt", "\n\n")
    r = env.run("eval", "--rules", env.rules, "--registry", f"财政供养人员={blank}", "--in", env.apps,
                "--out", env.path("out.jsonl"))
    check(r.returncode == 2 and "没有读到任何记录" in err(r), f"blank registry: exit {r.returncode}: {err(r)}")


def case_eval_summary_counts_registries(env):
    """The summary says how many records each registry file loaded, and flags wrong check characters."""
    ids = env.write("ids.txt", "410100195001011234\n110101198001010010\n")
    r = env.run("eval", "--rules", env.rules, "--registry", f"财政供养人员={env.payroll}",
                "--registry", f"近亲属备案={ids}", "--in", env.apps, "--out", env.path("out.jsonl"))
    check(r.returncode == 0, f"exit {r.returncode}: {err(r)}")
    n = len(env.payroll_ids())
    check(f"登记册 财政供养人员：{n} 条（{env.payroll}；核对日期 " in out(r), f"summary:\n{out(r)}")
    check(f"登记册 近亲属备案：2 条（{ids}；核对日期 " in out(r), f"summary:\n{out(r)}")
    check("（取自文件修改时间）" in out(r), f"the summary must say the check date is the file's:\n{out(r)}")
    check("1 条身份证号校验位不符" in out(r) and "ids.txt:1" in out(r), f"summary:\n{out(r)}")
    r = env.run("eval", "--rules", env.rules, "--registry", f"近亲属备案={ids}", "--in", env.apps,
                "--out", env.path("out.jsonl"), "--lang=en")
    check(f"registry staff_relatives: 2 records ({ids}; checked on " in out(r), f"English summary:\n{out(r)}")
    r = env.run("eval", "--rules", env.rules, "--registry", f"近亲属备案={ids}", "--in", env.apps,
                "--out", env.path("out.jsonl"), "--strict-ids")
    check(r.returncode == 2 and f"{ids}:1: id_number" in err(r) and "校验位" in err(r),
          f"--strict-ids: exit {r.returncode}: {err(r)}")


def case_eval_in_out(env):
    """--in and --out: directories, devices, sockets and missing directories are refused before any work."""
    for path, says in ((env.dir, "是目录，不是申请文件"), ("/dev/zero", "是设备文件，不是申请文件"),
                       (env.socket_path(), "是套接字，不是申请文件"), (env.path("nope.jsonl"), "找不到申请文件")):
        r = env.run("eval", "--rules", env.rules, "--in", path, "--out", env.path("unused.jsonl"))
        check(r.returncode == 2, f"--in {path}: exit {r.returncode}, want 2: {err(r)}")
        check(f"{path}: {says}" in err(r), f"--in {path}: message: {err(r)}")
    for path, says in ((env.dir, "是目录，不是输出文件"), (env.path("no/such/dir/out.jsonl"), "不存在")):
        r = env.run("eval", "--rules", env.rules, "--in", env.apps, "--out", path)
        check(r.returncode == 2, f"--out {path}: exit {r.returncode}, want 2: {err(r)}")
        check(says in err(r), f"--out {path}: message: {err(r)}")
    # A pipe as input, /dev/null as output: both fine.
    with open(env.apps, "rb") as f:
        data = f.read()
    pipe = Pipe(data)
    try:
        r = env.run("eval", "--rules", env.rules, "--in", pipe.path(), "--out", "/dev/null", pass_fds=(pipe.read_fd,))
    finally:
        pipe.close()
    check(r.returncode == 0, f"--in pipe: exit {r.returncode}: {err(r)}")


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1  # negative int64: two's complement, ten bytes
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)


def case_eval_binary_input_is_checked(env):
    """Binary input goes through the same value checks as JSON: a negative amount is an error record."""
    # Application{id: "NEG", members: [Member{incomes: [Income{amount_fen: -5}]}]}, hand-encoded.
    income = field(3, 0, varint(-5))
    member = field(14, 2, income)
    app = field(1, 2, b"NEG") + field(10, 2, member)
    src = env.write("neg.pb", varint(len(app)) + app)
    r = env.run("eval", "--rules", env.rules, "--in", src, "--out", env.path("neg.jsonl"), "--out-format", "json")
    check(r.returncode == 3, f"exit {r.returncode}, want 3: {err(r)}")
    with open(env.path("neg.jsonl"), encoding="utf-8") as f:
        record = json.loads(f.readline())
    check(record.get("error", {}).get("field") == "members[0].incomes[0].amount_fen", f"record: {record}")


def case_eval_rules(env):
    """--rules: a device is named as such; a pipe is read like a file."""
    r = env.run("eval", "--rules", "/dev/null", "--in", env.apps, "--out", env.path("unused.jsonl"))
    check(r.returncode == 2 and "/dev/null: 是设备文件，不是规则文件" in err(r), f"exit {r.returncode}: {err(r)}")
    standalone = os.path.join(env.source, "rules", "examples", "english.heyan")
    with open(standalone, "rb") as f:
        text = f.read()
    pipe = Pipe(text)
    try:
        r = env.run("eval", "--rules", pipe.path(), "--in", env.apps, "--out", "/dev/null", pass_fds=(pipe.read_fd,))
    finally:
        pipe.close()
    check(r.returncode in (0, 3), f"--rules pipe: exit {r.returncode}: {err(r)}")


# ---- heyan check --------------------------------------------------------------------------------

def unreadable_subdirectory(env, name, files):
    """A directory (readable) holding `files` and a subdirectory nobody may read."""
    top = env.path(name)
    sub = os.path.join(top, "sub")
    os.makedirs(sub, exist_ok=True)
    os.chmod(sub, 0o755)
    for file_name, text in files.items():
        with open(os.path.join(top, file_name), "wb") as f:
            f.write(text)
        with open(os.path.join(sub, file_name), "wb") as f:
            f.write(text)
    os.chmod(sub, 0)
    os.chmod(top, 0o755)
    os.chmod(env.work, 0o755)
    return top


def case_check_paths(env):
    """check: a directory without rule files, a device, a pipe, a missing path, an unreadable subdirectory."""
    r = env.run("check", env.dir)
    check(r.returncode == 1, f"directory without rule files: exit {r.returncode}, want 1")
    check("没有规则文件" in out(r), f"message: {out(r)}")
    r = env.run("check", "/dev/null")
    check(r.returncode == 1 and "/dev/null" in out(r) and "是设备文件，不是规则文件" in out(r), f"/dev/null: {out(r)}")
    r = env.run("check", env.path("nope.heyan"))
    check(r.returncode == 1 and "找不到" in out(r), f"missing: {out(r)}")
    standalone = os.path.join(env.source, "rules", "examples", "english.heyan")
    with open(standalone, "rb") as f:
        text = f.read()
    pipe = Pipe(text)
    try:
        r = env.run("check", pipe.path(), pass_fds=(pipe.read_fd,))
    finally:
        pipe.close()
    check(r.returncode == 0, f"pipe: exit {r.returncode}: {out(r)} {err(r)}")
    top = unreadable_subdirectory(env, "perm", {"a.heyan": text})
    r = env.run("check", top, as_nobody=True)
    check(r.returncode == 1 and "读取目录" in out(r) and "sub" in out(r),
          f"unreadable subdirectory: exit {r.returncode}: {out(r)} {err(r)}")


# ---- heyan explain ------------------------------------------------------------------------------

def case_explain_files(env):
    """explain: registry directory, application directory/device/empty/negative, --out directory."""
    r = env.run("explain", "--rules", env.rules, "--registry", f"财政供养人员={env.dir}", env.textproto)
    check(r.returncode == 2 and f"{env.dir}: 是目录，不是登记册文件" in err(r), f"registry dir: {r.returncode} {err(r)}")
    for path, says in ((env.dir, "是目录，不是申请文件"), ("/dev/zero", "是设备文件，不是申请文件"),
                       (env.write("empty.json", ""), "申请文件是空的")):
        r = env.run("explain", "--rules", env.rules, path)
        check(r.returncode == 2, f"{path}: exit {r.returncode}, want 2: {err(r)}")
        check(says in err(r), f"{path}: message: {err(r)}")
    negative = env.write("negative.json", '{"id": "N", "members": [{"incomes": [{"amountFen": -100}]}]}')
    r = env.run("explain", "--rules", env.rules, negative)
    check(r.returncode == 2 and "members[0].incomes[0].amount_fen" in err(r) and "负数" in err(r),
          f"negative amount: {r.returncode} {err(r)}")
    r = env.run("explain", "--rules", env.rules, env.textproto, "--out", env.dir)
    check(r.returncode == 2 and "是目录，不是输出文件" in err(r), f"--out dir: {r.returncode} {err(r)}")
    # From a pipe (no .textproto name, so JSON).
    app_json = env.write("app.json", json.dumps({"id": "P", "members": [{"name": "甲"}]}, ensure_ascii=False))
    with open(app_json, "rb") as f:
        pipe = Pipe(f.read())
    try:
        r = env.run("explain", "--rules", env.rules, pipe.path(), pass_fds=(pipe.read_fd,))
    finally:
        pipe.close()
    check(r.returncode == 0, f"application from a pipe: exit {r.returncode}: {err(r)}")


# ---- heyan test ---------------------------------------------------------------------------------

def case_test_paths(env):
    """test: a device is named as such; an empty directory and a missing path fail."""
    r = env.run("test", "/dev/null")
    check(r.returncode == 1 and "/dev/null" in out(r) and "是设备文件，不是测试案例文件" in out(r), f"/dev/null: {out(r)}")
    r = env.run("test", env.dir)
    check(r.returncode == 1 and "没有找到" in out(r), f"empty dir: {out(r)}")
    r = env.run("test", env.path("nope"))
    check(r.returncode == 1 and "找不到" in out(r), f"missing: {out(r)}")
    empty = env.write("empty.textproto", "")
    r = env.run("test", empty)
    check(r.returncode == 1 and "empty.textproto" in out(r), f"empty case: {out(r)}")
    # An unreadable subdirectory fails the run instead of dropping its cases.
    top = unreadable_subdirectory(env, "perm", {"x.textproto": b'name: "x"\n'})
    r = env.run("test", top, as_nobody=True)
    check(r.returncode == 1 and "读取目录" in out(r) and "sub" in out(r),
          f"unreadable subdirectory: exit {r.returncode}: {out(r)} {err(r)}")


if __name__ == "__main__":
    sys.exit(run_case(globals(), __doc__, Env))
