"""The admin's scripts speak Chinese in the Chinese interface.

The admin's widgets (the tag picker of ``filter_horizontal``, the calendar, the actions bar)
write their labels in JavaScript, from the catalogue the admin serves at ``admin:jsi18n``.
Django's own zh_Hans catalogue lacks some of them, so the project's
``locale/zh_Hans/LC_MESSAGES/djangojs.po`` adds them; here every string the admin's scripts
ask for must come back translated.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import django.contrib.admin
import pytest
from django.urls import reverse

from crm.tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

ADMIN_JS = Path(django.contrib.admin.__file__).parent / "static" / "admin" / "js"
# A JavaScript string literal in single or double quotes, with its escapes.
_LITERAL = r"""(?P<q{n}>['"])(?P<s{n}>(?:\\.|(?!(?P=q{n})).)*)(?P=q{n})"""
_GETTEXT = re.compile(rf"\b(?:gettext|ngettext)\(\s*{_LITERAL.format(n=1)}")
_PGETTEXT = re.compile(rf"\bpgettext\(\s*{_LITERAL.format(n=1)}\s*,\s*{_LITERAL.format(n=2)}")


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def admin_script_strings() -> set[str]:
    """The catalogue keys the admin's own scripts (not the vendored ones) look up: a
    ``gettext``/``ngettext`` msgid, or ``context\\x04msgid`` for ``pgettext``."""
    keys = set()
    for path in ADMIN_JS.rglob("*.js"):
        if "vendor" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        keys |= {_unquote(m["s1"]) for m in _GETTEXT.finditer(source)}
        keys |= {f"{_unquote(m['s1'])}\x04{_unquote(m['s2'])}" for m in _PGETTEXT.finditer(source)}
    return keys


def served_catalogue(client, language: str) -> dict:
    client.force_login(AdminFactory())
    response = client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    found = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    return json.loads(found.group(1)) if found else {}


def test_every_string_of_the_admins_scripts_is_translated_in_chinese(client):
    wanted = admin_script_strings()
    assert len(wanted) > 40  # the scan found the scripts' strings
    assert 'Choose %s by selecting them and then select the "Choose" arrow button.' in wanted
    catalogue = served_catalogue(client, "zh-hans")
    missing = sorted(key for key in wanted if not catalogue.get(key))
    assert not missing, f"untranslated in the admin's zh-hans JavaScript catalogue: {missing}"


def test_the_tag_pickers_strings_read_in_chinese(client):
    catalogue = served_catalogue(client, "zh-hans")
    assert catalogue["Choose all %s"] == "选择全部%s"
    assert catalogue["Remove selected %s"] == "移除选中的%s"
    help_text = 'Choose %s by selecting them and then select the "Choose" arrow button.'
    assert catalogue[help_text] == "选中要添加的%s，再点击“选择”箭头按钮。"
