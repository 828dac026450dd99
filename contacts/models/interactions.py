"""Interactions (the touches that move warmth), their weighted kinds, and warmth alerts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models.pool import Contact, Stage
from contacts.warmth.expressions import ContributionQuerySetMixin
from crm.scoping import OwnedQuerySet


class InteractionCode(models.TextChoices):
    """The kinds of touch the product knows; their weights are data (``InteractionKind``)."""

    ADDED = "added", _("Added as friend")
    MESSAGE_IN = "message_in", _("Message from lead")
    MESSAGE_OUT = "message_out", _("Message to lead")
    LIKED = "liked", _("Liked a Moment")
    COMMENTED = "commented", _("Commented on a Moment")
    SHARED = "shared", _("Shared")
    CLICKED = "clicked", _("Clicked a link")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    QUOTE = "quote", _("Asked for a quote")
    PURCHASE = "purchase", _("Bought a policy")
    REFERRAL = "referral", _("Referred someone")
    UNFRIENDED = "unfriended", _("Unfriended")


# Built once: ``InteractionCode.values`` and ``InteractionCode(code)`` rebuild the choices on
# every call, and list pages ask for a label per button per row. Lazy strings, so each renders
# in the language active at the time.
INTERACTION_LABELS = dict(InteractionCode.choices)


class InteractionKind(models.Model):
    """A kind of interaction and its weight, editable by an administrator.

    Changing a weight changes only future interactions until the recompute runs (the admin
    starts it): each interaction keeps the weight it was logged with.
    """

    code = models.CharField(_("code"), max_length=16, choices=InteractionCode.choices, unique=True)
    weight = models.FloatField(
        _("weight"),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text=_("Warmth this interaction adds on the day it happens."),
    )
    suggests_stage = models.CharField(
        _("suggests stage"),
        max_length=16,
        choices=Stage.choices,
        blank=True,
        help_text=_("A stage to suggest to the agent when a lead before it does this."),
    )
    sets_stage = models.CharField(
        _("sets stage"),
        max_length=16,
        choices=Stage.choices,
        blank=True,
        help_text=_("A stage the lead is moved to at once (unfriended: lost)."),
    )
    quick = models.BooleanField(_("one-click button"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("interaction kind")
        verbose_name_plural = _("interaction kinds")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The code's label in the active language (the code itself for an unknown one)."""
        return INTERACTION_LABELS.get(self.code, self.code)


class InteractionQuerySet(ContributionQuerySetMixin, OwnedQuerySet):
    # The row's own copy of its contact's owner (``Interaction.owner``), so an agent's
    # interactions are read from the (owner, at) index without joining the contacts.
    owner_path = "owner"


class Interaction(models.Model):
    """Something a lead did, or that happened with them, at a time."""

    # No index of its own: interaction_contact_at leads with the contact.
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    # The contact's owner, copied when the row is added (``save``), and moved with the
    # contact if it is given to another agent (a trigger, migration 0012). Scoping and the
    # newest-first lists read it: through the contact, an agent's latest 50 were every
    # interaction of the agent's, joined and sorted.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # interaction_owner_at leads with it
        editable=False,
    )
    kind = models.ForeignKey(
        InteractionKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # The Moment post a reaction answered (a string reference: contacts never imports scheduler).
    post = models.ForeignKey(
        "scheduler.MomentPost",
        verbose_name=_("post"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The weight added to the lead's warmth when this was logged (kinds can be re-weighted).
    weight = models.FloatField(_("weight"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-at", "-id"]
        indexes = [
            # A contact's interactions newest first, in the default order; the columns the home
            # page's "why" compares ride along, so that read never visits the table.
            models.Index(
                fields=["contact", "-at", "-id"],
                name="interaction_contact_at",
                include=["weight", "kind"],
            ),
            # The caller's interactions newest first (the API list, by cursor): n entries per
            # page for an agent.
            models.Index(fields=["owner", "-at", "-id"], name="interaction_owner_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            # Whatever the caller set: the row belongs to whoever owns its contact.
            self.owner_id = self.contact.owner_id
        super().save(*args, **kwargs)


class AlertKind(models.TextChoices):
    HOT = "hot", _("Turned hot")
    COOLING = "cooling", _("Going cold")
    FOLLOW_UP = "follow_up", _("Follow-up due")


class Alert(models.Model):
    """A lead the agent should look at today. One per contact, kind and local day."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="warmth_alerts",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    for_date = models.DateField(_("for date"))
    warmth = models.FloatField(_("warmth when raised"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-for_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind", "for_date"], name="alert_once_per_day"
            )
        ]
        indexes = [models.Index(fields=["owner", "-for_date"], name="alert_owner_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.contact} ({self.for_date})"


class AlertRun(models.Model):
    """The daily alert job ran for this agent on this local date (claimed once, never twice)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="alert_runs",
    )
    local_date = models.DateField(_("local date"))
    ran_at = models.DateTimeField(_("ran at"))
    raised = models.PositiveIntegerField(_("alerts raised"), default=0)

    class Meta:
        verbose_name = _("alert run")
        verbose_name_plural = _("alert runs")
        ordering = ["-ran_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "local_date"], name="alert_run_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.local_date}"
