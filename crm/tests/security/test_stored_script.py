"""Stored script: text agents and curators type is shown as text everywhere it is shown.

A contact's name and notes, an interaction note, a persona's nickname and a content item's
title and body all hold ``<script>alert(1)</script>``; every page, admin page and browsable-API
page that shows them must carry the escaped text and never the live tag.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.tests.factories import ContactFactory, InteractionFactory, PersonaFactory
from content.models import Status
from content.tests.factories import ContentItemFactory
from crm.tests.factories import AdminFactory
from scheduler.models import PostStatus
from scheduler.tests.factories import PostFactory, default_window

from .conftest import World

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def stored(world: World) -> dict:
    persona = PersonaFactory(owner=world.owner, nickname=PAYLOAD)
    contact = ContactFactory(owner=world.owner, persona=persona, name=PAYLOAD, notes=PAYLOAD)
    InteractionFactory(contact=contact, note=PAYLOAD)
    item = ContentItemFactory(title=PAYLOAD, body=f"保险小知识 {PAYLOAD}", status=Status.APPROVED)
    default_window("commute")
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    post = PostFactory(
        persona=persona,
        content=item,
        title=PAYLOAD,
        text=PAYLOAD,
        status=PostStatus.PENDING_REVIEW,
        scheduled_at=timezone.now(),
    )
    return {"persona": persona, "contact": contact, "item": item, "post": post, "monday": monday}


def _check(client: Client, url: str, **extra) -> None:
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert PAYLOAD not in body, f"live <script> on {url}"
    assert ESCAPED in body, f"{url} does not show the stored text at all (nothing proven)"


def test_agent_pages_show_the_script_as_text(client, world: World, stored):
    client.force_login(world.owner)
    contact, persona, item = stored["contact"], stored["persona"], stored["item"]
    for url in [
        reverse("contacts:list"),
        reverse("contacts:detail", args=[contact.pk]),
        reverse("contacts:edit", args=[contact.pk]),
        reverse("contacts:erase", args=[contact.pk]),
        reverse("contacts:personas"),
        reverse("contacts:persona-edit", args=[persona.pk]),
        reverse("content-library"),
        reverse("content-detail", args=[item.pk]),
        reverse("scheduler-week") + f"?start={stored['monday'].isoformat()}",
    ]:
        _check(client, url)


def test_lead_pages_show_the_script_as_text(client, world: World, stored):
    client.force_login(world.lead)
    _check(client, reverse("contacts:detail", args=[stored["contact"].pk]))
    _check(client, reverse("scheduler-team") + f"?start={stored['monday'].isoformat()}")


def test_admin_shows_the_script_as_text(client, stored):
    client.force_login(AdminFactory())
    contact, persona, item = stored["contact"], stored["persona"], stored["item"]
    for url in [
        reverse("admin:contacts_contact_changelist"),
        reverse("admin:contacts_contact_change", args=[contact.pk]),
        reverse("admin:contacts_persona_changelist"),
        reverse("admin:contacts_persona_change", args=[persona.pk]),
        reverse("admin:content_contentitem_changelist"),
        reverse("admin:content_contentitem_change", args=[item.pk]),
        reverse("admin:scheduler_momentpost_changelist"),
    ]:
        _check(client, url)


def test_browsable_api_shows_the_script_as_text(client, world: World, stored):
    client.force_login(world.owner)
    for url in [
        reverse("api:contact-detail", args=[stored["contact"].pk]),
        reverse("api:contact-list"),
        reverse("api:persona-detail", args=[stored["persona"].pk]),
        reverse("api:interaction-list"),
        reverse("api:content-detail", args=[stored["item"].pk]),
        reverse("api:post-detail", args=[stored["post"].pk]),
    ]:
        _check(client, url, HTTP_ACCEPT="text/html")
