"""Adding one post to a chosen slot (``services.post_create``): the API's ``POST /posts/`` and
the calendar's "add a post" page. The slot rules on these paths are in ``test_slot_rules``."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.tests.factories import PersonaFactory
from content.models import Category, ComplianceRule, ContentImage, ContentItem, Status
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.markup import attr, find, find_all, parse, text
from scheduler.models import MomentPost, PostingWindow, PostStatus, PostTransition
from scheduler.services import PostRefused, post_create
from scheduler.tests.factories import LICENCE, ContentItemFactory, default_window

pytestmark = pytest.mark.django_db
S = PostStatus


@pytest.fixture
def world():
    lead = LeadFactory()  # the team needs the lead's approval (the default)
    agent = AgentFactory(team=lead.led_team)
    stranger = AgentFactory()
    return {
        "lead": lead,
        "agent": agent,
        "persona": PersonaFactory(owner=agent, licence_number=LICENCE, nickname="小林说保险"),
        "stranger": stranger,
        "strangers_persona": PersonaFactory(owner=stranger),
        "lunch": default_window("lunch"),
        "day": next_wednesday(agent.tzinfo),
    }


def next_wednesday(tz) -> dt.date:
    today = timezone.localdate(timezone.now(), tz)
    return today + dt.timedelta(days=7 - today.weekday() + 2)


def body(world, **extra) -> dict:
    return {
        "persona": world["persona"].pk,
        "window": world["lunch"].pk,
        "day": world["day"].isoformat(),
        **extra,
    }


def posts(world):
    return MomentPost.objects.filter(persona__owner=world["agent"])


def offered(page) -> list[str]:
    """The library items the page offers (the "none" choice aside)."""
    radios = find_all(page, "input", type="radio", name="content")
    return [attr(r, "value") for r in radios if attr(r, "value")]


def errors_of(page, field: str) -> list[str]:
    box = next(
        div
        for div in find_all(page, "div", cls="field")
        if attr(find(div, "label"), "for") == f"id_{field}"
    )
    return [text(p) for p in find_all(box, "p", cls="error")]


# ------------------------------------------------------------------------------- the API


def test_api_create_from_library_snapshots_the_item_and_goes_to_review(api_client, world):
    item = ContentItemFactory(category=Category.AD, body="重疾险的三个误区", product_line="medical")
    for position in (1, 0):  # stored out of order: the snapshot follows position
        ContentImage.objects.create(
            item=item, position=position, image=f"content/{item.pk}/{position}.jpg"
        )
    api_client.force_authenticate(world["agent"])
    response = api_client.post(reverse("api:post-list"), body(world, content=item.pk))
    assert response.status_code == 201, response.json()
    answer = response.json()
    post = MomentPost.objects.get(pk=answer["id"])
    assert answer["status"] == post.status == S.PENDING_REVIEW
    assert (post.content_id, post.category, post.product_line) == (item.pk, "ad", "medical")
    # An ad carries the persona's licence line, as the planner's snapshot does.
    assert post.text.startswith("重疾险的三个误区") and LICENCE in post.text
    assert post.image_paths == [f"content/{item.pk}/0.jpg", f"content/{item.pk}/1.jpg"]
    local = post.scheduled_at.astimezone(world["agent"].tzinfo)
    lunch = world["lunch"]
    assert local.date() == world["day"] and lunch.start < local.time() < lunch.end
    assert local.minute != 0
    assert post.window_ends_at == dt.datetime.combine(world["day"], lunch.end, tzinfo=local.tzinfo)
    assert post.checked_at is not None and post.created_by == world["agent"]
    transition = PostTransition.objects.get(post=post)
    assert (transition.from_status, transition.to_status, transition.by) == (
        S.DRAFT,
        S.PENDING_REVIEW,
        world["agent"],
    )
    assert ContentItem.objects.get(pk=item.pk).times_scheduled == item.times_scheduled + 1


def test_api_create_without_approval_step_schedules_the_post(api_client, world):
    team = world["lead"].led_team
    team.posts_need_approval = False
    team.save()
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-list"), body(world, text="今天聊聊家庭保障", category="story")
    )
    assert response.status_code == 201
    assert response.json()["status"] == S.SCHEDULED
    assert response.json()["content"] is None


def test_api_create_of_blocked_text_stays_a_draft_with_the_findings(api_client, world):
    ComplianceRule.objects.create(
        code="T92", kind="phrases", phrases="紫色大象", severity="block", message="承诺收益"
    )
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-list"),
        body(world, text="紫色大象的好产品", category="value", title="好产品"),
    )
    assert response.status_code == 201
    post = MomentPost.objects.get(pk=response.json()["id"])
    assert post.status == S.DRAFT and post.has_block and post.title == "好产品"
    assert "T92" in {f["code"] for f in post.findings}
    assert "T92" in {f["code"] for f in response.json()["findings"]}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({}, "text"),  # neither an item nor text
        ({"text": "   ", "category": "story"}, "text"),
        ({"text": "一段文字"}, "category"),
        ({"text": "一段文字", "category": "poem"}, "category"),
        ({"day": "next tuesday", "text": "一段文字", "category": "story"}, "day"),
        ({"window": 999999, "text": "一段文字", "category": "story"}, "window"),
    ],
)
def test_api_create_with_bad_input_is_400_on_the_field(api_client, world, extra, field):
    api_client.force_authenticate(world["agent"])
    response = api_client.post(reverse("api:post-list"), body(world, **extra))
    assert response.status_code == 400
    assert field in response.json()
    assert not posts(world).exists()


def test_api_create_with_both_an_item_and_text_is_400(api_client, world):
    item = ContentItemFactory()
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-list"), body(world, content=item.pk, text="我自己写的")
    )
    assert response.status_code == 400 and "text" in response.json()
    assert not posts(world).exists()


def test_api_create_for_another_agents_persona_is_400_and_creates_nothing(api_client, world):
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-list"),
        body(world, persona=world["strangers_persona"].pk, text="一段文字", category="story"),
    )
    assert response.status_code == 400 and "persona" in response.json()
    assert not MomentPost.objects.exists()


def test_api_create_in_another_agents_own_window_is_400(api_client, world):
    theirs = PostingWindow.objects.create(
        owner=world["stranger"], name="evening", start=dt.time(19, 0), end=dt.time(20, 0)
    )
    api_client.force_authenticate(world["agent"])
    response = api_client.post(
        reverse("api:post-list"), body(world, window=theirs.pk, text="一段文字", category="story")
    )
    assert response.status_code == 400 and "window" in response.json()
    assert not posts(world).exists()


@pytest.mark.parametrize(
    "item",
    [
        lambda day: ContentItemFactory(status=Status.DRAFT),  # not in the agents' library
        lambda day: ContentItemFactory(has_block=True),
        lambda day: ContentItemFactory(valid_until=timezone.localdate() - dt.timedelta(days=1)),
    ],
    ids=["draft", "blocked", "expired"],
)
def test_api_create_from_an_item_outside_the_library_is_400(api_client, world, item):
    api_client.force_authenticate(world["agent"])
    chosen = item(world["day"])
    response = api_client.post(reverse("api:post-list"), body(world, content=chosen.pk))
    assert response.status_code == 400 and "content" in response.json()
    assert not posts(world).exists()


def test_create_from_an_item_expiring_before_the_day_is_refused(api_client, world):
    """Visible today, but out of date on the post's day: the service refuses it."""
    item = ContentItemFactory(valid_until=world["day"] - dt.timedelta(days=1))
    api_client.force_authenticate(world["agent"])
    response = api_client.post(reverse("api:post-list"), body(world, content=item.pk))
    assert response.status_code == 400 and "content" in response.json()
    assert not posts(world).exists()


