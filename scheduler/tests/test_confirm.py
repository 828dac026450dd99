"""Destructive actions on the scheduler's pages ask once before they act.

"Cancel post" (for the agent and for the lead) and "Plan this week" over posts a re-plan would
cancel open a question first, as a ``<details>`` that holds the form that acts: one more click,
with or without script. The browser walk is in crm/tests/browser/test_agent_day_browser.py.
"""

import pytest
from django.urls import reverse

from contacts.tests.factories import PersonaFactory
from crm.tests.html_tree import by_id, classes, parse, text
from scheduler.cards import CANCELLABLE
from scheduler.models import PostStatus
from scheduler.tests.test_pages import this_week_post, week_url, world  # noqa: F401

pytestmark = pytest.mark.django_db
S = PostStatus


def cancel_forms(card):
    return [f for f in card.iter("form") if f.get("action", "").endswith("/cancel/")]


def parent_map(tree):
    return {child: parent for parent in tree.iter() for child in parent}


def confirm_of(tree, form):
    """The ``<details>`` around ``form``, if any."""
    parents = parent_map(tree)
    node = parents.get(form)
    while node is not None and node.tag != "details":
        node = parents.get(node)
    return node


@pytest.mark.parametrize("status", sorted(CANCELLABLE))
def test_cancel_asks_once_before_it_cancels(client, world, status):  # noqa: F811
    post = this_week_post(world["persona"], status=status)
    for user, page in ((world["agent"], "scheduler-week"), (world["lead"], "scheduler-team")):
        client.force_login(user)
        tree = parse(client.get(week_url(page)).content)
        card = by_id(tree, f"post-{post.pk}")
        (form,) = cancel_forms(card)
        details = confirm_of(tree, form)
        assert details is not None and "open" not in details.attrib  # closed until asked
        assert text(details.find("summary")) == "取消帖子"
        assert "无法恢复" in text(details.find("p"))
        (button,) = form.iter("button")
        assert text(button) == "确定取消"
        # Nothing else on the card cancels: the summary is no submit button.
        assert [b for b in card.iter("button") if text(b) == "取消帖子"] == []


def test_planning_again_over_replaceable_posts_asks_first(client, world):  # noqa: F811
    quiet = PersonaFactory(owner=world["agent"])
    this_week_post(world["persona"], status=S.DRAFT)
    this_week_post(world["persona"], status=S.REJECTED)
    this_week_post(world["persona"], status=S.SCHEDULED)  # kept by a re-plan: not counted
    world["agent"].language = "en"
    world["agent"].save(update_fields=["language"])
    client.force_login(world["agent"])
    tree = parse(client.get(week_url("scheduler-week")).content)
    plans = {
        form.find(".//input[@name='persona']").get("value"): form
        for form in tree.iter("form")
        if form.get("action") == reverse("scheduler-plan")
    }
    busy = plans[str(world["persona"].pk)]
    details = confirm_of(tree, busy)
    assert details is not None and "open" not in details.attrib
    assert "2 drafts, posts in review and sent-back posts" in text(details.find("p"))
    (button,) = busy.iter("button")
    assert "danger" in classes(button) and text(button) == "Yes, plan it again"
    # A week with nothing to replace plans at once.
    free = plans[str(quiet.pk)]
    assert confirm_of(tree, free) is None
    assert text(next(free.iter("button"))) == "Plan this week"
