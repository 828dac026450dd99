"""The admin site as the curators' workplace."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.models import ContentImage, ContentItem, Status
from content.services import content_check, content_create, content_image_add
from content.tests.factories import BLOCKED_BODY, CLEAN_BODY, ContentItemFactory, image_bytes

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:content_contentitem_changelist"


def in_review(curator, body=CLEAN_BODY, title="一篇内容"):
    item = content_create(actor=curator, title=title, body=body, category="value")
    item.status = Status.IN_REVIEW  # set directly: the test is about approving, not submitting
    item.save(update_fields=["status"])
    return item


def form_data(item=None, **overrides):
    data = {
        "title": item.title if item else "新内容",
        "body": item.body if item else CLEAN_BODY,
        "category": item.category if item else "value",
        "product_line": item.product_line if item else "",
        "valid_from": "",
        "valid_until": "",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "9",
    }
    data.update(overrides)
    return data


def test_curator_approves_clean_content_with_the_bulk_action(client, curator):
    item = in_review(curator)
    client.force_login(curator)
    response = client.post(
        reverse(CHANGELIST), {"action": "approve", "_selected_action": [item.pk]}, follow=True
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == Status.APPROVED
    assert item.approved_by == curator


def test_bulk_approve_refuses_blocked_content_and_names_it(client, curator):
    clean = in_review(curator, title="干净的内容")
    blocked = in_review(curator, body=BLOCKED_BODY, title="违规的内容")
    client.force_login(curator)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "approve", "_selected_action": [clean.pk, blocked.pk]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("违规的内容" in t and "R01" in t for t in texts), texts
    clean.refresh_from_db()
    blocked.refresh_from_db()
    assert clean.status == Status.APPROVED
    assert blocked.status == Status.IN_REVIEW


def test_change_page_approve_button_approves_clean_content(client, curator):
    item = in_review(curator)
    client.force_login(curator)
    change = client.get(reverse("admin:content_contentitem_change", args=[item.pk]))
    url = reverse("admin:content_contentitem_transition", args=[item.pk, "approved"])
    assert url in change.content.decode()
    client.post(url)
    item.refresh_from_db()
    assert item.status == Status.APPROVED


def test_change_page_approve_button_refuses_blocked_content(client, curator):
    item = in_review(curator, body=BLOCKED_BODY)
    client.force_login(curator)
    url = reverse("admin:content_contentitem_transition", args=[item.pk, "approved"])
    response = client.post(url, follow=True)
    assert any("R01" in str(m) for m in response.context["messages"])
    item.refresh_from_db()
    assert item.status == Status.IN_REVIEW


def test_transition_url_refuses_get(client, curator):
    item = in_review(curator)
    client.force_login(curator)
    url = reverse("admin:content_contentitem_transition", args=[item.pk, "approved"])
    assert client.get(url).status_code == 405
    item.refresh_from_db()
    assert item.status == Status.IN_REVIEW


def test_agent_cannot_reach_the_content_admin(client, agent):
    client.force_login(agent)
    for url in (reverse(CHANGELIST), reverse("admin:content_contentitem_add")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response.url


def test_curator_permissions_are_exactly_what_curating_needs():
    group = Group.objects.get(name="Content curators")
    granted = set(group.permissions.values_list("codename", flat=True))
    assert granted == {
        "add_contentitem",
        "change_contentitem",
        "view_contentitem",
        "add_contentimage",
        "change_contentimage",
        "view_contentimage",
        "delete_contentimage",
        "add_tag",
        "change_tag",
        "view_tag",
        "view_compliancerule",
    }
    admins = set(
        Group.objects.get(name="Administrators")
        .permissions.filter(content_type__app_label="content")
        .values_list("codename", flat=True)
    )
    assert {"delete_contentitem", "change_compliancerule", "add_compliancerule"} <= admins


def test_curator_reads_rules_but_cannot_change_them(client, curator):
    from content.models import ComplianceRule

    rule = ComplianceRule.objects.get(code="R01")
    client.force_login(curator)
    assert client.get(reverse("admin:content_compliancerule_changelist")).status_code == 200
    assert client.get(reverse("admin:content_compliancerule_add")).status_code == 403
    response = client.post(
        reverse("admin:content_compliancerule_change", args=[rule.pk]), {"severity": "warn"}
    )
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.severity == "block"


def test_curator_cannot_delete_content_items(client, curator):
    item = in_review(curator)
    client.force_login(curator)
    response = client.post(
        reverse("admin:content_contentitem_delete", args=[item.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ContentItem.objects.filter(pk=item.pk).exists()


def test_saving_in_the_admin_runs_the_check_and_shows_highlights(client, curator):
    client.force_login(curator)
    body = "<script>alert(1)</script>这款年金稳赚不赔"
    response = client.post(
        reverse("admin:content_contentitem_add"), form_data(body=body), follow=True
    )
    assert response.status_code == 200
    item = ContentItem.objects.get()
    assert item.has_block and item.created_by == curator
    assert {f["code"] for f in item.findings} >= {"R01"}
    page = client.get(reverse("admin:content_contentitem_change", args=[item.pk]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert 'class="finding finding-block"' in html and "稳赚" in html


def test_admin_change_list_shows_thumbnails_with_constant_queries(
    client, curator, django_assert_max_num_queries
):
    from content.services import content_image_add

    def add_items(n):
        for i in range(n):
            item = ContentItemFactory(title=f"内容{i}")
            content_image_add(item=item, file=io.BytesIO(image_bytes()))

    client.force_login(curator)
    add_items(3)
    with django_assert_max_num_queries(14) as small:
        response = client.get(reverse(CHANGELIST))
    assert response.content.decode().count('class="content-thumb"') == 3
    add_items(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(CHANGELIST))
    assert response.content.decode().count('class="content-thumb"') == 23


def inline_upload_data(item, files):
    data = form_data(item)
    data["images-TOTAL_FORMS"] = str(len(files))
    for i, _ in enumerate(files):
        data[f"images-{i}-position"] = str(i)
        data[f"images-{i}-item"] = str(item.pk)
    return data


def test_admin_inline_upload_goes_through_the_pipeline(client, curator):
    item = in_review(curator)
    client.force_login(curator)
    data = inline_upload_data(item, [1])
    data["images-0-upload"] = SimpleUploadedFile(
        "photo.png", image_bytes("PNG", (3000, 2000)), "image/png"
    )
    response = client.post(reverse("admin:content_contentitem_change", args=[item.pk]), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"]
    image = ContentImage.objects.get(item=item)
    assert (image.width, image.height) == (1440, 960)
    assert image.image.read(2) == b"\xff\xd8"  # re-encoded as JPEG
    assert image.thumbnail.name != image.image.name


def test_admin_inline_refuses_a_file_that_is_not_an_image(client, curator):
    item = in_review(curator)
    client.force_login(curator)
    data = inline_upload_data(item, [1])
    data["images-0-upload"] = SimpleUploadedFile("notes.jpg", b"just some text", "image/jpeg")
    response = client.post(reverse("admin:content_contentitem_change", args=[item.pk]), data)
    assert response.status_code == 200
    assert "无法识别此文件为图片" in response.content.decode()
    assert not ContentImage.objects.exists()


def test_admin_inline_refuses_a_tenth_image(client, curator):
    item = in_review(curator)
    client.force_login(curator)
    data = inline_upload_data(item, range(10))
    for i in range(10):
        data[f"images-{i}-position"] = str(i % 9)
        data[f"images-{i}-upload"] = SimpleUploadedFile(f"{i}.png", image_bytes(), "image/png")
    response = client.post(reverse("admin:content_contentitem_change", args=[item.pk]), data)
    assert response.status_code == 200
    assert not ContentImage.objects.exists()


def test_spreadsheet_import_reports_bad_rows_and_keeps_good_ones(client, curator):
    csv_text = (
        "title,body,category,product_line,topic_tags,audience_tags,valid_from,valid_until\n"
        "重疾险怎么选,先看保额再看病种，以条款为准。,value,重疾,重疾;理赔,宝妈,2026-01-01,\n"
        ",没有标题,story,,,,,\n"
        "年金广告,这款年金稳赚不赔,ad,annuity,养老,,,\n"
        "坏类别,正文,news,,,,,\n"
        "坏日期,正文,story,,,,2026-13-01,\n"
    )
    client.force_login(curator)
    upload = SimpleUploadedFile("content.csv", csv_text.encode("utf-8"), "text/csv")
    response = client.post(reverse("admin:content_contentitem_import"), {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert [e.line for e in report.errors] == [3, 5, 6]
    assert {item.title for item in ContentItem.objects.all()} == {"重疾险怎么选", "年金广告"}
    first = ContentItem.objects.get(title="重疾险怎么选")
    assert first.product_line == "critical_illness"
    assert sorted(t.name for t in first.topic_tags.all()) == ["理赔", "重疾"]
    assert [t.name for t in first.audience_tags.all()] == ["宝妈"]
    assert ContentItem.objects.get(title="年金广告").has_block
    assert "2026-13-01" in response.content.decode()


def test_spreadsheet_import_accepts_xlsx(client, curator):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["标题", "正文", "类别", "产品线"])
    sheet.append(["意外险小科普", "意外险保的是意外伤害，详见条款。", "价值", "意外"])
    out = io.BytesIO()
    book.save(out)
    client.force_login(curator)
    upload = SimpleUploadedFile("c.xlsx", out.getvalue())
    response = client.post(reverse("admin:content_contentitem_import"), {"file": upload})
    assert response.context["report"].errors == []
    item = ContentItem.objects.get()
    assert (item.category, item.product_line) == ("value", "accident")


def test_spreadsheet_import_reads_gbk_csv_and_empty_workbook_cells(client, curator):
    from openpyxl import Workbook

    client.force_login(curator)
    gbk = (
        "标题,正文,类别,生效日期\r\n医疗险答疑,医疗险报销看清免赔额，以条款为准。,价值,\r\n".encode(
            "gbk"
        )
    )
    upload = SimpleUploadedFile("内容.csv", gbk, "text/csv")
    response = client.post(reverse("admin:content_contentitem_import"), {"file": upload})
    assert response.context["report"].errors == []
    book = Workbook()
    book.active.append(["标题", "正文", "类别", "生效日期", "失效日期"])
    book.active.append(["寿险故事", "我为什么买了定期寿险。", "故事", None, None])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("c.xlsx", out.getvalue())
    response = client.post(reverse("admin:content_contentitem_import"), {"file": upload})
    assert response.context["report"].errors == []
    assert sorted(ContentItem.objects.values_list("title", "valid_from")) == [
        ("医疗险答疑", None),
        ("寿险故事", None),
    ]


def test_spreadsheet_import_reports_a_formula_without_a_result_and_reads_chinese_dates(
    client, curator
):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["标题", "正文", "类别", "话题标签", "生效日期"])
    book.active.append(["公式标签", "正文，以条款为准。", "价值", '=CONCAT("重疾","理赔")', None])
    book.active.append(["中文日期", "正文，以条款为准。", "价值", "", "2026年3月31日"])
    out = io.BytesIO()
    book.save(out)
    client.force_login(curator)
    upload = SimpleUploadedFile("c.xlsx", out.getvalue())
    response = client.post(reverse("admin:content_contentitem_import"), {"file": upload})
    # The formula's result is not in the file: the row is refused, not imported tagless.
    [error] = response.context["report"].errors
    assert error.line == 2 and '=CONCAT("重疾","理赔")' in error.reason
    item = ContentItem.objects.get()
    assert (item.title, item.valid_from) == ("中文日期", dt.date(2026, 3, 31))


def test_spreadsheet_import_refuses_other_files_with_a_message(client, curator):
    client.force_login(curator)
    upload = SimpleUploadedFile("c.pdf", b"%PDF-1.4")
    response = client.post(reverse("admin:content_contentitem_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ContentItem.objects.exists()


def test_admin_edits_rule_severity_and_the_next_check_follows(client, site_admin, curator):
    from content.models import ComplianceRule
    from content.services import check_text

    text = "全网最好的重疾险"
    before = {f.code: f.severity for f in check_text(text=text, category="value")}
    assert before.get("R05") == "warn"
    rule = ComplianceRule.objects.get(code="R05")
    client.force_login(site_admin)
    changelist = reverse("admin:content_compliancerule_changelist")
    response = client.post(
        changelist,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(rule.pk),
            "form-0-severity": "block",
            "form-0-active": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    after = {f.code: f.severity for f in check_text(text=text, category="value")}
    assert after["R05"] == "block"
    item = content_create(actor=curator, title="t", body=text, category="value")
    content_check(item=item)
    assert item.has_block


def test_change_page_report_shows_the_check_time_in_the_users_zone_and_the_moment_preview(
    client, curator
):
    import datetime

    item = in_review(curator, body=BLOCKED_BODY)
    for _ in range(2):
        content_image_add(item=item, file=io.BytesIO(image_bytes(size=(64, 64))))
    checked = datetime.datetime(2026, 1, 1, 0, 30, tzinfo=datetime.UTC)
    ContentItem.objects.filter(pk=item.pk).update(checked_at=checked)
    curator.time_zone = "Asia/Shanghai"
    curator.save(update_fields=["time_zone"])
    client.force_login(curator)
    html = client.get(reverse("admin:content_contentitem_change", args=[item.pk])).content.decode()
    assert "2026-01-01 08:30" in html and "2026-01-01 00:30" not in html
    assert 'class="finding-row finding-block"><strong>R01</strong>' in html
    grid = html.split('<div class="moment-grid moment-grid-2">', 1)[1].split("</div>", 1)[0]
    assert grid.count("<img ") == 2


def test_change_list_counts_warnings_in_the_right_grammatical_number(client, curator):
    ContentItemFactory(title="one", warning_count=1)
    ContentItemFactory(title="two", warning_count=2)
    curator.language = "en"
    curator.save(update_fields=["language"])
    client.force_login(curator)
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert '<span class="badge badge-warn">1 warning</span>' in html
    assert '<span class="badge badge-warn">2 warnings</span>' in html
