#!/usr/bin/env python3
"""Help and command-line messages of `heyan` (one ctest per case; stdlib only).

    help_test.py CASE HEYAN SOURCE_DIR WORK_DIR

The help users read is compared with golden files in tests/cli/help/:
    overview.txt / overview.en.txt     heyan --help [--lang=en]
    CMD.txt / CMD.en.txt               heyan help CMD [--lang=en]  (and heyan CMD --help)
HEYAN_UPDATE_GOLDEN=1 rewrites them instead; review the result with `git diff`.

Adding a command: add it to COMMANDS and record its golden help (see src/cli/help.h).
"""

import os
import re
import subprocess
import sys

from cli_cases import check, err, out, run_case

COMMANDS = ["check", "eval", "explain", "test", "screen", "disclose", "diff", "serve", "version", "help"]
TIMEOUT = 60


class Env:
    def __init__(self, heyan, source, work):
        self.heyan = heyan
        self.source = source
        self.work = work
        self.golden = os.path.join(source, "tests", "cli", "help")
        os.makedirs(work, exist_ok=True)

    def run(self, *args):
        return subprocess.run([self.heyan] + list(args), capture_output=True, timeout=TIMEOUT, cwd=self.source)

    def path(self, name):
        return os.path.join(self.work, name)


def compare_golden(env, name, actual):
    path = os.path.join(env.golden, name)
    if os.environ.get("HEYAN_UPDATE_GOLDEN") == "1":
        os.makedirs(env.golden, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(actual)
        return
    check(os.path.exists(path), f"missing golden {path} (create it with HEYAN_UPDATE_GOLDEN=1)")
    with open(path, encoding="utf-8") as f:
        expected = f.read()
    if expected != actual:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "expected", "actual"))
        raise AssertionError(f"{name} differs (HEYAN_UPDATE_GOLDEN=1 accepts the new text):\n{diff}")


CJK = re.compile(r"[\u4e00-\u9fff]")


def case_overview(env):
    """heyan --help lists every command with its summary, Chinese by default, English with --lang=en."""
    zh = env.run("--help")
    check(zh.returncode == 0, f"heyan --help: exit {zh.returncode}")
    check(err(zh) == "", f"heyan --help wrote to stderr: {err(zh)}")
    for command in COMMANDS:
        check(re.search(rf"^  {command} +\S", out(zh), re.M), f"the overview does not list {command}:\n{out(zh)}")
    check("命令" in out(zh) and "用法" in out(zh), f"the overview is not in Chinese:\n{out(zh)}")
    compare_golden(env, "overview.txt", out(zh))
    en = env.run("--help", "--lang=en")
    check(en.returncode == 0, f"heyan --help --lang=en: exit {en.returncode}")
    check("commands:" in out(en) and "usage:" in out(en), f"the overview is not in English:\n{out(en)}")
    compare_golden(env, "overview.en.txt", out(en))
    # The same text however it is asked for.
    for args in (["help"], ["-h"]):
        r = env.run(*args)
        check(r.returncode == 0 and out(r) == out(zh), f"heyan {' '.join(args)} differs from heyan --help")
    for args in (["help", "--lang=en"], ["--lang=en", "--help"], ["--lang=en", "help"]):
        r = env.run(*args)
        check(r.returncode == 0 and out(r) == out(en), f"heyan {' '.join(args)} differs from heyan --help --lang=en")
    # No command at all: the overview on stderr, exit 2 (a usage error).
    r = env.run()
    check(r.returncode == 2 and out(r) == "" and err(r) == out(zh), f"bare heyan: exit {r.returncode}, stderr {err(r)}")


def case_commands(env):
    """heyan help CMD and heyan CMD --help print the same help (stdout, exit 0) for every command:
    summary, usage, options with descriptions, examples; Chinese by default, English with --lang=en."""
    for command in COMMANDS:
        for lang, suffix in (([], ".txt"), (["--lang=en"], ".en.txt")):
            r = env.run("help", command, *lang)
            check(r.returncode == 0, f"heyan help {command} {lang}: exit {r.returncode}: {err(r)}")
            text = out(r)
            check(text.startswith(f"heyan {command}"), f"heyan help {command} does not open with its name:\n{text}")
            for args in ([command, "--help"] + lang, [command, "-h"] + lang, [command] + lang + ["--help"]):
                other = env.run(*args)
                check(other.returncode == 0 and out(other) == text,
                      f"heyan {' '.join(args)} differs from heyan help {command} {' '.join(lang)}:\n{out(other)}")
            if not lang:
                check("用法：" in text and "示例：" in text, f"{command}: no 用法/示例 sections:\n{text}")
                if command != "version":
                    check("选项：" in text, f"{command}: no 选项 section:\n{text}")
                # Every option line has a Chinese description.
                for line in text.splitlines():
                    if re.match(r"^  --", line) and not CJK.search(line):
                        # A long flag has its description on the next line.
                        nxt = text.splitlines()[text.splitlines().index(line) + 1]
                        check(CJK.search(nxt), f"{command}: option without a Chinese description: {line!r}")
            else:
                check("usage:" in text and "examples:" in text, f"{command}: no usage/examples sections:\n{text}")
                check("用法" not in text and "选项" not in text, f"{command}: Chinese headings in English help:\n{text}")
            compare_golden(env, command + suffix, text)


