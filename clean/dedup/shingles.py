"""Text to shingle hashes: the one place that decides what two texts have in common.

Normalisation is NFKC then lowercase, and words are ``\\w+`` runs, so case, punctuation, spacing and
compatibility characters ("ﬁ", full-width digits) never make two copies differ. A document is shingled
line by line (one paragraph per line, as the cleaner writes it): no shingle spans a line break, and lines
under ``min_line_words`` words are skipped, because site chrome is short lines (see ``params``).

Speed: Python never touches a single word. A batch of texts becomes one array of code points; a
lookup table built from the ``re`` module's own ``\\w`` (so tokens are exactly ``re.findall(r"\\w+")``)
marks word characters; each word is hashed as a polynomial of its code points (mod 2^64, then a
MurmurHash3 finaliser) and each shingle combines its words' hashes by Horner's rule, all in numpy. This
is three times faster than ``re.findall`` plus one xxhash call per word, which was two thirds of the
end-to-end time. ``token_hash`` and ``shingle_hash`` are the same functions in plain Python, for
datasketch's ``MinHash(hashfunc=...)`` and for tests.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

_WORDS = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1
# Multiplier of both polynomials (code points in a word, words in a shingle): odd, so invertible mod
# 2^64; the 64-bit golden ratio, whose bits are well mixed.
_MULT = 0x9E3779B97F4A7C15
_MULT_U64 = np.uint64(_MULT)
_NEWLINE = 10
# Characters tokenised at once: arrays of a few MB, whatever the size of one document.
PIECE_CHARS = 1 << 20


def normalise(text: str) -> str:
    """NFKC, then lowercase: the text that exact and near duplicates are judged on."""
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str) -> list[str]:
    """The words of a text after ``normalise``."""
    return _WORDS.findall(normalise(text))


def token_hash(word: str) -> int:
    """64-bit hash of one normalised word: ``fmix64(sum((ord(c) + 1) * M**j))`` over its characters."""
    x, power = 0, 1
    for ch in word:
        x = (x + (ord(ch) + 1) * power) & _MASK64
        power = (power * _MULT) & _MASK64
    return _fmix64_int(x)


@functools.cache
def _word_table() -> np.ndarray:
    """A bool per code point: is it a ``\\w`` character for the ``re`` module? (Built once, ~0.15 s.)"""
    table = np.zeros(0x110000, dtype=bool)
    everything = "".join(map(chr, range(0x110000)))
    for match in _WORDS.finditer(everything):
        table[match.start() : match.end()] = True
    table.setflags(write=False)
    return table


def _powers_of_mult(n: int) -> np.ndarray:
    """``M**j mod 2^64`` for ``j < n`` at least (a cached table whose size is a power of two)."""
    return _power_table(max(64, 1 << (max(n, 1) - 1).bit_length()))


@functools.cache
def _power_table(size: int) -> np.ndarray:
    steps = np.full(size, _MULT_U64, dtype=np.uint64)
    steps[0] = 1
    table = np.cumprod(steps, dtype=np.uint64)
    table.setflags(write=False)
    return table


def _fmix64_int(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK64
    return x ^ (x >> 33)


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser on a uint64 array (wrap-around multiplication is intended)."""
    x = x ^ (x >> np.uint64(33))
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def shingle_hash(shingle: Sequence[str]) -> int:
    """The 32-bit hash of one shingle (a sequence of normalised words), bit-identical to the vectorised path.

    Pass it as ``datasketch.MinHash(hashfunc=shingle_hash)`` and update with tuples of words to get the
    same signature ``signatures`` computes.
    """
    x = 0
    for word in shingle:
        x = (x * _MULT + token_hash(word)) & _MASK64
    return _fmix64_int(x) >> 32


def shingle_lines(text: str, min_line_words: int) -> list[list[str]]:
    """The runs of words that are shingled: qualifying lines, or the whole text when ``min_line_words`` is 0."""
    if min_line_words == 0:
        run = words(text)
        return [run] if run else []
    lines = [_WORDS.findall(line) for line in normalise(text).split("\n")]
    lines = [line for line in lines if line]
    long_lines = [line for line in lines if len(line) >= min_line_words]
    return long_lines or lines


def shingles(text: str, ngram: int, min_line_words: int = 0) -> list[tuple[str, ...]]:
    """Every shingle of a text as a tuple of words, in order (repeats kept): the slow, obvious reference.

    A run shorter than ``ngram`` words is one shingle of all its words. Benchmarks hand these to the
    libraries we compare with, so that every contender hashes the same sets.
    """
    out: list[tuple[str, ...]] = []
    for run in shingle_lines(text, min_line_words):
        if len(run) < ngram:
            out.append(tuple(run))
        else:
            out.extend(tuple(run[i : i + ngram]) for i in range(len(run) - ngram + 1))
    return out


@dataclass(frozen=True)
class ShingleBatch:
    """The shingle hashes of a batch of texts.

    Attributes:
        hashes: uint32 shingle hashes, text after text.
        offsets: int64, ``hashes[offsets[i]:offsets[i + 1]]`` belong to text ``i``.
        exact: uint64 ``(n, 2)``, a 128-bit hash of each text's normalised word sequence.
        empty: bool, the text has no words (it gets no signature and is never a duplicate).
    """

    hashes: np.ndarray
    offsets: np.ndarray
    exact: np.ndarray
    empty: np.ndarray


