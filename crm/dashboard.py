"""What the home pages show: reads composed from the apps' own querysets, a constant number of
queries whatever the size of the pool.

This is the top of the house (``crm`` dashboard -> ``scheduler`` -> ``contacts`` -> ``crm``
core), so it may import every app; nothing below imports it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, Field, Model, Q, QuerySet
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

from contacts import warmth
from contacts.models import (
    Alert,
    Contact,
    Interaction,
    InteractionKind,
    Persona,
    Stage,
)
from contacts.models.personas import checklist_percent
from contacts.warmth import clamp_half_life, thresholds
from contacts.warmth.alerts import ALERTS_ORDER, alerts_scoped, alerts_since
from content.models import ContentItem
from content.models import Status as ContentStatus
from crm.models import User
from crm.reads import Statement, read_together
from crm.scoping import compiled_for_viewer
from scheduler.cards import CARD_FIELDS, CardRow
from scheduler.insights import PLANNED
from scheduler.models import MomentPost, PostStatus, Reminder, window_label

HOT_LEADS_SHOWN = 8
FOLLOW_UPS_SHOWN = 20
REVIEW_QUEUE_SHOWN = 50
# Interactions older than this many half-lives add under 1/16 of their weight: not a "why".
WHY_HORIZON_HALF_LIVES = 4

# A user as the lead's home reads them (a member's row, a post's persona's owner): all but
# their login data.
MEMBER_FIELDS = tuple(
    field.attname
    for field in User._meta.concrete_fields
    if field.name not in ("password", "last_login", "date_joined")
)
# The review queue's row: what its card shows (``scheduler.cards.CARD_FIELDS``), the persona's
# nickname, then the persona's owner (all but their login data). Nothing else of the post,
# persona or owner is read (``_review_queue``).
REVIEW_QUEUE_FIELDS = (
    *CARD_FIELDS,
    "persona__nickname",
    *(f"persona__owner__{name}" for name in MEMBER_FIELDS),
)
# What the home's contact lists and their warmth badges read of a contact. The home reads
# rows as values and makes the instances itself (``_load``), so these are column names
# (attnames), in the model's field order as ``Model.from_db`` takes them.
HOME_CONTACT_FIELDS = (
    "id",
    "owner_id",
    "name",
    "remark",
    "stage",
    "next_follow_up",
    "warmth_ref",
    "erased_at",
)
# What the agent home and its post cards (``scheduler.cards.render_card``) read of a post; its
# persona is the one read for the persona cards.
HOME_POST_FIELDS = (
    "id",
    "persona_id",
    "title",
    "text",
    "image_paths",
    "category",
    "window_name",
    "scheduled_at",
    "status",
    "review_comment",
    "findings",
    "has_block",
    "last_error",
)
# What the alerts panel (``contacts/_alerts.html``) shows of an alert, then of its contact.
HOME_ALERT_FIELDS = ("id", "contact_id", "kind", "for_date", "warmth")
# The contact's stored score too: the panel shows its warmth now, as the lead's badge does.
HOME_ALERT_CONTACT_FIELDS = (
    "contact__name",
    "contact__remark",
    "contact__warmth_ref",
    "contact__erased_at",
)
ALERTS_SHOWN = 30
ALERT_CONTACT_FIELDS = ("id", "name", "remark", "warmth_ref", "erased_at")
PERSONA_FIELDS = tuple(field.attname for field in Persona._meta.concrete_fields)


def local_day_bounds(user: User, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of ``day`` and of the next day in the user's own time zone, as aware times."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=user.tzinfo)
    return start, start + dt.timedelta(days=1)


def half_life_of(user: User) -> float:
    return clamp_half_life(user.team.warmth_half_life_days if user.team else None)


@dataclass
class HotLead:
    contact: Contact
    warmth: float
    why: Interaction | None  # the interaction contributing most now

    @property
    def why_said(self) -> SafeString:
        """The line "mostly: <kind>, <time> ago" in the active language, as the template's
        ``{% blocktranslate %}`` drew it (kind and time escaped, the sentence as translated);
        "" without a why. Said here because the tag was about a seventh of the template's time.
        """
        if self.why is None:
            return mark_safe("")
        return mark_safe(  # the sentence is ours; its values are escaped
            gettext("mostly: %(kind)s, %(when)s ago")
            % {
                "kind": conditional_escape(self.why.kind.label),
                "when": conditional_escape(timesince(self.why.at)),
            }
        )


@dataclass
class WindowSlot:
    name: str
    posts: list[MomentPost]

    @property
    def label(self) -> str:
        """The window's name as the user reads it (a default window's name is a key)."""
        return window_label(self.name)


@dataclass
class AgentHome:
    today: dt.date
    windows: list[WindowSlot]
    open_reminders: int
    hot_leads: list[HotLead]
    follow_ups: list[Contact]
    personas: list[tuple[Persona, list, int]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)  # as ``selectors_warmth.alerts_open``
    # The one-click kinds' codes in order, when read with the hot leads' "why" (PostgreSQL);
    # None: the badges read them themselves (``contacts.rows.RowKit.quick_kinds``).
    quick_kind_codes: list[str] | None = None


def _windows(user: User, posts: list[MomentPost]) -> list[WindowSlot]:
    """The day's posts grouped by window, in order (a post without one under its time)."""
    slots: dict[str, WindowSlot] = {}
    for post in posts:
        key = post.window_name or post.scheduled_at.astimezone(user.tzinfo).strftime("%H:%M")
        slots.setdefault(key, WindowSlot(key, [])).posts.append(post)
    return list(slots.values())


