"""The compliance checker: rules as data, compiled once, matched in one pass.

Design
------
A :class:`Checker` is built from a list of :class:`Rule` values (the Django side builds them
from ``ComplianceRule`` rows; :data:`~content.compliance.STARTER_RULES` is the seed). Building
does the expensive work once, so that checking a post costs about the same whatever the
number of rules:

- **Normalise.** Every phrase and exception is normalised like the texts will be (see
  :mod:`content.compliance.normalize`: full-width forms, traditional characters, inserted
  symbols and repeated characters fold away), so a rule written in any of these forms matches
  a post written in any other.
- **One automaton.** The phrases, the exceptions and the pattern requirements (below) are the
  keys of one Aho-Corasick automaton (pyahocorasick). A key's value says which rules it is a
  hit for, which it is an exception for and which requirements it meets, so one scan of the
  text finds all of them.
- **Pattern branches with requirements.** Each pattern is split into its top-level branches,
  compiled once with their literal ideographs normalised (see
  :mod:`content.compliance.patterns`). A branch's *requirements* are the literals none of its
  matches can do without: the branch is searched only in a text whose scan met them all, and
  most texts meet few (a literal of one character is looked for with ``in`` instead, as a key
  it would fire on most texts). A branch that opens with literal alternatives,
  ``(?:保证|承诺|…)rest``, also gets one *variant* per alternative, ``(?:保证)rest``: a text
  that contains exactly one of the opening literals searches that variant, since ``re`` scans
  for a literal prefix much faster than it tries alternatives at every character; a text with
  several searches the branch itself, once.
- **Exceptions.** A hit is dropped when an exception of the same rule overlaps it (see the
  rule kinds below); a pattern match that an exception drops is searched for again one
  character later.
- **Span mapping.** The overlapping hits of one rule merge into one finding, whose span is
  mapped from the normalised text back to the original through the normaliser's offset map,
  built only for a text with findings: ``text[f.start:f.end]`` is what a reviewer would mark,
  symbols inserted inside a word included.

The automaton reads the normalised text as its UTF-16 code units, one latin-1 character per
byte, because pyahocorasick finds a node's child by a linear search: over whole characters the
root has a child for every character that opens a key (about 180 for the starter rules), over
bytes a node has a few dozen at most, so the scan costs about the same however many phrases the
rules have. A key found at an odd byte offset straddles two characters and is skipped; offsets
are halved (counted, for a text with astral characters). Keys whose first byte, then first
character, opens the most keys are added first, as children are searched in the order they
were added. Each key's value has the cheapest shape for its role (a bare int for a key that
only meets requirements, :class:`_Hit` for a phrase of one rule, :class:`_Exception` for an
exception of one rule, a tuple for the rest), so the commonest keys take the shortest path
through the scan loop.

``bench/compliance.py`` prints the precision and recall on the labelled corpus and the
throughput; ``docs/PERFORMANCE.md`` has the figures.

Rule kinds
----------
``phrases`` / ``pattern``
    Hits of the phrase list (automaton) and of the regex (on normalised text). A rule may
    carry both. A hit is dropped when an exception span *of the same rule* overlaps it
    (``不保本`` overlaps ``保本``; ``不保本保息`` still reads as a negation); an exception written
    ``sentence:公告`` suppresses the rule's hits anywhere in its sentence. Overlapping hits of
    one rule merge into one finding (``稳赚`` inside ``稳赚不赔``). If the regex has a named group
    whose name starts with ``hit`` the span is that group, otherwise the whole match; a named
    group ``cn_id`` (a Chinese ID number) only counts when its check digit is right.
    A pattern hit dropped by an exception is searched again one character later, so a
    negation early in a sentence cannot hide a real hit after it.
``required_disclosure``
    ``phrases`` are triggers (分红险 …), ``product_lines`` also trigger (here they are not a
    filter), ``exceptions`` are the disclosures that satisfy the rule anywhere in the text.
    Triggered and not satisfied gives one finding on the first trigger word, or at 0..0 when
    only the product line triggered.
``persona_licence``
    Runs only when the category is known and listed in ``categories``. Persona unknown
    (content saved in the library): a ``warn`` finding at 0..0 unless ``pattern`` finds a
    licence statement already in the text. Persona known (a post being scheduled or sent): the
    rule's severity when the persona's licence number is not in the text, ``warn`` when the
    licence is there but the persona's name is not.
``library_only``
    Enforced by the scheduler (only approved library content may be scheduled as an ad), not
    by text: kept in the rule set so it is documented and editable, ignored by the Checker.

Context
-------
``categories`` / ``product_lines`` restrict a rule when the context's value is known; an
unknown value (``None``) does not exclude a rule, so a draft checked without context gets the
stricter answer. The persona rule is the exception: it needs a known category.
``severity_in_ads`` replaces ``severity`` when the category is ``ad``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import NamedTuple

import ahocorasick

from content.compliance.normalize import (
    BOUNDARY,
    NormalizedText,
    fold_pattern,
    normalize,
    normalize_fast,
)
from content.compliance.patterns import Branch, compile_branches

PHRASES = "phrases"
PATTERN = "pattern"
REQUIRED_DISCLOSURE = "required_disclosure"
PERSONA_LICENCE = "persona_licence"
LIBRARY_ONLY = "library_only"
KINDS = (PHRASES, PATTERN, REQUIRED_DISCLOSURE, PERSONA_LICENCE, LIBRARY_ONLY)
SEVERITIES = ("block", "warn")
# An exception written "sentence:公告" suppresses the rule's hits anywhere in its sentence.
SENTENCE = "sentence:"
CATEGORIES = ("story", "value", "ad")
PRODUCT_LINES = (
    "critical_illness",
    "medical",
    "accident",
    "life",
    "annuity",
    "participating",
    "universal",
    "unit_linked",
)


@dataclass(frozen=True)
class Rule:
    """One compliance rule, as data. See the module docstring for what each kind does."""

    code: str
    kind: str
    phrases: tuple[str, ...] = ()
    pattern: str = ""
    exceptions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    product_lines: tuple[str, ...] = ()
    severity: str = "block"
    severity_in_ads: str | None = None
    message: str = ""
    suggestion: str = ""
    source: str = ""

    def severity_for(self, category: str | None) -> str:
        """The severity of this rule's findings in content of ``category``."""
        if category == "ad" and self.severity_in_ads:
            return self.severity_in_ads
        return self.severity


