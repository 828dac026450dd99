"""The slot rules as pure functions (``scheduler.slots``): no database, no Django."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scheduler import slots
from scheduler.slots import SlotPost, check_slot

TZ = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.date(2026, 3, 4)
EVERY_DAY = slots.ALL_WEEKDAYS


def post(day_offset: int, hour: int, window: str, category: str = "story", id=None) -> SlotPost:
    day = WEDNESDAY + dt.timedelta(days=day_offset)
    at = dt.datetime.combine(day, dt.time(hour, 11), tzinfo=TZ)
    return SlotPost(at=at, local_date=day, window_key=window, category=category, id=id)


def rules(candidate, others, *, weekdays=EVERY_DAY, nurturing=False, now=None) -> list[str]:
    found = check_slot(candidate, others, weekdays=weekdays, nurturing=nurturing, now=now)
    return [v.rule for v in found]


def test_a_free_slot_breaks_nothing():
    assert rules(post(0, 12, "lunch", "ad"), [post(0, 8, "commute"), post(1, 8, "commute")]) == []


def test_the_post_itself_is_no_neighbour_of_its_new_slot():
    me = post(0, 12, "lunch", "ad", id=7)
    assert rules(me, [post(0, 12, "lunch", "ad", id=7)]) == []


@pytest.mark.parametrize(
    ("candidate", "others", "expected"),
    [
        (post(0, 12, "lunch"), [post(0, 12, "lunch", id=2)], [slots.WINDOW_TAKEN]),
        # The same window another day is free.
        (post(0, 12, "lunch"), [post(1, 12, "lunch", id=2)], []),
        # An ad in the morning, a story between: only "one ad a day".
        (
            post(0, 12, "lunch", "ad"),
            [post(0, 8, "commute", "ad", id=2), post(0, 10, "morning", id=3)],
            [slots.AD_TODAY],
        ),
        # Empty windows do not separate posts: tomorrow's first post is an ad.
        (post(0, 12, "lunch", "ad"), [post(1, 8, "commute", "ad", id=2)], [slots.AD_ADJACENT]),
        # Yesterday's last post is an ad.
        (post(0, 8, "commute", "ad"), [post(-1, 21, "bedtime", "ad", id=2)], [slots.AD_ADJACENT]),
        # A story between them: fine.
        (
            post(0, 12, "lunch", "ad"),
            [post(0, 21, "bedtime", id=3), post(1, 8, "commute", "ad", id=2)],
            [],
        ),
    ],
)
def test_each_rule_on_its_own(candidate, others, expected):
    assert rules(candidate, others) == expected


def test_no_ad_while_nurturing_but_a_story_is_fine():
    assert rules(post(0, 12, "lunch", "ad"), [], nurturing=True) == [slots.NURTURING_AD]
    assert rules(post(0, 12, "lunch"), [], nurturing=True) == []


def test_a_window_closed_that_weekday():
    assert rules(post(0, 12, "lunch"), [], weekdays={0, 1}) == [slots.WEEKDAY]
    assert rules(post(0, 12, "lunch"), [], weekdays={WEDNESDAY.weekday()}) == []


def test_the_past_counts_only_when_now_is_given():
    candidate = post(0, 12, "lunch")
    assert rules(candidate, [], now=candidate.at) == [slots.PAST]
    assert rules(candidate, [], now=candidate.at - dt.timedelta(seconds=1)) == []
    assert rules(candidate, [], now=None) == []


def test_every_rule_has_an_english_message_and_the_planner_reasons_match():
    from scheduler.planner import REASON_TEMPLATES

    assert all(slots.MESSAGES[rule] for rule in slots.RULES)
    for rule in (slots.AD_TODAY, slots.AD_ADJACENT):
        assert f"skip_{rule}" in REASON_TEMPLATES
    assert slots.PAST in REASON_TEMPLATES
