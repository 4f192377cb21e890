"""Paired timing of two ``apportion`` trees: the same runs, interleaved, so both see the same machine.

Usage::

    git archive <old commit> apportion | tar -x -C /tmp/old
    python -m bench.pair /tmp/old .  [--scales boces1,state] [--repeat 4] [--jobs N] [--pdf]

A tree is a folder holding an ``apportion`` package (``.`` is this checkout). Each repetition runs
``apportion run <scale's jobs> -o <fresh folder> --jobs N`` once per tree, alternating which goes
first, each in :func:`bench.run.measure`'s wrapper (wall, CPU of the process tree, peak memory (PSS), and the
CPU the rest of the machine used meanwhile). On a shared machine one run of a pair can land on a
busy moment: compare the medians, and the CPU (user + sys), which contention inflates far less than
wall time. Outputs are deleted after each run; use ``bench.run --keep`` to look at them.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # also runnable as `python bench/pair.py`
    sys.path.append(str(ROOT))

from bench.run import MIB, SCALES, _env, _warm, compile_package, ensure_jobs, measure  # noqa: E402


def _summary(label: str, runs: list[dict]) -> str:
    wall = [r["wall"] for r in runs]
    cpu = [r["cpu"] for r in runs]
    return (f"| {label} | {statistics.median(wall):.2f} s [{min(wall):.2f} – {max(wall):.2f}] "
            f"| {statistics.median(cpu):.2f} s [{min(cpu):.2f} – {max(cpu):.2f}] "
            f"| {max(r['peak_rss'] for r in runs) / MIB:,.0f} MiB "
            f"| {statistics.median(r['others_cpu'] for r in runs):.1f} s |")


def pair_scale(scale: str, trees: list[Path], repeat: int, workers: int, pdf: bool) -> list[str]:
    jobs = ensure_jobs(scale, workers)
    _warm(jobs)
    base = Path(tempfile.mkdtemp(prefix=f"apportion-pair-{scale}-"))
    cwd = base / "cwd"  # neutral: `python -m apportion` must find the tree given, not a stray package
    cwd.mkdir()
    runs: dict[int, list[dict]] = {0: [], 1: []}
    try:
        for i in range(repeat):
            for k in ((0, 1) if i % 2 == 0 else (1, 0)):
                out = base / f"out-{k}-{i}"
                cmd = [sys.executable, "-m", "apportion", "run", str(jobs), "-o", str(out), "--jobs", str(workers)]
                log = base / f"run-{k}-{i}.log"
                m = measure(cmd + (["--pdf"] if pdf else []), _env(trees[k]), cwd, log)
                if m["rc"] != 0:
                    raise SystemExit(f"{trees[k]} on {scale} exited {m['rc']}:\n{log.read_text()[-2000:]}")
                runs[k].append(m)
                shutil.rmtree(out, ignore_errors=True)
                print(f"  {scale} rep {i + 1}/{repeat} {'AB'[k]}: {m['wall']:.2f} s wall, {m['cpu']:.2f} s CPU",
                      flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    a, b = (statistics.median(r["cpu"] for r in runs[k]) for k in (0, 1))
    wa, wb = (statistics.median(r["wall"] for r in runs[k]) for k in (0, 1))
    return [f"| {scale}{' --pdf' if pdf else ''} | | | | |",
            _summary(f"A {trees[0]}", runs[0]), _summary(f"B {trees[1]}", runs[1]),
            f"| B / A | {wb / wa:.2f}× | {b / a:.2f}× | | |"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Paired, interleaved timing of two apportion trees.")
    parser.add_argument("a", type=Path, help="tree A (a folder holding apportion/), e.g. a git archive of the old commit")
    parser.add_argument("b", type=Path, help="tree B, e.g. . for this checkout")
    parser.add_argument("--scales", default="boces1,state", help="comma-separated: " + ",".join(SCALES))
    parser.add_argument("--repeat", type=int, default=4, help="pairs per scale (default 4)")
    parser.add_argument("--jobs", type=int, default=None, help="apportion run --jobs (default: usable cores)")
    parser.add_argument("--pdf", action="store_true", help="time run --pdf instead of run")
    args = parser.parse_args(argv)
    trees = [t.resolve() for t in (args.a, args.b)]
    for t in trees:
        if not (t / "apportion" / "__init__.py").is_file():
            parser.error(f"{t} holds no apportion package")
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    if any(s not in SCALES for s in scales):
        parser.error(f"scales are {', '.join(SCALES)}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = args.jobs or cores
    for t in trees:
        compile_package(t)
    lines = ["| tree | wall, median [min – max] | CPU (user+sys), median [min – max] | peak memory (tree PSS) "
             "| others' CPU during run |", "|---|---|---|---|---|"]
    for scale in scales:
        lines += pair_scale(scale, trees, max(1, args.repeat), workers, args.pdf)
    print(f"\nCommand: python -m bench.pair {' '.join(argv if argv is not None else sys.argv[1:])}  (--jobs {workers})")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
