"""The home pages: what each role sees, only their own (or their team's), in constant queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contacts import warmth
from contacts.models import Alert, AlertKind
from contacts.services import interaction_log
from contacts.tests.factories import (
    ContactFactory,
    InteractionFactory,
    PersonaFactory,
    interaction_kind,
)
from contacts.warmth.selectors import why_of
from content.tests.factories import ContentItemFactory as LibraryItemFactory
from crm.charts import Bar, Segment, stacked_bars
from crm.tests.factories import AgentFactory, CuratorFactory, LeadFactory
from crm.tests.plans import index_plan
from homes import selectors
from scheduler.models import PostStatus
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

# 10:00 in Shanghai on a Wednesday.
NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at_local(hour: int, minute: int = 17, day: int = 25) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def team():
    lead = LeadFactory()
    agent = AgentFactory(team=lead.led_team)
    other = AgentFactory()  # another team
    return lead, agent, other


def post_for(agent, hour, status=PostStatus.SCHEDULED, day=25, **kwargs):
    persona = kwargs.pop("persona", None) or PersonaFactory(owner=agent)
    when = at_local(hour, day=day)
    return PostFactory(
        persona=persona,
        scheduled_at=when,
        window_ends_at=when + dt.timedelta(hours=1),
        status=status,
        **kwargs,
    )


def test_agent_home_groups_todays_posts_by_window_and_shows_only_their_own(client, team):
    _, agent, other = team
    persona = PersonaFactory(owner=agent)
    morning = post_for(agent, 8, status=PostStatus.SENT, persona=persona, window_name="commute")
    evening = post_for(agent, 22, persona=persona, window_name="bedtime")
    post_for(agent, 8, day=26, persona=persona)  # tomorrow
    post_for(agent, 12, status=PostStatus.CANCELLED, persona=persona)
    post_for(other, 12)
    client.force_login(agent)
    response = client.get(reverse("home"))
    home = response.context["home"]
    assert [(slot.name, [p.pk for p in slot.posts]) for slot in home.windows] == [
        ("commute", [morning.pk]),
        ("bedtime", [evening.pk]),
    ]
    body = response.content.decode()
    # Only a post that went out has its text ready to copy.
    assert f'id="copy-{morning.pk}"' in body
    assert f'id="copy-{evening.pk}"' not in body


def test_agent_home_lists_hot_leads_with_why_and_follow_ups(client, team):
    _, agent, other = team
    hot = ContactFactory(owner=agent, name="热客户")
    ContactFactory(owner=agent, name="冷客户")
    due = ContactFactory(owner=agent, name="该跟进", next_follow_up=dt.date(2026, 11, 25))
    ContactFactory(owner=agent, next_follow_up=dt.date(2026, 11, 30))
    stranger = ContactFactory(owner=other, next_follow_up=dt.date(2026, 11, 25))
    interaction_log(contact=hot, kind="message_in", by=agent)
    interaction_log(contact=hot, kind="purchase", by=agent)
    interaction_log(contact=stranger, kind="purchase", by=other)
    interaction_log(contact=stranger, kind="meeting", by=other)
    client.force_login(agent)
    home = client.get(reverse("home")).context["home"]
    assert [lead.contact.pk for lead in home.hot_leads] == [hot.pk]
    assert home.hot_leads[0].why.kind.code == "purchase"
    assert home.hot_leads[0].warmth == pytest.approx(48.0)
    assert [c.pk for c in home.follow_ups] == [due.pk]


def test_hot_leads_decay_with_the_teams_half_life_and_say_what_counts_most_now(client, team):
    lead, agent, _ = team
    lead.led_team.warmth_half_life_days = 3
    lead.led_team.save()
    days_ago = lambda n: NOW - dt.timedelta(days=n)  # noqa: E731
    # Hot with the default 14 days (60 * 2^(-5/14) = 46.8), not with the team's 3 (18.9).
    faded = ContactFactory(owner=agent, warmth_ref=warmth.term(60, days_ago(5), 3))
    hot = ContactFactory(owner=agent)
    purchase, message = interaction_kind("purchase"), interaction_kind("message_in")
    InteractionFactory(contact=hot, kind=purchase, weight=40, at=days_ago(4))  # 40/2^(4/3) = 15.9
    biggest = InteractionFactory(contact=hot, kind=message, weight=30, at=days_ago(1))  # 23.8
    InteractionFactory(contact=hot, kind=message, weight=5, at=NOW)
    # Older than four half-lives: never the "why", however heavy.
    InteractionFactory(contact=hot, kind=purchase, weight=5000, at=days_ago(13))
    hot.warmth_ref = warmth.term(45, NOW, 3)
    hot.save()
    client.force_login(agent)
    home = client.get(reverse("home")).context["home"]
    assert [lead.contact.pk for lead in home.hot_leads] == [hot.pk]
    assert home.hot_leads[0].warmth == pytest.approx(45.0)
    assert home.hot_leads[0].why.pk == biggest.pk
    assert faded.pk not in [lead.contact.pk for lead in home.hot_leads]


def test_a_tie_for_the_biggest_contribution_goes_to_the_latest_interaction(team):
    _, agent, _ = team
    contact = ContactFactory(owner=agent)
    kind = interaction_kind("call")
    earlier = InteractionFactory(contact=contact, kind=kind, weight=8, at=NOW)
    later = InteractionFactory(contact=contact, kind=kind, weight=8, at=NOW)
    InteractionFactory(contact=contact, kind=kind, weight=8, at=NOW - dt.timedelta(hours=1))
    why = why_of([contact.pk], NOW, 14.0)
    assert why[contact.pk].pk == max(earlier.pk, later.pk)
    assert why[contact.pk].kind.code == "call"


@pytest.mark.postgres
def test_on_postgresql_the_follow_ups_due_are_a_range_of_the_agents_dated_contacts(team):
    """The follow-ups read starts at the agent's earliest date and stops at today in the
    partial index of dated contacts, where it read every contact of the agent's."""
    _, agent, _ = team
    for day in (20, 25, 30):
        ContactFactory(owner=agent, next_follow_up=dt.date(2026, 11, day))
    ContactFactory.create_batch(3, owner=agent)
    query = (
        selectors._home_contacts(agent)
        .filter(erased_at__isnull=True, next_follow_up__lte=dt.date(2026, 11, 25))
        .exclude(stage="lost")
        .order_by("next_follow_up", "id")[: selectors.FOLLOW_UPS_SHOWN]
    )
    plan = index_plan(*query.query.sql_with_params())
    assert "contact_owner_follow_up" in plan, plan
    assert re.search(r"Index Cond: \(\(owner_id = \d+\) AND \(next_follow_up <= ", plan), plan


