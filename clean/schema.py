"""Arrow schemas of the published tables: the contract other teams load without our code.

Column names and types change only with a version bump noted in the CHANGELOG; readers in DuckDB,
Polars, Spark and ``datasets`` rely on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from clean.document import Document, Removal

DOCUMENTS = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("format", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("title", pa.string()),
        pa.field("author", pa.string()),
        pa.field("date", pa.date32()),
        pa.field("site", pa.string()),
        pa.field("language", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("n_chars_in", pa.int64(), nullable=False),
        pa.field("n_chars_out", pa.int64(), nullable=False),
        pa.field("n_removed", pa.int32(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("error", pa.string()),
    ]
)

#: Columns the dedup stage adds to ``documents``.
DEDUP_COLUMNS = [
    pa.field("dup_cluster", pa.string()),
    pa.field("duplicate_of", pa.string()),
    pa.field("dup_similarity", pa.float32()),
]

REMOVALS = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("line", pa.int32(), nullable=False),
        pa.field("start", pa.int32(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("action", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("field", pa.string()),
        pa.field("ref", pa.string()),
    ]
)

PASSAGES = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("index", pa.int32(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("dup_cluster", pa.string()),
        pa.field("duplicate_of_id", pa.string()),
        pa.field("duplicate_of_index", pa.int32()),
        pa.field("dup_similarity", pa.float32()),
    ]
)


def documents_schema(dedup: bool) -> pa.Schema:
    schema = DOCUMENTS
    for f in DEDUP_COLUMNS if dedup else ():
        schema = schema.append(f)
    return schema


def signatures_schema(num_perm: int) -> pa.Schema:
    """``OUT/signatures/``: what ``--dedup-against OUT`` needs from this dataset, without its text.

    ``level`` is ``documents`` or ``passages``; ``index`` is the passage's line in its document's text (null for
    documents); ``signature`` is the MinHash row (``num_perm`` little-endian uint32, as
    ``clean.dedup.to_datasketch`` reads it); ``exact`` the 128-bit hash of the normalised words.
    """
    return pa.schema(
        [
            pa.field("level", pa.string(), nullable=False),
            pa.field("id", pa.string(), nullable=False),
            pa.field("index", pa.int32()),
            pa.field("signature", pa.binary(4 * num_perm), nullable=False),
            pa.field("exact", pa.binary(16), nullable=False),
        ]
    )


#: A removal as it travels inside a documents batch (``clean.arrow``): the removals row without the id.
REMOVAL_STRUCT = pa.struct([f for f in REMOVALS if f.name != "id"])
_REMOVAL_FIELDS = tuple(f.name for f in REMOVALS if f.name != "id")


def removal_row(r: Removal) -> dict[str, Any]:
    """The one mapping of a ``Removal`` to its table columns (all but ``id``): every table that holds removals
    (``removals``, the ``removals`` list column of ``clean_batch``, corpus steps' additions) goes through it."""
    return {name: getattr(r, name) for name in _REMOVAL_FIELDS}


def removals_table(rows: Iterable[tuple[str, Removal]]) -> pa.Table:
    """The removals table of ``(document id, removal)`` pairs, in the order given."""
    cols: dict[str, list[Any]] = {f.name: [] for f in REMOVALS}
    for doc_id, r in rows:
        cols["id"].append(doc_id)
        for name, value in removal_row(r).items():
            cols[name].append(value)
    return pa.Table.from_pydict(cols, schema=REMOVALS)


def removals_of(docs: Sequence[Document]) -> pa.Table:
    """Every removal of ``docs``, document by document, each document's in the order they were made."""
    return removals_table((d.id, r) for d in docs for r in d.removals)


def documents_table(docs: Sequence[Document]) -> pa.Table:
    """The documents table of cleaned documents (the dedup columns are added by the dedup step)."""
    cols: dict[str, list[Any]] = {f.name: [] for f in DOCUMENTS}
    for d in docs:
        m = d.meta
        for name, value in (
            ("id", d.id), ("source", d.source), ("format", d.format), ("url", m.url), ("title", m.title),
            ("author", m.author), ("date", m.date), ("site", m.site), ("language", m.language), ("text", d.text),
            ("n_chars_in", d.n_chars_in), ("n_chars_out", d.n_chars_out), ("n_removed", d.n_removed),
            ("status", d.status), ("error", d.error),
        ):  # fmt: skip
            cols[name].append(value)
    return pa.Table.from_pydict(cols, schema=DOCUMENTS)
