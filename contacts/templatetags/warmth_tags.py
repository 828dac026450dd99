"""``{% warmth_panel contact %}``, ``{{ value|warmth }}`` and ``{% warmth_alerts %}``:
warmth on any page, server-drawn."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats, timezone

from contacts import warmth
from contacts.charts import warmth_svg
from contacts.models import Contact, Interaction
from contacts.warmth import alerts as alert_reads
from contacts.warmth import selectors as selectors_warmth
from contacts.warmth.tiers import thresholds

register = template.Library()


def panel_context(
    contact: Contact,
    user,
    message: str = "",
    *,
    now: datetime | None = None,
    undo: Interaction | None = None,
    oob: bool = False,
) -> dict:
    """Everything the warmth panel of a contact page shows (a fixed number of queries), at
    ``now`` (default: now), so the heading, the chart and a message about the same change
    read one number. ``undo``: an interaction just logged, offered to take back; ``oob``: an
    htmx answer, which also swaps the details' "last interaction" (``hx-swap-oob``)."""
    now = now or timezone.now()
    view = selectors_warmth.contact_warmth(contact, now)
    curve = selectors_warmth.contact_curve(contact, now, view.half_life_days)
    can_log = contact.owner_id == user.pk and not contact.is_erased
    return {
        "contact": contact,
        "warmth": view,
        "thresholds": thresholds(),
        "chart": warmth_svg(curve, thresholds=thresholds()),
        "timeline": selectors_warmth.contact_timeline(contact),
        "why": selectors_warmth.contact_why(contact, now, view.half_life_days),
        "kinds": selectors_warmth.quick_kinds(),
        "can_log": can_log,
        "message": message,
        "undo": undo if can_log else None,
        "now": now,
        "oob": oob,
    }


@register.filter(name="warmth")
def warmth_shown(value: float) -> str:
    """``{{ value|warmth }}``: a warmth as every page shows it (``contacts.warmth.shown``)."""
    return warmth.shown(value, formats.get_format("DECIMAL_SEPARATOR"))


@register.inclusion_tag("contacts/_warmth_panel_body.html", takes_context=True)
def warmth_panel(context, contact: Contact) -> dict:
    return panel_context(contact, context["request"].user)


@register.inclusion_tag("contacts/_alerts.html", takes_context=True)
def warmth_alerts(context) -> dict:
    user = context["request"].user
    alerts = list(alert_reads.alerts_open(user=user)[:30])
    return {"alerts": alert_reads.with_warmth_now(alerts, user=user, now=timezone.now())}
