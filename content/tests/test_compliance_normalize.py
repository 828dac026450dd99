"""Normalisation: what it folds, what it keeps, and that offsets point at the original."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.compliance import normalize
from content.compliance.normalize import (
    _FEW_MAPPED,
    _fold_char,
    fold_pattern,
    normalize_fast,
    normalize_full,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("稳 赚", "稳赚"),
        ("稳*赚", "稳赚"),
        ("稳😀赚", "稳赚"),
        ("稳\u200b赚", "稳赚"),
        ("稳\n赚", "稳赚"),
        ("穩賺", "稳赚"),
        ("稳稳稳赚", "稳赚"),
        ("稳*稳赚", "稳赚"),
        ("ＡＢＣ１２３％", "abc123%"),
        ("VIP", "vip"),
        ("100%", "100%"),  # digits never fold
        ("5000元", "5000元"),
        ("good", "good"),  # Latin never folds
        ("收益好！真的？", "收益好。真的。"),  # sentence ends become one boundary mark
        ("好。。。", "好。"),
        ("①③⑧", "138"),
        ("⑩号", "10号"),
        ("e\u0301", "e"),  # combining marks are dropped
        ("٣٤", "34"),  # any script's decimal digits become ASCII
        ("⾦", "金"),  # Kangxi radical
    ],
)
def test_normalize_folds_evasions(text: str, expected: str) -> None:
    assert normalize(text)[0] == expected


def test_normalize_offsets_point_at_the_first_original_character() -> None:
    text = "稳 *稳赚！ＯＫ"
    norm, offsets = normalize(text)
    assert norm == "稳赚。ok"
    assert offsets == [0, 4, 5, 6, 7]
    assert [text[i] for i in offsets] == ["稳", "赚", "！", "Ｏ", "Ｋ"]


def test_normalize_full_ends_cover_a_folded_run_and_inner_symbols() -> None:
    text = "稳·稳 稳赚"
    norm, starts, ends = normalize_full(text)
    assert norm == "稳赚"
    assert (starts[0], ends[0]) == (0, 5)
    assert text[starts[0] : ends[1]] == text  # the whole run, dots and spaces included


def test_fast_span_includes_inserted_symbols_but_not_surrounding_ones() -> None:
    text = "买它！稳😀赚，真的"
    normal = normalize_fast(text)
    i = normal.text.index("稳赚")
    start, end = normal.span(i, i + 2)
    assert text[start:end] == "稳😀赚"


def test_normalize_is_idempotent_on_every_bmp_character() -> None:
    for cp in range(0x10000):
        once = _fold_char(chr(cp))
        if once:
            assert normalize(once)[0] == normalize(normalize(once)[0])[0], hex(cp)


def test_every_kept_character_is_a_letter_digit_percent_or_boundary() -> None:
    for cp in range(0, sys.maxunicode + 1, 7):
        for x in _fold_char(chr(cp)):
            assert x.isalnum() or x in "%。", hex(cp)
            assert unicodedata.normalize("NFKC", x) == x or x == "。"


def test_fold_pattern_touches_only_ideographs() -> None:
    assert fold_pattern(r"(?:穩賺|年年)\d{2}[Ａ-Ｚ]") == r"(?:稳赚|年)\d{2}[Ａ-Ｚ]"


# Characters chosen to hit every branch: plain, traditional, full-width, upper-case, dropped
# (space, symbols, zero-width, emoji), sentence ends, expansions (⑩ ㈱ ﬁ), astral letters
# and digits, repeats.
_ALPHABET = st.sampled_from(
    [
        *"稳赚保本年穩賺險ＡＢａ１２３%％ 　*·，。！?\u200b\u200d\ufe0f😀🎉⑩㈱ﬁ①xX0",
        *("\U00020000", "\U0001d7d9", "\U0001d400", "\U000e0041", "\U000f0000"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_fast_path_agrees_with_the_reference_loop(text: str) -> None:
    norm, starts, ends = normalize_full(text)
    fast = normalize_fast(text)
    assert fast.text == norm
    for q in range(len(norm)):
        assert (fast.start(q), fast.end(q)) == (starts[q], ends[q])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, min_size=1, max_size=40).map("".join), st.data())
def test_fast_span_agrees_with_start_and_end(text: str, data: st.DataObject) -> None:
    fast = normalize_fast(text)
    if not fast.text:
        return
    i = data.draw(st.integers(0, len(fast.text) - 1))
    j = data.draw(st.integers(i + 1, len(fast.text)))
    assert fast.span(i, j) == (fast.start(i), fast.end(j - 1))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, min_size=1, max_size=40).map("".join), st.data())
def test_spans_maps_several_spans_like_start_and_end(text: str, data: st.DataObject) -> None:
    # The checker maps all of a post's finding spans in one spans() call, in no set order.
    fast = normalize_fast(text)
    if not fast.text:
        return
    size = len(fast.text)
    pairs = []
    for _ in range(data.draw(st.integers(0, 6))):
        i = data.draw(st.integers(0, size - 1))
        pairs.append((i, data.draw(st.integers(i + 1, size))))
    assert fast.spans(pairs) == [(fast.start(i), fast.end(j - 1)) for i, j in pairs]


@pytest.mark.parametrize("count", [_FEW_MAPPED - 1, _FEW_MAPPED, _FEW_MAPPED + 1, 4 * _FEW_MAPPED])
@pytest.mark.parametrize("special", ["", "㈱", "😀", "\U00020000", "ＡＢ"])
def test_many_characters_to_map_agree_with_the_reference_loop(count: int, special: str) -> None:
    # Past _FEW_MAPPED characters to map the split stops and the text is translated; an
    # expanding or astral character may sit before the split stops or after.
    for text in (
        "穩，賺" * count + special,
        special + "穩賺 " * count,
        "險" * (count // 2) + special + "ＡＢ" * count,
    ):
        norm, starts, ends = normalize_full(text)
        fast = normalize_fast(text)
        assert fast.text == norm
        assert [(fast.start(q), fast.end(q)) for q in range(len(norm))] == list(
            zip(starts, ends, strict=True)
        )
