"""Floors for ``bench.run``: what any tool doing the same I/O cannot beat.

Two floors are timed beside ``apportion run``:

* **import** — the interpreter importing the stack ``apportion`` runs on
  (:data:`IMPORT_STATEMENT`); every ``apportion`` command pays at least this.
* **straw man** — ``python -m bench.floors strawman``: read the same workbooks
  with python-calamine (every sheet, ``to_python``) and write the same number
  of minimal xlsxwriter workbooks as the real run wrote, with the same number
  of worker processes (a ``ProcessPoolExecutor`` over the jobs, as
  ``apportion.batch`` does). No validation, no law, no formatting: the cost of
  the I/O alone.

The straw man imports only python-calamine and xlsxwriter (not pandas): the
import floor is its own column, so ``run / straw man`` shows what the
calculator adds on top of reading and writing the same files.

Usage::

    python -m bench.floors strawman JOBS_DIR OUT_DIR --outputs N [--jobs N]
"""
from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

IMPORT_STATEMENT = "import pandas, numpy, python_calamine, xlsxwriter, openpyxl, click"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


def workbooks(folder: Path) -> list[Path]:
    """The job workbooks directly in ``folder`` (what ``apportion run folder`` finds for these jobs)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", ".")))


def share_outputs(total: int, weights: list[int]) -> list[int]:
    """``total`` split over jobs in proportion to ``weights`` (largest remainder; sums to ``total`` exactly)."""
    if not weights:
        return []
    w = [max(1, x) for x in weights]
    whole = sum(w)
    exact = [total * x / whole for x in w]
    out = [int(e) for e in exact]
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def read_all(path: Path) -> tuple[int, int]:
    """Every sheet of one workbook through calamine's ``to_python``; (cells, rows of a Districts sheet)."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = districts = 0
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
        if name.strip().casefold() == "districts":
            districts = max(0, len(rows) - 1)
    return cells, districts


def write_minimal(path: Path) -> None:
    """The smallest honest report: one xlsxwriter workbook, one sheet, one cell (built in memory, as
    ``apportion.writers`` builds its reports, then written to the file)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.add_worksheet("Sheet1").write_string(0, 0, "x")
    book.close()


def _read_job(path: str) -> tuple[int, int]:
    return read_all(Path(path))


def _write_job(folder: str, count: int) -> int:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        write_minimal(out / f"{i:05d}.xlsx")
    return count


def strawman(jobs_dir: Path, out_dir: Path, outputs: int, workers: int = 1) -> dict:
    """Read every workbook under ``jobs_dir`` and write ``outputs`` minimal workbooks under ``out_dir``.

    Two passes over one pool: read every job, then write the outputs shared
    among the jobs in proportion to each job's Districts rows + 1 (one
    statement per district and one summary per job, as the real run writes).
    """
    books = workbooks(jobs_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    folders = [str(out_dir / f"job{i:04d}") for i in range(len(books))]
    workers = min(max(1, workers), max(1, len(books)))
    if workers <= 1 or len(books) <= 1:
        read = [_read_job(str(p)) for p in books]
        counts = share_outputs(outputs, [d + 1 for _, d in read])
        for folder, count in zip(folders, counts):
            _write_job(folder, count)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            read = list(pool.map(_read_job, map(str, books)))
            counts = share_outputs(outputs, [d + 1 for _, d in read])
            list(pool.map(_write_job, folders, counts))
    return {"workbooks": len(books), "cells": sum(c for c, _ in read), "outputs": sum(counts)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Floors for bench.run")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("strawman", help="read every workbook with calamine, write N minimal xlsxwriter workbooks")
    s.add_argument("jobs_dir", type=Path)
    s.add_argument("out_dir", type=Path)
    s.add_argument("--outputs", type=int, required=True, help="how many .xlsx files the real run wrote")
    s.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args(argv)
    info = strawman(args.jobs_dir, args.out_dir, args.outputs, args.jobs)
    print(f"strawman: {info['workbooks']} workbook(s), {info['cells']:,} cells read, {info['outputs']} workbook(s) written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
