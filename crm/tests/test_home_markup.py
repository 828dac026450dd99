"""The agent home's lists, drawn in Python (``crm/templatetags/home_tags.py``), are the markup
the template's loops drew, byte for byte: each loop as it was is rendered here beside its tag,
with the same request (so the same CSRF input and kits), in both languages."""

import datetime as dt

import pytest
import time_machine
from django.template import RequestContext, Template
from django.urls import reverse
from django.utils import timezone, translation

from contacts import warmth
from contacts.models import Alert, AlertKind, Stage
from contacts.tests.factories import (
    ContactFactory,
    InteractionFactory,
    PersonaFactory,
    interaction_kind,
)
from crm.tests.factories import AgentFactory
from scheduler.models import PostStatus
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai

# The template's loops as they were before the tags drew them.
LOOPS = {
    "today_posts home.windows": """{% for slot in home.windows %}
  <h3 class="window-name">{{ slot.label }}</h3>
  {% for post in slot.posts %}
  <div class="today-post">
    <p class="muted">{{ post.persona.nickname }}</p>
    {% if post.status == "sent" or post.status == "missed" or post.status == "posted" %}
    <label for="copy-{{ post.pk }}">{% translate "Text to copy" %}</label>
    <textarea id="copy-{{ post.pk }}" readonly rows="4">{{ post.text }}</textarea>
    <button type="button" class="copy-button" data-copy="copy-{{ post.pk }}" data-copied="{% translate 'Copied' %}">{% translate "Copy text" %}</button>
    {% if post.image_paths %}
    <ul class="images">{% get_media_prefix as media %}{% for path in post.image_paths %}<li><a href="{{ media }}{{ path }}" download>{% blocktranslate with n=forloop.counter %}Save image {{ n }}{% endblocktranslate %}</a></li>{% endfor %}</ul>
    {% endif %}
    {% endif %}
    {% post_card post %}
  </div>
  {% endfor %}
  {% endfor %}""",  # noqa: E501
    "hot_leads home.hot_leads": """{% for lead in home.hot_leads %}
    <li>
      <a href="{% url 'contacts:detail' lead.contact.pk %}">{{ lead.contact.display_name }}</a>
      {% if lead.why %}<span class="muted">{{ lead.why_said }}</span>{% endif %}
      {% warmth_badge lead.contact %}
    </li>
    {% endfor %}""",
    "follow_ups home.follow_ups": """{% for contact in home.follow_ups %}
    <li><a href="{% url 'contacts:detail' contact.pk %}">{{ contact.display_name }}</a>
      <span class="muted">{{ contact.next_follow_up|date:"m-d" }} · {{ contact.get_stage_display }}</span>
      {% warmth_badge contact quick=False %}</li>
    {% endfor %}""",  # noqa: E501
    "persona_cards home.personas": """{% for persona, checklist, score in home.personas %}
<section class="card" aria-labelledby="persona-{{ persona.pk }}-h">
  <h2 id="persona-{{ persona.pk }}-h">{% blocktranslate with name=persona.nickname %}Persona {{ name }}: {{ score }}% complete{% endblocktranslate %}</h2>
  <ul class="checklist">
    {% for item in checklist %}{% if not item.ok %}<li><strong>{{ item.label }}</strong> <span class="muted">{{ item.suggestion }}</span></li>{% endif %}{% endfor %}
  </ul>
  <p><a href="{% url 'contacts:persona-edit' persona.pk %}">{% translate "Edit persona" %}</a></p>
</section>
{% endfor %}""",  # noqa: E501
}
LOADS = "{% load i18n static warmth_tags scheduler_tags %}"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at_local(hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, 25, hour, 17, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def agent():
    """An agent with something in every list: posts in two windows (one gone out, with
    images and markup in its text), hot leads (one with markup in its name, one erased, one
    without a "why"), follow-ups in several stages, personas with unmet advice."""
    agent = AgentFactory()
    persona = PersonaFactory(owner=agent, nickname="<小李> & 保险", licence_number="")
    PersonaFactory(owner=agent, nickname="一个很长很长很长很长的昵称没有行业", signature="")
    for hour, status, window, extra in (
        (8, PostStatus.SENT, "commute", {"image_paths": ["a/b.jpg", 'c d<".png']}),
        (8, PostStatus.SCHEDULED, "commute", {}),
        (12, PostStatus.POSTED, "lunch", {}),
        (21, PostStatus.PENDING_REVIEW, "bedtime", {}),
    ):
        when = at_local(hour)
        PostFactory(
            persona=persona,
            scheduled_at=when,
            window_ends_at=when + dt.timedelta(hours=1),
            status=status,
            window_name=window,
            text='<b>"今天"</b> & 明天',
            **extra,
        )
    kind = interaction_kind("quote")
    for n, (name, remark, erased) in enumerate(
        (("热", '<i>"a"</i> & b', False), ("抹去", "", True), ("也热", "", False))
    ):
        contact = ContactFactory(owner=agent, name=name, remark=remark, stage=Stage.INTERESTED)
        if n != 2:  # the third has no interaction within the horizon: no "why"
            at = NOW - dt.timedelta(hours=n)
            InteractionFactory(contact=contact, kind=kind, weight=45, at=at)
        contact.warmth_ref = warmth.term(60 - n, NOW, 14)
        contact.erased_at = NOW if erased else None
        contact.save()
        Alert.objects.create(
            owner=agent, contact=contact, kind=AlertKind.HOT, for_date=dt.date(2026, 11, 24)
        )
    for stage in (Stage.NEW_FRIEND, Stage.PROPOSAL, Stage.CUSTOMER):
        ContactFactory(owner=agent, stage=stage, next_follow_up=dt.date(2026, 11, 24))
    return agent


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_list_is_drawn_as_the_template_drew_it(client, agent, language):
    agent.language = language
    agent.save()
    client.force_login(agent)
    response = client.get(reverse("home"))
    home = response.context["home"]
    assert len(home.windows) == 3 and len(home.hot_leads) == 3
    assert len(home.follow_ups) == 3 and len(home.personas) == 2
    with translation.override(language), timezone.override(agent.tzinfo):
        context = RequestContext(response.wsgi_request, {"home": home})
        for tag, loop in LOOPS.items():
            drawn = Template("{% load home_tags %}{% " + tag + " %}").render(context)
            assert drawn == Template(LOADS + loop).render(context), tag
    body = response.content.decode()
    assert "&lt;小李&gt; &amp; 保险" in body and "&lt;b&gt;" in body
    # The alerts panel (still the template) names each contact, erased ones as erased.
    assert body.count('class="alert alert-hot"') == 3
    assert "&lt;i&gt;&quot;a&quot;&lt;/i&gt; &amp; b</a>" in body


def test_an_empty_home_says_so(client):
    agent = AgentFactory(language="en")
    client.force_login(agent)
    body = client.get(reverse("home")).content.decode()
    assert "No posts planned for today." in body
    assert "No hot leads right now." in body
    assert "No follow-ups due today." in body
