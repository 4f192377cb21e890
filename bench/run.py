"""Time ``apportion run`` on the synthetic scales, next to the floors it cannot beat.

Usage::

    python -m bench.run [--scales boces1,state,state10x,million] [--repeat N | --repeat scale=N,...] [--jobs N] [--keep]
                        [--src DIR] [--json FILE] [--profile [--top N]]

By default boces1 and state run 3 times, state10x and million once.

For each scale the jobs are generated once by ``bench.generate`` into
``bench/jobs/<scale>/`` (cached; regenerated only when ``bench/generate.py``
changes). Then, ``--repeat`` times and interleaved, three commands each run as
a whole subprocess inside a fresh measuring wrapper:

* ``apportion run <jobs> -o <tmp> --jobs N`` — the thing measured;
* the **import floor**: ``python -c "import pandas, numpy, python_calamine, xlsxwriter, openpyxl, click"``;
* the **straw man** (``bench.floors``): read the same workbooks with calamine and
  write as many minimal xlsxwriter workbooks as the real run wrote, with N workers.

For ``million`` each repetition also times ``apportion validate <jobs>`` (its own row: issue 14's
target holds for validate as for run).

The wrapper reports wall time, CPU (user + sys of the whole process tree, from
``getrusage(RUSAGE_CHILDREN)`` — pool workers are reaped by their parent, so
their time rolls up) and the peak memory of the process tree: the largest sum of
PSS (proportional set size, from ``/proc/PID/smaps_rollup``) over the tree, sampled
every 10 ms, or the largest single process's ``ru_maxrss`` if that is larger.
PSS counts a page shared by n processes as 1/n in each, so pages a forked
worker shares with its parent count once (a sum of RSS counted them once per
process: the 2,247 MiB once reported for the million-row job). It also reports the
CPU the rest of the machine used meanwhile (from ``/proc/stat``): on a shared
machine that is the noise in the wall times.

``--profile`` instead runs every job of each scale in this process, serially,
timing the phases of ``apportion.runner.run_job`` (reading, validation, law
core, writing, and the larger parts of each: :data:`PHASES`), then cProfiles
the largest job and prints the hot functions; first it shows the import time
of ``python -X importtime -m apportion --help`` and of a whole one-job run.

``--src DIR`` benchmarks the ``apportion`` package found in DIR (for example a
``git archive`` of another commit) instead of the installed one.

Nothing here reads the network or the clock for data; the inputs depend only
on (scale, seed).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # also runnable as `python bench/run.py`
    sys.path.append(str(ROOT))

from bench.floors import IMPORT_STATEMENT  # noqa: E402

BENCH = ROOT / "bench"
JOBS_ROOT = BENCH / "jobs"
OUT_ROOT = BENCH / "out"
SCALES = ("boces1", "state", "state10x", "million")
SEED = 2026
MIB = 2**20
GIB = 2**30

#: the benchmark figures the project aims for (issue 16; not tests): wall seconds, and peak memory (tree PSS) where given.
#: state's 6 s is 1.2 × the 5 s read-and-write straw man measured when the target was set.
TARGETS = {"boces1": (0.8, None), "state": (6.0, None), "state10x": (60.0, 1 * GIB),
           "million": (60.0, 1.5 * GIB)}  # issue 14: one job of 1,000,000 Participation rows
PDF_TARGET = 1.30  # `run --pdf` at most 30 % over the same run without it
#: scales whose `apportion validate` is timed too, on its own row (issue 14: validate and run each ≤ 60 s, ≤ 1.5 GiB)
VALIDATED = ("million",)

# The measuring wrapper, run as ``python -c MEASURE CMD_JSON CWD LOG``: one fresh process per
# measurement, so RUSAGE_CHILDREN holds exactly the measured command's process tree.
MEASURE = r'''
import json, os, resource, subprocess, sys, threading, time
cmd, env, cwd, log = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
page = os.sysconf("SC_PAGE_SIZE")

def tree(pid):
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return pids

def rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * page
    except (OSError, IndexError, ValueError):
        return 0

def pss(pid):
    """The process's proportional set size: its private pages, and each page it shares with n processes as
    1/n (a forked worker's pages inherited from its parent count once over the tree, not once per process)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None

peak, peak_pss, count, stop = [0], [0], [0], threading.Event()
tick = os.sysconf("SC_CLK_TCK")

def cpu_stat():
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return {"busy": sum(f[i] for i in (0, 1, 2, 5, 6)) / tick, "iowait": f[4] / tick, "steal": f[7] / tick}

def sample(pid):
    while True:
        pids = tree(pid)
        total = sum(rss(p) for p in pids)
        peak[0] = max(peak[0], total)
        if total > peak_pss[0]:  # PSS <= RSS: worth reading (a walk of the page tables) only when it may be a peak
            shares = [pss(p) for p in pids]
            if None not in shares:
                peak_pss[0] = max(peak_pss[0], sum(shares))
        count[0] = max(count[0], len(pids))
        if stop.wait(0.01):
            return

before = cpu_stat()
with open(log, "wb") as out:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd, env=env)
    sampler = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
    sampler.start()
    rc = proc.wait()
    wall = time.perf_counter() - started
