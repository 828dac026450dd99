"""Personas: the WeChat accounts an agent runs, and how well each follows the seed's advice."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
                    else ngettext(
                        "The account is %(age)s day old: keep nurturing it (养号) until day "
                        "%(days)s — complete the profile, post less and sell nothing.",
                        "The account is %(age)s days old: keep nurturing it (养号) until day "
                        "%(days)s — complete the profile, post less and sell nothing.",
                        age,
                    )
                    % {"age": age, "days": days}
                ),
            ),
        ]
        return items

    def checklist_score(self, today: dt.date | None = None) -> int:
        """Percent of checklist items met (0-100)."""
        return checklist_percent(self.checklist(today))


def checklist_percent(items: list[ChecklistItem]) -> int:
    """Percent of ``items`` met (0-100): ``Persona.checklist_score`` of a checklist already
    drawn up (a page that shows both the items and the score draws them up once)."""
    return round(100 * sum(item.ok for item in items) / len(items))
