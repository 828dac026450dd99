"""The private pool: contacts, the agent's tags and groups, and the lifecycle stages."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models.personas import Persona
from contacts.phones import mask_phone, national_digits
from contacts.warmth.expressions import WarmthQuerySetMixin
from crm.database import NullsLastIndex
from crm.scoping import OwnedQuerySet


class Stage(models.TextChoices):
    NEW_FRIEND = "new_friend", _("New friend")
    ENGAGED = "engaged", _("Engaged")
    INTERESTED = "interested", _("Interested")
    PROPOSAL = "proposal", _("Proposal")
    CUSTOMER = "customer", _("Customer")
    ADVOCATE = "advocate", _("Advocate")
    LOST = "lost", _("Lost")


class GroupKind(models.TextChoices):
    TAG_GROUP = "tag_group", _("Tag group")
    WECHAT_GROUP = "wechat_group", _("WeChat group")


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="contact_tags",
    )
    name = models.CharField(_("name"), max_length=40)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="contacts_tag_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ContactGroup(models.Model):
    """An agent's own grouping of contacts: a tag group or a WeChat group."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="contact_groups",
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=16, choices=GroupKind.choices, default=GroupKind.TAG_GROUP
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="contacts_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ContactQuerySet(WarmthQuerySetMixin, OwnedQuerySet):
    def active(self) -> Self:
        """Contacts that have not been erased."""
        return self.filter(erased_at__isnull=True)


class Contact(models.Model):
    """A lead in an agent's private pool."""

    # No index of its own: every index in Meta leads with the owner and serves its lookups,
    # and a warmth recompute or an import rewrites every index of each row it changes.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="contacts",
        db_index=False,
    )
    persona = models.ForeignKey(
        Persona,
        verbose_name=_("persona"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=60)
    remark = models.CharField(_("remark name"), max_length=60, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=40, blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    # Read only per agent, through contact_owner_source_active (the source menu's counts).
    source = models.CharField(_("source"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="contacts")
    groups = models.ManyToManyField(
        ContactGroup, verbose_name=_("groups"), blank=True, related_name="contacts"
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.NEW_FRIEND
    )
    notes = models.TextField(_("notes"), blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    # Filled by the warmth issue (interactions); lists already order and filter by them.
    last_interaction_at = models.DateTimeField(_("last interaction"), null=True, blank=True)
    warmth_ref = models.FloatField(_("warmth"), default=0)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "phone"],
                condition=~Q(phone=""),
                name="contacts_contact_unique_phone",
            ),
            models.UniqueConstraint(
                fields=["owner", "wechat_id"],
                condition=~Q(wechat_id=""),
                name="contacts_contact_unique_wechat",
            ),
        ]
        indexes = [
            # Ends in -id like every warmth ordering, so "hottest n" is an index scan of n rows.
            models.Index(fields=["owner", "-warmth_ref", "-id"], name="contact_owner_warmth"),
            # Latest interaction first, never-touched contacts last, per agent. The list now
            # orders by ``last_touch`` (a Coalesce of the column, so its keyset has no NULL),
            # which this index does not hold: that order sorts the visible rows.
            NullsLastIndex(
                F("owner"),
                F("last_interaction_at").desc(nulls_last=True),
                F("id").desc(),
                name="contact_owner_last_touch",
            ),
            # The list's default order (newest first): an agent's page, deep or not, is n
            # index entries from its cursor on.
            models.Index(fields=["owner", "-created", "-id"], name="contact_owner_created"),
            # The home's follow-ups due (``crm.dashboard``): the agent's dated contacts in date
            # order, n index entries, where the heap scan read every one of the agent's
            # contacts. Few contacts carry a date, so the index stays small and a warmth
            # recompute rarely writes to it.
            models.Index(
                fields=["owner", "next_follow_up", "id"],
                name="contact_owner_follow_up",
                condition=Q(erased_at__isnull=True, next_follow_up__isnull=False),
            ),
            models.Index(fields=["owner", "stage"], name="contact_owner_stage"),
            models.Index(fields=["owner", "name"], name="contact_owner_name"),
            # A list filtered by source, and the source menu with its counts
            # (``selectors_list.source_summary``), per agent from the index alone once the
            # table is vacuumed.
            models.Index(
                fields=["owner", "source"],
                name="contact_owner_source_active",
                condition=Q(erased_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.erased_at:
            return str(_("Erased contact #%(id)s") % {"id": self.pk})
        return self.remark or self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def phone_national(self) -> str:
        return national_digits(self.phone)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
