"""The contacts API: CRUD, field errors, filters, cursor pages, bulk, import and export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from contacts.models import Contact, ContactImport, ImportStatus
from contacts.services import contact_import_run
from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.models import AuditEvent
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(api_client):
    user = AgentFactory()
    api_client.force_authenticate(user)
    return user


def test_create_contact_normalises_phone_and_returns_it_masked(api_client, agent):
    group = GroupFactory(owner=agent)
    response = api_client.post(
        reverse("api:contact-list"),
        {"name": "赵敏", "phone": "138 1234 5678", "tags": ["宝妈", "重疾"], "groups": [group.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phone_masked"] == "138****5678" and "phone" not in body
    assert sorted(body["tags"]) == ["宝妈", "重疾"] and body["groups"] == [group.pk]
    assert Contact.objects.get(pk=body["id"]).phone == "+8613812345678"


def test_bad_input_is_a_400_with_field_errors(api_client, agent):
    ContactFactory(owner=agent, wechat_id="taken")
    response = api_client.post(
        reverse("api:contact-list"),
        {"name": "", "phone": "12345", "stage": "nonsense"},
        format="json",
    )
    assert response.status_code == 400
    assert {"name", "stage"} <= set(response.json())
    response = api_client.post(
        reverse("api:contact-list"), {"name": "甲", "phone": "12345"}, format="json"
    )
    assert response.status_code == 400 and "phone" in response.json()
    response = api_client.post(
        reverse("api:contact-list"), {"name": "甲", "wechat_id": "taken"}, format="json"
    )
    assert response.status_code == 400 and "wechat_id" in response.json()
    other_persona = PersonaFactory()
    response = api_client.post(
        reverse("api:contact-list"), {"name": "甲", "persona": other_persona.pk}, format="json"
    )
    assert response.status_code == 400 and "persona" in response.json()


def test_update_and_filters_and_search(api_client, agent):
    tag = TagFactory(owner=agent)
    hit = ContactFactory(owner=agent, name="钱多多", tags=[tag], source="展会")
    ContactFactory(owner=agent, name="孙小美")
    url = reverse("api:contact-list")
    assert [r["id"] for r in api_client.get(url, {"q": "多多"}).json()["results"]] == [hit.pk]
    assert [r["id"] for r in api_client.get(url, {"tag": tag.pk}).json()["results"]] == [hit.pk]
    assert [r["id"] for r in api_client.get(url, {"source": "展会"}).json()["results"]] == [hit.pk]
    response = api_client.patch(
        reverse("api:contact-detail", args=[hit.pk]), {"stage": "customer"}, format="json"
    )
    assert response.status_code == 200 and response.json()["stage"] == "customer"
    assert api_client.delete(reverse("api:contact-detail", args=[hit.pk])).status_code == 405


def test_cursor_pages_walk_every_contact_once_in_warmth_order(api_client, agent):
    for i in range(7):
        ContactFactory(owner=agent, warmth_ref=i % 3)  # ties, broken by id
    stored = dict(Contact.objects.values_list("pk", "warmth_ref"))
    seen, url = [], reverse("api:contact-list") + "?ordering=-warmth_ref&page_size=3"
    while url:
        body = api_client.get(url).json()
        seen += [(stored[row["id"]], row["id"]) for row in body["results"]]
        url = body["next"]
    assert len(seen) == 7 and len({s[1] for s in seen}) == 7
    assert seen == sorted(seen, key=lambda s: (-s[0], -s[1]))


def test_ordering_by_last_interaction_pages_across_never_touched(api_client, agent):
    from django.utils import timezone

    touched = ContactFactory(owner=agent, last_interaction_at=timezone.now())
    never = [ContactFactory(owner=agent) for _ in range(3)]
    url = reverse("api:contact-list") + "?ordering=-last_touch&page_size=2"
    ids = []
    while url:
        body = api_client.get(url).json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    assert ids[0] == touched.pk and sorted(ids[1:]) == sorted(c.pk for c in never)


def test_bulk_endpoint(api_client, agent):
    one, two = ContactFactory(owner=agent), ContactFactory(owner=agent)
    stranger = ContactFactory()
    url = reverse("api:contact-bulk")
    response = api_client.post(
        url,
        {"action": "tag", "ids": [one.pk, two.pk, stranger.pk], "tag_names": ["VIP"]},
        format="json",
    )
    assert response.status_code == 200 and response.json() == {"updated": 2}
    assert not stranger.tags.exists()
    response = api_client.post(url, {"action": "stage", "ids": [one.pk]}, format="json")
    assert response.status_code == 400 and "stage" in response.json()
    group = GroupFactory(owner=agent)
    api_client.post(url, {"action": "move", "ids": [one.pk], "group": group.pk}, format="json")
    assert list(group.contacts.all()) == [one]
    foreign_group = GroupFactory()
    response = api_client.post(
        url, {"action": "move", "ids": [one.pk], "group": foreign_group.pk}, format="json"
    )
    assert response.status_code == 400 and "group" in response.json()


def test_import_endpoint_returns_the_import_to_poll(api_client, agent):
    agent.language = "en"
    agent.save(update_fields=["language"])
    data = "姓名,手机\r\n张三,13800138000\r\n,13800138001\r\n".encode("gbk")
    response = api_client.post(
        reverse("api:contact-import-file"),
        {"file": SimpleUploadedFile("c.csv", data), "on_duplicate": "update"},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    import_id = response.json()["id"]
    assert response["Location"] == reverse("api:contactimport-detail", args=[import_id])
    contact_import_run(import_id=import_id)  # what the worker does (see test_worker.py)
    detail = reverse("api:contactimport-detail", args=[import_id])
    body = api_client.get(detail, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["status"] == ImportStatus.DONE and body["created_count"] == 1
    assert body["errors"] == [{"row": 3, "column": "name", "reason": "The name is missing."}]
    # The report is stored as message ids: each request reads it in its own language.
    body = api_client.get(detail, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    with translation.override("zh-hans"):
        missing = translation.gettext("The name is missing.")
    assert missing != "The name is missing."
    assert body["errors"] == [{"row": 3, "column": "name", "reason": missing}]


def test_import_endpoint_refuses_a_pdf_with_a_field_error(api_client, agent):
    response = api_client.post(
        reverse("api:contact-import-file"),
        {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()
    assert not ContactImport.objects.exists()


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_formulas_and_is_audit_logged(api_client, agent, fmt):
    for i, formula in enumerate(FORMULAS):
        ContactFactory(owner=agent, name=formula, remark=f"r{i}")
    ContactFactory()  # another agent's: never exported
    response = api_client.get(reverse("api:contact-export"), {"file_format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        rows = [line.split(",")[0].strip('"') for line in text.splitlines()[1:]]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [row[0] for row in sheet.iter_rows(min_row=2)]
        assert all(cell.data_type == "s" for cell in cells)  # text, never a formula
        rows = [cell.value for cell in cells]
    assert len(rows) == len(FORMULAS)
    assert all(value.startswith("'") for value in rows), rows
    event = AuditEvent.objects.get(action="contacts.export")
    assert event.actor == agent and event.detail == {"format": fmt, "rows": len(FORMULAS)}


def test_export_page_link_honours_filters(client):
    agent = AgentFactory()
    ContactFactory(owner=agent, name="要的", source="展会")
    ContactFactory(owner=agent, name="不要的", source="转介绍")
    client.force_login(agent)
    response = client.get(reverse("contacts:export"), {"file_format": "csv", "source": "展会"})
    text = response.content.decode("utf-8-sig")
    assert "要的" in text and "不要的" not in text
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("contacts:export"), {"file_format": "pdf"}).status_code == 400


def test_reveal_and_erase_endpoints(api_client, agent):
    contact = ContactFactory(owner=agent, phone="+8613812345678")
    response = api_client.post(reverse("api:contact-reveal-phone", args=[contact.pk]))
    assert response.json() == {"phone": "13812345678"}
    assert AuditEvent.objects.filter(action="contact.phone_reveal").count() == 1
    response = api_client.post(
        reverse("api:contact-erase", args=[contact.pk]), {"reason": "本人要求"}
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.erased_at and contact.phone == ""
    assert api_client.get(reverse("api:contact-list")).json()["results"] == []


def test_personas_groups_tags_endpoints(api_client, agent):
    response = api_client.post(
        reverse("api:persona-list"),
        {"nickname": "小李-保险规划师", "licence_number": "bad"},
        format="json",
    )
    assert response.status_code == 400 and "licence_number" in response.json()
    response = api_client.post(
        reverse("api:persona-list"), {"nickname": "小李-保险规划师"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["is_nurturing"] is True and len(body["checklist"]) == 6
    response = api_client.post(reverse("api:contactgroup-list"), {"name": "老客户"}, format="json")
    assert response.status_code == 201
    again = api_client.post(reverse("api:contactgroup-list"), {"name": "老客户"}, format="json")
    assert again.status_code == 400 and "name" in again.json()
    response = api_client.post(reverse("api:contacttag-list"), {"name": "VIP"}, format="json")
    assert response.status_code == 201
    again = api_client.post(reverse("api:contacttag-list"), {"name": "VIP"}, format="json")
    assert again.status_code == 400 and "name" in again.json()


def test_tag_and_bulk_and_export_errors_are_field_messages_in_the_callers_language(
    api_client, agent
):
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    tags = reverse("api:contacttag-list")
    vip = api_client.post(tags, {"name": "VIP"}, format="json", **zh).json()
    again = api_client.post(tags, {"name": " VIP "}, format="json", **zh)
    assert again.status_code == 400
    assert again.json() == {"name": ["你已有同名标签。"]}
    other = api_client.post(tags, {"name": "老客户"}, format="json", **zh).json()
    clash = api_client.patch(
        reverse("api:contacttag-detail", args=[other["id"]]), {"name": "VIP"}, format="json", **zh
    )
    assert clash.status_code == 400 and clash.json() == {"name": ["你已有同名标签。"]}
    renamed = api_client.patch(
        reverse("api:contacttag-detail", args=[vip["id"]]), {"name": "贵宾"}, format="json", **zh
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "贵宾"
    bulk = api_client.post(
        reverse("api:contact-bulk"), {"action": "stage", "ids": [1]}, format="json", **zh
    )
    assert bulk.status_code == 400 and bulk.json() == {"stage": ["此操作需要填写一个值。"]}
    export = api_client.get(reverse("api:contact-export"), {"file_format": "pdf"}, **zh)
    assert export.status_code == 400 and export.json() == {"file_format": ["请选择 csv 或 xlsx。"]}
