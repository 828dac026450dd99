"""In a real browser, in the Chinese interface: the admin's tag pickers say nothing in English.

The two-box picker (``filter_horizontal``) is drawn by the admin's SelectFilter2.js from the
JavaScript catalogue; its headings, help texts, buttons and their titles must all be Chinese,
the field's name included.
"""

import re

import pytest
from django.urls import reverse

from crm.roles import Role
from crm.services import user_set_role
from crm.tests.factories import AdminFactory, CuratorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PICKER_TEXTS = """() => [...document.querySelectorAll('.selector')].flatMap(picker => [
  picker.innerText,
  ...[...picker.querySelectorAll('[title], [placeholder], [aria-label]')].flatMap(el =>
    ['title', 'placeholder', 'aria-label'].map(name => el.getAttribute(name) || '')),
])"""
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def english_in_pickers(page) -> list[str]:
    page.locator(".selector").first.wait_for()
    texts = page.evaluate(PICKER_TEXTS)
    assert texts, "no tag picker on the page"
    return sorted({word for text in texts for word in LATIN_WORD.findall(text)})


@pytest.mark.parametrize(
    ("user_factory", "role", "url_name"),
    [
        (CuratorFactory, Role.CURATOR, "admin:content_contentitem_add"),
        (AdminFactory, Role.ADMIN, "admin:contacts_contact_add"),
    ],
)
def test_the_admins_tag_pickers_read_in_chinese(
    page, live_server, login, user_factory, role, url_name
):
    login(user_set_role(user=user_factory(), role=role))
    page.goto(live_server.url + reverse(url_name))
    assert english_in_pickers(page) == []
