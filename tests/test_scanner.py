"""The compiled pattern database: cached on disk across processes, never trusted over a fresh compile, and
safe to scan from several threads at once."""

from __future__ import annotations

import os
import threading

import pytest

from clean.rules import scanner
from clean.rules.scanner import Scanner, hyperscan

pytestmark = pytest.mark.skipif(hyperscan is None, reason="hyperscan is not installed")

EXPRESSIONS = [r"^(?:(?i:share|tweet))$", r"(?i:follow us)", r"^(?:[\x{30}-\x{39}]+)$"]
TEXT = "Share\nFollow us on X and follow us here\n2024\nnothing"
PAGE = TEXT.encode()
#: A whole-line match ends where its line's newline is; a search match where its text ends.
WANT = [(5, 0), (TEXT.find("Follow us") + 9, 1), (TEXT.find("follow us") + 9, 1), (TEXT.find("2024") + 4, 2)]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, and no database remembered in this process."""
    monkeypatch.setenv("CLEAN_CACHE_DIR", str(tmp_path / "cache"))
    scanner._database.cache_clear()
    yield tmp_path / "cache"
    scanner._database.cache_clear()


def test_matches_are_reported_by_end_offset_and_pattern() -> None:
    assert Scanner(EXPRESSIONS, [0, 1, 2]).scan(PAGE) == WANT


def test_a_compiled_database_is_cached_and_loaded_by_the_next_process(cache, monkeypatch) -> None:
    assert Scanner(EXPRESSIONS, [0, 1, 2]).scan(PAGE) == WANT
    (stored,) = cache.glob("rules-*.hsdb")
    assert [p.name for p in cache.iterdir()] == [stored.name]  # written under a temporary name, then renamed
    scanner._database.cache_clear()  # as a new process

    def refuse(*_):
        raise AssertionError("compiled again although the cache holds the database")

    monkeypatch.setattr(scanner, "_compile", refuse)
    assert Scanner(EXPRESSIONS, [0, 1, 2]).scan(PAGE) == WANT
    assert stored.exists()


def test_other_patterns_get_their_own_file(cache) -> None:
    Scanner(EXPRESSIONS, [0, 1, 2])
    Scanner(EXPRESSIONS[:2], [0, 1])
    assert len(list(cache.glob("rules-*.hsdb"))) == 2


def test_the_cache_keeps_only_the_most_recently_used_databases(cache, monkeypatch) -> None:
    monkeypatch.setattr(scanner, "KEEP", 2)
    Scanner(EXPRESSIONS[:1], [0])
    (first,) = cache.glob("rules-*.hsdb")
    Scanner(EXPRESSIONS[:2], [0, 1])
    os.utime(first, (1, 1))  # long unused
    Scanner(EXPRESSIONS, [0, 1, 2])
    left = list(cache.glob("rules-*.hsdb"))
    assert len(left) == 2 and first not in left


def test_a_damaged_cache_file_is_compiled_again_and_replaced(cache) -> None:
    Scanner(EXPRESSIONS, [0, 1, 2])
    (stored,) = cache.glob("rules-*.hsdb")
    whole = stored.read_bytes()
    stored.write_bytes(whole[: len(whole) // 2])  # as a disk that filled up under another writer
    scanner._database.cache_clear()
    assert Scanner(EXPRESSIONS, [0, 1, 2]).scan(PAGE) == WANT
    assert stored.read_bytes() == whole


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CLEAN_CACHE_DIR", str(blocked / "cache"))
    scanner._database.cache_clear()
    try:
        assert Scanner(EXPRESSIONS, [0, 1, 2]).scan(PAGE) == WANT
    finally:
        scanner._database.cache_clear()


def test_patterns_hyperscan_refuses_are_named_and_the_rest_still_scan(cache) -> None:
    found = Scanner([EXPRESSIONS[0], r"(a)\1", EXPRESSIONS[1]], [0, 7, 1])
    assert found.refused == (7,)
    assert found.scan(PAGE) == WANT[:3]
    assert not list(cache.glob("rules-*.hsdb"))  # what was refused is found again, not remembered
    nothing = Scanner([r"(a)\1"], [3])
    assert nothing.refused == (3,) and nothing.database is None and nothing.scan(PAGE) == []


def test_threads_scan_one_database_at_once() -> None:
    """Hyperscan's scratch space serves one scan at a time: each thread gets its own."""
    shared = Scanner(EXPRESSIONS, [0, 1, 2])
    page = PAGE * 2000
    want = shared.scan(page)
    results: list[bool] = []

    def work() -> None:
        results.extend(shared.scan(page) == want for _ in range(20))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 80
