"""Warmth on pages: the contact's panel, one-click logging (htmx), list badges, alerts."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Alert, AlertKind, Interaction
from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory
from contacts.warmth.alerts import alerts_raise_for
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def test_contact_page_shows_timeline_newest_first_curve_and_why(client, english):
    contact = ContactFactory(name="<script>alert(1)</script>", owner__language="en")
    owner = contact.owner
    interaction_log(contact=contact, kind="quote", at=NOW - timedelta(days=20), by=owner)
    interaction_log(
        contact=contact, kind="call", at=NOW - timedelta(days=1), note="问了重疾险", by=owner
    )
    page = _login(client, owner).get(reverse("contacts:detail", args=[contact.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Call") < html.index("Asked for a quote", html.index("Timeline"))
    assert "问了重疾险" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<polyline" in svg and "script" not in svg
    assert "Why this warmth" in html
    # The call counts 10 * 2^(-1/14) = 9.5, the quote 25 * 2^(-20/14) = 9.3: call first.
    why = html[html.index("Why this warmth") : html.index("Timeline")]
    assert why.index("9.5") < why.index("9.3")
    assert 'name="kind" value="call"' in html


def test_one_click_log_returns_the_updated_panel(client, english):
    contact = ContactFactory(owner__language="en")
    response = _login(client, contact.owner).post(
        reverse("contacts:interaction-log", args=[contact.pk]),
        {"kind": "quote", "panel": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="warmth-panel"' in body
    assert "25.0" in body and "Consider moving this lead to Interested" in body
    contact.refresh_from_db()
    assert contact.warmth_ref > 0
    assert Interaction.objects.get(contact=contact).logged_by == contact.owner


def test_one_click_log_from_a_list_row_returns_the_badge(client):
    contact = ContactFactory()
    response = _login(client, contact.owner).post(
        reverse("contacts:interaction-log", args=[contact.pk]), {"kind": "meeting"}, **HTMX
    )
    assert response.status_code == 200
    assert f'id="warmth-{contact.pk}"' in response.content.decode()
    assert "20.0" in response.content.decode()


def test_bad_kind_is_a_400_with_the_reason(client, english):
    contact = ContactFactory(owner__language="en")
    response = _login(client, contact.owner).post(
        reverse("contacts:interaction-log", args=[contact.pk]), {"kind": "hug"}, **HTMX
    )
    assert response.status_code == 400
    assert "Unknown kind of interaction" in response.content.decode()
    assert not Interaction.objects.exists()


def test_logging_on_another_agents_contact_is_a_404(client):
    contact = ContactFactory()
    response = _login(client, AgentFactory()).post(
        reverse("contacts:interaction-log", args=[contact.pk]), {"kind": "call"}
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_a_lead_sees_a_members_warmth_but_cannot_log_for_them(client):
    lead = LeadFactory()
    contact = ContactFactory(owner=AgentFactory(team=lead.team))
    interaction_log(contact=contact, kind="call", by=contact.owner)
    _login(client, lead)
    page = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert page.status_code == 200
    assert 'id="warmth-panel"' in page.content.decode()
    assert 'name="kind"' not in page.content.decode()
    response = client.post(reverse("contacts:interaction-log", args=[contact.pk]), {"kind": "call"})
    assert response.status_code == 404
    other = ContactFactory()
    assert client.get(reverse("contacts:detail", args=[other.pk])).status_code == 404


def test_contact_page_queries_do_not_grow_with_history(client, django_assert_max_num_queries):
    contact = ContactFactory()
    _login(client, contact.owner)
    url = reverse("contacts:detail", args=[contact.pk])
    for n in range(3):
        interaction_log(contact=contact, kind="call", at=NOW - timedelta(days=n), by=None)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for n in range(3, 60):
        interaction_log(contact=contact, kind="liked", at=NOW - timedelta(days=n), by=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_list_rows_show_warmth_in_constant_queries(client, django_assert_max_num_queries):
    owner = AgentFactory()
    _login(client, owner)
    url = reverse("contacts:list")
    for contact in ContactFactory.create_batch(2, owner=owner):
        interaction_log(contact=contact, kind="meeting", by=owner)
    with django_assert_max_num_queries(30) as few:
        page = client.get(url)
    assert page.content.decode().count("warmth-badge") == 2
    for contact in ContactFactory.create_batch(15, owner=owner):
        interaction_log(contact=contact, kind="call", by=owner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("warmth-badge") == 17


def test_home_shows_open_alerts_and_dismiss_removes_them(client, english):
    agent = AgentFactory(language="en")
    contact = ContactFactory(owner=agent, name="王女士", next_follow_up=date(2026, 11, 25))
    alerts_raise_for(owner=agent)
    alert = Alert.objects.get(contact=contact)
    _login(client, agent)
    home = client.get(reverse("home")).content.decode()
    row = f'<li id="alert-{alert.pk}" class="alert alert-follow_up">'
    assert row in home and "Follow-up due" in home and "王女士" in home
    response = client.post(reverse("contacts:alert-dismiss", args=[alert.pk]), **HTMX)
    assert response.status_code == 200
    assert response.content == b""
    alert.refresh_from_db()
    assert alert.dismissed_at == NOW
    # The home lists follow-ups due on its own too, so the name stays; the alert row goes.
    home = client.get(reverse("home")).content.decode()
    assert f'id="alert-{alert.pk}"' not in home
    assert "No alerts: nobody turned hot or went cold, and no follow-up is due." in home


def test_dismissing_another_agents_alert_is_a_404(client):
    agent = AgentFactory()
    ContactFactory(owner=agent, next_follow_up=date(2026, 11, 25))
    alerts_raise_for(owner=agent)
    alert = Alert.objects.get(owner=agent, kind=AlertKind.FOLLOW_UP)
    response = _login(client, AgentFactory()).post(
        reverse("contacts:alert-dismiss", args=[alert.pk])
    )
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.dismissed_at is None
