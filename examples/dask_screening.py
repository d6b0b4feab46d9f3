#!/usr/bin/python3
"""Province-wide dibao (低保) screening with Heyan on a Dask cluster.

A province re-checks its whole caseload against the current rules: hundreds of thousands
to millions of applications, more than one machine should do. This example

1. compiles the rules once on the client (fail fast: a rule error stops everything before
   any work is sent out) and remembers their fingerprint;
2. splits the caseload file into byte ranges, one Dask task each, so that workers read
   their own part from shared storage instead of receiving it through the scheduler;
3. on each worker, compiles the rules and loads the registries ONCE, in a worker plugin,
   and evaluates every partition with ``Program.evaluate_many`` (the library's batch
   evaluator, include/heyan/batch.h: native threads, GIL released, results in input order);
4. gathers the results, in input order, into a ledger (工作台账): a CSV with one row per
   application, and prints a summary. Every row carries the rules fingerprint; the client
   checks that every worker decided with exactly the rules it compiled itself.

Input: Application records as protobuf JSON lines (``.jsonl``, as written by
``heyan_workload --write-applications``) or length-delimited protobuf binary
(``.pb``/``.bin``: varint length, then the message). Paths of the caseload, the rules and
the registries must be readable by every worker (a shared file system); with a local
cluster they are.

    PYTHONPATH=build/python /usr/bin/python3 examples/dask_screening.py \\
        --applications apps.jsonl \\
        --registry public_payroll_staff=data/salaried_staff.txt \\
        --registry staff_relatives=data/staff_relatives.txt \\
        --ledger ledger.csv --workers 2

For the caseload campaign itself (the five key groups, list comparisons in both directions
and one .xlsx work ledger, ``heyan screen``), see ``dask_campaign.py`` beside this file.

``--scheduler tcp://host:8786`` uses an existing cluster instead of starting a local one;
``--no-dask`` runs the same partitions in this process (the reference the test compares
with). See examples/README.md.

Exit status: 0 done; 1 failure (unreadable input, registry errors, a worker that decided
with other rules); 2 the rule set has errors; 3 done, but some records could not be decided
(their ledger rows say ERROR and why).
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import os
import pathlib
import sys
import time
from typing import Iterator, Optional, Sequence

import heyan

DEFAULT_RULES = (pathlib.Path(__file__).resolve().parent.parent
                 / "benchmarks" / "workload" / "workload.heyan")
PLUGIN_NAME = "heyan-screening"

#: Ledger columns. Stable English keys for scripts; ``outcome_zh`` for people.
LEDGER_HEADER = ["application_id", "outcome", "outcome_zh", "reasons", "flags",
                 "missing_evidence", "benefit_fen", "benefit_yuan", "rules_fingerprint"]
OUTCOME_ZH = {"ELIGIBLE": "符合", "INELIGIBLE": "不符合", "NEEDS_REVIEW": "需复核",
              "MISSING_EVIDENCE": "缺少材料", "OUTCOME_UNSPECIFIED": "未判定",
              "ERROR": "无法判定"}
_FLAG = heyan.v1.decision_pb2.REASON_FLAG


# ---- configuration and partitions ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Rules:
    """What every worker needs to build its Program and Registries (paths, not objects:
    Programs are compiled where they are used)."""

    rules: str
    registries: tuple[tuple[str, str], ...] = ()
    parameter_overrides: tuple[tuple[str, str], ...] = ()

    def compile(self) -> heyan.Program:
        return heyan.compile(self.rules, dict(self.parameter_overrides) or None)

    def load_registries(self) -> heyan.Registries:
        registries = heyan.Registries()
        for name, path in self.registries:
            registries.load(name, path)
        return registries


@dataclasses.dataclass(frozen=True)
class Partition:
    """Records of ``path`` that start in bytes [start, end)."""

    index: int
    path: str
    binary: bool
    start: int
    end: int


def is_binary(path: str) -> bool:
    return path.endswith((".pb", ".bin"))


def plan_partitions(path: str, count: int) -> list[Partition]:
    """Splits the caseload into about ``count`` byte ranges on record boundaries.

    JSON lines: each cut moves forward to the next line start, so the client reads only a
    few bytes per cut. Binary: the client walks the length prefixes once (a seek per
    record, not a read) to find boundaries.
    """
    size = os.path.getsize(path)
    count = max(1, count)
    if is_binary(path):
        offsets = list(_binary_record_offsets(path))
        step = max(1, -(-len(offsets) // count))
        cuts = offsets[::step] + [size]
        cuts[0] = 0
    else:
        cuts = [0]
        with open(path, "rb") as f:
            for k in range(1, count):
                f.seek(max(k * size // count, cuts[-1]))
                if f.tell() > 0:
                    f.seek(f.tell() - 1)
                    f.readline()  # to the start of the next line
                cuts.append(min(f.tell(), size))
        cuts.append(size)
    bounds = sorted(set(cuts))
    return [Partition(i, path, is_binary(path), a, b)
            for i, (a, b) in enumerate(zip(bounds, bounds[1:])) if b > a]


def _binary_record_offsets(path: str) -> Iterator[int]:
    with open(path, "rb") as f:
        while True:
            offset = f.tell()
            size = _read_varint(f)
            if size is None:
                return
            yield offset
            f.seek(size, os.SEEK_CUR)


def _read_varint(f) -> Optional[int]:
    value, shift = 0, 0
    while True:
        b = f.read(1)
        if not b:
            if shift == 0:
                return None
            raise ValueError(f"{f.name}: truncated length prefix at byte {f.tell()}")
        value |= (b[0] & 0x7F) << shift
        if b[0] < 0x80:
            return value
        shift += 7


def _encode_varint(value: int) -> bytes:
    """The length prefix of a length-delimited binary record (for writing caseloads)."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_partition(part: Partition) -> tuple[list, list[int]]:
    """The records of one partition (str JSON lines or bytes messages) and their byte
    offsets in the file, for error reports."""
    records, offsets = [], []
    with open(part.path, "rb") as f:
        f.seek(part.start)
        data = f.read(part.end - part.start)
    pos = 0
    if part.binary:
        while pos < len(data):
            start = pos
            size, shift = 0, 0
            while True:
                if pos >= len(data):
                    raise ValueError(f"{part.path}: truncated length prefix at byte "
                                     f"{part.start + start}")
                b = data[pos]
                pos += 1
                size |= (b & 0x7F) << shift
                shift += 7
                if b < 0x80:
                    break
            records.append(data[pos:pos + size])  # a short last record fails to parse: reported
            offsets.append(part.start + start)
            pos += size
    else:
        for line in data.split(b"\n"):
            if line.strip():
                records.append(line.decode("utf-8", errors="replace"))
                offsets.append(part.start + pos)
            pos += len(line) + 1
    return records, offsets


