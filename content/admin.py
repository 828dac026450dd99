"""The curators' workplace: the content library, its images and the compliance rules.

Writes go through content.services: saving re-runs the compliance check, status changes go
through ``content_transition`` (bulk actions and the buttons on the change page alike), and
images go through the shared pipeline in crm.images.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from content.compliance import Checker
from content.compliance.engine import KINDS
from content.highlight import highlight
from content.importing import SpreadsheetRefused, content_import
from content.models import (
    MAX_IMAGES,
    Category,
    ComplianceRule,
    ContentImage,
    ContentItem,
    ProductLine,
    Status,
    Tag,
)
from content.services import (
    TRANSITIONS,
    TransitionRefused,
    content_check,
    content_edited,
    content_image_store,
    content_transition,
    content_transition_many,
)
from crm.images import MOMENT, ImageRejected, process_image

CSS = {"all": ["css/content.css", "css/moment.css"]}
# The change page's status buttons, named for what they do.
TRANSITION_BUTTONS = {
    Status.IN_REVIEW: _("Submit for review"),
    Status.APPROVED: _("Approve"),
    Status.RETIRED: _("Retire"),
    Status.DRAFT: _("Back to draft"),
}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


class ContentImageForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("picture"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF; resized for Moments."),
    )

    class Meta:
        model = ContentImage
        fields = ["position"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        self.processed = None
        if upload:
            try:
                self.processed = process_image(upload, MOMENT)
            except ImageRejected as exc:
                self.add_error("upload", exc.messages[0])
        elif not self.instance.pk and self.has_changed():
            self.add_error("upload", _("Choose a picture for the new image."))
        return cleaned

    def has_changed(self) -> bool:
        # A new row counts as filled only when a file was chosen: its default position alone
        # must not make Django validate an empty extra form.
        if not self.instance.pk:
            return bool(self.files.get(self.add_prefix("upload")))
        return super().has_changed()

    def save(self, commit: bool = True):
        image = super().save(commit=False)
        if self.processed is not None:
            content_image_store(image=image, processed=self.processed)
        if commit:
            image.save()
        return image


class ContentImageFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.cleaned_data.get("upload"))
        ]
        if len(kept) > MAX_IMAGES:
            raise ValidationError(
                _("An item holds at most %(max)s images.") % {"max": MAX_IMAGES}, code="too_many"
            )
        positions = [form.cleaned_data.get("position") for form in kept]
        if len(set(positions)) != len(positions):
            raise ValidationError(_("Two images have the same position."), code="position")


class ContentImageInline(admin.TabularInline):
    model = ContentImage
    form = ContentImageForm
    formset = ContentImageFormSet
    fields = ["thumb", "position", "upload"]
    readonly_fields = ["thumb"]
    ordering = ["position", "pk"]
    extra = 1
    max_num = MAX_IMAGES
    validate_max = True

    @admin.display(description=_("thumbnail"))
    def thumb(self, obj: ContentImage) -> str:
        if not obj.pk or not obj.thumbnail:
            return "—"
        return format_html(
            '<a href="{}"><img class="content-thumb" src="{}" alt="{}" loading="lazy"></a>',
            obj.image.url,
            obj.thumbnail.url,
            _("image %(n)s") % {"n": obj.position + 1},
        )


class TagFilter(admin.SimpleListFilter):
    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(tag.name, f"{tag.name} ({tag.get_kind_display()})") for tag in Tag.objects.all()]

    def queryset(self, request, queryset):
        return queryset.tagged(self.value()) if self.value() else queryset


def moment_preview(item: ContentItem) -> str:
    """The item as a Moment: the agents' page preview (text over a nine-grid of thumbnails)."""
    return render_to_string("content/_moment.html", {"item": item})


