"""Turn the bytes of a page into text, and undo text that was already decoded wrongly once.

Noise this targets: pages saved in legacy encodings (cp1252, latin-1, Windows tools writing UTF-16), UTF-8
pages with a few stray cp1252 bytes pasted in, binary files that carry a text extension, ``\\r\\n`` line
ends, and mojibake such as "itâ€™s" or "Â£600m" (UTF-8 that someone decoded as cp1252 and saved again).

Decoding order for a text page: a byte-order mark wins; then UTF-16 without a mark if the NUL pattern is
unmistakable; then strict UTF-8 (the fast path: most pages stop here and never reach a detector); then
UTF-8 with cp1252 for the stray bytes when the page is mostly UTF-8; then cp1252 when the result reads
like a Western European language; only then charset-normalizer. HTML pages follow their ``<meta charset>``
when they have one (see ``decode``).

Mojibake repair is a separate step (``repair_mojibake``) that records each changed line as a ``Removal``,
so the original text can be rebuilt from the output.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import ftfy
from ftfy.badness import is_bad

from clean.document import Removal
from clean.errors import InputError

#: Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: cp1252 with the five bytes it leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) mapped as latin-1 does, so
#: decoding never fails and latin-1 pages (which never use 0x80-0x9F for text) come out identical.
_CP1252_TABLE = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))

#: How much of a page the sniffers look at: enough for a verdict, bounded for 20 MB pages.
_SAMPLE = 1 << 16

#: C0 controls other than tab, newline, vertical tab, form feed and carriage return, plus DEL.
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
#: A page is binary when more than 1 in 100 of its sampled characters are controls. Text files seen in
#: news dumps carry at most a stray form feed or Ctrl-Z; images, archives and PDFs run at 5-30 %.
_MAX_CONTROL_RATIO = 0.01

_C1_BYTE = re.compile(rb"[\x80-\x9f]")
_INVALID_RUN = re.compile("[\udc80-\udcff]+")

#: A letter that is not ASCII; a "Western" cp1252 reading keeps these a minority (French, German,
#: Spanish, Portuguese news run at 2-8 % of letters, Icelandic near 15 %), while Cyrillic, Greek or CJK
#: bytes read as cp1252 turn nearly every letter into À-ÿ.
_MAX_NON_ASCII_LETTERS = 0.3
#: A symbol glued inside a word ("Rz¹d", "p³aca") is cp1250 text read as cp1252. Apostrophes, the
#: Catalan middle dot, dashes, ellipses and soft hyphens are legitimate inside words.
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HIGH_BYTES = bytes(range(0x80, 0x100))
#: ``re`` counts ¹ ² ³ ¼ ½ ¾ as word characters (they are numeric); here they are symbols, as in "Rz¹d".
_LETTER = r"[^\W\d_¹²³¼½¾]"
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f¹²³¼½¾]")
_SYMBOL_IN_WORD = re.compile(rf"{_LETTER}(?:[^\w\s\x00-\x7f’‘´·–—…\u00ad]|[¹²³¼½¾]){_LETTER}")

#: A tag, a comment or a script's or style's body, dropped before a page's text is judged by its letters.
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.IGNORECASE | re.DOTALL)
#: ``<meta charset=...>``, ``<meta http-equiv content="...; charset=...">`` and the XML declaration.
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:+-]+)|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:+-]+)""",
    re.IGNORECASE,
)
_DECLARED_WINDOW = 8192
#: WHATWG label overrides: browsers read pages labelled latin-1/ASCII as cp1252 (and such pages do use
#: cp1252 quotes), GB2312/GBK as its superset GB18030, ISO-8859-9 as cp1254; a UTF-16 label on a page whose
#: ``<meta>`` we could read as ASCII is a lie, so it means UTF-8.
_LABEL_OVERRIDES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "utf-32": "utf-8",
    "utf-32-le": "utf-8",
    "utf-32-be": "utf-8",
}

#: The detector names the smallest charset a sample fits; its superset decodes the rest of the page too (a
#: rare character beyond GB2312 in a GBK page), as browsers read these labels.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}

