"""Forms of the scheduler's pages (the API validates with its serializers)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
