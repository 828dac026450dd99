"""The isolation matrix: every page and API operation that takes an object id, every role.

The list of URLs is not written here: it is read from the URL configuration (a walk of
``get_resolver()``) and from the OpenAPI schema (drf-spectacular's generator). For each URL
that takes an object id, ``REGISTRY`` says how to build one object of that kind for agent A
and who may see it. Then:

- agent B (another team) and B's team lead get 404, on reads and on writes;
- a content curator, who keeps no contacts, gets 403 or 404 on agents' objects;
- anonymous users get the login redirect (pages) or 401 (API);
- A's team lead gets 200 on reads (and gets past the lookup on writes where leads act);
- A gets 200, so a 404 for the others is never the matrix failing to build the object.

A new URL with an object id that ``REGISTRY`` does not know fails
``test_every_url_with_an_object_id_is_in_the_registry``: add a builder for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from contacts.models import Alert, AlertKind
from contacts.services import contact_import_start
from contacts.tests.factories import (
    ContactFactory,
    GroupFactory,
    InteractionFactory,
    PersonaFactory,
    TagFactory,
)
from content.models import Status
from content.tests.factories import ContentItemFactory
from scheduler.models import PostingWindow, PostStatus
from scheduler.tests.factories import PostFactory, default_window

from .conftest import World

pytestmark = pytest.mark.django_db

OWNER = frozenset({"owner"})
OWNER_AND_LEAD = frozenset({"owner", "lead"})
CURATOR = frozenset({"curator"})
ROLES = ("other_agent", "other_lead", "curator", "lead", "owner")  # the owner acts last

# URL namespaces outside the matrix, and why.
EXCLUDED_NAMESPACES = {
    # Staff only: agents and leads are sent to the admin login (test_admin_is_closed_to_...).
    "admin": "the admin site is for curators and administrators only",
}


# --- how to build one object of each kind for agent A ---------------------------------------


def _contact(w: World):
    return ContactFactory(owner=w.owner)


def _post(w: World):
    default_window("commute")
    return PostFactory(persona=PersonaFactory(owner=w.owner), status=PostStatus.PENDING_REVIEW)


def _sent_back_post(w: World):
    default_window("commute")
    return PostFactory(persona=PersonaFactory(owner=w.owner), status=PostStatus.REJECTED)


def _alert(w: World):
    return Alert.objects.create(
        owner=w.owner, contact=_contact(w), kind=AlertKind.HOT, for_date=timezone.localdate()
    )


def _interaction(w: World):
    return InteractionFactory(contact=_contact(w))


def _import(w: World):
    return contact_import_start(
        owner=w.owner, file=ContentFile(b"name\nA\n", name="a.csv"), filename="a.csv"
    )


def _window(w: World):
    return PostingWindow.objects.create(
        owner=w.owner, name="matrix", start=dt.time(10, 0), end=dt.time(11, 0)
    )


def _draft_content(w: World):
    return ContentItemFactory(status=Status.DRAFT)


def pk(builder: Callable[[World], Any]) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": builder(w).pk}


@dataclass(frozen=True)
class Target:
    """How to make the object behind a URL, and which roles may reach it.

    ``readers`` see it on GET; ``writers`` get past the object lookup on other methods (the
    service may still refuse them with a 4xx other than 404).
    """

    build: Callable[[World], dict[str, Any]]
    readers: frozenset[str] = OWNER_AND_LEAD
    writers: frozenset[str] = OWNER
    method: str = "get"  # pages only; API methods come from the schema
    visible_status: int | None = 200  # pages: what a reader gets (None: any non-404 4xx/2xx/3xx)
    # What the others get. The content library is shared and role-gated: writing needs the
    # curators' permission, refused (403) before any lookup, so it tells nothing about the row.
    hidden: frozenset[int] = frozenset({404})


REGISTRY: dict[str, Target] = {
    # Pages.
    "team-detail": Target(lambda w: {"pk": w.owner.team_id}),
    "user-detail": Target(lambda w: {"pk": w.owner.pk}),
    "contacts:detail": Target(pk(_contact)),
    "contacts:edit": Target(pk(_contact), readers=OWNER),
    "contacts:phone": Target(pk(_contact), readers=OWNER, method="post"),
    "contacts:erase": Target(pk(_contact), readers=OWNER),
    "contacts:interaction-log": Target(
        pk(_contact), readers=OWNER, method="post", visible_status=None
    ),
    "contacts:alert-dismiss": Target(pk(_alert), readers=OWNER, method="post", visible_status=302),
    # The owner's delete goes through (and is sent back to the contact); a lead reads the
    # team's timeline but changes nothing in it.
    "contacts:interaction-delete": Target(
        pk(_interaction), readers=OWNER, method="post", visible_status=302
    ),
    "contacts:interaction-time": Target(
        pk(_interaction), readers=OWNER, method="post", visible_status=None
    ),
    "contacts:group-detail": Target(pk(lambda w: GroupFactory(owner=w.owner))),
    "contacts:persona-edit": Target(pk(lambda w: PersonaFactory(owner=w.owner)), readers=OWNER),
    "contacts:import-detail": Target(pk(_import)),
    "content-detail": Target(pk(_draft_content), readers=CURATOR),
    "scheduler-post-action": Target(
        lambda w: {"pk": _post(w).pk, "action": "cancel"}, method="post", visible_status=302
    ),
    "scheduler-post-move": Target(pk(_post)),
    # The lead sees the post but only its agent rewrites it: 403 for the lead, 200 for A.
    "scheduler-post-edit": Target(pk(_sent_back_post), visible_status=None),
    # API (the methods come from the schema).
    "api:user-detail": Target(lambda w: {"pk": w.owner.pk}),
    "api:team-detail": Target(lambda w: {"pk": w.owner.team_id}),
    "api:alert-detail": Target(pk(_alert)),
    "api:alert-dismiss": Target(pk(_alert)),
    "api:contact-detail": Target(pk(_contact)),
    "api:contact-erase": Target(pk(_contact)),
    "api:contact-reveal-phone": Target(pk(_contact)),
    **{
        f"api:content-{action}": Target(
            pk(_draft_content), readers=CURATOR, writers=CURATOR, hidden=frozenset({403, 404})
        )
        for action in ("detail", "images", "transition")
    },
    "api:contactgroup-detail": Target(pk(lambda w: GroupFactory(owner=w.owner))),
    "api:contacttag-detail": Target(pk(lambda w: TagFactory(owner=w.owner))),
    "api:contactimport-detail": Target(pk(_import)),
    "api:interaction-detail": Target(pk(_interaction)),
    "api:persona-detail": Target(pk(lambda w: PersonaFactory(owner=w.owner))),
    # A lead reviews the team's posts: approve, reject and the rest reach the state machine.
    **{
        f"api:post-{action}": Target(pk(_post), writers=OWNER_AND_LEAD)
        for action in (
            "detail",
            "approve",
            "reject",
            "cancel",
            "edit",
            "move",
            "posted",
            "submit",
            "retry",
        )
    },
    # A lead manages the team's windows, the agents' own included.
    "api:window-detail": Target(pk(_window), writers=OWNER_AND_LEAD),
}


# --- discovery ----------------------------------------------------------------------------


def _has_object_id(pattern: Any) -> bool:
    converters = getattr(pattern, "converters", {}) or {}
    if any(type(c).__name__ == "IntConverter" for c in converters.values()):
        return True
    regex = getattr(pattern, "regex", None)
    groups = set(regex.groupindex) if regex is not None else set()
    return bool(groups & {"pk", "id", "object_id"})


def url_patterns_with_object_ids() -> dict[str, str]:
    """Every named URL that takes an object id: ``{"namespace:name": "route"}``."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, route: str, namespaces: tuple, inherited: bool) -> None:
        for entry in resolver.url_patterns:
            has_id = inherited or _has_object_id(entry.pattern)
            if isinstance(entry, URLResolver):
                space = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry, route + str(entry.pattern), space, has_id)
            elif isinstance(entry, URLPattern) and has_id:
                if namespaces and namespaces[0] in EXCLUDED_NAMESPACES:
                    continue
                name = ":".join((*namespaces, entry.name or f"<unnamed {entry.pattern}>"))
                found.setdefault(name, route + str(entry.pattern))

    walk(get_resolver(), "/", (), False)
    return found


