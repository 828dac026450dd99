"""No string of the interface is left untranslated, including strings never extracted.

``test_translations_are_complete`` (test_project.py) reads the committed .po file, so it cannot
see a string someone marked for translation but never ran ``makemessages`` for. Here the
project's own extraction runs on a copy of the tree (the committed .po is never touched), and
the merged catalogue must have every entry translated and none fuzzy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = Path("locale") / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Not sources: the environment, run-time data, history, collected static files, outputs.
NOT_COPIED = shutil.ignore_patterns(
    ".venv",
    "var",
    ".git",
    "media",
    "staticfiles",
    "test-artifacts",
    ".hypothesis",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "*.mo",
    "docs",
)


def describe(entries: list[polib.POEntry]) -> list[str]:
    return [f"{e.msgid!r} ({', '.join(f'{f}:{n}' for f, n in e.occurrences[:2])})" for e in entries]


def test_committed_catalogue_compiles_with_format_checks():
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: install gettext")
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(ROOT / PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_string_in_the_code_is_translated_in_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: install gettext")
    tree = tmp_path / "siyu"
    shutil.copytree(ROOT, tree, ignore=NOT_COPIED)
    env = {
        **os.environ,
        "DEBUG": "1",
        "SIYU_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--ignore=.venv",
            "--ignore=var",
            "--no-obsolete",
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    committed = polib.pofile(str(ROOT / PO))
    extracted = polib.pofile(str(tree / PO))
    live = [e for e in extracted if not e.obsolete]
    assert len(live) > 500  # the extraction found the project's strings

    new = sorted({e.msgid for e in live} - {e.msgid for e in committed if not e.obsolete})
    assert not new, f"strings missing from {PO} (run makemessages and translate): {new[:20]}"
    untranslated = extracted.untranslated_entries()
    assert not untranslated, f"untranslated: {describe(untranslated)[:20]}"
    fuzzy = [e for e in extracted.fuzzy_entries() if not e.obsolete]
    assert not fuzzy, f"fuzzy (check, then drop the flag): {describe(fuzzy)[:20]}"


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "npgettext"}
SOURCE_DIRS = ("bench", "contacts", "content", "crm", "scheduler")


def test_no_gettext_call_hides_in_an_f_string():
    """xgettext does not look inside f-strings: a string marked there is never extracted, and
    the interface shows it in English whatever the language."""
    import ast

    hidden = []
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Name)
                        and call.func.id in GETTEXT_NAMES
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not hidden, f"gettext calls inside f-strings: {hidden}"
