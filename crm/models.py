"""Users, teams and the audit log: the core every other app builds on."""

from __future__ import annotations

import zoneinfo
from typing import Any, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.roles import Role
from crm.scoping import sees_everything


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self.all()
        if user.role == Role.LEAD:
            return self.filter(Q(lead=user) | Q(pk=user.team_id))
        if user.role == Role.AGENT and user.team_id:
            return self.filter(pk=user.team_id)
        return self.none()


class Team(models.Model):
    """A team lead and the agents they coach. Team-wide settings live here."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_team",
    )
    posts_need_approval = models.BooleanField(_("posts need the lead's approval"), default=True)
    warmth_half_life_days = models.PositiveSmallIntegerField(
        _("warmth half-life (days)"), default=14
    )
    # The seed's content mix: story / value / ad, in percent.
    mix_story = models.PositiveSmallIntegerField(_("story share (%)"), default=40)
    mix_value = models.PositiveSmallIntegerField(_("value share (%)"), default=40)
    mix_ad = models.PositiveSmallIntegerField(_("ad share (%)"), default=20)
    # The robot's key is in the URL, so it is a secret: the admin shows it, pages do not.
    wecom_webhook_url = models.URLField(
        _("WeCom group robot URL"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where the wecom_webhook publisher posts this team's posts; empty uses the "
            "site-wide SCHEDULER_WECOM_WEBHOOK_URL."
        ),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mix_story__lte=100) & Q(mix_value__lte=100) & Q(mix_ad__lte=100),
                name="team_mix_percentages",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.mix_story + self.mix_value + self.mix_ad != 100:
            raise ValidationError(_("The story, value and ad shares must add up to 100%."))


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        """Users a user may look at: themselves, their team's lead, and (for a lead) the team."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self.all()
        visible = Q(pk=user.pk)
        if user.team_id:
            visible |= Q(led_team__pk=user.team_id)
        if user.role == Role.LEAD:
            visible |= Q(team__lead=user)
        return self.filter(visible)

    def agents(self) -> Self:
        return self.filter(role__in=[Role.AGENT, Role.LEAD], is_active=True)


class SiyuUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in: agent, team lead, content curator or administrator."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )

    objects = SiyuUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self) -> Any:
        return timezone.localtime(timezone.now(), self.tzinfo)

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def is_curator(self) -> bool:
        return self.role == Role.CURATOR

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        if getattr(user, "is_authenticated", False) and sees_everything(user):
            return self.all()
        return self.none()


class AuditEvent(models.Model):
    """Who did what to which record, and when: reveals, exports, erasures, role changes."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task: proof the queue is moving."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.seen:%Y-%m-%d %H:%M:%S}"