def test_agent_home_shows_unmet_persona_advice(client, team):
    _, agent, _ = team
    PersonaFactory(owner=agent, nickname="一个很长很长很长很长的昵称没有行业", licence_number="")
    client.force_login(agent)
    response = client.get(reverse("home"))
    card = response.context["home"].personas[0]
    checklist, score = card.checklist, card.percent
    unmet = {item.key for item in checklist if not item.ok}
    assert {"nickname_short", "nickname_trade"} <= unmet
    assert score < 100
    assert "昵称体现行业" in response.content.decode()


def test_agent_home_draws_up_each_personas_checklist_once(team, monkeypatch):
    """The card's score is the percent of the checklist it lists, drawn up once per persona."""
    from contacts.models import Persona

    _, agent, _ = team
    PersonaFactory(owner=agent, nickname="一个很长很长很长很长的昵称没有行业", licence_number="")
    PersonaFactory(owner=agent)
    drawn = []
    checklist = Persona.checklist
    monkeypatch.setattr(
        Persona,
        "checklist",
        lambda self, today=None: drawn.append(self.pk) or checklist(self, today),
    )
    personas = selectors.agent_home(agent).personas
    assert sorted(drawn) == sorted(card.persona.pk for card in personas) and len(drawn) == 2
    for card in personas:
        persona, items, score = card.persona, card.checklist, card.percent
        assert score == persona.checklist_score(dt.date(2026, 11, 25))
        assert score == round(100 * sum(item.ok for item in items) / len(items))


