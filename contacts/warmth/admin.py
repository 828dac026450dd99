"""Admin for interaction kinds (weights as data), interactions and alerts.

Imported by ``contacts.admin`` so the admin's autodiscovery registers it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import Alert, Interaction, InteractionKind


@admin.register(InteractionKind)
class InteractionKindAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "weight", "suggests_stage", "sets_stage", "quick", "position"]
    list_editable = ["weight", "quick", "position"]
    readonly_fields = ["code"]

    def has_add_permission(self, request) -> bool:
        return False  # the kinds are the product's; only their weights and flags are data

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: InteractionKind, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "weight" in form.changed_data:
            from contacts.tasks import interactions_reweigh_task

            transaction.on_commit(lambda: interactions_reweigh_task.delay([obj.pk]))
            messages.info(
                request,
                _("Past %(kind)s interactions are being re-weighed; warmth follows shortly.")
                % {"kind": obj.label},
            )


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "contact", "weight", "logged_by"]
    list_filter = ["kind"]
    list_select_related = ["kind", "contact", "logged_by"]
    raw_id_fields = ["contact", "post", "logged_by"]
    date_hierarchy = "at"
    # Warmth moves only through interaction_log; admins read the history, they do not edit it.
    readonly_fields = ["contact", "kind", "at", "post", "weight", "logged_by", "created"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["for_date", "kind", "contact", "owner", "warmth", "dismissed_at"]
    list_filter = ["kind", "for_date"]
    list_select_related = ["contact", "owner"]
    raw_id_fields = ["contact", "owner"]
