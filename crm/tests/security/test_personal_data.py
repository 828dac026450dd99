"""Personal data: reveals, exports and erasures leave an audit trail; an erased contact leaves
no trace of their name, mobile number or WeChat ID in any table of the database."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.functions import Cast
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from contacts.models import Alert, AlertKind, Contact
from contacts.services import contact_import_run, contact_import_start, interaction_log
from contacts.tests.factories import ContactFactory, interaction_kind
from crm.models import AuditEvent

from .conftest import World

pytestmark = pytest.mark.django_db

NAME = "欧阳测试甲"
PHONE = "13912345678"
WECHAT = "wx_ouyang_zq9"
NEEDLES = (NAME, PHONE, WECHAT)
TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField"}


def traces(needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """Every (table, column, row) in the database whose text holds one of ``needles``.

    All models (ours, Django's, axes', DRF's, the automatic many-to-many tables), every text
    and JSON column; sessions are decoded first, since their payload is encoded.
    """
    found: list[str] = []
    for model in apps.get_models(include_auto_created=True):
        manager = model._base_manager
        for field in model._meta.concrete_fields:
            kind = field.get_internal_type()
            if kind in TEXT_TYPES:
                column = field.attname
                rows = manager.all()
            elif kind == "JSONField":
                column = f"_{field.attname}_text"
                rows = manager.annotate(**{column: Cast(field.attname, models.TextField())})
            else:
                continue
            for needle in needles:
                for pk in rows.filter(**{f"{column}__contains": needle}).values_list(
                    "pk", flat=True
                ):
                    found.append(f"{model._meta.db_table}.{field.column} pk={pk}: {needle}")
    for session in Session.objects.all():
        payload = str(session.get_decoded())
        found += [f"django_session {session.pk}: {n}" for n in needles if n in payload]
    return found


def test_the_scan_finds_what_is_there(world: World):
    """The scan itself can fail: a live contact is found in each of its columns."""
    ContactFactory(owner=world.owner, name=NAME, phone=f"+86{PHONE}", wechat_id=WECHAT)
    found = traces()
    assert any("contacts_contact.name" in f for f in found)
    assert any("contacts_contact.phone" in f for f in found)
    assert any("contacts_contact.wechat_id" in f for f in found)


def _live_a_little(world: World) -> Contact:
    """The contact as an agent's work leaves them: imported, edited, touched, alerted on,
    revealed and exported, through the pages and the API."""
    owner = world.owner
    csv = f"姓名,手机,微信号,备注\n{NAME},{PHONE},{WECHAT},{NAME}的朋友\n".encode()
    started = contact_import_start(owner=owner, file=ContentFile(csv), filename="leads.csv")
    contact_import_run(import_id=started.pk)
    contact = Contact.objects.get(owner=owner, wechat_id=WECHAT)
    client = Client()
    client.force_login(owner)
    edit = client.post(
        reverse("contacts:detail", args=[contact.pk]),
        {"notes": f"{NAME} 想了解重疾险, 电话 {PHONE}, 微信 {WECHAT}", "next_follow_up": ""},
    )
    assert edit.status_code == 302
    interaction_log(
        contact=contact, kind=interaction_kind("call"), note=f"给{NAME}打了电话", by=owner
    )
    Alert.objects.create(owner=owner, contact=contact, kind=AlertKind.HOT, for_date="2026-01-05")
    assert client.post(reverse("contacts:phone", args=[contact.pk])).status_code == 200
    api = APIClient()
    api.force_authenticate(owner)
    assert api.post(f"/api/v1/contacts/{contact.pk}/reveal-phone/").json()["phone"] == PHONE
    assert client.get(reverse("contacts:export")).status_code == 200
    assert api.get("/api/v1/contacts/export/?file_format=xlsx").status_code == 200
    return contact


def test_reveal_export_and_erasure_are_audit_logged(world: World):
    contact = _live_a_little(world)
    client = Client()
    client.force_login(world.owner)
    client.post(reverse("contacts:erase", args=[contact.pk]), {"confirm": "yes", "reason": "请求"})
    events = list(
        AuditEvent.objects.order_by("at", "pk").values_list("action", "actor", "target_id")
    )
    me, target = world.owner.pk, str(contact.pk)
    assert events == [
        ("contact.phone_reveal", me, target),
        ("contact.phone_reveal", me, target),
        ("contacts.export", me, ""),
        ("contacts.export", me, ""),
        ("contact.erase", me, target),
    ]
    export = AuditEvent.objects.filter(action="contacts.export").first()
    assert export.detail["rows"] == 1
    # The trail says who saw whose data, never the data itself.
    assert not [t for t in traces() if t.startswith("crm_auditevent")]


def test_api_erasure_is_audit_logged(world: World):
    contact = ContactFactory(owner=world.owner)
    api = APIClient()
    api.force_authenticate(world.owner)
    assert api.post(f"/api/v1/contacts/{contact.pk}/erase/", {"reason": "PIPL"}).status_code == 200
    event = AuditEvent.objects.get(action="contact.erase")
    assert (event.actor_id, event.target_id, event.detail["reason"]) == (
        world.owner.pk,
        str(contact.pk),
        "PIPL",
    )


def test_after_erasure_no_table_holds_the_name_phone_or_wechat_id(world: World):
    contact = _live_a_little(world)
    assert len(traces()) >= 5  # interaction note, notes, name, phone, wechat_id at least
    client = Client()
    client.force_login(world.owner)
    response = client.post(reverse("contacts:erase", args=[contact.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    assert traces() == []


def test_after_erasure_the_admin_history_holds_no_name(world: World, admin_user):
    contact = _live_a_little(world)
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    # What the admin writes when a curator or admin saves the contact's change form.
    admin.site._registry[Contact].log_change(request, contact, [{"changed": {"fields": ["Notes"]}}])
    client = Client()
    client.force_login(world.owner)
    client.post(reverse("contacts:erase", args=[contact.pk]), {"confirm": "yes"})
    assert traces() == []


def test_after_erasure_no_stored_import_file_holds_the_contact(world: World):
    contact = _live_a_little(world)
    client = Client()
    client.force_login(world.owner)
    client.post(reverse("contacts:erase", args=[contact.pk]), {"confirm": "yes"})
    from contacts.models import ContactImport

    for contact_import in ContactImport.objects.filter(owner=world.owner):
        if contact_import.file and contact_import.file.storage.exists(contact_import.file.name):
            with contact_import.file.open("rb") as handle:
                text = handle.read().decode("utf-8", "replace")
            assert not any(n in text for n in NEEDLES), contact_import.file.name
