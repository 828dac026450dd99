"""The Checker: spans, exceptions, severities, context, rule kinds, rule errors, one pass."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from content.compliance import (
    STARTER_RULES,
    CheckContext,
    Checker,
    Rule,
    RuleError,
    default_checker,
)
from content.compliance.engine import _encode, cn_id_valid
from content.compliance.patterns import prefix_variants, required_sets, scan_friendly
from content.tests.compliance_corpus import CORPUS, LICENCE


def codes(text: str, **context: str) -> list[str]:
    return [f.code for f in default_checker().check(text, CheckContext(**context))]


def test_span_points_at_the_original_text_including_inserted_symbols() -> None:
    text = "朋友们！这款年金 稳😀*赚 不赔，真的。"
    (finding,) = default_checker().check(text)
    assert finding.code == "R01"
    assert finding.matched == "稳😀*赚 不赔"
    assert text[finding.start : finding.end] == finding.matched


def test_span_of_traditional_and_full_width_text_is_the_original_characters() -> None:
    text = "每年穩拿５％，寫進合同"
    (finding,) = default_checker().check(text)
    assert (finding.code, finding.matched) == ("R02", "穩拿５％，寫進合同")  # two hits, merged


def test_span_of_a_folded_run_covers_every_repeat() -> None:
    text = "稳稳稳赚的好产品"
    (finding,) = default_checker().check(text)
    assert finding.matched == "稳稳稳赚"


def test_span_survives_characters_that_expand_under_nfkc() -> None:
    # ⑩ becomes two characters: the checker takes the reference path and still maps back.
    text = "⑩年稳赚不赔"
    (finding,) = default_checker().check(text)
    assert finding.matched == "稳赚不赔"
    assert text[finding.start : finding.end] == "稳赚不赔"


def test_findings_are_sorted_by_start() -> None:
    findings = default_checker().check("快上车！保本保息，全网最好")
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert [f.code for f in findings] == ["R06", "R01", "R05"]


def test_overlapping_hits_of_one_rule_are_one_finding() -> None:
    (finding,) = default_checker().check("稳赚不赔")  # 稳赚 and 稳赚不赔 are both phrases
    assert finding.matched == "稳赚不赔"


def test_negation_suppresses_only_its_own_rule() -> None:
    # 不保本 is an R01 exception; it must not hide the R05 term in the same words.
    assert codes("不保本，但是全网最好") == ["R05"]


def test_exception_suppresses_an_overlapping_longer_negation() -> None:
    assert codes("这款产品不保本保息") == []


def test_sentence_wide_exception_covers_its_sentence_only() -> None:
    assert codes("根据公司公告，本产品将于月底停售。") == []
    assert codes("公司发布了公告。下月停售！") == ["R06"]


def test_rejected_pattern_match_does_not_hide_a_later_one() -> None:
    # The first R02 candidate is negated (收益不确定); the later one is real.
    findings = default_checker().check("收益不确定，但保证年化3%")
    assert [(f.code, f.matched) for f in findings] == [("R02", "保证年化")]


def test_absolute_terms_block_in_ads_and_warn_elsewhere() -> None:
    text = "全网最好的重疾险，详见条款。小李｜执业证编号" + LICENCE
    by_category = {
        category: [
            (f.code, f.severity) for f in default_checker().check(text, CheckContext(category))
        ]
        for category in ("story", "value", "ad", None)
    }
    assert by_category["ad"] == [("R05", "block")]
    assert by_category["story"] == by_category["value"] == by_category[None] == [("R05", "warn")]


def test_ad_without_licence_warns_while_the_persona_is_unknown() -> None:
    (finding,) = default_checker().check("新品上线", CheckContext(category="ad"))
    assert (finding.code, finding.severity, finding.start, finding.end) == ("R10", "warn", 0, 0)
    assert finding.matched == ""


def test_ad_without_the_personas_licence_blocks_at_scheduling() -> None:
    context = CheckContext(category="ad", persona_licence=LICENCE, persona_name="小李")
    (finding,) = default_checker().check("新品上线。小李", context)
    assert (finding.code, finding.severity) == ("R10", "block")
    # Someone else's licence number in the text does not count.
    other = "新品上线。小李 执业证号 02000144030080002023009999"
    assert [(f.code, f.severity) for f in default_checker().check(other, context)] == [
        ("R10", "block")
    ]


def test_ad_with_licence_but_without_the_name_warns() -> None:
    context = CheckContext(category="ad", persona_licence=LICENCE, persona_name="小李")
    (finding,) = default_checker().check(f"新品上线。执业证号{LICENCE}", context)
    assert (finding.code, finding.severity) == ("R10", "warn")


def test_licence_in_full_width_digits_counts() -> None:
    full_width = LICENCE.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    context = CheckContext(category="ad", persona_licence=LICENCE, persona_name="小李")
    assert default_checker().check(f"新品上线。小李 执业证号{full_width}", context) == []


def test_persona_rule_needs_a_known_category() -> None:
    assert codes("新品上线", persona_licence=LICENCE) == []
    assert codes("新品上线", category="story", persona_licence=LICENCE) == []


def test_disclosure_rule_triggered_by_product_line_alone_points_at_nothing() -> None:
    text = "养老规划兼顾现金流"
    (finding,) = default_checker().check(text, CheckContext(product_line="universal"))
    assert (finding.code, finding.start, finding.end, finding.matched) == ("R04", 0, 0, "")
    assert codes(text, product_line="critical_illness") == []


def test_disclosure_rule_points_at_the_first_longest_trigger_word() -> None:
    (finding,) = default_checker().check("这款分红险年年分红")
    assert finding.matched == "分红险"


def test_rule_restricted_by_category_or_product_line_runs_when_context_is_unknown() -> None:
    rule = Rule(code="X1", kind="phrases", phrases=("惠民保",), categories=("ad",))
    lined = Rule(code="X2", kind="phrases", phrases=("保额",), product_lines=("medical",))
    checker = Checker([rule, lined])
    text = "惠民保的保额"
    assert [f.code for f in checker.check(text)] == ["X1", "X2"]
    assert [f.code for f in checker.check(text, CheckContext("story", "life"))] == []
    assert [f.code for f in checker.check(text, CheckContext("ad", "medical"))] == ["X1", "X2"]


def test_library_only_rule_is_ignored_by_the_checker() -> None:
    r11 = next(rule for rule in STARTER_RULES if rule.code == "R11")
    assert r11.kind == "library_only"
    assert Checker([r11]).check("任何产品广告", CheckContext(category="ad")) == []


def test_starter_rules_cover_r01_to_r14_once_each() -> None:
    assert [rule.code for rule in STARTER_RULES] == [f"R{n:02d}" for n in range(1, 15)]
    assert all(rule.message and rule.source for rule in STARTER_RULES)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002x", True),
        ("440304198805123412", True),
        ("110105194912310021", False),
        ("11010519491231002", False),
    ],
)
def test_chinese_id_check_digit(number: str, valid: bool) -> None:
    assert cn_id_valid(number) is valid


def test_chinese_id_check_digit_is_the_weighted_sum_of_the_standard() -> None:
    # GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check "10X98765432"[sum % 11];
    # exactly one of the eleven check characters is right for any 17 digits.
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    rng = random.Random(5)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        expected = "10x98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
        assert [c for c in "0123456789x" if cn_id_valid(body + c)] == [expected]


def test_id_number_with_a_wrong_check_digit_is_not_personal_data() -> None:
    assert codes("身份证440304198805123412") == ["R13"]
    assert codes("单号440304198805123413") == []


def test_phone_number_inside_a_longer_number_is_not_flagged() -> None:
    assert codes("执业证号02000144030080002023001234") == []
    assert codes("电话13912345678") == ["R13"]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        (Rule(code="B1", kind="phrase list"), "unknown kind"),
        (Rule(code="B2", kind="phrases", phrases=("保本",), severity="error"), "severity"),
        (Rule(code="B3", kind="phrases", phrases=("* *",)), "empty once normalised"),
        (Rule(code="B4", kind="pattern", pattern="(保本"), "does not compile"),
        (Rule(code="B5", kind="phrases"), "needs phrases or a pattern"),
        (Rule(code="B6", kind="phrases", phrases=("x",), categories=("post",)), "category"),
        (Rule(code="B7", kind="required_disclosure", phrases=("分红",)), "disclosures"),
    ],
)
def test_unusable_rule_is_refused_with_its_code(rule: Rule, reason: str) -> None:
    with pytest.raises(RuleError, match=reason) as exc:
        Checker([rule])
    assert exc.value.code == rule.code


def test_rules_from_data_are_normalised_like_the_text() -> None:
    # A reviewer types the phrase in traditional characters with a space; posts still match.
    checker = Checker([Rule(code="T1", kind="phrases", phrases=("穩 賺",))])
    assert [f.matched for f in checker.check("稳赚")] == ["稳赚"]


def test_every_phrase_of_every_rule_goes_into_one_automaton() -> None:
    checker = Checker(STARTER_RULES)
    keys = set(checker._automaton.keys())
    for rule in STARTER_RULES:
        for phrase in rule.phrases:
            assert _encode(Checker._key(rule, phrase)) in keys


@pytest.mark.parametrize(
    ("pattern", "sets"),
    [
        (r"(?:保证|承诺)[^。]{0,6}?收益", [{"保证", "承诺"}, {"收益"}]),
        (r"(?<![0-9])保单号[0-9]{6,}", [{"保单号"}]),
        (r"[a-z]公司[^。]{0,8}?(?:理赔难|拒赔)", [{"公司"}, {"理赔难", "拒赔"}]),
        (r"(?:收益|回报)率?(?:保证|[0-9]+%)", [{"收益", "回报"}, {"保证", "%"}]),
        (r"[0-9]{11}", []),
        (r"(?:和|与)存款一样", [{"存款一样"}]),
        (r"(?i)vip专享", []),  # case-blind: its literals are not what it matches
        (r"x(?i:vip)专享", [{"x"}, {"专享"}]),
    ],
)
def test_required_sets_of_a_pattern(pattern: str, sets: list[set[str]]) -> None:
    assert [set(s) for s in required_sets(pattern)] == sets


def test_requirement_gating_finds_what_searching_every_branch_finds() -> None:
    """Skipping the branches a text cannot match gives the same findings as searching all."""
    gated = Checker(STARTER_RULES)
    plain = Checker(STARTER_RULES)
    plain._needs = [(0, ())] * len(plain._branches)  # no requirements: every branch runs
    plain._variants = [None] * len(plain._branches)  # and searches itself, not its variants
    assert all(strict or soft for strict, soft in gated._needs)
    texts = [case.text for case in CORPUS]
    texts += ["".join(texts[i : i + 9]) for i in range(0, len(texts), 3)]
    # several variants of one branch in a text: the leftmost match, the first alternative
    texts += [
        "承诺回报，保证收益，确定年化3%，锁定收益",
        "客户王伟的保单，投保人李娜确诊，受益人张三",
    ]
    for text in texts:
        for category in (None, "story", "value", "ad"):
            context = CheckContext(category)
            assert gated.check(text, context) == plain.check(text, context), text


def test_a_key_found_across_two_characters_is_no_hit() -> None:
    # The automaton reads UTF-16 bytes: 亘百ꜭ holds the bytes of 顶级 (an R05
    # phrase) at an odd offset, across its characters.
    checker = Checker(STARTER_RULES)
    text = "亘百ꜭ"
    assert _encode(text).find(_encode("顶级")) % 2 == 1
    assert checker.check(text) == []
    assert [f.code for f in checker.check("顶级")] == ["R05"]


def test_span_after_an_astral_character_is_the_original_text() -> None:
    text = "𠀀好，稳赚不赔"  # U+20000 is a letter: the normalised text keeps it
    (finding,) = default_checker().check(text)
    assert (finding.code, finding.matched) == ("R01", "稳赚不赔")
    assert text[finding.start : finding.end] == finding.matched


@pytest.mark.parametrize(
    ("pattern", "variants"),
    [
        (
            r"(?:保证|承诺)[^。]{0,6}?收益",
            [("保证", r"(?:保证)[^。]{0,6}?收益"), ("承诺", r"(?:承诺)[^。]{0,6}?收益")],
        ),
        (r"(?:被保险?人|客户)[0-9]", [("被保", r"(?:被保险?人)[0-9]"), ("客户", r"(?:客户)[0-9]")]),
        (r"(?:保证|承诺)?收益", []),  # the group is optional
        (r"(?:(?P<x>保证)|承诺)收益", []),  # an alternative has a group of its own
        (r"(?:[0-9]+|承诺)收益", []),  # an alternative opens with no literal
        (r"保单(?:号|编号)", []),  # opens with a literal already
    ],
)
def test_prefix_variants_of_a_branch(pattern: str, variants: list[tuple[str, str]]) -> None:
    assert list(prefix_variants(pattern)) == variants


@pytest.mark.parametrize(
    ("pattern", "friendly"),
    [
        (r"[0-9]+%[^。]{0,3}?确定", r"[0-9][0-9]*%[^。]{0,3}?确定"),
        (r"\d+元", r"\d\d*元"),
        (r"保+本", r"保保*本"),
        (r"[\]x]+y", r"[\]x][\]x]*y"),
        (r"[0-9]+?%", r"[0-9]+?%"),  # lazy: left alone
        (r"[0-9]++%", r"[0-9]++%"),  # possessive: left alone
        (r"(?:ab)+c", r"(?:ab)+c"),  # a group, not one character
        (r"[]a]+b", r"[]a]+b"),  # a class this reading does not parse
        (r"(?i)a+", r"(?i)a+"),
    ],
)
def test_scan_friendly_rewrites_only_a_leading_one_character_repeat(
    pattern: str, friendly: str
) -> None:
    assert scan_friendly(pattern) == friendly
    rng = random.Random(5)
    texts = [
        "".join(rng.choice("保本元确定%0123456789]xyabc。") for _ in range(60)) for _ in range(300)
    ]
    for text in texts:
        original, rewritten = re.compile(pattern), re.compile(friendly)
        for pos in range(0, 60, 7):
            a, b = original.search(text, pos), rewritten.search(text, pos)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


def test_a_case_blind_pattern_is_not_gated_on_its_literals() -> None:
    checker = Checker([Rule(code="C1", kind="pattern", pattern="(?i)VIP专享")])
    assert [f.matched for f in checker.check("ｖｉｐ专享")] == ["ｖｉｐ专享"]


def test_checker_is_safe_to_share_between_threads() -> None:
    checker = Checker(STARTER_RULES)
    texts = [case.text for case in CORPUS] * 5
    expected = [checker.check(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(checker.check, texts)) == expected


def test_default_checker_is_built_once() -> None:
    assert default_checker() is default_checker()


def test_starter_patterns_compile_and_findings_carry_rule_data() -> None:
    for rule in STARTER_RULES:
        if rule.pattern:
            re.compile(rule.pattern)
    (finding,) = default_checker().check("转我微信")
    r12 = next(rule for rule in STARTER_RULES if rule.code == "R12")
    assert (finding.message, finding.suggestion) == (r12.message, r12.suggestion)
