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

import numpy as np

from clean.dedup.minhash import jaccard


def exact_groups(exact: np.ndarray, empty: np.ndarray | None = None) -> np.ndarray:
    """For each item, the index of the first item with the same exact key; -1 for empty items.

    Args:
        exact: ``(n, 2)`` uint64 keys from ``minhash.sketch``.
        empty: bool ``(n,)``; an empty text is never a duplicate, not even of another empty text.
    """
    n = len(exact)
    rep = np.arange(n, dtype=np.int64)
    if n == 0:
        return rep
    _, first, inverse = np.unique(exact, axis=0, return_index=True, return_inverse=True)
    rep = first[inverse.reshape(-1)].astype(np.int64)
    if empty is not None:
        rep[empty] = -1
    return rep


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` items joined by ``pairs``: each item's label is its component's lowest index."""
    label = np.arange(n, dtype=np.int64)
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
    pairs: np.ndarray,
    signatures: np.ndarray,
    chain_floor: float,
    exact_rep: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Kept member and similarity to it for every item (stage 4).

    Args:
        n: number of items.
        pairs: verified ``(m, 2)`` pairs of global indices (between exact-group firsts, if ``exact_rep``).
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
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    present = np.zeros(n, dtype=bool)
    while len(pairs):
        label = components(n, pairs)
        # The items the pairs name, in order: a mask, not np.unique, which sorted twice as many values every round
        # (a round per layer of a long chain: at a million documents the rounds, not the pairs, took the time).
        present[:] = False
        present[pairs.reshape(-1)] = True
        nodes = np.flatnonzero(present)
        root = label[nodes]
        members = nodes[root != nodes]
        heads = label[members]
        sim = jaccard(signatures, members, heads)
        ok = sim >= chain_floor - 1e-6
        kept[members[ok]] = heads[ok]
        similarity[members[ok]] = sim[ok]
        split = np.zeros(n, dtype=bool)
        split[members[~ok]] = True
        pairs = pairs[split[pairs[:, 0]] & split[pairs[:, 1]]]
    if exact_rep is not None:
        copies = np.flatnonzero((exact_rep >= 0) & (exact_rep != np.arange(n)))
        first = exact_rep[copies]
        kept[copies] = kept[first]
        similarity[copies] = np.where(kept[first] == first, np.float32(1.0), similarity[first])
        kept[exact_rep < 0] = -1
    return kept, similarity
