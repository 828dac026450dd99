"""The content library: items curators write and approve, their images, and compliance rules.

Agents never own content: the library is shared. ``ContentItem.objects.visible_to(user)`` gives
agents and team leads the approved, in-date, unblocked items; curators and administrators
see everything.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.roles import Role
from crm.scoping import sees_everything

if TYPE_CHECKING:
    from content.compliance import Rule
    from crm.models import User

MAX_IMAGES = 9  # a Moment holds nine pictures


class Category(models.TextChoices):
    """The seed's three kinds of post."""

    STORY = "story", _("Story")
    VALUE = "value", _("Value")
    AD = "ad", _("Ad")


class ProductLine(models.TextChoices):
    CRITICAL_ILLNESS = "critical_illness", _("Critical illness")
    MEDICAL = "medical", _("Medical")
    ACCIDENT = "accident", _("Accident")
    LIFE = "life", _("Life")
    ANNUITY = "annuity", _("Annuity")
    PARTICIPATING = "participating", _("Participating")
    UNIVERSAL = "universal", _("Universal")
    UNIT_LINKED = "unit_linked", _("Unit-linked")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    RETIRED = "retired", _("Retired")


class Severity(models.TextChoices):
    BLOCK = "block", _("Block")
    WARN = "warn", _("Warn")


class Tag(models.Model):
    """A topic (重疾, 养老 …) or an audience (宝妈, 企业主 …) label on content items."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        AUDIENCE = "audience", _("Audience")

    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TOPIC)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="content_tag_unique")]

    def __str__(self) -> str:
        return self.name


class ContentItemQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        """Agents and team leads: approved, in-date items without a block finding.

        Curators and administrators: every item (they curate the drafts and the retired).
        Anyone else, inactive or anonymous: nothing.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if sees_everything(user) or user.role == Role.CURATOR:
            return self.all()
        if user.role in (Role.AGENT, Role.LEAD):
            return self.sendable()
        return self.none()

    def in_date(self, on: datetime.date | None = None) -> Self:
        day = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def sendable(self, on: datetime.date | None = None) -> Self:
        """What the planner may draw from: approved, in date and free of block findings."""
        return self.filter(status=Status.APPROVED, has_block=False).in_date(on)

    def tagged(self, name: str) -> Self:
        return self.filter(Q(topic_tags__name=name) | Q(audience_tags__name=name)).distinct()


class ContentItem(models.Model):
    """A post the library offers: text, up to nine images, tags and its compliance report."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    product_line = models.CharField(
        _("product line"), max_length=24, choices=ProductLine.choices, blank=True
    )
    topic_tags = models.ManyToManyField(
        Tag,
        verbose_name=_("topic tags"),
        blank=True,
        related_name="topic_items",
        limit_choices_to={"kind": Tag.Kind.TOPIC},
    )
    audience_tags = models.ManyToManyField(
        Tag,
        verbose_name=_("audience tags"),
        blank=True,
        related_name="audience_items",
        limit_choices_to={"kind": Tag.Kind.AUDIENCE},
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    # Status moves only through content.services.content_transition.
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The compliance report, rewritten by content.services.content_check on every save.
    findings = models.JSONField(_("compliance findings"), default=list, blank=True)
    has_block = models.BooleanField(_("has a block finding"), default=False, db_index=True)
    warning_count = models.PositiveSmallIntegerField(_("warnings"), default=0)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)

    # Usage, filled by the scheduler.
    times_scheduled = models.PositiveIntegerField(_("times scheduled"), default=0)
    times_posted = models.PositiveIntegerField(_("times posted"), default=0)
    interactions_earned = models.PositiveIntegerField(_("interactions earned"), default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        ordering = ["-updated", "-pk"]
        indexes = [
            models.Index(fields=["status", "category", "product_line"]),
            models.Index(fields=["-updated", "-id"], name="content_item_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="content_item_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_in_date(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or self.valid_until >= day
        )

    def findings_for(self, field: str) -> list[dict[str, Any]]:
        """The stored findings that point into ``field`` ("title" or "body")."""
        return [f for f in self.findings if f.get("field", "body") == field]


def _image_path(instance: ContentImage, filename: str) -> str:
    return f"content/{instance.item_id or 'new'}/{filename}"


def _thumbnail_path(instance: ContentImage, filename: str) -> str:
    return f"content/{instance.item_id or 'new'}/thumbs/{filename}"


def thumbnail_name(image_name: str) -> str:
    """The thumbnail's storage name for a library image's storage name.

    ``content.services.content_image_store`` saves an image and its thumbnail under one file
    name, the thumbnail in ``thumbs/`` beside it (``_thumbnail_path``). A post keeps only its
    images' names (``MomentPost.image_paths``, a snapshot): this finds their thumbnails
    without a query."""
    folder, _, name = image_name.rpartition("/")
    return f"{folder}/thumbs/{name}" if folder else f"thumbs/{name}"


class ContentImage(models.Model):
    """One of an item's pictures, normalised by crm.images for Moments (1440 px, EXIF gone)."""

    item = models.ForeignKey(
        ContentItem, verbose_name=_("content item"), on_delete=models.CASCADE, related_name="images"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.FileField(_("image"), upload_to=_image_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_thumbnail_path, max_length=200)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("content image")
        verbose_name_plural = _("content images")
        ordering = ["item", "position", "pk"]
        constraints = [
            # Slots 0..8. Not unique per item: reordering swaps positions row by row, and
            # SQLite has no deferrable unique constraints. The nine-image cap is enforced under
            # a row lock by content.services.content_image_add and by the admin formset.
            models.CheckConstraint(
                condition=Q(position__lt=MAX_IMAGES), name="content_image_position_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.position + 1}"


class ComplianceRule(models.Model):
    """One rule of the compliance engine, kept as data so reviewers can change it without code.

    Mirrors ``content.compliance.Rule``; ``to_rule()`` turns a row into the engine's value.
    List-valued fields are one entry per line (phrases, exceptions) or JSON lists of choice
    values (categories, product lines; empty means "any").
    """

    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=24)
    phrases = models.TextField(_("phrases"), blank=True, help_text=_("One phrase per line."))
    pattern = models.TextField(_("pattern"), blank=True, help_text=_("A regular expression."))
    exceptions = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_("One per line: text that must not be flagged (negations, exemptions)."),
    )
    categories = models.JSONField(_("categories"), default=list, blank=True)
    product_lines = models.JSONField(_("product lines"), default=list, blank=True)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.BLOCK
    )
    severity_in_ads = models.CharField(
        _("severity in ads"), max_length=8, choices=Severity.choices, blank=True
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    suggestion = models.CharField(_("suggested rewrite"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("compliance rule")
        verbose_name_plural = _("compliance rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.message}".strip()

    @staticmethod
    def lines(text: str) -> tuple[str, ...]:
        return tuple(line.strip() for line in text.splitlines() if line.strip())

    def to_rule(self) -> Rule:
        """The engine's immutable rule for this row."""
        from content.compliance import Rule

        return Rule(
            code=self.code,
            kind=self.kind,
            phrases=self.lines(self.phrases),
            pattern=self.pattern,
            exceptions=self.lines(self.exceptions),
            categories=tuple(self.categories or ()),
            product_lines=tuple(self.product_lines or ()),
            severity=self.severity,
            severity_in_ads=self.severity_in_ads or None,
            message=self.message,
            suggestion=self.suggestion,
            source=self.source,
        )
