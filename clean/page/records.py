"""A reader's record cleaned into a ``Document``: plain text straight into the cleaners, an HTML page first made into
lines (every visible block, with its DOM features and what the peer extractors kept) for the HTML page model.

The runner, the Arrow stage and Ray all call ``clean_records``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from clean.document import Document, Metadata, RawRecord
from clean.encoding import text_argument
from clean.page.dates import parse_date
from clean.page.html import Extracted, extract_html
from clean.page.model.html_page import HtmlView, read_html
from clean.page.model.page import HTML_MODELS
from clean.page.pipeline import Cleaned, CleanOptions, clean_pages, failed


def clean_html(html: str, url: str | None = None, *, options: CleanOptions | None = None) -> Cleaned:
    """Clean an HTML page: its blocks judged by the HTML page model (see ``html_inputs``), or, without the
    model, trafilatura's extraction run through the text cleaners."""
    html = text_argument(html, "clean_html: html", html=True)
    if url is not None and not isinstance(url, str):
        raise TypeError(f"clean_html: url: expected str or None, got {type(url).__name__}")
    options = options or CleanOptions()
    try:
        texts, metas, views, opts = html_inputs([html], [Metadata(url=url)], options)
        return clean_pages(texts, metas, opts, views)[0]
    except Exception as exc:  # a page past the parser's limits: its reason, never an exception for the caller
        return failed(exc)


def html_inputs(
    htmls: Sequence[str], givens: Sequence[Metadata], options: CleanOptions
) -> tuple[list[str], list[Metadata], list[HtmlView | None], CleanOptions]:
    """What the text cleaners receive for HTML pages, and with which options.

    With the page model, every visible block of the page is a line and the model decides, helped by each
    block's place in the DOM and by what the peer extractors kept (``model.html_page``); the cleaners
    run as on text, since the page is whole, chrome and all, except that a repeated line is left for the model
    to judge (a page's HTML often holds its article twice, in a teaser or a print copy, and dropping later
    copies cost 0.012 F1 over the corpus' sources left out in turn). Without the model, trafilatura's
    extraction is the page and the cleaners only trim it (``_for_html``)."""
    if not (options.page_model and options.zones):
        pages = [_extracted(html, given) for html, given in zip(htmls, givens, strict=True)]
        return [t for t, _ in pages], [m for _, m in pages], [None] * len(pages), _for_html(options)
    model = HTML_MODELS[options.html_model]
    texts, metas, views = [], [], []
    for html, given in zip(htmls, givens, strict=True):
        page = read_html(html, given.url, model)
        texts.append(page.text)
        metas.append(_metadata(page.extracted, given))
        views.append(page.view)
    return texts, metas, views, dataclasses.replace(options, repeated_lines=False)


def clean_record(record: RawRecord, options: CleanOptions | None = None) -> Document:
    """Clean one record from a reader into a ``Document`` (status ``ok`` or ``empty``).

    Errors in the input (undecodable HTML, a runaway pattern) raise; the runner turns them into a
    ``failed`` document with the reason, so one bad page never costs the run.
    """
    return clean_records([record], options)[0]


def clean_records(records: Sequence[RawRecord], options: CleanOptions | None = None) -> list[Document]:
    """``clean_record`` of each record, the text cleaners run over them together (see ``pipeline.clean_pages``).

    An error in any record raises for all of them; ``shard.clean_items`` retries such a batch one record
    at a time, so that only the bad record fails.
    """
    options = options or CleanOptions()
    givens = [given_metadata(r) for r in records]
    cleaned: list[Cleaned | None] = [None] * len(records)
    for is_html in (False, True):
        chosen = [i for i, r in enumerate(records) if (r.html is not None) == is_html]
        if not chosen:
            continue
        if is_html:
            texts, metas, views, opts = html_inputs([records[i].html for i in chosen], [givens[i] for i in chosen],
                                                    options)
        else:
            texts, metas, views = [records[i].text or "" for i in chosen], [givens[i] for i in chosen], None
            opts = options
        done = clean_pages(texts, metas, opts, views)
        for i, one in zip(chosen, done, strict=True):
            cleaned[i] = one
    return [_document(r, given, c) for r, given, c in zip(records, givens, cleaned, strict=True)]


def given_metadata(record: RawRecord) -> Metadata:
    """What a record says of itself (its fields win over what the cleaners find)."""
    return Metadata(
        url=record.url,
        title=record.title or None,
        author=record.author or None,
        date=parse_date(record.date) if record.date else None,
    )


def _document(record: RawRecord, given: Metadata, cleaned: Cleaned) -> Document:
    meta = Metadata(
        url=record.url or given.url,
        title=cleaned.title,
        author=cleaned.author,
        date=cleaned.date,
        site=cleaned.site,
        language=cleaned.language,
    )
    return Document(
        id=record.id,
        source=record.source,
        format=record.format,
        text=cleaned.text,
        meta=meta,
        n_chars_in=len(record.html) if record.html is not None else len(record.text or ""),
        status="ok" if cleaned.text else "empty",
        removals=[*record.repairs, *cleaned.removals],
    )


def _for_html(options: CleanOptions) -> CleanOptions:
    """trafilatura has already chosen an HTML page's blocks: zones would second-guess it, and repeats inside
    an extracted article are content (an interview's recurring questions), measured -0.02 and -0.01 F1."""
    return dataclasses.replace(options, zones=False, repeated_lines=False)


def _extracted(html: str, given: Metadata) -> tuple[str, Metadata]:
    """The article text trafilatura finds in ``html``, and the metadata known for it (the record's first)."""
    extracted = extract_html(html, given.url)
    return extracted.text, _metadata(extracted, given)


def _metadata(extracted: Extracted, given: Metadata) -> Metadata:
    """What is known of a page: the record's metadata first, then what the HTML says."""
    return Metadata(
        url=given.url or extracted.url,
        title=given.title or extracted.title,
        author=given.author or extracted.author,
        date=given.date or (parse_date(extracted.date) if extracted.date else None),
        site=extracted.site,
    )
