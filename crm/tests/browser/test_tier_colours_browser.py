"""In a real browser: each warmth tier has one colour, wherever it is drawn.

A lead's pages show the tiers four ways: the team's pool chart on the home (bars), the alerts
panel (the kind of alert), the warmth badges of the contact list and the warmth panel of a
contact (badge and the chart's threshold lines). "Hot" must be the same colour in all of them
(it was green in the pool chart and red everywhere else), and the three tiers must differ.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import warmth
from contacts.models import Alert, AlertKind
from contacts.tests.factories import ContactFactory
from contacts.warmth_queries import clamp_half_life
from crm.tests.factories import AgentFactory, LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIERS = ("hot", "warm", "cold")
COLOURS = """(pairs) => pairs.map(([selector, property]) => {
  const el = document.querySelector(selector);
  return el ? getComputedStyle(el)[property] : null;
})"""


def colours(page, wanted: dict[str, tuple[str, str]]) -> dict[str, str | None]:
    """The computed ``property`` of the first element matching each ``selector``."""
    found = page.evaluate(COLOURS, list(wanted.values()))
    return dict(zip(wanted, found, strict=True))


def contact_at(owner, value: float):
    """A contact of ``owner`` whose warmth now is ``value``."""
    half_life = clamp_half_life(owner.team.warmth_half_life_days)
    ref = warmth.ref_threshold(value, timezone.now(), half_life)
    return ContactFactory(owner=owner, warmth_ref=ref)


def test_each_tier_has_one_colour_in_charts_badges_and_alerts(page, live_server, login):
    lead = LeadFactory()
    member = AgentFactory(team=lead.led_team)
    hot = contact_at(member, 60)
    contact_at(member, 20)
    contact_at(member, 1)
    own = contact_at(lead, 60)
    today = timezone.localdate()
    Alert.objects.create(owner=lead, contact=own, kind=AlertKind.HOT, for_date=today, warmth=60)
    login(lead)

    seen = {tier: {} for tier in TIERS}
    home = colours(
        page,
        {
            **{f"{tier} bar": (f"svg rect.seg-{tier}", "fill") for tier in TIERS},
            "hot alert": (".alert-hot .alert-kind", "color"),
        },
    )
    for tier in TIERS:
        seen[tier]["bar"] = home[f"{tier} bar"]
    seen["hot"]["alert"] = home["hot alert"]

    page.goto(live_server.url + reverse("contacts:list"))
    badges = colours(page, {tier: (f".warmth-badge .tier-{tier}", "color") for tier in TIERS})
    for tier in TIERS:
        seen[tier]["badge"] = badges[tier]

    page.goto(live_server.url + reverse("contacts:detail", args=[hot.pk]))
    panel = colours(
        page,
        {
            "badge": ("#warmth-panel .tier-hot", "color"),
            "hot line": ("svg.warmth-chart line.warmth-hot", "stroke"),
            "warm line": ("svg.warmth-chart line.warmth-warm", "stroke"),
        },
    )
    seen["hot"]["panel"] = panel["badge"]
    seen["hot"]["chart line"] = panel["hot line"]
    seen["warm"]["chart line"] = panel["warm line"]

    for tier, where in seen.items():
        assert None not in where.values(), (tier, where)  # every one was on its page
        assert len(set(where.values())) == 1, f"{tier} is drawn in several colours: {where}"
    one_each = {tier: next(iter(where.values())) for tier, where in seen.items()}
    assert len(set(one_each.values())) == 3, one_each
