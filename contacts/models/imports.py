"""Contact imports: one uploaded file each, with its progress and row-by-row report."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models.personas import Persona
from crm.scoping import OwnedQuerySet


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
    # [{"row": 7, "column": "phone", "reason": "..."}]; row numbers as the spreadsheet shows them.
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
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
        """The row errors with each column named as the contact form names it, in the active
        language (the stored key, ``phone``, is for machines: the API returns it as is)."""
        from contacts.models.pool import Contact

        def label(column: str) -> str:
            field = "groups" if column == "group" else column
            try:
                return str(Contact._meta.get_field(field).verbose_name)
            except FieldDoesNotExist:  # a column the form does not have: show the key itself
                return column

        return [{**error, "column_label": label(error.get("column", ""))} for error in self.errors]

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return round(100 * self.processed / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}
