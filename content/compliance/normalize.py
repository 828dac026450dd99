"""Text normalisation for compliance matching, with a map back to the original offsets.

Agents (and people evading a word filter) write 稳赚 as ``稳 赚``, ``稳*赚``, ``稳😀赚``,
``穩賺``, ``稳稳稳赚`` or with full-width letters and digits. Rules are matched against a
*normalised* form of the text in which all of these collapse to ``稳赚``; each finding's span
is then mapped back to the original text, so the highlighted part is what a human would mark,
including any symbols inserted inside the word.

What normalisation does, per character of the original:

1. NFKC (per character): full-width ``ＡＢＣ１２３％`` become ``abc123%``, circled digits become
   digits, Kangxi radicals become the ordinary ideograph.
2. Traditional -> simplified, one character at a time, with the first candidate of OpenCC's
   ``TSCharacters.txt`` (shipped by opencc-python-reimplemented). The library's own
   ``convert()`` does phrase segmentation in pure Python and costs about 0.5 ms per 300
   characters, 25 times our whole budget; a per-character table costs nothing and keeps the
   offsets one-to-one. Rule phrases go through the same table, so an ambiguous character
   (乾 -> 干) is mapped the same way on both sides and matching stays consistent.
3. Latin lower-case.
4. Dropped: everything that is not a letter, a digit or ``%`` after steps 1-3, i.e. spaces,
   line breaks, zero-width and other format characters, punctuation, symbols, emoji and
   variation selectors. ``%`` stays because rates matter (稳拿5%, 100%理赔).
5. Kept as a boundary: the sentence terminators ``。！？；!?;`` all become ``。``. A phrase
   never matches across a sentence end (``…很稳。赚了…`` is not 稳赚); commas, spaces and every
   other symbol are dropped, because they are what gets inserted to split a word.
6. Runs of one repeated non-ASCII, non-digit character fold to one: ``稳稳稳赚`` -> ``稳赚``,
   also across dropped symbols (``稳*稳赚``). Digits and Latin letters are never folded
   (``100%`` must stay ``100%``, a phone number must keep its digits). Words with a real double
   (年年, 天天, 妈妈) fold too, but rule phrases are normalised by the same function, so
   ``年年分红`` in a rule still matches ``年年分红`` in a post; folding can never create a match
   that was not already a substring with its runs shortened.

The offset map gives, for each normalised character, the index of the first original character
it came from (``starts``) and one past the last (``ends``): a folded run ``稳*稳`` maps to the
whole run, so a match's original span is ``starts[i]`` .. ``ends[j - 1]``.

Two implementations produce the same result (a property test holds them together):

- :func:`normalize` / :func:`normalize_full`: a plain per-character loop, the reference.
- :func:`normalize_fast`: regular expressions, ``str.translate`` and ``str.replace`` (C
  speed) for the text, and an offset map computed lazily, only when a rule matched, from the
  positions of the removed full-width commas, the other dropped segments and the folded runs
  (``bisect``). This is what the checker uses, in three regex passes (map, drop, fold): the
  first two open with a character class, so ``re`` skips at C speed to the characters they
  change; the fold pass tries a match per character.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

__all__ = [
    "NormalizedText",
    "fold_pattern",
    "normalize",
    "normalize_fast",
    "normalize_full",
]

# Sentence terminators kept as a boundary (as 。) so phrases do not match across sentences.
_TERMINATORS = frozenset("。！？；!?;｡")
BOUNDARY = "。"


def _load_t2s() -> dict[str, str]:
    """OpenCC's traditional -> simplified character table, first candidate, closed under itself."""
    import opencc  # only for the location of its data files

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        candidates = simp.split()
        if len(trad) == 1 and candidates and len(candidates[0]) == 1 and candidates[0] != trad:
            table[trad] = candidates[0]
    # Close the table (a -> b, b -> c gives a -> c) so that normalising twice changes nothing.
    for trad, simp in list(table.items()):
        seen = {trad}
        while simp in table and simp not in seen:
            seen.add(simp)
            simp = table[simp]
        table[trad] = simp
    return table


_T2S = _load_t2s()


