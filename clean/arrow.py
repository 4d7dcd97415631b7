"""An Arrow stage for other people's pipelines: Ray Data ``map_batches``, Spark ``mapInArrow``, DuckDB.

A batch in, a batch out, no files: each input row (``text`` or ``html``, optional ``id``, ``url``,
``title``, ``author``, ``date``, ``source``) becomes one row of the documents schema, with its removals
kept beside it as a list column so the audit trail travels with the data.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from clean.config import Config
from clean.document import RawRecord
from clean.encoding import decode_lenient
from clean.schema import DOCUMENTS, REMOVAL_STRUCT, documents_table, removal_row
from clean.shard import clean_items, clean_options, in_batches

OUTPUT = DOCUMENTS.append(pa.field("removals", pa.list_(REMOVAL_STRUCT)))


def _column(batch: pa.RecordBatch | pa.Table, name: str) -> list[Any] | None:
    """A column's values as text, or None when the batch has no such column.

    Text columns are read as text, binary ones decoded as the Parquet reader decodes a binary cell; an ``id`` may
    be a whole number and a ``date`` a date or timestamp. Any other type is the caller's mistake: a ``TypeError``
    naming the column, never ``"b'...'"`` or an empty document.
    """
    if name not in batch.schema.names:
        return None
    column = batch.column(name)
    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_null(kind):
        return [None] * len(column)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or _is_view(kind, "string"):
        return column.to_pylist()
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or _is_view(kind, "binary"):
        return [None if v is None else decode_lenient(v) for v in column.to_pylist()]
    if name == "id" and pa.types.is_integer(kind):
        return [None if v is None else str(v) for v in column.to_pylist()]
    if name == "date" and (pa.types.is_date(kind) or pa.types.is_timestamp(kind)):
        return [None if v is None else v.isoformat() for v in column.to_pylist()]
    raise TypeError(f"clean_batch: column {name!r} is {kind}; expected text (string or binary)")


def _is_view(kind: pa.DataType, base: str) -> bool:
    check = getattr(pa.types, f"is_{base}_view", None)
    return bool(check and check(kind))


def clean_batch(batch: pa.RecordBatch | pa.Table, config: Config | None = None) -> pa.RecordBatch:
    """Clean every row of an Arrow batch; returns the documents schema plus a ``removals`` list column.

    Rows without an ``id`` get ``row-<n>`` (their position in this batch): pass ids in for stable ones.
    A bad row becomes a ``failed`` row with its reason; the batch never raises for one document.
    """
    config = config or Config()
    text, html = _column(batch, "text"), _column(batch, "html")
    if text is None and html is None:
        raise ValueError(f"the batch needs a 'text' or 'html' column; it has {batch.schema.names}")
    cols = {name: _column(batch, name) for name in ("id", "url", "title", "author", "date", "source")}
    options = clean_options(config)
    records = []
    for i in range(batch.num_rows):
        doc_id = (cols["id"] or [None] * batch.num_rows)[i] or f"row-{i}"
        is_html = html is not None and html[i] is not None and (text is None or text[i] is None)
        record = RawRecord(
            id=doc_id,
            source=(cols["source"] or [None] * batch.num_rows)[i] or doc_id,
            format="html" if is_html else "txt",
            text=None if is_html else (text[i] if text is not None else None) or "",
            html=html[i] if is_html else None,
            url=(cols["url"] or [None] * batch.num_rows)[i],
            title=(cols["title"] or [None] * batch.num_rows)[i],
            author=(cols["author"] or [None] * batch.num_rows)[i],
            date=(cols["date"] or [None] * batch.num_rows)[i],
        )
        records.append(record)
    docs = [doc for part in in_batches(records) for doc in clean_items(part, config, options)]
    table = documents_table(docs)
    removals = [[removal_row(r) for r in d.removals] for d in docs]
    table = table.append_column(OUTPUT.field("removals"), pa.array(removals, type=pa.list_(REMOVAL_STRUCT)))
    return table.combine_chunks().to_batches()[0] if table.num_rows else pa.RecordBatch.from_pylist([], schema=OUTPUT)