class Finding(NamedTuple):
    """One problem in a text. ``start``/``end`` index the original text; ``end`` is exclusive.

    A finding about something missing (R04 without a trigger word, R10) has ``start == end``
    (0..0) and ``matched == ""``. Immutable; a named tuple because a busy text has a dozen
    findings and a frozen dataclass costs several times as much to make.
    """

    code: str
    severity: str
    message: str
    suggestion: str
    start: int
    end: int
    matched: str


@dataclass(frozen=True)
class CheckContext:
    """What is known about the text being checked; ``None`` means unknown."""

    category: str | None = None
    product_line: str | None = None
    persona_licence: str | None = None
    persona_name: str | None = None


class RuleError(ValueError):
    """A rule that cannot be compiled; ``code`` names it, the message says why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
assert all(w == pow(2, 17 - i, 11) for i, w in enumerate(_ID_WEIGHTS))


def cn_id_valid(number: str) -> bool:
    """True when an 18-character Chinese ID number (normalised, so ``x`` lower-case) checks out."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    # The weighted sum modulo 11 at C speed: the weights are 2 ** (17 - i) mod 11, and
    # 13 = 2 (mod 11), so the sum is twice the digits read in base 13. (A quarter of the
    # bench's clean posts hold a licence number with 18-digit runs that reach this check.)
    return _ID_CHECK[2 * int(number[:17], 13) % 11] == number[17]


VALIDATORS = {"cn_id": cn_id_valid}


_PlannedBranch = tuple[int, tuple[tuple[int, tuple[str, ...]], ...], Branch, "_Variants | None"]


