"""Export then import (update existing) of the demo contacts changes nothing, field by field.

The demo agent's contacts, plus a few whose values an export has to protect (formula-like
text, a value that really starts with an apostrophe, a foreign mobile number, several lines of
notes), go out through the real export and come back through the real import, in CSV and in
xlsx, in Chinese and in English; every stored field of every contact, its tags and groups, and
the agent's tags and groups themselves are compared before and after.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from contacts import demo
from contacts.models import Contact, ContactGroup, ContactImport, DuplicatePolicy, ImportStatus
from contacts.models import Tag as ContactTag
from contacts.services import contact_import_run, contact_import_start, contacts_export
from contacts.services.contacts import contact_create, groups_resolve, tags_resolve
from crm import demo as crm_demo
from crm.celery import app as celery_app
from crm.models import User

pytestmark = pytest.mark.django_db

FIELDS = [field.attname for field in Contact._meta.concrete_fields]


def snapshot(owner: User) -> dict:
    """Every stored field of every contact of ``owner``, their tags and groups by name, and
    the owner's tags and groups themselves (an import must not add any)."""
    contacts = {}
    for contact in (
        Contact.objects.filter(owner=owner).prefetch_related("tags", "groups").order_by("pk")
    ):
        row = {name: getattr(contact, name) for name in FIELDS}
        row["tags"] = sorted(tag.name for tag in contact.tags.all())
        row["groups"] = sorted(group.name for group in contact.groups.all())
        contacts[contact.pk] = row
    return {
        "contacts": contacts,
        "tags": sorted(ContactTag.objects.filter(owner=owner).values_list("pk", "name")),
        "groups": sorted(
            ContactGroup.objects.filter(owner=owner).values_list("pk", "name", "kind")
        ),
    }


def add_awkward_contacts(owner: User) -> None:
    """Contacts whose values a spreadsheet would read as formulas, or that really start with
    the apostrophe the export uses to neutralise them."""
    persona = owner.personas.first()
    today = dt.date(2026, 12, 19)
    awkward = [
        {
            "name": "=1+1",
            "remark": "'quoted'",
            "notes": '\'=HYPERLINK("http://evil.example","点我")',
            "source": "@朋友圈",
            "city": "+上海",
            "phone": "+85261234567",  # not +86: exported as "+852...", formula-like
            "wechat_id": "-wx-awkward-1",
            "next_follow_up": today,
            "marketing_consent": True,
            "persona": persona,
        },
        {
            "name": "''两个撇号",
            "remark": "-VIP-",
            "notes": "第一行\n第二行：'引号'\n=第三行",
            "source": "\t前面有制表符",
            "city": "'",
            "phone": "+8613700001111",
            "wechat_id": "@wx_awkward_2",
            "next_follow_up": None,
            "marketing_consent": False,
            "persona": None,
        },
    ]
    for values in awkward:
        contact = Contact.objects.create(owner=owner, **values)
        contact.tags.set(tags_resolve(owner=owner, names=["=重疾", "宝妈"]))
        contact.groups.set(groups_resolve(owner=owner, names=["+群", "老客户群"]))
    # Notes as a browser's text box sends them (\r\n), saved through the contact form's service.
    contact_create(
        owner=owner,
        name="多行备注",
        phone="+8613700002222",
        notes="想了解重疾险\r\n周末再联系",
        persona=persona,
        tag_names=["宝妈"],
    )


@pytest.fixture
def agent1() -> User:
    crm_demo.seed()
    demo.seed()
    agent = User.objects.get(username="agent1")
    add_awkward_contacts(agent)
    return agent


def import_back(owner: User, content: bytes, filename: str) -> ContactImport:
    started = contact_import_start(
        owner=owner,
        file=SimpleUploadedFile(filename, content),
        filename=filename,
        on_duplicate=DuplicatePolicy.UPDATE,
    )
    return contact_import_run(import_id=started.pk)


@pytest.mark.parametrize(
    ("fmt", "language"), [("csv", "zh-hans"), ("csv", "en"), ("xlsx", "zh-hans"), ("xlsx", "en")]
)
def test_export_then_import_of_the_demo_contacts_leaves_every_contact_as_it_was(
    agent1, fmt, language
):
    before = snapshot(agent1)
    assert len(before["contacts"]) == demo.CONTACTS_PER_AGENT + 3
    assert any(row["next_follow_up"] for row in before["contacts"].values())
    assert {row["marketing_consent"] for row in before["contacts"].values()} == {True, False}

    with translation.override(language):
        exported = contacts_export(
            actor=agent1, contacts=Contact.objects.filter(owner=agent1), fmt=fmt
        )
    result = import_back(agent1, exported.content, exported.filename)

    assert result.status == ImportStatus.DONE, result.failure
    assert result.errors == []
    assert (result.created_count, result.updated_count) == (0, len(before["contacts"]))
    after = snapshot(agent1)
    for pk, row in before["contacts"].items():
        assert after["contacts"][pk] == row, pk
    assert after == before


@pytest.fixture
def eager_celery(settings):
    """Run the enqueued import task in this process, as a worker would run it."""
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the app reads its settings lazily
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_from_the_export_page_uploaded_on_the_import_page_changes_nothing(
    client, agent1, eager_celery, django_capture_on_commit_callbacks, fmt
):
    before = snapshot(agent1)
    client.force_login(agent1)
    exported = client.get(reverse("contacts:export"), {"file_format": fmt})
    assert exported.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("contacts:import"),
            {
                "file": SimpleUploadedFile(f"contacts.{fmt}", exported.content),
                "on_duplicate": DuplicatePolicy.UPDATE,
            },
        )
    assert response.status_code == 302
    result = ContactImport.objects.get(owner=agent1)
    assert result.status == ImportStatus.DONE, result.failure
    assert (result.updated_count, result.skipped_count) == (len(before["contacts"]), 0)
    assert snapshot(agent1) == before
