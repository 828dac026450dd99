"""An agent's private pool: personas (WeChat accounts), contacts, groups, tags and imports."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.phones import mask_phone, national_digits
from contacts.warmth_queries import WarmthQuerySetMixin
from crm.scoping import OwnedQuerySet

# Words that say "insurance" in a nickname or signature (the seed: 昵称+行业, 小李-保险规划师).
TRADE_WORDS = ("保险", "保障", "规划", "理财", "顾问", "经纪", "寿险", "健康险", "家庭保障", "风险")
# Words that say what the agent does for people (the seed: 突出身份价值和能力).
VALUE_WORDS = ("帮", "为您", "为你", "守护", "保障", "规划", "服务", "专注", "专业", "陪伴", "解答")
NICKNAME_MAX_CHARS = 12  # short enough to read at a glance in a chat list
SIGNATURE_MIN_CHARS = 8
SIGNATURE_MAX_CHARS = 30  # WeChat cuts signatures at 30 characters
AVATAR_MIN_SIDE = 400  # a clear face at the size WeChat shows on a profile card

# Chinese insurance practice certificates (保险执业证/执业登记编号) are issued by the regulator's
# intermediary system as 26 characters of digits and capital letters; older and company-issued
# numbers differ in length, so 20-30 letters and digits are accepted.
LICENCE_RE = re.compile(r"^[0-9A-Z]{20,30}$")


def validate_licence_number(value: str) -> None:
    if value and not LICENCE_RE.fullmatch(value.strip().upper()):
        raise ValidationError(
            _(
                "A practice certificate number has 20 to 30 letters and digits (usually 26), "
                "with no spaces or dashes."
            ),
            code="invalid_licence",
        )


def nurturing_days() -> int:
    return int(getattr(settings, "PERSONA_NURTURING_DAYS", 30))


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


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    ok: bool
    label: str
    suggestion: str


class Persona(models.Model):
    """One WeChat account an agent runs (人设)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="personas",
    )
    nickname = models.CharField(_("nickname"), max_length=32)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    avatar_thumb = models.ImageField(_("avatar thumbnail"), upload_to="avatars/%Y/%m/", blank=True)
    avatar_side = models.PositiveSmallIntegerField(_("avatar size (px)"), null=True, blank=True)
    signature = models.CharField(_("signature"), max_length=60, blank=True)
    licence_number = models.CharField(
        _("licence number"),
        max_length=30,
        blank=True,
        validators=[validate_licence_number],
        help_text=_("执业证编号: 20 to 30 letters and digits, usually 26."),
    )
    account_started = models.DateField(_("account started"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["owner_id", "nickname", "id"]

    def __str__(self) -> str:
        return self.nickname

    def clean(self) -> None:
        self.licence_number = (self.licence_number or "").strip().upper()

    def account_age_days(self, today: dt.date) -> int | None:
        if self.account_started is None:
            return None
        return (today - self.account_started).days

    def is_nurturing(self, today: dt.date) -> bool:
        """True while the account is young (养号): the scheduler posts less and never ads.

        An account whose start date is unknown counts as young: the safe side against bans.
        """
        age = self.account_age_days(today)
        return age is None or age < nurturing_days()

    def checklist(self, today: dt.date | None = None) -> list[ChecklistItem]:
        """The persona scored against the seed's advice, one item per piece of advice."""
        today = today or timezone.localdate()
        nickname = self.nickname.strip()
        signature = self.signature.strip()
        age = self.account_age_days(today)
        days = nurturing_days()
        items = [
            ChecklistItem(
                "nickname_short",
                bool(nickname) and len(nickname) <= NICKNAME_MAX_CHARS,
                str(_("Nickname is short and easy to remember")),
                str(
                    _("Keep the nickname to %(n)s characters or fewer, e.g. 小李-保险规划师.")
                    % {"n": NICKNAME_MAX_CHARS}
                ),
            ),
            ChecklistItem(
                "nickname_trade",
                any(word in nickname for word in TRADE_WORDS),
                str(_("Nickname says your trade")),
                str(_("Add your trade to the name, as in 名字+行业: 小李-保险规划师.")),
            ),
            ChecklistItem(
                "avatar",
                bool(self.avatar) and (self.avatar_side or 0) >= AVATAR_MIN_SIDE,
                str(_("A clear, real avatar")),
                str(
                    _(
                        "Upload a bright, friendly professional photo of yourself, at least "
                        "%(px)s x %(px)s pixels."
                    )
                    % {"px": AVATAR_MIN_SIDE}
                ),
            ),
            ChecklistItem(
                "signature",
                SIGNATURE_MIN_CHARS <= len(signature) <= SIGNATURE_MAX_CHARS
                and any(word in signature for word in VALUE_WORDS + TRADE_WORDS),
                str(_("Signature says who you are and what you bring")),
                str(
                    _(
                        "Write %(min)s-%(max)s characters on who you are and the value you "
                        "bring, e.g. 十年保险规划师, 帮你把家庭保障配明白."
                    )
                    % {"min": SIGNATURE_MIN_CHARS, "max": SIGNATURE_MAX_CHARS}
                ),
            ),
            ChecklistItem(
                "licence",
                bool(self.licence_number) and bool(LICENCE_RE.fullmatch(self.licence_number)),
                str(_("Licence number present and well-formed")),
                str(
                    _(
                        "Enter your practice certificate number (执业证编号, usually 26 letters "
                        "and digits); every ad must carry it."
                    )
                ),
            ),
            ChecklistItem(
                "account_age",
                age is not None and age >= days,
                str(_("Account past its nurturing period")),
                str(
                    _(
                        "Set the date the account was opened. Under %(days)s days the account "
                        "is nurtured (养号): complete the profile, post less and sell nothing."
                    )
                    % {"days": days}
                    if age is None
                    else _(
                        "The account is %(age)s days old: keep nurturing it (养号) until day "
                        "%(days)s — complete the profile, post less and sell nothing."
                    )
                    % {"age": age, "days": days}
                ),
            ),
        ]
        return items

    def checklist_score(self, today: dt.date | None = None) -> int:
        """Percent of checklist items met (0-100)."""
        items = self.checklist(today)
        return round(100 * sum(item.ok for item in items) / len(items))


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

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="contacts",
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
    source = models.CharField(_("source"), max_length=40, blank=True, db_index=True)
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
            models.Index(fields=["owner", "-last_interaction_at"], name="contact_owner_last_touch"),
            models.Index(fields=["owner", "stage"], name="contact_owner_stage"),
            models.Index(fields=["owner", "name"], name="contact_owner_name"),
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
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return round(100 * self.processed / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}


# --- Interactions, warmth alerts (the warmth issue) -------------------------------------------


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
        return (
            InteractionCode(self.code).label if self.code in InteractionCode.values else self.code
        )


class InteractionQuerySet(OwnedQuerySet):
    owner_path = "contact__owner"


class Interaction(models.Model):
    """Something a lead did, or that happened with them, at a time."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="interactions"
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
        indexes = [models.Index(fields=["contact", "-at"], name="interaction_contact_at")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"


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