MOJIBAKE_RULE = "encoding.mojibake_v1"
#: Pre-filter for ``is_bad``, which costs ~0.2 ms per KB: UTF-8 read as cp1252 or latin-1 always leaves a
#: lead byte (Â-ô) followed by a continuation byte (0x80-0xBF as latin-1 or cp1252 shows it). Text without
#: such a pair cannot hold that mojibake, and this search runs 40x faster than the full check.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def decode(data: bytes, *, source: str, html: bool = False) -> tuple[str, str]:
    """Decode one page's bytes to text with ``\\n`` newlines.

    Args:
        data: the raw bytes of one page.
        source: where the bytes came from, for the error message.
        html: the bytes are an HTML page. A ``<meta charset>`` (or http-equiv, or XML) declaration is
            honoured, except that a page declared in a legacy encoding whose bytes are valid UTF-8 with
            non-ASCII characters is read as UTF-8 (mislabelled pages are common; legacy text is almost
            never valid UTF-8 by accident). Without a declaration a page decodes as a text page does
            (UTF-8, else UTF-8 with stray cp1252 bytes, else cp1252 if its text reads as Western European,
            else the detector), judged by the text between its tags.

    Returns:
        The text and the name of the encoding used (``"utf-8/cp1252"`` when stray bytes were read as
        cp1252 inside a UTF-8 page).

    Raises:
        InputError: the bytes are binary data, not text.
    """
    if not data:
        return "", "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(name.removesuffix("-sig"), errors="replace")
            return _checked(text, source), name
    if b"\x00" in data[:_SAMPLE] and (name := _sniff_utf16(data)):
        return _checked(data.decode(name, errors="replace"), source), name
    if _control_ratio(len(data[:_SAMPLE].translate(None, _NOT_CONTROL_BYTES)), min(len(data), _SAMPLE)):
        raise InputError(source, "binary file, not text")
    if html and (declared := _declared_encoding(data)):
        return _decode_declared(data, declared)
    try:
        return _newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    valid = data.decode("utf-8", errors="ignore")  # drops exactly the bytes surrogateescape would escape
    n_invalid = len(data.decode("utf-8", errors="surrogateescape")) - len(valid)
    n_multibyte = len(valid) - len(data.translate(None, _HIGH_BYTES))
    if n_multibyte >= n_invalid:  # a UTF-8 page with a few stray bytes pasted in
        return _newlines(_utf8_lenient(data)), "utf-8/cp1252"
    return _decode_legacy(data, markup=html)


def decode_lenient(data: bytes) -> str:
    """Decode bytes that should be UTF-8 (a JSON line, a Parquet binary cell), reading stray bytes as cp1252.

    Per-record data is too short for a detector to be right, and a JSON line of a cp1252 file has every
    non-ASCII byte invalid as UTF-8, so cp1252 for those bytes is right for both common cases.
    """
    try:
        return _newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _newlines(_utf8_lenient(data))


