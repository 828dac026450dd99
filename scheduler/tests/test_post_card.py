"""The post card draws labels from dicts and action URLs from one reversed prefix: the result
must be exactly what ``get_*_display`` and ``{% url %}`` would give, in the user's language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from scheduler.models import PostStatus
from scheduler.tests.factories import PostFactory
from scheduler.tests.test_pages import this_week_post, week_url, world  # noqa: F401

pytestmark = pytest.mark.django_db
S = PostStatus


def form_targets(html: str, pk: int) -> list[tuple[str, str]]:
    """(action, hx-post) of every form of post ``pk``."""
    return re.findall(rf'action="([^"]*/{pk}/[^"]*)" hx-post="([^"]*)"', html)


def test_team_calendar_forms_post_to_the_reversed_action_urls(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.PENDING_REVIEW)
    client.force_login(world["lead"])
    html = client.get(week_url("scheduler-team")).content.decode()
    actions = ("approve", "reject", "cancel")
    expected = [reverse("scheduler-post-action", args=[post.pk, a]) for a in actions]
    assert form_targets(html, post.pk) == [(url, url) for url in expected]
    # Each form sends the page back as ``next`` and carries the CSRF token.
    card = html[html.index(f'id="post-{post.pk}"') :]
    assert card.count('name="next" value="/schedule/team/?start=') == 3
    assert card.count('name="csrfmiddlewaretoken"') >= 3


def test_agent_card_forms_and_labels_match_the_model(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.DRAFT)
    client.force_login(world["agent"])
    with translation.override("zh-hans"):
        html = client.get(week_url("scheduler-week"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = html.content.decode()
        status_label, category_label = post.get_status_display(), post.get_category_display()
    expected = [reverse("scheduler-post-action", args=[post.pk, a]) for a in ("submit", "cancel")]
    assert form_targets(html, post.pk) == [(url, url) for url in expected]
    assert f'<span class="badge">{status_label}</span>' in html
    assert f'<span class="badge cat">{category_label}</span>' in html
    assert status_label != "Draft"  # drawn in the user's language, not frozen at import


def test_htmx_card_after_an_action_has_the_new_status_label(client, world):  # noqa: F811
    post = PostFactory(persona=world["persona"], status=S.SENT)
    client.force_login(world["agent"])
    response = client.post(
        reverse("scheduler-post-action", args=[post.pk, "posted"]), HTTP_HX_REQUEST="true"
    )
    post.refresh_from_db()
    assert post.status == S.POSTED
    assert f'<span class="badge">{post.get_status_display()}</span>' in response.content.decode()
    assert form_targets(response.content.decode(), post.pk) == []


def test_a_card_redrawn_after_an_htmx_action_comes_back_to_the_page(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.PENDING_REVIEW)
    client.force_login(world["lead"])
    page = week_url("scheduler-team")
    response = client.post(
        reverse("scheduler-post-action", args=[post.pk, "approve"]),
        {"reviewer": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )
    html = response.content.decode()
    assert 'class="badge"' in html and 'name="next" value="/schedule/posts/' not in html
    assert f'name="next" value="{page}"' in html
    move = reverse("scheduler-post-move", args=[post.pk])
    assert f'href="{move}?next=%2Fschedule%2Fteam%2F%3Fstart%3D' in html
