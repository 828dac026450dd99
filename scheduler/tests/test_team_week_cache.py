"""The team week's grids are kept in Django's fragment cache, keyed by what they show: a change
to a post shows at once, and each session gets forms with its own CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from crm.tests.markup import attr, find, find_all, parse, text
from scheduler.models import MomentPost, PostStatus
from scheduler.tests.test_pages import this_week_post, week_url, world  # noqa: F401

pytestmark = pytest.mark.django_db
S = PostStatus


def card_of(client, post):
    page = parse(client.get(week_url("scheduler-team")).content)
    return find(page, "article", id_=f"post-{post.pk}")


def test_a_changed_post_shows_changed_on_the_next_page(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.PENDING_REVIEW, title="第一版")
    client.force_login(world["lead"])
    assert "approve" in {
        attr(f, "action").split("/")[-2] for f in find_all(card_of(client, post), "form")
    }
    MomentPost.objects.filter(pk=post.pk).update(status=S.SCHEDULED, title="第二版")
    card = card_of(client, post)
    assert "status-scheduled" in attr(card, "class")
    assert text(find(card, "p", cls="post-text")) == "第二版"
    assert "approve" not in {attr(f, "action").split("/")[-2] for f in find_all(card, "form")}


def test_a_renamed_agent_and_a_new_post_show_at_once(client, world):  # noqa: F811
    client.force_login(world["lead"])
    client.get(week_url("scheduler-team"))
    world["agent"].display_name = "新名字"
    world["agent"].save()
    post = this_week_post(world["persona"], status=S.PENDING_REVIEW)
    body = client.get(week_url("scheduler-team")).content.decode()
    assert "新名字" in body and f'id="post-{post.pk}"' in body


def test_each_session_gets_forms_it_can_post(world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.PENDING_REVIEW)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(world["lead"])
    first.get(week_url("scheduler-team"))  # the grid cached for the first session
    form = find(
        card_of(second, post),
        "form",
        cls=None,
        action=reverse("scheduler-post-action", args=[post.pk, "approve"]),
    )
    token = attr(find(form, "input", name="csrfmiddlewaretoken"), "value")
    response = second.post(attr(form, "action"), {"csrfmiddlewaretoken": token, "next": "/"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == S.SCHEDULED
