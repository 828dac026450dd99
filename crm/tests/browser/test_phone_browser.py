"""In a real browser at 375 px: the agent home fits a phone, and every control has a name.

The home is filled with what makes pages overflow on phones: long texts and names without
spaces, several posts, image links, hot leads with their one-click buttons, an alert, a
follow-up and an unfinished persona. Names are Chromium's own computed accessible names (the
accessibility tree through the DevTools protocol), not a re-implementation of the rules.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Alert
from contacts.services import interaction_log
from contacts.services.alerts import alerts_raise_for
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.tests.browser.conftest import earlier_today
from crm.tests.factories import AgentFactory
from scheduler.models import PostStatus
from scheduler.tests.factories import LICENCE, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
CONTROL_ROLES = {
    "button",
    "textbox",
    "combobox",
    "listbox",
    "checkbox",
    "radio",
    "spinbutton",
    "searchbox",
    "slider",
    "switch",
    "link",
}
# The controls a user can see: checkVisibility() is false inside a closed <details> (its
# content is content-visibility: hidden, which keeps boxes, so getClientRects() counts it).
VISIBLE_CONTROLS = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href]')]
  .filter(el => el.checkVisibility({visibilityProperty: true}))
  .length"""


def unnamed_controls(page) -> tuple[int, list[str]]:
    """(named controls in the page's accessibility tree, the HTML of any without a name)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Accessibility.enable")
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        controls = [
            n
            for n in nodes
            if not n.get("ignored") and n.get("role", {}).get("value") in CONTROL_ROLES
        ]
        unnamed = [
            cdp.send("DOM.getOuterHTML", {"backendNodeId": n["backendDOMNodeId"]})["outerHTML"]
            for n in controls
            if not str(n.get("name", {}).get("value", "")).strip()
        ]
    finally:
        cdp.detach()
    return len(controls), unnamed


@pytest.fixture
def busy_agent():
    agent = AgentFactory(display_name="小李")
    persona = PersonaFactory(
        owner=agent, nickname="一个很长很长很长很长很长很长的昵称没有行业", licence_number=LICENCE
    )
    sent_at = earlier_today(agent)
    for i, status in enumerate([PostStatus.SENT, PostStatus.SENT, PostStatus.SCHEDULED]):
        PostFactory(
            persona=persona,
            text="很长的一段朋友圈文案没有空格" * 20 + "https://example.invalid/" + "x" * 80,
            title="标题" * 30,
            status=status,
            scheduled_at=sent_at + dt.timedelta(minutes=i),
            window_ends_at=sent_at + dt.timedelta(hours=1),
            image_paths=[f"content/{i}/a.jpg", f"content/{i}/b.jpg"],
        )
    for i in range(3):
        lead = ContactFactory(
            owner=agent,
            name=f"非常非常非常非常长的客户名字{i}号",
            remark=f"ZhangWei_PingAn_Shanghai_referral_from_LiMing_2023_{i:02d}",  # one long word
            next_follow_up=timezone.localdate(timezone.now(), agent.tzinfo),
        )
        interaction_log(contact=lead, kind="purchase", by=agent)
        interaction_log(contact=lead, kind="meeting", by=agent)
    alerts_raise_for(owner=agent)
    assert Alert.objects.filter(owner=agent).exists()
    return agent


def test_agent_home_fits_375_px_and_every_control_is_named(page, live_server, login, busy_agent):
    page.set_viewport_size(PHONE)
    login(busy_agent)
    assert page.locator("button.copy-button").count() == 2
    assert page.locator(".warmth-badge button.quick").count() >= 3 * 5
    assert page.locator(".alert-list li").count() >= 1

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the home scrolls sideways: {width} px wide"

    named, unnamed = unnamed_controls(page)
    assert not unnamed, unnamed
    assert named >= page.evaluate(VISIBLE_CONTROLS)


def test_todays_posts_page_fits_375_px_and_every_control_is_named(
    page, live_server, login, busy_agent
):
    page.set_viewport_size(PHONE)
    login(busy_agent)
    page.goto(live_server.url + reverse("scheduler-today"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px wide"
    named, unnamed = unnamed_controls(page)
    assert not unnamed, unnamed
    assert named >= page.evaluate(VISIBLE_CONTROLS)
