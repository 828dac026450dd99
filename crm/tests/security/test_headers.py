"""Deployment hardening: CSP, frame denial, HSTS, secure cookies, and no inline script.

``manage.py check --deploy --fail-level WARNING`` with production settings runs in
crm/tests/test_project.py; these tests check what the responses really carry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from crm.tests.factories import AdminFactory, AgentFactory
from crm.tests.test_project import PRODUCTION_ENV, run_manage

ROOT = Path(__file__).resolve().parents[3]
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/api/v1/contacts/", "/api/docs/", "/admin/login/"])
def test_every_response_carries_the_csp_and_frame_denial(client, url):
    client.force_login(AgentFactory())
    response = client.get(url)
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_policy_allows_no_inline_script_or_style():
    policy = settings.CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


# What a strict CSP would block in our own templates.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|\bhx-on\b|javascript:", re.I)
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)


def test_templates_hold_no_inline_script_style_or_event_handler():
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        # Comments become blank lines of the same count, so line numbers stay right.
        text = TEMPLATE_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), template.read_text())
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("inline style", INLINE_STYLE),
            ("inline event handler", INLINE_HANDLER),
        ]:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{template.relative_to(ROOT)}:{line}: {name}")
    assert not offenders, offenders


PROBE = """
import json
from django.test import Client
out = {}
plain = Client().get("/login/")
out["http_status"] = plain.status_code
out["http_location"] = plain.get("Location", "")
secure = Client().get("/login/", secure=True)
out["status"] = secure.status_code
out["hsts"] = secure.get("Strict-Transport-Security", "")
out["csp"] = secure.get("Content-Security-Policy", "")
out["xfo"] = secure.get("X-Frame-Options", "")
cookie = secure.cookies.get("csrftoken")
out["csrf_cookie_secure"] = bool(cookie and cookie["secure"])
from django.conf import settings
out["session_cookie_secure"] = settings.SESSION_COOKIE_SECURE
out["session_cookie_httponly"] = settings.SESSION_COOKIE_HTTPONLY
print("PROBE" + json.dumps(out))
"""


def test_production_settings_send_hsts_and_secure_cookies(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "SIYU_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    # Production serves hashed static names from collectstatic's manifest, as the image does.
    collected = run_manage("collectstatic", "--no-input", "-v0", env=env)
    assert collected.returncode == 0, collected.stderr
    result = run_manage("shell", "-c", PROBE, env=env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.split("PROBE", 1)[1])
    # Plain HTTP is redirected to HTTPS.
    assert probe["http_status"] == 301
    assert probe["http_location"].startswith("https://")
    assert probe["status"] == 200
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["csp"] == POLICY
    assert probe["xfo"] == "DENY"
    assert probe["csrf_cookie_secure"]
    assert probe["session_cookie_secure"] and probe["session_cookie_httponly"]


# --- in a real browser: the policy breaks nothing on our pages, the admin or Swagger UI ----


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_admin_and_swagger_run_under_the_policy(page, live_server):
    from django.test import Client

    from contacts.tests.factories import ContactFactory, PersonaFactory
    from content.tests.factories import ContentItemFactory

    admin = AdminFactory(role="admin")
    agent = AgentFactory()
    persona = PersonaFactory(owner=agent)
    contact = ContactFactory(owner=agent, persona=persona)
    item = ContentItemFactory()
    page.add_init_script(LISTEN)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security" in m.text else None)

    def login(user) -> None:
        client = Client()
        client.force_login(user)
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    problems: dict[str, list[str]] = {}

    def visit(path: str) -> None:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        found = _violations(page) + console
        if found:
            problems[path] = list(found)
        console.clear()

    login(agent)
    for path in [
        reverse("home"),
        reverse("contacts:list"),
        reverse("contacts:detail", args=[contact.pk]),
        reverse("contacts:persona-edit", args=[persona.pk]),
        reverse("scheduler-week"),
        reverse("content-library"),
        reverse("api-docs"),
    ]:
        visit(path)
    # Swagger UI really rendered (its script ran): the operations are on the page.
    assert page.locator(".opblock").count() > 10

    login(admin)
    for path in [
        reverse("admin:index"),
        reverse("admin:content_contentitem_changelist"),
        reverse("admin:content_contentitem_change", args=[item.pk]),
        reverse("admin:crm_user_changelist"),
        reverse("admin:contacts_contact_changelist"),
    ]:
        visit(path)
    # The admin's own scripts ran: the change form's inline formsets have their add links.
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<div style="color:red">',
        "<style>p{}</style>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        '<div hx-on:click="go()">',
    ],
)
def test_the_template_scan_catches_each_kind_of_inline_code(snippet):
    assert any(p.search(snippet) for p in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER))


def test_the_template_scan_lets_files_and_json_data_through():
    for snippet in [
        '<script src="/static/js/copy.js" defer></script>',
        '<script type="application/json">',
    ]:
        assert not any(p.search(snippet) for p in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER))
