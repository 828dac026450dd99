"""The "before" side of a before/after benchmark: another commit checked out beside this tree,
and a database whose schema that commit's code expects.

``bench/capacity.py --compare REV`` and ``bench/profile_page.py --compare REV`` measure this
tree and ``REV`` in one run, on the same machine and the same data. ``REV`` is checked out
into a temporary git worktree (``git worktree add --detach``; removed again at the end), and
runs with this tree's ``.venv``.

The data: when both trees hold the same migrations, both run on the same database. When they
differ (the later commit added or dropped a table), the before tree gets its own copy of the
seeded database (``CREATE DATABASE <name>_before TEMPLATE <name>``, the same rows), brought
to its schema: this tree's code unapplies the migrations ``REV`` does not have (they are this
tree's to reverse), then ``REV``'s code applies what it has that this tree has not. A
migration that cannot be reversed stops the run with its name. Both trees get their static
files collected and their messages compiled, as a deployment would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def migrations(tree: Path) -> dict[str, list[str]]:
    """Each app's migration names in ``tree`` (from the files, ``0001_…``), sorted."""
    found: dict[str, list[str]] = {}
    for path in tree.glob("**/migrations/[0-9][0-9][0-9][0-9]_*.py"):
        if ".venv" in path.parts or "site-packages" in path.parts:
            continue
        found.setdefault(path.parent.parent.name, []).append(path.stem)
    return {app: sorted(names) for app, names in found.items()}


def manage(tree: Path, database_url: str, *argv: str, env: dict[str, str] | None = None) -> None:
    """Run ``manage.py`` of ``tree`` against ``database_url``; exit with its output if it fails."""
    run_env = {**os.environ, **(env or {}), "DATABASE_URL": database_url}
    run_env.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    run_env["DEBUG"] = "0"
    run_env["PYTHONPATH"] = str(tree)
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=tree, env=run_env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"{tree.name}: manage.py {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


def static_is_stale(tree: Path) -> bool:
    """Whether ``tree``'s collected static files (``staticfiles/``, the settings' default) are
    missing or older than a source file: collecting compresses every file (about a minute of
    CPU), so it runs only then."""
    manifest = tree / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    for path in tree.glob("**/static/**/*"):
        if ".venv" in path.parts or "staticfiles" in path.parts or "node_modules" in path.parts:
            continue
        if path.is_file() and path.stat().st_mtime > collected:
            return True
    return False


def prepare_tree(tree: Path, database_url: str) -> None:
    """Migrate, collect the static files (``DEBUG=0`` serves them from the manifest) and
    compile the messages (the bench users read Chinese) of ``tree``."""
    manage(tree, database_url, "migrate", "-v0")
    if os.environ.get("STATIC_ROOT") or static_is_stale(tree):
        manage(tree, database_url, "collectstatic", "--noinput", "-v0")
    manage(tree, database_url, "compilemessages", "--ignore=.venv", "--ignore=var", "-v0")


def _with_name(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def copy_database(url: str, suffix: str = "_before") -> str:
    """A fresh copy of the database in ``url`` (same server), its URL. Nothing may be connected
    to the source while PostgreSQL copies it."""
    import psycopg

    source = urllib.parse.urlsplit(url).path.lstrip("/")
    target = source + suffix
    with psycopg.connect(_with_name(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    return _with_name(url, target)


def drop_database(url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(_with_name(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_for_before(before: Path, database_url: str, after: Path = ROOT) -> tuple[str, str]:
    """The database the before tree runs on, and a sentence saying which and why.
    ``database_url`` is migrated by ``after`` (this tree unless said)."""
    ours, theirs = migrations(after), migrations(before)
    if ours == theirs:
        return database_url, "both trees on the same database (the same migrations)"
    copy = copy_database(database_url)
    for app, names in sorted(ours.items()):
        kept = [n for n in names if n in set(theirs.get(app, []))]
        if kept == names:
            continue
        # This tree reverses its own migrations that the before tree does not have.
        manage(after, copy, "migrate", app, kept[-1] if kept else "zero", "-v0")
    extra = sorted(
        f"{app}.{name}"
        for app, names in theirs.items()
        for name in names
        if name not in set(ours.get(app, []))
    )
    ahead = sorted(
        f"{app}.{name}"
        for app, names in ours.items()
        for name in names
        if name not in set(theirs.get(app, []))
    )
    note = (
        f"the before tree on its own copy of the database ({copy.rsplit('/', 1)[-1]}, the same "
        f"rows), its schema: the after tree's {', '.join(ahead) or 'no'} migrations unapplied"
        + (f", the before tree's {', '.join(extra)} applied" if extra else "")
    )
    return copy, note


@contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """``rev`` checked out in a temporary worktree, removed again on the way out."""
    base = Path(tempfile.mkdtemp(prefix="siyu-before-"))
    tree = base / "tree"
    done = subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), rev],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        sys.exit(f"git worktree add {rev} failed: {done.stderr.strip()}")
    venv = ROOT / ".venv"
    if venv.exists() and not (tree / ".venv").exists():
        (tree / ".venv").symlink_to(venv.resolve())
    try:
        yield tree
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


def short(rev: str, tree: Path = ROOT) -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=tree, capture_output=True, text=True
    )
    return done.stdout.strip() or rev