def _load(model: type[Model], fields: tuple[str, ...], values: tuple) -> Model:
    """An instance of ``model`` from ``values`` of ``fields`` (attnames in field order), as
    ``.only(*fields)`` would load it: any other field is read on first use."""
    return model.from_db(DEFAULT_DB_ALIAS, fields, values)


# The interaction contributing most now of each contact, with its kind's code; and, on every
# row, the one-click kinds' codes in ``selectors_warmth.quick_kinds``'s order (only the hot
# leads' badges show them). Plain SQL: the ORM's query took longer to build than to run. The
# inner query reads only columns of the (contact, -at, -id) INCLUDE (weight, kind) index, so
# PostgreSQL can answer it from the index alone once VACUUM has marked the table's pages
# all-visible (until then it visits a heap page per interaction, some 600 for 8 hot leads of
# the bench's data). ``weight * 2 ^ ((at - now) / h)`` is
# ``contacts.warmth.contribution_now``; its exponent stays within [-horizon, 0].
_WHY_SQL = """
SELECT why.contact_id, why.id, why.at, kind.id, kind.code,
    (SELECT array_agg(quick.code ORDER BY quick.position, quick.code)
     FROM {kind} AS quick WHERE quick.quick)
FROM (
    SELECT DISTINCT ON (contact_id) contact_id, id, at, kind_id
    FROM {interaction}
    WHERE contact_id = ANY(%s) AND at >= %s AND at <= %s
    ORDER BY contact_id,
        weight * power(2.0, extract(epoch FROM (at - %s))::float8 / %s) DESC, at DESC, id DESC
) AS why
JOIN {kind} AS kind ON kind.id = why.kind_id
"""


def why_of(contact_ids: list[int], now: dt.datetime, half_life: float) -> dict[int, Interaction]:
    """Each contact's interaction (its id, contact, time and kind's code read) that contributes
    most to its warmth at ``now``, among those within ``WHY_HORIZON_HALF_LIVES`` half-lives; a
    contact with none in that time is left out. Ties go to the latest (then the highest id), as
    the default order. The contacts are ones the caller read through ``visible_to``.

    One query. On PostgreSQL only the winning rows leave the server (``DISTINCT ON``); elsewhere
    (SQLite, the tests) the candidates are compared in Python with the same formula.
    """
    return _why_and_quick_kinds(contact_ids, now, half_life)[0]


