import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_is_served_and_lists_the_token_endpoint(client):
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    assert b"/api/v1/auth/token/" in response.content


def test_docs_render_with_local_assets_only(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, "the docs page loads its assets"
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources


def test_pages_load_no_external_assets(client):
    html = client.get(reverse("login")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("htmx" in s for s in sources)
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