def normalise_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` into ``\\n``, so line numbers mean the same for every source."""
    return _newlines(text)


def repair_mojibake(text: str) -> tuple[str, tuple[Removal, ...]]:
    """Repair lines that are UTF-8 misread as a single-byte encoding, recording each one.

    Only lines that ftfy's badness check flags are touched, so correct text (including legitimate "Â" or
    "Ã" in Portuguese or Romanian) is never changed. Each changed line gives one ``replace`` removal at
    stage ``decode``, holding the original line; ``line`` is 0-based in ``text`` split on ``\\n``, so
    putting the originals back rebuilds the input exactly.

    Returns:
        The repaired text and the removals, in line order.
    """
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text, ()
    lines = text.split("\n")
    repairs: list[Removal] = []
    for i, line in enumerate(lines):
        if not _MOJIBAKE_HINT.search(line) or not is_bad(line):
            continue
        result = ftfy.fix_encoding_and_explain(line)
        if result.text == line or "\n" in result.text:
            continue
        steps = ", ".join(f"{op} {arg}" for op, arg in result.explanation or ())
        repairs.append(
            Removal(
                line=i,
                text=line,
                rule=MOJIBAKE_RULE,
                kind="encoding",
                action="replace",
                reason=f"mojibake: UTF-8 text that had been decoded with the wrong encoding ({steps})",
                stage="decode",
            )
        )
        lines[i] = result.text
    if not repairs:
        return text, ()
    return "\n".join(lines), tuple(repairs)


def _newlines(text: str) -> str:
    """Normalise line ends; skips the copies when there is no ``\\r``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_ratio(n_control: int, n_total: int) -> bool:
    """True when there are too many control characters for text."""
    return n_control > 0 and n_control > n_total * _MAX_CONTROL_RATIO


def _checked(text: str, source: str) -> str:
    """Normalise newlines after refusing text that decoded to mostly control characters."""
    sample = text[:_SAMPLE]
    if _control_ratio(len(_CONTROL_CHARS.findall(sample)), len(sample)):
        raise InputError(source, "binary file, not text")
    return _newlines(text)


def _sniff_utf16(data: bytes) -> str | None:
    """Name UTF-16 without a BOM when NULs sit only in every other byte, as they do for Latin text."""
    sample = data[: _SAMPLE & ~1]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for zeros, other, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= pairs * 0.3 and other <= pairs * 0.01:
            try:
                data[: len(data) & ~1].decode(name)
            except UnicodeDecodeError:
                return None
            return name
    return None


def _cp1252(data: bytes) -> str:
    """Decode as cp1252 (latin-1 for its five undefined bytes); never fails."""
    return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def _utf8_lenient(data: bytes) -> str:
    """Decode UTF-8, reading the bytes that are not valid UTF-8 as cp1252."""
    escaped = data.decode("utf-8", errors="surrogateescape")
    return _INVALID_RUN.sub(lambda m: _cp1252(bytes(ord(c) - 0xDC00 for c in m.group())), escaped)


def _looks_western(text: str) -> bool:
    """True when text read as cp1252 looks like a Western European language rather than a misreading."""
    sample = text[:_SAMPLE]
    ascii_part = sample.encode("ascii", "ignore")
    non_ascii = len(_NON_ASCII_LETTER.findall(sample))
    letters = len(ascii_part) - len(ascii_part.translate(None, _ASCII_LETTERS)) + non_ascii
    if letters >= 20 and non_ascii > letters * _MAX_NON_ASCII_LETTERS:
        return False
    return not _SYMBOL_IN_WORD.search(sample)


def _decode_legacy(data: bytes, *, markup: bool = False) -> tuple[str, str]:
    """Decode a page that is not UTF-8: cp1252 when it reads as Western European, else ask the detector.

    An HTML page (``markup``) is judged by its text between the tags: its markup is ASCII letters that
    would outvote a page of Chinese or Russian read as cp1252. Browsers guess too when a page declares
    nothing (Firefox's chardetng, Chrome's CED); reading every such page as cp1252 turned the GBK pages of
    the corpus' Chinese set into mojibake, the model learning nothing from them.
    """
    text = _cp1252(data)
    sample = _TAG.sub(" ", text[: _SAMPLE * 4]) if markup else text
    if not _looks_western(sample):
        # The detector ranks close cousins (cp1250/cp1257) by a hair; the first candidate whose reading has
        # no symbol glued inside a word is the right one far more often than its top pick.
        fallback = None
        for match in charset_normalizer.from_bytes(data):
            if match.encoding in ("cp1252", "latin_1", "iso8859_15"):
                break
            name = _SUPERSETS.get(codecs.lookup(match.encoding).name, match.encoding)
            candidate = data.decode(name, errors="replace")
            fallback = fallback or (candidate, name)
            if not _SYMBOL_IN_WORD.search(candidate[:_SAMPLE]):
                fallback = (candidate, name)
                break
        if fallback is not None:
            return _newlines(fallback[0]), codecs.lookup(fallback[1]).name
    # Latin-1 text never uses 0x80-0x9F, where cp1252 puts its quotes and dashes: same text, truer name.
    return _newlines(text), "cp1252" if _C1_BYTE.search(data) else "iso8859-1"


def _declared_encoding(data: bytes) -> str | None:
    """The encoding an HTML page declares in its head, as a Python codec name, or None."""
    match = _DECLARED.search(data[:_DECLARED_WINDOW])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _LABEL_OVERRIDES.get(name, name)


def _decode_declared(data: bytes, name: str) -> tuple[str, str]:
    """Decode an HTML page with its declared encoding, unless the bytes prove it is UTF-8."""
    if name != "utf-8" and not data.isascii():
        try:
            return _newlines(data.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            pass
    if name == "utf-8":
        try:
            return _newlines(data.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            return _newlines(_utf8_lenient(data)), "utf-8/cp1252"
    if name == "cp1252":
        return _newlines(_cp1252(data)), name
    return _newlines(data.decode(name, errors="replace")), name


def text_argument(value: object, argument: str, *, html: bool = False) -> str:
    """A library caller's page as text: ``str`` as given (lone surrogates made U+FFFD), ``bytes`` decoded as the
    readers decode a file of that kind; anything else is the caller's mistake, named.

    A lone surrogate (from JSON's ``"\\ud800"`` or a bad slice) cannot be encoded, so the language detector and
    Arrow would fail on it, and with it every page of the batch.
    """
    if isinstance(value, str):
        return without_lone_surrogates(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return decode(bytes(value), source=argument, html=html)[0]
        except InputError:  # bytes that look binary: the caller asked for them to be read, so read them leniently
            return decode_lenient(bytes(value))
    raise TypeError(f"{argument}: expected str or bytes, got {type(value).__name__}")


def without_lone_surrogates(text: str) -> str:
    """``text`` with each unpaired surrogate replaced by U+FFFD (a pair written as two code points is joined)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text