def findings_report(item: ContentItem) -> str:
    """Title and body with the offending text marked, then one line per finding."""
    if not item.checked_at:
        return _("Not checked yet.")
    return render_to_string(
        "admin/content/contentitem/_report.html",
        {
            "item": item,
            "title": highlight(item.title, item.findings_for("title")),
            "body": highlight(item.body, item.findings_for("body")),
        },
    )


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "title",
        "category",
        "product_line",
        "status",
        "compliance",
        "valid_until",
        "times_posted",
        "updated",
    ]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["category", "status", "product_line", TagFilter, "has_block"]
    search_fields = ["title", "body"]
    list_per_page = 50
    date_hierarchy = "updated"
    filter_horizontal = ["topic_tags", "audience_tags"]
    inlines = [ContentImageInline]
    actions = ["submit_for_review", "approve", "retire", "back_to_draft"]
    change_form_template = "admin/content/contentitem/change_form.html"
    change_list_template = "admin/content/contentitem/change_list.html"
    readonly_fields = [
        "status",
        "status_changed_at",
        "status_changed_by",
        "approved_at",
        "approved_by",
        "preview",
        "report",
        "times_scheduled",
        "times_posted",
        "interactions_earned",
        "created_by",
        "created",
        "updated",
    ]
    fieldsets = [
        (None, {"fields": ["title", "body", "category", "product_line"]}),
        (
            _("Tags and validity"),
            {"fields": ["topic_tags", "audience_tags", "valid_from", "valid_until"]},
        ),
        (_("Compliance"), {"fields": ["report"]}),
        (_("Moment preview"), {"fields": ["preview"]}),
        (
            _("Review"),
            {
                "fields": [
                    "status",
                    "status_changed_at",
                    "status_changed_by",
                    "approved_at",
                    "approved_by",
                ]
            },
        ),
        (
            _("Usage"),
            {
                "fields": [
                    "times_scheduled",
                    "times_posted",
                    "interactions_earned",
                    "created_by",
                    "created",
                    "updated",
                ]
            },
        ),
    ]

    class Media:
        css = CSS

    def get_queryset(self, request):
        return (
            ContentItem.objects.visible_to(request.user)
            .select_related("status_changed_by", "approved_by", "created_by")
            .prefetch_related(
                Prefetch("images", queryset=ContentImage.objects.order_by("position", "pk"))
            )
        )

    @admin.display(description=_("image"))
    def thumbnail(self, obj: ContentItem) -> str:
        images = list(obj.images.all())
        if not images:
            return format_html('<span class="no-thumb">{}</span>', _("no image"))
        return format_html(
            '<img class="content-thumb" src="{}" alt="" loading="lazy"> <small>{}</small>',
            images[0].thumbnail.url,
            len(images),
        )

    @admin.display(description=_("compliance"), ordering="has_block")
    def compliance(self, obj: ContentItem) -> str:
        if obj.has_block:
            codes = sorted({f["code"] for f in obj.findings if f["severity"] == "block"})
            return format_html(
                '<span class="badge badge-block">{} {}</span>', _("blocked"), " ".join(codes)
            )
        if obj.warning_count:
            return format_html(
                '<span class="badge badge-warn">{}</span>',
                ngettext("%(n)s warning", "%(n)s warnings", obj.warning_count)
                % {"n": obj.warning_count},
            )
        return format_html('<span class="badge badge-ok">{}</span>', _("clean"))

    @admin.display(description=_("preview"))
    def preview(self, obj: ContentItem) -> str:
        return moment_preview(obj) if obj.pk else "—"

    @admin.display(description=_("compliance report"))
    def report(self, obj: ContentItem) -> str:
        return findings_report(obj) if obj.pk else _("Checked when you save.")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        item = form.instance
        if change:
            before = item.status
            content_edited(item=item, actor=request.user, changed_fields=form.changed_data)
            if before == Status.APPROVED and item.status != before:
                messages.warning(
                    request, _("The approved text changed, so the item went back to review.")
                )
        else:
            content_check(item=item)
        if item.has_block:
            messages.warning(
                request,
                _("“%(title)s” has block findings; fix them before it can be approved.")
                % {"title": item.title},
            )

    # --- status changes -------------------------------------------------------------------

    def _bulk(self, request: HttpRequest, queryset, to: str, done: str) -> None:
        moved, refused = content_transition_many(items=queryset, to=to, actor=request.user)
        if moved:
            self.message_user(
                request,
                ngettext("%(n)d item %(done)s.", "%(n)d items %(done)s.", len(moved))
                % {"n": len(moved), "done": done},
                messages.SUCCESS,
            )
        for refusal in refused:
            self.message_user(request, refusal.messages[0], messages.ERROR)

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._bulk(request, queryset, Status.IN_REVIEW, _("submitted for review"))

    @admin.action(description=_("Approve"), permissions=["change"])
    def approve(self, request, queryset):
        self._bulk(request, queryset, Status.APPROVED, _("approved"))

    @admin.action(description=_("Retire"), permissions=["change"])
    def retire(self, request, queryset):
        self._bulk(request, queryset, Status.RETIRED, _("retired"))

    @admin.action(description=_("Back to draft"), permissions=["change"])
    def back_to_draft(self, request, queryset):
        self._bulk(request, queryset, Status.DRAFT, _("back to draft"))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/status/<str:to>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str, to: str) -> HttpResponse:
        """The change page's status buttons post here; one item through the state machine."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        item = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        if to not in Status.values:
            messages.error(request, _("Unknown status."))
        else:
            try:
                content_transition(item=item, to=to, actor=request.user)
                messages.success(
                    request,
                    _("“%(title)s” is now %(status)s.")
                    % {"title": item.title, "status": Status(to).label},
                )
            except TransitionRefused as refusal:
                messages.error(request, refusal.messages[0])
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[item.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        item = self.get_object(request, object_id)
        if item is not None and self.has_change_permission(request, item):
            extra_context["transitions"] = [
                (status, label)
                for status, label in TRANSITION_BUTTONS.items()
                if status in TRANSITIONS[item.status]
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    # --- spreadsheet import ---------------------------------------------------------------

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = content_import(file=upload, filename=upload.name, actor=request.user)
            except SpreadsheetRefused as exc:
                form.add_error("file", exc.messages[0])
            else:
                ok, bad = len(report.created), len(report.errors)
                messages.info(
                    request,
                    _("%(imported)s, %(refused)s.")
                    % {
                        "imported": ngettext(
                            "%(n)s item imported as a draft", "%(n)s items imported as drafts", ok
                        )
                        % {"n": ok},
                        "refused": ngettext("%(n)s row refused", "%(n)s rows refused", bad)
                        % {"n": bad},
                    },
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import content from a spreadsheet"),
            "form": form,
            "report": report,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/content/contentitem/import.html", context)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "CSV (UTF-8) or .xlsx with the columns title, body, category, product_line, "
            "topic_tags, audience_tags, valid_from, valid_until."
        ),
    )


class ComplianceRuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[(kind, kind) for kind in KINDS])
    categories = forms.MultipleChoiceField(
        label=_("categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the rule applies to every category."),
    )
    product_lines = forms.MultipleChoiceField(
        label=_("product lines"),
        choices=ProductLine.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the rule applies to every product line."),
    )

    class Meta:
        model = ComplianceRule
        fields = [
            "code",
            "kind",
            "active",
            "severity",
            "severity_in_ads",
            "phrases",
            "pattern",
            "exceptions",
            "categories",
            "product_lines",
            "message",
            "suggestion",
            "source",
        ]

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data.get("pattern", "")
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValidationError(
                    _("This is not a valid regular expression: %(err)s") % {"err": exc}
                ) from exc
        return pattern

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            names = {f.name for f in ComplianceRule._meta.fields}
            candidate = ComplianceRule(**{k: v for k, v in cleaned.items() if k in names})
            try:
                # The engine is the judge of a well-formed rule: build a checker with it alone.
                Checker([candidate.to_rule()])
            except (ValueError, TypeError, re.error) as exc:
                raise ValidationError(
                    _("The engine refuses this rule: %(err)s") % {"err": exc}
                ) from exc
        return cleaned


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(admin.ModelAdmin):
    form = ComplianceRuleForm
    list_display = ["code", "kind", "severity", "severity_in_ads", "message", "active", "updated"]
    list_filter = ["kind", "severity", "active"]
    list_editable = ["severity", "active"]
    search_fields = ["code", "message", "phrases", "source"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "active", "severity", "severity_in_ads"]}),
        (_("What it finds"), {"fields": ["phrases", "pattern", "exceptions"]}),
        (_("Where it applies"), {"fields": ["categories", "product_lines"]}),
        (_("What it says"), {"fields": ["message", "suggestion", "source"]}),
    ]
