#!/usr/bin/python3
"""The caseload campaign (`heyan screen`) of a whole province on a Dask cluster, one ledger.

A province's roll holds millions of households. This example splits the roll file into
byte ranges (on line boundaries), screens each range on a Dask worker with
``heyan screen --partition-marks`` (the roll's households: re-check, key groups, the
per-household comparisons), and then finishes on the client with ``heyan screen --merge``:
the partitions' rows in roll order, the rows of households that are on no partition (refusals
and exits, registered poor and severely disabled persons off the roll), the campaign state
(``--db``) and the summary, written as ONE ledger (.xlsx, CSV or JSONL). The ledger is the
same, row for row, as a single ``heyan screen`` over the whole roll.

    /usr/bin/python3 examples/dask_campaign.py --heyan build/src/heyan \\
        --rules rules/henan/zhengzhou/zhengzhou.heyan --roll examples/campaign/roll.jsonl \\
        --history examples/campaign/history.jsonl --roster examples/campaign/roster.jsonl \\
        --registry 建档立卡=examples/campaign/registries/poverty_registry.csv ... \\
        --as-of 2024-09-30 --out /tmp/ledger.xlsx --workers 2

The roll, rules, registries and the work directory must be readable (the work directory
writable) by every worker: a shared file system; with a local cluster they are.
``--scheduler tcp://host:8786`` uses an existing cluster; ``--no-dask`` runs the same
partitions in this process. Each worker runs the ``heyan`` binary named by ``--heyan``.

Exit status: 0 done; 1 a partition or the merge failed (its message is printed); 2 usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
from typing import Sequence


@dataclasses.dataclass(frozen=True)
class Part:
    index: int
    start: int
    end: int


def plan_partitions(path: str, count: int) -> list[Part]:
    """Byte ranges of about equal size, each ending just after a newline."""
    size = os.path.getsize(path)
    bounds = [0]
    with open(path, "rb") as f:
        for k in range(1, count):
            f.seek(max(bounds[-1], size * k // count))
            f.readline()  # to the end of the line the cut falls in
            pos = f.tell()
            if bounds[-1] < pos < size:
                bounds.append(pos)
    bounds.append(size)
    return [Part(i, a, b) for i, (a, b) in enumerate(zip(bounds, bounds[1:])) if b > a]


@dataclasses.dataclass(frozen=True)
class Job:
    """What every partition and the merge share: the tool, the rules and the data (paths)."""
    heyan: str
    roll: str
    workdir: str
    common: tuple[str, ...]  # --rules, --registry, --history, --roster, --as-of, --param ...
    threads: int = 1

    def rows(self, part: Part) -> str:
        return os.path.join(self.workdir, f"rows-{part.index:05d}.jsonl")

    def marks(self, part: Part) -> str:
        return os.path.join(self.workdir, f"marks-{part.index:05d}.txt")


def screen_partition(job: Job, part: Part) -> int:
    """Runs on a worker: screens one byte range of the roll. Returns the partition index."""
    piece = os.path.join(job.workdir, f"roll-{part.index:05d}.jsonl")
    with open(job.roll, "rb") as src, open(piece, "wb") as dst:
        src.seek(part.start)
        dst.write(src.read(part.end - part.start))
    r = subprocess.run([job.heyan, "screen", "--roll", piece, "--format=jsonl", "--out", job.rows(part),
                        "--partition-marks", job.marks(part), "--threads", str(job.threads), *job.common],
                       capture_output=True, text=True)
    os.remove(piece)
    if r.returncode != 0:
        raise RuntimeError(f"partition {part.index} (bytes {part.start}-{part.end}): {r.stderr.strip()}")
    return part.index


def merge(job: Job, parts: Sequence[Part], out: str, extra: Sequence[str]) -> subprocess.CompletedProcess:
    args = [job.heyan, "screen", "--out", out, *extra, *job.common]
    for p in parts:
        args += ["--merge", f"{job.rows(p)}={job.marks(p)}"]
    return subprocess.run(args, text=True)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--heyan", default="heyan", help="the heyan binary (on every worker)")
    p.add_argument("--rules", required=True)
    p.add_argument("--roll", required=True)
    p.add_argument("--as-of", required=True)
    p.add_argument("--out", required=True, help="the ledger: .xlsx, .csv or .jsonl")
    p.add_argument("--format", help="xlsx, csv or jsonl (default: from --out)")
    p.add_argument("--history")
    p.add_argument("--roster")
    p.add_argument("--registry", action="append", default=[], metavar="NAME=FILE")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--db", help="campaign state (SQLite), kept by the client")
    p.add_argument("--all", action="store_true", help="every roll household in the ledger")
    p.add_argument("--partitions", type=int, default=0, help="default: 4 per worker")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=1, help="threads of each heyan screen")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler")
    p.add_argument("--no-dask", action="store_true", help="run the partitions in this process")
    p.add_argument("--workdir", help="shared directory for the partitions' rows (default: a temporary one)")
    a = p.parse_args(argv)

    common = ["--rules", a.rules, "--as-of", a.as_of]
    for r in a.registry:
        common += ["--registry", r]
    for r in a.param:
        common += ["--param", r]
    if a.history:
        common += ["--history", a.history]
    if a.roster:
        common += ["--roster", a.roster]
    if a.all:
        common += ["--all"]
    workdir = a.workdir or tempfile.mkdtemp(prefix="heyan-campaign-")
    os.makedirs(workdir, exist_ok=True)
    job = Job(os.path.abspath(a.heyan) if os.sep in a.heyan else a.heyan, os.path.abspath(a.roll),
              os.path.abspath(workdir), tuple(common), a.threads)
    parts = plan_partitions(a.roll, a.partitions or 4 * a.workers)
    try:
        if a.no_dask:
            for part in parts:
                screen_partition(job, part)
        else:
            from dask.distributed import Client, LocalCluster
            cluster = None
            if a.scheduler:
                client = Client(a.scheduler)
            else:
                cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
            try:
                futures = [client.submit(screen_partition, job, part, pure=False) for part in parts]
                client.gather(futures)
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
    except RuntimeError as e:
        print(f"dask_campaign: {e}", file=sys.stderr)
        return 1
    extra = []
    if a.format:
        extra.append(f"--format={a.format}")
    if a.db:
        extra += ["--db", a.db]
    r = merge(job, parts, a.out, extra)
    if r.returncode != 0:
        return 1
    print(f"dask_campaign: {len(parts)} 个分区 → {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
