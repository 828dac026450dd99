"""The home pages' lists read through the HTML parser: hot leads with their why and warmth
badge, follow-ups, persona cards, today's posts to copy, the lead's review queue; escaping,
both languages, accessible names."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, find, find_all, parse, text
from scheduler.models import PostStatus
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db
S = PostStatus
NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, a Wednesday
NAME = "<i>王</i> & 李"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team():
    lead = LeadFactory(language="en")
    agent = AgentFactory(team=lead.led_team, language="en")
    return lead, agent


def section(page, heading_id: str):
    return find(page, "section", **{"aria-labelledby": heading_id})


def home(client, user, language: str | None = None):
    if language:
        user.language = language
        user.save()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return parse(response.content)


def test_a_hot_lead_links_to_the_contact_says_why_and_offers_one_click_logging(client, team):
    _, agent = team
    contact = ContactFactory(owner=agent, name=NAME, remark="")
    interaction_log(contact=contact, kind="message_in", by=agent)
    interaction_log(contact=contact, kind="purchase", by=agent)
    hot = section(home(client, agent), "hot-h")
    (item,) = find_all(hot, "li")
    link = find(item, "a")
    assert text(link) == NAME and attr(link, "href") == f"/contacts/{contact.pk}/"
    assert not find_all(item, "i")
    assert text(find(item, "span", cls="muted")).startswith("mostly: Bought a policy, ")
    buttons = find_all(item, "button", cls="quick")
    assert buttons and all(
        attr(b, "aria-label").startswith("Log ") and attr(b, "aria-label").endswith(f"for {NAME}")
        for b in buttons
    )
    assert attr(buttons[0], "hx-post") == reverse("contacts:interaction-log", args=[contact.pk])
    assert attr(buttons[0], "hx-target") == f"#warmth-{contact.pk}"


def test_the_hot_leads_why_speaks_chinese(client, team):
    _, agent = team
    contact = ContactFactory(owner=agent, name="王")
    interaction_log(contact=contact, kind="message_in", by=agent)
    interaction_log(contact=contact, kind="purchase", by=agent)
    hot = section(home(client, agent, "zh-hans"), "hot-h")
    assert text(find(hot, "span", cls="muted")).startswith("主要来自：")
    assert attr(find_all(hot, "button", cls="quick")[0], "aria-label").startswith("为王记录")


def test_a_follow_up_shows_its_day_and_stage_and_a_badge_without_buttons(client, team):
    _, agent = team
    contact = ContactFactory(
        owner=agent, name=NAME, remark="", next_follow_up=dt.date(2026, 11, 24)
    )
    follow = section(home(client, agent), "follow-h")
    (item,) = find_all(follow, "li")
    assert text(find(item, "a")) == NAME
    assert text(find(item, "span", cls="muted")).startswith("11-24 · ")
    assert find(item, "span", id_=f"warmth-{contact.pk}")
    assert not find_all(item, "button")


def test_a_persona_card_names_its_score_and_lists_the_advice_it_misses(client, team):
    _, agent = team
    persona = PersonaFactory(owner=agent, nickname="<b>小李</b>", licence_number="")
    page = home(client, agent)
    card = find(page, "section", **{"aria-labelledby": f"persona-{persona.pk}-h"})
    heading = find(card, "h2", id_=f"persona-{persona.pk}-h")
    assert text(heading).startswith("Persona <b>小李</b>: ") and text(heading).endswith(
        "% complete"
    )
    assert not find_all(card, "b")
    assert find_all(find(card, "ul", cls="checklist"), "li")
    edit = find(card, "a")
    assert text(edit) == "Edit persona" and attr(edit, "href") == reverse(
        "contacts:persona-edit", args=[persona.pk]
    )


def test_a_post_that_went_out_offers_its_text_and_images_to_copy(client, team):
    _, agent = team
    at = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    post = PostFactory(
        persona=PersonaFactory(owner=agent),
        status=S.SENT,
        text="<b>文字</b>",
        scheduled_at=at,
        window_ends_at=at + dt.timedelta(hours=1),
        image_paths=["content/1/a.jpg"],
    )
    today = section(home(client, agent), "today-h")
    box = find(today, "textarea", id_=f"copy-{post.pk}")
    assert text(box) == "<b>文字</b>"
    assert text(find(today, "label", for_=f"copy-{post.pk}")) == "Text to copy"
    (save,) = find_all(today, "a", download="")
    assert attr(save, "href") == "/media/content/1/a.jpg" and text(save) == "Save image 1"
    assert find(today, "article", id_=f"post-{post.pk}")
    assert attr(find(today, "form"), "action") == f"/schedule/posts/{post.pk}/posted/"


def test_the_review_queue_names_agent_persona_and_window_over_an_open_card(client, team):
    lead, agent = team
    at = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)
    post = PostFactory(
        persona=PersonaFactory(owner=agent, nickname="<b>小李</b>"),
        status=S.PENDING_REVIEW,
        window_name="commute",
        scheduled_at=at,
        window_ends_at=at + dt.timedelta(hours=1),
    )
    review = section(home(client, lead), "review-h")
    item = find(review, "div", cls="review-item")
    assert text(find(item, "p", cls="muted")) == f"{agent} · <b>小李</b> · 11-26 Commute"
    card = find(item, "article", id_=f"post-{post.pk}")
    assert attr(find(card, "details", cls="post-preview"), "open") == ""
    actions = {
        attr(form, "action").rstrip("/").rsplit("/", 1)[-1] for form in find_all(card, "form")
    }
    assert actions == {"approve", "reject", "cancel"}


def test_an_empty_review_queue_says_so_in_both_languages(client, team):
    lead, _ = team
    assert "Nothing waits for review." in text(section(home(client, lead), "review-h"))
    assert "没有待审核的发布。" in text(section(home(client, lead, "zh-hans"), "review-h"))


def test_the_cached_review_queue_follows_every_change(client, team):
    lead, agent = team
    at = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)
    persona = PersonaFactory(owner=agent, nickname="小李")
    post = PostFactory(
        persona=persona,
        status=S.PENDING_REVIEW,
        title="第一版",
        scheduled_at=at,
        window_ends_at=at + dt.timedelta(hours=1),
    )
    review = section(home(client, lead), "review-h")
    assert text(find(review, "p", cls="post-text")) == "第一版"
    post.title = "第二版"
    post.save()
    persona.nickname = "小王"
    persona.save()
    review = section(home(client, lead), "review-h")
    assert text(find(review, "p", cls="post-text")) == "第二版"
    assert "小王" in text(find(review, "p", cls="muted"))
    post.status = S.SCHEDULED
    post.save()
    assert "Nothing waits for review." in text(section(home(client, lead), "review-h"))


def test_each_session_gets_review_forms_it_can_post(team):
    from django.test import Client

    lead, agent = team
    at = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)
    post = PostFactory(
        persona=PersonaFactory(owner=agent),
        status=S.PENDING_REVIEW,
        scheduled_at=at,
        window_ends_at=at + dt.timedelta(hours=1),
    )
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    home(first, lead)  # the queue cached for the first session
    page = home(second, lead)
    action = reverse("scheduler-post-action", args=[post.pk, "approve"])
    form = find(page, "form", action=action)
    token = attr(find(form, "input", name="csrfmiddlewaretoken"), "value")
    response = second.post(action, {"csrfmiddlewaretoken": token, "next": "/"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == S.SCHEDULED
