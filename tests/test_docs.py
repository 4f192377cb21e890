"""The docs stay true: README's commands, CI, and every command documented with help."""
from __future__ import annotations

from pathlib import Path

from apportion.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    return [line.strip() for line in (ROOT / "README.md").read_text().splitlines()[:12] if line.startswith("    ")]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    run_cmd, test_cmd = _readme_commands()
    assert "apportion run inputs/" in run_cmd and "pip install -e ." in run_cmd
    assert test_cmd.endswith("python -m pytest")
    assert test_cmd in (ROOT / ".ci" / "run").read_text()


def test_every_command_is_registered_at_import_with_one_verbose_option():
    assert {"run", "validate", "template", "params", "compare", "mail", "watch"} <= set(cli.commands)
    verbose = {name: [(tuple(o.opts), o.help) for o in c.params if "--verbose" in getattr(o, "opts", ())]
               for name, c in cli.commands.items()}
    spelt = {option for options in verbose.values() for option in options}
    assert verbose["run"] and verbose["validate"] and len(spelt) == 1, verbose


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name, command in cli.commands.items():
        assert command.help and "Example" in command.help, f"{name}: help needs an Example line"
        assert f"apportion {name}" in readme, name


def test_readme_documents_every_mail_option():
    from apportion.delivery_cli import mail
    readme = (ROOT / "README.md").read_text()
    for option in mail.params:
        for name in getattr(option, "opts", []):
            if name.startswith("--"):
                assert name in readme, f"README does not document apportion mail {name}"


def test_rules_table_of_published_figures_is_what_the_product_computes(vector_result):
    """docs/rules.md's 2024-25 table: each row as published, and the product's own figures for it."""
    import csv

    from .builders import DATA, bedscode
    text = (ROOT / "docs" / "rules.md").read_text()
    rows = [line.strip("|").split("|") for line in text.split("### Published figures reproduced")[1].splitlines()
            if line.startswith("| 0") or line.startswith("| 1") or line.startswith("| 2")]
    with open(DATA / "vectors" / "boces_aid_2024_25_sample.csv", newline="") as fh:
        published = {r["district_code"]: r for r in csv.DictReader(fh)}
    assert sorted(r[0].strip() for r in rows) == sorted(published)
    aid = vector_result.aid.table
    for cells in rows:
        code, name, *figures = [c.strip() for c in cells]
        v, mine = published[code], aid.loc[bedscode(code)]
        assert name == v["district_name"]
        sharing, total = figures[5], int(figures[-1].replace(",", ""))
        assert sharing == v["boces_oper_aid_ratio_2024_25"] == f"{int(mine['sharing_ratio']) / 1000:.3f}"
        assert total == int(v["boces_aid_total_2024_25"]) == int(mine["total_aid"])


def test_readme_and_docs_link_only_inside_the_repository():
    import re
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        assert "../shared" not in text and "SPEC.md" not in text and "FORMATS.md" not in text, path.name
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if not target.startswith(("http://", "https://")):
                linked = (path.parent / target).resolve()
                assert linked.exists() and ROOT in linked.parents, f"{path.name} links {target}"


def test_the_package_cites_only_what_ships_with_it():
    """Docstrings and comments cite docs/rules.md ("rules §N") and docs/formats.md, never a development file."""
    import re
    banned = re.compile(r"SPEC\b|FORMATS\.md|\bseeds?/|\bseed \d{3}|\.\./shared|shared/")
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "apportion").rglob("*.py"))
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if banned.search(line.replace("_SPECIAL", "").replace("SPECIAL_", ""))]
    assert hits == []
