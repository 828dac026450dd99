"""In a real browser: keyboard focus is always visible, and text has enough contrast.

Focus: Tab walks the login page and the agent home; every element it lands on must draw an
outline or a box shadow, in a colour with at least 3:1 contrast against what surrounds it
(WCAG 2.2, 1.4.11 and 2.4.7), and Tab must reach every control.

Contrast: every visible piece of text (each element with its own text), measured from the
colours Chromium computed, blended through transparent backgrounds and opacity, must reach
4.5:1 (3:1 for large text), WCAG 1.4.3.
"""

import datetime as dt

import pytest
from django.urls import reverse

from contacts.services import interaction_log
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.tests.browser.conftest import earlier_today
from crm.tests.factories import AgentFactory, LeadFactory
from scheduler.models import PostStatus
from scheduler.tests.factories import LICENCE, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Colour maths in the page: parse computed rgb(a), blend, WCAG relative luminance.
COLOUR_JS = """
const parse = (c) => {
  const m = c.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return { r, g, b, a };
};
const over = (top, under) => ({
  r: top.r * top.a + under.r * (1 - top.a),
  g: top.g * top.a + under.g * (1 - top.a),
  b: top.b * top.a + under.b * (1 - top.a),
  a: 1,
});
const lum = ({ r, g, b }) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const ratio = (x, y) => {
  const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
};
// The colour behind an element: its own and its ancestors' backgrounds, blended upwards.
const backdrop = (el) => {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg && bg.a > 0) { layers.push(bg); if (bg.a === 1) break; }
  }
  let colour = { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of layers.reverse()) colour = over(layer, colour);
  return colour;
};
// Opacity of the element and its ancestors, and what shows through the translucent group.
const fading = (el) => {
  let o = 1, top = null;
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const own = Number(getComputedStyle(node).opacity);
    if (own < 1) { o *= own; top = node; }
  }
  return { o, behind: top && top.parentElement ? backdrop(top.parentElement) : null };
};
const describe = (el) => el.outerHTML.slice(0, 120);
"""

FOCUS_JS = (
    "() => {"
    + COLOUR_JS
    + """
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const ring = parse(outline ? s.outlineColor : (s.boxShadow.match(/rgba?\\([^)]+\\)/) || [''])[0]);
  // What the ring is drawn over: whatever is painted just left of the element's box.
  const r = el.getBoundingClientRect();
  const x = Math.max(0, r.left - parseFloat(s.outlineOffset || 0) - 2), y = r.top + r.height / 2;
  const next = document.elementsFromPoint(x, y).find((n) => n !== el && !el.contains(n));
  const around = backdrop(next || el.parentElement || el);
  return {
    html: describe(el),
    id: el.id || el.name || el.textContent.trim().slice(0, 20),
    visible: outline || shadow,
    contrast: ring ? ratio(over(ring, around), around) : 0,
  };
}"""
)

TEXT_JS = (
    "() => {"
    + COLOUR_JS
    + """
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // visually hidden text (screen readers)
    const bg = backdrop(el);
    let text = over(parse(s.color), bg), ground = bg;
    const { o, behind } = fading(el);
    if (behind) {
      text = over({ ...text, a: o }, behind);
      ground = over({ ...bg, a: o }, behind);
    }
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (Number(s.fontWeight) >= 700 && size >= 18.66);
    out.push({ html: describe(el), contrast: ratio(text, ground), needed: large ? 3 : 4.5 });
  }
  return out;
}"""
)


def tab_through(page, limit: int = 120) -> list[dict]:
    """Press Tab until focus comes back round to the first stop; what each stop looked like.

    Focus may pass through the document itself when it wraps from the last control to the
    first; that is not a stop."""
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_JS)
        if stop is None:
            continue
        if stops and stop["html"] == stops[0]["html"]:
            break
        stops.append(stop)
    return stops


def assert_focus_always_visible(stops: list[dict]) -> None:
    invisible = [s["html"] for s in stops if not s["visible"]]
    assert not invisible, f"focus not drawn on: {invisible}"
    faint = [(round(s["contrast"], 2), s["html"]) for s in stops if s["contrast"] < 3]
    assert not faint, f"focus ring under 3:1 against its surroundings: {faint}"


def assert_text_contrast(page) -> None:
    texts = page.evaluate(TEXT_JS)
    assert len(texts) >= 5
    low = [(round(t["contrast"], 2), t["html"]) for t in texts if t["contrast"] < t["needed"]]
    assert not low, f"text under WCAG AA contrast: {low}"


@pytest.fixture
def agent_with_a_day():
    agent = AgentFactory(display_name="小李")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE, nickname="小李")
    at = earlier_today(agent)
    for minutes, status in [(0, PostStatus.SENT), (1, PostStatus.MISSED), (2, PostStatus.DRAFT)]:
        PostFactory(
            persona=persona,
            status=status,
            scheduled_at=at + dt.timedelta(minutes=minutes),
            window_ends_at=at + dt.timedelta(hours=1),
        )
    lead = ContactFactory(owner=agent, name="王女士", next_follow_up=at.date())
    interaction_log(contact=lead, kind="purchase", by=agent)
    ContactFactory(owner=agent, name="李先生", next_follow_up=at.date())
    return agent


def test_login_page_focus_is_visible_and_reaches_every_control(page, live_server):
    page.goto(live_server.url + reverse("login"))
    stops = tab_through(page)
    reached = {s["id"] for s in stops}
    assert {"id_username", "id_password", "language-select"} <= reached, reached
    assert len(stops) >= 6  # skip link, brand, two fields, log in, language, switch
    assert_focus_always_visible(stops)


def test_agent_home_focus_is_visible_on_every_stop(page, live_server, login, agent_with_a_day):
    login(agent_with_a_day)
    stops = tab_through(page)
    controls = page.evaluate(
        "() => [...document.querySelectorAll("
        "'a[href], button, input:not([type=hidden]), select, textarea')]"
        ".filter(el => !el.disabled && el.getClientRects().length).length"
    )
    assert len(stops) >= controls  # Tab reaches every control (the skip link is one more)
    assert_focus_always_visible(stops)


def test_login_page_and_agent_home_text_has_aa_contrast(page, live_server, login, agent_with_a_day):
    page.goto(live_server.url + reverse("login"))
    assert_text_contrast(page)
    login(agent_with_a_day)
    assert page.locator("button.primary").count() >= 1
    assert_text_contrast(page)


def test_lead_home_and_team_calendar_text_has_aa_contrast_and_visible_focus(
    page, live_server, login
):
    lead = LeadFactory(display_name="组长")
    agent = AgentFactory(team=lead.led_team, display_name="小李")
    persona = PersonaFactory(owner=agent, licence_number=LICENCE)
    at = earlier_today(agent) + dt.timedelta(days=1)
    for minutes, status in [(0, PostStatus.PENDING_REVIEW), (1, PostStatus.SCHEDULED)]:
        PostFactory(
            persona=persona,
            status=status,
            scheduled_at=at + dt.timedelta(minutes=minutes),
            window_ends_at=at + dt.timedelta(hours=1),
        )
    PostFactory(persona=persona, status=PostStatus.MISSED, scheduled_at=at - dt.timedelta(days=1))
    interaction_log(contact=ContactFactory(owner=agent), kind="purchase", by=agent)
    login(lead)
    assert_text_contrast(page)
    assert_focus_always_visible(tab_through(page))
    page.goto(f"{live_server.url}{reverse('scheduler-team')}?start={at.date().isoformat()}")
    assert page.locator("article.post").count() >= 2
    assert_text_contrast(page)
    assert_focus_always_visible(tab_through(page))
