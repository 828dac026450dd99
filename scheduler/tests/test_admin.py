"""Admin change lists of windows, posts and reminders: constant query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AdminFactory, AgentFactory, LeadFactory
from scheduler.models import PostingWindow, Reminder
from scheduler.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def add_rows(count: int) -> None:
    for i in range(count):
        lead = LeadFactory()
        agent = AgentFactory(team=lead.led_team)
        PostingWindow.objects.create(
            name=f"team{i}", start=dt.time(15), end=dt.time(16), team=lead.led_team
        )
        PostingWindow.objects.create(
            name=f"own{i}", start=dt.time(16), end=dt.time(17), owner=agent
        )
        post = PostFactory(persona=PersonaFactory(owner=agent))
        Reminder.objects.create(owner=agent, post=post, text=post.text)


@pytest.mark.parametrize("model", ["postingwindow", "momentpost", "reminder"])
def test_change_list_query_count_does_not_grow_with_rows(
    client, model, django_assert_max_num_queries
):
    client.force_login(AdminFactory())
    url = reverse(f"admin:scheduler_{model}_changelist")
    add_rows(2)
    with django_assert_max_num_queries(10):
        small = client.get(url)
    add_rows(12)
    with django_assert_max_num_queries(10):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    per_round = {"postingwindow": 2, "momentpost": 1, "reminder": 1}[model]
    assert large.context["cl"].result_count == small.context["cl"].result_count + 12 * per_round
