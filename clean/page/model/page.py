"""The trained page model as the package ships it: a LightGBM booster, the Markov chain that decodes its
scores, and a card of what it was trained on. Loaded once per process from the package's own files.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from clean.atomic import write_bytes_atomic
from clean.page.model.blocks import DOM_NAMES
from clean.page.model.decode import Chain, viterbi
from clean.page.model.features import NAMES
from clean.page.model.peers import names as peer_names

#: The model the cleaners use on text, and the ones on HTML pages (their features add ``html_page.html_extra``):
#: the accurate one reads five peer extractors, the fast one two (``PEERS_OF``).
DEFAULT_NAME = "page_text"
HTML_NAME = "page_html"
HTML_FAST_NAME = "page_html_fast"
#: The HTML models by the name a user gives (``html_model`` in the configuration).
HTML_MODELS = {"accurate": HTML_NAME, "fast": HTML_FAST_NAME}

#: The extractors whose verdicts are HTML features, in column order. Chosen by leave-one-source-out ablation over the
#: corpus (mean F1 over sources, docs/model.md): all five 0.885, trafilatura + readability + resiliparse 0.878;
#: trafilatura's precision and recall settings tell most on the pages unlike the others (zh_immortal +0.04).
PEERS = ("trafilatura", "trafilatura_precision", "trafilatura_recall", "readability", "resiliparse")
#: The peers each HTML model reads. The fast model keeps the two that cost least: trafilatura (whose run also gives
#: the metadata) and resiliparse (docs/model.md, README).
PEERS_OF = {HTML_NAME: PEERS, HTML_FAST_NAME: ("trafilatura", "resiliparse")}


@dataclass(frozen=True)
class PageModel:
    """A booster that scores lines, with what it needs to turn scores into decisions.

    ``version`` names the model in every removal it makes (``model.page_text_v2``) and in the manifest.
    """

    name: str
    version: str
    booster: Any
    chain: Chain
    bias: float
    stickiness: float
    features: tuple[str, ...]
    card: dict

    @property
    def rule(self) -> str:
        return f"model.{self.name}_{self.version}"

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(content) for each row of ``x`` (columns in ``features`` order)."""
        if not len(x):
            return np.zeros(0)
        return self.booster.predict(x, num_threads=1)

    def decide(self, probs: np.ndarray) -> list[bool]:
        """Keep (True) or drop for each line of one page, decoded as a whole."""
        return viterbi(probs, self.chain, self.bias, self.stickiness)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Each feature's share of each line's score (SHAP values, log-odds; last column the base value)."""
        return self.booster.predict(x, pred_contrib=True, num_threads=1)


def save(model_text: str, meta: dict, folder: Path, name: str = DEFAULT_NAME) -> list[Path]:
    """Write a booster's text and its card as ``<name>.lgb.gz`` and ``<name>.json`` (byte-stable: gzip mtime 0)."""
    folder.mkdir(parents=True, exist_ok=True)
    booster_path = folder / f"{name}.lgb.gz"
    meta_path = folder / f"{name}.json"
    write_bytes_atomic(booster_path, gzip.compress(model_text.encode(), compresslevel=9, mtime=0))
    write_bytes_atomic(meta_path, (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode())
    return [booster_path, meta_path]


def load(folder: Path | None = None, name: str = DEFAULT_NAME) -> PageModel:
    """Read a model written by ``save`` (by default the one inside the package); no network, no cache."""
    import lightgbm

    if folder is None:
        root = resources.files("clean.page.model") / "weights"
        text = gzip.decompress((root / f"{name}.lgb.gz").read_bytes()).decode()
        meta = json.loads((root / f"{name}.json").read_text(encoding="utf-8"))
    else:
        text = gzip.decompress((folder / f"{name}.lgb.gz").read_bytes()).decode()
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    if tuple(meta["features"]) != feature_names(name):
        raise ValueError(
            f"page model {name} {meta['version']} was trained on other features than this code computes; "
            "retrain it with `python -m clean.train`"
        )
    booster = lightgbm.Booster(model_str=text)
    return PageModel(
        name=name,
        version=meta["version"],
        booster=booster,
        chain=Chain.from_dict(meta["chain"]),
        bias=float(meta.get("bias", 0.0)),
        stickiness=float(meta.get("stickiness", 1.0)),
        features=tuple(meta["features"]),
        card=meta,
    )


@functools.cache
def identity(name: str = DEFAULT_NAME) -> dict[str, str]:
    """The packaged model's name, version and a digest of its weights, for the manifest and the dataset card,
    read without loading the learner."""
    root = resources.files("clean.page.model") / "weights"
    digest = hashlib.sha256((root / f"{name}.lgb.gz").read_bytes()).hexdigest()[:16]
    version = json.loads((root / f"{name}.json").read_text(encoding="utf-8"))["version"]
    return {"rule": f"model.{name}_{version}", "name": name, "version": version, "weights_sha256": digest}


def html_extra(model: str = HTML_NAME) -> tuple[str, ...]:
    """The features an HTML model adds to the text model's, in order: the block's place in the DOM, then what each
    of its peers kept."""
    return (*DOM_NAMES, *peer_names(PEERS_OF[model]))


#: The accurate model's ``html_extra``.
HTML_EXTRA = html_extra(HTML_NAME)


def feature_names(name: str) -> tuple[str, ...]:
    """The features a packaged model of this name is computed on."""
    return (*NAMES, *html_extra(name)) if name in HTML_MODELS.values() else NAMES


@functools.cache
def default_model(name: str = DEFAULT_NAME) -> PageModel:
    """A packaged model (the text model by default), loaded once per process."""
    return load(name=name)
