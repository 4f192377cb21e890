"""The docs stay true: README's commands, CI, and every command documented with help."""
from __future__ import annotations

from pathlib import Path

from apportion.cli import cli, main  # noqa: F401  (main registers mail and watch)

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    return [line.strip() for line in (ROOT / "README.md").read_text().splitlines()[:12] if line.startswith("    ")]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    run_cmd, test_cmd = _readme_commands()
    assert "apportion run inputs/" in run_cmd and "pip install -e ." in run_cmd
    assert test_cmd.endswith("python -m pytest")
    assert test_cmd in (ROOT / ".ci" / "run").read_text()


def test_every_command_has_help_and_is_in_the_readme():
    from apportion.delivery_cli import register
    register(cli)
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
