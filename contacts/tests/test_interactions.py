"""Logging interactions: warmth moves at once, in constant time; tiers; stage suggestions."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import warmth
from contacts.models import Contact, Interaction, InteractionCode, InteractionKind, Stage
from contacts.services import contact_erase, interaction_log, warmth_recompute
from contacts.tests.factories import ContactFactory, InteractionFactory, interaction_kind
from contacts.warmth import Tier
from crm.tests.factories import AgentFactory, LeadFactory, TeamFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def _warmth(contact: Contact, at: datetime, half_life: float = 14) -> float:
    contact.refresh_from_db()
    return warmth.warmth_now(contact.warmth_ref, at, half_life)


def test_kinds_are_seeded_with_the_default_weights():
    weights = dict(InteractionKind.objects.values_list("code", "weight"))
    assert weights == {
        "added": 5,
        "message_in": 8,
        "message_out": 1,
        "liked": 3,
        "commented": 6,
        "shared": 8,
        "clicked": 4,
        "call": 10,
        "meeting": 20,
        "quote": 25,
        "purchase": 40,
        "referral": 30,
        "unfriended": 0,
    }


@time_machine.travel(NOW, tick=False)
def test_a_logged_meeting_counts_its_weight_now_and_halves_every_half_life():
    contact = ContactFactory()
    result = interaction_log(contact=contact, kind="meeting", by=contact.owner)
    assert result.warmth == pytest.approx(20.0)
    assert result.tier is Tier.WARM
    assert _warmth(contact, NOW) == pytest.approx(20.0)
    assert _warmth(contact, NOW + timedelta(days=14)) == pytest.approx(10.0)
    assert _warmth(contact, NOW + timedelta(days=28)) == pytest.approx(5.0)
    assert contact.last_interaction_at == NOW


def test_decay_at_exact_times_with_a_frozen_clock():
    contact = ContactFactory()
    with time_machine.travel(NOW - timedelta(days=7), tick=False):
        interaction_log(contact=contact, kind="quote", by=contact.owner)
    with time_machine.travel(NOW, tick=False):
        result = interaction_log(contact=contact, kind="call", by=contact.owner)
    assert result.warmth == pytest.approx(25 * 2 ** (-0.5) + 10)


@time_machine.travel(NOW, tick=False)
def test_team_half_life_is_used():
    team = TeamFactory(warmth_half_life_days=7)
    contact = ContactFactory(owner=AgentFactory(team=team))
    interaction_log(contact=contact, kind="purchase", at=NOW - timedelta(days=7), by=None)
    assert _warmth(contact, NOW, 7) == pytest.approx(20.0)


@time_machine.travel(NOW, tick=False)
def test_tier_changes_as_interactions_add_up_and_as_time_passes():
    contact = ContactFactory()
    owner = contact.owner
    assert interaction_log(contact=contact, kind="call", by=owner).tier is Tier.WARM
    assert interaction_log(contact=contact, kind="quote", by=owner).tier is Tier.WARM  # 35
    assert interaction_log(contact=contact, kind="message_in", by=owner).tier is Tier.HOT  # 43
    qs = Contact.objects.filter(pk=contact.pk)
    assert qs.hot(NOW).exists()
    # 43 halves to 21.5 after 14 days: warm; after 42 days 5.4: cold.
    assert qs.warm(NOW + timedelta(days=14)).exists()
    assert not qs.hot(NOW + timedelta(days=14)).exists()
    assert qs.cold(NOW + timedelta(days=42)).exists()
    annotated = qs.with_tier(NOW + timedelta(days=14)).get()
    assert annotated.tier == "warm"
    assert annotated.warmth_now == pytest.approx(21.5)


@time_machine.travel(NOW, tick=False)
def test_with_tier_uses_each_owners_team_half_life():
    fast = ContactFactory(owner=AgentFactory(team=TeamFactory(warmth_half_life_days=7)))
    slow = ContactFactory(owner=AgentFactory(team=TeamFactory(warmth_half_life_days=28)))
    interaction_log(contact=fast, kind="purchase", by=None)
    interaction_log(contact=slow, kind="purchase", by=None)
    later = NOW + timedelta(days=28)
    rows = {c.pk: c for c in Contact.objects.with_tier(later)}
    assert rows[fast.pk].warmth_now == pytest.approx(40 / 16)
    assert rows[fast.pk].tier == "cold"
    assert rows[slow.pk].warmth_now == pytest.approx(20.0)
    assert rows[slow.pk].tier == "warm"


@time_machine.travel(NOW, tick=False)
def test_hottest_orders_by_warmth_now():
    owner = AgentFactory()
    a, b, c = ContactFactory.create_batch(3, owner=owner)
    interaction_log(contact=a, kind="call", by=owner)
    interaction_log(contact=b, kind="purchase", at=NOW - timedelta(days=10), by=owner)  # 24.4
    interaction_log(contact=c, kind="meeting", by=owner)
    assert list(Contact.objects.owned_by(owner).hottest(2)) == [b, c]


@time_machine.travel(NOW, tick=False)
def test_quote_suggests_interested_and_purchase_suggests_customer():
    contact = ContactFactory(stage=Stage.ENGAGED)
    assert interaction_log(contact=contact, kind="quote", by=None).suggested_stage == "interested"
    assert interaction_log(contact=contact, kind="purchase", by=None).suggested_stage == "customer"
    contact.refresh_from_db()
    assert contact.stage == Stage.ENGAGED  # suggestions are not applied


@time_machine.travel(NOW, tick=False)
def test_no_backward_suggestion_for_a_customer():
    contact = ContactFactory(stage=Stage.CUSTOMER)
    assert interaction_log(contact=contact, kind="quote", by=None).suggested_stage is None
    assert interaction_log(contact=contact, kind="call", by=None).suggested_stage is None


@time_machine.travel(NOW, tick=False)
def test_unfriended_sets_the_lead_to_lost():
    contact = ContactFactory(stage=Stage.INTERESTED)
    result = interaction_log(contact=contact, kind="unfriended", by=contact.owner)
    assert result.stage_set == Stage.LOST
    contact.refresh_from_db()
    assert contact.stage == Stage.LOST


@time_machine.travel(NOW, tick=False)
def test_future_time_unknown_kind_and_erased_contact_are_field_errors():
    contact = ContactFactory()
    with pytest.raises(ValidationError) as exc:
        interaction_log(contact=contact, kind="call", at=NOW + timedelta(hours=1), by=None)
    assert "at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        interaction_log(contact=contact, kind="hug", by=None)
    assert "kind" in exc.value.message_dict
    contact_erase(contact=contact, actor=contact.owner)
    with pytest.raises(ValidationError) as exc:
        interaction_log(contact=contact, kind="call", by=None)
    assert "contact" in exc.value.message_dict
    assert not Interaction.objects.filter(contact=contact).exists()


@time_machine.travel(NOW, tick=False)
def test_erasure_wipes_interaction_notes_and_keeps_the_rows():
    contact = ContactFactory()
    interaction_log(contact=contact, kind="call", note="她说女儿明年上大学", by=None)
    contact_erase(contact=contact, actor=contact.owner)
    assert list(Interaction.objects.filter(contact=contact).values_list("note", flat=True)) == [""]


@time_machine.travel(NOW, tick=False)
def test_logging_takes_the_same_queries_with_a_long_history():
    kind = InteractionKind.objects.get(code=InteractionCode.CALL)
    short, long = ContactFactory(), ContactFactory()
    InteractionFactory(contact=short, kind=kind, at=NOW - timedelta(days=1))
    InteractionFactory.create_batch(300, contact=long, kind=kind, at=NOW - timedelta(days=1))
    counts = []
    for contact in (short, long):
        with CaptureQueriesContext(connection) as ctx:
            interaction_log(contact=contact, kind=kind, by=contact.owner)
        counts.append(len(ctx.captured_queries))
        sqls = " ".join(q["sql"] for q in ctx.captured_queries)
        assert "contacts_interaction" in sqls
        assert "SUM(" not in sqls.upper()  # never reads the history
    assert counts[0] == counts[1]
    assert counts[0] <= 6


def test_warmth_update_is_a_single_relative_update():
    contact = ContactFactory()
    with CaptureQueriesContext(connection) as ctx:
        interaction_log(contact=contact, kind="call", by=None)
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"warmth_ref" = ("contacts_contact"."warmth_ref" +' in updates[0]


def _history(contact: Contact) -> list[tuple[float, datetime]]:
    return list(Interaction.objects.filter(contact=contact).values_list("weight", "at"))


def _build_histories(owner) -> list[Contact]:
    contacts = ContactFactory.create_batch(4, owner=owner)
    kinds = list(InteractionKind.objects.exclude(code="unfriended"))
    for i, contact in enumerate(contacts[:3]):
        for j in range(12):
            at = NOW - timedelta(days=(i * 17 + j * 5) % 120, hours=j, minutes=i * 7, seconds=j)
            with time_machine.travel(at, tick=False):
                interaction_log(contact=contact, kind=kinds[(i + j) % len(kinds)], by=owner)
    return contacts  # the fourth has no history


def _assert_recompute_matches_logging(owner, half_life: float) -> None:
    contacts = _build_histories(owner)
    logged = {c.pk: Contact.objects.get(pk=c.pk) for c in contacts}
    # Scramble the stored values, then rebuild from history alone.
    Contact.objects.filter(owner=owner).update(warmth_ref=12345.0, last_interaction_at=NOW)
    changed = warmth_recompute(owner_id=owner.pk)
    assert changed == len(contacts)
    for contact in contacts:
        contact.refresh_from_db()
        expected = warmth.ref_score(_history(contact), half_life)
        assert contact.warmth_ref == pytest.approx(logged[contact.pk].warmth_ref, rel=1e-9)
        assert contact.warmth_ref == pytest.approx(expected, rel=1e-9)
        assert contact.last_interaction_at == logged[contact.pk].last_interaction_at
    assert contacts[3].warmth_ref == 0
    assert contacts[3].last_interaction_at is None
    # Idempotent: a second run finds nothing to change.
    assert warmth_recompute(owner_id=owner.pk) == 0


def test_recompute_equals_incremental_logging_on_sqlite_or_postgres():
    owner = AgentFactory(team=TeamFactory(warmth_half_life_days=10))
    _assert_recompute_matches_logging(owner, 10)


@pytest.mark.postgres
def test_recompute_equals_incremental_logging_on_postgres():
    owner = AgentFactory(team=TeamFactory(warmth_half_life_days=21))
    _assert_recompute_matches_logging(owner, 21)


def test_recompute_scoped_to_a_team_leaves_others_alone():
    lead = LeadFactory()
    mine = ContactFactory(owner=AgentFactory(team=lead.team))
    other = ContactFactory()
    InteractionFactory(contact=mine, at=NOW)
    InteractionFactory(contact=other, at=NOW)
    assert warmth_recompute(team_id=lead.team_id) == 1
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.warmth_ref == pytest.approx(warmth.term(10, NOW, 14))
    assert other.warmth_ref == 0


def test_reweighing_a_kind_rewrites_past_weights_and_warmth():
    from contacts.services import interactions_reweigh

    contact = ContactFactory()
    with time_machine.travel(NOW, tick=False):
        interaction_log(contact=contact, kind="call", by=None)
    kind = InteractionKind.objects.get(code="call")
    kind.weight = 15
    kind.save()
    assert interactions_reweigh(kinds=[kind]) == 1
    contact.refresh_from_db()
    assert contact.warmth_ref == pytest.approx(warmth.term(15, NOW, 14))


@time_machine.travel(NOW, tick=False)
def test_a_reaction_links_to_the_agents_post_and_refuses_another_agents():
    from scheduler.tests.factories import PostFactory

    contact = ContactFactory()
    mine = PostFactory(persona__owner=contact.owner)
    result = interaction_log(contact=contact, kind="liked", post=mine, by=contact.owner)
    assert result.interaction.post == mine
    assert list(mine.interactions.all()) == [result.interaction]
    with pytest.raises(ValidationError) as exc:
        interaction_log(contact=contact, kind="liked", post=PostFactory(), by=contact.owner)
    assert "post" in exc.value.message_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_full_recompute_outside_a_transaction_rebuilds_every_contact():
    # As the nightly task runs it: autocommit, every team's half-life, contacts without history.
    interaction_kind(InteractionCode.CALL)  # an earlier transactional test flushed the kinds
    owners = [AgentFactory(team=TeamFactory(warmth_half_life_days=h)) for h in (7, 30)]
    contacts = [c for owner in owners for c in _build_histories(owner)]
    contacts += [ContactFactory(owner=owners[0]) for _ in range(5)]  # no history
    logged = {c.pk: Contact.objects.get(pk=c.pk) for c in contacts}
    Contact.objects.update(warmth_ref=12345.0, last_interaction_at=NOW)

    assert warmth_recompute() == len(contacts)
    for contact in contacts:
        contact.refresh_from_db()
        assert contact.warmth_ref == pytest.approx(logged[contact.pk].warmth_ref, rel=1e-9)
        assert contact.last_interaction_at == logged[contact.pk].last_interaction_at
    assert warmth_recompute() == 0