def test_agent_home_query_count_does_not_grow(client, team, django_assert_max_num_queries):
    _, agent, _ = team
    persona = PersonaFactory(owner=agent)
    client.force_login(agent)

    def grow(n):
        for i in range(n):
            post_for(agent, 8 + i % 14, persona=persona, status=PostStatus.SENT)
            contact = ContactFactory(owner=agent, next_follow_up=dt.date(2026, 11, 25))
            interaction_log(contact=contact, kind="purchase", by=agent)
            Alert.objects.create(
                owner=agent, contact=contact, kind=AlertKind.HOT, for_date=dt.date(2026, 11, 24)
            )

    grow(2)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("home"))
    grow(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))


def test_lead_home_reviews_and_counts_their_team_only(client, team):
    lead, agent, other = team
    waiting = post_for(agent, 12, status=PostStatus.PENDING_REVIEW)
    post_for(other, 12, status=PostStatus.PENDING_REVIEW)
    post_for(agent, 8, status=PostStatus.POSTED, day=23)
    post_for(agent, 8, status=PostStatus.MISSED, day=24)
    post_for(agent, 8, status=PostStatus.CANCELLED, day=24)
    post_for(agent, 8, status=PostStatus.POSTED, day=22)  # last week (Sunday)
    hot = ContactFactory(owner=agent)
    interaction_log(contact=hot, kind="purchase", by=agent)
    ContactFactory(owner=agent)
    ContactFactory(owner=other)
    client.force_login(lead)
    response = client.get(reverse("home"))
    home = response.context["home"]
    assert [p.pk for p in home.review_queue] == [waiting.pk]
    assert home.week_start == dt.date(2026, 11, 23)
    row = next(r for r in home.agents if r.agent == agent)
    assert (row.planned, row.posted, row.missed) == (3, 1, 1)
    assert (row.hot, row.warm, row.cold) == (1, 0, 1)
    # The week's planned posts by category: the cancelled one and last week's are not counted.
    assert sum(home.mix.values()) == 3 and 0 not in home.mix.values()
    assert all(r.agent.team_id == lead.team_id for r in home.agents)
    assert "<svg" in response.content.decode()


def test_lead_home_query_count_does_not_grow(client, team, django_assert_max_num_queries):
    lead, agent, _ = team
    client.force_login(lead)
    post_for(agent, 12, status=PostStatus.PENDING_REVIEW)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("home"))
    for _ in range(3):
        member = AgentFactory(team=lead.led_team)
        post_for(member, 12, status=PostStatus.PENDING_REVIEW)
        ContactFactory(owner=member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))


def test_curator_home_lists_blocked_items_first(client):
    curator = CuratorFactory()
    warned = LibraryItemFactory(title="有提醒", warning_count=2)
    blocked = LibraryItemFactory(title="被拦截", has_block=True)
    LibraryItemFactory(title="干净")
    client.force_login(curator)
    response = client.get(reverse("home"))
    assert [i.pk for i in response.context["flagged"]] == [blocked.pk, warned.pk]
    assert response.context["blocked"] == 1


