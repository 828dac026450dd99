"""Forms for logging interactions from pages."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import InteractionKind
from contacts.services.interactions import NOTE_MAX_CHARS
from crm.widgets import IsoDateTimeInput


class InteractionLogForm(forms.Form):
    kind = forms.ModelChoiceField(
        queryset=InteractionKind.objects.all(),
        to_field_name="code",
        label=_("Interaction"),
        error_messages={"invalid_choice": _("Unknown kind of interaction.")},
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_CHARS, required=False)
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=IsoDateTimeInput(),
    )


class InteractionTimeForm(forms.Form):
    """When an interaction really happened (a correction from the contact's timeline), in the
    user's own time zone; the service refuses a time in the future."""

    at = forms.DateTimeField(
        label=_("When it happened"),
        widget=IsoDateTimeInput(),
    )

    def __init__(self, *args, current: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current = current

    def clean_at(self) -> datetime:
        """The new time; the interaction's own if the minute shown was sent back unchanged (the
        control has no seconds, and saving it as it was must not move the interaction)."""
        at = self.cleaned_data["at"]
        if at == self.current.replace(second=0, microsecond=0):
            return self.current
        return at
