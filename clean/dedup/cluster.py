"""From verified pairs to clusters, each with one kept member.

Kept member rule: in every cluster the member that comes first in corpus order (the lowest index) is
kept, and every other member records it as ``duplicate_of``. Callers pass items in a deterministic
order, earlier first, so an incremental run can put a previously published dataset first and its
documents stay the kept ones. The cluster id is the kept member's index, so ids are stable across runs
and machines.

Exact duplicates (same normalised words) are folded first: only the first of each group is sketched,
banded and clustered, and the others follow it with similarity 1.0. Near duplicates are joined by
union-find over the verified pairs (numpy hook-and-compress, no Python loop per pair), then each member
is checked against the kept member: one below ``chain_floor`` is split off and clustered again with
the other split-off members, so a chain of pairwise-similar items cannot pull in items that share little
with the one kept (see ``params``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from clean.dedup.minhash import jaccard


def exact_groups(exact: np.ndarray, empty: np.ndarray | None = None) -> np.ndarray:
    """For each item, the index of the first item with the same exact key; -1 for empty items.

    Args:
        exact: ``(n, 2)`` uint64 keys from ``minhash.sketch``.
        empty: bool ``(n,)``; an empty text (or a failed page's) is never a duplicate nor the first of a group.
    """
    n = len(exact)
    rep = np.arange(n, dtype=np.int64)
    if n == 0:
        return rep
    if empty is not None and empty.any():
        # Only texts head a group: a failed page's text (``empty``) must not make a later copy its duplicate.
        usable = np.flatnonzero(~empty)
        rep[usable] = usable[exact_groups(exact[usable])]
        rep[empty] = -1
        return rep
    # A stable sort by both words of the key: the first of each run of equal keys is the group's first item.
    # (np.unique over rows took several times the memory of the keys, at the run's peak.)
    order = np.lexsort((exact[:, 1], exact[:, 0]))
    new = np.ones(n, dtype=bool)
    for word in (0, 1):
        column = exact[order, word]
        new[1:] &= column[1:] == column[:-1]
    np.logical_not(new, out=new)
    new[0] = True
    group = np.cumsum(new) - 1
    rep[order] = order[np.flatnonzero(new)][group]
    return rep


def components(n: int, pairs: np.ndarray | Iterable[np.ndarray]) -> np.ndarray:
    """Connected components of ``n`` items joined by ``pairs`` (one array, or chunks of them read one at a time):
    each item's label is its component's lowest index."""
    label = np.arange(n, dtype=np.int64)
    for chunk in [pairs] if isinstance(pairs, np.ndarray) else pairs:
        label = _join(label, chunk)
    return label


def _join(label: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """``label`` (every item's root, each root the lowest index of its tree) with ``pairs`` joined in as well."""
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    while len(a):
        la, lb = label[a], label[b]
        open_ = la != lb
        if not open_.any():
            break
        a, b, la, lb = a[open_], b[open_], la[open_], lb[open_]
        # Hook the higher root under the lower one (labels are roots here), then compress paths.
        np.minimum.at(label, np.maximum(la, lb), np.minimum(la, lb))
        while True:
            up = label[label]
            if np.array_equal(up, label):
                break
            label = up
    return label


def clusters(
    n: int,
    pairs: np.ndarray | Callable[[], Iterable[np.ndarray]],
    signatures: np.ndarray,
    chain_floor: float,
    exact_rep: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Kept member and similarity to it for every item (stage 4).

    Args:
        n: number of items.
        pairs: verified ``(m, 2)`` pairs of global indices (between exact-group firsts, if ``exact_rep``), or a
            function that yields them in chunks (a file per LSH band), called once for the first round and once
            more for the members split off: the pairs of every band held together took more memory at a million
            documents than the rest of the run.
        signatures: signature rows indexed by global index.
        chain_floor: least estimated similarity a member must have with the kept member.
        exact_rep: from ``exact_groups``; items whose first is another item follow that item.

    Returns:
        ``kept`` int64: the kept member's index (an item's own index when it is kept or unique, -1 for
        empty items); ``similarity`` float32: estimated Jaccard similarity with the kept member (1.0 for
        exact copies, NaN on kept and unique items).
    """
    kept = np.arange(n, dtype=np.int64)
    similarity = np.full(n, np.nan, dtype=np.float32)
    chunks = pairs if callable(pairs) else (lambda: [np.asarray(pairs, dtype=np.int64).reshape(-1, 2)])
    present = np.zeros(n, dtype=bool)
    split = _round(n, chunks(), signatures, chain_floor, kept, similarity, present)
    if split is not None:
        # The members split off are clustered again among themselves: their pairs, read once more, are few.
        rest = [c[split[c[:, 0]] & split[c[:, 1]]] for c in chunks()]
        remaining = np.concatenate(rest) if rest else np.zeros((0, 2), dtype=np.int64)
        while split is not None and len(remaining):
            split = _round(n, [remaining], signatures, chain_floor, kept, similarity, present)
            if split is not None:
                remaining = remaining[split[remaining[:, 0]] & split[remaining[:, 1]]]
    if exact_rep is not None:
        copies = np.flatnonzero((exact_rep >= 0) & (exact_rep != np.arange(n)))
        first = exact_rep[copies]
        kept[copies] = kept[first]
        similarity[copies] = np.where(kept[first] == first, np.float32(1.0), similarity[first])
        kept[exact_rep < 0] = -1
    return kept, similarity


def _round(
    n: int,
    pairs: Iterable[np.ndarray],
    signatures: np.ndarray,
    chain_floor: float,
    kept: np.ndarray,
    similarity: np.ndarray,
    present: np.ndarray,
) -> np.ndarray | None:
    """One round: components of ``pairs``; members close enough to their kept member join it (``kept`` and
    ``similarity`` are set in place). Returns the mask of members split off, or None when there are none."""
    label = np.arange(n, dtype=np.int64)
    present[:] = False
    for chunk in pairs:
        if len(chunk):
            label = _join(label, chunk)
            # The items the pairs name: a mask, not np.unique, which sorted all the pairs again every round (a round
            # per layer of a long chain: at a million documents the rounds, not the pairs, took the time).
            present[chunk.reshape(-1)] = True
    nodes = np.flatnonzero(present)
    root = label[nodes]
    members = nodes[root != nodes]
    heads = label[members]
    sim = jaccard(signatures, members, heads)
    ok = sim >= chain_floor - 1e-6
    kept[members[ok]] = heads[ok]
    similarity[members[ok]] = sim[ok]
    if ok.all():
        return None
    split = np.zeros(n, dtype=bool)
    split[members[~ok]] = True
    return split
