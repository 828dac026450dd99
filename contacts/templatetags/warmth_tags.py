"""``{% warmth_panel contact %}``, ``{% warmth_badge contact %}`` and ``{% warmth_alerts %}``:
warmth on any page, server-drawn."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString

from contacts import warmth
from contacts.charts import warmth_svg
from contacts.models import Contact, Interaction
from contacts.rows import RowKit, contact_badge
from contacts.warmth import alerts as alert_reads
from contacts.warmth import half_life
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


@register.simple_tag(takes_context=True)
def warmth_badge(context, contact: Contact, quick: bool = True) -> SafeString:
    """A contact's warmth and tier now (``contacts/_warmth_badge.html``), with one-click
    logging buttons for the owner. A row annotated by ``with_tier(now)`` is read as it is;
    otherwise the owner's half-life is read once per page render (kept on the render
    context), and the quick kinds once per request."""
    request = context.get("request")
    if hasattr(contact, "warmth_now"):
        value, tier = contact.warmth_now, contact.tier
    else:
        half_lives = context.render_context.setdefault("warmth_badge_half_life", {})
        if contact.owner_id not in half_lives:
            half_lives[contact.owner_id] = half_life.for_owner(contact.owner_id)
        value = warmth.warmth_now(
            contact.warmth_ref,
            timezone.now(),
            warmth.clamp_half_life(half_lives[contact.owner_id]),
        )
        tier = warmth.tier_of(value, thresholds())
    user = getattr(request, "user", None)
    return contact_badge(
        RowKit.for_request(request),
        contact,
        value=value,
        tier=tier,
        viewer_id=user.pk if user is not None else None,
        quick=quick,
    )


@register.inclusion_tag("contacts/_alerts.html", takes_context=True)
def warmth_alerts(context) -> dict:
    user = context["request"].user
    alerts = list(alert_reads.alerts_open(user=user)[:30])
    return {"alerts": alert_reads.with_warmth_now(alerts, user=user, now=timezone.now())}
