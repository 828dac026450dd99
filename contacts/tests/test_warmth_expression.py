"""The one decay expression (``contacts.warmth.expressions``) against the Python maths, and the
reads built on it: tiers across teams, "why this warmth", the recompute. Run on SQLite by
default and on PostgreSQL with ``DATABASE_URL``: both must give the maths' numbers."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contacts import warmth
from contacts.models import Contact, Interaction
from contacts.tests.factories import ContactFactory, InteractionFactory
from contacts.warmth import half_life
from contacts.warmth.recompute import warmth_recompute
from contacts.warmth.selectors import WHY_HORIZON_HALF_LIVES, contact_why, why_of
from crm.tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
# Days from NOW, both ways, past REFERENCE; microseconds are kept (the column holds them).
OFFSETS = st.floats(min_value=-3000.0, max_value=30.0, allow_nan=False)
HALF_LIVES = st.integers(min_value=warmth.MIN_HALF_LIFE_DAYS, max_value=120)
MICROSECONDS = st.integers(min_value=0, max_value=999_999)
WEIGHTS = st.floats(min_value=0.5, max_value=100.0, allow_nan=False)
_PROPERTY = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def row():
    return InteractionFactory(contact=ContactFactory(), at=NOW)


@_PROPERTY
@given(weight=WEIGHTS, days=OFFSETS, us=MICROSECONDS, half_life_days=HALF_LIVES)
def test_contribution_in_the_database_is_the_maths(row, weight, days, us, half_life_days):
    at = (NOW + timedelta(days=days)).replace(microsecond=us)
    Interaction.objects.filter(pk=row.pk).update(weight=weight, at=at)
    stored = Interaction.objects.get(pk=row.pk)  # the time as the column keeps it
    value = Interaction.objects.with_contribution(NOW, half_life_days).get(pk=row.pk).contribution
    expected = warmth.contribution_now(weight, stored.at, NOW, half_life_days)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-300)


@_PROPERTY
@given(ref=st.floats(min_value=0.0, max_value=1e12), days=OFFSETS, team_days=st.integers(0, 90))
def test_warmth_now_in_the_database_is_the_maths(row, ref, days, team_days):
    # Any stored half-life, the unusable ones (0 to 2 days) too: both read it through clamp.
    row.contact.owner.team.warmth_half_life_days = team_days
    row.contact.owner.team.save(update_fields=["warmth_half_life_days"])
    Contact.objects.filter(pk=row.contact_id).update(warmth_ref=ref)
    now = NOW + timedelta(days=days)
    annotated = Contact.objects.with_tier(now).get(pk=row.contact_id)
    expected = warmth.warmth_now(ref, now, half_life.clamp(team_days))
    assert annotated.warmth_now == pytest.approx(expected, rel=1e-9, abs=1e-300)
    assert annotated.tier == warmth.tier_of(expected, warmth.thresholds())


def test_a_tiny_stored_score_is_zero_now_not_a_database_error():
    # Only ancient history: a stored score near 2**-1000, times a factor far below 1, is a
    # float product that rounds to 0, which PostgreSQL refuses ("value out of range").
    contact = ContactFactory(owner=AgentFactory(team=TeamFactory(warmth_half_life_days=3)))
    Contact.objects.filter(pk=contact.pk).update(warmth_ref=5e-302)
    annotated = Contact.objects.with_tier(NOW + timedelta(days=3650)).get(pk=contact.pk)
    assert 0.0 <= annotated.warmth_now < 1e-290
    assert annotated.tier == "cold"


def test_with_tier_uses_the_clamped_team_half_life():
    # A team may store a half-life below the minimum; every page reads it as the minimum.
    contact = ContactFactory(owner=AgentFactory(team=TeamFactory(warmth_half_life_days=1)))
    ref = warmth.ref_threshold(50.0, NOW, warmth.MIN_HALF_LIFE_DAYS)  # warmth 50 now
    Contact.objects.filter(pk=contact.pk).update(warmth_ref=ref)
    annotated = Contact.objects.with_tier(NOW).get(pk=contact.pk)
    assert annotated.warmth_now == pytest.approx(50.0, rel=1e-9)
    assert annotated.tier == "hot"


@pytest.mark.parametrize(
    ("stored", "read"), [(None, 14.0), (0, 3.0), (1, 3.0), (3, 3.0), (30, 30.0)]
)
def test_a_stored_half_life_reads_the_same_in_python_and_in_sql(stored, read):
    # 0 is below the minimum like 1 or 2, not "unset": the recompute always read it so.
    team = TeamFactory(warmth_half_life_days=stored if stored is not None else 14)
    contact = ContactFactory(owner=AgentFactory(team=team if stored is not None else None))
    assert half_life.clamp(stored) == read
    assert half_life.for_owner(contact.owner_id) == read
    in_sql = Contact.objects.annotate(days=half_life.expression("owner__team")).get(pk=contact.pk)
    assert in_sql.days == read


def test_very_old_history_decays_to_nothing_in_the_database():
    # 2**-(a few thousand): PostgreSQL's POWER() would raise "underflow" unclamped.
    old = InteractionFactory(at=NOW - timedelta(days=20 * 365), weight=50)
    value = Interaction.objects.with_contribution(NOW, 3).get(pk=old.pk).contribution
    assert 0.0 <= value < 1e-290


def _python_why(contact_ids, now, days):
    """The strongest interaction per contact by the maths, as the home used to pick it."""
    horizon = now - timedelta(days=days * WHY_HORIZON_HALF_LIVES)
    best = {}
    rows = Interaction.objects.filter(contact_id__in=contact_ids, at__gte=horizon, at__lte=now)
    for row in rows.order_by("-at", "-id"):
        value = warmth.contribution_now(row.weight, row.at, now, days)
        if row.contact_id not in best or value > best[row.contact_id][0]:
            best[row.contact_id] = (value, row.pk)
    return {contact_id: pk for contact_id, (_, pk) in best.items()}


def test_why_of_picks_each_contacts_strongest_interaction(django_assert_num_queries):
    rng = random.Random(21)
    owner = AgentFactory(team=TeamFactory(warmth_half_life_days=10))
    contacts = [ContactFactory(owner=owner) for _ in range(6)]
    for contact in contacts[:5]:
        for _ in range(rng.randint(1, 6)):
            InteractionFactory(
                contact=contact,
                at=NOW - timedelta(days=rng.uniform(0, 50)),
                weight=rng.choice([1, 5, 10, 30]),
            )
    InteractionFactory(contact=contacts[5], at=NOW - timedelta(days=60))  # beyond the horizon
    ids = [c.pk for c in contacts]
    with django_assert_num_queries(1):
        why = why_of(ids, NOW, 10)
        codes = {contact_id: row.kind.code for contact_id, row in why.items()}
    assert {contact_id: row.pk for contact_id, row in why.items()} == _python_why(ids, NOW, 10)
    assert contacts[5].pk not in why
    assert set(codes.values()) == {"call"}


def test_why_of_breaks_a_tie_for_the_latest():
    contact = ContactFactory()
    at = NOW - timedelta(days=1)
    first = InteractionFactory(contact=contact, at=at, weight=10)
    second = InteractionFactory(contact=contact, at=at, weight=10)
    assert why_of([contact.pk], NOW, 14)[contact.pk].pk == max(first.pk, second.pk)
    assert why_of([], NOW, 14) == {}


def test_contact_why_ranks_by_the_contribution_now():
    contact = ContactFactory()
    rows = [
        InteractionFactory(contact=contact, at=NOW - timedelta(days=days), weight=weight)
        for days, weight in [(1, 1), (30, 40), (3, 10), (60, 40), (0.5, 5), (10, 10)]
    ]
    InteractionFactory(contact=contact, at=NOW + timedelta(hours=1))  # after now: not counted
    contact.warmth_ref = warmth.ref_score([(r.weight, r.at) for r in rows], 14)
    parts = contact_why(contact, NOW, 14)
    expected = sorted(rows, key=lambda r: -warmth.contribution_now(r.weight, r.at, NOW, 14))
    assert [part.interaction.pk for part in parts] == [r.pk for r in expected[:5]]
    for part in parts:
        i = part.interaction
        assert part.now == pytest.approx(warmth.contribution_now(i.weight, i.at, NOW, 14))
    assert sum(part.share for part in parts) < 1


def test_recompute_gives_the_maths_stored_score_with_each_teams_half_life():
    rng = random.Random(7)
    contacts = []
    for days in (None, 1, 7, 30):  # no team, below the minimum, two real ones
        team = TeamFactory(warmth_half_life_days=days) if days is not None else None
        owner = AgentFactory(team=team)
        for _ in range(3):
            contact = ContactFactory(owner=owner)
            for _ in range(rng.randint(0, 5)):
                InteractionFactory(
                    contact=contact,
                    at=NOW - timedelta(days=rng.uniform(0, 400)),
                    weight=rng.choice([1, 5, 10, 30]),
                )
            contacts.append(contact)
    Contact.objects.update(warmth_ref=123.0)
    warmth_recompute()
    for contact in contacts:
        contact.refresh_from_db()
        events = list(contact.interactions.values_list("weight", "at"))
        expected = warmth.ref_score(events, half_life.for_owner(contact.owner_id))
        assert contact.warmth_ref == pytest.approx(expected, rel=1e-9, abs=0)
        latest = max((at for _, at in events), default=None)
        assert contact.last_interaction_at == latest
    assert warmth_recompute() == 0  # already right: nothing rewritten