def _fold_char(ch: str) -> str:
    """What one original character becomes: usually itself or one character, '' if dropped."""
    out = []
    for x in unicodedata.normalize("NFKC", ch):
        x = _T2S.get(x, x)
        low = x.lower()
        if len(low) == 1:
            x = low
        if x.isdecimal():  # any script's decimal digit is the ASCII digit (٣ -> 3)
            x = str(unicodedata.decimal(x))
        if x in _TERMINATORS:
            x = BOUNDARY
        elif not (x.isalnum() or x == "%"):
            continue
        out.append(x)
    return "".join(out)


def _ranges_class(codepoints: list[int]) -> str:
    """A regex character class body for a sorted list of code points, as ranges."""
    parts = []
    start = prev = None
    for cp in codepoints:
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            parts.append((start, prev))
            start = prev = cp
    if start is not None:
        parts.append((start, prev))
    body = []
    for lo, hi in parts:
        body.append(
            re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        )
    return "".join(body)


def _classify() -> tuple[dict[int, str], list[int], list[int]]:
    """Classify every BMP code point once: unchanged, mapped 1:1, dropped, or expanded (1:n).

    Returns the 1:1 mappings and the dropped and expanded code points, derived from
    :func:`_fold_char`, so the fast paths can never disagree with the reference loop.
    """
    mapped: dict[int, str] = {}
    drop: list[int] = []
    expand: list[int] = []
    # Unified ideographs are letters and NFKC-stable: only the t2s table can change them, so
    # their block is skipped (import time) and filled from the table.
    cjk_lo, cjk_hi = 0x4E00, 0x9FFF
    for trad, simp in _T2S.items():
        if cjk_lo <= ord(trad) <= cjk_hi:
            mapped[ord(trad)] = simp
    for cp in (*range(cjk_lo), *range(cjk_hi + 1, 0x10000)):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cn", "Co", "Cs"):  # unassigned, private, surrogate
            drop.append(cp)
            continue
        out = _fold_char(ch)
        if out == ch:
            continue
        if out == "":
            drop.append(cp)
        elif len(out) == 1:
            mapped[cp] = out
        else:
            expand.append(cp)
    return mapped, drop, expand


