"""The contact form page: what it shows of a contact, in what order, and what saving keeps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory, GroupFactory
from contacts.tests.html import attrs, find, find_all, page, text, walk
from crm.models import AuditEvent
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["contacts:create", "contacts:edit"])
def test_the_groups_label_heads_its_checkboxes(client, url_name):
    """The groups are a set of checkboxes under a legend that names them, first; never the
    boxes with their name trailing below inside one label."""
    agent = AgentFactory(language="en")
    groups = [GroupFactory(owner=agent, name=name) for name in ("老客户群", "宝妈群")]
    contact = ContactFactory(owner=agent, groups=groups[:1])
    client.force_login(agent)
    args = [contact.pk] if url_name == "contacts:edit" else []
    doc = page(client.get(reverse(url_name, args=args)).content)

    boxes = find_all(doc, "input", name="groups")
    assert len(boxes) == 2
    fieldset = next(f for f in find_all(doc, "fieldset") if find(f, "input", name="groups"))
    legend = find(fieldset, "legend")
    assert legend is not None and text(legend) == "Groups"
    order = list(walk(fieldset))
    assert all(order.index(legend) < order.index(box) for box in boxes)
    # Each box has its own label, naming its group; no label holds more than one box.
    for label in find_all(fieldset, "label"):
        assert len(find_all(label, "input")) <= 1
    assert {text(label) for label in find_all(fieldset, "label")} == {"老客户群", "宝妈群"}


FULL = "+8613812345678"
DIGITS = "13812345678"


def _edit_page(client, contact):
    return page(client.get(reverse("contacts:edit", args=[contact.pk])).content)


def _unchanged(doc) -> dict[str, object]:
    """What the edit form sends when saved as it is: each field's value as the page has it."""
    data: dict[str, object] = {}
    form = find(doc, "form", class_="form-narrow")  # the contact form, not the logout one
    for field in find_all(form, "input") + find_all(form, "textarea") + find_all(form, "select"):
        have = attrs(field)
        name = have.get("name")
        if not name or name == "csrfmiddlewaretoken":
            continue
        if field.name == "select":
            chosen = [
                attrs(o).get("value") for o in find_all(field, "option") if "selected" in attrs(o)
            ]
            data[name] = chosen[0] if chosen else ""
        elif field.name == "textarea":
            data[name] = text(field)
        elif have.get("type") in ("checkbox", "radio"):
            if "checked" in have:
                data.setdefault(name, []).append(have.get("value", "on"))
        else:
            data[name] = have.get("value") or ""
    return data


def test_the_edit_page_shows_the_number_masked_with_no_full_number_in_its_html(client):
    contact = ContactFactory(phone=FULL)
    client.force_login(contact.owner)
    response = client.get(reverse("contacts:edit", args=[contact.pk]))
    html = response.content.decode()
    assert DIGITS not in html and FULL not in html and "1381234" not in html
    field = find(page(html), "input", name="phone")
    assert attrs(field)["value"] == "138****5678"
    assert not AuditEvent.objects.filter(action="contact.phone_reveal").exists()


def test_saving_the_edit_form_unchanged_keeps_the_stored_number(client):
    contact = ContactFactory(phone=FULL, name="王女士", city="南京")
    client.force_login(contact.owner)
    data = _unchanged(_edit_page(client, contact))
    assert data["phone"] == "138****5678"
    response = client.post(reverse("contacts:edit", args=[contact.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert (contact.phone, contact.name, contact.city) == (FULL, "王女士", "南京")


def test_a_number_typed_over_the_mask_replaces_it(client):
    contact = ContactFactory(phone=FULL)
    client.force_login(contact.owner)
    data = _unchanged(_edit_page(client, contact)) | {"phone": "139 0000 0000"}
    assert client.post(reverse("contacts:edit", args=[contact.pk]), data).status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "+8613900000000"


def test_a_half_edited_mask_is_a_field_error_not_a_changed_number(client):
    contact = ContactFactory(phone=FULL, owner__language="en")
    client.force_login(contact.owner)
    data = _unchanged(_edit_page(client, contact)) | {"phone": "139****5678"}
    response = client.post(reverse("contacts:edit", args=[contact.pk]), data)
    assert response.status_code == 400
    doc = page(response.content)
    wrong = find(doc, "div", class_="has-error")
    assert wrong is not None and find(wrong, "input", name="phone") is not None
    assert attrs(find(wrong, "input", name="phone"))["value"] == "139****5678"
    contact.refresh_from_db()
    assert contact.phone == FULL


def test_revealing_the_number_in_the_form_is_the_audited_reveal(client):
    contact = ContactFactory(phone=FULL)
    client.force_login(contact.owner)
    doc = _edit_page(client, contact)
    button = find(doc, "button", hx_post=reverse("contacts:phone", args=[contact.pk]))
    assert button is not None and attrs(button)["hx-target"] == "#phone-field"
    response = client.post(
        reverse("contacts:phone", args=[contact.pk]), {"as": "input"}, HTTP_HX_REQUEST="true"
    )
    revealed = find(page(response.content), "input", name="phone")
    assert attrs(revealed)["value"] == DIGITS and attrs(revealed)["id"] == "id_phone"
    event = AuditEvent.objects.get(action="contact.phone_reveal")
    assert (event.actor, event.target_id) == (contact.owner, str(contact.pk))
    # Saved with the revealed number, the number is the same.
    data = _unchanged(doc) | {"phone": DIGITS}
    assert client.post(reverse("contacts:edit", args=[contact.pk]), data).status_code == 302
    contact.refresh_from_db()
    assert contact.phone == FULL


def test_the_reveal_is_the_owners_only(client):
    contact = ContactFactory(phone=FULL)
    client.force_login(AgentFactory())
    response = client.post(reverse("contacts:phone", args=[contact.pk]), {"as": "input"})
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_a_contact_without_a_number_offers_no_reveal(client):
    contact = ContactFactory(phone="")
    client.force_login(contact.owner)
    doc = _edit_page(client, contact)
    assert attrs(find(doc, "input", name="phone")).get("value") in (None, "")
    assert find(doc, "button", hx_post=reverse("contacts:phone", args=[contact.pk])) is None
