"""What every command-line test script here shares (stdlib only): one ctest per case, run as
    SCRIPT.py CASE HEYAN SOURCE_DIR WORK_DIR
which calls the script's case_CASE(env) with the script's own Env."""
import os
import sys


def check(ok, message):
    if not ok:
        raise AssertionError(message)


def out(r):
    return r.stdout.decode("utf-8")


def err(r):
    return r.stderr.decode("utf-8")


def run_case(namespace, usage, make_env):
    """Runs the case named on the command line from `namespace` (the script's globals()).
    Returns the exit status: 0 passed, 2 bad arguments; a failed check raises."""
    if len(sys.argv) != 5:
        print(usage, file=sys.stderr)
        return 2
    case, heyan, source, work = sys.argv[1:]
    fn = namespace.get("case_" + case)
    if fn is None:
        print(f"unknown case {case}", file=sys.stderr)
        return 2
    fn(make_env(heyan, source, os.path.join(work, case)))
    print(f"{case}: ok")
    return 0