def _why_and_quick_kinds(
    contact_ids: list[int], now: dt.datetime, half_life: float
) -> tuple[dict[int, Interaction], list[str] | None]:
    """``why_of``, and the one-click kinds' codes when the same query read them."""
    if not contact_ids:
        return {}, None
    horizon = now - dt.timedelta(days=half_life * WHY_HORIZON_HALF_LIVES)
    if connection.vendor == "postgresql":
        return _why_in_sql(contact_ids, horizon, now, half_life)
    candidates = Interaction.objects.filter(
        contact_id__in=contact_ids, at__gte=horizon, at__lte=now
    ).select_related("kind")
    return _why_in_python(candidates, now, half_life), None


def _why_in_sql(
    contact_ids: list[int], horizon: dt.datetime, now: dt.datetime, half_life: float
) -> tuple[dict[int, Interaction], list[str] | None]:
    quote = connection.ops.quote_name
    sql = _WHY_SQL.format(
        interaction=quote(Interaction._meta.db_table), kind=quote(InteractionKind._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (list(contact_ids), horizon, now, now, half_life * 86400.0))
        rows = cursor.fetchall()
    why = {}
    db = connection.alias
    for contact_id, pk, at, kind_id, code, _ in rows:
        # As ``.only()`` would load them: the other fields are read on first use.
        row = Interaction.from_db(db, _WHY_FIELDS, (pk, contact_id, kind_id, at))
        row.kind = InteractionKind.from_db(db, _KIND_FIELDS, (kind_id, code))
        why[contact_id] = row
    # array_agg of no rows is NULL: no kind is one-click.
    return why, (rows[0][5] or []) if rows else None


# In the models' field order, as ``Model.from_db`` takes them.
_WHY_FIELDS = ("id", "contact_id", "kind_id", "at")
_KIND_FIELDS = ("id", "code")


def _why_in_python(
    candidates: QuerySet[Interaction], now: dt.datetime, half_life: float
) -> dict[int, Interaction]:
    best: dict[int, tuple[float, Interaction]] = {}
    for row in candidates.order_by("-at", "-id"):
        value = warmth.contribution_now(row.weight, row.at, now, half_life)
        if row.contact_id not in best or value > best[row.contact_id][0]:
            best[row.contact_id] = (value, row)
    return {contact_id: row for contact_id, (_, row) in best.items()}


def _with_warmth(contact: Contact, value: float) -> Contact:
    """Give the row the ``warmth_now``/``tier`` pair ``with_tier`` would, so the warmth badge
    reads them as they are instead of looking up the owner's half-life again."""
    contact.warmth_now = value
    contact.tier = warmth.tier_of(value, thresholds())
    return contact


def _hot_leads(
    warmest: list[Contact], team_half_life: float | None, now: dt.datetime
) -> tuple[list[HotLead], float, list[str] | None]:
    """The hot ones of the user's warmest contacts (warmest first), each with its "why"; the
    half-life of the user's team (``team_half_life``, read with the contacts), which their
    warmth decays with; the one-click kinds' codes if read on the way. The hot ones are kept
    here, by the comparison ``hot()`` makes in SQL: ``hot()`` needs the half-life before its
    query, and reading it first was a query of its own."""
    half_life = clamp_half_life(team_half_life)
    threshold = warmth.ref_threshold(thresholds().hot, now, half_life)
    contacts = [contact for contact in warmest if contact.warmth_ref >= threshold]
    why, quick = _why_and_quick_kinds([contact.pk for contact in contacts], now, half_life)
    leads = []
    for contact in contacts:
        value = warmth.warmth_now(contact.warmth_ref, now, half_life)
        leads.append(HotLead(_with_warmth(contact, value), value, why.get(contact.pk)))
    return leads, half_life, quick


def _home_contacts(user: User) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user).owned_by(user)


