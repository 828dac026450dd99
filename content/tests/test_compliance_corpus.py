"""The labelled corpus: every case gets exactly the rule codes it is labelled with.

Pure engine tests: no database, no Django.
"""

from __future__ import annotations

import pytest

from content.compliance import CheckContext, default_checker
from content.tests.compliance_corpus import CORPUS, Case

ALL_CODES = {f"R{n:02d}" for n in range(1, 15)} - {"R11"}  # R11 is enforced by the scheduler


def _context(case: Case) -> CheckContext:
    return CheckContext(
        category=case.category,
        product_line=case.product_line,
        persona_licence=case.persona_licence,
        persona_name=case.persona_name,
    )


def _params():
    for case in CORPUS:
        marks = [pytest.mark.xfail(reason=case.known_gap, strict=True)] if case.known_gap else []
        yield pytest.param(case, id=f"{case.text[:24]}", marks=marks)


@pytest.mark.parametrize("case", _params())
def test_corpus_case_gets_exactly_its_rule_codes(case: Case) -> None:
    findings = default_checker().check(case.text, _context(case))
    assert {f.code for f in findings} == case.codes, [(f.code, f.matched) for f in findings]


@pytest.mark.parametrize("case", [c for c in CORPUS if c.codes], ids=lambda c: c.text[:24])
def test_every_finding_span_is_the_matched_original_text(case: Case) -> None:
    for finding in default_checker().check(case.text, _context(case)):
        assert case.text[finding.start : finding.end] == finding.matched
        if finding.start != finding.end:
            assert finding.matched.strip() == finding.matched  # no edge whitespace highlighted


def test_corpus_is_big_enough_and_covers_every_rule_evasions_and_negations() -> None:
    assert len(CORPUS) >= 100
    covered = set().union(*(case.codes for case in CORPUS))
    assert covered >= ALL_CODES
    notes = " ".join(case.note for case in CORPUS)
    for kind in ("full-width", "traditional", "spaces", "symbol", "emoji", "repeats", "negation"):
        assert kind in notes, kind
    clean = [case for case in CORPUS if not case.codes]
    assert len(clean) >= 30  # precision needs compliant text, not only violations