after = cpu_stat()
stop.set()
sampler.join()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
machine = {k: after[k] - before[k] for k in after}
print(json.dumps({"rc": rc, "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
                  "maxrss_one": ru.ru_maxrss * 1024, "rss_tree": peak[0], "pss_tree": peak_pss[0],
                  "processes": count[0],
                  "others_cpu": max(0.0, machine["busy"] - ru.ru_utime - ru.ru_stime),
                  "iowait": machine["iowait"], "steal": machine["steal"]}))
'''


# --------------------------------------------------------------------------- inputs

def _generator_key(scale: str) -> dict:
    digest = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()
    return {"scale": scale, "seed": SEED, "generate.py": digest}


def ensure_jobs(scale: str, workers: int) -> Path:
    """``bench/jobs/<scale>/``, generated once per version of ``bench/generate.py`` (then cached)."""
    folder = JOBS_ROOT / scale
    marker = folder / ".generated.json"
    key = _generator_key(scale)
    try:
        if json.loads(marker.read_text()) == key:
            return folder
    except (OSError, ValueError):
        pass
    JOBS_ROOT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{scale}.tmp-", dir=JOBS_ROOT))
    print(f"generating {scale} into {folder.relative_to(ROOT)} ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "bench.generate", scale, str(tmp), "--seed", str(SEED),
                        "--jobs", str(workers)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        (tmp / ".generated.json").write_text(json.dumps(key, indent=1) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".xlsx" and not p.name.startswith((".", "~$")))


def _warm(folder: Path) -> int:
    """Read every input once so the page cache is equally warm for every measurement."""
    total = 0
    for p in _workbooks(folder):
        total += len(p.read_bytes())
    return total


# --------------------------------------------------------------------------- measuring

def _env(src: Path | None) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def compile_package(src: Path | None) -> None:
    """Write the bytecode of the ``apportion`` package measured (in ``src``, or this checkout's), as
    ``pip install`` does for an installed package: an editable checkout run with
    ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile its ~100 modules again in every process
    (about 0.2 s of each start-up here), a cost no installed copy pays."""
    package = (src or ROOT) / "apportion"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)


def apportion_command(src: Path | None) -> list[str]:
    """The installed console script, or ``python -m apportion`` when benchmarking another tree."""
    script = Path(sys.executable).parent / "apportion"
    if src is None and script.exists():
        return [str(script)]
    return [sys.executable, "-m", "apportion"]


def measure(cmd: list[str], env: dict, cwd: Path, log: Path) -> dict:
    """One command in a fresh wrapper: wall, CPU of its process tree, peak memory of the tree (PSS)."""
    wrapper = [sys.executable, "-c", MEASURE, json.dumps(cmd), json.dumps(env), str(cwd), str(log)]
    done = subprocess.run(wrapper, capture_output=True, text=True, check=True)
    m = json.loads(done.stdout.strip().splitlines()[-1])
    m["cpu"] = m["user"] + m["sys"]
    # the tree's memory: its PSS summed (shared pages once), where /proc has it, else its RSS summed (an upper
    # bound: a forked worker's pages shared with its parent counted twice); at least the largest process's RSS
    m["peak_rss"] = max(m.get("pss_tree") or m["rss_tree"], m["maxrss_one"])
    return m


def _stats(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def bench_scale(scale: str, repeat: int, workers: int, src: Path | None, keep: bool, gen_workers: int,
                pdf: bool = False) -> dict:
    jobs_dir = ensure_jobs(scale, gen_workers)
    books = _workbooks(jobs_dir)
    size = _warm(jobs_dir)
    env = _env(src)
    if keep:
        base = OUT_ROOT / scale
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
    else:
        base = Path(tempfile.mkdtemp(prefix=f"apportion-bench-{scale}-"))
    cwd = base / "cwd"  # a neutral working directory: `python -m` must not pick up a stray package
    cwd.mkdir(exist_ok=True)
    runs, imports, straws, pdf_runs, validations = [], [], [], [], []
    outputs = None
    failures = []
    try:
        for i in range(repeat):
            out = base / f"run-{i + 1}"
            cmd = apportion_command(src) + ["run", str(jobs_dir), "-o", str(out), "--jobs", str(workers)]
            m = measure(cmd, env, cwd, base / f"run-{i + 1}.log")
            if m["rc"] != 0:
                failures.append(f"run {i + 1} exited {m['rc']} (see {base / f'run-{i + 1}.log'})")
            runs.append(m)
            if outputs is None:
                outputs = sum(1 for _ in out.rglob("*.xlsx"))
            if not keep or i < repeat - 1:
                shutil.rmtree(out, ignore_errors=True)
            if pdf:  # the same run with --pdf, straight after
                out = base / f"run-pdf-{i + 1}"
                m = measure(cmd[:-3] + [str(out), "--jobs", str(workers), "--pdf"], env, cwd,
                            base / f"run-pdf-{i + 1}.log")
                if m["rc"] != 0:
                    failures.append(f"run --pdf {i + 1} exited {m['rc']} (see {base / f'run-pdf-{i + 1}.log'})")
                pdf_runs.append(m)
                shutil.rmtree(out, ignore_errors=True)
            if scale in VALIDATED:  # reading, validation and the law's checks, writing nothing
                m = measure(apportion_command(src) + ["validate", str(jobs_dir)], env, cwd, base / "validate.log")
                if m["rc"] != 0:
                    failures.append(f"validate {i + 1} exited {m['rc']} (see {base / 'validate.log'})")
                validations.append(m)
            imports.append(measure([sys.executable, "-c", IMPORT_STATEMENT], env, cwd, base / "import.log"))
            straw = base / f"strawman-{i + 1}"
            cmd = [sys.executable, str(BENCH / "floors.py"), "strawman", str(jobs_dir), str(straw),
                   "--outputs", str(outputs), "--jobs", str(workers)]
            m = measure(cmd, env, cwd, base / "strawman.log")
            if m["rc"] != 0:
                failures.append(f"straw man exited {m['rc']} (see {base / 'strawman.log'})")
            straws.append(m)
            shutil.rmtree(straw, ignore_errors=True)
            print(f"  {scale} rep {i + 1}/{repeat}: run {runs[-1]['wall']:.2f} s, import {imports[-1]['wall']:.2f} s, "
                  f"straw man {straws[-1]['wall']:.2f} s", flush=True)
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    return {
        "scale": scale, "workbooks": len(books), "input_bytes": size, "outputs_xlsx": outputs, "jobs": workers,
        "repeat": repeat, "run": runs, "import": imports, "strawman": straws, "failures": failures,
        "wall": _stats([r["wall"] for r in runs]), "cpu": statistics.median(r["cpu"] for r in runs),
        "peak_rss": max(r["peak_rss"] for r in runs),
        "others_cpu": statistics.median(r["others_cpu"] for r in runs),
        "floor_import": statistics.median(m["wall"] for m in imports),
        "floor_strawman": statistics.median(m["wall"] for m in straws),
        "pdf": {"run": pdf_runs, "wall": _stats([r["wall"] for r in pdf_runs]),
                "cpu": statistics.median(r["cpu"] for r in pdf_runs),
                "peak_rss": max(r["peak_rss"] for r in pdf_runs)} if pdf_runs else None,
        "validate": {"run": validations, "wall": _stats([r["wall"] for r in validations]),
                     "cpu": statistics.median(r["cpu"] for r in validations),
                     "peak_rss": max(r["peak_rss"] for r in validations)} if validations else None,
    }


# --------------------------------------------------------------------------- reporting

def _target(r: dict) -> str:
    wall_target, rss_target = TARGETS.get(r["scale"], (None, None))
    if r["failures"]:
        return "FAILED RUN"
    if wall_target is None:
        return ""
    ok = r["wall"]["median"] <= wall_target and (rss_target is None or r["peak_rss"] <= rss_target)
    want = f"≤ {wall_target:g} s" + (f", ≤ {rss_target / GIB:g} GiB" if rss_target else "")
    return f"{'met' if ok else 'MISSED'} ({want})"


def table(results: list[dict]) -> str:
    head = ("| scale | workbooks → xlsx | run wall min / med / max | CPU (user+sys) | peak memory (tree PSS) "
            "| floor: import | floor: straw man | run / straw man | target | others' CPU during run |")
    lines = [head, "|" + "---|" * 10]
    for r in results:
        w = r["wall"]
        lines.append(
            f"| {r['scale']} | {r['workbooks']} → {r['outputs_xlsx']} | {w['min']:.2f} / {w['median']:.2f} / {w['max']:.2f} s "
            f"| {r['cpu']:.2f} s | {r['peak_rss'] / MIB:,.0f} MiB | {r['floor_import']:.2f} s | {r['floor_strawman']:.2f} s "
            f"| {w['median'] / r['floor_strawman']:.1f}× | {_target(r)} | {r['others_cpu']:.1f} s |")
        if r.get("validate"):
            v = r["validate"]
            wall_target, rss_target = TARGETS[r["scale"]]
            ok = v["wall"]["median"] <= wall_target and v["peak_rss"] <= rss_target
            lines.append(
                f"| {r['scale']} `validate` | {r['workbooks']} → 0 "
                f"| {v['wall']['min']:.2f} / {v['wall']['median']:.2f} / {v['wall']['max']:.2f} s | {v['cpu']:.2f} s "
                f"| {v['peak_rss'] / MIB:,.0f} MiB | | | | {'met' if ok else 'MISSED'} (≤ {wall_target:g} s, "
                f"≤ {rss_target / GIB:g} GiB) | |")
        if r.get("pdf"):
            p = r["pdf"]
            more = p["wall"]["median"] / w["median"]
            lines.append(
                f"| {r['scale']} `--pdf` | {r['workbooks']} → {r['outputs_xlsx']} + PDFs "
                f"| {p['wall']['min']:.2f} / {p['wall']['median']:.2f} / {p['wall']['max']:.2f} s | {p['cpu']:.2f} s "
                f"| {p['peak_rss'] / MIB:,.0f} MiB | | | {p['wall']['median'] / r['floor_strawman']:.1f}× "
                f"| {'met' if more <= PDF_TARGET else 'MISSED'} (+{(more - 1) * 100:.0f} % on the run; "
                f"≤ +{(PDF_TARGET - 1) * 100:.0f} %) | |")
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine(src: Path | None, workers: int) -> str:
    from importlib import metadata

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model, mem = platform.processor() or "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f", {kb * 1024 / GIB:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    versions = []
    for name in ("pandas", "numpy", "python-calamine", "xlsxwriter"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    commit = _git("rev-parse", "--short", "HEAD")
    code = _git("rev-parse", "--short", "HEAD:apportion")  # the package's own tree: commits elsewhere do not count
    dirty = _git("status", "--porcelain", "--", "apportion")
    tree = f"--src {src}" if src else (f"working tree at {commit} (apportion/ tree {code}"
                                       + (", with uncommitted edits)" if dirty else ")"))
    bytecode = (" PYTHONDONTWRITEBYTECODE=1 (apportion's .pyc written first by compileall, as an install does)."
                if os.environ.get("PYTHONDONTWRITEBYTECODE") else "")
    return (f"{cores} cores ({model}){mem}; Python {platform.python_version()}; {', '.join(versions)}; "
            f"--jobs {workers}; {tree}.{bytecode}")


# --------------------------------------------------------------------------- profile

#: (label, module, attribute) wrapped with a wall timer during --profile; missing ones are skipped.
PHASES = [
    ("reading", "apportion.runner", "read_inputs"),
    ("  safety scan (zip, XML, cells)", "apportion.readers.book", "check_file"),
    ("  calamine to_python", "apportion.readers.book", "Workbook.rows"),
    ("  typing cells", "apportion.readers.table", "_typed"),
    ("validation and the law's checks", "apportion.runner", "build_job"),
    ("  the law's checks (law_checks)", "apportion.compute.checks", "law_checks"),
    ("law core", "apportion.compute", "compute"),
    ("  CoSers (coser_tables)", "apportion.compute", "coser_tables"),
    ("  shared PD (shared_pd_tables)", "apportion.compute", "shared_pd_tables"),
    ("  billing table (billing_table)", "apportion.compute", "billing_table"),
    ("  aid (aid_table)", "apportion.compute", "aid_table"),
    ("  net cost (net_table)", "apportion.compute", "net_table"),
    ("  method comparison (method_comparison)", "apportion.compute", "method_comparison"),
    ("  collaboration credits", "apportion.compute", "collaboration_credits"),
    ("writing", "apportion.runner", "output_files"),
    ("  summary workbook", "apportion.writers.summary", "write_summary"),
    ("    its tables (write_table)", "apportion.writers.summary", "write_table"),
    ("    CoSer sheets (_coser_sheets)", "apportion.writers.summary", "_coser_sheets"),
    ("  district statements", "apportion.writers.statement", "write_statement"),
    ("    charge rows (charge_rows)", "apportion.writers.statement", "charge_rows"),
    ("    their tables (write_table)", "apportion.writers.statement", "write_table"),
    ("    aid working (_aid)", "apportion.writers.statement", "_aid"),
    ("  column widths (fitted_widths, all calls)", "apportion.writers.tables", "fitted_widths"),
    ("  column widths (fitted_widths, all calls)", "apportion.writers.statement", "fitted_widths"),
    ("  xlsxwriter add_table (all tables)", "xlsxwriter.worksheet", "Worksheet.add_table"),
    ("  xlsxwriter close: XML + zip (all workbooks)", "xlsxwriter.workbook", "Workbook.close"),
    ("  new_workbook: formats (all workbooks)", "apportion.writers.statement", "new_workbook"),
    ("  new_workbook: formats (all workbooks)", "apportion.writers.summary", "new_workbook"),
    ("  CSV exports", "apportion.writers.csvs", "billing_csv"),
    ("  CSV exports", "apportion.writers.csvs", "aid_csv"),
    ("  CSV exports", "apportion.writers.csvs", "issues_csv"),
    ("writing", "apportion.runner", "sha256"),
    ("writing", "apportion.writers.atomic", "write_folder"),
]


class _Timer:
    def __init__(self):
        self.totals: dict[str, float] = {}
        self.depth: dict[str, int] = {}
        self.undo = []

    def wrap(self, label: str, module: str, attr: str) -> bool:
        import importlib

        try:
            owner = importlib.import_module(module)
            *path, name = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, name)
        except (ImportError, AttributeError):
            return False
        timer = self

        def timed(*args, **kwargs):
            timer.depth[label] = timer.depth.get(label, 0) + 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timer.depth[label] -= 1
                if timer.depth[label] == 0:  # nested or recursive calls count once
                    timer.totals[label] = timer.totals.get(label, 0.0) + time.perf_counter() - started

        try:
            setattr(owner, name, timed)
        except (AttributeError, TypeError):  # a type from an extension module cannot be patched
            return False
        self.undo.append((owner, name, original))
        self.totals.setdefault(label, 0.0)
        return True

    def restore(self):
        for owner, name, original in reversed(self.undo):
            setattr(owner, name, original)
        self.undo.clear()


def profile_scale(scale: str, gen_workers: int, top: int) -> dict:
    import cProfile
    import io
    import pstats

    from apportion.readers.jobs import JobSource
    from apportion.runner import run_job

    jobs_dir = ensure_jobs(scale, gen_workers)
    books = _workbooks(jobs_dir)
    _warm(jobs_dir)
    out = Path(tempfile.mkdtemp(prefix=f"apportion-profile-{scale}-"))
    timer = _Timer()
    wrapped = [(label, f"{module}:{attr}") for label, module, attr in PHASES if timer.wrap(label, module, attr)]
    statuses: dict[str, int] = {}
    try:
        # first job untimed: lazy imports (compute, writers) are start-up, reported by the import profile
        run_job(JobSource(books[0]), out / "warm")
        timer.totals = dict.fromkeys(timer.totals, 0.0)
        per_job = []
        for path in books:
            t = time.perf_counter()
            o = run_job(JobSource(path), out)
            per_job.append((time.perf_counter() - t, path.name))
            statuses[o.status] = statuses.get(o.status, 0) + 1
            shutil.rmtree(out / Path(o.output).name, ignore_errors=True)  # keep the disk use of state10x small
        total = sum(t for t, _ in per_job)
    finally:
        timer.restore()
    top_level = sum(v for k, v in timer.totals.items() if not k.startswith(" "))
    phases = dict(timer.totals)
    phases["other (run_job glue, outcome)"] = total - top_level
    # cProfile the largest job (the one a state run waits for longest)
    largest = max(books, key=lambda p: p.stat().st_size)
    prof = cProfile.Profile()
    prof.enable()
    run_job(JobSource(largest), out / "profiled")
    prof.disable()
    shutil.rmtree(out, ignore_errors=True)
    stream = io.StringIO()
    stats = pstats.Stats(prof, stream=stream)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(r"apportion", top)
    slowest = max(per_job)
    return {"scale": scale, "jobs": len(books), "statuses": statuses, "total": total, "phases": phases,
            "slowest_job": slowest[0], "slowest_name": slowest[1],
            "wrapped": wrapped, "largest": largest.name, "cprofile": stream.getvalue()}


def _importtime(cmd: list[str], env: dict, cwd: Path) -> tuple[float, list[tuple[int, int, int, str]]]:
    """Run ``cmd`` (a ``python -X importtime ...`` command); (wall, [(cumulative µs, self µs, depth, module)])."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line.split(":", 1)[1].split("|", 2)
        depth = (len(name) - len(name.lstrip()) - 1) // 2  # two spaces per level below the root
        rows.append((int(cum_us), int(self_us), depth, name.strip()))
    return wall, rows


def _import_lines(title: str, wall: float, rows: list, top: int) -> list[str]:
    roots = sorted((r for r in rows if r[2] == 0), reverse=True)
    ours = sorted((r for r in rows if r[3].startswith("apportion")), key=lambda r: -r[1])
    lines = [f"{title}: {wall:.2f} s wall, {sum(r[0] for r in roots) / 1e6:.2f} s in imports ({len(rows)} modules)",
             "  slowest top-level imports (cumulative):"]
    lines += [f"    {cum / 1e3:8.1f} ms  {name}" for cum, _, _, name in roots[:top]]
    lines += [f"  apportion's own modules, self time ({sum(r[1] for r in ours) / 1e3:.0f} ms in all; "
              "includes compiling when no .pyc is cached):"]
    lines += [f"    {self_us / 1e3:8.1f} ms  {name}" for _, self_us, _, name in ours[:top]]
    return lines


def import_profile(src: Path | None, top: int = 12) -> str:
    """Import time of ``apportion --help`` and of everything one ``apportion run`` imports (one job, --jobs 1)."""
    cwd = Path(tempfile.mkdtemp(prefix="apportion-importtime-"))
    env = _env(src)
    try:
        wall, rows = _importtime([sys.executable, "-X", "importtime", "-m", "apportion", "--help"], env, cwd)
        lines = _import_lines("python -X importtime -m apportion --help", wall, rows, top)
        jobs = ensure_jobs("boces1", 1)
        wall, rows = _importtime([sys.executable, "-X", "importtime", "-m", "apportion", "run", str(jobs),
                                  "-o", str(cwd / "out"), "--jobs", "1"], env, cwd)
        lines += _import_lines("python -X importtime -m apportion run bench/jobs/boces1 --jobs 1", wall, rows, top)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    return "\n".join(lines)


def print_profile(p: dict) -> None:
    print(f"\n### {p['scale']}: {p['jobs']} job(s) in-process, serially, {p['total']:.2f} s "
          f"({', '.join(f'{n} {k}' for k, n in p['statuses'].items())})")
    print(f"  slowest job {p['slowest_name']}: {p['slowest_job']:.2f} s (a parallel run cannot end sooner)")
    for label, seconds in p["phases"].items():
        share = seconds / p["total"] * 100 if p["total"] else 0
        print(f"  {label:<46} {seconds:8.2f} s  {share:5.1f} %")
    print(f"\ncProfile of the largest job ({p['largest']}):")
    print(p["cprofile"])


# --------------------------------------------------------------------------- main

DEFAULT_REPEAT = "boces1=3,state=3,state10x=1,million=1"  # state10x and million take minutes per run


def _repeats(text: str, scales: list[str]) -> dict[str, int]:
    """``3`` → 3 for every scale; ``boces1=3,state10x=1`` → per scale (a scale not named: 1)."""
    text = str(text).strip()
    if text.isdigit():
        given = dict.fromkeys(SCALES, int(text))
    else:
        given = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, n = part.partition("=")
            if name.strip() not in SCALES or not n.strip().isdigit():
                raise ValueError(f"--repeat: expected N or scale=N,... (scales {', '.join(SCALES)}), got {part!r}")
            given[name.strip()] = int(n)
    out = {s: given.get(s, 1) for s in scales}
    if any(n < 1 for n in out.values()):
        raise ValueError("--repeat: at least 1")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time `apportion run` against its floors.")
    parser.add_argument("--scales", default=",".join(SCALES), help="comma-separated: boces1,state,state10x,million")
    parser.add_argument("--repeat", default=DEFAULT_REPEAT,
                        help=f"repetitions per scale: N for every scale, or scale=N,... (default {DEFAULT_REPEAT})")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: usable cores)")
    parser.add_argument("--keep", action="store_true", help="keep outputs and logs in bench/out/<scale>/")
    parser.add_argument("--src", type=Path, default=None, help="benchmark the apportion package in this folder")
    parser.add_argument("--json", type=Path, default=None, help="also write every measurement to this file")
    parser.add_argument("--pdf", action="store_true", help="also time each run with --pdf (its own row)")
    parser.add_argument("--profile", action="store_true", help="phase split and hot functions, in-process")
    parser.add_argument("--top", type=int, default=25, help="--profile: functions to list")
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale {unknown[0]!r}; expected {', '.join(SCALES)}")
    try:
        repeats = _repeats(args.repeat, scales)
    except ValueError as exc:
        parser.error(str(exc))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = args.jobs or cores
    src = args.src.resolve() if args.src else None
    if args.profile:
        if src is not None:
            sys.path.insert(0, str(src))
        import apportion

        print(f"profiling {Path(apportion.__file__).parent}")
        compile_package(src)
        print(import_profile(src))
        results = []
        for scale in scales:
            p = profile_scale(scale, workers, args.top)
            print_profile(p)
            results.append(p)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")
        return 0
    results = []
    compile_package(src)
    before = machine(src, workers)
    for scale in scales:
        results.append(bench_scale(scale, repeats[scale], workers, src, args.keep, workers, args.pdf))
    after = machine(src, workers)
    same_code = after.split("(apportion/ tree ")[-1] == before.split("(apportion/ tree ")[-1]
    print()
    print(f"Command: python -m bench.run {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"Machine: {before}")
    if after != before and not (same_code and not src):
        print(f"WARNING: apportion/ changed during the run; at the end: {after}")
    repeats = ", ".join(f"{r['scale']} ×{r['repeat']}" for r in results)
    print(f"Repeats: {repeats}")
    print()
    print(table(results))
    for r in results:
        for failure in r["failures"]:
            print(f"WARNING {r['scale']}: {failure}")
    if args.json:
        args.json.write_text(json.dumps({"machine": before, "machine_after": after, "results": results}, indent=1) + "\n")
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
