"""Contact imports: one uploaded file each, with its progress and row-by-row report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models.personas import Persona
from crm.scoping import OwnedQuerySet
from crm.spreadsheets import message_text


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DuplicatePolicy(models.TextChoices):
    UPDATE = "update", _("Update the existing contact")
    SKIP = "skip", _("Skip the row")


class ContactImport(models.Model):
    """One uploaded CSV/xlsx file and how its import went, row by row."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="contact_imports",
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    on_duplicate = models.CharField(
        _("when a contact already exists"),
        max_length=8,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.SKIP,
    )
    persona = models.ForeignKey(
        Persona,
        verbose_name=_("persona"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    # [{"row": 7, "column": "phone", "message": "<English msgid>", "params": {...}}]; row
    # numbers as the spreadsheet shows them. Messages are translated when shown, for whoever
    # reads the report (imports from before kept a written "reason" instead).
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    # The file's columns that were not read: [{"position": "K", "header": "添加时间",
    # "column": "created", "message": ..., "params": {...}}].
    ignored_columns = models.JSONField(_("columns not imported"), default=list, blank=True)
    # Why the whole file failed: a msgid, and its params in ``failure_params``.
    failure = models.TextField(_("failure"), blank=True)
    failure_params = models.JSONField(_("failure details"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} ({self.get_status_display()})"

    @property
    def error_rows(self) -> list[dict]:
        """The row errors in the active language: ``row``, ``column`` (the key, ``phone``, for
        machines), ``column_label`` (as the contact form names it) and ``reason``."""
        from contacts.importing import column_label

        return [
            {
                "row": error.get("row"),
                "column": error.get("column", ""),
                "column_label": column_label(error.get("column", "")),
                "reason": _stored_text(error),
            }
            for error in self.errors
        ]

    @property
    def column_notes(self) -> list[dict]:
        """The columns that were not read, each with its ``position`` (the spreadsheet's
        letter), ``header`` as the file wrote it, ``column`` key and ``reason``, in the active
        language."""
        return [
            {
                "position": note.get("position", ""),
                "header": note.get("header", ""),
                "column": note.get("column", ""),
                "reason": _stored_text(note),
            }
            for note in self.ignored_columns
        ]

    @property
    def failure_text(self) -> str:
        """Why the file could not be imported, in the active language ("" if it could)."""
        return message_text(self.failure, self.failure_params)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return round(100 * self.processed / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}


def _stored_text(entry: dict) -> str:
    """A stored report entry's reason in the active language (an older entry kept its reason
    as written)."""
    if "message" in entry:
        return message_text(entry["message"], entry.get("params"))
    return str(entry.get("reason", ""))
