"""The contact form page: what it shows of a contact, in what order, and what saving keeps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory, GroupFactory
from contacts.tests.html import find, find_all, page, text, walk
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