def _build_tables() -> tuple[dict[int, str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The ``str.translate`` table of 1:1 mappings, and regexes finding mapped, dropped and
    expanded characters (see :func:`_classify`). Only the BMP goes into the classes: ``re``
    compiles a BMP-only class to a bitmap (one lookup per character), while a class with
    astral ranges is tested range by range. Astral characters (emoji, rare ideographs) are
    handled per text.
    """
    mapped, drop, expand = _CLASSES
    mapped_re = re.compile(f"[{_ranges_class(sorted(mapped))}]")
    # ``[c][c]*``, not ``[c]+``: ``re`` reads a leading class as a prefix and skips to the
    # next character in it at C speed, while a leading repeat is tried at every character
    # (the split below costs about 2 µs a post instead of 3.5).
    drop_class = f"[{_ranges_class(drop)}]"
    drop_re = re.compile(f"{drop_class}{drop_class}*")
    expand_re = re.compile(f"[{_ranges_class(expand)}]")
    return mapped, mapped_re, drop_re, expand_re


_CLASSES = _classify()
_MAP_TABLE, _MAP_RE, _DROP_RE, _EXPAND_RE = _build_tables()
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
# Dropped runs as split pieces: kept and dropped text alternately.
_DROP_SPLIT_RE = re.compile(f"({_DROP_RE.pattern})")
# Either kind of character that needs more than a 1:1 mapping: one search rules out both.
_SPECIAL_RE = re.compile(f"{_EXPAND_RE.pattern}|[\U00010000-\U0010ffff]")
_DROPPED = "\x00"  # stands in for a dropped astral character; itself a dropped character
_COMMA = "\uff0c"  # the full-width comma, the commonest character dropped
_PAST = sys.maxsize  # past any index: closes each layer of the offset map
assert _DROP_RE.fullmatch(_COMMA) and _DROP_RE.fullmatch(_DROPPED)


_MAP_STR = {chr(cp): out for cp, out in _MAP_TABLE.items()}
_QUESTION, _EXCLAMATION = "\uff1f", "\uff01"  # full-width ？ and ！, both sentence ends
assert _MAP_STR[_QUESTION] == _MAP_STR[_EXCLAMATION] == BOUNDARY


# The characters to map as split pieces, kept text and one character alternately: the
# characters are mapped by ``map(dict.get, …)`` and the pieces joined, all at C speed (a
# substitution calls back into Python for each, about 0.6 µs more on a post). The second
# also splits at the characters that need more than a 1:1 mapping, in the same class: the
# common text is mapped in one pass that also proves it has none of them.
_MAP_SPLIT_RE = re.compile(f"({_MAP_RE.pattern})")
_MAP_OR_SPECIAL_SPLIT_RE = re.compile(
    f"([{_MAP_RE.pattern[1:-1]}{_EXPAND_RE.pattern[1:-1]}\U00010000-\U0010ffff])"
)


class _Expands(Exception):
    """An astral character expands to several: the text takes the reference loop."""


def _astral(m: re.Match[str]) -> str:
    out = _fold_cached(m.group())
    if len(out) > 1:
        raise _Expands
    return out or _DROPPED


# A run of one repeated character that folds: not ASCII (Latin, digits, %). Every decimal
# digit is ASCII by now. Found as split pieces, (before, run, its character) triples and then
# the rest, which joined without the runs are the folded text; a pair-only search finds the
# first run faster, and texts without one (or before it) skip the split.
# (A range is scanned faster than the same set written as a negated class, and ``\2\2*``
# twice as fast as ``\2+``: most characters fail the first back-reference before any repeat.)
_FOLD_PAIR_RE = re.compile("([\x80-\U0010ffff])\\1")
_FOLD_SPLIT_RE = re.compile("(([\x80-\U0010ffff])\\2\\2*)")
# Up to this many characters to map, the split beats str.translate, whose per-character
# dictionary lookup costs about 50 ns on non-ASCII text (about 12 µs for 300 characters);
# the split stops there, and a text with more is translated instead.
_FEW_MAPPED = 32


def _foldable(ch: str) -> bool:
    return ch > "\x7f"


@lru_cache(maxsize=65536)
def _fold_cached(ch: str) -> str:
    return _fold_char(ch)


def normalize_full(text: str) -> tuple[str, list[int], list[int]]:
    """The normalised text and, per normalised character, its original start and end (exclusive).

    The reference implementation (a plain loop); see the module docstring for the rules.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        for x in _fold_cached(ch):
            if out and x == out[-1] and _foldable(x):
                ends[-1] = i + 1  # the run grows: the span covers every repeat
                continue
            out.append(x)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def normalize(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each normalised character, its index in ``text``.

    The index is that of the first original character the normalised one came from; for a
    folded run (稳稳稳) it is the first of the run.
    """
    norm, starts, _ = normalize_full(text)
    return norm, starts


class NormalizedText:
    """A normalised text and a lazy map back to the original (see :func:`normalize_fast`).

    ``text`` is the normalised string; ``span(i, j)`` turns a normalised span ``[i, j)`` into
    the original span covering every character it came from, inner dropped symbols included;
    ``spans`` does the same for a list of spans in one call (the checker maps all of a post's
    findings so). The map is three layers of sorted positions (folded runs, dropped segments,
    full-width commas), built on the first call. A span's start costs a bisect per layer;
    its end, a few characters on, mostly one comparison per layer (no position of the layer
    lies between them), else a bisect from where the start's stopped.
    """

    __slots__ = (
        "_comma_bounds",
        "_commas",
        "_drop_cum",
        "_drop_pos",
        "_dropped",
        "_ends",
        "_fold_at",
        "_fold_cum",
        "_fold_pos",
        "_folded",
        "_mapped",
        "_starts",
        "text",
    )

    def __init__(
        self,
        text: str,
        *,
        dropped: list[str] | None = None,
        commas: str | None = None,
        fold_at: int = 0,
        folded: list[str] | None = None,
        starts: list[int] | None = None,
        ends: list[int] | None = None,
    ) -> None:
        self.text = text
        self._dropped = dropped
        self._commas = commas
        self._fold_at = fold_at
        self._folded = folded
        self._starts = starts
        self._ends = ends
        self._mapped = False

    def _build(self) -> None:
        # Each layer is a sorted list of positions and, per position, what to add to an index
        # at or past it; the lists of additions open with a 0 for an index before the first
        # position, so bisect_right indexes them directly (no "-1 and test" per lookup). The
        # lists of positions end in _PAST, past any index: spans() reads the position after
        # the one a bisect stopped at without testing for the end of the list.
        # Full-width commas, removed from t1 (same length as the original) first: a t1c index
        # k sits at t1 index k + (commas before it), and _comma_bounds[m] is the first t1c
        # index after the m-th comma (bisect counts them).
        self._comma_bounds = (
            [*accumulate(map(len, self._commas.split(_COMMA)[:-1])), _PAST]
            if self._commas
            else [_PAST]
        )
        # Dropped segments of t1c: a t2 index k sits at t1c index k + (characters dropped
        # before it). ``_dropped`` is t1c split into kept and dropped pieces, alternately;
        # accumulate keeps this at C speed: _drop_pos[i] is the t2 index just after segment
        # i, _drop_cum[i + 1] the characters dropped up to and including it.
        lengths = list(map(len, self._dropped or ()))
        self._drop_pos = [*accumulate(lengths[0:-1:2]), _PAST]
        self._drop_cum = list(accumulate(lengths[1::2], initial=0))
        # Folded runs of t2: run [s, e) becomes one t3 character q at s - (folded so far),
        # and the t3 index q + 1 sits at t2 index e. So t3 character q covers t2 indexes
        # _t2_start(q) .. _t2_start(q + 1) - 1.
        # ``_folded`` is t2 from ``_fold_at`` on, split into (before, run, character) triples.
        fold_pos: list[int] = []
        fold_cum = [0]
        total = 0
        s = self._fold_at
        parts = self._folded or ()
        for i in range(0, len(parts) - 1, 3):
            s += len(parts[i])
            run = len(parts[i + 1])
            q = s - total
            total += run - 1
            fold_pos.append(q + 1)
            fold_cum.append(total)
            s += run
        fold_pos.append(_PAST)
        self._fold_pos, self._fold_cum = fold_pos, fold_cum
        self._mapped = True

    def _t1_index(self, k: int) -> int:
        k += self._drop_cum[bisect_right(self._drop_pos, k)]
        return k + bisect_right(self._comma_bounds, k)

    def _t2_start(self, q: int) -> int:
        return q + self._fold_cum[bisect_right(self._fold_pos, q)]

    def start(self, q: int) -> int:
        """Original index of the first character normalised character ``q`` came from."""
        if self._starts is not None:
            return self._starts[q]
        if not self._mapped:
            self._build()
        return self._t1_index(self._t2_start(q))

    def end(self, q: int) -> int:
        """One past the original index of the last character ``q`` came from."""
        if self._ends is not None:
            return self._ends[q]
        if not self._mapped:
            self._build()
        return self._t1_index(self._t2_start(q + 1) - 1) + 1

    def span(self, i: int, j: int) -> tuple[int, int]:
        """The original span ``[start, end)`` of the normalised span ``[i, j)`` (``j > i``)."""
        return self.spans(((i, j),))[0]

    def spans(self, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """:meth:`span` of each normalised span, in one call (a dense post has a dozen)."""
        if self._starts is not None:
            starts, ends = self._starts, self._ends
            return [(starts[i], ends[j - 1]) for i, j in spans]
        if not self._mapped:
            self._build()
        fold_pos, fold_cum = self._fold_pos, self._fold_cum
        drop_pos, drop_cum, bounds = self._drop_pos, self._drop_cum, self._comma_bounds
        out = []
        # start() and end(j - 1) inlined, the layers' lists bound once for all the spans. In
        # each layer the end's index is at or past the start's: when the position after the
        # start's bisect is past the end's index too, the end adds what the start added.
        for i, j in spans:
            f = bisect_right(fold_pos, i)
            k = i + fold_cum[f]  # t2 index of the span's first character
            if fold_pos[f] <= j:
                f = bisect_right(fold_pos, j, f)
            last = j + fold_cum[f] - 1  # t2 index of the last character its end came from
            d = bisect_right(drop_pos, k)
            start = k + drop_cum[d]
            if drop_pos[d] <= last:
                d = bisect_right(drop_pos, last, d)
            end = last + drop_cum[d]
            c = bisect_right(bounds, start)
            start += c
            if bounds[c] <= end:
                c = bisect_right(bounds, end, c)
            out.append((start, end + c + 1))
        return out


def _reference(text: str) -> NormalizedText:
    norm, starts, ends = normalize_full(text)
    return NormalizedText(norm, starts=starts, ends=ends)


def normalize_fast(text: str) -> NormalizedText:
    """Normalise ``text`` as :func:`normalize` does, at C speed, with a lazy offset map.

    Texts containing a character that expands to several (㈱, ⑩, ﬁ) take the reference loop;
    everything else is mapped 1:1 (one regex split, or ``str.translate`` when many
    characters map), split into kept and dropped pieces with one regex, and folded with
    another. The pieces are kept for the offset map, built only if a finding needs it.
    """
    # The full-width ? and ! are most of what a Chinese post maps: ``str.replace`` maps them
    # at memchr speed, and the split below then usually has few characters left to map.
    t0 = text.replace(_QUESTION, BOUNDARY).replace(_EXCLAMATION, BOUNDARY)
    pieces = _MAP_OR_SPECIAL_SPLIT_RE.split(t0, _FEW_MAPPED)
    if len(pieces) == 1:
        return _drop_and_fold(t0)
    if len(pieces) > 2 * _FEW_MAPPED:  # the split stopped early: translate the whole text
        if _SPECIAL_RE.search(text) is not None:
            return _normalize_special(text)
        return _drop_and_fold(text.translate(_MAP_TABLE))
    chars = list(map(_MAP_STR.get, pieces[1::2]))
    if None in chars:  # an expanding or astral character: the slower path
        return _normalize_special(text)
    pieces[1::2] = chars
    return _drop_and_fold("".join(pieces))


def _normalize_special(text: str) -> NormalizedText:
    if _EXPAND_RE.search(text):
        return _reference(text)
    t1 = _map(text)
    if _ASTRAL_RE.search(t1):
        # Emoji and rare ideographs: one code point each in a Python str, so replacing each by
        # its folded character (or a dropped stand-in) keeps t1 aligned with the original.
        try:
            t1 = _ASTRAL_RE.sub(_astral, t1)
        except _Expands:
            return _reference(text)
    return _drop_and_fold(t1)


def _map(text: str) -> str:
    pieces = _MAP_SPLIT_RE.split(text, _FEW_MAPPED)
    if len(pieces) == 1:
        return text
    if len(pieces) > 2 * _FEW_MAPPED:
        return text.translate(_MAP_TABLE)
    pieces[1::2] = map(_MAP_STR.__getitem__, pieces[1::2])
    return "".join(pieces)


def _drop_and_fold(t1: str) -> NormalizedText:
    # The full-width comma is most of what a Chinese post drops: ``str.replace`` removes it
    # at memchr speed and spares the regex split a match (two pieces) for each.
    t1c = t1.replace(_COMMA, "")
    commas = t1 if len(t1c) != len(t1) else None
    dropped = _DROP_SPLIT_RE.split(t1c)
    t2 = "".join(dropped[::2]) if len(dropped) > 1 else t1c
    first = _FOLD_PAIR_RE.search(t2)
    if first is None:
        return NormalizedText(t2, dropped=dropped, commas=commas)
    at = first.start()
    folded = _FOLD_SPLIT_RE.split(t2[at:])
    kept = folded[:]
    del kept[1::3]
    return NormalizedText(
        t2[:at] + "".join(kept), dropped=dropped, commas=commas, fold_at=at, folded=folded
    )


_PATTERN_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")


def fold_pattern(pattern: str) -> str:
    """A rule's regex with its literal ideographs normalised like the text it will run on.

    Only ideographs are touched (traditional -> simplified, doubled ideographs folded), so
    the regex syntax itself (``\\d``, ``(?:…)``, full-width brackets in classes) is unchanged.
    """
    mapped = _PATTERN_CJK_RE.sub(lambda m: _fold_char(m.group()) or m.group(), pattern)
    return re.sub(r"([\u3400-\u9fff\U00020000-\U0002ebef])\1+", r"\1", mapped)
