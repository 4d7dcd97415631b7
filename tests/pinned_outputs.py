"""Digests of what ``clean`` publishes for the seeds and the dev sets, pinned so that a change of structure (moving
code between modules, a new engine, another way to cut shards) is proven to change no output.

A digest covers each table's rows (read back from the Parquet files, in order) and the manifest's counts, not the
files' bytes: the bytes also carry pyarrow's version, which a fresh machine may not share. When a change is meant to
change the output (a new model, a new rule), regenerate the pins and say so in the commit:

    python tests/pinned_outputs.py --update
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PINS = ROOT / "tests" / "pinned_outputs.json"

#: Each pinned run: its name, its input (relative to the repo, or to ``../shared`` when it starts with
#: ``shared/``) and the options given to ``clean.run``.
RUNS = {
    "seeds": ("seeds", {}),
    "news-pages-text": ("shared/eval/news-pages/text", {}),
    "news-pages-html": ("shared/eval/news-pages/html", {}),
    "news-pages-html-fast": ("shared/eval/news-pages/html", {"html_model": "fast"}),
    "bbc-paras-drop": ("shared/eval/dedup/bbc_paras.jsonl.gz", {"drop_duplicates": True}),
}


def input_path(where: str) -> Path:
    return SHARED / where.removeprefix("shared/") if where.startswith("shared/") else ROOT / where


def digests(out: Path) -> dict[str, str]:
    """sha256 of each published table's rows, in the order the manifest lists its files, and of the counts."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    found = {}
    for name, files in sorted(manifest["files"].items()):
        if name == "report":
            continue
        h = hashlib.sha256()
        for rel in files:
            table = pq.read_table(out / rel)
            h.update(json.dumps(table.schema.names).encode())
            for row in table.to_pylist():
                h.update(json.dumps(row, sort_keys=True, default=repr, ensure_ascii=False).encode())
                h.update(b"\n")
        found[name] = h.hexdigest()
    counts = {k: manifest[k] for k in ("counts", "removals_by_rule", "dedup", "repeated_lines") if k in manifest}
    found["manifest.counts"] = hashlib.sha256(json.dumps(counts, sort_keys=True).encode()).hexdigest()
    return found


def run_pinned(name: str, out: Path, **extra: object) -> dict[str, str]:
    """Clean one pinned input into ``out`` (one worker unless ``extra`` says otherwise) and digest what it
    published."""
    from clean import run

    where, options = RUNS[name]
    result = run(input_path(where), out, **{"workers": 1, **options, **extra})
    assert result.exit_code == 0, f"{name}: exit {result.exit_code}"
    return digests(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--update", action="store_true", help="write the digests of today's outputs into the pins")
    args = ap.parse_args()
    import tempfile

    pins = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (where, _) in RUNS.items():
            if not input_path(where).exists():
                print(f"{name}: {input_path(where)} is missing; pins need ../shared")
                return 2
            pins[name] = run_pinned(name, Path(tmp) / name)
            print(name, pins[name])
    if args.update:
        PINS.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {PINS}")
        return 0
    old = json.loads(PINS.read_text(encoding="utf-8"))
    differ = [name for name in pins if pins[name] != old.get(name)]
    print("differ:", differ or "none")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
