"""Rule regexes, compiled so that most of them never scan a text they cannot match.

A rule's pattern is split at its top-level ``|`` into branches, each compiled on its own.
For every branch we read off the parsed regex its *requirements*: for each element a match
cannot do without, the set of literals one of which it must contain, e.g. ``{保证, 承诺}``
and ``{收益}`` for ``(?:保证|承诺)[^。]{0,6}?收益``. The checker's one Aho-Corasick scan (the
same that finds the phrases) records which requirements a text meets, and a branch is
searched only in a text that meets all of its own; literals of one character, which would
fire on most texts, are looked for with ``in`` instead, and only when needed.

A branch with no literal at all (none in the starter rules) is searched every time; such a
branch should start with a character class, which ``re`` scans for at C speed. Whatever is
skipped, the hits are the same as ``regex.search`` over every text would give (a test holds
the checker to that), only cheaper.

A branch that opens with a group of alternatives each starting with a literal of two
characters or more, ``(?:保证|承诺)…``, is also compiled as one *variant* per alternative,
``(?:保证)…`` (:func:`prefix_variants`): ``re`` finds a literal prefix by a fast scan, while
it tries a group of alternatives at every character that could open it. The checker searches
the variant whose literal the text contains when it contains one, the branch itself when it
contains several, and neither when it contains none.

A branch that opens with a repeated character, ``[0-9]+%…``, is compiled as ``[0-9][0-9]*%…``
(:func:`scan_friendly`), the same regex to every match: ``re`` skips at C speed to a
character that can open a match only when the pattern opens with a class or a literal, and
tries a pattern opening with a repeat at every character of the text (about 1.8 µs against
1.1 µs on a 300-character post).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

try:  # Python 3.11+
    from re import _constants as sre_c
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_ZERO_WIDTH = {sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT}
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)}


@dataclass(frozen=True)
class Branch:
    """One top-level alternative of a rule's pattern, compiled, with its requirements."""

    rule: int
    regex: re.Pattern[str]
    hit_groups: tuple[str, ...]  # named groups whose span, if they matched, is the finding's
    validated: tuple[tuple[str, object], ...]  # (group name, validator) pairs
    # Literal sets each match contains a member of: a text lacking any one set cannot match.
    requires: tuple[frozenset[str], ...] = ()
    # For a branch that starts with a group of alternatives each opening with a literal,
    # ``(?:保证|承诺)…``: per alternative, that literal and the branch with only that
    # alternative, ``(?:保证)…``. See :func:`prefix_variants`.
    variants: tuple[tuple[str, re.Pattern[str]], ...] = ()


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """``(index, character, depth)`` of each ``(``, ``)`` and ``|`` of ``pattern`` from
    ``start`` that is outside character classes and escapes; ``depth`` is the group depth
    after that character (0 at ``start``)."""
    depth = 0
    in_class = False
    i = start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # a ] right after [ is a literal
                i += 1
        elif ch in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[ch]
            yield i, ch, depth
        i += 1


def split_alternatives(pattern: str) -> list[str]:
    """``pattern`` cut at its top-level ``|`` (outside groups, classes and escapes)."""
    cuts = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[a + 1 : b] for a, b in itertools.pairwise(bounds)]


def _group_end(pattern: str, start: int) -> int | None:
    """The index of the ``)`` closing the group that opens at ``pattern[start]``."""
    for i, ch, depth in _structure(pattern, start):
        if ch == ")" and depth == 0:
            return i
    return None


# A branch opening with one character (a class, an escape, a literal) repeated by a greedy
# ``+``: the character, and the rest of the branch after the ``+``.
_LEAD_REPEAT_RE = re.compile(
    r"(\[(?:\\.|[^\]\\])+\]|\\[dDwWsS]|\\[^0-9A-Za-z]|[^\\()\[\]|.*+?{}^$])\+(?![+?])"
)


def scan_friendly(pattern: str) -> str:
    """``X+rest`` as ``XX*rest`` when ``X`` is one character (class, escape or literal).

    The two match the same strings at the same places, groups included (``X`` holds none),
    but ``re`` finds where a match can start by a fast scan only for the second: it reads a
    leading class or literal as a prefix, not a leading repeat. Any other shape is returned
    unchanged.
    """
    m = _LEAD_REPEAT_RE.match(pattern)
    if m is None:
        return pattern
    char = m.group(1)
    return f"{char}{char}*{pattern[m.end() :]}"


