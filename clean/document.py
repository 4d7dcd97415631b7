"""The shared data model: what readers produce, what cleaners return, what writers store.

Everything else in the package is a function of these types. They are plain dataclasses so that a
document crosses a process or Ray boundary by pickling, with no engine-specific wrapper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: Actions a removal can record. ``drop`` removes a whole line, ``strip`` a span of one line, ``join``
#: glues a line onto its neighbour (the joined text is recorded), ``to_metadata`` moves a line or span
#: into a metadata field (title, author, date) instead of the body; ``replace`` records a repair that
#: changed characters in place (mojibake fixed), with the original text.
ACTIONS = ("drop", "strip", "join", "to_metadata", "replace")

#: Stages, in the order they run. Line numbers in a removal refer to the text that stage received:
#: ``decode`` sees the file's text as decoded (its repairs are in-place fixes such as mojibake),
#: ``repair`` the decoded page, ``clean`` the repaired text, ``dedup`` the cleaned text.
STAGES = ("decode", "repair", "clean", "dedup")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One document as a reader found it, before any cleaning.

    ``text`` holds a plain-text page, ``html`` an HTML page; exactly one is set. ``id`` is final: readers
    apply the id policy (the record's own id, else the source path for a one-document file, else
    ``<source>:<line or row>``) so that ids do not depend on how the work was split.
    """

    id: str
    source: str
    format: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    #: Repairs made while decoding (encoding guessed, mojibake fixed), recorded like any removal.
    repairs: tuple[Removal, ...] = ()
    #: The record's place in its input (``<source>:<line or row>``, the source for a one-document file): unique in a
    #: run, so it is what tells apart two records that carry the same ``id`` (``clean.corpus.unique_ids``).
    where: str = ""


@dataclass(slots=True)
class Removal:
    """One thing a cleaner took out of a document, with enough to audit and undo it.

    A plain (not frozen) record: a page yields hundreds, and a frozen dataclass takes three times as long
    to create; nothing in ``clean`` changes one after it is made.

    ``line`` is 0-based in the text the stage received; ``start`` is the character offset of ``text``
    within that line as the cleaner saw it (0 for whole lines). Applying a document's removals in
    reverse order to its output rebuilds the stage's input exactly.
    """

    line: int
    text: str
    rule: str
    kind: str
    action: str
    reason: str
    stage: str = "clean"
    start: int = 0
    #: For ``to_metadata``: the field the value went to (title, author, date, site).
    field: str | None = None
    #: For dedup removals: what the removed text duplicates (``<id>#<index>``).
    ref: str | None = None


@dataclass(slots=True)
class Metadata:
    """Metadata lifted from a page or passed in with its record."""

    url: str | None = None
    title: str | None = None
    author: str | None = None
    date: dt.date | None = None
    site: str | None = None
    language: str | None = None


@dataclass(slots=True)
class Document:
    """A cleaned document: one row of ``OUT/documents`` plus its rows of ``OUT/removals``."""

    id: str
    source: str
    format: str
    text: str
    meta: Metadata = field(default_factory=Metadata)
    n_chars_in: int = 0
    status: str = "ok"
    error: str | None = None
    removals: list[Removal] = field(default_factory=list)

    @property
    def n_chars_out(self) -> int:
        return len(self.text)

    @property
    def n_removed(self) -> int:
        return len(self.removals)
