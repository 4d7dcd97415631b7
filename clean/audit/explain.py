"""Explain one document of a published dataset, and list the rules: what went, which rule took it, and why.

``explain(out, id)`` reads the document's row from ``OUT/documents`` and its rows from ``OUT/removals``
(pyarrow filters, so only row groups that can hold the id are decoded) and rebuilds the page the cleaners
received (the repaired page: one paragraph per line), every line with the removals that touched it.

The page is rebuilt two ways. When the input file is still where the manifest recorded it, the record is read
and repaired again and the removals are replayed on it; the replay must end in the published text, and then
every line, span and repair is exact. Otherwise the page is rebuilt from the output and the removals alone
(``clean.page.cleaner.rebuild``): exact too, except that a value lifted from the start of a line that stays
(``metadata.date_field_v1`` with no space after the date) is shown as a whole line, and repairs (citation
numerals, hard wraps) are listed apart with their line numbers in the page as read.

Nothing here prints: ``format_explanation`` and ``format_rules`` return text (styled with ANSI codes when asked)
for the command to print.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.dataset as ds

from clean import readers
from clean.document import Metadata, Removal
from clean.errors import UsageError
from clean.layout import read_manifest, table_paths
from clean.page.cleaner import Line, rebuild
from clean.page.model.step import weighings
from clean.page.pipeline import CleanOptions, model_inputs
from clean.page.records import given_metadata, html_inputs
from clean.page.repair import repair

#: Stages that run before the cleaners; their line numbers count lines of the page as read.
BEFORE_CLEAN = ("decode", "repair")
#: Removal actions that leave the line's text in the output (the removal records a change, not a loss).
KEEPS_TEXT = ("join", "replace")


class NotFound(UsageError):
    """The id is not in OUT."""


@dataclass
class Mark:
    """One removal record placed on the page: ``span`` is where its text was in the line (None: the whole line)."""

    removal: Removal
    span: tuple[int, int] | None = None


@dataclass
class PageLine:
    """A line of the page the cleaners received, with what happened to it."""

    n: int
    text: str
    #: Removals from this line (clean stage, then corpus steps and dedup), in the order they were made.
    marks: list[Mark] = field(default_factory=list)
    #: Repairs that made this line (citation numerals dropped, periods joined, wraps undone).
    repairs: list[Removal] = field(default_factory=list)
    #: What is left of the line in the output (None: the whole line went).
    output: str | None = None


@dataclass
class Explanation:
    """A document, its rebuilt page and its duplicate links."""

    id: str
    document: dict[str, Any]
    lines: list[PageLine]
    #: Repairs that could not be placed on a line (the input file was not found).
    repairs: list[Removal]
    #: Where the input was read from, or None when the page was rebuilt from the output alone.
    input_path: str | None
    #: True when replaying the removals on the rebuilt page gives the published text exactly.
    exact: bool
    #: ``dup_cluster``, ``duplicate_of``, ``dup_similarity`` when the documents table has them, else None.
    duplicates: dict[str, Any] | None = None
    #: The other members of the document's duplicate cluster (id, duplicate_of, dup_similarity).
    cluster: list[dict[str, Any]] = field(default_factory=list)
    #: Why the page is shown the way it is (input missing, input changed, ...).
    note: str | None = None
    #: Per line the page model judged: P(content) and the features that weighed most (read from the input).
    weighings: dict[int, tuple[float, list[tuple[str, float, float]]]] = field(default_factory=dict)


# ---------------------------------------------------------------- reading OUT


def open_output(out: str | Path) -> tuple[Path, dict[str, Any]]:
    """OUT and its manifest, or a UsageError saying OUT is not a finished output of this tool."""
    out = Path(out)
    if not out.is_dir():
        raise UsageError(f"OUT {out} is not a folder; give the OUT of an earlier `clean INPUT OUT`")
    manifest = read_manifest(out)
    if manifest is None or not table_paths(out, manifest, "documents"):
        raise UsageError(f"{out} holds no finished output of clean (no manifest.json listing documents/)")
    return out, manifest


def _rows(paths: Sequence[Path], where: Any, columns: list[str] | None = None) -> list[dict[str, Any]]:
    if not paths:
        return []
    dataset = ds.dataset([str(p) for p in paths], format="parquet")
    if columns is not None:
        columns = [c for c in columns if c in dataset.schema.names]
    return dataset.to_table(filter=where, columns=columns).to_pylist()


def _removal(row: dict[str, Any]) -> Removal:
    names = {f.name for f in dataclasses.fields(Removal)}
    return Removal(**{k: v for k, v in row.items() if k in names})


def explain(out: str | Path, doc_id: str) -> Explanation:
    """Explain document ``doc_id`` of the published dataset in ``out``.

    Raises:
        UsageError: OUT is not an output of ``clean``.
        NotFound: no document has this id.
    """
    out, manifest = open_output(out)
    found = _rows(table_paths(out, manifest, "documents"), pc.field("id") == doc_id)
    if not found:
        total = manifest.get("counts", {}).get("documents", "?")
        raise NotFound(f"no document with id {doc_id!r} in {out} ({total} documents; ids are in the `id` column)")
    return _explained(out, manifest, found[0], shared=len(found))


def explain_all(out: str | Path, doc_id: str) -> list[Explanation]:
    """Every document ``doc_id`` names in ``out``: the one with this id, then those renamed from it because the input
    had the id more than once (``<id>@<where>``, ``clean.corpus.unique_ids``), in the order they were published.

    Raises:
        UsageError: OUT is not an output of ``clean``.
        NotFound: no document has this id.
    """
    out, manifest = open_output(out)
    documents = table_paths(out, manifest, "documents")
    ids = ds.dataset([str(p) for p in documents], format="parquet").to_table(columns=["id"]).column("id")
    matched = pc.or_(pc.equal(ids, doc_id), pc.starts_with(ids, f"{doc_id}@"))
    names = list(dict.fromkeys(pc.filter(ids, matched).to_pylist()))
    if not names:
        explain(out, doc_id)  # raises NotFound with its message
    rows = _rows(documents, pc.field("id").isin(names))
    order = {name: i for i, name in enumerate(names)}
    rows.sort(key=lambda r: order[r["id"]])
    counts = {name: sum(r["id"] == name for r in rows) for name in names}
    return [_explained(out, manifest, row, shared=counts[row["id"]]) for row in rows]


def _explained(out: Path, manifest: dict[str, Any], doc: dict[str, Any], shared: int = 1) -> Explanation:
    """One published row explained; ``shared``: how many rows carry its id (more than one only in an OUT written
    before ids were made unique, whose removals then cannot be told apart)."""
    doc_id = doc["id"]
    documents = table_paths(out, manifest, "documents")
    removals = [_removal(r) for r in _rows(table_paths(out, manifest, "removals"), pc.field("id") == doc_id)]
    note = None
    if shared > 1:
        removals = []
        note = (
            f"{shared} documents of this OUT share this id (it was written before ids were made unique): their "
            "removals cannot be told apart and are not shown"
        )
    if doc["status"] == "failed":  # nothing was cleaned: the error says why
        return Explanation(doc_id, doc, [], [], None, True, note=note)
    expl = rebuild_page(doc, removals, _read_input(manifest, doc))
    if note:
        expl.note = note if not expl.note else f"{expl.note}; {note}"
    if "dup_cluster" in doc:
        expl.duplicates = {k: doc.get(k) for k in ("dup_cluster", "duplicate_of", "dup_similarity")}
        if doc.get("dup_cluster") is not None:
            members = _rows(
                documents, pc.field("dup_cluster") == doc["dup_cluster"], ["id", "duplicate_of", "dup_similarity"]
            )
            expl.cluster = sorted((m for m in members if m["id"] != doc_id), key=lambda m: m["id"])
    return expl


@dataclass
class _Input:
    path: str
    lines: list[str] | None = None
    origins: list[int] | None = None
    problem: str | None = None
    weighings: dict[int, tuple[float, list[tuple[str, float, float]]]] = field(default_factory=dict)


def _read_input(manifest: dict[str, Any], doc: dict[str, Any]) -> _Input | None:
    """The page the cleaners received, read and repaired again from the input file, if it is still there.

    The manifest's shard plan names the file of each source exactly; ``inputs`` + ``source`` is the fallback
    for a manifest without one.
    """
    source = doc["source"]
    pieces = [
        readers.Piece.from_json(p)
        for s in manifest.get("shards", [])
        for p in s.get("pieces", [])
        if p.get("file", {}).get("source") == source
    ]
    if any(p.part_of is not None for p in pieces):  # its pieces went with the run's work folder: read it whole
        pieces = [readers.Piece(pieces[0].origin)]
    if not pieces:
        for root in manifest.get("inputs", []):
            path = Path(root) / source if Path(root).is_dir() else Path(root)
            fmt = readers.format_of(path.name)
            if path.is_file() and fmt and (Path(root).is_dir() or path.name == source):
                size = path.stat().st_size
                pieces = [readers.Piece(readers.InputFile(str(path), source, fmt[0], fmt[1], size))]
                break
    if not pieces:
        return None
    line = doc["id"][len(source) + 1 :] if doc["id"].startswith(f"{source}:") else ""
    if pieces[0].file.format == "jsonl" and line.isdigit():
        # a record without an id of its own is named by its line: read only the piece holding that line
        pieces = [max((p for p in pieces if p.first_line <= int(line)), key=lambda p: p.first_line, default=pieces[0])]
    path = pieces[0].file.path
    if not Path(path).is_file():
        return _Input(path, problem=f"the input file is no longer at {path}")
    limit = int(float(manifest.get("config", {}).get("max_doc_mb", 20.0)) * (1 << 20))
    for piece in pieces:
        for item in readers.read_piece(piece, max_doc_bytes=limit):
            if item.id != doc["id"]:
                continue
            if isinstance(item, readers.Failure):
                return _Input(path, problem=f"the input could not be read again: {item.reason}")
            return _repaired(item, path, bool(manifest.get("config", {}).get("zones", True)))
    return _Input(path, problem=f"{path} no longer holds this document")


def _repaired(record: Any, path: str, zones: bool = True) -> _Input:
    """The repaired lines of a record, as ``clean_text`` made them (HTML: of the text the cleaners received,
    the page's blocks with the page model, else trafilatura's extraction), and the page model's weighing of
    each line it judged."""
    text = record.text or ""
    options = CleanOptions(zones=zones)
    metas: list[Metadata | None] = [given_metadata(record)]
    views = None
    if record.html is not None:
        texts, metas, views, options = html_inputs([record.html], metas, options)
        text = texts[0]
    repaired = repair(text)
    weighed = {}
    if options.zones and options.page_model:
        [(lines, ctx)] = model_inputs([text], options, metas, views)
        weighed = weighings(lines, ctx)
    return _Input(path, repaired.lines, repaired.origins, weighings=weighed)


# ---------------------------------------------------------------- rebuilding the page


def _stages(removals: Sequence[Removal]) -> list[str]:
    """Stages after the repairs, in the order they ran (their rows come in that order)."""
    seen: list[str] = []
    for r in removals:
        if r.stage not in BEFORE_CLEAN and r.stage not in seen:
            seen.append(r.stage)
    return seen


def _whole_line(r: Removal) -> bool:
    """Whether a removal took its whole line, judged from the record alone (used without the input).

    ``apply`` records a partial drop as ``strip``, so a ``drop`` is a whole line. A ``to_metadata`` that starts
    at 0 is whole unless its text ends in a space (lines are trimmed, so a whole line never does): the value
    was lifted from the start of a line that stays.
    """
    if r.action == "drop":
        return True
    return r.action == "to_metadata" and r.start == 0 and not r.text.endswith((" ", "\t"))


def _undo(lines: list[str], removals: Sequence[Removal]) -> list[str] | None:
    """The lines a stage received, from what it returned and its records; None if they cannot fit."""
    last: dict[int, Removal] = {}
    for r in removals:
        last[r.line] = r
    gone = {n for n, r in last.items() if _whole_line(r)}
    total = len(lines) + len(gone)
    if any(n >= total for n in last):
        return None
    numbers = [n for n in range(total) if n not in gone]
    # rebuild() undoes the clean stage's records; any stage's records undo the same way.
    as_clean = [dataclasses.replace(r, stage="clean") for r in removals]
    try:
        return rebuild([Line(n, t) for n, t in zip(numbers, lines, strict=True)], as_clean)
    except (KeyError, IndexError):
        return None


def _replay(page: Sequence[str], removals: Sequence[Removal], stages: Sequence[str]) -> tuple[list[PageLine], str]:
    """Apply the records of each stage to the page, as the pipeline did; return the marked lines and the result.

    Each line keeps the positions of its characters still present, so a span removed late is placed on the
    line as it came in.
    """
    lines = [PageLine(n, t) for n, t in enumerate(page)]
    left: list[list[int] | None] = [list(range(len(t))) for t in page]
    for stage in stages:
        alive = [n for n, keep in enumerate(left) if keep is not None]
        for r in removals:
            if r.stage != stage:
                continue
            # the clean stage numbers the page's lines; later stages the lines of the text they received
            n = r.line if stage == "clean" else (alive[r.line] if r.line < len(alive) else -1)
            keep = left[n] if 0 <= n < len(left) else None
            if keep is None:
                raise ValueError(f"{r.rule}: line {r.line} is not in the text the {stage} stage received")
            current = "".join(page[n][i] for i in keep)
            if current[r.start : r.start + len(r.text)] != r.text:
                raise ValueError(f"{r.rule}: line {r.line} does not hold {r.text!r} at {r.start}")
            taken = keep[r.start : r.start + len(r.text)]
            whole = r.start == 0 and len(r.text) >= len(keep) and r.action not in KEEPS_TEXT
            if whole:
                left[n] = None
                lines[n].marks.append(Mark(r, None))
            else:
                span = (taken[0], taken[-1] + 1) if taken else (0, 0)
                lines[n].marks.append(Mark(r, span))
                if r.action not in KEEPS_TEXT:
                    del keep[r.start : r.start + len(r.text)]
    for line, keep in zip(lines, left, strict=True):
        line.output = None if keep is None else "".join(page[line.n][i] for i in keep)
    return lines, "\n".join(line.output for line in lines if line.output is not None)


def rebuild_page(doc: dict[str, Any], removals: Sequence[Removal], source: _Input | None = None) -> Explanation:
    """Rebuild the page of ``doc`` from its output text and removal records (and the input, when given)."""
    stages = _stages(removals)
    repairs = [r for r in removals if r.stage in BEFORE_CLEAN]
    text = doc.get("text") or ""
    note = None
    if source is not None and source.lines is not None:
        try:
            lines, result = _replay(source.lines, removals, stages)
        except ValueError as exc:
            lines, result = [], None
            note = f"the input at {source.path} has changed since this run ({exc})"
        if result == text:
            _place_repairs(lines, repairs, source.origins or [])
            return Explanation(doc["id"], doc, lines, [], source.path, True, weighings=source.weighings)
        note = note or f"the input at {source.path} has changed since this run"
    elif source is not None:
        note = source.problem
    else:
        note = "the input file is not recorded in the manifest"
    page = text.split("\n") if text else []
    for stage in reversed(stages):
        undone = _undo(page, [r for r in removals if r.stage == stage])
        if undone is None:
            note = f"{note}; the {stage} records do not fit the output, so the page is shown as published"
            page = text.split("\n") if text else []
            stages = []
            break
        page = undone
    try:
        lines, result = _replay(page, removals, stages)
    except ValueError:
        lines, result = [PageLine(n, t, output=t) for n, t in enumerate(page)], None
    note = f"{note}: page rebuilt from OUT"
    if result != text:
        note += " (not exactly: the removal records do not give back the published text)"
    return Explanation(doc["id"], doc, lines, repairs, None, result == text, note=note)


def _place_repairs(lines: list[PageLine], repairs: Sequence[Removal], origins: Sequence[int]) -> None:
    """Put each repair on the repaired line that holds its line of the page as read."""
    for r in repairs:
        i = bisect.bisect_right(origins, r.line) - 1
        if 0 <= i < len(lines):
            lines[i].repairs.append(r)
