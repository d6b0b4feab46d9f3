#!/usr/bin/python3
"""Measures what the Python bindings cost on top of the C++ engine (numbers in README.md).

    PYTHONPATH=<build>/python /usr/bin/python3 bindings/python/benchmarks/bench_bindings.py \\
        --apps DIR/apps.jsonl --data DIR [--per-call 1000] [--repeat 3]

1. Per call, on the first --per-call applications of the batch: the C++ side alone
   (Program::Evaluate on a parsed Application; and parse + Evaluate + serialize, the work the
   shim does without the GIL), against program.evaluate() from Python with each input form.
   The difference is the binding's overhead per call.
2. Throughput of program.evaluate_many over the whole batch: JSON text lines and binary
   messages, 1 and 2 threads, with and without explanations (best of --repeat), Decision
   messages included.
3. Where evaluate_many's time goes: the native part alone (parse, evaluate, serialize on N
   threads without the GIL, plus making the bytes objects) and decoding the Decisions in
   Python (serial, with the GIL).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import time

from google.protobuf import json_format

import heyan
from heyan import _heyan

RULES = pathlib.Path(__file__).resolve().parents[3] / "benchmarks" / "workload" / "workload.heyan"


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", required=True, help="Application JSON lines")
    parser.add_argument("--data", required=True, help="dir with salaried_staff.txt, staff_relatives.txt")
    parser.add_argument("--per-call", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    program = heyan.compile(RULES)
    registries = (heyan.Registries()
                  .load("public_payroll_staff", os.path.join(args.data, "salaried_staff.txt"))
                  .load("staff_relatives", os.path.join(args.data, "staff_relatives.txt")))
    lines = pathlib.Path(args.apps).read_text(encoding="utf-8").splitlines()
    sample = lines[:args.per_call]
    messages = [json_format.Parse(s, heyan.Application()) for s in sample]
    binaries = [m.SerializeToString() for m in messages]
    dicts = [json.loads(s) for s in sample]
    n = len(sample)
    print(f"per call, mean over {n} applications, best of {args.repeat} (microseconds):")

    def cxx(wire):
        # time_evaluate returns seconds per call for one application; average them.
        return sum(_heyan.time_evaluate(program._handle, registries._handle, b, 200, wire, True)
                   for b in binaries) / n

    cxx_eval = min(cxx(False) for _ in range(args.repeat))
    cxx_wire = min(cxx(True) for _ in range(args.repeat))
    print(f"  C++ Program::Evaluate (parsed Application)          {cxx_eval * 1e6:7.2f}")
    print(f"  C++ parse + Evaluate + serialize (shim, no GIL)     {cxx_wire * 1e6:7.2f}")
    for label, inputs in (("bytes", binaries), ("Application message", messages),
                          ("dict (protobuf JSON form)", dicts), ("str (JSON text)", sample)):
        def run(inputs=inputs):
            for a in inputs:
                program.evaluate(a, registries)
        t = best(run, args.repeat) / n
        print(f"  program.evaluate({label:<26}) {t * 1e6:7.2f}   overhead vs Evaluate "
              f"{(t - cxx_eval) * 1e6:6.2f}")

    total = len(lines)
    batch_binaries = [json_format.Parse(s, heyan.Application()).SerializeToString() for s in lines]
    print(f"\nevaluate_many over {total:,} applications, best of {args.repeat} "
          f"(applications/s, Decision messages included):")
    for label, inputs in (("str JSON lines", lines), ("bytes (binary)", batch_binaries)):
        for explain in (True, False):
            for threads in (1, 2):
                t = best(lambda: program.evaluate_many(inputs, registries, threads=threads,
                                                       explain=explain), args.repeat)
                print(f"  {label:<15} explain={str(explain):<5} threads={threads}  {total / t:>10,.0f}"
                      f"   ({t:.3f} s)")

    print("\nevaluate_many phases, str JSON lines (seconds for the batch):")
    for explain in (True, False):
        for threads in (1, 2):
            t = best(lambda: _heyan.evaluate_many(program._handle, registries._handle, lines,
                                                  threads, "", False, explain), args.repeat)
            print(f"  native, explain={str(explain):<5} threads={threads}  {t:.3f}"
                  f"   ({total / t:,.0f} applications/s)")
        raw = _heyan.evaluate_many(program._handle, registries._handle, lines, 1, "", False,
                                   explain)
        t = best(lambda: [heyan.Decision.FromString(b) for b in raw], args.repeat)
        print(f"  decode Decisions in Python, explain={explain}  {t:.3f}"
              f"   ({sum(map(len, raw)) / len(raw):.0f} bytes each)")


if __name__ == "__main__":
    main()
