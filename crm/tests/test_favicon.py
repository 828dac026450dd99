"""The site icon: linked from every page, and /favicon.ico sends browsers to it."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg")
    with open(finders.find("img/favicon.svg"), encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")


def test_pages_link_the_icon(client):
    client.force_login(AgentFactory())
    html = client.get("/").content.decode()
    assert f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">' in html
