"""``manage.py seed_bench``: the benchmark data set, written to PostgreSQL with COPY.

It writes the rows of contacts, content and scheduler, so it lives in the highest of those
apps (the core imports no app above it).

Default scale (the performance issue's): 200 agents in 20 teams (the first agent of each team
is its lead), 1,000 contacts each (200,000), 10 interactions per contact on average
(2,000,000, a few busy leads and many quiet ones, over the last 180 days), 2,000 content
items, and four weeks of Moment posts (the two weeks before this one, this one and the next)
in every agent's three golden-hour windows. Contacts carry tags and groups, the agents a
persona each. Every stored warmth is then rebuilt by the project's own set-based recompute
(``contacts.services.warmth_recompute``), so ``warmth_ref`` and ``last_interaction_at`` agree
with the history exactly as in production.

Deterministic: the same ``--seed`` and ``--now`` write the same rows (ids included on a fresh
database). Every bench login is ``bench-…`` with the password ``--password``. Refuses SQLite.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
import uuid
import zoneinfo
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from contacts.models import (
    Alert,
    AlertRun,
    Contact,
    ContactGroup,
    ContactImport,
    Interaction,
    InteractionKind,
    Persona,
)
from contacts.models import Tag as ContactTag
from contacts.services import warmth_recompute
from content.models import ContentItem
from content.models import Tag as ContentTag
from crm.models import Team, User
from crm.roles import ROLE_GROUPS, Role
from scheduler.models import (
    DispatchAttempt,
    MomentPost,
    PostingWindow,
    PostStatus,
    PostTransition,
    Reminder,
)

PREFIX = "bench-"
TEAM_PREFIX = "压测团队"
CONTENT_TITLE_PREFIX = "【压测】"
HISTORY_DAYS = 180
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国玉梅晨宇浩然子涵欣怡思雨"
CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京", "成都", "武汉", "苏州", "西安"]
SOURCES = ["转介绍", "朋友圈", "社群", "线下活动", "老客户", "短视频", "公众号"]
STAGES = [  # (stage, share): most leads are new or engaged, few are customers
    ("new_friend", 40),
    ("engaged", 25),
    ("interested", 15),
    ("proposal", 7),
    ("customer", 10),
    ("advocate", 2),
    ("lost", 1),
]
# How often each kind of touch happens (likes and messages dominate; purchases are rare).
KIND_FREQUENCY = {
    "added": 2,
    "message_in": 20,
    "message_out": 25,
    "liked": 25,
    "commented": 10,
    "shared": 3,
    "clicked": 8,
    "call": 3,
    "meeting": 1,
    "quote": 1,
    "purchase": 0.5,
    "referral": 0.5,
}
CONTACT_TAGS = ["高意向", "宝妈", "企业主", "老客户", "重疾关注", "养老规划", "教育金", "已加群"]
CONTACT_GROUPS = [("重点跟进", "tag_group"), ("读书会", "wechat_group"), ("宝妈群", "wechat_group")]
TOPICS = ["重疾", "医疗", "意外", "养老", "教育金", "理赔", "家庭保障", "税务", "财富传承", "健康"]
AUDIENCES = ["宝妈", "企业主", "白领", "退休人士", "新婚夫妇", "独生子女"]
PRODUCT_LINES = ["critical_illness", "medical", "accident", "life", "annuity", ""]
SENTENCES = [
    "今天和一位客户聊到家庭保障，先把重疾和医疗配齐，再考虑养老。",
    "很多人问保险怎么买，其实第一步是看清自己的家庭责任。",
    "理赔不是运气，是投保时把健康告知做对。",
    "孩子的教育金要早规划，时间是最好的朋友。",
    "周末带孩子去公园，顺便想了想我们这一代人的养老。",
    "客户说，当初多亏听了建议，住院的费用都报销了。",
    "保障型产品先做加法，理财型产品再做选择。",
    "一份好的保单，是写给家人的一封信。",
]


class Progress:
    """A one-line progress bar on stderr (redrawn at most five times a second)."""

    def __init__(self, label: str, total: int, stream=None) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.started = self._drawn = time.perf_counter()
        self._draw()

    def add(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self._drawn >= 0.2 or self.done >= self.total:
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        elapsed = time.perf_counter() - self.started
        self.stream.write(
            f"\r{self.label:<16} [{bar:<30}] {share:6.1%} {self.done:>11,}/{self.total:,}"
            f" {elapsed:6.1f} s"
        )
        self.stream.flush()

    def close(self) -> float:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()
        return time.perf_counter() - self.started


def columns_of(model: type[models.Model], without: Iterable[str] = ("id",)) -> list[str]:
    """The model's concrete columns except ``without``: what a COPY row must fill."""
    skip = set(without)
    return [f.column for f in model._meta.concrete_fields if f.column not in skip]


