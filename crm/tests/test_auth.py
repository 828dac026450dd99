from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from crm.demo import DEMO_PASSWORD
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_demo_agent_logs_in_and_reaches_home(client):
    call_command("seed_demo", stdout=StringIO())
    response = client.post(
        reverse("login"), {"username": "agent1", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].username == "agent1"
    assert response.templates[0].name == "homes/home_agent.html"


def test_wrong_password_is_refused(client):
    agent = AgentFactory()
    response = client.post(reverse("login"), {"username": agent.username, "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_token_endpoint_issues_a_token_that_authenticates(api_client):
    agent = AgentFactory()
    response = api_client.post(
        reverse("api:token"), {"username": agent.username, "password": "pw-for-tests-123"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(reverse("api:user-me")).json()["id"] == agent.pk


def test_token_endpoint_rejects_bad_credentials_with_field_errors(api_client):
    response = api_client.post(reverse("api:token"), {"username": "ghost"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_user_language_preference_wins(client):
    agent = AgentFactory(language="en")
    client.force_login(agent)
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "en"


def test_logout_is_a_post(client):
    client.force_login(AgentFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_switching_language_is_saved_on_the_profile(client):
    agent = AgentFactory(language="zh-hans")
    client.force_login(agent)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.language == "en"
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_switching_to_an_unknown_language_changes_nothing(client):
    agent = AgentFactory(language="zh-hans")
    client.force_login(agent)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    agent.refresh_from_db()
    assert agent.language == "zh-hans"
