"""Configuration: defaults < TOML file < CLEAN_* environment < flags, each value read as its option's type."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from clean.config import Config, load
from clean.errors import UsageError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_defaults_file_environment_flags(tmp_path: Path) -> None:
    toml = write(tmp_path / "clean.toml", "workers = 3\nshard-mb = 8\ndedup_threshold = 0.6\nzones = false\n")
    env = {"CLEAN_WORKERS": "5", "CLEAN_DEDUP_THRESHOLD": "0.7", "HOME": "/x"}
    config = load(toml, env=env, workers=7, dedup_threshold=None)
    assert config.workers == 7  # flag over environment over file
    assert config.dedup_threshold == 0.7  # environment over file (the flag was not given)
    assert config.shard_mb == 8.0 and isinstance(config.shard_mb, float)  # file over default, int read as float
    assert config.zones is False
    assert config.shard_docs == Config().shard_docs  # default
    assert load(env={}) == Config()


@pytest.mark.parametrize(
    "text",
    [
        "[clean]\nworkers = 2\ndedup-against = 'old/out'\n",
        "workers = 2\ndedup_against = \"old/out\"\n",
        "[project]\nname = 'x'\n[tool.clean]\nworkers = 2\ndedup_against = 'old/out'\n",
    ],
    ids=["clean-table", "top-level", "pyproject"],
)
def test_file_layouts(tmp_path: Path, text: str) -> None:
    config = load(write(tmp_path / "c.toml", text), env={})
    assert config.workers == 2 and config.dedup_against == "old/out"


def test_a_pyproject_without_our_table_changes_nothing(tmp_path: Path) -> None:
    assert load(write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n[tool.ruff]\nline-length = 9\n"),
                env={}) == Config()


def test_environment_values_are_read_as_their_option_types() -> None:
    config = load(env={
        "CLEAN_DEDUP": "false", "CLEAN_DROP_DUPLICATES": "yes", "CLEAN_ZONES": "0", "CLEAN_FORCE": "ON",
        "CLEAN_SHARD_DOCS": "12", "CLEAN_MAX_DOC_MB": "1.5", "CLEAN_DEDUP_AGAINST": "/data/old out",
        "CLEAN_DEDUP_NGRAM": "", "CLEAN_DEDUP_BANDS": "none", "CLEAN_RAY_ADDRESS": "auto", "CLEAN_ENGINE": "ray",
    })
    assert (config.dedup, config.drop_duplicates, config.zones, config.force) == (False, True, False, True)
    assert config.shard_docs == 12 and config.max_doc_mb == 1.5
    assert config.dedup_against == "/data/old out"  # text stays text
    assert config.dedup_ngram is None and config.dedup_bands is None  # empty or "none": not set
    assert config.ray_address == "auto" and config.engine == "ray"
    assert load(env={"CLEAN_DEDUP_NGRAM": "4"}).dedup_ngram == 4
    assert load(env={"CLEAN_HTML_MODEL": "fast"}).html_model == "fast" and load().html_model == "accurate"
    from clean.config import HTML_MODEL_CHOICES
    from clean.page.model.page import HTML_MODELS

    assert tuple(HTML_MODELS) == HTML_MODEL_CHOICES  # the configuration's names are the models'


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CLEAN_DEDUP": "maybe"}, "CLEAN_DEDUP: expected true or false, got 'maybe'"),
        ({"CLEAN_WORKERS": "four"}, "CLEAN_WORKERS: expected a whole number"),
        ({"CLEAN_WORKERS": ""}, "CLEAN_WORKERS: expected a whole number"),
        ({"CLEAN_SHARD_MB": "big"}, "CLEAN_SHARD_MB: expected a number"),
        ({"CLEAN_DEDUP_THRESHOLD": "2"}, "dedup_threshold: must be between 0.05 and 1"),
        ({"CLEAN_WORKERS": "-1"}, "workers: must be at least 0"),
        ({"CLEAN_ENGINE": "spark"}, "engine: expected one of local, ray"),
        ({"CLEAN_HTML_MODEL": "quick"}, "html_model: expected one of accurate, fast, got 'quick'"),
    ],
)
def test_bad_environment_values_are_usage_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        load(env=env)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("workers = 1.5\n", "option workers: expected a whole number, got 1.5"),
        ("workers = true\n", "option workers: expected a whole number, got True"),
        ("dedup = 1\n", "option dedup: expected true or false, got 1"),
        ("dedup_against = 3\n", "option dedup_against: expected text, got 3"),
        ("[clean]\nworkerz = 2\n", "unknown option 'workerz'; known: .*workers"),
        ("workers = \n", "not valid TOML"),
        ("[clean.dedup]\nthreshold = 0.4\n", "unknown option 'dedup'|expected true or false"),
    ],
)
def test_bad_files_are_usage_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load(write(tmp_path / "c.toml", text), env={})


def test_quoted_values_in_a_file_are_read_as_their_types(tmp_path: Path) -> None:
    config = load(write(tmp_path / "c.toml", 'workers = "4"\ndedup = "no"\nshard_mb = "2.5"\n'), env={})
    assert (config.workers, config.dedup, config.shard_mb) == (4, False, 2.5)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="config file not found"):
        load(tmp_path / "nope.toml", env={})
    with pytest.raises(UsageError, match="is a folder"):
        load(tmp_path, env={})


def test_unknown_environment_names_are_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="clean.config"):
        assert load(env={"CLEAN_WORKER": "2"}) == Config()
    assert "ignoring CLEAN_WORKER: clean has no option 'worker'" in caplog.text


def test_the_cache_folder_variable_is_not_taken_for_an_option(caplog: pytest.LogCaptureFixture) -> None:
    """``CLEAN_CACHE_DIR`` tells where compiled rule automata are kept (``rules.scanner``), not an option."""
    with caplog.at_level(logging.WARNING, logger="clean.config"):
        assert load(env={"CLEAN_CACHE_DIR": "/tmp/somewhere"}) == Config()
    assert "CLEAN_CACHE_DIR" not in caplog.text


def test_every_option_has_a_type_the_loader_reads() -> None:
    for f in fields(Config):
        assert str(f.type).split(" | ")[0] in ("bool", "int", "float", "str"), f.name


def test_the_command_writes_the_resolved_configuration_to_the_manifest(tmp_path: Path) -> None:
    toml = write(tmp_path / "clean.toml", "[clean]\nshard-docs = 3\ndedup-threshold = 0.6\nworkers = 2\n")
    out = tmp_path / "out"
    env = {**os.environ, "CLEAN_DEDUP_THRESHOLD": "0.7", "CLEAN_ZONES": "true"}
    proc = subprocess.run([sys.executable, "-m", "clean", SEEDS, out, "--config", toml, "--workers", "1"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    config = json.loads((out / "manifest.json").read_text())["config"]
    assert (config["shard_docs"], config["dedup_threshold"], config["workers"]) == (3, 0.7, 1)
    assert set(config) == {f.name for f in fields(Config)}
    bad = subprocess.run([sys.executable, "-m", "clean", SEEDS, out, "--config", write(tmp_path / "b.toml", "x = 1")],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "unknown option 'x'" in bad.stderr


def test_the_flags_negated_name_works_in_a_file_and_the_environment(tmp_path: Path) -> None:
    assert load(write(tmp_path / "a.toml", "no-dedup = true\n"), env={}).dedup is False
    assert load(write(tmp_path / "b.toml", "no_dedup = false\n"), env={}).dedup is True
    assert load(env={"CLEAN_NO_DEDUP": "1"}).dedup is False
    assert load(write(tmp_path / "c.toml", "dedup = false\n"), env={}).dedup is False


def test_every_option_is_documented_with_its_key() -> None:
    """docs/configuration.md's table names every field of Config, flags or not (zones, mine-common-lines, ...)."""
    table = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for f in fields(Config):
        assert f"`{f.name.replace('_', '-')}`" in table, f"{f.name} is not in docs/configuration.md"