def test_stacked_bars_escape_labels_and_scale_to_the_largest():
    svg = stacked_bars(
        [
            Bar("<script>", [Segment(3, "seg-hot", "Hot"), Segment(1, "seg-cold", "Cold")]),
            Bar("b", [Segment(2, "seg-hot", "Hot")]),
        ],
        title="t",
        width=600,
        label_width=120,
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    plot = 600 - 120 - 48
    assert f'width="{plot * 3 / 4:.1f}"' in svg  # 3 of the largest total 4
    assert f'width="{plot * 2 / 4:.1f}"' in svg


def test_local_day_bounds_follow_the_users_time_zone():
    agent = AgentFactory(time_zone="America/New_York")
    start, end = selectors.local_day_bounds(agent, dt.date(2026, 11, 25))
    assert start == dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(days=1)
    assert timezone.is_aware(start)


def test_the_home_shows_only_the_agents_own_open_alerts_of_the_week(client, team):
    _, agent, other = team
    mine, theirs = ContactFactory(owner=agent, name="我的"), ContactFactory(owner=other)
    shown = Alert.objects.create(
        owner=agent, contact=mine, kind=AlertKind.COOLING, for_date=dt.date(2026, 11, 24)
    )
    Alert.objects.create(
        owner=agent, contact=mine, kind=AlertKind.HOT, for_date=dt.date(2026, 11, 10)
    )  # older than a week
    Alert.objects.create(
        owner=agent,
        contact=mine,
        kind=AlertKind.FOLLOW_UP,
        for_date=dt.date(2026, 11, 24),
        dismissed_at=NOW,
    )
    Alert.objects.create(
        owner=other, contact=theirs, kind=AlertKind.HOT, for_date=dt.date(2026, 11, 24)
    )
    client.force_login(agent)
    response = client.get(reverse("home"))
    assert [alert.pk for alert in response.context["home"].alerts] == [shown.pk]
    body = response.content.decode()
    assert f'id="alert-{shown.pk}"' in body and body.count('class="alert alert-') == 1


def test_each_agent_home_shows_the_agents_own_rows_only(team):
    """Each agent, whichever home was read first, sees their own posts, personas, contacts and
    alerts only."""
    _, agent, other = team
    AgentFactory()  # a third agent, who sees nothing of either
    mine, theirs = post_for(agent, 8), post_for(other, 9)
    for owner in (agent, other):
        contact = ContactFactory(owner=owner, next_follow_up=dt.date(2026, 11, 25))
        interaction_log(contact=contact, kind="purchase", by=owner)
        Alert.objects.create(
            owner=owner, contact=contact, kind=AlertKind.HOT, for_date=dt.date(2026, 11, 24)
        )
    for viewer, post in ((agent, mine), (other, theirs), (agent, mine)):
        home = selectors.agent_home(viewer)
        assert [p.pk for slot in home.windows for p in slot.posts] == [post.pk]
        assert [card.persona.owner_id for card in home.personas] == [viewer.pk]
        assert [lead.contact.owner_id for lead in home.hot_leads] == [viewer.pk]
        assert [contact.owner_id for contact in home.follow_ups] == [viewer.pk]
        assert [alert.contact.owner_id for alert in home.alerts] == [viewer.pk]


def test_the_agent_home_shows_the_days_posts_and_the_follow_ups_due_by_then(team):
    """Today's posts today and tomorrow's tomorrow, and follow-ups due by each day."""
    _, agent, _ = team
    persona = PersonaFactory(owner=agent)
    today, tomorrow = (
        post_for(agent, 8, persona=persona),
        post_for(agent, 8, day=26, persona=persona),
    )
    due_tomorrow = ContactFactory(owner=agent, next_follow_up=dt.date(2026, 11, 26))
    home = selectors.agent_home(agent)
    assert [p.pk for slot in home.windows for p in slot.posts] == [today.pk]
    assert home.follow_ups == []
    home = selectors.agent_home(agent, NOW + dt.timedelta(days=1))
    assert [p.pk for slot in home.windows for p in slot.posts] == [tomorrow.pk]
    assert [contact.pk for contact in home.follow_ups] == [due_tomorrow.pk]


def test_two_leads_each_see_their_own_teams_queue_and_figures(team):
    """Each lead's queue, members and pool are their own team's, whichever lead's page was
    drawn first; an inactive member has no row."""
    lead, agent, _ = team
    other_lead = LeadFactory()
    other_agent = AgentFactory(team=other_lead.led_team)
    gone = AgentFactory(team=lead.led_team, is_active=False)
    waiting, other_waiting = (
        post_for(agent, 12, status=PostStatus.PENDING_REVIEW),
        post_for(other_agent, 12, status=PostStatus.PENDING_REVIEW),
    )
    for owner in (agent, other_agent, lead, gone):
        ContactFactory(owner=owner)
    for viewer, member, post in (
        (other_lead, other_agent, other_waiting),
        (lead, agent, waiting),
        (other_lead, other_agent, other_waiting),
    ):
        home = selectors.lead_home(viewer)
        assert [p.pk for p in home.review_queue] == [post.pk]
        assert home.review_queue[0].persona.owner == member
        assert gone not in [row.agent for row in home.agents]
        row = next(r for r in home.agents if r.agent == member)
        assert (row.hot, row.warm, row.cold) == (0, 0, 1)
        assert all(r.agent.team_id == viewer.team_id for r in home.agents)


@pytest.mark.parametrize("first", [0, 1])
def test_each_lead_gets_their_teams_week_and_pool_whichever_lead_read_first(first):
    """Two leads of two teams, in two time zones (two weeks) and with two half-lives (two
    sets of thresholds), each get their own team's figures, as the ORM counts them, whichever
    lead's page was read first."""
    from django.db.models import Count, Q

    from contacts.models import Contact
    from scheduler.insights import PLANNED
    from scheduler.models import MomentPost

    leads = [LeadFactory(time_zone="Asia/Shanghai"), LeadFactory(time_zone="America/New_York")]
    monday = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Shanghai's week, not New York's
    for lead, half_life in zip(leads, (14, 3), strict=True):
        team = lead.led_team
        team.warmth_half_life_days = half_life
        team.save()
        agent = AgentFactory(team=team)
        persona = PersonaFactory(owner=agent)
        for when, status in (
            (monday, PostStatus.POSTED),
            (NOW + dt.timedelta(hours=1), PostStatus.MISSED),
            (NOW + dt.timedelta(hours=2), PostStatus.PENDING_REVIEW),
            (NOW + dt.timedelta(hours=3), PostStatus.DRAFT),
        ):
            PostFactory(
                persona=persona,
                scheduled_at=when,
                window_ends_at=when + dt.timedelta(hours=1),
                status=status,
            )
        for value in (45, 20, 5):  # hot, warm and cold under this team's half-life
            ContactFactory(owner=agent, warmth_ref=warmth.ref_threshold(value, NOW, half_life))
            # Erased contacts keep their warmth and count nowhere.
            ContactFactory(
                owner=agent,
                warmth_ref=warmth.ref_threshold(value, NOW, half_life),
                erased_at=NOW,
            )
    for viewer in (leads[first], leads[1 - first], leads[first]):
        home = selectors.lead_home(viewer)
        team = viewer.led_team
        start = dt.datetime.combine(home.week_start, dt.time.min, tzinfo=viewer.tzinfo)
        posts = MomentPost.objects.filter(persona__owner__team=team)
        week = posts.filter(scheduled_at__gte=start, scheduled_at__lt=start + dt.timedelta(7))
        expected = {
            row["persona__owner"]: row
            for row in week.values("persona__owner").annotate(
                planned=Count("pk", filter=Q(status__in=PLANNED)),
                posted=Count("pk", filter=Q(status=PostStatus.POSTED)),
                missed=Count("pk", filter=Q(status=PostStatus.MISSED)),
            )
        }
        (agent,) = [row for row in home.agents if row.agent != viewer]
        assert agent.agent.team_id == team.pk
        figures = expected[agent.agent.pk]
        assert (agent.planned, agent.posted, agent.missed) == (
            figures["planned"],
            figures["posted"],
            figures["missed"],
        )
        # Shanghai's week has Monday's post; New York's (from Monday there) does not.
        assert agent.posted == (1 if viewer.time_zone == "Asia/Shanghai" else 0)
        assert (agent.hot, agent.warm, agent.cold) == (1, 1, 1)
        assert Contact.objects.filter(owner=agent.agent).active().count() == 3
        assert [post.pk for post in home.review_queue] == list(
            posts.filter(status=PostStatus.PENDING_REVIEW).values_list("pk", flat=True)
        )
        assert sum(home.mix.values()) == agent.planned
