"""Text for the terminal: one document's explanation (``clean --explain ID OUT``) and the rules (``--list-rules``),
styled with ANSI codes when asked. Nothing here prints; the command does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from clean.audit.explain import KEEPS_TEXT, Explanation
from clean.document import Removal
from clean.printable import printable
from clean.rules import LineRule, default_rules

_MARKERS = {"drop": "-", "to_metadata": ">", "partial": "~", "repair": "*", "kept": " "}
_STYLE: dict[str, dict[str, Any]] = {
    "drop": {"fg": "red"},
    "to_metadata": {"fg": "blue"},
    "span": {"fg": "red", "underline": True},
    "rule": {"fg": "yellow"},
    "repair": {"fg": "magenta"},
    "dim": {"dim": True},
    "head": {"bold": True},
}


def _styler(color: bool) -> Callable[[str, str], str]:
    def style(text: str, kind: str) -> str:
        return click.style(text, **_STYLE[kind]) if color and text else text

    return style


def _describe(r: Removal) -> str:
    what = r.action if r.action != "to_metadata" else f"to {r.field or 'metadata'}"
    extra = f", duplicates {r.ref}" if r.ref else ""
    stage = "" if r.stage == "clean" else f"{r.stage} "
    return printable(f"{stage}{r.rule} ({r.kind}, {what}{extra}): {r.reason}", lines=False)


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def format_explanation(e: Explanation, *, color: bool = False) -> str:
    """The explanation as text: a header of metadata and links, then the page with every removal marked.

    With ``color``, removed lines are red, lines moved to metadata blue and removed spans underlined; without,
    removed spans are shown as ``[-text-]`` so a piped explanation still says which part of a line went.
    """
    style = _styler(color)
    d = e.document
    out = [style(_p(e.id), "head")]
    fmt = d.get("format") or "?"
    read = f", read from {_p(e.input_path)}" if e.input_path else ""
    out.append(f"  source      {_p(d.get('source'))} ({_p(fmt)}){read}")
    out.append(f"  status      {_p(d.get('status'))}" + (f": {_p(d['error'])}" if d.get("error") else ""))
    for key in ("title", "author", "date", "site", "language", "url"):
        value = d.get(key)
        out.append(f"  {key:<11} {_p(value) if value not in (None, '') else '-'}")
    out.append(
        f"  size        {_number(d.get('n_chars_in'))} characters in, {_number(d.get('n_chars_out'))} out, "
        f"{_number(d.get('n_removed'))} removals"
    )
    out.append(f"  duplicates  {_p(_duplicates(e))}")
    if e.note:
        out.append(f"  note        {_p(e.note)}")
    if not e.lines:
        out.append("")
        why = "failed before cleaning" if d.get("status") == "failed" else "is empty"
        out.append(f"  (no page: the document {why})")
        return "\n".join(out) + "\n"
    out.append("")
    out.append(
        style(
            "Page as the cleaners received it (0-based line numbers, as in OUT/removals). "
            "- removed, > moved to metadata, ~ partly removed, * repaired:",
            "dim",
        )
    )
    width = len(str(len(e.lines) - 1))
    for line in e.lines:
        whole = next((m for m in reversed(line.marks) if m.span is None), None)
        if whole is not None:
            kind = "to_metadata" if whole.removal.action == "to_metadata" else "drop"
            marker, body = _MARKERS[kind], style(_p(line.text), kind)
        else:
            spans = sorted(
                m.span for m in line.marks if m.span and m.span[1] > m.span[0] and m.removal.action not in KEEPS_TEXT
            )
            marker = _MARKERS["partial"] if spans else (_MARKERS["repair"] if line.repairs else _MARKERS["kept"])
            body = _mark_spans(line.text, spans, style, color)
        out.append(f"{line.n:>{width}} {marker} {body}")
        pad = " " * (width + 3)
        for r in line.repairs:
            out.append(
                pad
                + style(
                    _p(
                        f"* {r.rule} ({r.kind}, {r.action} {r.text!r} from line {r.line} of the page "
                        f"as read): {r.reason}"
                    ),
                    "repair",
                )
            )
        for m in line.marks:
            text = "" if m.span is None else f" {m.removal.text!r}"
            out.append(pad + style(f"^ {_describe(m.removal)}{text}", "rule"))
            if m.removal.rule.startswith("model.") and line.n in e.weighings:
                out.append(pad + style(f"  {_weighed(*e.weighings[line.n])}", "dim"))
    if e.repairs:
        out.append("")
        out.append(style("Repairs (line numbers of the page as read, before repair joined its lines):", "dim"))
        for r in e.repairs:
            out.append(
                "  " + style(_p(f"* line {r.line}: {r.action} {r.text!r}: {r.rule} ({r.kind}): {r.reason}"), "repair")
            )
    return "\n".join(out) + "\n"


def _p(value: object) -> str:
    """A value from the page or the manifest, safe for the terminal and kept on its line."""
    return printable(value, lines=False)


def _weighed(prob: float, top: Sequence[tuple[str, float, float]]) -> str:
    """``weighed most: words = 2 (-0.91), ...``: each feature's value and its push on the log-odds."""
    parts = ", ".join(f"{name} = {value:.3g} ({share:+.2f})" for name, value, share in top)
    return f"weighed most (first round, P(content) = {prob:.2f}): {parts}"


