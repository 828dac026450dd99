"""Deleting an interaction or correcting its time: warmth follows exactly.

After a delete the lead's warmth is what it would be had the interaction never been logged;
after a time correction, what it would be had it been logged at the new time. Both are
checked against a twin lead that was logged that way from the start, over generated
histories.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts import warmth
from contacts.models import Alert, AlertKind, Contact, Interaction, InteractionKind
from contacts.services import contact_erase, interaction_delete, interaction_log, interaction_move
from contacts.tests.factories import ContactFactory, InteractionFactory
from contacts.warmth import Tier
from crm.tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
KINDS = ["message_in", "liked", "commented", "call", "meeting", "quote", "purchase"]

# A history: each interaction's kind and how many minutes before NOW it happened (up to
# 200 days, so terms of very different sizes meet in one sum).
histories = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(min_value=0, max_value=200 * 24 * 60)),
    min_size=1,
    max_size=8,
)
examples = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _log_all(contact: Contact, history: list[tuple[str, int]]) -> list[Interaction]:
    return [
        interaction_log(
            contact=contact, kind=kind, at=NOW - timedelta(minutes=minutes), by=contact.owner
        ).interaction
        for kind, minutes in history
    ]


def _assert_same_warmth(contact: Contact, twin: Contact) -> None:
    contact.refresh_from_db()
    twin.refresh_from_db()
    assert contact.warmth_ref == pytest.approx(twin.warmth_ref, rel=1e-9, abs=1e-9)
    assert contact.last_interaction_at == twin.last_interaction_at


@time_machine.travel(NOW, tick=False)
@examples
@given(history=histories, data=st.data())
def test_after_a_delete_warmth_is_as_if_it_was_never_logged(history, data):
    owner = AgentFactory(team=TeamFactory(warmth_half_life_days=10))
    gone = data.draw(st.integers(min_value=0, max_value=len(history) - 1), label="deleted")
    contact, twin = ContactFactory(owner=owner), ContactFactory(owner=owner)
    logged = _log_all(contact, history)
    _log_all(twin, history[:gone] + history[gone + 1 :])

    result = interaction_delete(interaction=logged[gone])

    assert not Interaction.objects.filter(pk=logged[gone].pk).exists()
    _assert_same_warmth(contact, twin)
    assert result.warmth == pytest.approx(warmth.warmth_now(twin.warmth_ref, NOW, 10), abs=1e-9)
    assert result.now == NOW


@time_machine.travel(NOW, tick=False)
@examples
@given(history=histories, data=st.data())
def test_after_a_time_correction_warmth_is_as_if_logged_at_the_new_time(history, data):
    owner = AgentFactory(team=TeamFactory(warmth_half_life_days=10))
    moved = data.draw(st.integers(min_value=0, max_value=len(history) - 1), label="moved")
    minutes = data.draw(st.integers(min_value=0, max_value=200 * 24 * 60), label="new time")
    contact, twin = ContactFactory(owner=owner), ContactFactory(owner=owner)
    logged = _log_all(contact, history)
    corrected = list(history)
    corrected[moved] = (history[moved][0], minutes)
    _log_all(twin, corrected)

    result = interaction_move(interaction=logged[moved], at=NOW - timedelta(minutes=minutes))

    assert Interaction.objects.get(pk=logged[moved].pk).at == NOW - timedelta(minutes=minutes)
    _assert_same_warmth(contact, twin)
    assert result.interaction.at == NOW - timedelta(minutes=minutes)


@time_machine.travel(NOW, tick=False)
def test_deleting_the_last_interaction_leaves_no_warmth_at_all():
    contact = ContactFactory()
    logged = interaction_log(contact=contact, kind="purchase", by=contact.owner).interaction
    result = interaction_delete(interaction=logged)
    contact.refresh_from_db()
    assert contact.warmth_ref == 0.0  # exactly: nothing is left to sum
    assert contact.last_interaction_at is None
    assert (result.warmth, result.tier) == (0.0, Tier.COLD)


@time_machine.travel(NOW, tick=False)
def test_a_time_can_be_back_dated_but_never_moved_into_the_future():
    contact = ContactFactory()
    logged = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    for bad in [
        NOW + timedelta(hours=1),
        datetime(2026, 11, 24, 9, 0),  # naive
        datetime(2300, 1, 1, tzinfo=UTC),
    ]:
        with pytest.raises(ValidationError) as caught:
            interaction_move(interaction=logged, at=bad)
        assert list(caught.value.message_dict) == ["at"]
    contact.refresh_from_db()
    assert contact.last_interaction_at == NOW
    assert Interaction.objects.get(pk=logged.pk).at == NOW
    interaction_move(interaction=logged, at=NOW - timedelta(days=14))
    contact.refresh_from_db()
    assert contact.last_interaction_at == NOW - timedelta(days=14)
    assert warmth.warmth_now(contact.warmth_ref, NOW, 14) == pytest.approx(5.0)


@time_machine.travel(NOW, tick=False)
def test_an_erased_contacts_interactions_cannot_be_changed():
    contact = ContactFactory()
    logged = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    contact_erase(contact=contact, actor=contact.owner)
    with pytest.raises(ValidationError):
        interaction_delete(interaction=logged)
    with pytest.raises(ValidationError):
        interaction_move(interaction=logged, at=NOW - timedelta(days=1))
    assert Interaction.objects.filter(pk=logged.pk, at=NOW).exists()


@time_machine.travel(NOW, tick=False)
def test_deleting_twice_takes_the_term_away_once():
    contact = ContactFactory()
    interaction_log(contact=contact, kind="meeting", by=contact.owner)
    logged = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    interaction_delete(interaction=logged)
    with pytest.raises(ValidationError):
        interaction_delete(interaction=logged)
    contact.refresh_from_db()
    assert warmth.warmth_now(contact.warmth_ref, NOW, 14) == pytest.approx(20.0)


@time_machine.travel(NOW, tick=False)
def test_a_hot_alert_the_deleted_interaction_raised_is_withdrawn():
    contact = ContactFactory()
    purchase = interaction_log(contact=contact, kind="purchase", by=contact.owner).interaction
    interaction_log(contact=contact, kind="call", by=contact.owner)
    today = NOW.date()
    hot = Alert.objects.create(
        owner=contact.owner, contact=contact, kind=AlertKind.HOT, for_date=today, warmth=50
    )
    dismissed = Alert.objects.create(
        owner=contact.owner,
        contact=contact,
        kind=AlertKind.HOT,
        for_date=today - timedelta(days=1),
        warmth=45,
        dismissed_at=NOW,
    )
    follow_up = Alert.objects.create(
        owner=contact.owner, contact=contact, kind=AlertKind.FOLLOW_UP, for_date=today
    )
    result = interaction_delete(interaction=purchase)
    assert result.tier is Tier.WARM
    assert set(Alert.objects.filter(contact=contact)) == {dismissed, follow_up}
    assert not Alert.objects.filter(pk=hot.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_a_hot_alert_stays_while_the_lead_is_still_hot():
    contact = ContactFactory()
    interaction_log(contact=contact, kind="purchase", by=contact.owner)
    call = interaction_log(contact=contact, kind="call", by=contact.owner).interaction
    hot = Alert.objects.create(
        owner=contact.owner, contact=contact, kind=AlertKind.HOT, for_date=NOW.date(), warmth=50
    )
    assert interaction_delete(interaction=call).tier is Tier.HOT
    assert Alert.objects.filter(pk=hot.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_delete_and_correction_take_the_same_queries_with_a_long_history():
    kind = InteractionKind.objects.get(code="call")
    short, long = ContactFactory(), ContactFactory()
    InteractionFactory.create_batch(300, contact=long, kind=kind, at=NOW - timedelta(days=1))
    counts = []
    for contact in (short, long):
        one = interaction_log(contact=contact, kind=kind, by=None).interaction
        other = interaction_log(contact=contact, kind=kind, by=None).interaction
        with CaptureQueriesContext(connection) as moved:
            interaction_move(interaction=one, at=NOW - timedelta(hours=3))
        with CaptureQueriesContext(connection) as deleted:
            interaction_delete(interaction=other)
        counts.append((len(moved.captured_queries), len(deleted.captured_queries)))
        sqls = " ".join(q["sql"] for q in moved.captured_queries + deleted.captured_queries)
        assert "SUM(" not in sqls.upper()  # never reads the history
    assert counts[0] == counts[1]
