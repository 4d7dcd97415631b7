"""Dedup inside a run: documents and passages flagged, dropped with a mapping, incremental, across shards.

The corpus is the seeds plus copies made the way syndication makes them: an exact copy with its case and
punctuation changed, an edited copy (words swapped, a paragraph dropped), and a longer page that carries three
paragraphs of a wire story inside its own article. Copies sit in ``zz/``, after the seeds in corpus order.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest import SEEDS, shared_path

from clean.runner import run

IDS = {p.name[:3]: p.name for p in SEEDS.glob("*.txt")}

# A regional paper's own article, which quotes a wire story at length in its middle.
HOST_PAGE = """Harbour Council Approves Plan for New Ferry Terminal
By Maria Lindqvist
March 4, 2025
The harbour council voted seven to two on Monday night to approve a new ferry terminal on the eastern pier, ending a debate that has divided the town for most of the past decade.
Supporters said the terminal would bring an estimated 40,000 extra visitors a year and support dozens of jobs in the shops and cafes along the seafront.
Opponents, led by residents of the old fishing quarter, warned that the extra traffic would overwhelm the narrow streets that lead down to the water.
Council leader Anna Berg said the vote reflected what most residents had told the council during two rounds of public consultation last year.
Construction is expected to begin in the autumn and to take about eighteen months, with the first sailings planned for the spring of 2027.
The council will publish the full planning documents on its website later this week, and a public meeting on the building work is planned for April."""
HOST = HOST_PAGE.splitlines()


def _paragraphs(name: str) -> list[str]:
    return [line for line in (SEEDS / IDS[name]).read_text(encoding="utf-8").split("\n") if len(line.split()) >= 12]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dedup") / "in"
    shutil.copytree(SEEDS, root)
    copies = root / "zz"
    copies.mkdir()
    text = (SEEDS / IDS["000"]).read_text(encoding="utf-8")
    # the same words: case, punctuation and spacing differ
    (copies / "a-exact.txt").write_text(text.upper().replace(",", " ,").replace(".", " ."), encoding="utf-8")
    lines = (SEEDS / IDS["001"]).read_text(encoding="utf-8").split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    edited = "\n".join(lines[:longest] + lines[longest + 1 :]).replace(" the ", " a ", 4).replace(" and ", " & ", 3)
    (copies / "b-edited.txt").write_text(edited, encoding="utf-8")
    wire = _paragraphs("002")[:3]
    page = HOST[:4] + wire + HOST[4:]
    (copies / "c-wire-inside.txt").write_text("\n".join(page), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def flagged(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("flagged") / "out"
    assert run(corpus, out, workers=1).exit_code == 0
    return out


def rows(out: Path, table: str) -> list[dict]:
    return pq.read_table(out / table).to_pylist()


def by_id(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in rows(out, "documents")}


def test_exact_near_and_unrelated_documents(flagged: Path) -> None:
    docs = by_id(flagged)
    exact, edited = docs["zz/a-exact.txt"], docs["zz/b-edited.txt"]
    assert exact["duplicate_of"] == IDS["000"] and exact["dup_similarity"] == 1.0
    assert edited["duplicate_of"] == IDS["001"] and 0.5 <= edited["dup_similarity"] < 1.0
    # the kept member (first in corpus order) names its own cluster and copies nothing
    for seed in ("000", "001"):
        kept = docs[IDS[seed]]
        assert kept["dup_cluster"] == IDS[seed] and kept["duplicate_of"] is None and kept["dup_similarity"] is None
    assert exact["dup_cluster"] == IDS["000"] and edited["dup_cluster"] == IDS["001"]
    for seed in ("002", "003", "004"):
        assert docs[IDS[seed]]["dup_cluster"] is None and docs[IDS[seed]]["duplicate_of"] is None
    # a page that carries a wire story inside its own article is not a copy of either page as a whole
    assert docs["zz/c-wire-inside.txt"]["duplicate_of"] is None
    manifest = json.loads((flagged / "manifest.json").read_text())
    d = manifest["dedup"]
    assert (d["documents"], d["duplicate_documents"], d["exact_duplicate_documents"], d["document_clusters"]) == (
        8, 2, 1, 2
    )


def test_a_wire_story_inside_a_longer_page_is_found_passage_by_passage(flagged: Path) -> None:
    docs = by_id(flagged)
    wire_text = docs[IDS["002"]]["text"].split("\n")
    found = [p for p in rows(flagged, "passages") if p["id"] == "zz/c-wire-inside.txt" and p["duplicate_of_id"]]
    assert len(found) == 3
    for p in found:
        assert p["duplicate_of_id"] == IDS["002"]
        assert wire_text[p["duplicate_of_index"]] == p["text"] and p["dup_similarity"] == 1.0
        assert p["dup_cluster"] == f"{IDS['002']}#{p['duplicate_of_index']}"
        assert docs["zz/c-wire-inside.txt"]["text"].split("\n")[p["index"]] == p["text"]
    # the host article's own paragraphs are unique
    own = [p for p in rows(flagged, "passages") if p["id"] == "zz/c-wire-inside.txt" and not p["duplicate_of_id"]]
    assert len(own) >= 5 and all(p["dup_cluster"] is None for p in own)


def test_flagging_keeps_every_row_and_text(flagged: Path, corpus: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    assert run(corpus, plain, workers=1, dedup=False).exit_code == 0
    docs, plain_docs = rows(flagged, "documents"), rows(plain, "documents")
    assert [d["text"] for d in docs] == [d["text"] for d in plain_docs]
    assert "dup_cluster" not in plain_docs[0] and not (plain / "passages").exists()
    assert not any(r["stage"] == "dedup" for r in rows(flagged, "removals"))
    # signatures: kept and unique items only (a copy's kept member stands for it), documents and passages
    signed = {(r["level"], r["id"]) for r in rows(flagged, "signatures")}
    assert ("documents", IDS["000"]) in signed and ("documents", "zz/a-exact.txt") not in signed
    assert ("passages", "zz/c-wire-inside.txt") in signed and ("passages", "zz/a-exact.txt") not in signed


def test_drop_duplicates_keeps_the_mapping(flagged: Path, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "dropped"
    assert run(corpus, out, workers=1, drop_duplicates=True).exit_code == 0
    docs = by_id(out)
    assert sorted(docs) == sorted(set(by_id(flagged)) - {"zz/a-exact.txt", "zz/b-edited.txt"})
    removals = [r for r in rows(out, "removals") if r["stage"] == "dedup"]
    flagged_docs = by_id(flagged)
    # a dropped document: each of its lines is a removal naming the kept document
    for copy, kept in (("zz/a-exact.txt", IDS["000"]), ("zz/b-edited.txt", IDS["001"])):
        gone = [r for r in removals if r["id"] == copy]
        assert [r["text"] for r in gone] == flagged_docs[copy]["text"].split("\n")
        assert {(r["kind"], r["rule"], r["action"], r["ref"]) for r in gone} == {
            ("duplicate_document", "dedup.duplicate_document_v1", "drop", kept)
        }
        assert kept in gone[0]["reason"]
    # duplicate passages leave the later page's text; each removal names the original id and index
    wire = [r for r in removals if r["id"] == "zz/c-wire-inside.txt"]
    assert len(wire) == 3 and {r["kind"] for r in wire} == {"duplicate_passage"}
    source = docs[IDS["002"]]["text"].split("\n")
    for r in wire:
        kept_id, index = r["ref"].rsplit("#", 1)
        assert kept_id == IDS["002"] and source[int(index)] == r["text"]
        assert r["text"] not in docs["zz/c-wire-inside.txt"]["text"]
    host = docs["zz/c-wire-inside.txt"]
    assert host["n_removed"] == flagged_docs["zz/c-wire-inside.txt"]["n_removed"] + 3
    assert host["n_chars_out"] == len(host["text"])
    d = json.loads((out / "manifest.json").read_text())["dedup"]
    assert (d["dropped_documents"], d["removed_passages"]) == (2, 3)


def test_dedup_against_an_earlier_dataset(corpus: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(SEEDS, first, workers=1).exit_code == 0
    signatures = pq.read_table(first / "signatures")
    assert set(signatures.column("level").to_pylist()) == {"documents", "passages"}
    new = corpus / "zz"
    assert run(new, second, workers=1, dedup_against=str(first)).exit_code == 0
    docs = by_id(second)
    assert sorted(docs) == ["a-exact.txt", "b-edited.txt", "c-wire-inside.txt"]  # OUT1's rows are not republished
    assert docs["a-exact.txt"]["duplicate_of"] == IDS["000"] and docs["a-exact.txt"]["dup_cluster"] == IDS["000"]
    assert docs["b-edited.txt"]["duplicate_of"] == IDS["001"]
    wire = [p for p in rows(second, "passages") if p["id"] == "c-wire-inside.txt" and p["duplicate_of_id"]]
    assert len(wire) == 3 and {p["duplicate_of_id"] for p in wire} == {IDS["002"]}
    d = json.loads((second / "manifest.json").read_text())["dedup"]
    assert d["against_documents"] == 5 and d["duplicate_documents"] == 2


def test_dedup_against_refuses_what_it_cannot_compare(tmp_path: Path) -> None:
    plain, out = tmp_path / "plain", tmp_path / "out"
    assert run(SEEDS, plain, workers=1, dedup=False).exit_code == 0
    for args, message in (
        (["--dedup-against", plain], r"has no signatures/ table"),
        (["--dedup-against", tmp_path / "nowhere"], r"no such folder"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "clean", SEEDS, out, *args], capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 2 and re.search(message, proc.stderr), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and not out.exists()
    first = tmp_path / "first"
    assert run(SEEDS, first, workers=1).exit_code == 0
    proc = subprocess.run(
        [sys.executable, "-m", "clean", SEEDS, out, "--dedup-against", first, "--dedup-ngram", "5"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2 and "ngram=3" in proc.stderr and "ngram=5" in proc.stderr, proc.stderr


def parquet_bytes(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/*.parquet"))}


def test_a_duplicate_split_across_shards_is_found_and_the_bytes_do_not_change(
    flagged: Path, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sharded"
    # one document per shard, two workers: every copy is in another shard than its original
    assert run(corpus, out, workers=2, shard_docs=1).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["shards"]) == 8
    assert by_id(out)["zz/b-edited.txt"]["duplicate_of"] == IDS["001"]
    assert parquet_bytes(out) == parquet_bytes(flagged)
    again = tmp_path / "again"
    assert run(corpus, again, workers=1).exit_code == 0
    assert parquet_bytes(again) == parquet_bytes(flagged)


def test_band_tasks_on_the_worker_pool_give_the_same_bytes(
    flagged: Path, corpus: Path, tmp_path: Path, monkeypatch
) -> None:
    # Large levels send their band tasks to the pool; force that path on this small corpus.
    import clean.corpus.duplicates

    monkeypatch.setattr(clean.corpus.duplicates, "BANDS_IN_POOL", 0)
    out = tmp_path / "pooled"
    assert run(corpus, out, workers=2, shard_docs=2).exit_code == 0
    assert parquet_bytes(out) == parquet_bytes(flagged)


def test_a_prepared_dedup_step_reaches_a_worker_without_its_arrays(corpus: Path, tmp_path: Path) -> None:
    """Shards are changed by the corpus steps in the workers: the dedup step travels to each as a few paths and
    offsets, its decisions memory-mapped from the work folder, and decides exactly as the driver's copy."""
    import pickle

    from clean import readers
    from clean.config import Config
    from clean.corpus import CorpusSteps, corpus_steps
    from clean.engines.local import LocalEngine
    from clean.shard import run_shard

    config = Config(workers=1)
    shards = readers.plan_shards(readers.discover([corpus]).files, max_docs=2)
    work = tmp_path / "work"
    for shard in shards:
        run_shard(shard, config, work)
    prepared = corpus_steps(config, work, shards, LocalEngine(1))
    dedup = prepared.steps[-1]
    clone = pickle.loads(pickle.dumps(dedup))
    # the decisions come from the work folder's files, not from the pickle
    assert all(isinstance(a, np.memmap) for a in (clone.doc_dup, clone.p_remove, clone.kept["documents"]))
    state = dedup.__getstate__()
    nested = [v for value in state.values() for v in (value.values() if isinstance(value, dict) else [value])]
    assert not any(isinstance(v, np.ndarray) for v in nested)
    # and the driver's copy reads them from the same files: it holds no per-item array while the tables are written
    assert all(isinstance(a, np.memmap) for a in (dedup.doc_dup, dedup.p_remove, dedup.kept["documents"]))
    before = prepared.steps[:-1]
    for shard in shards:
        here = CorpusSteps(work, [*before, dedup]).apply(shard)
        there = CorpusSteps(work, [*before, clone]).apply(shard)
        assert sorted(here) == sorted(there) == ["documents", "passages", "removals", "signatures"]
        assert all(here[name].equals(there[name]) for name in here)


# ---------------------------------------------------------------- labelled samples


def _score(out: Path, records: list[dict], ignore, table: str = "documents"):
    from clean.dedup.score import pair_score

    cluster = {r["id"]: r["dup_cluster"] for r in rows(out, table)}
    names: dict[str, int] = {}
    predicted = [-1 if cluster.get(r["id"]) is None else names.setdefault(cluster[r["id"]], len(names)) for r in records]
    return pair_score(predicted, [r["cluster"] for r in records], ignore)


@pytest.mark.parametrize(("name", "clusters", "floor"), [("bbc_docs", 150, 0.96), ("bbc_paras", 300, 0.97)])
def test_labelled_sample(name: str, clusters: int, floor: float, tmp_path: Path) -> None:
    """A sample of whole clusters of each labelled set, through the command; the full sets: benchmarks/."""
    from clean.dedup.score import load_labelled, sample_by_cluster

    data = sample_by_cluster(load_labelled(shared_path("eval", "dedup"), name), clusters)
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in data.records))
    out = tmp_path / "out"
    assert run(path, out, workers=1).exit_code == 0
    score = _score(out, data.records, data.ignore)
    assert score.precision >= 0.99 and score.f1 >= floor, score