# ---- the ledger ------------------------------------------------------------------------


def ledger_row(result, source: str = "") -> list[str]:
    """One ledger row for a Decision, or for an EvaluationError (``source`` locates the
    record in the caseload)."""
    if isinstance(result, heyan.EvaluationError):
        where = f"{source}: " if source else ""
        return [result.application_id, "ERROR", OUTCOME_ZH["ERROR"], where + result.message,
                "", "", "0", "0.00", ""]
    outcome = heyan.Outcome.Name(result.outcome)
    reasons = ";".join(r.rule_id for r in result.reasons if r.kind != _FLAG)
    flags = ";".join(r.rule_id for r in result.reasons if r.kind == _FLAG)
    missing = ";".join(m.field for m in result.missing_evidence)
    fen = result.benefit_fen
    return [result.application_id, outcome, OUTCOME_ZH.get(outcome, outcome), reasons, flags,
            missing, str(fen), f"{fen // 100}.{fen % 100:02d}", result.rules_fingerprint]


@dataclasses.dataclass
class PartitionResult:
    index: int
    rows: list[list[str]]
    outcomes: collections.Counter
    reasons: collections.Counter
    flags: collections.Counter
    benefit_fen: int
    fingerprint: str
    worker: str
    seconds: float


def screen_records(program: heyan.Program, registries: heyan.Registries, part: Partition,
                   threads: int, as_of: Optional[str]) -> PartitionResult:
    started = time.perf_counter()
    records, offsets = read_partition(part)
    # explain=False: the ledger needs outcomes, rule ids and amounts, not texts.
    results = program.evaluate_many(records, registries, threads=threads, as_of=as_of,
                                    explain=False)
    rows, benefit = [], 0
    outcomes, reasons, flags = collections.Counter(), collections.Counter(), collections.Counter()
    for result, offset in zip(results, offsets):
        row = ledger_row(result, f"{os.path.basename(part.path)}@{offset}")
        rows.append(row)
        outcomes[row[1]] += 1
        reasons.update(r for r in row[3].split(";") if r and row[1] != "ERROR")
        flags.update(f for f in row[4].split(";") if f)
        benefit += int(row[6])
    return PartitionResult(part.index, rows, outcomes, reasons, flags, benefit, program.fingerprint,
                           "", time.perf_counter() - started)


