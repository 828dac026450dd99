"""The planner's reasons in the user's language.

The pure planner (``scheduler.planner``) explains itself with English templates keyed by code
(``REASON_TEMPLATES``). The same strings are marked here for translation, so makemessages
finds them; ``reason_text`` translates each part and fills in its params.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from content.models import Category
from scheduler.planner import REASON_TEMPLATES, Reason

# The planner's templates, word for word (a test says so), marked for translation.
MSGIDS = {
    # "{target}{percent}" and not "{target}%": "% s" would read as a printf format to gettext.
    "mix": gettext_noop(
        "{category} is furthest behind its {target}{percent} share ({count} of {total} so far)"
    ),
    "mix_next": gettext_noop(
        "{category} is next furthest behind its {target}{percent} share ({count} of {total} so far)"
    ),
    "skip_ad_today": gettext_noop("no ad: there is already one that day"),
    "skip_ad_adjacent": gettext_noop("no ad: it would sit next to another ad"),
    "no_content": gettext_noop(
        "no approved, in-date {category} content unused in {reuse_days} days"
    ),
    "topic_match": gettext_noop("matches the leads' interest in {topics}"),
    "no_topic_match": gettext_noop("no topic the leads reacted to; the least recently used"),
    "ad_rules": gettext_noop("only ads fit the mix here and the ad rules forbid one"),
    "nurturing_rest": gettext_noop("nurturing mode: at most one post a day"),
    "no_valid_time": gettext_noop("the {window} window does not exist on this day (clock change)"),
    "mix_empty": gettext_noop("the mix allows no category that can be posted"),
    "past": gettext_noop("that time has already passed"),
}


def _param(key: str, value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_param(key, v) for v in value)
    if key == "category" and value in Category.values:
        return str(Category(value).label)
    return str(value)


def reason_text(reasons: Iterable[Reason]) -> str:
    """The reason parts in the active language, joined like the planner joins them."""
    parts = []
    for reason in reasons:
        template = MSGIDS.get(reason.code) or REASON_TEMPLATES.get(reason.code, reason.code)
        params = {k: _param(k, v) for k, v in reason.params.items()}
        params["percent"] = "%"
        try:
            parts.append(gettext(template).format(**params))
        except (KeyError, IndexError):  # a translation that lost a placeholder
            parts.append(template.format(**params))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]
