"""Contacts: phones, masking, uniqueness, pages, search, filters, bulk, reveal and erasure."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Contact, Stage
from contacts.phones import mask_phone, normalise_phone
from contacts.services import contact_create, contact_erase, contact_update
from contacts.tests.factories import ContactFactory, GroupFactory, PersonaFactory, TagFactory
from crm.models import AuditEvent
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "+86 138-1234-5678",
        "0086 13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_chinese_mobile_numbers_are_stored_as_e164(raw):
    assert normalise_phone(raw) == "+8613812345678"


@pytest.mark.parametrize("raw", ["12345", "1381234567", "021 6123 4567", "abc", "+86 19"])
def test_invalid_or_landline_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_masking_keeps_first_three_and_last_four():
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("") == ""


def test_phone_and_wechat_are_unique_per_owner_with_field_errors(english):
    owner = AgentFactory()
    contact_create(owner=owner, name="甲", phone="13812345678", wechat_id="wx_a")
    with pytest.raises(ValidationError) as caught:
        contact_create(owner=owner, name="乙", phone="+8613812345678", wechat_id="wx_a")
    assert set(caught.value.message_dict) == {"phone", "wechat_id"}
    # Another agent may hold the same friend.
    contact_create(owner=AgentFactory(), name="乙", phone="13812345678", wechat_id="wx_a")


def test_persona_and_group_of_another_agent_are_refused():
    owner = AgentFactory()
    with pytest.raises(ValidationError) as caught:
        contact_create(owner=owner, name="甲", persona=PersonaFactory())
    assert "persona" in caught.value.message_dict
    with pytest.raises(ValidationError):
        contact_create(owner=owner, name="甲", groups=[GroupFactory()])


def test_list_shows_masked_phones_only(client):
    owner = AgentFactory()
    ContactFactory(owner=owner, phone="+8613812345678")
    client.force_login(owner)
    html = client.get(reverse("contacts:list")).content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html


def test_every_bulk_action_control_is_named_by_its_label(client):
    owner = AgentFactory()
    ContactFactory(owner=owner)
    client.force_login(owner)
    html = client.get(reverse("contacts:list")).content.decode()
    for control in ("b-action", "b-tag-name", "b-tag", "b-group", "b-stage"):
        assert f'<label for="{control}">' in html
        assert f'id="{control}"' in html


def test_search_by_name_remark_wechat_and_phone_digits(client):
    owner = AgentFactory()
    zhang = ContactFactory(
        owner=owner, name="张伟", remark="张总", wechat_id="zw_88", phone="+8613900001111"
    )
    li = ContactFactory(
        owner=owner, name="李娜", remark="", wechat_id="lina", phone="+8613700002222"
    )
    client.force_login(owner)

    def found(q):
        return set(client.get(reverse("contacts:list"), {"q": q}).context["page"].object_list)

    assert found("张伟") == {zhang}
    assert found("张总") == {zhang}
    assert found("lina") == {li}
    assert found("0000-2222") == {li}
    assert found("139") == {zhang}


def test_filters_by_tag_group_stage_source_and_persona(client):
    owner = AgentFactory()
    tag, group, persona = (
        TagFactory(owner=owner),
        GroupFactory(owner=owner),
        PersonaFactory(owner=owner),
    )
    hit = ContactFactory(
        owner=owner,
        tags=[tag],
        groups=[group],
        stage=Stage.CUSTOMER,
        source="展会",
        persona=persona,
    )
    ContactFactory(owner=owner)
    client.force_login(owner)
    for params in (
        {"tag": tag.pk},
        {"group": group.pk},
        {"stage": "customer"},
        {"source": "展会"},
        {"persona": persona.pk},
    ):
        page = client.get(reverse("contacts:list"), params).context["page"]
        assert list(page.object_list) == [hit], params


def test_ordering_by_warmth_last_interaction_and_name(client):
    import datetime as dt

    from django.utils import timezone

    owner = AgentFactory()
    now = timezone.now()
    a = ContactFactory(owner=owner, name="A", warmth_ref=1, last_interaction_at=now)
    b = ContactFactory(owner=owner, name="B", warmth_ref=5, last_interaction_at=None)
    c = ContactFactory(
        owner=owner, name="C", warmth_ref=3, last_interaction_at=now - dt.timedelta(1)
    )
    client.force_login(owner)

    def order(sort):
        return list(
            client.get(reverse("contacts:list"), {"sort": sort}).context["page"].object_list
        )

    assert order("-warmth") == [b, c, a]
    assert order("name") == [a, b, c]
    assert order("-last_interaction")[:2] in ([a, c], [b, a])  # NULLs sort by the database's rule


def test_bulk_actions_tag_untag_move_and_stage(client):
    owner = AgentFactory()
    one, two = ContactFactory(owner=owner), ContactFactory(owner=owner)
    untouched = ContactFactory(owner=owner)
    group = GroupFactory(owner=owner)
    client.force_login(owner)
    url = reverse("contacts:list")
    ids = [one.pk, two.pk]

    assert client.post(url, {"action": "tag", "ids": ids, "tag_name": "高意向"}).status_code == 302
    assert set(Contact.objects.filter(tags__name="高意向")) == {one, two}
    tag = one.tags.get()
    client.post(url, {"action": "untag", "ids": [one.pk], "tag": tag.pk})
    assert set(Contact.objects.filter(tags__name="高意向")) == {two}
    client.post(url, {"action": "move", "ids": ids, "group": group.pk})
    assert set(group.contacts.all()) == {one, two}
    client.post(url, {"action": "stage", "ids": ids, "stage": "proposal"})
    assert set(Contact.objects.filter(stage="proposal")) == {one, two}
    untouched.refresh_from_db()
    assert untouched.stage == "new_friend" and not untouched.tags.exists()


def test_bulk_action_without_its_value_changes_nothing(client):
    owner = AgentFactory()
    one = ContactFactory(owner=owner)
    client.force_login(owner)
    response = client.post(
        reverse("contacts:list"), {"action": "stage", "ids": [one.pk]}, follow=True
    )
    assert response.status_code == 200
    one.refresh_from_db()
    assert one.stage == "new_friend"


def test_create_and_edit_contact_pages_show_field_errors(client):
    owner = AgentFactory(language="en")
    ContactFactory(owner=owner, phone="+8613812345678")
    client.force_login(owner)
    response = client.post(
        reverse("contacts:create"),
        {"name": "新客户", "phone": "13812345678", "stage": "new_friend"},
    )
    assert response.status_code == 400
    assert "already have a contact with this mobile" in response.content.decode()
    response = client.post(
        reverse("contacts:create"),
        {"name": "新客户", "phone": "139 0000 0000", "stage": "engaged", "tags": "宝妈、重疾"},
    )
    created = Contact.objects.get(name="新客户")
    assert response.status_code == 302
    assert created.phone == "+8613900000000"
    assert sorted(t.name for t in created.tags.all()) == ["宝妈", "重疾"]
    response = client.post(
        reverse("contacts:edit", args=[created.pk]), {"name": "", "stage": "engaged"}
    )
    assert response.status_code == 400


def test_contact_page_saves_notes_and_follow_up(client):
    contact = ContactFactory()
    client.force_login(contact.owner)
    url = reverse("contacts:detail", args=[contact.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"notes": "想给孩子配重疾", "next_follow_up": "2030-01-02"})
    contact.refresh_from_db()
    assert contact.notes == "想给孩子配重疾"
    assert contact.next_follow_up.isoformat() == "2030-01-02"


def test_phone_reveal_shows_the_full_number_and_is_audit_logged(client):
    contact = ContactFactory(phone="+8613812345678")
    client.force_login(contact.owner)
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    response = client.post(reverse("contacts:phone", args=[contact.pk]))
    assert "13812345678" in response.content.decode()
    event = AuditEvent.objects.get(action="contact.phone_reveal")
    assert event.actor == contact.owner
    assert (event.target_type, event.target_id) == ("contacts.contact", str(contact.pk))
    assert client.get(reverse("contacts:phone", args=[contact.pk])).status_code == 405


def test_erasure_wipes_personal_data_keeps_counts_and_is_audit_logged(client):
    tag = TagFactory()
    owner = tag.owner
    contact = ContactFactory(
        owner=owner,
        name="王芳",
        remark="王姐",
        wechat_id="wangfang",
        phone="+8613812345678",
        city="上海",
        notes="家里两个孩子",
        stage=Stage.CUSTOMER,
        tags=[tag],
    )
    client.force_login(owner)
    response = client.post(reverse("contacts:erase", args=[contact.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.erased_at is not None
    assert (contact.name, contact.remark, contact.wechat_id, contact.phone) == ("", "", "", "")
    assert (contact.city, contact.notes) == ("", "")
    assert not contact.tags.exists()
    # The anonymous shell still counts: the agent had one customer.
    assert Contact.objects.filter(owner=owner, stage=Stage.CUSTOMER).count() == 1
    assert Contact.objects.filter(owner=owner).active().count() == 0
    event = AuditEvent.objects.get(action="contact.erase")
    assert event.actor == owner and event.target_id == str(contact.pk)
    assert "王芳" not in str(event.detail)
    # Erased contacts leave the list and cannot be edited again.
    assert client.get(reverse("contacts:list")).context["count"] == 0
    assert client.get(reverse("contacts:edit", args=[contact.pk])).status_code == 404
    with pytest.raises(ValidationError):
        contact_update(contact=contact, name="复活")


def test_erasure_needs_confirmation(client):
    contact = ContactFactory()
    client.force_login(contact.owner)
    client.post(reverse("contacts:erase", args=[contact.pk]), {})
    contact.refresh_from_db()
    assert contact.erased_at is None


def test_erasing_twice_is_harmless():
    contact = ContactFactory()
    contact_erase(contact=contact, actor=contact.owner)
    contact_erase(contact=contact, actor=contact.owner)
    assert AuditEvent.objects.filter(action="contact.erase").count() == 1


def test_group_pages_create_list_and_show_members(client):
    owner = AgentFactory()
    client.force_login(owner)
    response = client.post(
        reverse("contacts:groups"), {"name": "老客户群", "kind": "wechat_group", "description": ""}
    )
    group = owner.contact_groups.get()
    assert response.status_code == 302
    member = ContactFactory(owner=owner, groups=[group])
    ContactFactory(owner=owner)
    listing = client.get(reverse("contacts:groups"))
    assert listing.context["groups"][0].member_count == 1
    detail = client.get(reverse("contacts:group-detail", args=[group.pk]))
    assert list(detail.context["page"].object_list) == [member]
    duplicate = client.post(reverse("contacts:groups"), {"name": "老客户群", "kind": "tag_group"})
    assert duplicate.status_code == 400
    client.post(reverse("contacts:group-detail", args=[group.pk]), {"delete": "yes"})
    assert not owner.contact_groups.exists()
    assert Contact.objects.filter(pk=member.pk).exists()
