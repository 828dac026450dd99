"""Forms of the scheduler's pages (the API validates with its serializers)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from content.models import Category, ContentItem, ProductLine
from crm.widgets import IsoDateInput
from scheduler.models import PostingWindow


class MovePostForm(forms.Form):
    """Where to move a post: a day and one of the agent's effective windows."""

    day = forms.DateField(label=_("Day"), widget=IsoDateInput())
    window = forms.TypedChoiceField(label=_("Window"), coerce=int)

    def __init__(self, *args, windows: list[PostingWindow], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.windows = {window.pk: window for window in windows}
        self.fields["window"].choices = [
            (window.pk, f"{window.label} {window.start:%H:%M}–{window.end:%H:%M}")
            for window in windows
        ]

    def chosen_window(self) -> PostingWindow:
        return self.windows[self.cleaned_data["window"]]


class PostTextForm(forms.Form):
    """A draft's or sent-back post's new text (the API's ``EditSerializer`` takes the same)."""

    text = forms.CharField(
        label=_("Post text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10})
    )


class PostCreateForm(forms.Form):
    """A new post in a chosen slot (the API's ``PostCreateSerializer`` takes the same): one of
    the agent's personas, a day, one of the agent's windows, then a library item from
    ``library`` (the visible, sendable items) or text with a category. The content choices
    shown are ``shown`` (the first items matching the search); any item of ``library`` is
    accepted. Which of item or text is missing, and the slot rules, the service decides."""

    persona = forms.TypedChoiceField(label=_("Persona"), coerce=int)
    day = forms.DateField(label=_("Day"), widget=IsoDateInput())
    window = forms.TypedChoiceField(label=_("Window"), coerce=int)
    content = forms.ModelChoiceField(
        label=_("From the library"),
        queryset=ContentItem.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    text = forms.CharField(
        label=_("Or write the text"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    product_line = forms.ChoiceField(
        label=_("Product line"), choices=[("", "—"), *ProductLine.choices], required=False
    )

    def __init__(
        self,
        *args,
        personas: list,
        windows: list[PostingWindow],
        library,
        shown: list[ContentItem],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.personas = {persona.pk: persona for persona in personas}
        self.windows = {window.pk: window for window in windows}
        self.fields["persona"].choices = [(p.pk, p.nickname) for p in personas]
        self.fields["window"].choices = [
            (window.pk, f"{window.label} {window.start:%H:%M}–{window.end:%H:%M}")
            for window in windows
        ]
        content = self.fields["content"]
        content.queryset = library
        # Only the shown items are drawn (the widget would list the whole library).
        content.widget.choices = [("", _("None: I write the text below"))] + [
            (item.pk, f"{item.get_category_display()} · {item.title or item.body[:40]}")
            for item in shown
        ]

    def chosen(self) -> dict:
        """The service's arguments from the cleaned data."""
        data = self.cleaned_data
        return {
            "persona": self.personas[data["persona"]],
            "window": self.windows[data["window"]],
            "day": data["day"],
            "content": data["content"],
            "title": data["title"],
            "text": data["text"],
            "category": data["category"],
            "product_line": data["product_line"],
        }
