"""Moving a post from the calendar: the form (page and htmx fragment), the move, refusals."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scheduler.models import MomentPost, PostingWindow, PostStatus, PostTransition
from scheduler.tests.factories import default_window
from scheduler.tests.test_pages import next_monday, this_week_post, week_url, world  # noqa: F401

pytestmark = pytest.mark.django_db
S = PostStatus


def move_url(post, next_path=""):
    url = reverse("scheduler-post-move", args=[post.pk])
    return f"{url}?next={next_path}" if next_path else url


def test_calendar_card_links_to_the_move_form(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.SCHEDULED, window=default_window())
    client.force_login(world["agent"])
    html = client.get(week_url("scheduler-week")).content.decode()
    card = html[html.index(f'id="post-{post.pk}"') :]
    card = card[: card.index("</article>")]
    assert f'href="{reverse("scheduler-post-move", args=[post.pk])}?next=%2Fschedule%2F' in card


def test_posted_post_has_no_move_link(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.POSTED)
    client.force_login(world["agent"])
    html = client.get(week_url("scheduler-week")).content.decode()
    assert reverse("scheduler-post-move", args=[post.pk]) not in html


def test_htmx_get_swaps_the_card_for_the_form(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.SCHEDULED, window=default_window())
    client.force_login(world["agent"])
    response = client.get(move_url(post, "/schedule/"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article class="post cat-{post.category}')
    assert f'id="post-{post.pk}"' in html
    assert "<html" not in html
    for name in ("commute", "lunch", "bedtime"):
        assert f'value="{default_window(name).pk}"' in html
    assert 'name="next" value="/schedule/"' in html


def test_agent_moves_a_post_to_another_window_and_day(client, world):  # noqa: F811
    commute, bedtime = default_window("commute"), default_window("bedtime")
    post = this_week_post(world["persona"], status=S.SCHEDULED, window=commute)
    client.force_login(world["agent"])
    day = next_monday(world["agent"].tzinfo) + dt.timedelta(days=3)
    response = client.post(
        move_url(post),
        {"day": day.isoformat(), "window": bedtime.pk, "next": "/schedule/?start=x"},
    )
    assert response.status_code == 302
    assert response.url == "/schedule/?start=x"
    post.refresh_from_db()
    local = post.scheduled_at.astimezone(world["agent"].tzinfo)
    assert (post.window_id, post.window_name, local.date()) == (bedtime.pk, "bedtime", day)
    assert bedtime.start <= local.time() < bedtime.end
    assert PostTransition.objects.filter(post=post, note__contains="bedtime").exists()


def test_lead_moves_a_team_post(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.PENDING_REVIEW, window=default_window())
    client.force_login(world["lead"])
    day = next_monday(world["agent"].tzinfo) + dt.timedelta(days=4)
    lunch = default_window("lunch")
    response = client.post(move_url(post), {"day": day.isoformat(), "window": lunch.pk})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.window_name == "lunch"


def test_moving_into_the_past_shows_the_reason_and_changes_nothing(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.SCHEDULED, window=default_window())
    before = post.scheduled_at
    client.force_login(world["agent"])
    yesterday = timezone.localdate(timezone.now(), world["agent"].tzinfo) - dt.timedelta(days=1)
    response = client.post(
        move_url(post), {"day": yesterday.isoformat(), "window": default_window("lunch").pk}
    )
    assert response.status_code == 400
    (reason,) = response.context["form"].errors["day"]
    with translation.override(world["agent"].language):
        assert reason == _("That time has already passed.")
    assert reason in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_at == before


def test_a_window_of_another_agent_is_not_a_choice(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.SCHEDULED, window=default_window())
    theirs = PostingWindow.objects.create(
        owner=world["stranger"], name="late", start=dt.time(23, 0), end=dt.time(23, 30)
    )
    client.force_login(world["agent"])
    day = next_monday() + dt.timedelta(days=2)
    response = client.post(move_url(post), {"day": day.isoformat(), "window": theirs.pk})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    post.refresh_from_db()
    assert post.window_name == "commute"


def test_bad_day_is_a_field_error(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.SCHEDULED, window=default_window())
    client.force_login(world["agent"])
    response = client.post(move_url(post), {"day": "not-a-day", "window": default_window().pk})
    assert response.status_code == 400
    assert response.context["form"].errors["day"]


def test_a_sent_post_cannot_be_moved(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.SENT, window=default_window())
    client.force_login(world["agent"])
    day = next_monday() + dt.timedelta(days=2)
    response = client.post(move_url(post), {"day": day.isoformat(), "window": default_window().pk})
    assert response.status_code == 400
    assert MomentPost.objects.get(pk=post.pk).scheduled_at == post.scheduled_at


def test_next_to_another_site_is_ignored(client, world):  # noqa: F811
    post = this_week_post(world["persona"], status=S.SCHEDULED, window=default_window())
    client.force_login(world["agent"])
    day = next_monday(world["agent"].tzinfo) + dt.timedelta(days=2)
    response = client.post(
        move_url(post),
        {
            "day": day.isoformat(),
            "window": default_window("lunch").pk,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("scheduler-week")
