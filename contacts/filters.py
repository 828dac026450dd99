"""One filter set for the contact list page and the contacts API.

The warmth tier is a threshold on warmth *now*, which on the stored ``warmth_ref`` moves with
the clock (see ``contacts.warmth``): the filter turns it into an index range at request time.
"""

from __future__ import annotations

import functools
import re

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator
from django_filters.filters import QuerySetRequestMixin

from contacts.models import Contact, ContactGroup, Persona, Stage, Tag
from contacts.warmth import Tier, half_life
from crm.models import User

_DIGITS_RE = re.compile(r"\D+")


def _request_user(request) -> User | None:
    return getattr(request, "user", None) if request is not None else None


def _visible(model):
    def queryset(request):
        user = _request_user(request)
        return model.objects.visible_to(user) if user is not None else model.objects.none()

    return queryset


class _ScopedChoiceIterator(ModelChoiceIterator):
    """The choices of a ``ScopedModelChoiceField``: its queryset is read when they are listed."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        self.field = field

    @property
    def queryset(self) -> QuerySet:
        return self.field.queryset


class ScopedModelChoiceField(ModelChoiceField):
    """A model choice field whose queryset ``scope()`` makes when it is first needed: to check
    a value or to list the choices. Building the field, or the form around it, makes none, so
    a filter the request does not use costs no scoped queryset."""

    iterator = _ScopedChoiceIterator

    def __init__(self, *, scope, queryset=None, **kwargs) -> None:
        self._scope = scope
        super().__init__(None, **kwargs)

    def _get_queryset(self) -> QuerySet:
        if self._queryset is None:
            self._queryset = self._scope()
        return self._queryset

    queryset = property(_get_queryset, forms.ModelChoiceField._set_queryset)

    def __deepcopy__(self, memo):
        # As ModelChoiceField's, without making the queryset to copy it.
        result = super(forms.ChoiceField, self).__deepcopy__(memo)
        result._queryset = None if self._queryset is None else self._queryset.all()
        result.widget.choices = result.choices
        return result


class ScopedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """``ModelChoiceFilter`` whose ``queryset(request)`` runs only when the field needs it."""

    field_class = ScopedModelChoiceField

    @property
    def field(self) -> ScopedModelChoiceField:
        self.extra["scope"] = functools.partial(self.get_queryset, self.get_request())
        # Past QuerySetRequestMixin.field, which would make the queryset now.
        return super(QuerySetRequestMixin, self).field


def search_contacts(queryset: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """Name, remark, WeChat ID contain ``text``; or the phone contains its digits (3 or more)."""
    text = (text or "").strip()
    if not text:
        return queryset
    condition = Q(name__icontains=text) | Q(remark__icontains=text) | Q(wechat_id__icontains=text)
    digits = _DIGITS_RE.sub("", text)
    if len(digits) >= 3:
        condition |= Q(phone__contains=digits)
    return queryset.filter(condition)


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    tag = ScopedModelChoiceFilter(field_name="tags", queryset=_visible(Tag), label=_("Tag"))
    group = ScopedModelChoiceFilter(
        field_name="groups", queryset=_visible(ContactGroup), label=_("Group")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    tier = django_filters.ChoiceFilter(
        choices=[(Tier.HOT, _("Hot")), (Tier.WARM, _("Warm")), (Tier.COLD, _("Cold"))],
        method="filter_tier",
        label=_("Warmth"),
    )
    source = django_filters.CharFilter(field_name="source", label=_("Source"))
    persona = ScopedModelChoiceFilter(queryset=_visible(Persona), label=_("Persona"))
    owner = ScopedModelChoiceFilter(queryset=_visible(User), label=_("Agent"))
    follow_up_due = django_filters.DateFilter(
        field_name="next_follow_up", lookup_expr="lte", label=_("Follow-up due by")
    )

    class Meta:
        model = Contact
        fields = ["q", "tag", "group", "stage", "tier", "source", "persona", "owner"]

    def filter_tier(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        # A viewer's list holds their own or their team's leads: one team, one half-life.
        user = _request_user(self.request)
        return queryset.in_tier(value, timezone.now(), half_life.of_user(user))

    def filter_q(self, queryset, name, value):
        return search_contacts(queryset, value)