@dataclass(frozen=True)
class _Plan:
    """Which rules run for one context, by how they run."""

    on: tuple[bool, ...]  # matching rules (phrases / pattern), indexed by rule
    # the pattern branches of the matching rules, each as (requirement bits met only
    # through the automaton, the others with their characters, the branch, its prefix
    # variants)
    branches: tuple[_PlannedBranch, ...]
    disclosures: tuple[int, ...]
    personas: tuple[int, ...]
    # per rule: (code, severity, message, suggestion), the head of each of its findings
    heads: tuple[tuple[str, str, str, str], ...]


# A branch's prefix variants: (the bits of their opening literals, bit -> variant).
_Variants = tuple[int, dict[int, re.Pattern[str]]]


class Checker:
    """Compiled once from a rule list; ``check`` is reusable and safe to call from threads.

    Raises :class:`RuleError` for a rule it cannot use (unknown kind or severity, a phrase
    that normalises to nothing, a regex that does not compile).
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self._branches: list[Branch] = []
        self._rule_branches: dict[int, tuple[int, ...]] = {}
        # normalised key -> (rules it is a hit for, requirements it meets, rules it is an
        # exception for, rules it is a sentence-wide exception for). A requirement is a
        # literal set one of which every match of a pattern branch contains: a branch runs
        # only on a text that meets all of its requirements.
        entries: dict[str, tuple[set[int], set[int], set[int], set[int]]] = {}
        requirements: dict[frozenset[str], int] = {}
        # per branch: (bits of the requirements met only through the automaton,
        #              (bit, single characters that also meet it) for the others)
        self._needs: list[tuple[int, tuple[tuple[int, tuple[str, ...]], ...]]] = []
        # per branch, its prefix variants (see patterns.prefix_variants) by what shows that a
        # text contains the literal each starts with: (the bits of the literals, bit ->
        # variant, the variants opening with one character), None for a branch without
        self._variants: list[_Variants | None] = []

        def entry(key: str) -> tuple[set[int], set[int], set[int], set[int]]:
            return entries.setdefault(key, (set(), set(), set(), set()))

        for index, rule in enumerate(self.rules):
            self._validate(rule)
            if rule.kind == LIBRARY_ONLY:
                continue
            for phrase in rule.phrases:
                entry(self._key(rule, phrase))[0].add(index)
            for phrase in rule.exceptions:
                if phrase.startswith(SENTENCE):
                    entry(self._key(rule, phrase.removeprefix(SENTENCE)))[3].add(index)
                else:
                    entry(self._key(rule, phrase))[2].add(index)
            if rule.pattern:
                ids = []
                for branch in self._compile(index, rule):
                    ids.append(len(self._branches))
                    strict, soft = 0, []
                    for literals in branch.requires:
                        bit = 1 << requirements.setdefault(literals, len(requirements))
                        # A one-character key would fire on most texts: such literals are
                        # looked for with ``in``, and only when no longer one was found.
                        chars = tuple(sorted(x for x in literals if len(x) == 1))
                        for key in literals:
                            if len(key) > 1:
                                entry(key)[1].add(bit)
                        if chars:
                            soft.append((bit, chars))
                        else:
                            strict |= bit
                    self._needs.append((strict, tuple(soft)))
                    self._variants.append(self._variant_table(branch, entry, requirements))
                    self._branches.append(branch)
                self._rule_branches[index] = tuple(ids)
        self._all_requirements = (1 << len(requirements)) - 1
        self._automaton = None
        if entries:
            automaton = ahocorasick.Automaton()
            # A node's children are looked up in the order they were added: keys whose first
            # byte, then first character, opens many keys go first, as the text meets those
            # more often (about a tenth off the scan).
            encoded = {key: _encode(key) for key in entries}
            bytes1 = Counter(e[0] for e in encoded.values())
            chars1 = Counter(e[:2] for e in encoded.values())
            order = sorted(entries, key=lambda k: (-bytes1[encoded[k][0]], -chars1[encoded[k][:2]]))
            for key in order:
                hit_rules, bits, exc_rules, wide_rules = entries[key]
                if (
                    len(hit_rules) == 1
                    and not (exc_rules or wide_rules)
                    and self.rules[next(iter(hit_rules))].kind in (PHRASES, PATTERN)
                ):
                    # A phrase of one matching rule (most hits): (length, rule, requirement
                    # bits), also a short path through the scan loop.
                    value = _Hit((len(key), next(iter(hit_rules)), sum(bits)))
                elif len(exc_rules) == 1 and not (hit_rules or bits or wide_rules):
                    # Only an exception of one rule (most keys that are more than
                    # requirements): (length, rule), also a short path through the scan loop.
                    value = _Exception((len(key), next(iter(exc_rules))))
                elif hit_rules or exc_rules or wide_rules:
                    # (length, rules it is a hit for, requirement bits, rules it is an
                    # exception for, rules it is a sentence-wide exception for)
                    value = (
                        len(key),
                        _ids(hit_rules),
                        sum(bits),
                        _ids(exc_rules),
                        _ids(wide_rules),
                    )
                else:
                    # A key that only meets requirements (most keys found in a text): a bare
                    # int, so the scan loop spends one ``|=`` on it.
                    value = sum(bits)
                automaton.add_word(encoded[key], value)
            automaton.make_automaton()
            self._automaton = automaton
        self._has_exceptions = tuple(
            bool(rule.exceptions) and rule.kind in (PHRASES, PATTERN) for rule in self.rules
        )
        self._plans: dict[tuple[str | None, str | None], _Plan] = {}

    # -- building ---------------------------------------------------------------------------

    @staticmethod
    def _validate(rule: Rule) -> None:
        if not rule.code:
            raise RuleError("?", "a rule needs a code")
        if rule.kind not in KINDS:
            raise RuleError(rule.code, f"unknown kind {rule.kind!r}; one of {', '.join(KINDS)}")
        for severity in (rule.severity, rule.severity_in_ads or "block"):
            if severity not in SEVERITIES:
                raise RuleError(rule.code, f"unknown severity {severity!r}")
        for category in rule.categories:
            if category not in CATEGORIES:
                raise RuleError(rule.code, f"unknown category {category!r}")
        for line in rule.product_lines:
            if line not in PRODUCT_LINES:
                raise RuleError(rule.code, f"unknown product line {line!r}")
        if rule.kind in (PHRASES, PATTERN) and not (rule.phrases or rule.pattern):
            raise RuleError(rule.code, "needs phrases or a pattern")
        if rule.kind == REQUIRED_DISCLOSURE:
            if not (rule.phrases or rule.product_lines):
                raise RuleError(rule.code, "needs trigger phrases or product lines")
            if not rule.exceptions:
                raise RuleError(rule.code, "needs the disclosures that satisfy it (exceptions)")

    @staticmethod
    def _variant_table(branch: Branch, entry, requirements: dict) -> _Variants | None:
        """The branch's prefix variants, each literal of two characters or more a
        requirement of its own (the scan then says whether the text contains it)."""
        if not branch.variants:
            return None
        if any(len(prefix) == 1 for prefix, _regex in branch.variants):
            # One character opens an alternative: common characters (和, 与, 比) would have
            # several variants searched where one search of the branch does.
            return None
        mask, by_bit = 0, {}
        for prefix, regex in branch.variants:
            if len(prefix) > 1:
                bit = 1 << requirements.setdefault(frozenset((prefix,)), len(requirements))
                entry(prefix)[1].add(bit)
                if bit in by_bit:  # the same literal opens two alternatives
                    return None
                mask |= bit
                by_bit[bit] = regex
        if len(by_bit) < len(branch.variants):
            return None  # an alternative opens without a literal: no bit says it can match
        return mask, by_bit

    @staticmethod
    def _key(rule: Rule, phrase: str) -> str:
        key = normalize(phrase)[0]
        if not key:
            raise RuleError(rule.code, f"phrase {phrase!r} is empty once normalised")
        return key

    @staticmethod
    def _compile(index: int, rule: Rule) -> list[Branch]:
        try:
            return compile_branches(index, fold_pattern(rule.pattern), VALIDATORS)
        except re.error as exc:
            raise RuleError(rule.code, f"pattern does not compile: {exc}") from exc

    def _plan(self, context: CheckContext) -> _Plan:
        key = (context.category, context.product_line)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        category, line = key
        on = []
        branches, disclosures, personas = [], [], []
        for index, rule in enumerate(self.rules):
            in_category = not rule.categories or category is None or category in rule.categories
            in_line = not rule.product_lines or line is None or line in rule.product_lines
            runs = False
            if rule.kind in (PHRASES, PATTERN):
                runs = in_category and in_line
                if runs:
                    branches.extend(
                        (*self._needs[branch], self._branches[branch], self._variants[branch])
                        for branch in self._rule_branches.get(index, ())
                    )
            elif rule.kind == REQUIRED_DISCLOSURE and in_category:
                disclosures.append(index)
            elif rule.kind == PERSONA_LICENCE and category is not None:
                if not rule.categories or category in rule.categories:
                    personas.append(index)
            on.append(runs)
        heads = tuple(
            (rule.code, rule.severity_for(category), rule.message, rule.suggestion)
            for rule in self.rules
        )
        plan = _Plan(tuple(on), tuple(branches), tuple(disclosures), tuple(personas), heads)
        if len(self._plans) < 1024:  # contexts come from a few choices; bound odd input
            self._plans[key] = plan
        return plan

    # -- checking ---------------------------------------------------------------------------

    def check(self, text: str, context: CheckContext = CheckContext()) -> list[Finding]:  # noqa: B008
        """Every finding for ``text`` in ``context``, sorted by start (then end, code).

        Spans index ``text`` itself: ``text[f.start:f.end] == f.matched``.
        """
        plan = self._plans.get((context.category, context.product_line)) or self._plan(context)
        scan = self._scan(text, plan)
        findings = scan.findings
        if plan.disclosures or plan.personas:
            self._add_disclosures_and_personas(text, context, plan, scan)
        if len(findings) > 1:
            findings.sort(key=_by_position)
        return findings

    def _scan(self, text: str, plan: _Plan) -> _Scan:
        """The hit rules' findings of ``text`` (unsorted), and what the disclosure and persona
        rules read."""
        normal = normalize_fast(text)
        norm = normal.text
        on = plan.on
        met = 0  # the requirements the text meets, as bits
        hits: list[tuple[int, int, int]] = []  # (rule, start, end) in normalised text
        triggers: dict[int, tuple[int, int]] = {}
        # rule -> its exceptions' spans (a dict that makes its missing lists: the scan loop
        # then spends one subscript and one append on an exception)
        excs: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        if self._automaton is not None and norm:
            # The automaton reads the text as UTF-16 code units, one latin-1 character per
            # byte (see the module docstring): a node has a few dozen children at most, not
            # one per character that starts a key, and pyahocorasick looks a child up by a
            # linear search. Offsets are halved; a key found at an odd byte offset straddles
            # two characters and is no key at all.
            enc = norm.encode("utf-16-be").decode("latin-1")
            astral = len(enc) != 2 * len(norm)  # surrogate pairs: offsets need counting
            # The hot loop: one pass over the text, as little as possible per key found.
            for last, value in self._automaton.iter(enc):
                kind = type(value)
                if kind is int:
                    met |= value  # (a key found across two characters only meets more)
                    continue
                if not last & 1:
                    continue
                if kind is _Hit:
                    length, rule, mask = value
                    if mask:
                        met |= mask
                    if on[rule]:
                        end = (last + 1) >> 1 if not astral else _chars(enc, last + 1)
                        hits.append((rule, end - length, end))
                    continue
                if kind is _Exception:
                    length, rule = value
                    end = (last + 1) >> 1 if not astral else _chars(enc, last + 1)
                    excs[rule].append((end - length, end))
                    continue
                length, hit_rules, mask, exc_rules, wide_rules = value
                met |= mask
                end = (last + 1) >> 1 if not astral else _chars(enc, last + 1)
                start = end - length
                for rule in hit_rules:
                    if on[rule]:
                        hits.append((rule, start, end))
                    else:  # a disclosure rule's trigger: keep the first, longest one
                        seen = triggers.get(rule)
                        if seen is None or start < seen[0] or (start == seen[0] and end > seen[1]):
                            triggers[rule] = (start, end)
                for rule in exc_rules:
                    excs[rule].append((start, end))
                for rule in wide_rules:  # the exception covers its whole sentence
                    left = norm.rfind(BOUNDARY, 0, start) + 1
                    right = norm.find(BOUNDARY, end)
                    excs[rule].append((left, right if right >= 0 else len(norm)))
        # A branch runs only if none of its strict requirement bits is unmet (one ``&`` of
        # two positive ints, the cheapest test of the lot).
        unmet = met ^ self._all_requirements
        for strict, soft, branch, variants in plan.branches:
            if strict & unmet:
                continue
            if soft:  # _soft_met, inlined: this runs for most branches of most texts
                for bit, chars in soft:
                    if met & bit:
                        continue
                    for char in chars:
                        if char in norm:
                            break
                    else:
                        break
                else:
                    soft = ()
                if soft:
                    continue
            if variants is None:
                regex = branch.regex
            else:
                # Only the variants whose opening literal the text contains can match; most
                # often that is one, found with one bit test. A text with several searches
                # the branch itself: one search of the alternatives costs less than one per
                # variant (and their merging in Python).
                mask, by_bit = variants
                present = met & mask
                if not present:
                    continue
                regex = by_bit[present] if not present & (present - 1) else branch.regex
            m = regex.search(norm)
            if m is not None:  # rare: most searches find nothing
                _search(branch, regex, m, norm, excs.get(branch.rule), hits)

        heads = plan.heads
        # Each finding is built once, straight from its rule's head and its original span, in
        # the order the hits come (by rule): one stable sort by position then puts them in
        # place, ties keeping that order.
        findings: list[Finding] = []
        if hits:
            # One pass over the hits sorted by rule: a hit an exception of its rule overlaps
            # is dropped (a pattern hit passed that test already and passes it again), and
            # the overlapping hits of one rule merge into one finding.
            hits.sort()
            rules, groups = [], []  # one finding each: its rule, its normalised span
            rule, start, end = -1, 0, 0
            of_rule = -1
            spans = None
            for r, s, e in hits:
                if r != of_rule:
                    of_rule = r
                    spans = excs.get(r)
                if spans:
                    hidden = False
                    for a, b in spans:
                        if a < e and s < b:
                            hidden = True
                            break
                    if hidden:
                        continue
                if r == rule and s < end:  # overlapping hits of one rule: one finding
                    if e > end:
                        end = e
                    continue
                if rule >= 0:
                    rules.append(rule)
                    groups.append((start, end))
                rule, start, end = r, s, e
            if rule >= 0:
                rules.append(rule)
                groups.append((start, end))
                # All the spans mapped back in one call, then each finding built in one step.
                findings = [
                    _new_finding(Finding, heads[rule] + (s0, e0, text[s0:e0]))
                    for rule, (s0, e0) in zip(rules, normal.spans(groups), strict=True)
                ]
        return _Scan(findings, normal, triggers, excs, met)

    def _add_disclosures_and_personas(
        self, text: str, context: CheckContext, plan: _Plan, scan: _Scan
    ) -> None:
        """Adds the disclosure and persona rules' findings to ``scan.findings``."""
        findings, folded, heads = scan.findings, scan.folded, plan.heads
        for index in plan.disclosures:
            trigger = scan.trigger(index)
            if trigger is None and context.product_line not in self.rules[index].product_lines:
                continue
            if scan.excepted_by(index):
                continue
            start, end = folded.span(*trigger) if trigger else (0, 0)
            findings.append(_new_finding(Finding, heads[index] + (start, end, text[start:end])))
        if plan.personas:
            bits = scan.met_bits
            for index in plan.personas:
                persona = self._persona(index, folded.text, bits, context)
                if persona is not None:
                    findings.append(persona)

    def _persona(self, index: int, norm: str, met: int, context: CheckContext) -> Finding | None:
        rule = self.rules[index]
        if context.persona_licence is None:
            for branch in self._rule_branches.get(index, ()):
                strict, soft = self._needs[branch]
                if met & strict != strict or (soft and not _soft_met(soft, met, norm)):
                    continue  # the text lacks a literal every licence statement contains
                if self._branches[branch].regex.search(norm):
                    return None  # the text already states a licence number
            severity = "warn"
        else:
            licence = normalize(context.persona_licence)[0]
            if not licence or licence not in norm:
                severity = rule.severity_for(context.category)
            else:
                name = normalize(context.persona_name or "")[0]
                if not name or name in norm:
                    return None
                severity = "warn"
        return _new_finding(Finding, (rule.code, severity, rule.message, rule.suggestion, 0, 0, ""))


