"""The lead home's parts drawn in Python (``crm/templatetags/home_tags.py``) are the markup the
template drew, byte for byte: each part as the template drew it is rendered here beside its
tag, from the ORM's own rows, with the same request (so the same CSRF input and kits), in both
languages and in the lead's time zone."""

import datetime as dt
import re

import pytest
import time_machine
from django.template import RequestContext, Template
from django.urls import reverse
from django.utils import timezone, translation

from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import MomentPost, PostStatus
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 21:00 the day before in New York

# The review queue as the template drew it before ``{% review_queue %}`` (with the window's
# label rather than its stored key, and the card's preview open).
REVIEW_LOOP = """{% load i18n scheduler_tags %}{% for post in posts %}
  <div class="review-item">
    <p class="muted">{{ post.persona.owner }} · {{ post.persona.nickname }} · {{ post.scheduled_at|date:"m-d" }} {{ post.window_label }}</p>
    {% post_card post reviewer=True preview_open=True %}
  </div>
  {% empty %}
  <p class="muted">{% translate "Nothing waits for review." %}</p>
  {% endfor %}"""  # noqa: E501


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lead():
    """A lead in New York whose queue has something of every kind: agents named with markup,
    by their full name and by their username, an inactive one; personas with two posts; long
    titles, text only, blocks, findings, windows with markup, comments and errors; posts
    either side of midnight in New York and in UTC."""
    lead = LeadFactory(time_zone="America/New_York", display_name="<领队>")
    team = lead.led_team
    marked = AgentFactory(team=team, display_name='<b>"王"</b> & 李')
    named = AgentFactory(team=team, display_name="", first_name="Ann", last_name="Lee")
    bare = AgentFactory(team=team, display_name="", username="bare-agent")
    gone = AgentFactory(team=team, is_active=False)
    other = AgentFactory()  # another team's
    personas = [
        PersonaFactory(owner=marked, nickname="<小李> & 保险"),
        PersonaFactory(owner=named, nickname='"引号"'),
        PersonaFactory(owner=bare),
        PersonaFactory(owner=gone),
        PersonaFactory(owner=lead),
    ]
    kinds = [
        {"title": "一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的标题<b>"},
        {"title": "", "text": '<i>"正文"</i> & 更多'},
        {"has_block": True, "findings": [{"rule": 1}]},
        {"findings": [{"rule": 2}], "category": "ad"},
        {"window_name": "<早>&", "review_comment": "再改改", "last_error": "<超时>"},
        {"category": "value", "window_name": "lunch"},
    ]
    for n in range(12):
        when = NOW + dt.timedelta(hours=5 * n - 20)
        PostFactory(
            persona=personas[n % len(personas)],
            scheduled_at=when,
            window_ends_at=when + dt.timedelta(hours=1),
            status=PostStatus.PENDING_REVIEW,
            **kinds[n % len(kinds)],
        )
    PostFactory(persona=PersonaFactory(owner=other), status=PostStatus.PENDING_REVIEW)
    PostFactory(persona=personas[0], status=PostStatus.SCHEDULED)
    return lead


def _orm_queue(lead):
    return list(
        MomentPost.objects.visible_to(lead)
        .filter(persona__owner__team=lead.led_team, status=PostStatus.PENDING_REVIEW)
        .select_related("persona__owner")
        .order_by("scheduled_at", "pk")
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_review_queue_is_drawn_as_the_template_drew_it(client, lead, language):
    lead.language = language
    lead.save()
    client.force_login(lead)
    response = client.get(reverse("home"))
    home = response.context["home"]
    posts = _orm_queue(lead)
    assert [item.pk for item in home.review_queue] == [post.pk for post in posts]
    assert len(posts) == 12
    with translation.override(language), timezone.override(lead.tzinfo):
        context = RequestContext(response.wsgi_request, {"home": home, "posts": posts})
        drawn = Template("{% load home_tags %}{% review_queue home.review_queue %}").render(context)
        assert drawn == Template(REVIEW_LOOP).render(context)
    body = response.content.decode()
    assert drawn in body
    assert "&lt;b&gt;&quot;王&quot;&lt;/b&gt; &amp; 李 · &lt;小李&gt; &amp; 保险" in body
    assert "Ann Lee · &quot;引号&quot;" in body and "bare-agent · " in body


def test_an_empty_review_queue_says_so_as_the_template_did(client):
    lead = LeadFactory(language="en")
    client.force_login(lead)
    response = client.get(reverse("home"))
    with translation.override("en"):
        context = RequestContext(response.wsgi_request, {"home": response.context["home"]})
        context["posts"] = []
        drawn = Template("{% load home_tags %}{% review_queue home.review_queue %}").render(context)
        assert drawn == Template(REVIEW_LOOP).render(context)
    assert '<p class="muted">Nothing waits for review.</p>' in response.content.decode()


def test_the_alerts_panel_is_the_one_the_panel_tag_drew(client, lead):
    """The lead's own open alerts, read with the page's other reads, make the panel
    ``contacts/_alerts_panel.html`` drew with its own query: markup in a name, an erased
    contact, a dismissed and an old alert left out, another agent's not shown."""
    from contacts.models import Alert, AlertKind
    from contacts.tests.factories import ContactFactory

    agent = AgentFactory(team=lead.led_team)
    for n, (name, erased) in enumerate((('<i>"a"</i> & b', False), ("抹去", True), ("c", False))):
        contact = ContactFactory(owner=lead, name=name, erased_at=NOW if erased else None)
        Alert.objects.create(
            owner=lead,
            contact=contact,
            kind=(AlertKind.HOT, AlertKind.COOLING, AlertKind.FOLLOW_UP)[n],
            for_date=dt.date(2026, 11, 24 - n),
            warmth=41.25 + n,
        )
    Alert.objects.create(
        owner=lead,
        contact=ContactFactory(owner=lead),
        kind=AlertKind.HOT,
        for_date=dt.date(2026, 11, 10),  # older than a week
    )
    Alert.objects.create(
        owner=lead,
        contact=ContactFactory(owner=lead),
        kind=AlertKind.HOT,
        for_date=dt.date(2026, 11, 24),
        dismissed_at=NOW,
    )
    Alert.objects.create(
        owner=agent,
        contact=ContactFactory(owner=agent),
        kind=AlertKind.HOT,
        for_date=dt.date(2026, 11, 24),
    )
    client.force_login(lead)
    response = client.get(reverse("home"))
    home = response.context["home"]
    assert len(home.alerts) == 3
    body = response.content.decode()
    with translation.override(lead.language), timezone.override(lead.tzinfo):
        context = RequestContext(response.wsgi_request, {})
        panel = Template('{% include "contacts/_alerts_panel.html" %}').render(context)
    assert panel.count('class="alert alert-') == 3
    # Each rendering masks the CSRF token afresh.
    panel, body = (
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text) for text in (panel, body)
    )
    assert "&lt;i&gt;&quot;a&quot;&lt;/i&gt; &amp; b</a>" in panel
    assert panel in body


def test_a_lead_without_a_team_still_gets_the_panel(client):
    lead = LeadFactory(language="en")
    team = lead.led_team
    team.lead = None
    team.save()
    client.force_login(lead)
    body = client.get(reverse("home")).content.decode()
    assert "You do not lead a team yet." in body
    assert 'class="card alerts"' in body