def case_options_documented(env):
    """Every option a command accepts is described in its help (no hidden options)."""
    accepted = {
        "check": ["--format", "--lang", "--assumptions", "--strict"],
        "eval": ["--rules", "--registry", "--checked-on", "--in", "--in-type", "--out", "--threads", "--batch-size",
                 "--in-format", "--out-format", "--as-of", "--trace", "--lean", "--strict-ids", "--lang"],
        "explain": ["--rules", "--registry", "--checked-on", "--as-of", "--audience", "--addressee", "--format",
                    "--out", "--strict-ids", "--lang", "--office", "--phone", "--publicity-days", "--with-sources"],
        "screen": ["--rules", "--roll", "--as-of", "--out", "--history", "--roster", "--registry", "--checked-on",
                   "--db", "--format", "--all", "--threads", "--param", "--partition-marks", "--merge"],
        "disclose": ["--roll", "--as-of", "--out-dir", "--format", "--title"],
        "diff": ["--old", "--new", "--old-param", "--new-param", "--in", "--as-of", "--in-type", "--registry",
                 "--checked-on", "--format", "--out"],
        "serve": ["--rules", "--listen", "--clients", "--allow-anonymous", "--audit-db", "--workers", "--queue",
                  "--watch", "--registry", "--checked-on", "--default-ruleset", "--tls-cert", "--tls-key",
                  "--tls-client-ca", "--audit-pii", "--audit-key", "--max-request-bytes", "--max-batch",
                  "--max-seconds", "--strict-ids"],
        "test": ["--coverage", "--verbose", "--trace", "--lang"],
    }
    for command, options in accepted.items():
        text = out(env.run("help", command))
        for option in options:
            check(re.search(rf"^  {re.escape(option)}\b", text, re.M), f"heyan help {command} does not describe {option}")


def case_unknown_command(env):
    """An unknown command says so and suggests the nearest (exit 2, stderr)."""
    r = env.run("evl")
    check(r.returncode == 2, f"heyan evl: exit {r.returncode}, want 2")
    check("未知的命令“evl”。您是不是要写：eval？" in err(r), f"heyan evl: {err(r)}")
    check("heyan --help" in err(r), f"heyan evl does not say where the commands are listed: {err(r)}")
    r = env.run("chek", "rules")
    check(r.returncode == 2 and "您是不是要写：check？" in err(r), f"heyan chek: {err(r)}")
    r = env.run("explian")
    check(r.returncode == 2 and "您是不是要写：explain？" in err(r), f"heyan explian: {err(r)}")
    r = env.run("evl", "--lang=en")
    check(r.returncode == 2 and "unknown command 'evl'. Did you mean: eval?" in err(r), f"heyan evl --lang=en: {err(r)}")
    # Nothing near: no suggestion.
    r = env.run("frobnicate")
    check(r.returncode == 2 and "未知的命令“frobnicate”" in err(r) and "您是不是要写" not in err(r),
          f"heyan frobnicate: {err(r)}")
    # The same through heyan help.
    r = env.run("help", "evl")
    check(r.returncode == 2 and "未知的命令“evl”。您是不是要写：eval？" in err(r), f"heyan help evl: {err(r)}")


def case_usage_errors(env):
    """A usage error names the problem in the language asked for, shows the usage line and where to
    read more (stderr, exit 2)."""
    r = env.run("check")
    check(r.returncode == 2 and "用法：heyan check" in err(r) and "heyan help check" in err(r), f"heyan check: {err(r)}")
    r = env.run("check", "--bogus", "rules")
    check(r.returncode == 2 and "未知的选项 --bogus" in err(r), f"heyan check --bogus: {err(r)}")
    r = env.run("check", "--bogus", "--lang=en", "rules")
    check(r.returncode == 2 and "unknown option --bogus" in err(r) and "usage: heyan check" in err(r),
          f"heyan check --bogus --lang=en: {err(r)}")
    r = env.run("explain", "--rules", "rules")
    check(r.returncode == 2 and "缺少申请文件" in err(r) and "用法：heyan explain" in err(r), f"heyan explain: {err(r)}")
    r = env.run("test")
    check(r.returncode == 2 and "用法：heyan test" in err(r), f"heyan test: {err(r)}")
    r = env.run("test", "--bogus", "--lang=en", "rules")
    check(r.returncode == 2 and "unknown option --bogus" in err(r) and "usage: heyan test" in err(r),
          f"heyan test --bogus --lang=en: {err(r)}")
    r = env.run("eval", "--in", "x.jsonl")
    check(r.returncode == 2 and "heyan eval：缺少 --rules" in err(r) and "用法：heyan eval" in err(r), f"heyan eval: {err(r)}")
    r = env.run("eval", "--rules", "rules", "--in", "x.jsonl", "--threads", "0")
    check(r.returncode == 2 and "--threads 要写 1 到 1024 之间的数" in err(r), f"heyan eval --threads 0: {err(r)}")
    r = env.run("eval", "--rules", "rules", "--in", "x.jsonl", "--bogus", "--lang=en")
    check(r.returncode == 2 and "heyan eval: unknown option --bogus" in err(r) and "usage: heyan eval" in err(r),
          f"heyan eval --bogus --lang=en: {err(r)}")
    # A Chinese usage error is Chinese: its first line holds no English words (options aside).
    for args in (["eval", "--in", "x.jsonl"], ["check"], ["explain", "--rules", "rules"], ["test"]):
        first = err(env.run(*args)).splitlines()[0]
        words = re.findall(r"(?<![-\w])[A-Za-z]{3,}", re.sub(r"^heyan \w+", "", first))  # "heyan eval：…"
        check(not words, f"heyan {' '.join(args)}: English in the Chinese message {first!r}: {words}")
    r = env.run("version")
    check(r.returncode == 0 and out(r).strip() != "", f"heyan version: exit {r.returncode}")
    r2 = env.run("--version")
    check(r2.returncode == 0 and out(r2) == out(r), "heyan --version differs from heyan version")


if __name__ == "__main__":
    sys.exit(run_case(globals(), __doc__, Env))
