"""What the home pages show: reads from the apps' own querysets, each starting from
``visible_to``, a small constant number of queries whatever the size of the pool.

The top of the house (``homes`` -> ``scheduler`` -> ``contacts`` / ``content`` -> ``crm``
core), so it may import every app; nothing below imports it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from contacts import warmth
from contacts.models import Alert, Contact, Interaction, InteractionKind, Persona, Stage
from contacts.models.personas import ChecklistItem, checklist_percent
from contacts.warmth import clamp_half_life, thresholds
from contacts.warmth.alerts import alerts_open
from contacts.warmth.selectors import quick_kinds, why_of
from content.models import ContentItem
from content.models import Status as ContentStatus
from crm.models import User
from scheduler.insights import PLANNED
from scheduler.models import MomentPost, PostStatus, Reminder, window_label

HOT_LEADS_SHOWN = 8
FOLLOW_UPS_SHOWN = 20
REVIEW_QUEUE_SHOWN = 50
ALERTS_SHOWN = 30
CURATOR_FINDINGS_SHOWN = 20


def local_day_bounds(user: User, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of ``day`` and of the next day in the user's own time zone, as aware times."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=user.tzinfo)
    return start, start + dt.timedelta(days=1)


@dataclass
class HotLead:
    contact: Contact  # with ``warmth_now`` and ``tier`` set, as ``with_tier`` annotates them
    warmth: float
    why: Interaction | None  # the interaction contributing most now, its kind read


@dataclass
class WindowSlot:
    name: str
    posts: list[MomentPost]

    @property
    def label(self) -> str:
        """The window's name as the user reads it (a default window's name is a key)."""
        return window_label(self.name)


@dataclass
class PersonaCard:
    persona: Persona
    checklist: list[ChecklistItem]
    percent: int

    @property
    def unmet(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if not item.ok]


@dataclass
class AgentHome:
    today: dt.date
    windows: list[WindowSlot]
    open_reminders: int
    hot_leads: list[HotLead]
    follow_ups: list[Contact]
    personas: list[PersonaCard] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)  # as ``contacts.warmth.alerts.alerts_open``
    quick_kinds: list[InteractionKind] = field(default_factory=list)  # the badges' buttons


def _windows(user: User, posts: list[MomentPost]) -> list[WindowSlot]:
    """The day's posts grouped by window, in order (a post without one under its time)."""
    slots: dict[str, WindowSlot] = {}
    for post in posts:
        key = post.window_name or post.scheduled_at.astimezone(user.tzinfo).strftime("%H:%M")
        slots.setdefault(key, WindowSlot(key, [])).posts.append(post)
    return list(slots.values())


def _with_warmth(contact: Contact, value: float) -> Contact:
    """Give the row the ``warmth_now``/``tier`` pair ``with_tier`` would, for its badge."""
    contact.warmth_now = value
    contact.tier = warmth.tier_of(value, thresholds())
    return contact


def _alerts(user: User, now: dt.datetime, half_life: float) -> list[Alert]:
    """The user's open alerts for the panel (``contacts.warmth.alerts.alerts_open``), each with its
    contact's warmth at ``now`` (``warmth_now``, the number the contact's badge shows; the
    alert's own ``warmth`` is the one it was raised with). ``half_life``: the user's team's,
    which the page has read already (``contacts.warmth.alerts.with_warmth_now`` reads it again)."""
    alerts = list(alerts_open(user=user)[:ALERTS_SHOWN])
    for alert in alerts:
        alert.warmth_now = warmth.warmth_now(alert.contact.warmth_ref, now, half_life)
    return alerts


def _home_contacts(user: User) -> QuerySet[Contact]:
    """The user's own contacts, with what a home's contact row and its badge show."""
    return (
        Contact.objects.visible_to(user)
        .owned_by(user)
        .only(
            "id", "owner_id", "name", "remark", "stage", "next_follow_up", "warmth_ref", "erased_at"
        )
    )


def agent_home(user: User, now: dt.datetime | None = None) -> AgentHome:
    """Today's posts by window, how many reminders wait, hot leads with why, follow-ups due,
    the personas' unmet advice, the open alerts, the one-click kinds of the hot leads'
    badges. Eight queries, whatever the number of rows."""
    now = now or timezone.now()
    today = timezone.localtime(now, user.tzinfo).date()
    start, end = local_day_bounds(user, today)
    posts = list(
        MomentPost.objects.visible_to(user)
        .owned_by(user)
        .between(start, end)
        .exclude(status=PostStatus.CANCELLED)
        .select_related("persona")
        .order_by("scheduled_at", "id")
    )
    personas = Persona.objects.visible_to(user).owned_by(user).order_by("id")
    # With the team's half-life: the hot leads' and follow-ups' warmth decays with it. The
    # hot ones of the warmest are kept in Python, as ``hot()`` compares in SQL: ``hot()``
    # needs the half-life before its query.
    warmest = list(
        _home_contacts(user)
        .annotate(team_half_life=F("owner__team__warmth_half_life_days"))
        .hottest(HOT_LEADS_SHOWN)
    )
    half_life = clamp_half_life(warmest[0].team_half_life if warmest else None)
    hot_ref = warmth.ref_threshold(thresholds().hot, now, half_life)
    hot = [contact for contact in warmest if contact.warmth_ref >= hot_ref]
    why = why_of([contact.pk for contact in hot], now, half_life)
    hot_leads = []
    for contact in hot:
        value = warmth.warmth_now(contact.warmth_ref, now, half_life)
        hot_leads.append(HotLead(_with_warmth(contact, value), value, why.get(contact.pk)))
    follow_ups = [
        _with_warmth(contact, warmth.warmth_now(contact.warmth_ref, now, half_life))
        for contact in _home_contacts(user)
        .filter(erased_at__isnull=True, next_follow_up__lte=today)
        .exclude(stage=Stage.LOST)
        .order_by("next_follow_up", "id")[:FOLLOW_UPS_SHOWN]
    ]
    return AgentHome(
        today=today,
        windows=_windows(user, posts),
        # The page shows only how many (the reminders are on the "today" page).
        open_reminders=Reminder.objects.visible_to(user).owned_by(user).open().count(),
        hot_leads=hot_leads,
        follow_ups=follow_ups,
        personas=[
            PersonaCard(persona, checklist, checklist_percent(checklist))
            for persona, checklist in ((p, p.checklist(today)) for p in personas)
        ],
        alerts=_alerts(user, now, half_life),
        quick_kinds=quick_kinds() if hot_leads else [],
    )