def _compiled_read(
    name: str,
    build: Callable[..., QuerySet],
    user: User,
    columns: Sequence[Field | None] = (),
    **values: int | float | str | dt.date | dt.datetime,
) -> Statement | None:
    """``build(user, **values)`` (a ``values_list`` of the user's rows, starting from
    ``visible_to``) as a statement compiled once per kind of viewer
    (``crm.scoping.compiled_for_viewer``: ``values``, the day's or week's bounds, the team,
    the warmth thresholds, a status, are its parameters, never compiled in); its ``columns``
    converted as the ORM converts those fields (``None``: a count, left as is). ``None`` when
    the user sees none of these rows. Compiling the homes' reads took longer than running
    them."""
    try:
        sql, params = compiled_for_viewer(
            name, lambda viewer, **v: build(viewer, **v).query.sql_with_params(), user, **values
        )
    except EmptyResultSet:
        return None
    return Statement(sql, params, tuple(columns))


def _field_of(model: type[Model], path: str) -> Field:
    """The field a ``values_list`` name such as ``owner__team__warmth_half_life_days`` reads."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def _alerts_read(user: User) -> Statement | None:
    """The user's own open alerts (``selectors_warmth.alerts_open``, the panel's first
    ``ALERTS_SHOWN``), the day after which they count passed in; both homes show them."""
    return _compiled_read(
        "home.alerts", _home_alerts, user, _ALERT_COLUMNS, since=alerts_since(user)
    )


def _home_alerts(viewer: User, *, since: dt.date) -> QuerySet:
    return (
        alerts_scoped(user=viewer)
        .filter(for_date__gt=since)
        .order_by(*ALERTS_ORDER)
        .values_list(*HOME_ALERT_FIELDS, *HOME_ALERT_CONTACT_FIELDS)[:ALERTS_SHOWN]
    )


def _alerts(rows: list[tuple], now: dt.datetime, half_life: float) -> list[Alert]:
    """The alerts of ``_alerts_read``'s rows, each with the contact fields the panel shows and
    its contact's warmth at ``now`` (``warmth_now``, the same number as the lead's badge on
    the page; the alert's own ``warmth`` is the one it was raised with)."""
    alerts = []
    for row in rows:
        alert = _load(Alert, HOME_ALERT_FIELDS, row[: len(HOME_ALERT_FIELDS)])
        alert.contact = _load(
            Contact, ALERT_CONTACT_FIELDS, (alert.contact_id, *row[len(HOME_ALERT_FIELDS) :])
        )
        alert.warmth_now = warmth.warmth_now(alert.contact.warmth_ref, now, half_life)
        alerts.append(alert)
    return alerts


def _home_posts(viewer: User, *, start: dt.datetime, end: dt.datetime, cancelled: str) -> QuerySet:
    return (
        MomentPost.objects.visible_to(viewer)
        .owned_by(viewer)
        .between(start, end)
        .exclude(status=cancelled)
        .order_by("scheduled_at", "id")
        .values_list(*HOME_POST_FIELDS)
    )


def _home_personas(viewer: User) -> QuerySet:
    return (
        Persona.objects.visible_to(viewer)
        .owned_by(viewer)
        .order_by("id")
        .values_list(*PERSONA_FIELDS)
    )


def _home_reminders(viewer: User) -> QuerySet:
    return (
        Reminder.objects.visible_to(viewer)
        .owned_by(viewer)
        .open()
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("n")
    )


def _home_warmest(viewer: User) -> QuerySet:
    return (
        _home_contacts(viewer)
        .order_by("-warmth_ref", "-id")
        .values_list(*HOME_CONTACT_FIELDS, "owner__team__warmth_half_life_days")[:HOT_LEADS_SHOWN]
    )


