"""Forms for logging interactions from pages."""

from __future__ import annotations

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
