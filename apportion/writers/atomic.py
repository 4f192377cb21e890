"""Replacing a job's output folder all at once.

Every file is written into a hidden temporary folder beside the final one;
only when all are complete is the old folder moved aside and the new one
renamed into place. A run killed at any moment leaves either the previous
outputs or the new ones under the final name, never a half-written file;
:func:`recover` puts the previous outputs back if a run died mid-swap.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def recover(final: Path) -> None:
    """Undo a swap that a killed run left half-done, and clear its temporary folders."""
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, final)
    for stale in final.parent.glob(f".{final.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)


#: sub-folders that belong to later steps, not to a run: kept across re-runs (the email
#: outbox and its sent.csv, so a re-run never makes ``apportion mail --send`` email districts twice)
KEPT = ("outbox",)


def write_folder(final: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative path → bytes) as the new content of ``final``, keeping :data:`KEPT` folders."""
    final.parent.mkdir(parents=True, exist_ok=True)
    recover(final)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        for rel, data in sorted(files.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for name in KEPT:
            if (final / name).is_dir():
                shutil.copytree(final / name, tmp / name)
        old = final.with_name(f".{final.name}.old")
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_file(path: Path, data: bytes) -> None:
    """Write one file through a temporary name beside it: a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