def test_lead_may_not_create_a_post_for_an_agent_of_the_team(api_client, world):
    """A lead plans the team's weeks and reviews their posts, but does not write them."""
    api_client.force_authenticate(world["lead"])
    response = api_client.post(
        reverse("api:post-list"), body(world, text="一段文字", category="story")
    )
    assert response.status_code == 400 and "persona" in response.json()
    with pytest.raises(PostRefused) as refused:
        post_create(
            by=world["lead"],
            persona=world["persona"],
            window=world["lunch"],
            day=world["day"],
            text="一段文字",
            category="story",
        )
    assert refused.value.code == "forbidden"
    assert not posts(world).exists()


def test_a_post_added_to_a_window_open_now_goes_after_now(world):
    tz = world["agent"].tzinfo
    now = timezone.now().astimezone(tz)
    if not dt.time(1, 0) < now.time() < dt.time(22, 0):
        pytest.skip("the window around now would cross midnight")
    window = PostingWindow.objects.create(
        owner=world["agent"],
        name="now",
        start=(now - dt.timedelta(minutes=50)).time().replace(second=0, microsecond=0),
        end=(now + dt.timedelta(minutes=50)).time().replace(second=0, microsecond=0),
    )
    post = post_create(
        by=world["agent"],
        persona=world["persona"],
        window=window,
        day=now.date(),
        text="一段文字",
        category="story",
    )
    assert timezone.now() < post.scheduled_at < post.window_ends_at


def test_api_schema_documents_the_create_request():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/posts/"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"persona", "window", "day", "content", "text", "category"} <= set(fields)
    assert "201" in operation["responses"]


