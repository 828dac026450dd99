"""Page forms. They validate shapes; the services validate the rules (and raise field errors)."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts.models import ContactGroup, DuplicatePolicy, GroupKind, Persona, Stage, Tag
from crm.models import User
from crm.widgets import IsoDateInput


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    remark = forms.CharField(label=_("Remark name (备注)"), max_length=60, required=False)
    wechat_id = forms.CharField(label=_("WeChat ID"), max_length=40, required=False)
    phone = forms.CharField(
        label=_("Mobile"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    persona = forms.ModelChoiceField(
        label=_("Persona"), queryset=Persona.objects.none(), required=False
    )
    source = forms.CharField(label=_("Source channel"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=40, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.NEW_FRIEND)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas or 、"),
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=ContactGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    next_follow_up = forms.DateField(
        label=_("Next follow-up"), required=False, widget=IsoDateInput()
    )
    marketing_consent = forms.BooleanField(
        label=_("Agreed to receive marketing messages"), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, owner: User, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persona"].queryset = Persona.objects.owned_by(owner)
        self.fields["groups"].queryset = ContactGroup.objects.owned_by(owner)
        # Editing a contact with a number: the field shows it masked, as every page does; the
        # full number only comes with the audited reveal (``reveal_url``, the same one as the
        # contact page's "show full number"). Sent back masked, the number stays as it is.
        self.phone_on_file = contact.phone if contact is not None else ""
        if self.phone_on_file:
            self.initial["phone"] = contact.masked_phone
            phone = self.fields["phone"]
            phone.reveal_url = reverse("contacts:phone", args=[contact.pk])
            phone.help_text = _("Shown masked. Type over it to change the number.")

    def clean_phone(self) -> str:
        """The number typed; the one on file if the mask it was shown as came back unchanged."""
        phone = self.cleaned_data["phone"]
        if self.phone_on_file and phone.strip() == self.initial.get("phone"):
            return self.phone_on_file
        return phone


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    next_follow_up = forms.DateField(
        label=_("Next follow-up"), required=False, widget=IsoDateInput()
    )


class PersonaForm(forms.Form):
    nickname = forms.CharField(label=_("Nickname"), max_length=32)
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, up to 10 MB. It is cropped to a square."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    signature = forms.CharField(label=_("Signature"), max_length=60, required=False)
    licence_number = forms.CharField(
        label=_("Licence number (执业证编号)"), max_length=40, required=False
    )
    account_started = forms.DateField(
        label=_("Account opened on"), required=False, widget=IsoDateInput()
    )


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel (.xlsx) file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    on_duplicate = forms.ChoiceField(
        label=_("When a contact with the same mobile or WeChat ID exists"),
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.SKIP,
        widget=forms.RadioSelect,
    )
    persona = forms.ModelChoiceField(
        label=_("Friends of persona"), queryset=Persona.objects.none(), required=False
    )

    def __init__(self, *args, owner: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persona"].queryset = Persona.objects.owned_by(owner)


class BulkAction:
    TAG = "tag"
    UNTAG = "untag"
    MOVE = "move"
    STAGE = "stage"
    CHOICES = [
        (TAG, _("Add tag")),
        (UNTAG, _("Remove tag")),
        (MOVE, _("Move to group")),
        (STAGE, _("Set stage")),
    ]


class BulkForm(forms.Form):
    """A bulk action on the ticked contacts of the list page."""

    action = forms.ChoiceField(label=_("Action"), choices=BulkAction.CHOICES)
    ids = forms.TypedMultipleChoiceField(label=_("Contacts"), coerce=int, choices=())
    tag_name = forms.CharField(label=_("Tag"), max_length=40, required=False)
    tag = forms.ModelChoiceField(
        label=_("Tag to remove"), queryset=Tag.objects.none(), required=False
    )
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=ContactGroup.objects.none(), required=False
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", "-"), *Stage.choices], required=False)

    def __init__(self, *args, owner: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Tag.objects.owned_by(owner)
        self.fields["group"].queryset = ContactGroup.objects.owned_by(owner)
        # Any integer is a valid choice here; the service keeps only the owner's contacts.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        needs = {
            BulkAction.TAG: "tag_name",
            BulkAction.UNTAG: "tag",
            BulkAction.MOVE: "group",
            BulkAction.STAGE: "stage",
        }
        field = needs.get(data.get("action"))
        if field and not data.get(field):
            self.add_error(field, _("This action needs a value."))
        return data