class _Scan:
    """What a scan found: the hit rules' findings, the normalised text, and for the
    disclosure and persona rules the triggers, the rules with an exception in the text and
    the requirements met."""

    __slots__ = ("_excs", "_triggers", "findings", "folded", "met_bits")

    def __init__(
        self,
        findings: list[Finding],
        folded: NormalizedText,
        triggers: dict[int, tuple[int, int]],
        excs: dict[int, list[tuple[int, int]]],
        met_bits: int,
    ) -> None:
        self.findings = findings
        self.folded = folded
        self._triggers = triggers
        self._excs = excs
        self.met_bits = met_bits

    def trigger(self, rule: int) -> tuple[int, int] | None:
        return self._triggers.get(rule)

    def excepted_by(self, rule: int) -> bool:
        return rule in self._excs


class _Hit(tuple):
    """The automaton's value for a phrase of one phrase or pattern rule and nothing else:
    (length, rule, requirement bits)."""

    __slots__ = ()


class _Exception(tuple):
    """The automaton's value for a key that is only an exception of one rule: (length, rule)."""

    __slots__ = ()


_new_finding = tuple.__new__  # Finding(...) without the generated __new__'s Python frame


def _encode(key: str) -> str:
    """A normalised text or key as the automaton reads it: its UTF-16 code units, one
    latin-1 character per byte (high byte first)."""
    return key.encode("utf-16-be").decode("latin-1")