def api_operations_with_ids() -> list[tuple[str, str]]:
    """``(METHOD, /path/{id}/)`` for every operation of the OpenAPI schema with a path id."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p["in"] == "path" for p in operation.get("parameters", []))
    ]


PAGE_NAMES = sorted(n for n in url_patterns_with_object_ids() if not n.startswith("api:"))
API_OPERATIONS = api_operations_with_ids()


def _api_name(path: str) -> str:
    return resolve(path.replace("{id}", "1")).view_name


def test_every_url_with_an_object_id_is_in_the_registry():
    found = set(url_patterns_with_object_ids())
    api_names = {_api_name(path) for _method, path in API_OPERATIONS}
    missing = sorted((found | api_names) - set(REGISTRY))
    assert not missing, f"add these URL names to REGISTRY with an object builder: {missing}"
    # The walk and the schema agree on the API, so neither source hides an endpoint.
    assert {n for n in found if n.startswith("api:")} == api_names


def test_the_matrix_covers_pages_and_api_operations():
    """A guard against a discovery that silently finds nothing (the matrix would pass)."""
    assert len(PAGE_NAMES) >= 12
    assert len(API_OPERATIONS) >= 40
    assert stale_registry_entries() == []


def stale_registry_entries() -> list[str]:
    found = set(url_patterns_with_object_ids())
    return sorted(set(REGISTRY) - found)


# --- the matrix -----------------------------------------------------------------------------


def _users(world: World) -> Iterator[tuple[str, Any]]:
    for role in ROLES:
        yield role, getattr(world, role)


def _hidden(role: str, status: int, target: Target) -> bool:
    # Curators keep no contacts: the pool pages refuse them outright (403) or find nothing.
    return status in target.hidden or (role == "curator" and status in {403, 404})


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_isolation(world: World, name: str):
    target = REGISTRY.get(name)
    assert target is not None, f"{name} takes an object id but is not in REGISTRY"
    url = reverse(name, kwargs=target.build(world))
    anonymous = getattr(Client(), target.method)(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"], url
    for role, user in _users(world):
        client = Client()
        client.force_login(user)
        status = getattr(client, target.method)(url).status_code
        if role in target.readers:
            if target.visible_status is None:
                assert status < 500 and not _hidden(role, status, target), (role, url, status)
            else:
                assert status == target.visible_status, (role, url, status)
        else:
            assert _hidden(role, status, target), (role, url, status)


@pytest.mark.parametrize(("method", "path"), API_OPERATIONS)
def test_api_isolation(world: World, method: str, path: str):
    name = _api_name(path)
    target = REGISTRY.get(name)
    assert target is not None, f"{method} {path} ({name}) is not in REGISTRY"
    kwargs = target.build(world)
    url = reverse(name, kwargs=kwargs)
    assert url == path.replace("{id}", str(kwargs["pk"]))
    anonymous = APIClient().generic(method, url)
    assert anonymous.status_code == 401, (url, anonymous.status_code)
    allowed = target.readers if method == "GET" else target.writers
    for role, user in _users(world):
        client = APIClient()
        client.force_authenticate(user)
        status = client.generic(method, url, data="{}", content_type="application/json")
        status = status.status_code
        if role not in allowed:
            assert _hidden(role, status, target), (role, method, url, status)
        elif method == "GET":
            assert status == 200, (role, method, url, status)
        else:
            assert status < 500 and status not in {401, 404}, (role, method, url, status)


@pytest.mark.parametrize("role", ["owner", "lead"])
def test_admin_is_closed_to_agents_and_leads(client, world: World, role: str):
    from django.contrib import admin

    client.force_login(getattr(world, role))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