@dataclass
class AgentWeek:
    agent: User
    planned: int = 0
    posted: int = 0
    missed: int = 0
    hot: int = 0
    warm: int = 0
    cold: int = 0


@dataclass
class LeadHome:
    week_start: dt.date
    review_queue: list[MomentPost]  # each with its persona and the persona's agent
    agents: list[AgentWeek]
    mix: dict[str, int]  # category -> posts planned this week
    target: dict[str, int]  # category -> percent
    alerts: list[Alert] = field(default_factory=list)  # the lead's own, as the agent home's


def lead_home(user: User, now: dt.datetime | None = None) -> LeadHome | None:
    """The review queue and this week's figures per agent of the team the user leads, and
    the lead's own open alerts. Six queries, whatever the team's size: the team, its members,
    the queue, the week's posts counted per agent, category and status, the pool counted per
    agent and tier (over the ``(owner, -warmth_ref, -id)`` index), the alerts."""
    team = getattr(user, "led_team", None)
    if team is None:
        return None
    now = now or timezone.now()
    today = timezone.localtime(now, user.tzinfo).date()
    week_start = today - dt.timedelta(days=today.weekday())
    start, _ = local_day_bounds(user, week_start)
    end = start + dt.timedelta(days=7)
    half_life = clamp_half_life(team.warmth_half_life_days)
    t = thresholds()
    hot = warmth.ref_threshold(t.hot, now, half_life)
    warm = warmth.ref_threshold(t.warm, now, half_life)
    members = User.objects.visible_to(user).filter(team=team).agents().order_by("pk")
    rows = {member.pk: AgentWeek(member) for member in members}
    team_posts = MomentPost.objects.visible_to(user).filter(persona__owner__team=team)
    queue = list(
        team_posts.filter(status=PostStatus.PENDING_REVIEW)
        .select_related("persona", "persona__owner")
        .order_by("scheduled_at", "pk")[:REVIEW_QUEUE_SHOWN]
    )
    week = (
        team_posts.between(start, end)
        .values_list("persona__owner", "category", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    mix: dict[str, int] = defaultdict(int)
    for owner, category, status, n in week:
        planned = status in PLANNED
        if planned:
            mix[category] += n
        agent = rows.get(owner)
        if agent is not None:
            agent.planned += n if planned else 0
            agent.posted += n if status == PostStatus.POSTED else 0
            agent.missed += n if status == PostStatus.MISSED else 0
    pool = (
        Contact.objects.visible_to(user)
        .active()
        .filter(owner__in=list(rows))
        .values_list("owner")
        .annotate(
            hot=Count("pk", filter=Q(warmth_ref__gte=hot)),
            warm=Count("pk", filter=Q(warmth_ref__gte=warm, warmth_ref__lt=hot)),
            total=Count("pk"),
        )
        .order_by()
    )
    for owner, n_hot, n_warm, total in pool:
        agent = rows[owner]
        agent.hot, agent.warm, agent.cold = n_hot, n_warm, total - n_hot - n_warm
    return LeadHome(
        week_start=week_start,
        review_queue=queue,
        agents=list(rows.values()),
        mix=dict(mix),
        target={"story": team.mix_story, "value": team.mix_value, "ad": team.mix_ad},
        alerts=_alerts(user, now, half_life),
    )


def curator_home(user: User) -> dict:
    """Library items with compliance findings, blocks first, and how many wait for review."""
    items = ContentItem.objects.visible_to(user).exclude(status=ContentStatus.RETIRED)
    flagged = list(
        items.filter(Q(has_block=True) | Q(warning_count__gt=0))
        .order_by("-has_block", "-warning_count", "-updated", "-pk")
        .only("pk", "title", "category", "status", "has_block", "warning_count", "updated")[
            :CURATOR_FINDINGS_SHOWN
        ]
    )
    counts = items.aggregate(
        in_review=Count("pk", filter=Q(status=ContentStatus.IN_REVIEW)),
        blocked=Count("pk", filter=Q(has_block=True)),
    )
    return {"flagged": flagged, **counts}
