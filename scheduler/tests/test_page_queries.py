"""Every home and calendar page reads with a constant number of queries: each is read with one
row per panel and with many, and both stay within the page's pin."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Alert, AlertKind
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler import dispatch
from scheduler.models import PostStatus
from scheduler.tests.factories import LICENCE, PostFactory, default_window
from scheduler.tests.test_pages import next_monday, this_week_post, week_url

pytestmark = pytest.mark.django_db
S = PostStatus

# The most queries each page may make, whatever the number of rows it shows. On SQLite, with no
# shared cache, two of them are the session and the signed-in user (on PostgreSQL with Redis
# both come from the cache).
PINS = {
    "agent home": 10,  # posts, personas, reminders, warmest, why, quick kinds, follow-ups, alerts
    "lead home": 8,  # team, members, queue, week, pool, alerts
    "today": 3,
    "agent week": 5,  # personas, posts, windows
    "team week": 6,  # team, members, posts, windows
    "move": 4,
    "edit": 3,
    "insights": 8,
}


@pytest.fixture
def lead():
    return LeadFactory()


def grow(lead, n: int) -> dict:
    """``n`` more of everything the pages show: agents, personas, posts of today and of next
    week in every status the pages draw, reminders, hot contacts, follow-ups, alerts."""
    made = {}
    agent = lead.led_team.members.filter(role="agent").first() or AgentFactory(team=lead.led_team)
    made["agent"] = agent
    now = timezone.now()
    today = timezone.localdate(now, agent.tzinfo)
    for i in range(n):
        member = agent if i == 0 else AgentFactory(team=lead.led_team)
        persona = PersonaFactory(owner=agent, licence_number=LICENCE)
        PersonaFactory(owner=member, licence_number=LICENCE)
        for status in (S.PENDING_REVIEW, S.SCHEDULED, S.REJECTED, S.SENT, S.DRAFT):
            made["post"] = this_week_post(
                persona,
                status=status,
                window=default_window(),
                review_comment="<b>back</b>",
                image_paths=["content/1/a.jpg"],
                findings=[
                    {"code": "R01", "severity": "warn", "message": "m", "start": 0, "end": 1}
                ],
            )
        this_week_post(
            PersonaFactory(owner=member, licence_number=LICENCE), status=S.PENDING_REVIEW
        )
        at = dt.datetime.combine(today, dt.time(23, 30), tzinfo=agent.tzinfo)
        PostFactory(persona=persona, scheduled_at=at, window_ends_at=at + dt.timedelta(minutes=20))
        PostFactory(
            persona=persona,
            status=S.SCHEDULED,
            scheduled_at=now - dt.timedelta(minutes=1),
            image_paths=["content/1/a.jpg"],
        )
        contact = ContactFactory(owner=agent, next_follow_up=today)
        interaction_log(contact=contact, kind="message_in", by=agent)
        interaction_log(contact=contact, kind="purchase", by=agent)  # hot, with a why
        Alert.objects.create(owner=agent, contact=contact, kind=AlertKind.HOT, for_date=today)
        ContactFactory(owner=member)
    dispatch.dispatch_due()
    made["rejected"] = (
        made["post"].__class__.objects.filter(persona__owner=agent, status=S.REJECTED).first()
    )
    return made


def pages(lead, made) -> dict:
    agent = made["agent"]
    start = next_monday().isoformat()
    return {
        "agent home": (agent, reverse("home")),
        "lead home": (lead, reverse("home")),
        "today": (agent, reverse("scheduler-today")),
        "agent week": (agent, week_url("scheduler-week")),
        "team week": (lead, f"{reverse('scheduler-team')}?start={start}"),
        "move": (agent, reverse("scheduler-post-move", args=[made["post"].pk])),
        "edit": (agent, reverse("scheduler-post-edit", args=[made["rejected"].pk])),
        "insights": (lead, reverse("scheduler-insights")),
    }


@pytest.mark.parametrize("page", list(PINS))
def test_page_query_count_holds_with_one_row_and_with_many(
    client, lead, page, django_assert_max_num_queries
):
    made = grow(lead, 1)
    user, url = pages(lead, made)[page]
    client.force_login(user)
    client.get(url)  # the signed-in user and the session cached, as on every later page
    with django_assert_max_num_queries(PINS[page]) as one:
        assert client.get(url).status_code == 200
    grow(lead, 6)
    with django_assert_max_num_queries(PINS[page]) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)
