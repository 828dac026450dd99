"""``manage.py seed_bench`` at a tiny scale: valid rows, warmth consistent, deterministic.

The command is a benchmark tool, but the web benchmark's figures are only as good as the
data behind them, so the data is held to the model's rules here (on PostgreSQL, which the
command requires).
"""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from contacts.models import Contact, Interaction, Persona
from contacts.services import warmth_recompute
from content.models import ContentItem
from crm.models import Team, User
from crm.roles import Role
from scheduler.models import MomentPost, PostStatus

pytestmark = pytest.mark.django_db

SMALL = [
    "--agents", "6", "--teams", "2", "--contacts", "30", "--interactions", "4",
    "--content", "40", "--weeks", "2", "--now", "2026-03-04T10:00:00+08:00", "--seed", "5",
]  # fmt: skip


def seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_bench", *SMALL, *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def fingerprint() -> str:
    """A digest of the seeded rows' content (ids left out: sequences move between runs)."""
    parts = []
    for row in Contact.objects.order_by("owner__username", "wechat_id", "name").values_list(
        "owner__username", "name", "phone", "stage", "created", "warmth_ref", "last_interaction_at"
    ):
        parts.append(repr(row))
    for row in Interaction.objects.order_by(
        "contact__owner__username", "contact__wechat_id", "at", "kind__code"
    ).values_list("contact__wechat_id", "kind__code", "at", "weight"):
        parts.append(repr(row))
    for row in MomentPost.objects.order_by("persona__owner__username", "scheduled_at").values_list(
        "persona__owner__username", "scheduled_at", "status", "content__title", "idempotency_key"
    ):
        parts.append(repr(row))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the refusal on SQLite")
def test_seed_bench_refuses_sqlite():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        seed()


@pytest.mark.postgres
def test_seed_bench_writes_the_requested_sizes_with_valid_links():
    out = seed()
    assert "finished in" in out
    agents = User.objects.filter(username__startswith="bench-", role__in=[Role.AGENT, Role.LEAD])
    assert agents.count() == 6
    assert Team.objects.filter(name__startswith="压测团队").count() == 2
    for team in Team.objects.filter(name__startswith="压测团队"):
        assert team.lead.role == Role.LEAD and team.lead.team_id == team.pk
        assert team.members.count() == 3
    assert Contact.objects.filter(owner__in=agents).count() == 6 * 30
    assert Interaction.objects.filter(contact__owner__in=agents).count() == 6 * 30 * 4
    assert Persona.objects.filter(owner__in=agents).count() == 6
    assert ContentItem.objects.filter(title__startswith="【压测】").count() == 40
    # Two weeks of three windows a day for each of the six agents.
    assert MomentPost.objects.filter(persona__owner__in=agents).count() == 6 * 14 * 3
    # Nothing due is left scheduled in the past: dispatch would otherwise fire on seed data.
    assert not MomentPost.objects.filter(
        status=PostStatus.SCHEDULED, scheduled_at__lte="2026-03-04T02:00:00Z"
    ).exists()
    # Every contact's interactions happen after it was created and were logged by its owner.
    assert not Interaction.objects.filter(at__lt=F("contact__created")).exists()
    assert not Interaction.objects.exclude(logged_by=F("contact__owner")).exists()
    # Posts go out through their agent's own persona; contacts sit under their owner's.
    assert not Contact.objects.exclude(persona__owner=F("owner")).exists()


@pytest.mark.postgres
def test_seed_bench_leaves_warmth_consistent_with_the_history():
    seed()
    assert Contact.objects.filter(warmth_ref__gt=0).exists()
    # The stored scores are what the project's recompute says they should be.
    assert warmth_recompute() == 0


@pytest.mark.postgres
def test_seed_bench_is_deterministic_for_a_seed_and_refuses_to_mix_runs():
    seed()
    first = fingerprint()
    with pytest.raises(CommandError, match="--replace"):
        seed()
    seed("--replace")
    assert fingerprint() == first
    seed("--replace", "--seed", "6")
    assert fingerprint() != first


@pytest.mark.postgres
def test_seeded_logins_open_their_pages():
    seed()
    for username, page in (
        ("bench-agent-0003", "contacts:list"),
        ("bench-lead-01", "scheduler-team"),
    ):
        client = Client()
        credentials = {"username": username, "password": "siyu-bench-2026"}
        assert client.post(reverse("login"), credentials).status_code == 302
        response = client.get(reverse(page))
        assert response.status_code == 200
        assert response.wsgi_request.user.username == username


def test_bench_floor_is_not_routed_in_production():
    # The test settings run with DEBUG off and without BENCH_FLOOR: no such URL.
    with pytest.raises(NoReverseMatch):
        reverse("bench-floor")
    assert Client().get("/bench-floor").status_code == 404


@override_settings(ROOT_URLCONF="crm.tests.bench_floor_urls")
def test_bench_floor_answers_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/bench-floor")
    assert response.status_code == 200
    assert response.content == b"ok"
