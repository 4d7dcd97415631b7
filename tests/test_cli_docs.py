"""Docs that cannot drift: every option of the command is in README.md and in `clean --help`.

README.md carries `clean --help` verbatim between two markers. After changing an option, regenerate it with
`.venv/bin/python tests/test_cli_docs.py` and review the diff.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from clean.cli import command

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BEGIN, END = "<!-- clean --help: begin -->", "<!-- clean --help: end -->"


def help_text() -> str:
    result = CliRunner().invoke(command, ["--help"], prog_name="clean")
    assert result.exit_code == 0, result.output
    return result.output


def long_options() -> list[str]:
    names = []
    for param in command.get_params(click.Context(command)):  # with --help, which click adds itself
        if isinstance(param, click.Option):
            names += [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
    return names


def readme_block(text: str) -> str:
    return f"{BEGIN}\n```text\n{text}```\n{END}"


def test_every_option_is_in_the_readme_and_the_help() -> None:
    readme = README.read_text(encoding="utf-8")
    shown = help_text()
    names = long_options()
    assert {"--config", "--explain", "--list-rules", "--color", "--no-color", "--log-file", "--quiet", "--verbose",
            "--version", "--help"} <= set(names)
    outside = readme.replace(readme_block(shown), "") if readme_block(shown) in readme else readme
    for name in names:
        assert re.search(rf"{re.escape(name)}(?![\w-])", shown), f"{name} is missing from `clean --help`"
        assert re.search(rf"{re.escape(name)}(?![\w-])", readme), f"{name} is missing from README.md"
    # the prose documents the options a user reaches for, not only the pasted reference: the README or the docs it
    # links to
    outside += "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    for name in ("--config", "--explain", "--list-rules", "--color", "--log-file", "--quiet", "--workers"):
        assert re.search(rf"{re.escape(name)}(?![\w-])", outside), f"README.md and docs/ explain {name} only in the reference"


def test_readme_carries_the_current_help() -> None:
    assert readme_block(help_text()) in README.read_text(encoding="utf-8"), (
        "README.md's CLI reference is not `clean --help`: run `.venv/bin/python tests/test_cli_docs.py`"
    )


def test_help_has_the_exit_codes_and_examples() -> None:
    proc = subprocess.run([sys.executable, "-m", "clean", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout == help_text(), "the command prints the same help as the one pasted in README.md"
    flat = " ".join(proc.stdout.split())
    for code, meaning in (("0", "all inputs done"), ("2", "usage error"), ("3", "finished but some inputs failed"),
                          ("1", "anything else"), ("130", "interrupted")):
        assert f"{code} {meaning}" in flat
    assert "Examples: clean seeds/ out/" in flat
    assert "clean --explain 004_bf6ca3c3fed56fed.txt out/" in flat and "clean --list-rules" in flat
    assert "CLEAN_WORKERS=4" in flat


def main() -> None:
    """Rewrite README.md's CLI reference from the current `clean --help`."""
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    README.write_text(readme[:start] + readme_block(help_text()) + readme[end:], encoding="utf-8")
    print(f"updated the CLI reference in {README}")


if __name__ == "__main__":
    main()