def _chars(units: str, byte: int) -> int:
    """The character offset of a byte offset of an encoded text with astral characters."""
    return len(units[:byte].encode("latin-1").decode("utf-16-be"))


# A finding's place in the result: start, end, code (C speed, as a sort key).
_by_position = itemgetter(4, 5, 0)


def _ids(indexes: set[int]) -> tuple[int, ...]:
    return tuple(sorted(indexes))


def _soft_met(soft: tuple[tuple[int, tuple[str, ...]], ...], met: int, norm: str) -> bool:
    """Whether ``norm`` meets each requirement: through the automaton, or by a character."""
    # Plain loops: all()/any() over generators cost more than these tests on short texts.
    for bit, chars in soft:
        if met & bit:
            continue
        for char in chars:
            if char in norm:
                break
        else:
            return False
    return True


def _search(
    branch: Branch,
    regex: re.Pattern[str],
    m: re.Match[str] | None,
    norm: str,
    excs: list[tuple[int, int]] | None,
    hits: list,
) -> None:
    """Every hit of ``regex`` (the branch or one variant) in ``norm`` from its first match
    ``m`` on (``None``: none), each recorded unless an exception or a validator rejects it;
    a rejected match is retried one character later."""
    # One loop with the acceptance test inline: a dense post accepts a handful of matches,
    # and a call per match cost more than the test itself.
    size = len(norm)
    rule, hit_groups, validated = branch.rule, branch.hit_groups, branch.validated
    search = regex.search
    while m is not None:
        mstart, mend = m.span()
        start, end = mstart, mend
        for name in hit_groups:
            if m.start(name) >= 0:
                start, end = m.span(name)
                break
        accepted = end > start
        if accepted and excs:
            for s, e in excs:
                if s < end and start < e:
                    accepted = False
                    break
        if accepted:
            for name, valid in validated:
                group = m.group(name)
                if group is not None and not valid(group):
                    accepted = False
                    break
        if accepted:
            hits.append((rule, start, end))
            pos = mend if mend > mstart else mstart + 1
        else:
            pos = mstart + 1
        m = search(norm, pos) if pos <= size else None


@cache
def default_checker() -> Checker:
    """A Checker over :data:`STARTER_RULES`, built once per process."""
    from content.compliance.starter_rules import STARTER_RULES

    return Checker(STARTER_RULES)