def shingle_batch(texts: Sequence[str], ngram: int, min_line_words: int) -> ShingleBatch:
    """Shingle hashes of many texts at once (see the module docstring for what is vectorised)."""
    n = len(texts)
    word_hashes, word_doc, word_line = _tokenise(texts)
    word_counts = np.bincount(word_doc, minlength=n)
    exact = _exact_keys(word_hashes, word_counts)
    empty = word_counts == 0
    if min_line_words == 0:
        segment = word_doc
    else:
        segment = _keep_long_lines(word_line, word_doc, n, min_line_words)
        keep = segment >= 0
        word_hashes, word_doc, segment = word_hashes[keep], word_doc[keep], segment[keep]
    hashes, shingle_doc = _shingle_hashes(word_hashes, segment, word_doc, ngram)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(shingle_doc, minlength=n), out=offsets[1:])
    return ShingleBatch(hashes=hashes, offsets=offsets, exact=exact, empty=empty)


def _tokenise(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every word of the batch: its hash (uint64), its text and its line (numbered across the batch).

    The batch is one string, texts separated by a line break (so a text boundary is also a line
    boundary), tokenised in pieces of at most ``PIECE_CHARS`` characters cut after a line break or a
    space, so that one huge document needs no more memory than a normal batch.
    """
    normalised = [normalise(t) for t in texts]
    joined = "\n".join(normalised)
    text_starts = np.cumsum([0] + [len(t) + 1 for t in normalised[:-1]])
    hashes, docs, lines = [], [], []
    start, lines_before = 0, 0
    while start < len(joined):
        stop = len(joined)
        if stop - start > PIECE_CHARS:
            limit = start + PIECE_CHARS
            cut = max(joined.rfind("\n", start, limit), joined.rfind(" ", start, limit))
            stop = cut + 1 if cut > start else limit  # a single word longer than a piece is cut in two
        piece = joined[start:stop]
        word_hashes, word_starts, newlines = _tokenise_piece(piece)
        hashes.append(word_hashes)
        docs.append(np.searchsorted(text_starts, word_starts + start, side="right") - 1)
        lines.append(lines_before + np.searchsorted(newlines, word_starts))
        lines_before += len(newlines)
        start = stop
    if not hashes:
        nothing = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.uint64), nothing, nothing
    return np.concatenate(hashes), np.concatenate(docs).astype(np.int64), np.concatenate(lines).astype(np.int64)


def _tokenise_piece(piece: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word hashes and start offsets in ``piece``, and the offsets of its line breaks."""
    points = np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    is_word = _word_table()[points]
    edge = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edge == 1)
    lengths = np.flatnonzero(edge == -1) - starts
    newlines = np.flatnonzero(points == _NEWLINE)
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64), starts, newlines
    # Word hash: sum of (code point + 1) * M**j over the word's characters, j counted from its start.
    chars = np.flatnonzero(is_word)
    offset = chars - np.repeat(starts, lengths)
    terms = (points[chars].astype(np.uint64) + np.uint64(1)) * _powers_of_mult(int(lengths.max()))[offset]
    first = np.cumsum(lengths) - lengths
    return fmix64(np.add.reduceat(terms, first)), starts, newlines


def _exact_keys(word_hashes: np.ndarray, word_counts: np.ndarray) -> np.ndarray:
    """128-bit xxh3 of each text's word-hash sequence: equal exactly when the normalised words are equal."""
    keys = np.zeros((len(word_counts), 2), dtype=np.uint64)
    ends = np.cumsum(word_counts)
    starts = ends - word_counts
    buf = word_hashes.tobytes()
    digest = xxhash.xxh3_128_intdigest
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        value = digest(buf[8 * s : 8 * e])
        keys[i, 0] = value >> 64
        keys[i, 1] = value & _MASK64
    return keys


def _keep_long_lines(segment: np.ndarray, word_doc: np.ndarray, n: int, min_words: int) -> np.ndarray:
    """Segment ids with short lines set to -1, except in texts where no line is long enough."""
    if len(segment) == 0:
        return segment
    lengths = np.bincount(segment)
    segment_doc = np.zeros(len(lengths), dtype=np.int64)
    segment_doc[segment] = word_doc
    long_line = lengths >= min_words
    has_long = np.bincount(segment_doc[long_line], minlength=n) > 0
    keep = long_line | ((lengths > 0) & ~has_long[segment_doc])
    return np.where(keep[segment], segment, -1)


def _shingle_hashes(
    word_hashes: np.ndarray, segment: np.ndarray, word_doc: np.ndarray, ngram: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hash every n-gram that lies inside one segment; a segment shorter than n is one shorter shingle."""
    m = len(word_hashes)
    if m == 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate(([True], segment[1:] != segment[:-1])))
    lengths = np.diff(np.append(first, m))
    left = np.repeat(lengths, lengths) - (np.arange(m) - np.repeat(first, lengths))  # words from here to line end
    full = np.flatnonzero(left >= ngram)
    short = first[lengths < ngram]
    padded = np.concatenate((word_hashes, np.zeros(ngram, dtype=np.uint64)))
    x = padded[full].copy()
    for j in range(1, ngram):
        x *= _MULT_U64
        x += padded[full + j]
    if len(short):
        size = lengths[lengths < ngram]
        y = np.zeros(len(short), dtype=np.uint64)
        for j in range(int(size.max())):
            step = y * _MULT_U64 + padded[short + j]
            y = np.where(j < size, step, y)
        starts = np.concatenate((full, short))
        order = np.argsort(starts, kind="stable")
        x, positions = np.concatenate((x, y))[order], starts[order]
    else:
        positions = full
    hashes = (fmix64(x) >> np.uint64(32)).astype(np.uint32)
    return hashes, word_doc[positions]
