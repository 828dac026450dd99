"""The C kernel (``_kernel.pyx``) against the Python path it accelerates: the same findings,
the same normalisation and spans, on the corpus and on generated posts."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.compliance import STARTER_RULES, CheckContext, Checker, Rule
from content.compliance.engine import _folder, load_kernel
from content.compliance.normalize import normalize_full
from content.tests.compliance_corpus import CORPUS, LICENCE
from content.tests.test_compliance_normalize import _ALPHABET

pytestmark = pytest.mark.kernel

CONTEXTS = (
    CheckContext(),
    CheckContext("story"),
    CheckContext("value", "medical"),
    CheckContext("ad"),
    CheckContext("ad", "participating", LICENCE, "小李"),
    CheckContext("ad", "universal", "00000", "王五"),
)


@pytest.fixture(scope="module")
def checkers() -> tuple[Checker, Checker]:
    return _both()


def _posts(count: int, seed: int) -> list[str]:
    """Posts of about 300 characters, each a run of corpus sentences (as the bench builds
    them): dense with findings, exceptions, digits and symbols."""
    rng = random.Random(seed)
    pool = [case.text for case in CORPUS]
    posts = []
    for _ in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < 300:
            parts.append(rng.choice(pool))
        posts.append("".join(parts)[: rng.randint(40, 300)])
    return posts


def test_the_default_checker_uses_the_kernel() -> None:
    assert Checker(STARTER_RULES)._kernel is not None


def test_kernel_finds_what_python_finds_on_the_corpus(checkers) -> None:
    python, kernel = checkers
    for case in CORPUS:
        context = CheckContext(
            case.category, case.product_line, case.persona_licence, case.persona_name
        )
        for ctx in (context, *CONTEXTS):
            assert kernel.check(case.text, ctx) == python.check(case.text, ctx), case.text


def test_kernel_finds_what_python_finds_on_generated_posts(checkers) -> None:
    python, kernel = checkers
    findings = 0
    for i, post in enumerate(_posts(1500, seed=5)):
        context = CONTEXTS[i % len(CONTEXTS)]
        got = kernel.check(post, context)
        assert got == python.check(post, context), post
        findings += len(got)
    assert findings > 5000  # the posts are dense: this compares findings, not empty lists


def test_kernel_with_rules_that_share_phrases_and_sentence_exceptions() -> None:
    # Keys with several roles (a hit of one rule, an exception of another, a sentence-wide
    # exception of a third) and a rule with no pattern: the kernel's general entries.
    rules = [
        Rule(code="A", kind="phrases", phrases=("保本", "稳赚"), exceptions=("不保本",)),
        Rule(code="B", kind="phrases", phrases=("不保本",), exceptions=("sentence:公告",)),
        Rule(
            code="C",
            kind="pattern",
            pattern=r"(?:保本|稳赚)[^。]{0,4}?收益",
            exceptions=("不保本",),
            severity="warn",
        ),
        Rule(code="D", kind="required_disclosure", phrases=("分红",), exceptions=("不确定",)),
    ]
    python, kernel = Checker(rules, accelerated=False), Checker(rules, accelerated=True)
    got = [(f.code, f.matched) for f in kernel.check("不保本收益，稳赚保本收益，保本收益稳赚收益")]
    assert [m for code, m in got if code == "C"] == ["稳赚保本收益", "保本收益", "稳赚收益"]
    texts = [
        "不保本，稳赚收益。公告：不保本。分红高",
        "保本保本收益！分红不确定",
        "稳😀赚收益",
        "",
        # C's variants open at several places: a match its exception rejects (不保本收益),
        # a place inside another match (保本 in 稳赚保本收益), matches one after the other.
        "不保本收益，稳赚保本收益，保本收益稳赚收益",
    ]
    for text in texts + _posts(200, seed=9):
        for context in CONTEXTS:
            assert kernel.check(text, context) == python.check(text, context), text


# Pieces of texts the rules care about: every starter phrase and exception, corpus sentences
# cut anywhere, and characters that normalisation drops, maps, expands or keeps astral.
_PHRASES = sorted(
    {p.removeprefix("sentence:") for r in STARTER_RULES for p in (*r.phrases, *r.exceptions)}
)
_PIECES = st.one_of(
    st.sampled_from(_PHRASES),
    st.sampled_from([case.text for case in CORPUS]).flatmap(
        lambda text: st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
            lambda ij: text[min(ij) : max(ij)]
        )
    ),
    _ALPHABET,
    st.sampled_from([LICENCE, "13912345678", "110101199003077777", "5%", "3.5%", "。"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join), st.sampled_from(CONTEXTS))
def test_kernel_finds_what_python_finds_on_random_texts(text: str, context) -> None:
    python, kernel = _both()
    assert kernel.check(text, context) == python.check(text, context)


@cache
def _both() -> tuple[Checker, Checker]:
    return Checker(STARTER_RULES, accelerated=False), Checker(STARTER_RULES, accelerated=True)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_kernel_normalises_like_the_reference_loop(text: str) -> None:
    folded = _folder(load_kernel()).fold(text)
    norm, starts, ends = normalize_full(text)
    assert folded.text == norm
    assert folded.spans([(q, q + 1) for q in range(len(norm))]) == list(
        zip(starts, ends, strict=True)
    )


def test_every_phrase_of_every_rule_is_a_key_of_the_kernel() -> None:
    keys = set(Checker(STARTER_RULES, accelerated=True)._kernel.keys)
    for rule in STARTER_RULES:
        for phrase in rule.phrases:
            assert Checker._key(rule, phrase) in keys


def test_kernel_automaton_finds_keys_inside_keys_and_after_a_failed_branch() -> None:
    # 稳赚不赔 holds 稳赚 and 赚不 (another rule's); 赚不赔钱 fails after 赚不赔 and must
    # fall back to 不赔钱; an astral character between keys is a character like any other.
    rules = [
        Rule(code="A", kind="phrases", phrases=("稳赚", "稳赚不赔")),
        Rule(code="B", kind="phrases", phrases=("赚不", "赚不赔本")),
        Rule(code="C", kind="phrases", phrases=("不赔钱", "钱")),
        Rule(code="D", kind="phrases", phrases=("\U00020000好",)),
    ]
    kernel = Checker(rules, accelerated=True)
    text = "稳赚不赔钱\U00020000好"
    got = [(f.code, f.start, f.end) for f in kernel.check(text)]
    assert got == [("A", 0, 4), ("B", 1, 3), ("C", 2, 5), ("D", 5, 7)]
    assert kernel.check(text) == Checker(rules, accelerated=False).check(text)


def test_span_outside_the_text_is_an_error() -> None:
    folded = _folder(load_kernel()).fold("稳赚")
    with pytest.raises(IndexError):
        folded.span(1, 3)
