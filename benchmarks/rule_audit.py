#!/usr/bin/env python3
"""Audit every line rule on the labelled corpus: does it fire across sources, and do its removals help there?

Usage: python benchmarks/rule_audit.py [--text /tmp/cc_text.parquet] [--labels /tmp/cc_labels.parquet]
                                       [--out /tmp/rule_audit.md]

Why it exists (issue 16): a rule written from one site's sample lines is a memorised site, not knowledge of
news pages, and the corpus README says to keep only what fires across sources. This script runs
``default_rules().first_matches`` on each corpus page's repaired lines, exactly as the ``line_rules`` step
does (the first matching rule decides a line), and compares what each rule removes with the gold labels.

Inputs: ``--text`` holds one row per corpus page (id, source, domain, lang, gold, ...); ``--labels`` holds
the page's repaired lines (``clean.page.repair.repair(text).lines``) and, per line, the share of its tokens
aligned to the gold (``clean/train/align.py``); a line with share >= 0.5 is content.

Per rule it reports where it fired (sources, and distinct domains inside the sets that record URLs: wcxb,
tiptop, canola), the lines (for ``strip`` rules: span tokens) it removed, the precision of those removals
(share that is not content), the content it wrongly removes, and the score effect with the metric of
``../shared/tools/score_pages.py``: on each page where the rule fired, the oracle output (the page's content
lines) with the rule's removals applied, against the same output with the lines the rule removes put back
(the noise it catches kept, the content it takes kept too). dF1 is the F1 of the mean precision and recall
over those pages, with the rule minus without it, in points.

Verdicts (the criterion, in order). A source *counts* for a rule when the rule fired on >= ``MIN_FIRES`` lines
there and, in a set that records URLs, on >= 2 domains (500 firings on one wcxb site are still one site):
- DROP-ONE-SITE: fewer than 2 sources count (a stray hit elsewhere does not make a site rule general);
- DROP-HARMFUL: removal precision below 0.8 overall, or dF1 below 0 overall;
- KEEP: precision >= 0.9 overall, dF1 > 0 in >= 2 counting sources, and in every counting source precision
  >= 0.8 and dF1 >= 0;
- REVIEW: the rest: general and helpful overall, but imprecise or score-lowering in some source (the ``why``
  column names it); often a source whose gold keeps what the rule removes (bylines, AP notices), so judge there.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))

from score_pages import score  # noqa: E402

from clean.rules import default_rules  # noqa: E402

CONTENT_SHARE = 0.5
#: Firings in a source before its precision and score effect count towards a verdict.
MIN_FIRES = 5
KEEP_PRECISION = 0.9
HARMFUL_PRECISION = 0.8
#: Sets that record URLs, so distinct domains can be counted inside them.
URL_SETS = ("wcxb", "tiptop", "canola")
TOKEN = re.compile(r"\w+")
#: Distinct fired texts kept per rule, source and label.
SAMPLES = 10


@dataclass
class Tally:
    """What one rule did in one source."""

    pages: int = 0
    units: int = 0  # lines fired on (span tokens for strip rules)
    content_units: int = 0
    content_tokens: int = 0
    domains: set[str] = field(default_factory=set)
    p_with: list[float] = field(default_factory=list)
    p_without: list[float] = field(default_factory=list)
    r_with: list[float] = field(default_factory=list)
    r_without: list[float] = field(default_factory=list)
    #: distinct fired texts, content ones and noise ones, a few of each
    samples: dict[bool, list[str]] = field(default_factory=lambda: {True: [], False: []})

    def add(self, other: Tally) -> None:
        self.pages += other.pages
        self.units += other.units
        self.content_units += other.content_units
        self.content_tokens += other.content_tokens
        self.domains |= other.domains
        for name in ("p_with", "p_without", "r_with", "r_without"):
            getattr(self, name).extend(getattr(other, name))

    @property
    def precision(self) -> float | None:
        return 1 - self.content_units / self.units if self.units else None

    @property
    def delta_f1(self) -> float | None:
        """F1 with the rule minus without it, over the pages it fired on (score_pages' averaging)."""
        if not self.r_with:
            return None
        return _f1(self.p_with, self.r_with) - _f1(self.p_without, self.r_without)


def _f1(precisions: list[float], recalls: list[float]) -> float:
    mp = sum(precisions) / len(precisions) if precisions else 0.0
    mr = sum(recalls) / len(recalls) if recalls else 0.0
    return 2 * mp * mr / (mp + mr) if mp + mr else 0.0


def _language(value: object) -> str | None:
    """The page's recorded language as the rules name it ("en/hu" -> "en"); None when not recorded."""
    return value[:2].lower() if isinstance(value, str) and len(value) >= 2 else None


def _domain(source: str, domain: object) -> str | None:
    return f"{source}:{domain}" if source in URL_SETS and isinstance(domain, str) and domain else None


def audit(text_path: Path, labels_path: Path) -> tuple[list, dict[str, dict[str, Tally]]]:
    pages = pd.read_parquet(text_path, columns=["id", "source", "domain", "lang", "gold"])
    labels = pd.read_parquet(labels_path, columns=["id", "lines", "share"])
    pages = pages.merge(labels, on="id", how="inner")
    ruleset = default_rules()
    tallies: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for row in pages.itertuples(index=False):
        lines = [str(x) for x in row.lines]
        share = [float(x) for x in row.share]
        content = [s >= CONTENT_SHARE for s in share]
        hits = ruleset.first_matches(lines, _language(row.lang))
        # per rule: {line index: (start, end)} of what it removes on this page
        removed: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
        for i, hit in enumerate(hits):
            if hit is None:
                continue
            rule, m = hit
            span = (m.start(), m.end()) if rule.action == "strip" else (0, len(lines[i]))
            removed[rule.name][i] = span
        if not removed:
            continue
        oracle = [i for i, c in enumerate(content) if c]
        for name, spans in removed.items():
            rule = ruleset.by_name(name)
            t = tallies[name][row.source]
            t.pages += 1
            dom = _domain(row.source, row.domain)
            if dom:
                t.domains.add(dom)
            for i, (start, end) in spans.items():
                piece = lines[i][start:end]
                n_tokens = len(TOKEN.findall(piece))
                units = n_tokens if rule.action == "strip" else 1
                t.units += units
                if content[i]:
                    t.content_units += units
                    t.content_tokens += n_tokens
                kept = t.samples[content[i]]
                if len(kept) < SAMPLES and piece not in kept:
                    kept.append(piece)
            keep = sorted(set(oracle) | set(spans))
            with_rule = "\n".join(_apply(lines[i], spans.get(i)) for i in oracle)
            without = "\n".join(lines[i] for i in keep)
            p_with, r_with = score(row.gold, with_rule)
            p_without, r_without = score(row.gold, without)
            if p_with is not None:
                t.p_with.append(p_with)
            if p_without is not None:
                t.p_without.append(p_without)
            t.r_with.append(r_with)
            t.r_without.append(r_without)
    return list(ruleset), tallies


def _apply(line: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return line
    return line[: span[0]] + line[span[1] :]


def counts(source: str, t: Tally) -> bool:
    """Whether a source's firings are enough to judge the rule there (and, in URL sets, span two sites)."""
    return t.units >= MIN_FIRES and (source not in URL_SETS or len(t.domains) >= 2)


def verdict(per_source: dict[str, Tally], total: Tally) -> tuple[str, str]:
    """The verdict and a short reason."""
    sturdy = {s: t for s, t in per_source.items() if counts(s, t)}
    if len(sturdy) < 2:
        return "DROP-ONE-SITE", f"{len(sturdy)} src counts"
    prec, df1 = total.precision, total.delta_f1
    if prec < HARMFUL_PRECISION or (df1 is not None and df1 < 0):
        return "DROP-HARMFUL", f"prec {prec:.2f}" if prec < HARMFUL_PRECISION else f"dF1 {df1 * 100:.2f}"
    weak = [
        f"{s} {t.precision:.2f}/{_fmt(t.delta_f1, 100)}"
        for s, t in sorted(sturdy.items(), key=lambda kv: kv[1].precision)
        if t.precision < HARMFUL_PRECISION or (t.delta_f1 is not None and t.delta_f1 < 0)
    ]
    helped = sum(t.delta_f1 is not None and t.delta_f1 > 0 for t in sturdy.values())
    if prec >= KEEP_PRECISION and helped >= 2 and not weak:
        return "KEEP", ""
    reasons = ([] if prec >= KEEP_PRECISION else [f"prec {prec:.2f}"]) + weak
    if helped < 2:
        reasons.append(f"helps {helped} src")
    return "REVIEW", ", ".join(reasons)


def _fmt(x: float | None, scale: float = 1.0, digits: int = 2) -> str:
    return "-" if x is None else f"{x * scale:.{digits}f}"


def report(rules: list, tallies: dict[str, dict[str, Tally]]) -> str:
    out = [
        "| rule | kind | action | ex | src | src counts | wcxb doms | lines | prec | content lines | content tok "
        "| dF1 pts | verdict | why |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    details, samples = [], []
    for rule in sorted(rules, key=lambda r: r.name):
        per_source = tallies.get(rule.name, {})
        total = Tally()
        for t in per_source.values():
            total.add(t)
        v, why = verdict(per_source, total)
        sturdy = sum(counts(s, t) for s, t in per_source.items())
        wcxb = len(per_source["wcxb"].domains) if "wcxb" in per_source else 0
        out.append(
            f"| {rule.name} | {rule.kind} | {rule.action} | {len(rule.examples)} | {len(per_source)} | {sturdy} "
            f"| {wcxb} | {total.units} | {_fmt(total.precision)} | {total.content_units} "
            f"| {total.content_tokens} | {_fmt(total.delta_f1, 100)} | {v} | {why} |"
        )
        parts = [
            f"{s} {t.units}/{_fmt(t.precision)}/{_fmt(t.delta_f1, 100)}"
            + (f"/{len(t.domains)}dom" if t.domains else "")
            for s, t in sorted(per_source.items(), key=lambda kv: -kv[1].units)
        ]
        details.append(f"- {rule.name}: " + ("; ".join(parts) or "never fired"))
        if v != "KEEP":
            samples.append(f"- {rule.name} ({v}):")
            samples.extend(
                f"    - [{s}, {'content' if c else 'noise'}] {text[:110]!r}"
                for s, text, c in _pick_samples(per_source)
            )
    head = (
        "Rule audit on the labelled corpus (benchmarks/rule_audit.py). ex = the rule's examples; src = sources "
        f"fired in; src counts = sources with >= {MIN_FIRES} firings (and >= 2 domains in {'/'.join(URL_SETS)}); "
        "wcxb doms = distinct wcxb domains fired on; prec = share of fired lines that are not gold content; "
        "content lines/tok = gold content it removes; dF1 = F1 (pts) of the oracle output with the rule's "
        "removals minus with them put back, over the pages it fired on; why = failing figures (source prec/dF1)."
    )
    body = [head, "", *out, "", "Per source (lines/prec/dF1 pts[/domains]):", *details, "",
            "Samples of non-KEEP rules (a content line from the least precise source first):", *samples]
    return "\n".join(body) + "\n"


def _pick_samples(per_source: dict[str, Tally], n: int = 3) -> list[tuple[str, str, bool]]:
    """Up to ``n`` fired texts: a content one from the least precise source with some (it shows the harm), then
    noise ones from the sources where the rule fires most."""
    picked: list[tuple[str, str, bool]] = []
    harmed = [s for s in per_source if per_source[s].samples[True]]
    if harmed:
        worst = min(harmed, key=lambda s: (per_source[s].precision, -per_source[s].units))
        picked.append((worst, per_source[worst].samples[True][0], True))
    order = sorted(per_source, key=lambda s: -per_source[s].units)
    for k in range(SAMPLES):
        for s in order:
            noise = per_source[s].samples[False]
            if len(picked) < n and k < len(noise):
                picked.append((s, noise[k], False))
    return picked


def prepare(text_path: Path, labels_path: Path) -> None:
    """Build the two inputs from ``../shared/corpus/pages``: each page's text form (``clean.train.corpus``), its
    repaired lines and their alignment to the gold (``clean.train.align``), as the page model's training does."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from clean.page.repair import repair
    from clean.train.align import align
    from clean.train.corpus import read_pages, text_form

    texts, labels = [], []
    for page in read_pages():
        text = text_form(page.html)
        lines = repair(text).lines
        texts.append({"id": page.id, "source": page.source, "domain": page.domain, "page_type": page.page_type,
                      "lang": page.lang, "text": text, "gold": page.gold})
        labels.append({"id": page.id, "lines": list(lines), "share": align(lines, page.gold)})
    pq.write_table(pa.Table.from_pylist(texts), text_path)
    pq.write_table(pa.Table.from_pylist(labels), labels_path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text", type=Path, default=Path("/tmp/cc_text.parquet"))
    ap.add_argument("--labels", type=Path, default=Path("/tmp/cc_labels.parquet"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/rule_audit.md"))
    args = ap.parse_args()
    if not (args.text.exists() and args.labels.exists()):
        print(f"building {args.text} and {args.labels} from the corpus (a few minutes)", file=sys.stderr)
        prepare(args.text, args.labels)
    rules, tallies = audit(args.text, args.labels)
    text = report(rules, tallies)
    print(text, end="")
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
