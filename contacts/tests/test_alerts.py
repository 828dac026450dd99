"""Daily warmth alerts at 08:00 local: hot, going cold, follow-ups; never doubled."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from contacts.models import Alert, AlertKind, AlertRun
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory
from contacts.warmth.alerts import alert_dismiss, alerts_raise_for, alerts_run_due
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

# 08:00 in Shanghai is 00:00 UTC.
DAY0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def day(n: int, hours: float = 0) -> datetime:
    return DAY0 + timedelta(days=n, hours=hours)


def kinds(owner) -> list[tuple[str, int]]:
    return sorted(
        Alert.objects.filter(owner=owner).values_list("kind", "contact_id"), key=lambda r: r
    )


def log(contact, kind, at):
    with time_machine.travel(at, tick=False):
        return interaction_log(contact=contact, kind=kind, by=contact.owner)


def test_job_waits_for_0800_local_time():
    shanghai = AgentFactory(time_zone="Asia/Shanghai")
    london = AgentFactory(time_zone="Europe/London")

    def runs(owner):
        return sorted(AlertRun.objects.filter(owner=owner).values_list("local_date", flat=True))

    with time_machine.travel(day(0, -0.25), tick=False):  # 07:45 Shanghai, 23:45 London
        assert alerts_run_due() == 1
    assert runs(shanghai) == []
    assert runs(london) == [date(2026, 11, 1)]
    with time_machine.travel(day(0, 0.25), tick=False):  # 08:15 Shanghai, 00:15 London
        assert alerts_run_due() == 1
    assert runs(shanghai) == [date(2026, 11, 2)]
    with time_machine.travel(day(0, 7.9), tick=False):  # 07:54 London
        assert alerts_run_due() == 0
    with time_machine.travel(day(0, 8.25), tick=False):  # 08:15 London
        assert alerts_run_due() == 1
    assert runs(london) == [date(2026, 11, 1), date(2026, 11, 2)]


def test_running_twice_the_same_day_never_doubles_alerts():
    agent = AgentFactory()
    contact = ContactFactory(owner=agent)
    log(contact, "purchase", day(0, -2))
    log(contact, "message_in", day(0, -2))  # 48: hot since yesterday's (absent) run
    with time_machine.travel(day(0, 0.1), tick=False):
        assert alerts_run_due() == 1
        assert alerts_run_due() == 0
        assert alerts_raise_for(owner=agent) is None
    with time_machine.travel(day(0, 5), tick=False):
        assert alerts_run_due() == 0
    assert kinds(agent) == [(AlertKind.HOT, contact.pk)]
    # Even if the run record were lost, the alerts' own key refuses a second copy.
    AlertRun.objects.all().delete()
    with time_machine.travel(day(0, 6), tick=False):
        assert alerts_run_due() == 1
    assert Alert.objects.filter(owner=agent).count() == 1


def test_turned_hot_since_the_last_run_only():
    agent = AgentFactory()
    already, heating, lukewarm = ContactFactory.create_batch(3, owner=agent)
    log(already, "purchase", day(-1, 1))
    log(already, "call", day(-1, 1))  # 50 during the day before the first run
    log(heating, "meeting", day(-1))
    log(lukewarm, "call", day(-1))
    with time_machine.travel(day(0), tick=False):
        alerts_raise_for(owner=agent)
    assert kinds(agent) == [(AlertKind.HOT, already.pk)]
    log(heating, "quote", day(0, 3))  # 20 * 2^(-1.1/14) + 25 > 40: hot during day 0
    log(already, "message_in", day(0, 4))  # still hot: not news
    with time_machine.travel(day(1), tick=False):
        run = alerts_raise_for(owner=agent)
    assert run.raised == 1
    today = Alert.objects.filter(owner=agent, for_date=date(2026, 11, 3))
    assert list(today.values_list("kind", "contact_id")) == [(AlertKind.HOT, heating.pk)]


def test_a_quiet_hot_lead_raises_going_cold_once_when_it_falls_a_tier():
    agent = AgentFactory()
    contact = ContactFactory(owner=agent)
    log(contact, "purchase", day(0, -1))
    log(contact, "meeting", day(0, -1))  # 60: falls below 40 after 8.19 days
    cooling_days = []
    for n in range(0, 12):
        with time_machine.travel(day(n), tick=False):
            alerts_raise_for(owner=agent)
        if Alert.objects.filter(owner=agent, kind=AlertKind.COOLING, for_date=day(n).date()):
            cooling_days.append(n)
    assert cooling_days == [9]


def test_a_lead_that_cools_while_recently_touched_is_not_going_cold():
    agent = AgentFactory()
    contact = ContactFactory(owner=agent)
    log(contact, "quote", day(0, -1))
    log(contact, "message_in", day(0, -1))
    log(contact, "message_out", day(0, -1))
    log(contact, "message_in", day(0, -1))  # 42: warm again after ~1 day, not quiet 7 days
    for n in range(0, 4):
        with time_machine.travel(day(n), tick=False):
            alerts_raise_for(owner=agent)
    assert not Alert.objects.filter(kind=AlertKind.COOLING).exists()


def test_follow_ups_due_today_are_raised():
    agent = AgentFactory()
    due = ContactFactory(owner=agent, next_follow_up=date(2026, 11, 2))
    ContactFactory(owner=agent, next_follow_up=date(2026, 11, 3))
    with time_machine.travel(day(0, 1), tick=False):
        alerts_run_due()
    assert kinds(agent) == [(AlertKind.FOLLOW_UP, due.pk)]


def test_other_agents_leads_never_raise_my_alerts():
    agent, other = AgentFactory(), AgentFactory()
    log(ContactFactory(owner=other), "purchase", day(0, -1))
    with time_machine.travel(day(0, 1), tick=False):
        alerts_raise_for(owner=agent)
    assert not Alert.objects.filter(owner=agent).exists()


def test_dismissing_keeps_the_first_time():
    agent = AgentFactory()
    contact = ContactFactory(owner=agent, next_follow_up=date(2026, 11, 2))
    with time_machine.travel(day(0, 1), tick=False):
        alerts_raise_for(owner=agent)
    alert = Alert.objects.get(contact=contact)
    with time_machine.travel(day(0, 2), tick=False):
        alert_dismiss(alert=alert, by=agent)
    with time_machine.travel(day(0, 3), tick=False):
        alert_dismiss(alert=alert, by=agent)
    assert alert.dismissed_at == day(0, 2)


def test_beat_runs_the_tick_every_15_minutes_and_the_tick_raises_alerts(settings):
    from contacts.tasks import warmth_alerts_tick

    entry = settings.CELERY_BEAT_SCHEDULE["warmth-alerts"]
    assert entry["task"] == warmth_alerts_tick.name
    assert entry["schedule"] == 900.0
    agent = AgentFactory()
    ContactFactory(owner=agent, next_follow_up=date(2026, 11, 2))
    with time_machine.travel(day(0, 1), tick=False):
        assert warmth_alerts_tick() == 1
    assert Alert.objects.filter(owner=agent, kind=AlertKind.FOLLOW_UP).count() == 1