def literal_prefix(pattern: str) -> str:
    """The literal text every match of ``pattern`` starts with ('' when none is certain)."""
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return ""
    prefix = []
    for op, av in parsed:
        if op is not sre_c.LITERAL:
            break
        prefix.append(chr(av))
    return "".join(prefix)


def prefix_variants(pattern: str) -> tuple[tuple[str, str], ...]:
    """For ``(?:a…|b…)rest``: ``(literal a… starts with, "(?:a…)rest")`` per alternative.

    ``re`` finds a pattern that starts with a literal by a fast scan for that literal, but
    one that starts with a group of alternatives by trying the group at every character
    that could open it, which costs several times as much. Every match of the pattern is
    a match of one variant, and at a given position the pattern matches as the first of
    its alternatives (in order) whose variant matches there, so searching the variants
    whose literal the text contains and taking the leftmost match (the earlier variant on
    a tie) finds what searching the pattern finds. Empty when the pattern does not have
    that shape, or an alternative has a group of its own or no literal to start with.
    """
    if not pattern.startswith("(?:"):
        return ()
    close = _group_end(pattern, 0)
    if close is None:
        return ()
    rest = pattern[close + 1 :]
    if rest[:1] in ("?", "*", "+", "{"):  # the group is repeated or optional
        return ()
    alternatives = split_alternatives(pattern[3:close])
    if len(alternatives) < 2:
        return ()
    variants = []
    for alternative in alternatives:
        if "(" in alternative.replace("\\(", ""):
            return ()
        prefix = literal_prefix(alternative)
        if not prefix:
            return ()
        variants.append((prefix, f"(?:{alternative}){rest}"))
    return tuple(variants)


def required_sets(pattern: str) -> tuple[frozenset[str], ...]:
    """Every literal set of which each match of ``pattern`` contains a member, in order.

    Only what the parsed regex makes certain counts: runs of literals, the union of the
    alternatives of a group when each alternative has a set, and what is inside a group or a
    repeat that must occur. A case-blind pattern has none (its literals are not what it
    matches). Empty when nothing is certain.
    """
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return ()
    return tuple(dict.fromkeys(frozenset(s) for s in _candidates(list(parsed))))


def _candidates(items: list) -> list[set[str]]:
    """The literal set of each mandatory element of a parsed regex sequence."""
    found: list[set[str]] = []
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is sre_c.LITERAL:
            run = [chr(av)]
            i += 1
            while i < len(items) and items[i][0] is sre_c.LITERAL:
                run.append(chr(items[i][1]))
                i += 1
            found.append({"".join(run)})
            continue
        if op is sre_c.SUBPATTERN:
            if not av[1] & re.IGNORECASE:  # a case-blind group: its literals prove nothing
                found.extend(_candidates(list(av[-1])))
        elif op is sre_c.BRANCH:
            union: set[str] = set()
            for alternative in av[1]:
                sets = _candidates(list(alternative))
                if not sets:
                    break
                # The alternative's most selective set: longest shortest member, then fewest.
                union |= max(sets, key=lambda s: (min(map(len, s)), -len(s)))
            else:
                found.append(union)
        elif op in _REPEATS and av[0] >= 1:
            found.extend(_candidates(list(av[2])))
        # Zero-width assertions, classes, "any" and the rest add no literal.
        i += 1
    return found


def compile_branches(rule: int, pattern: str, validators: dict) -> list[Branch]:
    """The compiled branches of one rule's (already normalised) pattern.

    Raises ``re.error`` when a branch does not compile.
    """
    re.compile(pattern)  # the whole pattern must compile too (an unbalanced one splits oddly)
    branches = []
    for part in split_alternatives(pattern):
        regex = re.compile(scan_friendly(part))
        names = tuple(regex.groupindex)
        variants = tuple((prefix, re.compile(v)) for prefix, v in prefix_variants(part))
        if any(set(v.groupindex) != set(names) for _prefix, v in variants):
            variants = ()
        branches.append(
            Branch(
                rule=rule,
                regex=regex,
                hit_groups=tuple(n for n in names if n.startswith("hit")),
                validated=tuple((n, validators[n]) for n in names if n in validators),
                requires=required_sets(part),
                variants=variants,
            )
        )
    return branches
