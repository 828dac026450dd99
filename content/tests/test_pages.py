"""Agents' pages: the library, an item, and the "check my draft" box."""

import io

import pytest
from django.urls import reverse

from content.highlight import highlight
from content.models import Status
from content.services import content_image_add
from content.tests.factories import ContentItemFactory, TagFactory, image_bytes

pytestmark = pytest.mark.django_db


def test_library_shows_agents_only_sendable_items(client, agent):
    ContentItemFactory(title="可以发的", status=Status.APPROVED)
    ContentItemFactory(title="草稿不给看", status=Status.DRAFT)
    ContentItemFactory(title="被拦截的", status=Status.APPROVED, has_block=True)
    client.force_login(agent)
    html = client.get(reverse("content-library")).content.decode()
    assert "可以发的" in html
    assert "草稿不给看" not in html and "被拦截的" not in html


def test_library_filters_by_tag_and_category(client, agent):
    tagged = ContentItemFactory(title="宝妈必看", status=Status.APPROVED, category="story")
    tagged.audience_tags.add(TagFactory(name="宝妈", kind="audience"))
    ContentItemFactory(title="另一篇", status=Status.APPROVED, category="value")
    client.force_login(agent)
    html = client.get(reverse("content-library"), {"tag": "宝妈"}).content.decode()
    assert "宝妈必看" in html and "另一篇" not in html
    html = client.get(reverse("content-library"), {"category": "value"}).content.decode()
    assert "另一篇" in html and "宝妈必看" not in html


def test_item_page_404_for_a_draft(client, agent):
    draft = ContentItemFactory(status=Status.DRAFT)
    client.force_login(agent)
    assert client.get(reverse("content-detail", args=[draft.pk])).status_code == 404


def test_item_page_shows_the_moment_preview(client, agent):
    item = ContentItemFactory(status=Status.APPROVED)
    for _ in range(4):
        content_image_add(item=item, file=io.BytesIO(image_bytes(size=(100, 100))))
    client.force_login(agent)
    html = client.get(reverse("content-detail", args=[item.pk])).content.decode()
    assert "moment-grid-4" in html and html.count("<img ") == 4


def test_library_query_count_is_constant(client, agent, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            item = ContentItemFactory(status=Status.APPROVED, title=f"c{i}")
            item.topic_tags.add(TagFactory(name=f"t{i % 4}"))
            content_image_add(item=item, file=io.BytesIO(image_bytes(size=(40, 40))))

    client.force_login(agent)
    add(2)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("content-library"))
    add(18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("content-library"))
    assert response.content.decode().count('class="card content-card"') == 20


def test_check_my_draft_returns_a_highlighted_fragment_for_htmx(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("content-check"),
        {"text": "<b>hi</b> 这款年金稳赚不赔", "category": "ad", "product_line": "annuity"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment, not the page
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert 'class="finding finding-block"' in html and "R01" in html


def test_check_my_draft_without_htmx_renders_the_page_with_errors(client, agent):
    client.force_login(agent)
    response = client.post(reverse("content-check"), {"text": ""})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert response.context["form"].errors["text"]


def test_highlight_escapes_and_merges_overlapping_spans():
    text = "<i>稳赚零风险</i>"
    findings = [
        {"start": 3, "end": 5, "code": "R01", "severity": "block"},
        {"start": 4, "end": 8, "code": "R05", "severity": "warn"},
    ]
    html = str(highlight(text, findings))
    assert html.startswith("&lt;i&gt;")
    assert '<mark class="finding finding-block" data-codes="R01" title="R01">稳</mark>' in html
    assert 'data-codes="R01 R05"' in html
    assert '<mark class="finding finding-warn" data-codes="R05" title="R05">零风险</mark>' in html
    assert html.endswith("&lt;/i&gt;")


def test_highlight_clips_spans_outside_the_text():
    html = str(highlight("abc", [{"start": 2, "end": 99, "code": "X", "severity": "warn"}]))
    assert html == 'ab<mark class="finding finding-warn" data-codes="X" title="X">c</mark>'


def test_the_tag_menu_offers_the_tags_of_the_items_the_user_sees_once_each(agent):
    from content.selectors import tags_in_use

    seen = ContentItemFactory(status=Status.APPROVED)
    both, topic, audience = (
        TagFactory(name="两用", kind="topic"),
        TagFactory(name="重疾", kind="topic"),
        TagFactory(name="宝妈", kind="audience"),
    )
    seen.topic_tags.add(both, topic)
    seen.audience_tags.add(audience)
    ContentItemFactory(status=Status.APPROVED).audience_tags.add(both)
    ContentItemFactory(status=Status.DRAFT).topic_tags.add(TagFactory(name="草稿的"))
    TagFactory(name="没人用")
    assert list(tags_in_use(agent)) == [audience, both, topic]