# ---- Dask ------------------------------------------------------------------------------


try:
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # --no-dask works without distributed installed
    _WorkerPlugin = object


class HeyanPlugin(_WorkerPlugin):
    """Worker plugin: compiles the rules and loads the registries once per worker process."""

    name = PLUGIN_NAME

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.program: Optional[heyan.Program] = None
        self.registries: Optional[heyan.Registries] = None

    def setup(self, worker=None) -> None:
        self.program = self.rules.compile()
        self.registries = self.rules.load_registries()

    def __getstate__(self):  # only the configuration travels; the worker builds the rest
        return {"rules": self.rules}

    def __setstate__(self, state) -> None:
        self.__init__(state["rules"])


def screen_partition_on_worker(part: Partition, threads: int,
                               as_of: Optional[str]) -> PartitionResult:
    """The Dask task: evaluates one partition with the worker's Program and Registries."""
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins[PLUGIN_NAME]
    result = screen_records(plugin.program, plugin.registries, part, threads, as_of)
    result.worker = worker.address
    return result


def run_dask(rules: Rules, partitions: Sequence[Partition], args) -> Iterator[PartitionResult]:
    from distributed import Client, LocalCluster

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=args.threads_per_worker,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        responses = client.register_worker_plugin(HeyanPlugin(rules), name=PLUGIN_NAME)
        failed = {w: r for w, r in (responses or {}).items() if r.get("status") != "OK"}
        if failed:
            raise RuntimeError(f"worker setup failed: {failed}")
        futures = client.map(screen_partition_on_worker, partitions, threads=args.eval_threads,
                             as_of=args.as_of, pure=False)
        for future in futures:  # in input order; later partitions finish meanwhile
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_local(rules: Rules, partitions: Sequence[Partition], args) -> Iterator[PartitionResult]:
    program, registries = rules.compile(), rules.load_registries()
    for part in partitions:
        result = screen_records(program, registries, part, args.eval_threads, args.as_of)
        result.worker = "local"
        yield result


# ---- main ------------------------------------------------------------------------------


