"""``OUT/report.html``: one self-contained page that says what a run removed, and why, at a glance.

Written by ``publish`` after the dataset card, from the published Parquet and the manifest: removals by kind
and by rule, text length before and after, documents by status, duplicate clusters by size, and the documents
that lost the most with every line they lost (rule, kind, reason).

Charts are drawn by Chart.js (4.6.1, MIT), vendored in ``clean/assets`` and inlined once: 205 KB of JavaScript,
where plotly.js would add 4.8 MB to every report, and Vega-Lite 0.83 MB plus the 33 MB vl-convert wheel altair
needs to inline it (measured on plotly 7.1, vega 6.4, vega-lite 6.4, vega-embed 7.3). The page loads nothing
from the network, and every number of a chart is also in a table beside it. The content is a function of the
output, except one line of timings. A small script at the end of the page draws
the charts and then records in ``#render-status`` how many it drew and how many painted their bars, which is
what the Chromium test reads.

Reading is bounded: documents are read without their text, and removals a batch at a time, keeping only
counts per rule and kind and removed characters per document.
"""

from __future__ import annotations

import html
import json
import logging
import shlex
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from clean.audit.summary import LENGTH_EDGES, TOP_REMOVALS, Summary, summarise

log = logging.getLogger(__name__)

CHART_JS = Path(__file__).parent / "assets" / "chart.umd.min.js"
CHART_JS_VERSION = "4.6.1"
#: Rules drawn in the rules chart (the table lists them all).
RULES_IN_CHART = 30
#: Colours (Tableau 10): one per chart, and one per status.
BLUE, ORANGE, GREY, TEAL = "#4e79a7", "#f28e2b", "#bab0ac", "#76b7b2"
STATUS_COLOURS = {"ok": "#59a14f", "empty": "#edc948", "failed": "#e15759"}


# ---------------------------------------------------------------- the page


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _n(value: int) -> str:
    return f"{value:,}"


def _table(headers: Iterable[str], rows: Iterable[Iterable[Any]], numeric: Iterable[int] = ()) -> str:
    numeric = set(numeric)
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bar(chart_id: str, labels: list[str], datasets: list[dict[str, Any]], *, horizontal: bool, title: str,
         axis: str) -> dict[str, Any]:
    """A Chart.js bar chart: no animation (drawn at once, deterministic), numbers on a linear axis."""
    value_axis = "x" if horizontal else "y"
    return {
        "canvas": chart_id,
        "height": max(180, 26 * len(labels) + 70) if horizontal else 280,
        "config": {
            "type": "bar",
            "data": {"labels": labels, "datasets": datasets},
            "options": {
                "indexAxis": "y" if horizontal else "x",
                "animation": False,
                "responsive": True,
                "maintainAspectRatio": False,
                "plugins": {
                    "legend": {"display": len(datasets) > 1},
                    "title": {"display": True, "text": title},
                },
                "scales": {value_axis: {
                    "beginAtZero": True, "ticks": {"precision": 0}, "title": {"display": True, "text": axis},
                }},
            },
        },
    }


def _dataset_spec(label: str, data: list[int], colour: str | list[str]) -> dict[str, Any]:
    return {"label": label, "data": data, "backgroundColor": colour, "borderWidth": 0}


