"""Destructive actions on the scheduler's pages ask once before they act.

"Cancel post" (for the agent and for the lead) and "Plan this week" over posts a re-plan would
cancel open a question first, as a ``<details>`` that holds the form that acts: one more click,
with or without script. The browser walk is in crm/tests/browser/test_agent_day_browser.py.
"""

import pytest
from django.urls import reverse

from contacts.tests.factories import PersonaFactory
from crm.tests.markup import attr, classes, find, find_all, parse, text
from scheduler.models import PostStatus
from scheduler.tests.test_pages import this_week_post, week_url, world  # noqa: F401
from scheduler.workflow import Action, statuses_allowing

pytestmark = pytest.mark.django_db
S = PostStatus


def confirm_around(node, action: str):
    """The ``<details>`` under ``node`` holding the one form that posts to ``action``, and
    that form; fails when the form is not inside one."""
    for details in find_all(node, "details", cls="confirm"):
        forms = [f for f in find_all(details, "form") if (attr(f, "action") or "") == action]
        if forms:
            (form,) = forms
            return details, form
    raise AssertionError(f"no confirm step around the form posting to {action}")


@pytest.mark.parametrize("status", sorted(statuses_allowing(Action.CANCEL)))
def test_cancel_asks_once_before_it_cancels(client, world, status):  # noqa: F811
    post = this_week_post(world["persona"], status=status)
    cancel = reverse("scheduler-post-action", args=[post.pk, "cancel"])
    for user, page in ((world["agent"], "scheduler-week"), (world["lead"], "scheduler-team")):
        client.force_login(user)
        card = find(parse(client.get(week_url(page)).content), "article", id_=f"post-{post.pk}")
        assert len([f for f in find_all(card, "form") if attr(f, "action") == cancel]) == 1
        details, form = confirm_around(card, cancel)
        assert attr(details, "open") is None  # closed until asked
        assert text(find(details, "summary")) == "取消帖子"
        assert "无法恢复" in text(find(details, "p"))
        assert text(find(form, "button")) == "确定取消"
        # Nothing else on the card cancels: the summary is no submit button.
        assert [b for b in find_all(card, "button") if text(b) == "取消帖子"] == []


def test_planning_again_over_replaceable_posts_asks_first(client, world):  # noqa: F811
    quiet = PersonaFactory(owner=world["agent"])
    this_week_post(world["persona"], status=S.DRAFT)
    this_week_post(world["persona"], status=S.REJECTED)
    this_week_post(world["persona"], status=S.SCHEDULED)  # kept by a re-plan: not counted
    world["agent"].language = "en"
    world["agent"].save(update_fields=["language"])
    client.force_login(world["agent"])
    page = parse(client.get(week_url("scheduler-week")).content)
    sections = {text(find(s, "h2")): s for s in find_all(page, "section", cls="card")}
    busy = sections[world["persona"].nickname]
    details, form = confirm_around(busy, reverse("scheduler-plan"))
    assert attr(details, "open") is None
    assert "2 drafts, posts in review and sent-back posts" in text(find(details, "p"))
    button = find(form, "button")
    assert "danger" in classes(button) and text(button) == "Yes, plan it again"
    # A week with nothing to replace plans at once.
    free = sections[quiet.nickname]
    assert find_all(free, "details", cls="confirm") == []
    assert text(find(find(free, "form", action=reverse("scheduler-plan")), "button")) == (
        "Plan this week"
    )
