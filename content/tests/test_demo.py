"""The demo library: about sixty items, real images, a few flagged, safe to seed twice."""

import pytest

from content import demo
from content.models import Category, ContentImage, ContentItem, Status
from crm import demo as crm_demo

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_covers_the_library():
    crm_demo.seed()
    demo.seed()
    demo.seed()
    items = ContentItem.objects.all()
    assert 55 <= items.count() <= 65
    assert items.count() == len({item.title for item in items})
    assert set(items.values_list("category", flat=True)) == set(Category.values)
    assert len(set(items.exclude(product_line="").values_list("product_line", flat=True))) == 8
    flagged = items.filter(has_block=True)
    assert 3 <= flagged.count() <= 10
    assert not flagged.filter(status=Status.APPROVED).exists()
    assert items.filter(status=Status.APPROVED).count() >= 40
    image = ContentImage.objects.first()
    assert image.image.read(2) == b"\xff\xd8"
    assert ContentImage.objects.filter(item__in=items).count() >= items.count()