def build_report(out: Path, manifest: dict[str, Any], summary: Summary | None = None) -> str:
    """The page as a string: everything but the timings line depends only on the output."""
    s = summary or summarise(out, manifest)
    charts: list[dict[str, Any]] = []
    sections: list[str] = []
    counts = manifest.get("counts", {})

    # removals by kind and by rule
    total = sum(s.kinds.values())
    if total:
        kinds = _ordered(s.kinds)
        charts.append(_bar("chart-kinds", [k for k, _ in kinds], [_dataset_spec(
            "removals", [v for _, v in kinds], BLUE)], horizontal=True, title="Removals by kind of noise",
            axis="removals"))
        rules = _ordered(s.rules)
        shown = rules[:RULES_IN_CHART]
        title = "Removals by rule"
        if len(rules) > len(shown):
            title += f" (the {len(shown)} largest; all in the table)"
        charts.append(_bar("chart-rules", [r for r, _ in shown], [_dataset_spec(
            "removals", [v for _, v in shown], ORANGE)], horizontal=True, title=title, axis="removals"))
        sections.append(
            '<section id="removals"><h2>What was removed</h2>'
            f"<p>{_n(total)} removals in {_n(s.removed_documents)} documents, by {_n(len(s.kinds))} kinds of "
            f"noise and {_n(len(s.rules))} rules. A removal is a line or a span of one that went (or moved to a "
            "metadata field, or was joined back to its sentence), with the rule that took it and why.</p>"
            + _pair(_chart(charts[-2]),
                    _table(["kind", "removals", "share"], ((_e(k), _n(v), f"{v / total:.1%}") for k, v in kinds),
                           (1, 2)))
            + _chart(charts[-1])
            + _table(
                ["rule", "kind", "removals", "reason"],
                ((f"<code>{_e(r)}</code>", _e(s.rule_kind[r]), _n(v), _e(s.rule_reason[r])) for r, v in rules),
                (2,),
            )
            + "</section>"
        )
    else:
        sections.append('<section id="removals"><h2>What was removed</h2><p>Nothing: no removals.</p></section>')

    # text length before and after
    labels = [_edge(i) for i in range(len(LENGTH_EDGES))]
    if s.chars_in:
        charts.append(_bar("chart-length", labels, [
            _dataset_spec("before (as read)", s.before, GREY),
            _dataset_spec("after (cleaned)", s.after, BLUE),
        ], horizontal=False, title="Documents by text length, before and after", axis="documents"))
        change = (s.chars_out - s.chars_in) / s.chars_in
        sections.append(
            '<section id="length"><h2>Text length before and after</h2>'
            f"<p>{_n(s.chars_in)} characters read, {_n(s.chars_out)} kept ({change:+.1%}), over the documents that "
            "did not fail. Before is the input as read, so an HTML page counts its markup; after is the cleaned "
            "body.</p>"
            + _pair(_chart(charts[-1]), _table(["characters", "documents before", "documents after"],
                    zip(labels, map(_n, s.before), map(_n, s.after), strict=True), (1, 2)))
            + "</section>"
        )

    # documents by status, and failures
    statuses = [*STATUS_COLOURS, *sorted(set(s.status) - set(STATUS_COLOURS))]
    if s.documents:
        charts.append(_bar("chart-status", statuses, [_dataset_spec(
            "documents", [s.status[k] for k in statuses], [STATUS_COLOURS.get(k, "#9c755f") for k in statuses])],
            horizontal=False, title="Documents by status", axis="documents"))
    failed = [f for f in manifest.get("input_files", []) if f.get("status") != "ok"]
    sections.append(
        '<section id="status"><h2>Documents by status</h2>'
        f"<p>{_n(s.documents)} documents written: ok has a body, empty lost everything (each removal is recorded), "
        "failed could not be read or cleaned (with its reason in <code>error</code>).</p>"
        + _pair(_chart(charts[-1]) if s.documents else "",
                _table(["status", "documents"], ((_e(k), _n(s.status[k])) for k in statuses), (1,)))
        + (
            f"<h3>Input files with failures ({_n(len(failed))})</h3>"
            + _table(["file", "status", "failed", "first error"], (
                (f"<code>{_e(f['source'])}</code>", _e(f["status"]), _n(f.get("failed", 0)), _e(f.get("error")))
                for f in failed[:50]), (2,))
            if failed else "<p>No input failed.</p>"
        )
        + "</section>"
    )

    # duplicates
    dedup = manifest.get("dedup")
    dedup_table = _table(["dedup", "value"], ((_e(k), _e(v)) for k, v in dedup.items())) if isinstance(
        dedup, dict) else ""
    if s.cluster_sizes is None:
        body = "<p>No dedup run: the documents table has no <code>dup_cluster</code> column.</p>"
    elif not s.cluster_sizes:
        body = "<p>Dedup ran and found no duplicate clusters.</p>"
    else:
        sizes = sorted(s.cluster_sizes)
        charts.append(_bar("chart-clusters", [str(k) for k in sizes], [_dataset_spec(
            "clusters", [s.cluster_sizes[k] for k in sizes], TEAL)],
            horizontal=False, title="Duplicate clusters by size", axis="clusters"))
        body = (
            f"<p>{_n(sum(s.cluster_sizes.values()))} clusters hold "
            f"{_n(sum(k * v for k, v in s.cluster_sizes.items()))} documents; {_n(s.duplicates)} of them are marked "
            "as duplicates of another (<code>duplicate_of</code>).</p>"
            + _pair(_chart(charts[-1]), _table(["documents in cluster", "clusters"],
                                                ((k, _n(s.cluster_sizes[k])) for k in sizes), (0, 1)))
        )
    sections.append(f'<section id="duplicates"><h2>Duplicates</h2>{body}{dedup_table}</section>')

    # the documents that lost the most
    if s.top:
        items = []
        for i, d in enumerate(s.top):
            rows = s.top_removals.get(d["id"], [])
            shown = rows[:TOP_REMOVALS]
            more = len(rows) - len(shown)
            items.append(
                f"<details{' open' if i == 0 else ''}><summary><code>{_e(d['id'])}</code>: "
                f"{_n(d['removed_chars'])} characters removed by {_n(len(rows))} removals "
                f"({_n(d['n_chars_in'])} in, {_n(d['n_chars_out'])} out, {_e(d['status'])})"
                + (f" &middot; {_e(d['title'])}" if d.get("title") else "")
                + "</summary>"
                + _table(["line", "removed", "rule", "kind", "reason"], (
                    (f"{_e(r['stage'])} {r['line']}", f'<span class="gone">{_e(_clip(r["text"]))}</span>'
                     + ("" if r["action"] in ("drop",) else f" <em>({_e(r['action'])})</em>"),
                     f"<code>{_e(r['rule'])}</code>", _e(r["kind"]), _e(r["reason"]))
                    for r in shown))
                + (f"<p>and {_n(more)} more.</p>" if more else "")
                + f"<p>The whole page: <code>clean --explain {_e(shlex.quote(d['id']))} OUT</code></p></details>"
            )
        sections.append(
            '<section id="top"><h2>Documents that lost the most</h2>'
            f"<p>The {len(s.top)} documents with the most characters removed (joins and in-place repairs do not "
            "count), each with what it lost. Line numbers count lines of the text each stage received.</p>"
            + "".join(items) + "</section>"
        )

    # configuration
    config = manifest.get("config", {})
    sections.append(
        '<section id="config"><h2>Configuration</h2>'
        f"<p>Inputs: {', '.join(f'<code>{_e(p)}</code>' for p in manifest.get('inputs', []))}. "
        "The resolved options (defaults, then the config file, then <code>CLEAN_*</code> variables, then flags):</p>"
        + _table(["option", "value"], ((f"<code>{_e(k)}</code>", _e(json.dumps(v))) for k, v in config.items()))
        + "</section>"
    )

    timings = manifest.get("timings", {})
    timing_line = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items() if k != "total" and "." not in k)
    kept = f"{s.chars_out / s.chars_in:.1%}" if s.chars_in else "-"
    dups = "no dedup run" if s.cluster_sizes is None else "duplicates"
    figures = [
        (_n(s.documents), "documents"),
        *((_n(s.status[k]), k) for k in statuses),
        (_n(total), "removals"),
        (kept, "of the characters kept"),
        ("-" if s.cluster_sizes is None else _n(s.duplicates), dups),
        (_n(len(failed)), "input files with failures"),
    ]
    head = (
        f"<header><h1>What clean did</h1><p class=lead>clean {_e(manifest.get('version'))} cleaned "
        f"{_n(counts.get('files', 0))} input files into {_n(s.documents)} documents. "
        '<a href="#removals">removed</a> &middot; <a href="#length">length</a> &middot; '
        '<a href="#status">status</a> &middot; <a href="#duplicates">duplicates</a>'
        + (' &middot; <a href="#top">lost the most</a>' if s.top else "")
        + ' &middot; <a href="#config">configuration</a></p><div class=figures>'
        + "".join(f"<div><b>{v}</b>{_e(label)}</div>" for v, label in figures)
        + "</div>"
        # the one line that changes from run to run
        f'<p class="timings">Time: {timings.get("total", 0):.1f} s ({_e(timing_line)})</p></header>'
    )
    specs = json.dumps(charts, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>clean report: {_n(s.documents)} documents, {_n(total)} removals</title>"
        f"<style>{_CSS}</style></head><body>{head}<main>{''.join(sections)}</main>"
        f'<div id="render-status" hidden data-charts="{len(charts)}" data-drawn="0" data-nonempty="0" '
        'data-errors="0"></div>'
        f'<script type="application/json" id="chart-specs">{specs}</script>'
        f"<script>{_ERRORS_JS}</script>"
        f"<script>/* Chart.js {CHART_JS_VERSION}, MIT License, https://www.chartjs.org */\n"
        f"{CHART_JS.read_text(encoding='utf-8')}</script>"
        f"<script>{_RENDER_JS}</script></body></html>\n"
    )


