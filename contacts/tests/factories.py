import datetime as dt

import factory
from django.utils import timezone

from contacts.models import (
    Contact,
    ContactGroup,
    Interaction,
    InteractionCode,
    InteractionKind,
    Persona,
    Stage,
    Tag,
)
from crm.tests.factories import AgentFactory


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona

    owner = factory.SubFactory(AgentFactory)
    nickname = factory.Sequence(lambda n: f"小李{n}-保险规划师")
    signature = "十年保险规划师\uff0c帮你把家庭保障配明白"
    account_started = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=400))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    owner = factory.SubFactory(AgentFactory)
    name = factory.Sequence(lambda n: f"标签{n}")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactGroup

    owner = factory.SubFactory(AgentFactory)
    name = factory.Sequence(lambda n: f"分组{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    owner = factory.SubFactory(AgentFactory)
    name = factory.Sequence(lambda n: f"客户{n}")
    wechat_id = factory.Sequence(lambda n: f"wx_{n:06d}")
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    stage = Stage.NEW_FRIEND
    source = "转介绍"

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.set(extracted)


def interaction_kind(code: str) -> InteractionKind:
    """A seeded kind. Migration 0002 creates them; transactional tests flush tables (the
    migration's rows too), so recreate them from the migration's own defaults."""
    from importlib import import_module

    defaults = import_module("contacts.migrations.0002_interactions").DEFAULT_KINDS
    for position, (name, weight, suggests, sets, quick) in enumerate(defaults):
        InteractionKind.objects.get_or_create(
            code=name,
            defaults={
                "weight": weight,
                "suggests_stage": suggests,
                "sets_stage": sets,
                "quick": quick,
                "position": position,
            },
        )
    return InteractionKind.objects.get(code=code)


class InteractionFactory(factory.django.DjangoModelFactory):
    """A history row written directly (no warmth update): for building histories in bulk."""

    class Meta:
        model = Interaction

    contact = factory.SubFactory(ContactFactory)
    kind = factory.LazyFunction(lambda: interaction_kind(InteractionCode.CALL))
    at = factory.LazyFunction(timezone.now)
    weight = factory.LazyAttribute(lambda o: o.kind.weight)
