"""In a real browser: a demo agent signs in, sees home in Chinese, switches to English."""

import pytest
from django.urls import reverse

from crm.tests.factories import AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_logs_in_and_switches_language(page, live_server):
    agent = AgentFactory(username="xiaoli", display_name="小李")
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill("xiaoli")
    page.get_by_label("密码").fill("pw-for-tests-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + reverse("home"))
    assert page.locator("h1").inner_text() == "小李，你好"

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Good day, 小李"
    agent.refresh_from_db()
    assert agent.language == "en"


def test_wrong_password_shows_an_error(page, live_server):
    AgentFactory(username="xiaozhang")
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill("xiaozhang")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").is_visible()