def parse_pairs(values: Sequence[str], what: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name or not value:
            raise SystemExit(f"{what} must be NAME=VALUE, not {v!r}")
        pairs.append((name, value))
    return tuple(pairs)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", required=True,
                        help="caseload: Application JSON lines (.jsonl) or length-delimited "
                             "binary (.pb/.bin)")
    parser.add_argument("--rules", default=str(DEFAULT_RULES),
                        help="entry rule file (default: %(default)s)")
    parser.add_argument("--registry", action="append", default=[], metavar="NAME=PATH",
                        help="load a registry file (repeatable), "
                             "e.g. public_payroll_staff=staff.txt")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter override in rule syntax (repeatable), "
                             "e.g. 月低保标准=450元")
    parser.add_argument("--ledger", default="ledger.csv",
                        help="ledger CSV to write (default: %(default)s)")
    parser.add_argument("--partitions", type=int, default=0,
                        help="number of partitions (default: 4 per worker)")
    parser.add_argument("--workers", type=int, default=2, help="local cluster worker processes")
    parser.add_argument("--threads-per-worker", type=int, default=1, help="Dask threads per worker")
    parser.add_argument("--eval-threads", type=int, default=1,
                        help="native threads evaluate_many uses inside one task")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler")
    parser.add_argument("--no-dask", action="store_true", help="evaluate in this process only")
    parser.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default: each application's)")
    args = parser.parse_args(argv)

    rules = Rules(args.rules, parse_pairs(args.registry, "--registry"),
                  parse_pairs(args.param, "--param"))
    started = time.perf_counter()
    try:
        program = rules.compile()  # fail fast, and the fingerprint every worker must match
        rules.load_registries()    # same for the registry files
    except heyan.RuleError as e:
        print(e, file=sys.stderr)
        return 2
    except heyan.HeyanError as e:
        print(f"dask_screening: {e}", file=sys.stderr)
        return 1
    partitions = plan_partitions(args.applications, args.partitions or 4 * max(1, args.workers))
    results = (run_local if args.no_dask else run_dask)(rules, partitions, args)

    total, errors, benefit = 0, 0, 0
    outcomes, reasons, flags = collections.Counter(), collections.Counter(), collections.Counter()
    workers, fingerprints, task_seconds = collections.Counter(), set(), 0.0
    with open(args.ledger, "w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel reads UTF-8
        writer = csv.writer(f)
        writer.writerow(LEDGER_HEADER)
        for result in results:
            writer.writerows(result.rows)
            total += len(result.rows)
            outcomes.update(result.outcomes)
            reasons.update(result.reasons)
            flags.update(result.flags)
            benefit += result.benefit_fen
            workers[result.worker] += len(result.rows)
            fingerprints.add(result.fingerprint)
            task_seconds += result.seconds
    elapsed = time.perf_counter() - started
    errors = outcomes.get("ERROR", 0)

    print(f"低保筛查汇总 / screening summary: {program.name} {program.version}")
    print(f"  rules fingerprint   {program.fingerprint}")
    print(f"  applications        {total:,} in {len(partitions)} partitions, "
          f"{'local' if args.no_dask else f'{len(workers)} Dask workers'}")
    for outcome in ("ELIGIBLE", "INELIGIBLE", "NEEDS_REVIEW", "MISSING_EVIDENCE", "ERROR"):
        n = outcomes.get(outcome, 0)
        if n or outcome in ("ELIGIBLE", "INELIGIBLE"):
            share = 100 * n / max(total, 1)
            print(f"  {outcome:<19} {n:>9,}  {share:5.1f}%  {OUTCOME_ZH[outcome]}")
    for rule, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    reason {rule:<14} {n:>8,}  {100 * n / max(total, 1):5.1f}%")
    for flag, n in sorted(flags.items()):
        print(f"    flag   {flag:<14} {n:>8,}  {100 * n / max(total, 1):5.1f}%  (标记)")
    print(f"  monthly benefit     {benefit // 100:,}.{benefit % 100:02d} 元")
    print(f"  ledger              {args.ledger}")
    print(f"  elapsed             {elapsed:.2f} s, cluster start-up included "
          f"({total / max(elapsed, 1e-9):,.0f} applications/s)")
    print(f"  in tasks            {task_seconds:.2f} s summed over partitions "
          f"({total / max(task_seconds, 1e-9):,.0f} applications/s per task thread)")
    if fingerprints - {program.fingerprint}:
        print(f"dask_screening: workers decided with other rules: {sorted(fingerprints)}",
              file=sys.stderr)
        return 1
    return 3 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
