#!/usr/bin/env python3
"""What `heyan` prints for people: Chinese only in Chinese mode, --strict (one ctest per case;
stdlib only).

    messages_test.py CASE HEYAN SOURCE_DIR WORK_DIR
"""

import os
import re
import subprocess
import sys

from cli_cases import check, err, out, run_case

TIMEOUT = 120
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


class Env:
    def __init__(self, heyan, source, work):
        self.heyan = heyan
        self.source = source
        self.work = work
        os.makedirs(work, exist_ok=True)

    def run(self, *args, cwd=None):
        return subprocess.run([self.heyan] + list(args), capture_output=True, timeout=TIMEOUT, cwd=cwd or self.source)

    def write(self, name, text):
        p = os.path.join(self.work, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p


# A rule and a dated parameter value without 依据: refusal letters would cite nothing.
UNCITED = """规则集 测试 版本 "1" 依据 "测试办法"
参数 月低保标准: 金额
  自 2024-01-01 起 = 500元
规则 R01 "收入超标"
  当 月低保标准 > 1000元
  则 不符合
"""


def case_strict(env):
    """heyan check: a missing 依据 is a warning (exit 0); with --strict it is an error (exit 1),
    printed and counted as one, in text and JSON."""
    path = env.write("uncited.heyan", UNCITED)
    r = env.run("check", path)
    check(r.returncode == 0, f"without --strict: exit {r.returncode}, want 0\n{out(r)}")
    check(out(r).count("警告 W0214") == 2, f"want two W0214 warnings:\n{out(r)}")
    check("0 个错误，2 个警告" in err(r), f"summary: {err(r)}")
    r = env.run("check", "--strict", path)
    check(r.returncode == 1, f"--strict: exit {r.returncode}, want 1\n{out(r)}")
    check(out(r).count("错误 W0214") == 2 and "警告" not in out(r), f"--strict must print them as errors:\n{out(r)}")
    check("2 个错误，0 个警告" in err(r) and "--strict" in err(r), f"--strict summary: {err(r)}")
    r = env.run("check", "--strict", "--format=json", path)
    check(r.returncode == 1 and out(r).count('"severity":"error"') == 2 and '"warning"' not in out(r),
          f"--strict JSON:\n{out(r)}")
    r = env.run("check", "--strict", "--lang=en", path)
    check(r.returncode == 1 and out(r).count("error W0214") == 2, f"--strict --lang=en:\n{out(r)}")
    # A cited rule set passes --strict.
    cited = env.write("cited.heyan", UNCITED.replace("500元", "500元 依据 \"测试办法 第一条\"")
                      .replace('规则 R01 "收入超标"', '规则 R01 "收入超标" 依据 "测试办法 第二条"'))
    r = env.run("check", "--strict", cited)
    check(r.returncode == 0 and out(r) == "", f"a cited rule set fails --strict: exit {r.returncode}\n{out(r)}")


def case_test_summary(env):
    """heyan test: the summary and the trace are Chinese in Chinese mode, English with --lang=en."""
    case = os.path.join("rules", "henan", "tests", "p01_baseline.textproto")
    r = env.run("test", "--trace", case)
    check(r.returncode == 0, f"exit {r.returncode}:\n{out(r)}{err(r)}")
    lines = out(r).splitlines()
    check(lines[-1] == "通过 1 个，失败 0 个", f"last line {lines[-1]!r}, want '通过 1 个，失败 0 个'")
    check("passed" not in out(r) and "failed" not in out(r), f"English summary in Chinese mode:\n{out(r)}")
    tags = set(re.findall(r"^      \[([^\]]+)\]", out(r), re.M))
    check(tags and not any(LATIN_WORD.search(t) for t in tags), f"English trace tags in Chinese mode: {sorted(tags)}")
    check("规则" in tags and "参数" in tags, f"trace tags: {sorted(tags)}")
    r = env.run("test", "--trace", "--lang=en", case)
    check(r.returncode == 0 and out(r).splitlines()[-1] == "1 passed, 0 failed", f"--lang=en summary:\n{out(r)}")
    tags = set(re.findall(r"^      \[([^\]]+)\]", out(r), re.M))
    check("rule" in tags and "parameter" in tags, f"--lang=en trace tags: {sorted(tags)}")
    # A failing run says so in Chinese too.
    missing = os.path.join(env.work, "nope")
    r = env.run("test", missing)
    check(r.returncode == 1 and out(r).splitlines()[-1] == "通过 0 个，失败 1 个", f"failing run:\n{out(r)}")


if __name__ == "__main__":
    sys.exit(run_case(globals(), __doc__, Env))