def _home_follow_ups(viewer: User, *, today: dt.date, lost: str) -> QuerySet:
    return (
        _home_contacts(viewer)
        .filter(erased_at__isnull=True, next_follow_up__lte=today)
        .exclude(stage=lost)
        .order_by("next_follow_up", "id")
        .values_list(*HOME_CONTACT_FIELDS)[:FOLLOW_UPS_SHOWN]
    )


_POST_COLUMNS = tuple(_field_of(MomentPost, path) for path in HOME_POST_FIELDS)
_PERSONA_COLUMNS = tuple(_field_of(Persona, path) for path in PERSONA_FIELDS)
_CONTACT_COLUMNS = tuple(_field_of(Contact, path) for path in HOME_CONTACT_FIELDS)
_WARMEST_COLUMNS = (*_CONTACT_COLUMNS, _field_of(Contact, "owner__team__warmth_half_life_days"))
_ALERT_COLUMNS = tuple(
    _field_of(Alert, path) for path in (*HOME_ALERT_FIELDS, *HOME_ALERT_CONTACT_FIELDS)
)


def agent_home(user: User, now: dt.datetime | None = None) -> AgentHome:
    """Today's posts by window, how many reminders wait, hot leads with why, follow-ups due,
    the personas' unmet advice, the open alerts.

    Two round trips on PostgreSQL: the page's reads, each the ORM's ``visible_to(user)``
    query of its model, sent together (``crm.reads.read_together``); then the hot leads' "why".
    """
    now = now or timezone.now()
    today = timezone.localtime(now, user.tzinfo).date()
    start, end = local_day_bounds(user, today)
    post_rows, persona_rows, reminder_rows, warmest_rows, follow_rows, alert_rows = read_together(
        [
            # Posts before personas: a post's persona is older than the post, so it is in
            # the later read even if one is added in between.
            _compiled_read(
                "home.posts",
                _home_posts,
                user,
                _POST_COLUMNS,
                start=start,
                end=end,
                cancelled=PostStatus.CANCELLED.value,
            ),
            _compiled_read("home.personas", _home_personas, user, _PERSONA_COLUMNS),
            # The page shows only how many (the reminders are on the "today" page).
            _compiled_read("home.reminders", _home_reminders, user),
            # With the team's half-life joined in: the hot leads need it.
            _compiled_read("home.warmest", _home_warmest, user, _WARMEST_COLUMNS),
            _compiled_read(
                "home.follow_ups",
                _home_follow_ups,
                user,
                _CONTACT_COLUMNS,
                today=today,
                lost=Stage.LOST.value,
            ),
            _alerts_read(user),
        ]
    )
    personas = {row[0]: _load(Persona, PERSONA_FIELDS, row) for row in persona_rows}
    posts = []
    for row in post_rows:
        post = _load(MomentPost, HOME_POST_FIELDS, row)
        persona = personas.get(post.persona_id)
        if persona is not None:  # else deleted since, and the post with it
            post.persona = persona
            posts.append(post)
    warmest = [_load(Contact, HOME_CONTACT_FIELDS, row[:-1]) for row in warmest_rows]
    # No contacts at all: nothing decays, any half-life will do.
    hot_leads, half_life, quick_kind_codes = _hot_leads(
        warmest, warmest_rows[0][-1] if warmest_rows else None, now
    )
    follow_ups = [
        _with_warmth(contact, warmth.warmth_now(contact.warmth_ref, now, half_life))
        for contact in (_load(Contact, HOME_CONTACT_FIELDS, row) for row in follow_rows)
    ]
    return AgentHome(
        today=today,
        windows=_windows(user, posts),
        open_reminders=reminder_rows[0][0] if reminder_rows else 0,
        hot_leads=hot_leads,
        follow_ups=follow_ups,
        personas=[
            (persona, checklist, checklist_percent(checklist))
            for persona, checklist in (
                (persona, persona.checklist(today)) for persona in personas.values()
            )
        ],
        alerts=_alerts(alert_rows, now, half_life),
        quick_kind_codes=quick_kind_codes,
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


class ReviewItem(NamedTuple):
    """A post waiting for the lead's review: what its card shows, and its persona (the
    nickname, and the owner's name) above it."""

    card: CardRow
    persona: Persona

    @property
    def pk(self) -> int:
        return self.card.pk


@dataclass
class LeadHome:
    week_start: dt.date
    review_queue: list[ReviewItem]
    agents: list[AgentWeek]
    mix: dict[str, int]  # category -> posts planned this week
    target: dict[str, int]  # category -> percent
    alerts: list[Alert] = field(default_factory=list)  # the lead's own, as the agent home's


def _review_queue(rows: list[tuple]) -> list[ReviewItem]:
    """The review queue's items from rows of ``REVIEW_QUEUE_FIELDS``: each post's card row,
    its persona (id, owner, nickname) with the persona's owner, one instance of each per
    request however many posts they have. Loading 50 posts, personas and owners as model
    instances was a tenth of the page's time."""
    cards = len(CARD_FIELDS)
    personas: dict[int, Persona] = {}
    owners: dict[int, User] = {}
    items = []
    for row in rows:
        card = CardRow._make(row[:cards])
        persona_id, owner_id = card.persona_id, card.owner_id
        persona = personas.get(persona_id)
        if persona is None:
            persona = personas[persona_id] = _load(
                Persona, ("id", "owner_id", "nickname"), (persona_id, owner_id, row[cards])
            )
            owner = owners.get(owner_id)
            if owner is None:
                owner = owners[owner_id] = _load(User, MEMBER_FIELDS, row[cards + 1 :])
            persona.owner = owner
        items.append(ReviewItem(card, persona))
    return items


def _lead_queue(viewer: User, *, team: int, status: str) -> QuerySet:
    return (
        MomentPost.objects.visible_to(viewer)
        .filter(persona__owner__team=team, status=status)
        .order_by("scheduled_at", "pk")
        .values_list(*REVIEW_QUEUE_FIELDS)[:REVIEW_QUEUE_SHOWN]
    )


def _lead_week(viewer: User, *, team: int, start: dt.datetime, end: dt.datetime) -> QuerySet:
    # Per agent, category and status in one pass: the agents' figures and the team's mix are
    # sums of it (summed in Python, so that no status is a parameter of the statement).
    return (
        MomentPost.objects.visible_to(viewer)
        .filter(persona__owner__team=team)
        .between(start, end)
        .values("persona__owner", "category", "status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("persona__owner", "category", "status", "n")
    )


def _lead_pool(viewer: User, *, hot: float, warm: float) -> QuerySet:
    """Each owner's hot and warm active contacts, and on SQLite all of them.

    Every owner the lead sees, kept for the members only: in the same trip as the members,
    and no slower than naming them (their ids as a subquery made it 1.5 times as slow on the
    bench data). On PostgreSQL only the hot and warm contacts are read, which the
    ``(owner, -warmth_ref, -id)`` index holds first, and the cold are the rest of the owner's
    active contacts counted apart (``_lead_pool_totals``): counting every
    contact visited the table for each of a team's 10,000 (about 3 ms on the bench data)."""
    contacts = Contact.objects.visible_to(viewer).filter(erased_at__isnull=True)
    counts = {
        "hot": Count("pk", filter=Q(warmth_ref__gte=hot)),
        "warm": Count("pk", filter=Q(warmth_ref__gte=warm, warmth_ref__lt=hot)),
    }
    if connection.vendor == "postgresql":
        contacts = contacts.filter(warmth_ref__gte=warm)
    else:  # one read for all three, as the demo's page makes no more queries than before
        counts["total"] = Count("pk")
    return contacts.values("owner").annotate(**counts).order_by().values_list("owner", *counts)


def _lead_pool_totals(viewer: User) -> QuerySet:
    """Each owner's active contacts, on PostgreSQL, counted from the partial index
    ``contact_owner_source_active`` (the trigger-kept ``SourceCount`` is gone)."""
    contacts = Contact.objects.visible_to(viewer).filter(erased_at__isnull=True)
    totals = contacts.values("owner").annotate(n=Count("pk"))
    return totals.order_by().values_list("owner", "n")


_QUEUE_COLUMNS = tuple(_field_of(MomentPost, path) for path in REVIEW_QUEUE_FIELDS)
_WEEK_COLUMNS = (None, _field_of(MomentPost, "category"), _field_of(MomentPost, "status"), None)
_POOL_COLUMNS = (None, None, None, None)
_TOTALS_COLUMNS = (None, None)
_PLANNED = frozenset(PLANNED)


def lead_home(user: User, now: dt.datetime | None = None) -> LeadHome | None:
    """The review queue and this week's figures per agent of the team the user leads.

    One round trip (``crm.reads.read_together``): the members (the ORM's query: a user's
    ``visible_to`` reads the viewer's team, which a compiled statement may not take), and the
    queue, the week's posts and the pool, each compiled once per kind of viewer with the
    team, the week and the thresholds as its parameters (``_compiled_read``); compiling them
    took longer than running them. With them the lead's own open alerts, for the panel (as
    the agent home reads them)."""
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
    members = User.objects.visible_to(user).filter(team=team).agents()
    member_rows, queue_rows, week_rows, pool_rows, total_rows, alert_rows = read_together(
        [
            members.order_by("pk").values_list(*MEMBER_FIELDS),
            _compiled_read(
                "lead_home.queue",
                _lead_queue,
                user,
                _QUEUE_COLUMNS,
                team=team.pk,
                status=PostStatus.PENDING_REVIEW.value,
            ),
            _compiled_read(
                "lead_home.week",
                _lead_week,
                user,
                _WEEK_COLUMNS,
                team=team.pk,
                start=start,
                end=end,
            ),
            _compiled_read("lead_home.pool", _lead_pool, user, _POOL_COLUMNS, hot=hot, warm=warm),
            _compiled_read("lead_home.pool_totals", _lead_pool_totals, user, _TOTALS_COLUMNS)
            if connection.vendor == "postgresql"
            else None,
            # The alerts panel's, which read them itself in a query of its own.
            _alerts_read(user),
        ]
    )
    rows = {row[0]: AgentWeek(_load(User, MEMBER_FIELDS, row)) for row in member_rows}
    mix: dict[str, int] = defaultdict(int)
    for owner, category, status, n in week_rows:
        planned = status in _PLANNED
        if planned:
            mix[category] += n
        agent = rows.get(owner)
        if agent is not None:
            if planned:
                agent.planned += n
            if status == PostStatus.POSTED:
                agent.posted += n
            elif status == PostStatus.MISSED:
                agent.missed += n
    totals = dict(total_rows)  # PostgreSQL's; SQLite's come with the pool's rows
    for owner, n_hot, n_warm, *total in pool_rows:
        if owner in rows:  # else no member's (an inactive agent's)
            rows[owner].hot, rows[owner].warm = n_hot, n_warm
            totals.setdefault(owner, total[0] if total else 0)
    for owner, total in totals.items():
        if owner in rows:
            agent = rows[owner]
            agent.cold = total - agent.hot - agent.warm
    return LeadHome(
        week_start=week_start,
        review_queue=_review_queue(queue_rows),
        agents=list(rows.values()),
        mix=dict(mix),
        target={"story": team.mix_story, "value": team.mix_value, "ad": team.mix_ad},
        alerts=_alerts(alert_rows, now, half_life),
    )


CURATOR_FINDINGS_SHOWN = 20


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
