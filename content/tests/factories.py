"""Factories for content tests, and real image files made with Pillow."""

from __future__ import annotations

import io

import factory
from PIL import Image

from content.models import Category, ContentItem, Status, Tag

CLEAN_BODY = "重疾险的等待期是什么意思？等待期内确诊，通常只退还所交保费。详细以条款为准。"
BLOCKED_BODY = "这款年金稳赚不赔，闭眼入！"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("kind", "name")

    name = factory.Sequence(lambda n: f"话题{n}")
    kind = Tag.Kind.TOPIC


class ContentItemFactory(factory.django.DjangoModelFactory):
    """A row as stored; call ``content.services.content_check`` when the report matters."""

    class Meta:
        model = ContentItem

    title = factory.Sequence(lambda n: f"保险小知识 第{n}期")
    body = CLEAN_BODY
    category = Category.VALUE
    product_line = "critical_illness"
    status = Status.DRAFT


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (800, 600), color: str = "#3a7bd5"
) -> bytes:
    """A real picture in ``fmt``, made by Pillow."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()
