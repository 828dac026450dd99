"""The pure planner on hand-made cases: time zones, re-planning, the ad rules, reasons.

No database: ``scheduler.planner`` imports no Django, so these run in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scheduler.planner import (
    AD,
    DEFAULT_WINDOWS,
    STORY,
    VALUE,
    KeptPost,
    LibraryItem,
    PastPost,
    PlanRequest,
    Reason,
    WindowSpec,
    plan,
    slot_time,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = dt.date(2025, 3, 3)
UTC = dt.UTC


def library(story: int = 20, value: int = 20, ad: int = 10, **fields) -> list[LibraryItem]:
    """``story`` story items with ids 1.., value items 101.., ad items 201.."""
    return [
        LibraryItem(base + n, category, **fields)
        for base, category, count in ((0, STORY, story), (100, VALUE, value), (200, AD, ad))
        for n in range(1, count + 1)
    ]


def request(**fields) -> PlanRequest:
    fields.setdefault("persona_id", 7)
    fields.setdefault("start", MONDAY)
    fields.setdefault("days", 7)
    fields.setdefault("library", library())
    return PlanRequest(**fields)


def one_window(start=dt.time(12), end=dt.time(13, 30), key="lunch") -> list[WindowSpec]:
    return [WindowSpec(key, key.title(), start, end)]


# ----------------------------------------------------------------------------- time


def test_default_week_in_shanghai_fills_the_three_golden_hours_each_day():
    result = plan(request())
    assert len(result.posts) == 21 and not result.unfilled
    windows = {w.key: w for w in DEFAULT_WINDOWS}
    for post in result.posts:
        assert post.at.tzinfo is SHANGHAI
        assert post.at.utcoffset() == dt.timedelta(hours=8)
        assert post.at.date() == post.local_date
        assert windows[post.window_key].start <= post.at.time() < windows[post.window_key].end
        assert post.at.minute != 0 and post.at.second == 0


def test_post_minutes_are_reproducible_and_move_with_the_seed():
    first = [p.at for p in plan(request(seed=1)).posts]
    assert first == [p.at for p in plan(request(seed=1)).posts]
    assert first != [p.at for p in plan(request(seed=2)).posts]
    assert first != [p.at for p in plan(request(seed=1, persona_id=8)).posts]


def test_minutes_on_the_hour_are_never_chosen_even_when_the_window_is_mostly_hours():
    # 09:00-09:02 holds 09:00 and 09:01: only 09:01 may be used.
    window = WindowSpec("tiny", "Tiny", dt.time(9), dt.time(9, 2))
    assert window.minutes == (dt.time(9, 1),)
    times = {
        slot_time(seed=s, persona_id=1, day=MONDAY, window=window, tz=SHANGHAI).time()
        for s in range(50)
    }
    assert times == {dt.time(9, 1)}


def test_a_window_without_a_minute_off_the_hour_is_refused():
    with pytest.raises(ValueError, match="no whole minute"):
        WindowSpec("x", "X", dt.time(9), dt.time(9, 1))
    with pytest.raises(ValueError, match="before end"):
        WindowSpec("x", "X", dt.time(23), dt.time(1))


def test_new_york_week_across_the_march_change_keeps_local_wall_times():
    # Clocks go from 02:00 EST to 03:00 EDT on Sunday 9 March 2025.
    result = plan(request(start=dt.date(2025, 3, 6), days=7, tz=NEW_YORK))
    assert len(result.posts) == 21 and not result.unfilled
    windows = {w.key: w for w in DEFAULT_WINDOWS}
    for post in result.posts:
        expected = dt.timedelta(hours=-5 if post.local_date < dt.date(2025, 3, 9) else -4)
        assert post.at.utcoffset() == expected, post
        wall = post.at.astimezone(UTC).astimezone(NEW_YORK)
        assert wall.date() == post.local_date
        assert windows[post.window_key].start <= wall.time() < windows[post.window_key].end


def test_a_window_swallowed_by_the_spring_change_is_reported_not_invented():
    gap = WindowSpec("night", "Night", dt.time(2, 5), dt.time(2, 55))
    result = plan(request(start=dt.date(2025, 3, 8), days=3, tz=NEW_YORK, windows=[gap]))
    assert [p.local_date for p in result.posts] == [dt.date(2025, 3, 8), dt.date(2025, 3, 10)]
    [unfilled] = result.unfilled
    assert unfilled.local_date == dt.date(2025, 3, 9)
    assert unfilled.reason_code == "no_valid_time"
    assert unfilled.reason == "The Night window does not exist on this day (clock change)"


def test_a_window_straddling_the_spring_change_uses_only_minutes_that_exist():
    window = WindowSpec("late", "Late", dt.time(1, 30), dt.time(3, 30))
    day = dt.date(2025, 3, 9)
    for seed in range(200):
        at = slot_time(seed=seed, persona_id=1, day=day, window=window, tz=NEW_YORK)
        wall = at.astimezone(UTC).astimezone(NEW_YORK)
        assert wall.replace(tzinfo=None) == at.replace(tzinfo=None)  # the time exists
        assert wall.hour != 2
        assert wall.minute != 0


def test_an_ambiguous_autumn_minute_means_its_first_occurrence():
    # 2 November 2025: 01:00-02:00 happens twice in New York (EDT, then EST).
    window = WindowSpec("twice", "Twice", dt.time(1, 5), dt.time(1, 55))
    at = slot_time(seed=3, persona_id=1, day=dt.date(2025, 11, 2), window=window, tz=NEW_YORK)
    assert at.fold == 0
    assert at.utcoffset() == dt.timedelta(hours=-4)


# ----------------------------------------------------------------------- re-planning


def test_replanning_keeps_approved_posts_in_their_slots_and_plans_around_them():
    kept = [
        KeptPost(MONDAY, "lunch", 3, STORY, dt.datetime(2025, 3, 3, 12, 40, tzinfo=SHANGHAI)),
        KeptPost(MONDAY + dt.timedelta(days=2), "bedtime", 201, AD),
    ]
    result = plan(request(kept=kept))
    slots = {(p.local_date, p.window_key) for p in result.posts}
    assert len(result.posts) == 19 and not result.unfilled
    assert not slots & {(k.local_date, k.window_key) for k in kept}
    # Their content is not planned again, and the kept ad is that day's only ad.
    assert not {3, 201} & {p.content_id for p in result.posts}
    wednesday = [p for p in result.posts if p.local_date == kept[1].local_date]
    assert all(p.category != AD for p in wednesday)


def test_history_inside_the_range_is_replaced_history_outside_blocks_reuse():
    items = library(story=2, value=2, ad=0)
    history = [
        PastPost(1, STORY, MONDAY - dt.timedelta(days=29), "lunch"),  # blocks item 1
        PastPost(2, STORY, MONDAY, "lunch"),  # inside the range: a post being replaced
    ]
    result = plan(
        request(days=1, windows=one_window(), library=items, history=history, mix={STORY: 1})
    )
    assert [p.content_id for p in result.posts] == [2]


def test_content_is_not_reused_within_reuse_days_even_when_slots_go_empty():
    result = plan(request(library=library(story=2, value=2, ad=1)))
    used = [p.content_id for p in result.posts]
    assert len(used) == len(set(used)) == 5
    assert len(result.unfilled) == 16
    assert {u.reason for u in result.unfilled} == {
        "No approved, in-date story content unused in 30 days; "
        "no approved, in-date value content unused in 30 days; "
        "no approved, in-date ad content unused in 30 days"
    }


def test_no_content_reason_names_the_category_and_the_reuse_window():
    result = plan(request(days=1, windows=one_window(), library=[], mix={VALUE: 1}, reuse_days=30))
    [slot] = result.unfilled
    assert slot.reason_code == "no_content"
    assert slot.reason_params["category"] == VALUE and slot.reason_params["reuse_days"] == 30
    assert slot.reason == "No approved, in-date value content unused in 30 days"
    assert slot.reasons == (Reason("no_content", {"category": VALUE, "reuse_days": 30}),)


def test_out_of_date_and_non_compliant_items_are_never_planned():
    items = [
        LibraryItem(1, STORY, valid_until=MONDAY - dt.timedelta(days=1)),
        LibraryItem(2, STORY, valid_from=MONDAY + dt.timedelta(days=1)),
        LibraryItem(3, STORY, compliant=False),
        LibraryItem(4, STORY, valid_from=MONDAY, valid_until=MONDAY),
    ]
    result = plan(request(days=2, windows=one_window(), library=items, mix={STORY: 1}))
    assert [(p.local_date, p.content_id) for p in result.posts] == [
        (MONDAY, 4),
        (MONDAY + dt.timedelta(days=1), 2),
    ]


# --------------------------------------------------------------------------- ads


def test_the_history_s_last_post_being_an_ad_keeps_the_first_slot_free_of_ads():
    history = [PastPost(250, AD, MONDAY - dt.timedelta(days=1), "bedtime")]
    # Ads first in the mix: without the history the first post would be an ad.
    result = plan(request(days=1, mix={STORY: 1, AD: 3}, history=history))
    first = result.posts[0]
    assert first.category == STORY
    assert [r.code for r in first.reasons][:2] == ["mix_next", "skip_ad_adjacent"]
    assert first.reason.startswith("Story is next furthest behind its 25% share")


def test_at_most_one_ad_a_day_even_when_the_mix_asks_for_more():
    result = plan(request(mix={STORY: 1, AD: 2}))
    ads = [p.local_date for p in result.posts if p.category == AD]
    assert len(ads) == len(set(ads)) == 7
    assert any(r.code == "skip_ad_today" for p in result.posts for r in p.reasons)


def test_a_planned_ad_before_a_kept_ad_with_only_empty_slots_between_is_replaced():
    # One window a day. Day 1 wants an ad; day 2 has nothing valid; day 3 holds a kept ad.
    # Day 1's ad would sit right before the kept one, so it becomes a story.
    day1, day2, day3 = MONDAY, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    items = [
        LibraryItem(1, STORY, valid_until=day1),
        LibraryItem(2, AD, valid_until=day2),
    ]
    kept = [KeptPost(day3, "lunch", 99, AD)]
    result = plan(
        request(days=3, windows=one_window(), library=items, kept=kept, mix={STORY: 1, AD: 9})
    )
    assert [(p.local_date, p.content_id, p.category) for p in result.posts] == [(day1, 1, STORY)]
    assert [r.code for r in result.posts[0].reasons][:2] == ["mix_next", "skip_ad_adjacent"]
    [empty] = result.unfilled
    assert empty.local_date == day2


def test_without_another_category_the_ad_before_a_kept_ad_leaves_its_slot_empty():
    day1, day3 = MONDAY, MONDAY + dt.timedelta(days=2)
    items = [LibraryItem(2, AD, valid_until=day1)]
    kept = [KeptPost(day3, "lunch", 99, AD)]
    result = plan(
        request(days=3, windows=one_window(), library=items, kept=kept, mix={STORY: 1, AD: 9})
    )
    assert result.posts == ()
    assert [u.local_date for u in result.unfilled] == [day1, MONDAY + dt.timedelta(days=1)]
    assert "skip_ad_adjacent" in [r.code for r in result.unfilled[0].reasons]


def test_an_ad_right_after_the_range_keeps_the_last_post_of_the_range_from_being_an_ad():
    after = [PastPost(250, AD, MONDAY + dt.timedelta(days=1), "commute")]
    result = plan(request(days=1, windows=one_window(), mix={AD: 1, STORY: 1}, history=after))
    assert [p.category for p in result.posts] == [STORY]


# ------------------------------------------------------------------------ the mix


def test_a_week_follows_the_40_40_20_mix():
    result = plan(request())
    counts = {c: sum(p.category == c for p in result.posts) for c in (STORY, VALUE, AD)}
    # 21 posts: 8.4 / 8.4 / 4.2
    assert counts[AD] == 4 and {counts[STORY], counts[VALUE]} <= {8, 9}


def test_kept_posts_count_toward_the_mix():
    kept = [KeptPost(MONDAY + dt.timedelta(days=d), "bedtime", 201 + d, AD) for d in range(4)]
    result = plan(request(kept=kept))
    assert not [p for p in result.posts if p.category == AD]


def test_a_category_with_weight_zero_is_never_planned_even_to_fill_a_slot():
    result = plan(request(library=library(story=0, value=30, ad=0), mix={STORY: 50, AD: 50}))
    assert result.posts == ()
    assert {u.reason_code for u in result.unfilled} == {"no_content"}


# ------------------------------------------------------------------ nurturing mode


def test_nurturing_plans_one_post_a_day_and_no_ads():
    result = plan(request(nurturing=True))
    assert len(result.posts) == 7
    assert len({p.local_date for p in result.posts}) == 7
    assert all(p.category != AD for p in result.posts)
    assert len(result.unfilled) == 14
    assert {u.reason for u in result.unfilled} == {"Nurturing mode: at most one post a day"}
    # Story and value keep their 40 / 40 weights: half each.
    shares = [p.reason_params["target"] for p in result.posts]
    assert set(shares) == {50}


def test_nurturing_adds_nothing_to_a_day_with_a_kept_post():
    kept = [KeptPost(MONDAY, "commute", 1, STORY)]
    result = plan(request(nurturing=True, kept=kept))
    assert MONDAY not in {p.local_date for p in result.posts}
    assert len(result.posts) == 6


def test_nurturing_with_an_ad_only_mix_reports_why_nothing_is_planned():
    result = plan(request(days=1, nurturing=True, mix={AD: 100}))
    assert result.posts == ()
    assert {u.reason_code for u in result.unfilled} == {"mix_empty", "nurturing_rest"}


# ---------------------------------------------------------------------- preference


def test_topics_the_leads_reacted_to_come_first():
    items = [
        LibraryItem(1, STORY, frozenset({"travel"})),
        LibraryItem(2, STORY, frozenset({"education"})),
        LibraryItem(3, STORY, frozenset({"education", "retirement"})),
    ]
    result = plan(
        request(
            days=3,
            windows=one_window(),
            library=items,
            mix={STORY: 1},
            topic_interest={"education": 2.0, "retirement": 0.5},
        )
    )
    assert [p.content_id for p in result.posts] == [3, 2, 1]
    assert result.posts[0].reason == (
        "Story is furthest behind its 100% share (0 of 0 so far); "
        "matches the leads' interest in education, retirement"
    )
    assert result.posts[0].reason_params["topics"] == ["education", "retirement"]
    assert result.posts[2].reasons[-1].code == "no_topic_match"


def test_unused_content_comes_before_content_used_longest_ago():
    items = library(story=3, value=0, ad=0)
    history = [
        PastPost(1, STORY, MONDAY - dt.timedelta(days=40), "lunch"),
        PastPost(2, STORY, MONDAY - dt.timedelta(days=60), "lunch"),
    ]
    result = plan(
        request(days=3, windows=one_window(), library=items, history=history, mix={STORY: 1})
    )
    assert [p.content_id for p in result.posts] == [3, 2, 1]
    assert [p.reason_params["last_used_days_ago"] for p in result.posts] == [None, 61, 42]


def test_the_seed_varies_the_choice_among_equal_items():
    chosen = {plan(request(days=1, seed=s)).posts[0].content_id for s in range(20)}
    assert len(chosen) > 1


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"days": 0}, "days"),
        ({"reuse_days": 0}, "reuse_days"),
        ({"mix": {"gossip": 10}}, "unknown category"),
        ({"mix": {STORY: -1}}, "non-negative"),
        ({"library": [LibraryItem(1, STORY), LibraryItem(1, VALUE)]}, "unique"),
        ({"library": [LibraryItem(1, "gossip")]}, "unknown category"),
        ({"windows": [*DEFAULT_WINDOWS, DEFAULT_WINDOWS[0]]}, "unique"),
        ({"kept": [KeptPost(MONDAY, "lunch", 1, STORY, dt.datetime(2025, 3, 3, 12))]}, "aware"),
    ],
)
def test_malformed_requests_are_refused_with_a_clear_message(fields, message):
    with pytest.raises(ValueError, match=message):
        plan(request(**fields))