# ---------------------------------------------------------------- the calendar's page


def test_week_calendar_offers_add_a_post_for_each_persona(client, world):
    client.force_login(world["agent"])
    page = parse(client.get(reverse("scheduler-week")).content)
    create = reverse("scheduler-post-create")
    links = [a for a in find_all(page, "a") if (attr(a, "href") or "").startswith(create)]
    assert len(links) == 1
    assert f"persona={world['persona'].pk}" in attr(links[0], "href")


def test_calendar_create_page_adds_the_chosen_item_and_goes_back(client, world):
    item = ContentItemFactory(category=Category.VALUE, title="医疗险怎么选")
    client.force_login(world["agent"])
    url = reverse("scheduler-post-create")
    page = parse(client.get(url, {"persona": world["persona"].pk}).content)
    assert offered(page) == [str(item.pk)]
    response = client.post(
        reverse("scheduler-post-create"),
        body(world, content=item.pk, next="/scheduler/?start=2026-01-05"),
    )
    assert response.status_code == 302 and response["Location"] == "/scheduler/?start=2026-01-05"
    post = posts(world).get()
    assert post.content_id == item.pk and post.status == S.PENDING_REVIEW


def test_calendar_create_page_searches_the_library_and_filters_by_category(client, world):
    ContentItemFactory(category=Category.STORY, title="理赔故事", body="一次理赔")
    wanted = ContentItemFactory(category=Category.VALUE, title="医疗险怎么选", body="报销比例")
    ContentItemFactory(category=Category.VALUE, title="年金险", body="养老规划")
    ContentItemFactory(status=Status.DRAFT, title="草稿 报销", body="报销")
    client.force_login(world["agent"])
    page = parse(client.get(reverse("scheduler-post-create"), {"q": "报销"}).content)
    assert offered(page) == [str(wanted.pk)]  # the draft is not in the agents' library
    page = parse(client.get(reverse("scheduler-post-create"), {"category": "value"}).content)
    assert len(offered(page)) == 2


def test_calendar_create_page_with_free_text_missing_category_shows_the_error(client, world):
    client.force_login(world["agent"])
    response = client.post(reverse("scheduler-post-create"), body(world, text="我自己写的"))
    assert response.status_code == 400
    assert errors_of(parse(response.content), "category")
    # What the agent typed is still in the form.
    assert text(find(parse(response.content), "textarea", name="text")) == "我自己写的"
    assert not posts(world).exists()


def test_calendar_create_page_refuses_another_agents_persona(client, world):
    client.force_login(world["agent"])
    other = world["strangers_persona"].pk
    response = client.get(reverse("scheduler-post-create"), {"persona": other})
    assert response.status_code == 404
    response = client.post(
        reverse("scheduler-post-create"),
        body(world, persona=other, text="一段文字", category="story"),
    )
    assert response.status_code == 400 and errors_of(parse(response.content), "persona")
    assert not MomentPost.objects.exists()


def test_lead_cannot_add_a_post_for_a_member_on_the_page(client, world):
    client.force_login(world["lead"])
    response = client.get(reverse("scheduler-post-create"), {"persona": world["persona"].pk})
    assert response.status_code == 404
    response = client.post(
        reverse("scheduler-post-create"), body(world, text="一段文字", category="story")
    )
    assert response.status_code == 400
    assert not posts(world).exists()


def test_calendar_create_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world["agent"])
    ContentItemFactory.create_batch(2)
    with django_assert_max_num_queries(6):
        small = client.get(reverse("scheduler-post-create"))
    ContentItemFactory.create_batch(30)
    for _ in range(5):
        PersonaFactory(owner=world["agent"])
    with django_assert_max_num_queries(6):
        large = client.get(reverse("scheduler-post-create"), {"q": "家庭保障"})
    assert small.status_code == large.status_code == 200
    assert len(offered(parse(large.content))) == 20


@pytest.mark.postgres
def test_two_creates_into_one_slot_at_once_leave_one_post(migration_rows):
    """The persona's row is locked while its posts are checked and the new one is written:
    of two agents' tabs adding a post to the same window at the same moment, one wins and
    the other is refused with ``window_taken``."""
    import threading

    from django.db import connection

    agent = AgentFactory()
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    lunch = default_window("lunch")
    day = next_wednesday(agent.tzinfo)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            post_create(
                by=agent, persona=persona, window=lunch, day=day, text=f"第{n}条", category="story"
            )
            outcomes.append("created")
        except PostRefused as exc:
            outcomes.append(",".join(e.code for e in exc.error_dict.get("window", [])))
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["created", "window_taken"]
    assert MomentPost.objects.filter(persona=persona).count() == 1
