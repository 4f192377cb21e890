"""Reading a legacy ``.xls`` workbook in a child process with a memory and time limit.

An ``.xls`` is a binary (BIFF) stream inside an OLE compound file, and its
records carry counts from which calamine reserves memory before reading: one
flipped byte can ask for hundreds of gigabytes and abort the process.
Proving every record in Python is not worth it for a legacy format, so the
parse runs here, in a child whose address space is capped; a hostile file
kills only the child, and the job reports it. Its cells come back pickled
(plain values only: text, numbers, booleans, dates and times).

Run as ``python -m apportion.readers.isolated PATH``.
"""
from __future__ import annotations

import io
import pickle
import resource
import subprocess
import sys
from pathlib import Path

MEMORY_LIMIT = 4 * 2**30
TIME_LIMIT = 120  # seconds


class IsolatedReadError(Exception):
    """The child could not read the workbook (damaged, hostile, or over its limits)."""


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def read_sheets(path: Path) -> dict[str, list[list]]:
    """Every sheet's cells from A1 (as ``CalamineSheet.to_python(skip_empty_area=False)``), by sheet name."""
    try:
        done = subprocess.run([sys.executable, "-m", __name__, str(path)], capture_output=True,
                              timeout=TIME_LIMIT, preexec_fn=_cap_memory, check=False)
    except subprocess.TimeoutExpired:
        raise IsolatedReadError(f"reading took longer than {TIME_LIMIT} s") from None
    if done.returncode != 0:
        lines = [ln.strip() for ln in done.stderr.decode("utf-8", errors="replace").splitlines() if ln.strip()]
        # Rust reports "memory allocation of N bytes failed" before its backtrace; Python ends with the exception
        why = next((ln for ln in lines if ln.startswith("memory allocation")), lines[-1] if lines else "")
        raise IsolatedReadError(why[:200] or f"the reader stopped (exit {done.returncode})")
    return pickle.loads(done.stdout)


def open_calamine(path: str):
    """calamine's workbook of the file at ``path``. calamine opens a path by its UTF-8 name only, so a name of
    other bytes (a Latin-1 ``é`` off a Windows zip or share, held by Python as a lone surrogate) is handed over
    as the file's bytes."""
    import python_calamine
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        with open(path, "rb") as fh:
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    return python_calamine.CalamineWorkbook.from_path(path)


def main(path: str) -> None:  # pragma: no cover - runs in the child
    book = open_calamine(path)
    sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    sys.stdout.buffer.write(pickle.dumps(sheets, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1])
