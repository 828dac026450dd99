from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from content.models import Category, ProductLine


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    product_line = forms.ChoiceField(
        label=_("Product line"), required=False, choices=[("", _("All")), *ProductLine.choices]
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False, choices=[("", _("All"))])

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("All")), *((t.name, t.name) for t in tags)]


class DraftCheckForm(forms.Form):
    text = forms.CharField(
        label=_("Your draft"),
        max_length=5000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Not sure")), *Category.choices]
    )
    product_line = forms.ChoiceField(
        label=_("Product line"), required=False, choices=[("", _("None")), *ProductLine.choices]
    )