def check_columns(model: type[models.Model], written: Sequence[str]) -> None:
    """Fail loudly when the model gained or lost a column this seeder does not know about."""
    expected = set(columns_of(model, ()))
    missing = expected - set(written) - {"id"}
    unknown = set(written) - expected
    if missing or unknown:
        raise CommandError(
            f"{model._meta.label}: seed_bench writes {sorted(written)}, the table has "
            f"{sorted(expected)} (missing {sorted(missing)}, unknown {sorted(unknown)}); "
            "teach scheduler/management/commands/seed_bench.py about the change."
        )


def copy_rows(
    model: type[models.Model],
    cols: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Progress | None = None,
    every: int = 10_000,
) -> int:
    """COPY ``rows`` into the model's table; returns how many were written."""
    check_columns(model, cols)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in cols)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
                if progress is not None and count % every == 0:
                    progress.add(every)
    if progress is not None:
        progress.add(count % every)
    return count


@contextmanager
def bulk_load(*models_: type[models.Model]) -> Iterator[None]:
    """Load into these tables without their secondary indexes and foreign keys, then rebuild.

    PostgreSQL's own advice for populating a database: one index build and one set-based
    foreign-key validation per table are far cheaper than maintaining five indexes and
    checking three keys for each of millions of rows (the checks alone took 70 µs a row).
    All in one transaction: an interrupted load leaves the schema exactly as it was.
    """
    tables = [m._meta.db_table for m in models_]
    with transaction.atomic(), connection.cursor() as cursor:
        # Check the keys of rows written earlier in this transaction now: PostgreSQL refuses to
        # alter a table with deferred checks still pending (inside a test's transaction).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def reserve_ids(model: type[models.Model], n: int) -> int:
    """Reserve ``n`` consecutive primary keys of the model's identity; returns the first.

    COPY then writes the ids itself, so rows can point at each other without reading back.
    Nothing else may insert into the table meanwhile (a bench database).
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = cursor.fetchone()[0]
        if n > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
    return first


class Command(BaseCommand):
    help = (
        "Write the benchmark data set (default: 200 agents in 20 teams, 200,000 contacts, "
        "2,000,000 interactions, 2,000 content items, four weeks of posts) to PostgreSQL "
        "with COPY. Deterministic for --seed and --now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agents", type=int, default=200, help="agents, leads included")
        parser.add_argument("--teams", type=int, default=20)
        parser.add_argument("--contacts", type=int, default=1000, help="contacts per agent")
        parser.add_argument(
            "--interactions", type=float, default=10, help="interactions per contact (mean)"
        )
        parser.add_argument("--content", type=int, default=2000, help="content items")
        parser.add_argument("--weeks", type=int, default=4, help="weeks of posts")
        parser.add_argument("--scale", type=float, default=1.0, help="multiplies --contacts")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--now",
            help="the instant the data is relative to (ISO 8601; default: the current time). "
            "Same --seed and --now: same rows.",
        )
        parser.add_argument("--password", default="siyu-bench-2026", help="every bench login's")
        parser.add_argument(
            "--replace", action="store_true", help="delete earlier bench data first"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                f"seed_bench writes millions of rows with COPY and needs PostgreSQL; this is "
                f"{connection.vendor}. Set DATABASE_URL=postgres://… (a database of its own)."
            )
        if opts["agents"] < opts["teams"] or opts["teams"] < 1:
            raise CommandError("--agents must be at least --teams, and --teams at least 1")
        self.rng = random.Random(opts["seed"])
        self.now = (
            dt.datetime.fromisoformat(opts["now"]) if opts["now"] else timezone.now()
        ).replace(microsecond=0)
        if timezone.is_naive(self.now):
            self.now = self.now.replace(tzinfo=TZ)
        per_agent = max(1, round(opts["contacts"] * opts["scale"]))
        n_contacts = per_agent * opts["agents"]
        n_interactions = round(n_contacts * opts["interactions"])

        if User.objects.filter(username__startswith=PREFIX).exists():
            if not opts["replace"]:
                raise CommandError("bench data exists in this database; pass --replace")
            self._delete()
        # The clock starts after the deletion: the figure is the time to write the data set.
        started = time.perf_counter()
        timings: dict[str, float] = {}

        def step(name: str, fn, *a) -> Any:
            t0 = time.perf_counter()
            result = fn(*a)
            timings[name] = time.perf_counter() - t0
            return result

        step("people", self._people, opts["agents"], opts["teams"], opts["password"])
        step("content", self._content, opts["content"])
        step("contacts", self._contacts, per_agent)
        step("interactions", self._interactions, n_interactions)
        step("posts", self._posts, opts["weeks"])
        self.stderr.write("recompute warmth and analyse …")
        changed = step("recompute", warmth_recompute)
        step("analyse", self._analyse)
        total = time.perf_counter() - started
        self.stdout.write(
            f"seed_bench: {opts['agents']} agents in {opts['teams']} teams, "
            f"{n_contacts:,} contacts, {n_interactions:,} interactions, "
            f"{opts['content']:,} content items, {self.post_count:,} posts over "
            f"{opts['weeks']} weeks (seed {opts['seed']}, now {self.now.isoformat()})"
        )
        self.stdout.write(
            "steps: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
            + f"; warmth set on {changed:,} contacts"
        )
        self.stdout.write(
            f"seed_bench finished in {total:.1f} s (deleting earlier data not counted)"
        )

    # --- deleting an earlier run ----------------------------------------------------------

    def _delete(self) -> None:
        """Remove earlier bench rows (set-based, children first)."""
        t0 = time.perf_counter()
        self.stderr.write("deleting the earlier bench data …")
        users = list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))
        contacts = Contact.objects.filter(owner__in=users)
        posts = MomentPost.objects.filter(persona__owner__in=users)
        with connection.cursor() as cursor:
            # Raw DELETEs: Django's collector would load millions of rows to cascade them.
            for model, queryset in (
                (Interaction, Interaction.objects.filter(contact__in=contacts)),
                (Alert, Alert.objects.filter(owner__in=users)),
                (AlertRun, AlertRun.objects.filter(owner__in=users)),
                (Contact.tags.through, Contact.tags.through.objects.filter(contact__in=contacts)),
                (
                    Contact.groups.through,
                    Contact.groups.through.objects.filter(contact__in=contacts),
                ),
                (ContactImport, ContactImport.objects.filter(owner__in=users)),
                (Reminder, Reminder.objects.filter(owner__in=users)),
                (DispatchAttempt, DispatchAttempt.objects.filter(post__in=posts)),
                (PostTransition, PostTransition.objects.filter(post__in=posts)),
                (MomentPost, posts),
                (Contact, contacts),
                (ContactTag, ContactTag.objects.filter(owner__in=users)),
                (ContactGroup, ContactGroup.objects.filter(owner__in=users)),
                (Persona, Persona.objects.filter(owner__in=users)),
            ):
                sql, params = queryset.values("pk").query.sql_with_params()
                cursor.execute(
                    f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} "
                    f"WHERE id IN ({sql})",
                    params,
                )
            items = ContentItem.objects.filter(title__startswith=CONTENT_TITLE_PREFIX)
            for through in (ContentItem.topic_tags.through, ContentItem.audience_tags.through):
                through.objects.filter(contentitem__in=items)._raw_delete(connection.alias)
            items._raw_delete(connection.alias)
        PostingWindow.objects.filter(owner__in=users).delete()
        Team.objects.filter(name__startswith=TEAM_PREFIX).update(lead=None)
        User.groups.through.objects.filter(user__in=users).delete()
        User.objects.filter(pk__in=users).delete()
        Team.objects.filter(name__startswith=TEAM_PREFIX).delete()
        self.stderr.write(f"deleted in {time.perf_counter() - t0:.1f} s")

    # --- people ---------------------------------------------------------------------------

    def _people(self, agents: int, teams: int, password: str) -> None:
        """Teams, their agents (the first of each team leads it), a curator, one persona each."""
        # One hash for every bench login, with a fixed salt: the same rows for the same seed.
        password_hash = make_password(password, salt="siyubenchsalt0123456789")
        self.teams = Team.objects.bulk_create(
            Team(name=f"{TEAM_PREFIX}{t + 1:02d}", warmth_half_life_days=14) for t in range(teams)
        )
        joined = self.now - dt.timedelta(days=400)
        users: list[User] = []
        for i in range(agents):
            team = self.teams[i % teams]
            lead = i < teams
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            users.append(
                User(
                    username=f"{PREFIX}lead-{i + 1:02d}" if lead else f"{PREFIX}agent-{i + 1:04d}",
                    password=password_hash,
                    role=Role.LEAD if lead else Role.AGENT,
                    team=team,
                    display_name=f"{name}（{team.name}）",
                    date_joined=joined,
                )
            )
        users.append(
            User(
                username=f"{PREFIX}curator",
                password=password_hash,
                role=Role.CURATOR,
                is_staff=True,
                display_name="压测内容运营",
                date_joined=joined,
            )
        )
        users = User.objects.bulk_create(users)
        self.agents = users[:agents]
        self.curator = users[agents]
        for team, lead in zip(self.teams, self.agents[:teams], strict=True):
            team.lead = lead
        Team.objects.bulk_update(self.teams, ["lead"])
        groups = dict(Group.objects.values_list("name", "pk"))
        memberships = [
            User.groups.through(user_id=u.pk, group_id=groups[ROLE_GROUPS[u.role]])
            for u in users
            if ROLE_GROUPS.get(u.role) in groups
        ]
        User.groups.through.objects.bulk_create(memberships)

        today = self.now.astimezone(TZ).date()
        cols = columns_of(Persona)
        first = reserve_ids(Persona, agents)
        self.persona_of: dict[int, int] = {}
        rows = []
        for n, agent in enumerate(self.agents):
            self.persona_of[agent.pk] = first + n
            # One in ten accounts is still young (养号): the planner treats it differently.
            started = today - dt.timedelta(days=self.rng.randint(5, 25) if n % 10 == 9 else 400)
            values = {
                "owner_id": agent.pk,
                "nickname": f"{agent.display_name[:2]}-保险规划师",
                "avatar": "",
                "avatar_thumb": "",
                "avatar_side": None,
                "signature": "十年保险规划师，帮你把家庭保障配明白",
                "licence_number": f"{self.rng.getrandbits(80):026d}"[:26],
                "account_started": started,
                "created": joined,
                "updated": joined,
            }
            rows.append((first + n, *(values[c] for c in cols)))
        copy_rows(Persona, ["id", *cols], rows)

    # --- content library ------------------------------------------------------------------

    def _content(self, count: int) -> None:
        rng = self.rng
        topic_tags = [ContentTag.objects.get_or_create(name=t, kind="topic")[0] for t in TOPICS]
        audience_tags = [
            ContentTag.objects.get_or_create(name=t, kind="audience")[0] for t in AUDIENCES
        ]
        cols = columns_of(ContentItem)
        first = reserve_ids(ContentItem, count)
        today = self.now.astimezone(TZ).date()
        self.items: list[tuple[int, str, str, str, str]] = []  # id, category, line, title, body
        rows, topic_links, audience_links = [], [], []
        for n in range(count):
            pk = first + n
            category = rng.choices(("story", "value", "ad"), weights=(40, 40, 20))[0]
            line = rng.choice(PRODUCT_LINES) if category != "story" else ""
            status = rng.choices(
                ("approved", "draft", "in_review", "retired"), weights=(90, 4, 3, 3)
            )[0]
            valid_from = valid_until = None
            if rng.random() < 0.1:  # a campaign: valid for a few weeks around today
                valid_from = today - dt.timedelta(days=rng.randint(0, 30))
                valid_until = valid_from + dt.timedelta(days=rng.randint(7, 60))
            created = self.now - dt.timedelta(days=rng.uniform(30, 720))
            title = f"{CONTENT_TITLE_PREFIX}{rng.choice(TOPICS)}小课堂 第{n + 1}期"
            body = "".join(rng.sample(SENTENCES, rng.randint(2, 5)))
            approved = status in ("approved", "retired")
            values = {
                "title": title,
                "body": body,
                "category": category,
                "product_line": line,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "status": status,
                "status_changed_at": created,
                "status_changed_by_id": self.curator.pk,
                "approved_at": created if approved else None,
                "approved_by_id": self.curator.pk if approved else None,
                "findings": "[]",
                "has_block": False,
                "warning_count": 0,
                "checked_at": created,
                "times_scheduled": 0,
                "times_posted": 0,
                "interactions_earned": 0,
                "created_by_id": self.curator.pk,
                "created": created,
                "updated": created,
            }
            rows.append((pk, *(values[c] for c in cols)))
            for tag in rng.sample(topic_tags, rng.randint(1, 3)):
                topic_links.append((pk, tag.pk))
            for tag in rng.sample(audience_tags, rng.randint(0, 2)):
                audience_links.append((pk, tag.pk))
            if status == "approved" and (valid_until is None or valid_until >= today):
                self.items.append((pk, category, line, title, body))
        copy_rows(ContentItem, ["id", *cols], rows)
        for through, links in (
            (ContentItem.topic_tags.through, topic_links),
            (ContentItem.audience_tags.through, audience_links),
        ):
            copy_rows(through, ["contentitem_id", "tag_id"], links)
        self.content_count = count

    # --- contacts, tags, groups -----------------------------------------------------------

    def _contacts(self, per_agent: int) -> None:
        rng = self.rng
        total = per_agent * len(self.agents)
        tag_first = reserve_ids(ContactTag, len(self.agents) * len(CONTACT_TAGS))
        group_first = reserve_ids(ContactGroup, len(self.agents) * len(CONTACT_GROUPS))
        tag_rows, group_rows = [], []
        created0 = self.now - dt.timedelta(days=400)
        for a, agent in enumerate(self.agents):
            for t, name in enumerate(CONTACT_TAGS):
                tag_rows.append((tag_first + a * len(CONTACT_TAGS) + t, agent.pk, name, created0))
            for g, (name, kind) in enumerate(CONTACT_GROUPS):
                group_rows.append(
                    (group_first + a * len(CONTACT_GROUPS) + g, agent.pk, name, kind, "", created0)
                )
        copy_rows(ContactTag, ["id", "owner_id", "name", "created"], tag_rows)
        copy_rows(
            ContactGroup, ["id", "owner_id", "name", "kind", "description", "created"], group_rows
        )

        cols = columns_of(Contact)
        first = reserve_ids(Contact, total)
        self.contact_first, self.contact_count = first, total
        # A contact's creation time: most joined the pool before the interaction history
        # starts, a fifth within it. Interactions are drawn after it (see _interactions).
        self.contact_created: list[float] = []
        stages, stage_weights = zip(*STAGES, strict=True)
        stage_cum = list(accumulate(stage_weights))
        today = self.now.astimezone(TZ).date()
        now_ts = self.now.timestamp()
        history = HISTORY_DAYS * 86400
        tag_links: list[tuple[int, int]] = []
        group_links: list[tuple[int, int]] = []

        def rows() -> Iterator[tuple]:
            for n in range(total):
                a = n // per_agent
                owner = self.agents[a].pk
                pk = first + n
                recent = rng.random() < 0.2
                age = rng.uniform(1, history) if recent else rng.uniform(history, 3 * history)
                created_ts = now_ts - age
                self.contact_created.append(created_ts)
                created = dt.datetime.fromtimestamp(created_ts, dt.UTC)
                stage = stages[bisect_right(stage_cum, rng.random() * stage_cum[-1])]
                erased = rng.random() < 0.002  # a few leads asked to be forgotten
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
                follow = rng.random()
                values = {
                    "owner_id": owner,
                    "persona_id": self.persona_of[owner],
                    "name": "" if erased else name,
                    "remark": ""
                    if erased or rng.random() < 0.6
                    else f"{name}-{rng.choice(CITIES)}",
                    "wechat_id": "" if erased else f"wxb{n:07d}",
                    "phone": "" if erased or rng.random() < 0.3 else f"+86139{n:08d}",
                    "source": rng.choice(SOURCES),
                    "city": rng.choice(CITIES),
                    "stage": stage,
                    "notes": "" if rng.random() < 0.8 else "上次聊到孩子教育金，下周约见面。",
                    "next_follow_up": (
                        today + dt.timedelta(days=rng.randint(0, 14)) if follow < 0.05 else None
                    ),
                    "marketing_consent": rng.random() < 0.7,
                    "last_interaction_at": None,  # set by the recompute
                    "warmth_ref": 0.0,
                    "erased_at": created if erased else None,
                    "created": created,
                    "updated": created,
                }
                if not erased:
                    for t in rng.sample(range(len(CONTACT_TAGS)), rng.choice((0, 0, 1, 1, 2, 3))):
                        tag_links.append((pk, tag_first + a * len(CONTACT_TAGS) + t))
                    if rng.random() < 0.4:
                        g = rng.randrange(len(CONTACT_GROUPS))
                        group_links.append((pk, group_first + a * len(CONTACT_GROUPS) + g))
                yield (pk, *(values[c] for c in cols))

        progress = Progress("contacts", total)
        tags, groups = Contact.tags.through, Contact.groups.through
        with bulk_load(Contact, tags, groups):
            copy_rows(Contact, ["id", *cols], rows(), progress)
            copy_rows(tags, ["contact_id", "tag_id"], tag_links)
            copy_rows(groups, ["contact_id", "contactgroup_id"], group_links)
            progress.close()
            self.stderr.write("contacts: rebuilding indexes and keys …")

    # --- interactions ---------------------------------------------------------------------

    def _interactions(self, total: int) -> None:
        """``total`` interactions; a Pareto draw makes a few leads busy and most quiet."""
        rng = self.rng
        kinds = [
            (pk, weight, KIND_FREQUENCY[code])
            for pk, code, weight in InteractionKind.objects.values_list("pk", "code", "weight")
            if code in KIND_FREQUENCY
        ]
        kind_cum = list(accumulate(k[2] for k in kinds))
        owners = [a.pk for a in self.agents]
        per_agent = self.contact_count // len(owners)
        busy = list(accumulate(rng.paretovariate(1.5) for _ in range(self.contact_count)))
        now_ts = self.now.timestamp()
        oldest = now_ts - HISTORY_DAYS * 86400
        first = self.contact_first
        created = self.contact_created
        cols = ["contact_id", "kind_id", "at", "post_id", "note", "logged_by_id", "weight"]
        cols += ["created", "owner_id"]
        # Timestamps as text: formatting 2,000,000 datetimes is the slowest part otherwise.
        day_text: dict[int, str] = {}

        def stamp(ts: float) -> str:
            whole = int(ts)
            day, second = divmod(whole, 86400)
            text = day_text.get(day)
            if text is None:
                text = day_text[day] = dt.datetime.fromtimestamp(day * 86400, dt.UTC).strftime(
                    "%Y-%m-%d"
                )
            h, rest = divmod(second, 3600)
            m, s = divmod(rest, 60)
            return f"{text} {h:02d}:{m:02d}:{s:02d}+00"

        def rows() -> Iterator[tuple]:
            random_ = rng.random
            top_busy, top_kind = busy[-1], kind_cum[-1]
            n_kinds = len(kinds) - 1
            for _ in range(total):
                n = bisect_right(busy, random_() * top_busy, 0, self.contact_count - 1)
                k = kinds[min(bisect_right(kind_cum, random_() * top_kind), n_kinds)]
                start = max(created[n], oldest)
                at = stamp(start + random_() * (now_ts - start))
                owner = owners[n // per_agent]
                yield (first + n, k[0], at, None, "", owner, k[1], at, owner)

        progress = Progress("interactions", total)
        with bulk_load(Interaction):
            copy_rows(Interaction, cols, rows(), progress, every=50_000)
            progress.close()
            self.stderr.write("interactions: rebuilding indexes and keys …")

    # --- Moment posts ---------------------------------------------------------------------

    def _posts(self, weeks: int) -> None:
        """Every agent's persona, every day of ``weeks`` weeks (from two weeks before this
        one), every default window: what the planner would have written, in the statuses
        those posts would have reached by ``now``."""
        rng = self.rng
        windows = list(PostingWindow.objects.global_defaults().filter(active=True))
        if not windows:
            raise CommandError("no global posting windows: run migrate first")
        today = self.now.astimezone(TZ).date()
        monday = today - dt.timedelta(days=today.weekday() + 14)
        days = [monday + dt.timedelta(days=d) for d in range(7 * weeks)]
        by_category: dict[str, list] = {}
        for item in self.items:
            by_category.setdefault(item[1], []).append(item)
        if not by_category:
            raise CommandError("no approved content to post: raise --content")
        cols = columns_of(MomentPost)
        total = len(self.agents) * len(days) * len(windows)
        needs_review = {t.pk for t in self.teams if t.posts_need_approval}
        team_of = {a.pk: a.team_id for a in self.agents}
        lead_of = {t.pk: t.lead_id for t in self.teams}

        def rows() -> Iterator[tuple]:
            for agent in self.agents:
                persona = self.persona_of[agent.pk]
                for day in days:
                    for window in windows:
                        if not window.runs_on(day):
                            continue
                        yield self._post_row(
                            cols, rng, agent, persona, day, window, by_category,
                            team_of[agent.pk] in needs_review, lead_of[team_of[agent.pk]],
                        )  # fmt: skip

        progress = Progress("posts", total)
        self.post_count = copy_rows(MomentPost, cols, rows(), progress, every=1000)
        progress.close()

    def _post_row(
        self,
        cols: list[str],
        rng: random.Random,
        agent: User,
        persona: int,
        day: dt.date,
        window: PostingWindow,
        by_category: dict[str, list],
        reviewed: bool,
        lead: int,
    ) -> tuple:
        start, end = window.bounds_on(day, TZ)
        span = int((end - start).total_seconds())
        at = start + dt.timedelta(seconds=rng.randrange(0, max(span - 600, 1)))
        category = rng.choices(("story", "value", "ad"), weights=(40, 40, 20))[0]
        pk, category, line, title, body = rng.choice(by_category.get(category) or self.items)
        past = at <= self.now
        if past:
            status = rng.choices(
                (PostStatus.POSTED, PostStatus.MISSED, PostStatus.CANCELLED), weights=(85, 10, 5)
            )[0]
            if end > self.now and status != PostStatus.CANCELLED:
                status = PostStatus.SENT  # its window is still open
        elif reviewed:
            status = rng.choices(
                (PostStatus.SCHEDULED, PostStatus.PENDING_REVIEW, PostStatus.REJECTED),
                weights=(70, 25, 5),
            )[0]
        else:
            status = PostStatus.SCHEDULED
        sent = status in (PostStatus.SENT, PostStatus.POSTED, PostStatus.MISSED)
        was_reviewed = reviewed and status not in (PostStatus.PENDING_REVIEW,)
        planned = at - dt.timedelta(days=7)
        values = {
            "persona_id": persona,
            "content_id": pk,
            "title": title,
            "text": body,
            "image_paths": "[]",
            "category": category,
            "product_line": line,
            "window_id": window.pk,
            "window_name": window.name,
            "scheduled_at": at,
            "window_ends_at": end,
            "status": status,
            "review_comment": "换一篇更贴近客户的故事。" if status == PostStatus.REJECTED else "",
            "reviewed_by_id": lead if was_reviewed else None,
            "reviewed_at": planned + dt.timedelta(hours=2) if was_reviewed else None,
            "findings": "[]",
            "has_block": False,
            "checked_at": planned,
            "plan_reason": f"{window.name}: {category}",
            "idempotency_key": uuid.UUID(int=rng.getrandbits(128), version=4),
            "claim_token": None,
            "claimed_at": None,
            "attempts": 1 if sent else 0,
            "next_attempt_at": None,
            "last_error": "",
            "sent_at": at if sent else None,
            "posted_at": at + dt.timedelta(minutes=rng.randint(1, 30))
            if status == PostStatus.POSTED
            else None,
            "created_by_id": None,
            "created": planned,
            "updated": at if past else planned,
        }
        return tuple(values[c] for c in cols)

    def _analyse(self) -> None:
        # VACUUM too on PostgreSQL: freshly written tables have an empty visibility map, so
        # index-only scans visit the table for every row until (auto)vacuum has run, which a
        # live database's autovacuum keeps done (this machine's PostgreSQL runs without it).
        # Not inside a transaction (a test's), where PostgreSQL refuses VACUUM.
        # Every table, as autovacuum would: a table left without statistics (the tags and
        # groups were) is planned from its size on disk, not as a live database plans it.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
