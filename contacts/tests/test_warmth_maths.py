"""The warmth maths at exact times."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts import warmth
from contacts.warmth import Thresholds, Tier

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_one_interaction_halves_every_half_life():
    ref = warmth.term(40, NOW - timedelta(days=14), 14)
    assert warmth.warmth_now(ref, NOW, 14) == pytest.approx(20.0)
    assert warmth.warmth_now(ref, NOW + timedelta(days=14), 14) == pytest.approx(10.0)


def test_fresh_interaction_counts_its_full_weight():
    ref = warmth.term(25, NOW, 14)
    assert warmth.warmth_now(ref, NOW, 14) == pytest.approx(25.0)


def test_scores_add_up_and_order_is_preserved_by_ref():
    a = warmth.ref_score([(5, NOW - timedelta(days=30)), (20, NOW - timedelta(days=1))], 14)
    b = warmth.ref_score([(40, NOW - timedelta(days=60))], 14)
    now_a, now_b = warmth.warmth_now(a, NOW, 14), warmth.warmth_now(b, NOW, 14)
    assert now_a == pytest.approx(5 * 2 ** (-30 / 14) + 20 * 2 ** (-1 / 14))
    assert (a > b) == (now_a > now_b)


@pytest.mark.parametrize(
    ("value", "tier"),
    [(0, Tier.COLD), (9.99, Tier.COLD), (10, Tier.WARM), (39.9, Tier.WARM), (40, Tier.HOT)],
)
def test_tiers_at_their_thresholds(value, tier):
    assert warmth.tier_of(value, Thresholds(warm=10, hot=40)) is tier


def test_ref_threshold_moves_with_the_clock():
    ref = warmth.term(40, NOW, 14)
    assert ref >= warmth.ref_threshold(40, NOW, 14)
    assert ref < warmth.ref_threshold(40, NOW + timedelta(hours=1), 14)
    assert warmth.ref_threshold(40, NOW + timedelta(days=14), 14) == pytest.approx(
        2 * warmth.ref_threshold(40, NOW, 14)
    )


def test_stored_form_lasts_decades_without_overflow():
    far = warmth.REFERENCE + timedelta(days=14 * 1000)
    assert not warmth.exponent_overflows(far, 14)
    assert math.isfinite(warmth.ref_score([(40, far)] * 1000, 14))
    with pytest.raises(OverflowError):
        warmth.term(1, warmth.REFERENCE + timedelta(days=14 * 1001), 14)


def test_old_history_underflows_to_zero_not_an_error():
    # The factor is held at 2**-1000 (as the database's is): zero for any purpose.
    ref = warmth.term(40, warmth.REFERENCE - timedelta(days=14 * 2000), 14)
    assert 0.0 <= warmth.warmth_now(ref, NOW, 14) < 1e-290
    assert warmth.shown(warmth.warmth_now(ref, NOW, 14)) == "0.0"


def test_half_life_below_minimum_is_refused():
    with pytest.raises(ValueError, match="half-life"):
        warmth.term(1, NOW, 1)


def test_curve_counts_only_past_interactions():
    events = [(20, NOW - timedelta(days=10)), (40, NOW - timedelta(days=2))]
    points = warmth.curve(
        events, start=NOW - timedelta(days=12), end=NOW, step=timedelta(days=4), half_life_days=14
    )
    assert [p[0] for p in points] == [NOW - timedelta(days=d) for d in (12, 8, 4, 0)]
    assert points[0][1] == 0.0
    assert points[1][1] == pytest.approx(20 * 2 ** (-2 / 14))
    assert points[-1][1] == pytest.approx(20 * 2 ** (-10 / 14) + 40 * 2 ** (-2 / 14))


def test_contribution_now_explains_the_total():
    events = [(8, NOW - timedelta(days=3)), (25, NOW - timedelta(days=20))]
    total = warmth.warmth_now(warmth.ref_score(events, 14), NOW, 14)
    parts = [warmth.contribution_now(w, at, NOW, 14) for w, at in events]
    assert sum(parts) == pytest.approx(total)


@given(
    st.lists(st.tuples(st.floats(0, 100), st.integers(-3650, 1500)), min_size=0, max_size=30),
    st.integers(3, 90),
)
def test_stored_form_equals_the_direct_sum(raw, half_life):
    events = [(w, NOW + timedelta(days=d)) for w, d in raw]
    direct = math.fsum(
        w * 2 ** ((at - NOW).total_seconds() / (half_life * 86400)) for w, at in events
    )
    stored = warmth.warmth_now(warmth.ref_score(events, half_life), NOW, half_life)
    assert stored == pytest.approx(direct, rel=1e-9, abs=1e-9)
