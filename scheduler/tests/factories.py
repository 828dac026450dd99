import datetime as dt

import factory
from django.utils import timezone

from contacts.tests.factories import PersonaFactory
from content.models import Category, ContentItem, Status
from scheduler.models import MomentPost, PostingWindow, PostStatus

LICENCE = "00020132010000002017123456"  # 26 letters and digits, the usual shape


def default_window(name: str = "commute") -> PostingWindow:
    """A global default window. Migration 0002 creates them; transactional tests flush tables
    (the migration's rows too), so recreate them with the migration's own values."""
    from importlib import import_module

    defaults = {
        n: (start, end)
        for n, start, end in import_module("scheduler.migrations.0002_default_windows").DEFAULTS
    }
    start, end = defaults[name]
    window, _ = PostingWindow.objects.get_or_create(
        name=name, owner=None, team=None, defaults={"start": start, "end": end}
    )
    return window


class ContentItemFactory(factory.django.DjangoModelFactory):
    """An approved library item, as the curator's workflow would leave it."""

    class Meta:
        model = ContentItem

    title = factory.Sequence(lambda n: f"故事{n}")
    body = factory.Sequence(lambda n: f"今天和客户聊到家庭保障的安排，第{n}次被问到怎么选。")
    category = Category.STORY
    status = Status.APPROVED


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostingWindow

    name = factory.Sequence(lambda n: f"window{n}")
    start = dt.time(10, 0)
    end = dt.time(11, 0)


class PostFactory(factory.django.DjangoModelFactory):
    """A post due one hour from now in the "commute" default window (times are illustrative:
    tests that care about windows set scheduled_at and window_ends_at themselves)."""

    class Meta:
        model = MomentPost

    persona = factory.SubFactory(PersonaFactory, licence_number=LICENCE)
    content = factory.SubFactory(ContentItemFactory)
    title = factory.LazyAttribute(lambda o: o.content.title if o.content else "")
    text = factory.LazyAttribute(lambda o: o.content.body if o.content else "一条朋友圈")
    category = factory.LazyAttribute(lambda o: o.content.category if o.content else "story")
    window = factory.LazyFunction(
        lambda: PostingWindow.objects.global_defaults().get(name="commute")
    )
    window_name = factory.LazyAttribute(lambda o: o.window.name if o.window else "")
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=1))
    window_ends_at = factory.LazyAttribute(lambda o: o.scheduled_at + dt.timedelta(minutes=60))
    status = PostStatus.DRAFT
