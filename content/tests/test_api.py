"""/api/v1/content/ and /api/v1/compliance/check/."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from content.models import ContentImage, ContentItem, Status
from content.services import content_check, content_image_add
from content.tests.factories import BLOCKED_BODY, ContentItemFactory, TagFactory, image_bytes

pytestmark = pytest.mark.django_db

LIST = "api:content-list"


def titles(response):
    return {row["title"] for row in response.json()["results"]}


@pytest.fixture
def library():
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    return {
        "approved": ContentItemFactory(title="approved", status=Status.APPROVED),
        "approved_open_dates": ContentItemFactory(
            title="in date", status=Status.APPROVED, valid_from=today, valid_until=today
        ),
        "expired": ContentItemFactory(
            title="expired", status=Status.APPROVED, valid_until=today - day
        ),
        "future": ContentItemFactory(
            title="future", status=Status.APPROVED, valid_from=today + day
        ),
        "draft": ContentItemFactory(title="draft", status=Status.DRAFT),
        "in_review": ContentItemFactory(title="in review", status=Status.IN_REVIEW),
        "retired": ContentItemFactory(title="retired", status=Status.RETIRED),
        "blocked": ContentItemFactory(title="blocked", status=Status.APPROVED, has_block=True),
    }


def test_agent_sees_only_approved_in_date_unblocked_content(api_client, agent, library):
    api_client.force_authenticate(agent)
    assert titles(api_client.get(reverse(LIST))) == {"approved", "in date"}


def test_lead_sees_the_same_as_an_agent(api_client, lead, library):
    api_client.force_authenticate(lead)
    assert titles(api_client.get(reverse(LIST))) == {"approved", "in date"}


def test_agent_gets_404_for_a_draft(api_client, agent, library):
    api_client.force_authenticate(agent)
    url = reverse("api:content-detail", args=[library["draft"].pk])
    assert api_client.get(url).status_code == 404


def test_curator_sees_everything(api_client, curator, library):
    api_client.force_authenticate(curator)
    assert len(titles(api_client.get(reverse(LIST), {"page_size": 50}))) == len(library)


def test_anonymous_gets_401(api_client, library):
    assert api_client.get(reverse(LIST)).status_code == 401


def test_filters_by_category_product_line_tag_and_search(api_client, agent):
    tag = TagFactory(name="养老")
    a = ContentItemFactory(
        title="年金",
        category="ad",
        product_line="annuity",
        status=Status.APPROVED,
        body="聊聊养老金规划",
    )
    a.topic_tags.add(tag)
    ContentItemFactory(title="重疾", category="value", status=Status.APPROVED)
    api_client.force_authenticate(agent)
    assert titles(api_client.get(reverse(LIST), {"category": "ad"})) == {"年金"}
    assert titles(api_client.get(reverse(LIST), {"product_line": "annuity"})) == {"年金"}
    assert titles(api_client.get(reverse(LIST), {"tag": "养老"})) == {"年金"}
    assert titles(api_client.get(reverse(LIST), {"q": "养老金"})) == {"年金"}
    bad = api_client.get(reverse(LIST), {"category": "news"})
    assert bad.status_code == 400 and "category" in bad.json()


def test_agent_cannot_write(api_client, agent, library):
    api_client.force_authenticate(agent)
    created = api_client.post(
        reverse(LIST), {"title": "x", "body": "y", "category": "story"}, format="json"
    )
    assert created.status_code == 403
    url = reverse("api:content-detail", args=[library["approved"].pk])
    assert api_client.patch(url, {"title": "改"}, format="json").status_code == 403
    assert not ContentItem.objects.filter(title__in=["x", "改"]).exists()


def test_curator_creates_and_the_write_is_checked(api_client, curator):
    api_client.force_authenticate(curator)
    response = api_client.post(
        reverse(LIST),
        {
            "title": "年金",
            "body": BLOCKED_BODY,
            "category": "ad",
            "product_line": "annuity",
            "topic_tags": ["养老", "年金"],
            "audience_tags": ["企业主"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["has_block"] is True
    assert "R01" in {f["code"] for f in body["findings"]}
    item = ContentItem.objects.get(pk=body["id"])
    assert item.created_by == curator
    assert {t.name for t in item.topic_tags.all()} == {"年金", "养老"}


def test_curator_update_rechecks(api_client, curator):
    item = ContentItemFactory(body=BLOCKED_BODY)
    content_check(item=item)
    assert item.has_block
    api_client.force_authenticate(curator)
    url = reverse("api:content-detail", args=[item.pk])
    response = api_client.patch(url, {"body": "重疾险看保额，以条款为准。"}, format="json")
    assert response.status_code == 200
    item.refresh_from_db()
    assert not item.has_block


def test_bad_write_gets_400_with_field_errors(api_client, curator):
    api_client.force_authenticate(curator)
    response = api_client.post(
        reverse(LIST),
        {"title": "", "category": "news", "valid_from": "2026-05-01", "valid_until": "2026-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert {"title", "body", "category"} <= set(response.json())


@pytest.mark.parametrize("method", ["post", "patch"])
def test_validity_ending_before_it_starts_is_a_translated_field_error(api_client, curator, method):
    api_client.force_authenticate(curator)
    dates = {"valid_from": "2026-05-01", "valid_until": "2026-04-01"}
    if method == "post":
        url, payload = reverse(LIST), {"title": "t", "body": "b", "category": "story", **dates}
    else:
        url, payload = reverse("api:content-detail", args=[ContentItemFactory().pk]), dates
    response = getattr(api_client, method)(
        url, payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response.json()["valid_until"] == ["失效日期不能早于生效日期。"]
    assert not ContentItem.objects.filter(valid_until=datetime.date(2026, 4, 1)).exists()


def test_curator_moves_an_item_through_review_by_api(api_client, curator):
    item = ContentItemFactory()
    api_client.force_authenticate(curator)
    url = reverse("api:content-transition", args=[item.pk])
    assert api_client.post(url, {"to": "approved"}, format="json").status_code == 400
    assert api_client.post(url, {"to": "in_review"}, format="json").json()["status"] == "in_review"
    assert api_client.post(url, {"to": "approved"}, format="json").json()["status"] == "approved"


def test_list_query_count_is_constant(api_client, agent, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            item = ContentItemFactory(status=Status.APPROVED, title=f"c{i}")
            item.topic_tags.add(TagFactory(name=f"t{i % 3}"))
            content_image_add(item=item, file=io.BytesIO(image_bytes(size=(64, 64))))

    api_client.force_authenticate(agent)
    add(2)
    with django_assert_max_num_queries(8) as small:
        assert len(api_client.get(reverse(LIST)).json()["results"]) == 2
    add(25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api_client.get(reverse(LIST)).json()["results"]) == 27


def test_image_upload_through_the_api(api_client, curator):
    item = ContentItemFactory()
    api_client.force_authenticate(curator)
    url = reverse("api:content-images", args=[item.pk])
    upload = SimpleUploadedFile("p.jpg", image_bytes("JPEG", (2000, 3000)), "image/jpeg")
    response = api_client.post(url, {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    assert (response.json()["width"], response.json()["height"]) == (960, 1440)
    bad = api_client.post(
        url,
        {"file": SimpleUploadedFile("p.png", b"GIF89a broken", "image/png")},
        format="multipart",
    )
    assert bad.status_code == 400 and bad.json()["file"]
    assert ContentImage.objects.filter(item=item).count() == 1


def test_tenth_image_is_refused_by_the_api(api_client, curator):
    item = ContentItemFactory()
    for _ in range(9):
        content_image_add(item=item, file=io.BytesIO(image_bytes(size=(32, 32))))
    api_client.force_authenticate(curator)
    response = api_client.post(
        reverse("api:content-images", args=[item.pk]),
        {"file": SimpleUploadedFile("p.png", image_bytes(), "image/png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "9" in response.json()["file"][0]
    assert ContentImage.objects.filter(item=item).count() == 9


def test_agent_cannot_upload_images(api_client, agent):
    item = ContentItemFactory(status=Status.APPROVED)
    api_client.force_authenticate(agent)
    response = api_client.post(
        reverse("api:content-images", args=[item.pk]),
        {"file": SimpleUploadedFile("p.png", image_bytes(), "image/png")},
        format="multipart",
    )
    assert response.status_code == 403


CHECK = "api:compliance-check-list"


def test_compliance_check_returns_codes_and_spans_in_the_text_sent(api_client, agent):
    api_client.force_authenticate(agent)
    text = "朋友们好！这款年金稳赚不赔。"
    response = api_client.post(reverse(CHECK), {"text": text, "category": "ad"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["has_block"] is True
    r01 = next(f for f in body["findings"] if f["code"] == "R01")
    assert text[r01["start"] : r01["end"]] == r01["matched"]
    assert "稳" in r01["matched"] and "赚" in r01["matched"]


def test_compliance_check_sees_through_fullwidth_and_inserted_symbols(api_client, agent):
    api_client.force_authenticate(agent)
    text = "这款产品稳*赚，零 风 险"
    body = api_client.post(reverse(CHECK), {"text": text}, format="json").json()
    spans = {text[f["start"] : f["end"]] for f in body["findings"] if f["code"] == "R01"}
    assert "稳*赚" in spans


def test_compliance_check_clean_text_has_no_findings(api_client, agent):
    api_client.force_authenticate(agent)
    body = api_client.post(
        reverse(CHECK), {"text": "重疾险的等待期以条款为准。", "category": "value"}, format="json"
    ).json()
    assert body == {"has_block": False, "findings": []}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "ok", "category": "news"}, "category"),
        ({"text": "ok", "product_line": "car"}, "product_line"),
    ],
)
def test_compliance_check_bad_request_gets_400_with_field_errors(api_client, agent, payload, field):
    api_client.force_authenticate(agent)
    response = api_client.post(reverse(CHECK), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_compliance_check_needs_a_login(api_client):
    assert api_client.post(reverse(CHECK), {"text": "x"}, format="json").status_code == 401