def _ordered(counter: Counter) -> list[tuple[Any, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _edge(i: int) -> str:
    def short(n: int) -> str:
        return f"{n // 1000}k" if n >= 1000 else str(n)

    if i + 1 == len(LENGTH_EDGES):
        return f"{short(LENGTH_EDGES[i])}+"
    return f"{short(LENGTH_EDGES[i])}-{short(LENGTH_EDGES[i + 1])}"


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def _chart(spec: dict[str, Any]) -> str:
    return f'<div class="chart" style="height:{spec["height"]}px"><canvas id="{spec["canvas"]}"></canvas></div>'


def _pair(left: str, right: str) -> str:
    """A chart and its table side by side (stacked on a narrow screen)."""
    return f'<div class="pair"><div>{left}</div><div>{right}</div></div>'


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#fff;border-bottom:1px solid #ddd;padding:12px 24px}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:0 0 8px}h3{font-size:15px}
main{max-width:1100px;margin:0 auto;padding:8px 24px 40px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:14px 18px;margin:14px 0}
.lead{margin:4px 0}.timings{color:#777;font-size:13px;margin:2px 0}
.chart{position:relative;width:100%;margin:8px 0 12px}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:24px;align-items:start}
@media (max-width:800px){.pair{grid-template-columns:1fr}}
.figures{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0 4px}
.figures div{background:#f3f5f8;border-radius:6px;padding:6px 12px}.figures b{font-size:20px;display:block}
table{border-collapse:collapse;font-size:13px;margin:6px 0 10px}
th,td{border-bottom:1px solid #eee;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
th.num,td.num{text-align:right}code{font-size:12px}
details{border-top:1px solid #eee;padding:6px 0}summary{cursor:pointer}
.gone{color:#b02a2a;text-decoration:line-through;text-decoration-color:#e1575988}
a{color:#2f5d8a}
"""

# Counts errors from the moment the page starts, before any chart code runs.
_ERRORS_JS = """
window.__reportErrors = 0;
window.addEventListener("error", function () {
  window.__reportErrors += 1;
  document.getElementById("render-status").dataset.errors = String(window.__reportErrors);
});
"""

# Draws each chart, then counts those that painted: at least one bar of non-zero length, and at least one pixel
# of a bar's own colour on the canvas.
_RENDER_JS = """
(function () {
  var status = document.getElementById("render-status");
  var specs = JSON.parse(document.getElementById("chart-specs").textContent);
  var drawn = 0, nonempty = 0;
  function rgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.substr(i, 2), 16); });
  }
  function painted(chart) {
    var bars = 0, colours = [];
    chart.data.datasets.forEach(function (set, i) {
      colours = colours.concat([].concat(set.backgroundColor).map(rgb));
      chart.getDatasetMeta(i).data.forEach(function (bar) {
        var p = bar.getProps(["x", "y", "base", "horizontal"], true);
        if (Math.abs(p.horizontal ? p.x - p.base : p.base - p.y) >= 1) { bars += 1; }
      });
    });
    var a = chart.chartArea, canvas = chart.canvas;
    var ratio = canvas.width / canvas.clientWidth || 1;
    var px = canvas.getContext("2d").getImageData(
      Math.floor(a.left * ratio), Math.floor(a.top * ratio),
      Math.max(1, Math.floor((a.right - a.left) * ratio)), Math.max(1, Math.floor((a.bottom - a.top) * ratio))).data;
    for (var k = 0; k < px.length; k += 4) {
      for (var c = 0; c < colours.length; c++) {
        var col = colours[c];
        if (px[k + 3] === 255 && px[k] === col[0] && px[k + 1] === col[1] && px[k + 2] === col[2]) {
          return bars > 0;
        }
      }
    }
    return false;
  }
  specs.forEach(function (spec) {
    var chart = new Chart(document.getElementById(spec.canvas), spec.config);
    drawn += 1;
    if (painted(chart)) { nonempty += 1; }
  });
  status.dataset.drawn = String(drawn);
  status.dataset.nonempty = String(nonempty);
})();
"""
