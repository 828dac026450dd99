"""Every date and time input of every form writes a value its browser control accepts, and
the form reads that value back as it was, in each interface language.

The walk covers every form class of the project's apps and every admin form, so a form added
later (policies) is checked without being named here. Issue 20: the Chinese interface wrote
``value="2026/12/19"`` into ``<input type="date">``, which the browser drops, so saving a
contact unchanged wiped its next follow-up.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone, translation

from crm.models import User

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("crm", "contacts", "content", "scheduler")
LANGUAGES = ["zh-hans", "en"]
# The value syntax each HTML5 control accepts (HTML's "valid date / time / local date and
# time string"); the browser treats anything else as empty.
TIME_VALUE = r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"
ISO_VALUE = {
    "date": r"\d{4}-\d{2}-\d{2}",
    "time": TIME_VALUE,
    "datetime-local": r"\d{4}-\d{2}-\d{2}[T ]" + TIME_VALUE,
}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 19)
TIME = dt.time(21, 45)
MOMENT = dt.datetime(2026, 12, 19, 21, 45, tzinfo=SHANGHAI)


class Inputs(HTMLParser):
    """The ``<input>`` elements of a fragment: (name, type, value) in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            a = dict(attrs)
            self.found.append((a.get("name") or "", a.get("type") or "text", a.get("value") or ""))


def project_forms() -> dict[str, type[forms.BaseForm]]:
    """Every form class defined in the project's apps (tests and migrations aside)."""
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".tests" not in info.name and ".migrations" not in info.name:
                importlib.import_module(info.name)
    found, todo = {}, [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def admin_forms() -> dict[str, type[forms.BaseForm]]:
    """The add form of every admin page and of its inlines, as a superuser gets them."""
    request = RequestFactory().get("/admin/")
    request.user = User(username="walker", is_superuser=True, is_staff=True, is_active=True)
    found = {}
    for model, model_admin in admin.site._registry.items():
        label = f"admin {model._meta.label}"
        found[label] = model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            found[f"{label} inline {inline.model._meta.label}"] = inline.get_formset(request).form
    request.user = AnonymousUser()
    return found


def sample(field: forms.Field) -> object | None:
    """A value for a date or time field (None for any other field)."""
    if isinstance(field, forms.SplitDateTimeField | forms.DateTimeField):
        return MOMENT
    if isinstance(field, forms.DateField):
        return DAY
    if isinstance(field, forms.TimeField):
        return TIME
    return None


def round_trip(field: forms.Field, name: str, value: object) -> tuple[object, list[str]]:
    """Write ``value`` into the field's widget, read the inputs back as a browser submits
    them; returns what the form cleans and the inputs a browser would drop."""
    html = field.widget.render(name, field.prepare_value(value))
    inputs = Inputs(html).found
    dropped = [
        f"<input type={kind} value={written!r}>"
        for _, kind, written in inputs
        if kind in ISO_VALUE and not re.fullmatch(ISO_VALUE[kind], written)
    ]
    data = {input_name: written for input_name, _, written in inputs}
    return field.clean(field.widget.value_from_datadict(data, {}, name)), dropped


def date_and_time_fields() -> list[tuple[str, forms.Field, object]]:
    every = {**project_forms(), **admin_forms()}
    return [
        (f"{label}.{name}", field, value)
        for label, form in sorted(every.items())
        for name, field in form.base_fields.items()
        if (value := sample(field)) is not None
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_and_time_input_writes_what_the_browser_accepts_and_reads_it_back(language):
    fields = date_and_time_fields()
    labels = {label for label, _, _ in fields}
    # The walk must see the forms issue 20 found broken (else it proves nothing).
    assert {
        "contacts.forms.ContactForm.next_follow_up",
        "contacts.forms.NotesForm.next_follow_up",
        "contacts.forms.PersonaForm.account_started",
        "contacts.warmth.forms.InteractionLogForm.at",
        "scheduler.forms.MovePostForm.day",
        "admin content.ContentItem.valid_from",
        "admin scheduler.PostingWindow.start",
    } <= labels, sorted(labels)
    problems = []
    with translation.override(language), timezone.override(SHANGHAI):
        for label, field, value in fields:
            name = label.rsplit(".", 1)[1]
            read, dropped = round_trip(field, name, value)
            if dropped:
                problems.append(f"{label} writes what the browser drops: {dropped}")
            if read != value:
                problems.append(f"{label} reads back {read!r}, not {value!r}")
    assert not problems, "\n".join(problems)
