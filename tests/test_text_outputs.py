"""Every JSON and CSV output byte for byte (docs/formats.md, Outputs: the statements' documents, basis.json,
mail.json, billing.csv, aid.csv, reconciliation.csv, issues.csv are a contract other tools and ``apportion
compare`` read): the SHA-256 of each, for the report job of tests/test_reports.py and the shipped examples,
against ``tests/golden/text_outputs.json``.

A faster writer must leave these bytes as they are. An intended change of a text output is rewritten with
``python -m pytest tests/test_text_outputs.py --update-golden``, which then fails so the change is reviewed
(``git diff tests/golden``) and said in docs/formats.md.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from .test_reports import GOLDEN, build_files

DIGESTS = GOLDEN / "text_outputs.json"
REPORT_JOB = "report_job.xlsx"


def text_digests(files: dict[str, bytes]) -> dict[str, str]:
    """The SHA-256 of every JSON and CSV file among ``files``, by path."""
    return {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())
            if path.endswith((".json", ".csv"))}


@pytest.fixture(scope="module")
def digests(tmp_path_factory, example_files) -> dict[str, dict[str, str]]:
    """Each job's text outputs' digests: the report job (in process), then each example run's folder."""
    out = {REPORT_JOB: text_digests(build_files(tmp_path_factory.mktemp("text_outputs")))}
    out |= {job: text_digests(files) for job, files in sorted(example_files.items())}
    return out


def test_every_json_and_csv_output_byte_for_byte(digests, update_golden):
    if update_golden:
        DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.fail(f"--update-golden rewrote {DIGESTS}: review `git diff tests/golden`, then run the tests again "
                    "without --update-golden")
    expected = json.loads(Path(DIGESTS).read_text(encoding="utf-8"))
    assert sorted(digests) == sorted(expected)
    for job, files in expected.items():
        assert sorted(digests[job]) == sorted(files), f"{job}: other text outputs than the golden's"
        changed = [path for path in files if digests[job][path] != files[path]]
        assert not changed, f"{job}: these outputs' bytes changed: {changed}"
    assert sum(len(files) for files in expected.values()) > 20  # the documents of every statement are in
