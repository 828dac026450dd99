"""Who sees which users and teams, through pages and the API."""

import pytest
from django.urls import reverse

from crm.models import Team, User
from crm.tests.factories import AdminFactory, AgentFactory, CuratorFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams():
    lead_a = LeadFactory()
    lead_b = LeadFactory()
    agent_a = AgentFactory(team=lead_a.led_team)
    agent_a2 = AgentFactory(team=lead_a.led_team)
    agent_b = AgentFactory(team=lead_b.led_team)
    return {"lead_a": lead_a, "lead_b": lead_b, "a": agent_a, "a2": agent_a2, "b": agent_b}


def test_agent_sees_themselves_and_their_lead_only(two_teams):
    visible = set(User.objects.visible_to(two_teams["a"]))
    assert visible == {two_teams["a"], two_teams["lead_a"]}


def test_lead_sees_their_team_and_no_other(two_teams):
    visible = set(User.objects.visible_to(two_teams["lead_a"]))
    assert visible == {two_teams["lead_a"], two_teams["a"], two_teams["a2"]}
    assert set(Team.objects.visible_to(two_teams["lead_a"])) == {two_teams["lead_a"].led_team}


def test_admin_sees_everyone(two_teams):
    admin = AdminFactory()
    assert User.objects.visible_to(admin).count() == User.objects.count()


def test_curator_sees_no_agents_or_teams(two_teams):
    curator = CuratorFactory()
    assert list(User.objects.visible_to(curator)) == [curator]
    assert not Team.objects.visible_to(curator).exists()


def test_inactive_user_sees_nothing(two_teams):
    agent = two_teams["a"]
    agent.is_active = False
    agent.save()
    assert not User.objects.visible_to(agent).exists()


@pytest.mark.parametrize("url_name", ["team-detail", "user-detail"])
def test_agent_gets_404_for_another_teams_pages(client, two_teams, url_name):
    client.force_login(two_teams["a"])
    other = two_teams["lead_b"].led_team if url_name == "team-detail" else two_teams["b"]
    assert client.get(reverse(url_name, args=[other.pk])).status_code == 404


def test_agent_gets_404_for_a_teammate_page(client, two_teams):
    client.force_login(two_teams["a"])
    assert client.get(reverse("user-detail", args=[two_teams["a2"].pk])).status_code == 404


def test_lead_sees_their_members_on_the_team_page(client, two_teams):
    client.force_login(two_teams["lead_a"])
    response = client.get(reverse("team-detail", args=[two_teams["lead_a"].led_team.pk]))
    assert response.status_code == 200
    assert list(response.context["members"]) == sorted(
        [two_teams["lead_a"], two_teams["a"], two_teams["a2"]], key=lambda u: (u.role, u.username)
    )


@pytest.mark.parametrize("basename", ["user", "team"])
def test_api_hides_other_teams_objects_with_404(api_client, two_teams, basename):
    api_client.force_authenticate(two_teams["a"])
    other = two_teams["b"] if basename == "user" else two_teams["lead_b"].led_team
    response = api_client.get(reverse(f"api:{basename}-detail", args=[other.pk]))
    assert response.status_code == 404


def test_api_user_list_is_scoped(api_client, two_teams):
    api_client.force_authenticate(two_teams["lead_b"])
    response = api_client.get(reverse("api:user-list"))
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {two_teams["lead_b"].pk, two_teams["b"].pk}


def test_api_me(api_client, two_teams):
    api_client.force_authenticate(two_teams["a"])
    response = api_client.get(reverse("api:user-me"))
    assert response.json()["username"] == two_teams["a"].username


def test_anonymous_pages_redirect_to_login_and_api_is_401(client, api_client, two_teams):
    page = client.get(reverse("team-detail", args=[two_teams["lead_a"].led_team.pk]))
    assert page.status_code == 302
    assert page.url.startswith(reverse("login"))
    assert api_client.get(reverse("api:user-list")).status_code == 401


def test_user_list_query_count_does_not_grow(api_client, django_assert_max_num_queries):
    lead = LeadFactory()
    api_client.force_authenticate(lead)
    AgentFactory.create_batch(3, team=lead.led_team)
    with django_assert_max_num_queries(3):
        small = api_client.get(reverse("api:user-list"))
    AgentFactory.create_batch(30, team=lead.led_team)
    with django_assert_max_num_queries(3):
        large = api_client.get(reverse("api:user-list"))
    assert len(large.json()["results"]) == len(small.json()["results"]) + 30


def test_a_leads_scope_statement_reads_each_leads_own_team_as_it_is_now(two_teams):
    """A lead's scope is the owners' subquery of their own team as it is at each read: two leads
    get their own teams, and a member who joins after the first read is in the next one."""
    from contacts.models import Tag

    for key in ("lead_a", "lead_b", "a", "a2", "b"):
        Tag.objects.create(owner=two_teams[key], name=f"tag-{key}")
    lead_a, lead_b = two_teams["lead_a"], two_teams["lead_b"]

    def owners(lead):
        return set(Tag.objects.visible_to(lead).values_list("owner_id", flat=True))

    def expected(lead):
        from crm.scoping import team_and_self

        return set(team_and_self(lead).values_list("pk", flat=True))

    assert owners(lead_a) == expected(lead_a) == {lead_a.pk, two_teams["a"].pk, two_teams["a2"].pk}
    assert owners(lead_b) == expected(lead_b) == {lead_b.pk, two_teams["b"].pk}
    mover = two_teams["b"]
    mover.team = lead_a.led_team
    mover.save()
    assert (
        owners(lead_a)
        == expected(lead_a)
        == {lead_a.pk, two_teams["a"].pk, two_teams["a2"].pk, mover.pk}
    )
    assert owners(lead_b) == {lead_b.pk}
