"""A post keeps only its pictures' names: ``thumbnail_name`` finds each thumbnail as the image
pipeline stored it, with no query."""

import io

import pytest

from content.models import thumbnail_name
from content.services import content_image_add
from content.tests.factories import ContentItemFactory, image_bytes

pytestmark = pytest.mark.django_db


def test_thumbnail_name_is_where_the_pipeline_stored_the_thumbnail(django_assert_num_queries):
    item = ContentItemFactory()
    images = [
        content_image_add(item=item, file=io.BytesIO(image_bytes(size=(120 + n, 90))))
        for n in range(2)
    ]
    with django_assert_num_queries(0):
        names = [thumbnail_name(image.image.name) for image in images]
    assert names == [image.thumbnail.name for image in images]
    storage = images[0].thumbnail.storage
    assert all(storage.exists(name) for name in names)


def test_thumbnail_name_of_a_bare_name():
    assert thumbnail_name("a.jpg") == "thumbs/a.jpg"
