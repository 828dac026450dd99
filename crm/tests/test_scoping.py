"""Who sees which users and teams, through pages and the API."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from crm.models import Team, User
from crm.scoping import compiled_for_viewer
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
    """The owners' subquery is compiled once per process (``team_and_self_sql``) and takes
    each lead's id as its parameters: two leads get their own teams, and a member who joins
    after the first read is in the next one."""
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


def test_a_statement_compiled_once_takes_each_viewers_id(two_teams):
    from contacts.models import Tag
    from contacts.tests.factories import TagFactory

    for user in two_teams.values():
        TagFactory(owner=user)

    def build(user):
        return Tag.objects.visible_to(user).order_by("pk").values("pk").query.sql_with_params()

    for viewer in (two_teams["lead_a"], two_teams["lead_b"], two_teams["a"], two_teams["b"]):
        sql, params = compiled_for_viewer("test.tags", build, viewer)
        assert params and set(params) == {viewer.pk}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = [pk for (pk,) in cursor.fetchall()]
        expected = Tag.objects.visible_to(viewer).order_by("pk").values_list("pk", flat=True)
        assert found == list(expected) and found


@pytest.mark.parametrize("viewer", ["a", "lead_a"])
def test_a_statement_with_any_other_parameter_is_refused(two_teams, viewer):
    """A value of the query's own, or the viewer's team (``Team.objects.visible_to``)."""

    def with_a_value(user):
        users = User.objects.filter(pk=user.pk, username="x")
        return users.values("pk").query.sql_with_params()

    def by_team(user):
        return Team.objects.visible_to(user).values("pk").query.sql_with_params()

    for name, build in (("test.value", with_a_value), ("test.team", by_team)):
        with pytest.raises(ValueError, match="other than the viewer's id"):
            compiled_for_viewer(name, build, two_teams[viewer])


def test_a_statement_takes_each_callers_values_in_place_of_the_stand_ins(two_teams):
    from contacts.models import Tag
    from contacts.tests.factories import TagFactory

    lead = two_teams["lead_a"]
    tags = [TagFactory(owner=owner) for owner in (lead, two_teams["a"], two_teams["a"])]

    def build(user, *, after, since, name):
        found = Tag.objects.visible_to(user).filter(pk__gt=after, created__gte=since)
        if name is not None:
            found = found.filter(name=name)
        return found.order_by("pk").values("pk").query.sql_with_params()

    def read(after, since, name=None):
        sql, params = compiled_for_viewer(
            "test.values", build, lead, after=after, since=since, name=name
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]

    since = tags[0].created
    assert read(0, since) == [tag.pk for tag in tags]
    assert read(tags[0].pk, since) == [tags[1].pk, tags[2].pk]  # the same statement, new values
    assert read(0, since + dt.timedelta(days=1)) == []
    assert read(0, since, tags[2].name) == [tags[2].pk]  # a value not None: another statement
    with pytest.raises(TypeError, match="no stand-in"):
        compiled_for_viewer(
            "test.values", build, lead, after=0, since=since.replace(tzinfo=None), name=None
        )
