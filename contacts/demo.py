"""Demo data: each demo agent gets a persona and about 60 contacts with tags and groups.

Idempotent: personas are found by nickname, contacts by WeChat ID; a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from contacts.models import Contact, ContactGroup, GroupKind, Persona, Stage
from contacts.services import persona_create, persona_update
from contacts.services.contacts import groups_resolve, tags_resolve
from crm.models import User

DEMO_AGENTS = {
    # username: (nickname, signature, licence, days since the account was opened)
    "agent1": (
        "小李-保险规划师",
        "十年保险规划师 帮你把家庭保障配明白",
        "02000132000080002019012345",
        400,
    ),
    "agent2": (
        "小张-健康险顾问",
        "专注重疾医疗险 理赔路上陪伴你",
        "02000144000080002021054321",
        120,
    ),
    "agent3": ("小陈保险", "", "", 12),  # young and incomplete: shows nurturing and the checklist
    "lead": ("王团长-家庭保障", "带团队守护三百个家庭", "02000131000080002015000001", 900),
}
CONTACTS_PER_AGENT = 60
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓燕",
    "子涵",
    "一诺",
    "浩然",
    "梓萱",
]
TAGS = ["宝妈", "高意向", "重疾", "医疗险", "养老", "教育金", "企业主", "老客户", "已理赔", "车险"]
GROUPS = [
    ("老客户群", GroupKind.WECHAT_GROUP),
    ("宝妈交流群", GroupKind.WECHAT_GROUP),
    ("重点跟进", GroupKind.TAG_GROUP),
    ("企业主", GroupKind.TAG_GROUP),
]
MOBILE_PREFIXES = ["138", "139", "136", "186", "158", "150", "177", "188"]
SOURCES = ["转介绍", "朋友圈", "展会", "社群", "线下活动", "老客户", "公众号"]
CITIES = ["上海", "杭州", "苏州", "南京", "宁波", "无锡", "合肥"]
STAGE_WEIGHTS = [
    (Stage.NEW_FRIEND, 30),
    (Stage.ENGAGED, 25),
    (Stage.INTERESTED, 15),
    (Stage.PROPOSAL, 8),
    (Stage.CUSTOMER, 12),
    (Stage.ADVOCATE, 4),
    (Stage.LOST, 6),
]


def _avatar(seed: int) -> io.BytesIO:
    """A generated 800 px portrait stand-in (the demo ships no photos of real people)."""
    rng = random.Random(seed)
    base = (rng.randint(40, 120), rng.randint(100, 160), rng.randint(120, 200))
    image = Image.new("RGB", (800, 800), base)
    draw = ImageDraw.Draw(image)
    draw.ellipse((250, 140, 550, 440), fill=(245, 220, 200))
    draw.rounded_rectangle((160, 470, 640, 900), radius=160, fill=(30, 50, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


def _persona(user: User, index: int) -> Persona:
    nickname, signature, licence, age_days = DEMO_AGENTS[user.username]
    persona = Persona.objects.filter(owner=user, nickname=nickname).first()
    if persona is None:
        persona = persona_create(
            owner=user,
            nickname=nickname,
            signature=signature,
            licence_number=licence,
            account_started=timezone.localdate() - dt.timedelta(days=age_days),
        )
    if not persona.avatar and user.username != "agent3":
        persona = persona_update(persona=persona, avatar=_avatar(index))
    return persona


@transaction.atomic
def _contacts(user: User, persona: Persona, index: int) -> int:
    rng = random.Random(1000 + index)
    groups = groups_resolve(owner=user, names=[name for name, _kind in GROUPS])
    kinds = dict(GROUPS)
    for group in groups:
        if group.kind != kinds[group.name]:
            ContactGroup.objects.filter(pk=group.pk).update(kind=kinds[group.name])
    tags = tags_resolve(owner=user, names=TAGS)
    stages = [stage for stage, _w in STAGE_WEIGHTS]
    weights = [w for _s, w in STAGE_WEIGHTS]
    existing = set(Contact.objects.filter(owner=user).values_list("wechat_id", flat=True))
    now = timezone.now()
    new, links = [], []
    for n in range(CONTACTS_PER_AGENT):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        wechat_id = f"demo_{user.username}_{n:03d}"
        chosen_tags = rng.sample(tags, rng.randint(0, 3))
        chosen_groups = rng.sample(groups, rng.randint(0, 2))
        stage = rng.choices(stages, weights)[0]
        days_ago = rng.randint(1, 180)
        if wechat_id in existing:
            continue
        new.append(
            Contact(
                owner=user,
                persona=persona,
                name=name,
                remark=f"{name}-{rng.choice(CITIES)}" if rng.random() < 0.4 else "",
                wechat_id=wechat_id,
                phone=f"+86{rng.choice(MOBILE_PREFIXES)}{index}{n:07d}",
                source=rng.choice(SOURCES),
                city=rng.choice(CITIES),
                stage=stage,
                notes="",
                next_follow_up=(
                    timezone.localdate() + dt.timedelta(days=rng.randint(-3, 14))
                    if rng.random() < 0.3
                    else None
                ),
                marketing_consent=rng.random() < 0.7,
                created=now - dt.timedelta(days=days_ago),
            )
        )
        links.append((chosen_tags, chosen_groups))
    Contact.objects.bulk_create(new)
    TagLink, GroupLink = Contact.tags.through, Contact.groups.through
    TagLink.objects.bulk_create(
        [
            TagLink(contact_id=c.pk, tag_id=t.pk)
            for c, (ts, _g) in zip(new, links, strict=True)
            for t in ts
        ],
        ignore_conflicts=True,
    )
    GroupLink.objects.bulk_create(
        [
            GroupLink(contact_id=c.pk, contactgroup_id=g.pk)
            for c, (_t, gs) in zip(new, links, strict=True)
            for g in gs
        ],
        ignore_conflicts=True,
    )
    return len(new)


def seed(stdout=None) -> None:
    """Give each demo agent (and the lead) a persona and ~60 contacts. Safe to run twice."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_AGENTS)}
    for index, username in enumerate(DEMO_AGENTS, start=1):
        user = users.get(username)
        if user is None:
            continue
        persona = _persona(user, index)
        added = _contacts(user, persona, index)
        if stdout is not None:
            stdout.write(f"contacts: {username}: persona {persona.nickname}, {added} new contacts")