def _mark_spans(text: str, spans: Sequence[tuple[int, int]], style: Callable[[str, str], str], color: bool) -> str:
    parts, at = [], 0
    for first, end in spans:
        start = max(first, at)
        if end <= start:
            continue
        parts.append(_p(text[at:start]))
        parts.append(style(_p(text[start:end]), "span") if color else f"[-{_p(text[start:end])}-]")
        at = end
    parts.append(_p(text[at:]))
    return "".join(parts)


def _duplicates(e: Explanation) -> str:
    if e.duplicates is None:
        return "no dedup run (the documents table has no dup_cluster column)"
    cluster = e.duplicates.get("dup_cluster")
    if cluster is None:
        return "none found"
    of = e.duplicates.get("duplicate_of")
    sim = e.duplicates.get("dup_similarity")
    head = f"cluster {cluster}"
    if of and of != e.id:
        head += f"; duplicate of {of}" + (f" (similarity {sim:.2f})" if sim is not None else "")
    else:
        head += "; the kept member"
    others = [m["id"] for m in e.cluster]
    if others:
        shown = ", ".join(others[:10]) + (f", and {len(others) - 10} more" if len(others) > 10 else "")
        head += f"; with {shown}"
    return head


def format_rules(rules: Sequence[LineRule] | None = None, *, color: bool = False) -> str:
    """Every line rule, in the order they are tried: name, kind, action, reason and one example."""
    style = _styler(color)
    rules = list(default_rules() if rules is None else rules)
    out = [
        f"{len(rules)} line rules, tried in this order (the first that matches a line decides). "
        "Each names its kind of noise and why it goes; the example is a line it must match.",
        "",
    ]
    for rule in rules:
        action = rule.action if rule.action != "to_metadata" else f"to {rule.field or 'metadata'}"
        scope = f", {'/'.join(rule.languages)} pages only" if rule.languages else ""
        out.append(f"{style(rule.name, 'head')}  ({style(rule.kind, 'rule')}, {action}{scope})")
        out.append(f"    {rule.reason}")
        out.append(style(f"    e.g. {rule.examples[0]!r}", "dim"))
    out += [
        "",
        "Removals also come from steps written as code, each with its reason in OUT/removals: repair.* (citation",
        "numerals, hard wraps, stray spaces), title.* / metadata.* / byline.* / author_box.* (metadata lifted from",
        "the page), duplicate_line.*, zone.* (header and footer around the article), corpus.* (lines repeated",
        "across a site) and dedup.*. `clean --explain ID OUT` shows them on the page.",
    ]
    return "\n".join(out) + "\n"
