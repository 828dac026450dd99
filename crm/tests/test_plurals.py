"""Counts are said in the right number: "1 post", "2 posts", never "1 posts".

Every sentence with a count that can be one goes through ``ngettext`` or
``{% blocktranslate count %}``. Each case here makes the count 1, in English, where the
plural shows; the insights page's own cases are in scheduler/tests/test_insights.py.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from contacts.charts import warmth_svg
from contacts.models import ContactImport, ImportStatus, Persona
from contacts.tests.factories import ContactFactory, PersonaFactory
from contacts.warmth import Thresholds
from content.models import Status
from crm.roles import Role
from crm.security import lockout_response
from crm.services import user_set_role
from crm.tests.factories import AgentFactory, CuratorFactory, LeadFactory
from crm.tests.markup import find, parse, text
from scheduler.models import MomentPost, PostStatus
from scheduler.services import PlanResult
from scheduler.tests.factories import ContentItemFactory, PostFactory
from scheduler.tests.test_pages import next_monday, this_week_post
from scheduler.views.posts import plan_summary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def said(response) -> list[str]:
    return [str(m) for m in messages.get_messages(response.wsgi_request)]


def test_planning_one_post_says_post(client):
    one = PlanResult(created=[MomentPost()], unfilled=[{}], kept=1, replaced=0)
    assert plan_summary(one) == "Planned 1 post; 1 kept; 1 slot left empty."
    two = PlanResult(created=[MomentPost()] * 2, unfilled=[{}] * 2, kept=0, replaced=0)
    assert plan_summary(two) == "Planned 2 posts; 0 kept; 2 slots left empty."


def test_approving_a_week_of_one_post_says_post(client):
    lead = english(LeadFactory())
    agent = AgentFactory(team=lead.led_team)
    this_week_post(PersonaFactory(owner=agent), status=PostStatus.PENDING_REVIEW)
    client.force_login(lead)
    response = client.post(
        reverse("scheduler-approve-week"), {"start": next_monday().isoformat()}, follow=True
    )
    assert "Approved 1 post." in said(response)


def test_a_bulk_action_on_one_contact_says_contact(client):
    owner = english(AgentFactory())
    contact = ContactFactory(owner=owner)
    client.force_login(owner)
    response = client.post(
        reverse("contacts:list"),
        {"action": "tag", "ids": [contact.pk], "tag_name": "老客户"},
        follow=True,
    )
    assert "1 contact updated." in said(response)


def test_importing_one_item_with_one_bad_row_says_item_and_row(client):
    curator = english(user_set_role(user=CuratorFactory(), role=Role.CURATOR))
    csv_text = (
        "title,body,category,product_line,topic_tags,audience_tags,valid_from,valid_until\n"
        "重疾险怎么选,先看保额再看病种，以条款为准。,value,,,,,\n"
        "坏类别,正文,news,,,,,\n"
    )
    client.force_login(curator)
    upload = SimpleUploadedFile("content.csv", csv_text.encode("utf-8"), "text/csv")
    response = client.post(reverse("admin:content_contentitem_import"), {"file": upload})
    assert "1 item imported as a draft, 1 row refused." in said(response)


def test_a_one_minute_lockout_says_minute(settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=1)
    response = lockout_response(RequestFactory().post("/api/v1/auth/token/"), None)
    assert response.status_code == 429
    assert "Try again in 1 minute." in json.loads(response.content)["detail"]


def test_a_warmth_curve_of_one_day_says_day():
    start = timezone.now() - dt.timedelta(days=1)
    svg = warmth_svg(
        [(start, 1.0), (start + dt.timedelta(days=1), 2.0)],
        thresholds=Thresholds(warm=10.0, hot=40.0),
    )
    assert 'aria-label="Warmth over the last 1 day, now 2.0"' in svg


def test_a_one_day_old_account_says_day():
    today = dt.date(2026, 11, 25)
    persona = Persona(account_started=today - dt.timedelta(days=1))
    (age,) = [item for item in persona.checklist(today) if item.key == "account_age"]
    assert age.suggestion.startswith("The account is 1 day old:")


def test_an_import_of_one_row_says_row():
    imp = ContactImport(pk=1, status=ImportStatus.DONE, total=1, processed=1)
    html = render_to_string("contacts/_import_progress.html", {"imp": imp})
    assert "1 of 1 row" in text(parse(html)) and "rows" not in html


def test_the_curator_home_says_item_for_one(client):
    curator = english(CuratorFactory())
    ContentItemFactory(status=Status.IN_REVIEW)
    ContentItemFactory(has_block=True)
    client.force_login(curator)
    page = text(parse(client.get(reverse("home")).content))
    assert "1 item waits for review. 1 has a compliance block." in page


def test_the_lead_home_mix_says_post_for_one(client):
    lead = english(LeadFactory())
    agent = AgentFactory(team=lead.led_team)
    at = timezone.now() + dt.timedelta(minutes=5)
    PostFactory(
        persona__owner=agent,
        status=PostStatus.SCHEDULED,
        category="story",
        scheduled_at=at,
        window_ends_at=at + dt.timedelta(hours=1),
    )
    client.force_login(lead)
    mix = find(parse(client.get(reverse("home")).content), "ul", cls="mix")
    assert "Story: 1 post, 100% (target 40%)" in text(mix)
