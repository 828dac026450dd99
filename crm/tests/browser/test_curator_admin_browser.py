"""In a real browser: a curator approves library content in the admin.

From the curator home into the content library: a clean item is approved with the change
page's button; an item with a block finding is refused with the rule named, and stays in
review.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from content.models import ContentItem, Status
from content.services import content_create, content_transition
from content.tests.factories import BLOCKED_BODY, CLEAN_BODY
from crm.roles import Role
from crm.services import user_set_role
from crm.tests.factories import CuratorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def in_review(curator, *, title: str, body: str) -> ContentItem:
    item = content_create(actor=curator, title=title, body=body, category="value")
    return content_transition(item=item, to=Status.IN_REVIEW, actor=curator)


def test_curator_approves_clean_content_and_is_refused_on_a_block(page, live_server, login):
    curator = user_set_role(user=CuratorFactory(), role=Role.CURATOR)
    clean = in_review(curator, title="等待期是什么", body=CLEAN_BODY)
    blocked = in_review(curator, title="年金稳赚", body=BLOCKED_BODY)
    assert blocked.has_block and not clean.has_block

    login(curator)
    # The curator home lists the item with a block finding; the library is one click away.
    findings = page.locator("section[aria-labelledby=flagged-h]")
    assert findings.get_by_role("link", name="年金稳赚").is_visible()
    page.get_by_role("link", name=zh("Open the content library")).click()
    page.wait_for_url(f"**{reverse('admin:content_contentitem_changelist')}")

    # Approve the clean item from its change page.
    page.get_by_role("link", name="等待期是什么").click()
    page.wait_for_url(f"**{reverse('admin:content_contentitem_change', args=[clean.pk])}")
    page.locator(".content-transitions").get_by_role("button", name=zh("Approve")).click()
    page.locator(".messagelist .success").wait_for()
    assert "等待期是什么" in page.locator(".messagelist .success").inner_text()
    clean.refresh_from_db()
    assert (clean.status, clean.approved_by) == (Status.APPROVED, curator)

    # The blocked item: the button is there, the approval is refused and says why.
    page.goto(live_server.url + reverse("home"))
    findings.get_by_role("link", name="年金稳赚").click()
    page.wait_for_url(f"**{reverse('admin:content_contentitem_change', args=[blocked.pk])}")
    page.locator(".content-transitions").get_by_role("button", name=zh("Approve")).click()
    error = page.locator(".messagelist .error")
    error.wait_for()
    codes = sorted({f["code"] for f in blocked.findings if f["severity"] == "block"})
    assert "年金稳赚" in error.inner_text()
    assert all(code in error.inner_text() for code in codes)
    assert page.locator(".messagelist .success").count() == 0
    blocked.refresh_from_db()
    assert blocked.status == Status.IN_REVIEW
    assert blocked.approved_by is None
