"""Shared fixtures: each job the suite reads from many tests is computed once per session, and the
``--update-golden`` option that rewrites the golden workbooks (tests/golden) and then fails.

The session fixtures hand out computed results and output folders that tests only read; a test
that writes into an output folder (``mail`` writes an outbox) copies it first.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from apportion.batch import run_batch
from apportion.runner import compute_job
from apportion.writers.document import ReportOptions

from .builders import EXAMPLE_JOBS, small_job, vector_job

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden from the current code, then fail the golden tests so the rewrite "
                          "is reviewed (git diff tests/golden) and the suite run again without it")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when this session rewrites the golden workbooks (``--update-golden``)."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def small_result(tmp_path_factory):
    """The small job of :func:`tests.builders.small_job`, unedited, computed once."""
    return compute_job(small_job(tmp_path_factory.mktemp("small") / "job.xlsx"))


@pytest.fixture(scope="session")
def vector_result(tmp_path_factory):
    """The 12 published districts of the 2024-25 aid run (:func:`tests.builders.vector_job`), computed once."""
    return compute_job(vector_job(tmp_path_factory.mktemp("vectors") / "v.xlsx"))


@pytest.fixture(scope="session")
def example_run(tmp_path_factory) -> dict[str, Path]:
    """`apportion run inputs/ --pdf` once: each shipped example job's output folder, by the job's name.

    Read only: a test that adds to a folder (an outbox) works on a copy (:func:`tests.builders.copy_of`).
    """
    out = tmp_path_factory.mktemp("examples")
    batch = run_batch([ROOT / "inputs"], out, jobs=1, options=ReportOptions(pdf=True))
    assert batch.exit_code == 0, [i.render() for o in batch.outcomes for i in o.issues]
    folders = {Path(o.source).name: Path(o.output) for o in batch.outcomes}
    assert sorted(folders) == sorted(EXAMPLE_JOBS), folders
    return folders


@pytest.fixture(scope="session")
def example_files(example_run) -> dict[str, dict[str, bytes]]:
    """Every file each example run wrote, by path relative to its folder ("districts/…xlsx")."""
    return {job: {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
            for job, folder in example_run.items()}
