"""Rule regexes, compiled so that most of them never scan a text they cannot match.

A rule's pattern is split at its top-level ``|`` into branches, each compiled on its own.
For every branch we look (in the parsed regex) for a literal it cannot match without, e.g.
``保证`` or ``承诺`` in ``(?:保证|承诺)[^。]{0,6}?收益``. Those *triggers* go into the checker's
single Aho-Corasick automaton, next to the phrases, so the one scan that finds phrase hits
also says which branches can match and where:

``anchored``
    The triggers are the branch's first consuming element (zero-width assertions such as a
    look-behind may come first). A match can only start where a trigger starts, so the
    branch is tried with ``regex.match`` at those positions only.
``gated``
    Every match contains a trigger, but not at its start. The branch is searched only when a
    trigger occurred somewhere in the text.
``always``
    No required literal (an ID number is only digits): searched every time. Such branches
    should start with a character class, which ``re`` scans for at C speed.

Whatever the mode, the hits are the same as ``regex.search`` over the whole text would give
(a test holds the modes to that), only cheaper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:  # Python 3.11+
    from re import _constants as sre_c
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

ANCHORED = "anchored"
GATED = "gated"
ALWAYS = "always"

_ZERO_WIDTH = {sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT}
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)}


@dataclass(frozen=True)
class Branch:
    """One top-level alternative of a rule's pattern, compiled, with its triggers."""

    rule: int
    regex: re.Pattern[str]
    mode: str
    triggers: frozenset[str]
    hit_groups: tuple[str, ...]  # named groups whose span, if they matched, is the finding's
    validated: tuple[tuple[str, object], ...]  # (group name, validator) pairs


def split_alternatives(pattern: str) -> list[str]:
    """``pattern`` cut at its top-level ``|`` (outside groups, classes and escapes)."""
    parts: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
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
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def required_literals(pattern: str) -> tuple[frozenset[str] | None, bool]:
    """Literals one of which every match of ``pattern`` contains, and whether a match starts
    with one. ``(None, False)`` when no useful set can be read off the regex.

    Of the candidate sets (one per mandatory element) the most selective wins: a set whose
    shortest literal has one character (和, 钱, 1) would trigger on most posts, so such a
    branch is left to ``re``'s own fast scan for its first character instead.
    """
    best = _best(_candidates(list(sre_parse.parse(pattern)), first=True))
    if best is None or _score(best[0])[0] < MIN_TRIGGER:
        return None, False
    return frozenset(best[0]), best[1]


MIN_TRIGGER = 2  # shortest useful trigger, in characters


def _score(literals: set[str]) -> tuple[int, int]:
    return min(len(x) for x in literals), -len(literals)


def _best(candidates: list[tuple[set[str], bool]]) -> tuple[set[str], bool] | None:
    """The anchored candidate if it is selective enough, else the most selective one."""
    if not candidates:
        return None
    anchored = [c for c in candidates if c[1] and _score(c[0])[0] >= MIN_TRIGGER]
    if anchored:
        return max(anchored, key=lambda c: _score(c[0]))
    return max(candidates, key=lambda c: _score(c[0]))


def _candidates(items: list, first: bool) -> list[tuple[set[str], bool]]:
    """(literal set, starts the match) for each mandatory element of a regex sequence."""
    found: list[tuple[set[str], bool]] = []
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is sre_c.LITERAL:
            run = [chr(av)]
            i += 1
            while i < len(items) and items[i][0] is sre_c.LITERAL:
                run.append(chr(items[i][1]))
                i += 1
            found.append(({"".join(run)}, first))
            first = False
            continue
        if op in _ZERO_WIDTH:
            i += 1
            continue
        if op is sre_c.SUBPATTERN:
            found.extend(_candidates(list(av[-1]), first))
        elif op is sre_c.BRANCH:
            union: set[str] = set()
            anchored = first
            for alternative in av[1]:
                best = _best(_candidates(list(alternative), first))
                if best is None:
                    break
                union |= best[0]
                anchored = anchored and best[1]
            else:
                found.append((union, anchored))
        elif op in _REPEATS and av[0] >= 1:
            found.extend(_candidates(list(av[2]), first))
        first = False
        i += 1
    return found


def compile_branches(rule: int, pattern: str, validators: dict) -> list[Branch]:
    """The compiled branches of one rule's (already normalised) pattern.

    Raises ``re.error`` when a branch does not compile.
    """
    re.compile(pattern)  # the whole pattern must compile too (an unbalanced one splits oddly)
    branches = []
    for part in split_alternatives(pattern):
        regex = re.compile(part)
        triggers, anchored = required_literals(part)
        mode = ALWAYS if triggers is None else (ANCHORED if anchored else GATED)
        names = tuple(regex.groupindex)
        branches.append(
            Branch(
                rule=rule,
                regex=regex,
                mode=mode,
                triggers=triggers or frozenset(),
                hit_groups=tuple(n for n in names if n.startswith("hit")),
                validated=tuple((n, validators[n]) for n in names if n in validators),
            )
        )
    return branches
