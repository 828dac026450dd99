"""One filter set for the contact list page and the contacts API.

The warmth-tier filter belongs to the warmth issue: its tiers are thresholds on warmth *now*,
which on the stored ``warmth_ref`` move with the clock (see ``contacts.warmth``).
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact, ContactGroup, Persona, Stage, Tag
from crm.models import User

_DIGITS_RE = re.compile(r"\D+")


def _request_user(request) -> User | None:
    return getattr(request, "user", None) if request is not None else None


def _visible(model):
    def queryset(request):
        user = _request_user(request)
        return model.objects.visible_to(user) if user is not None else model.objects.none()

    return queryset


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
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=_visible(Tag), label=_("Tag")
    )
    group = django_filters.ModelChoiceFilter(
        field_name="groups", queryset=_visible(ContactGroup), label=_("Group")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    source = django_filters.CharFilter(field_name="source", label=_("Source"))
    persona = django_filters.ModelChoiceFilter(queryset=_visible(Persona), label=_("Persona"))
    owner = django_filters.ModelChoiceFilter(queryset=_visible(User), label=_("Agent"))
    follow_up_due = django_filters.DateFilter(
        field_name="next_follow_up", lookup_expr="lte", label=_("Follow-up due by")
    )

    class Meta:
        model = Contact
        fields = ["q", "tag", "group", "stage", "source", "persona", "owner"]

    def filter_q(self, queryset, name, value):
        return search_contacts(queryset, value)
