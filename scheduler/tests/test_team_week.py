"""The team week's reads (``selectors.team_week``): the lead's team, its active members, the
week's posts and the lead's windows, each lead's own team whichever lead read first."""

import datetime as dt

import pytest

from contacts.tests.factories import PersonaFactory
from crm.models import User
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import MomentPost, PostingWindow, PostStatus
from scheduler.selectors import team_week
from scheduler.tests.factories import LICENCE, PostFactory, WindowFactory

pytestmark = pytest.mark.django_db
S = PostStatus
MONDAY = dt.date(2025, 3, 24)  # the week of the change to summer time in Europe


def post_on(persona, day: int, hour: int, **kwargs):
    tz = persona.owner.tzinfo
    at = dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, 7), tzinfo=tz)
    return PostFactory(
        persona=persona, scheduled_at=at, window_ends_at=at + dt.timedelta(hours=1), **kwargs
    )


def a_team(prefix: str, time_zone: str = "Asia/Shanghai"):
    """A lead with two active agents and an inactive one, each with posts in the week (one
    cancelled, one in review, one flagged) and around it; the team's and the lead's windows."""
    lead = LeadFactory(username=f"{prefix}-lead", time_zone=time_zone)
    team = lead.led_team
    agents = [
        AgentFactory(username=f"{prefix}-ann", team=team, display_name="", first_name="Ann"),
        AgentFactory(username=f"{prefix}-bob", team=team),
        AgentFactory(username=f"{prefix}-gone", team=team, is_active=False),
    ]
    for n, agent in enumerate([lead, *agents]):
        persona = PersonaFactory(owner=agent, licence_number=LICENCE)
        post_on(persona, n, 8)
        post_on(persona, 6, 23, status=S.PENDING_REVIEW)
        post_on(persona, 2, 12, status=S.CANCELLED)
        post_on(persona, 3, 9, has_block=True, findings=[{"rule": "x"}])
        post_on(persona, 7, 0)  # the next Monday
        post_on(persona, -1, 23)  # the Sunday before
    WindowFactory(name=f"{prefix}-team", team=team, start=dt.time(6, 0), end=dt.time(7, 0))
    WindowFactory(name=f"{prefix}-own", owner=lead, start=dt.time(21, 0), end=dt.time(22, 0))
    WindowFactory(name="lunch", owner=lead, start=dt.time(12, 0), end=dt.time(13, 0), active=False)
    return lead


def as_team_week_reads(lead):
    week = team_week(lead=lead, start=MONDAY)
    return week.team, week.members, week.windows, week.posts


@pytest.fixture
def two_leads(db):
    from scheduler.tests.factories import default_window

    for name in ("commute", "lunch", "bedtime"):
        default_window(name)
    return a_team("red"), a_team("blue", "Europe/Berlin")


def test_the_team_week_holds_the_active_members_the_week_and_the_leads_windows(two_leads):
    for lead in two_leads:
        team, members, windows, posts = as_team_week_reads(lead)
        assert team == lead.led_team
        assert [m.username for m in members] == sorted(m.username for m in members)
        assert len(members) == 3  # the lead and the active agents
        gone = User.objects.get(username=lead.username.replace("lead", "gone"))
        assert gone.pk in {p.persona.owner_id for p in posts}  # counted in the week's reviews
        assert S.CANCELLED not in {p.status for p in posts}
        start = dt.datetime.combine(MONDAY, dt.time.min, tzinfo=lead.tzinfo)
        assert all(start <= p.scheduled_at < start + dt.timedelta(days=7) for p in posts)
        assert [p.scheduled_at for p in posts] == sorted(p.scheduled_at for p in posts)
        week = MomentPost.objects.filter(
            persona__owner__team=team,
            scheduled_at__gte=start,
            scheduled_at__lt=start + dt.timedelta(days=7),
        )
        assert len(posts) == week.exclude(status=S.CANCELLED).count() >= 3 * 4
        assert windows == PostingWindow.objects.effective_labels_for(lead)
        assert [name for name, _ in windows][:1] == [f"{lead.username[:-5]}-team"]


def test_each_lead_sees_only_their_own_team_after_the_other_leads_read(two_leads):
    red, blue = two_leads
    for lead, other in ((red, blue), (blue, red), (red, blue)):
        team, members, windows, posts = as_team_week_reads(lead)
        assert team == lead.led_team
        assert {m.team_id for m in members} == {team.pk}
        owners = set(User.objects.filter(team=team).values_list("pk", flat=True))
        assert posts and {p.persona.owner_id for p in posts} <= owners
        names = {name for name, _ in windows}
        assert f"{lead.username[:-5]}-own" in names
        assert not any(name.startswith(other.username[:-5]) for name in names)


def test_a_lead_moved_to_another_team_reads_that_teams_windows(two_leads):
    red, blue = two_leads
    as_team_week_reads(red)  # the statement compiled for red in red's team
    red.team = blue.led_team
    red.save()
    team, _, windows, _ = as_team_week_reads(red)
    assert team == red.led_team  # still the team red leads
    assert windows == PostingWindow.objects.effective_labels_for(red)
    assert "blue-team" in {name for name, _ in windows}
    assert "red-team" not in {name for name, _ in windows}


def test_a_team_with_no_active_member_is_still_shown(two_leads):
    red, _ = two_leads
    red.team = None  # no longer a member of the team they lead
    red.save()
    red.led_team.members.update(is_active=False)
    week = team_week(lead=red, start=MONDAY)
    assert week.team == red.led_team and week.members == []
    assert S.PENDING_REVIEW in {p.status for p in week.posts}


def test_an_inactive_lead_sees_no_member_and_no_post(two_leads):
    red, _ = two_leads
    red.is_active = False
    red.save()
    week = team_week(lead=red, start=MONDAY)
    assert week.team == red.led_team
    assert (week.members, week.posts) == ([], [])
    assert week.windows == PostingWindow.objects.effective_labels_for(red)  # as before


def test_a_lead_without_a_team_gets_none(two_leads):
    red, _ = two_leads
    red.led_team.delete()
    red.refresh_from_db()
    assert team_week(lead=red, start=MONDAY) is None
