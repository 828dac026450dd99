"""Posting windows: defaults, team and agent layers by name, weekdays, and time zones."""

import datetime as dt
import zoneinfo

import pytest

from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import EVERY_DAY, WEEKDAY_BITS, PostingWindow

pytestmark = pytest.mark.django_db


def names(windows):
    return [(w.name, w.start.strftime("%H:%M"), w.end.strftime("%H:%M")) for w in windows]


def test_the_seeds_golden_hours_are_the_global_defaults():
    agent = AgentFactory()
    assert names(PostingWindow.objects.effective_for(agent)) == [
        ("commute", "07:30", "09:00"),
        ("lunch", "12:00", "13:30"),
        ("bedtime", "21:30", "23:00"),
    ]


def test_team_windows_replace_defaults_by_name_and_agents_replace_the_teams():
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    teammate = AgentFactory(team=lead.led_team)
    PostingWindow.objects.create(
        name="lunch", start=dt.time(11, 30), end=dt.time(12, 30), team=lead.led_team
    )
    PostingWindow.objects.create(
        name="tea", start=dt.time(15), end=dt.time(15, 45), team=lead.led_team
    )
    PostingWindow.objects.create(name="lunch", start=dt.time(12, 15), end=dt.time(13), owner=agent)
    PostingWindow.objects.create(
        name="bedtime", start=dt.time(22), end=dt.time(23), owner=agent, active=False
    )

    assert names(PostingWindow.objects.effective_for(agent)) == [
        ("commute", "07:30", "09:00"),
        ("lunch", "12:15", "13:00"),
        ("tea", "15:00", "15:45"),
    ]
    assert names(PostingWindow.objects.effective_for(teammate)) == [
        ("commute", "07:30", "09:00"),
        ("lunch", "11:30", "12:30"),
        ("tea", "15:00", "15:45"),
        ("bedtime", "21:30", "23:00"),
    ]
    # another team sees none of this
    assert len(PostingWindow.objects.effective_for(AgentFactory())) == 3
    # the calendars' plain read layers them the same way
    for who in (agent, teammate, lead):
        assert PostingWindow.objects.effective_labels_for(who) == [
            (w.name, w.label) for w in PostingWindow.objects.effective_for(who)
        ]


def test_effective_windows_take_one_query(django_assert_num_queries):
    agent = AgentFactory()
    with django_assert_num_queries(1):
        PostingWindow.objects.effective_for(agent)
    with django_assert_num_queries(1):
        PostingWindow.objects.effective_labels_for(agent)


def test_contains_is_start_inclusive_end_exclusive():
    window = PostingWindow(name="w", start=dt.time(7, 30), end=dt.time(9))
    assert window.contains(dt.time(7, 30))
    assert window.contains(dt.time(8, 59, 59))
    assert not window.contains(dt.time(9))
    assert not window.contains(dt.time(7, 29))


def test_weekday_mask_selects_days():
    weekdays_only = sum(WEEKDAY_BITS[d] for d in range(5))
    window = PostingWindow(name="w", start=dt.time(7), end=dt.time(8), weekdays=weekdays_only)
    assert window.runs_on(dt.date(2026, 11, 27))  # Friday
    assert not window.runs_on(dt.date(2026, 11, 28))  # Saturday
    assert PostingWindow(name="w", start=dt.time(7), end=dt.time(8), weekdays=EVERY_DAY).runs_on(
        dt.date(2026, 11, 29)
    )


def test_window_bounds_follow_the_agents_zone_including_dst():
    agent = AgentFactory(time_zone="America/New_York")
    commute = next(w for w in PostingWindow.objects.effective_for(agent) if w.name == "commute")
    tz = agent.tzinfo
    utc = zoneinfo.ZoneInfo("UTC")
    # Summer (EDT, UTC-4) and winter (EST, UTC-5): the same local 07:30.
    summer, _ = commute.bounds_on(dt.date(2026, 7, 1), tz)
    winter, _ = commute.bounds_on(dt.date(2026, 12, 1), tz)
    assert summer.astimezone(utc).time() == dt.time(11, 30)
    assert winter.astimezone(utc).time() == dt.time(12, 30)
    shanghai, _ = commute.bounds_on(dt.date(2026, 12, 1), zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert shanghai.astimezone(utc) == dt.datetime(2026, 11, 30, 23, 30, tzinfo=utc)


def test_a_window_must_end_after_it_starts():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        PostingWindow(name="w", start=dt.time(9), end=dt.time(8)).full_clean()


def test_agents_see_defaults_their_teams_and_their_own_windows_only():
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    own = PostingWindow.objects.create(name="mine", start=dt.time(6), end=dt.time(7), owner=agent)
    other = PostingWindow.objects.create(
        name="theirs", start=dt.time(6), end=dt.time(7), owner=AgentFactory()
    )
    visible = set(PostingWindow.objects.visible_to(agent))
    assert own in visible and other not in visible
    assert own in set(PostingWindow.objects.visible_to(lead))
    assert other not in set(PostingWindow.objects.visible_to(lead))
