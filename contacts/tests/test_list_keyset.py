"""The contact list pages by cursor (keyset, the API's pager ``crm.api.pagination``): every row
once, in order, both ways, whatever the sort; ties broken by id; a bad cursor shows the first
page; scoping still holds."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlencode

import pytest
from django.template.defaultfilters import floatformat
from django.utils import timezone

from contacts.models import Contact
from contacts.phones import mask_phone, national_digits
from contacts.selectors import CONTACT_ORDERINGS, with_last_touch
from contacts.selectors_list import PAGE_SIZE
from contacts.tests.factories import ContactFactory
from contacts.warmth import shown
from crm.tests.factories import AgentFactory, LeadFactory
from crm.tests.plans import index_plan

pytestmark = pytest.mark.django_db

URL = "/contacts/"
LINK = re.compile(r'<a href="\?([^"]*)" rel="(next|prev)">')


def links(response) -> dict[str, str]:
    """The pager's links (rel -> query string) as a browser would follow them."""
    return {rel: unescape(query) for query, rel in LINK.findall(response.content.decode())}


def ids(response) -> list[int]:
    return [contact.pk for contact in response.context["page"]]


def walk(client, params: dict | None = None) -> tuple[list[list[int]], list]:
    """Follow the "next" links from the first page to the last: each page's ids, and the
    responses."""
    response = client.get(URL, params or {})
    pages, responses = [ids(response)], [response]
    while "next" in links(response):
        response = client.get(f"{URL}?{links(response)['next']}")
        assert response.status_code == 200
        pages.append(ids(response))
        responses.append(response)
    return pages, responses


def expected(owner, sort: str) -> list[int]:
    """The list's order computed here: the sort column (never touched as the oldest), then id."""
    return team_expected([owner], sort)


@pytest.fixture
def agent_with_ties():
    """An agent with 61 contacts: many share a creation time, warmth, last touch or name."""
    agent = AgentFactory()
    base = timezone.now().replace(microsecond=0)
    for i in range(61):
        ContactFactory(
            owner=agent,
            name=f"客户{i % 7}",
            created=base - dt.timedelta(minutes=i // 10),  # runs of ten equal times
            warmth_ref=float(i % 5),
            last_interaction_at=None if i % 3 == 0 else base - dt.timedelta(hours=i % 4),
        )
    return agent


@pytest.mark.parametrize("sort", sorted(CONTACT_ORDERINGS))
def test_next_links_list_every_contact_once_in_order(client, agent_with_ties, sort):
    client.force_login(agent_with_ties)
    pages, _ = walk(client, {"sort": sort})
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 11]
    assert [pk for page in pages for pk in page] == expected(agent_with_ties, sort)


@pytest.mark.parametrize("sort", ["-created", "name", "-last_interaction", "last_interaction"])
def test_previous_links_go_back_through_the_same_pages(client, agent_with_ties, sort):
    client.force_login(agent_with_ties)
    pages, responses = walk(client, {"sort": sort})
    response, back = responses[-1], [pages[-1]]
    while "prev" in links(response):
        response = client.get(f"{URL}?{links(response)['prev']}")
        back.append(ids(response))
    assert back[::-1] == pages
    assert "prev" not in links(response)  # the first page again, with no way further back


def test_pages_keep_the_count_and_the_filters(client, agent_with_ties):
    agent_with_ties.language = "en"
    agent_with_ties.save(update_fields=["language"])
    client.force_login(agent_with_ties)
    first = client.get(URL, {"sort": "name", "stage": "new_friend"})
    assert "61 contacts" in first.content.decode()
    assert "prev" not in links(first)
    following = links(first)["next"]
    assert "sort=name" in following and "stage=new_friend" in following
    second = client.get(f"{URL}?{following}")
    assert "61 contacts" in second.content.decode()
    assert set(links(second)) == {"prev", "next"}


def test_a_short_list_has_no_pager(client):
    agent = AgentFactory()
    ContactFactory.create_batch(3, owner=agent)
    client.force_login(agent)
    response = client.get(URL)
    assert len(ids(response)) == 3
    assert links(response) == {}
    assert 'class="pager"' not in response.content.decode()


def _token(payload) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor(*position, reverse: bool = False) -> str:
    """A cursor as the pager writes one: the boundary row's value of each ordering term."""
    tokens = {"p": [str(value) for value in position], **({"r": "1"} if reverse else {})}
    return base64.b64encode(urlencode(tokens, doseq=True).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        "x" * 5000,
        _token("not a list"),
        _token(["-created", "a", "2026-11-25T00:00:00+00:00", 1]),  # too short
        _token(["name", "a", "客户1", 5, 2]),  # another sort's cursor
        _token(["-created", "sideways", "2026-11-25T00:00:00+00:00", 5, 2]),
        _token(["-created", "a", "yesterday", 5, 2]),
        _token(["-created", "a", "2026-11-25T00:00:00", 5, 2]),  # naive
        _token(["-created", "a", None, 5, 2]),  # created is never NULL
        _token(["-created", "a", "2026-11-25T00:00:00+00:00", 2**80, 2]),
        _token(["-created", "a", "2026-11-25T00:00:00+00:00", -4, 2]),
        _token(["-created", "a", "2026-11-25T00:00:00+00:00", True, 2]),
        _token(["-created", "b", "2026-11-25T00:00:00+00:00", "5", 2]),
        _token(["-warmth", "a", "NaN", 5, 2]),
        _token(["-warmth", "a", 1e400, 5, 2]),
        _token(["name", "a", "客户1", 5, 2]),  # a name sort's cursor holds no name
        _token(["name", "a", ["list"], 5, 2]),
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
        cursor("2026-11-25T00:00:00+00:00"),  # too short
        cursor("2026-11-25T00:00:00+00:00", 5, 2),  # too long
        cursor("yesterday", 5),
        cursor("2026-11-25T00:00:00+00:00", "five"),
        cursor("2026-11-25\x00", 5),
        cursor("2026-11-25T00:00:00+00:00", 2**80),
    ],
)
def test_a_tampered_cursor_shows_the_first_page(client, agent_with_ties, cursor):
    client.force_login(agent_with_ties)
    head = str(base64.urlsafe_b64decode(cursor + "===")[:12])
    sort = "-warmth" if "warmth" in head else "name" if "name" in head else None
    params = {"cursor": cursor, **({"sort": sort} if sort else {})}
    response = client.get(URL, params)
    assert response.status_code == 200
    first = client.get(URL, {"sort": sort} if sort else {})
    assert ids(response) == ids(first)


def test_a_name_sorted_list_keeps_names_out_of_its_links(client):
    agent = AgentFactory()
    for i in range(30):
        ContactFactory(owner=agent, name=f"张伟{i:02d}", remark="")
    client.force_login(agent)
    pages, responses = walk(client, {"sort": "name"})
    assert [pk for page in pages for pk in page] == expected(agent, "name")
    for query in links(responses[0]).values():
        token = unquote(query.split("cursor=")[1].split("&")[0])
        position = parse_qs(base64.b64decode(token).decode(), keep_blank_values=True)["p"]
        assert len(position) == 2 and not any("张伟" in value for value in position)


def test_a_name_cursor_on_another_agents_contact_reveals_nothing(client):
    me, stranger = AgentFactory(), AgentFactory()
    for name in ["甲", "乙", "丙"] * 10:
        ContactFactory(owner=me, name=name)
    secret = ContactFactory(owner=stranger, name="乙")
    client.force_login(me)
    response = client.get(URL, {"sort": "name", "cursor": cursor("", secret.pk)})
    # The stranger's row is not in my scope: no anchor, so the first page, as for a bad cursor.
    assert ids(response) == ids(client.get(URL, {"sort": "name"}))


def test_a_cursor_from_another_agents_list_shows_only_my_contacts(client):
    me, stranger = AgentFactory(), AgentFactory()
    mine = {c.pk for c in ContactFactory.create_batch(30, owner=me)}
    ContactFactory.create_batch(30, owner=stranger)
    client.force_login(stranger)
    theirs = links(client.get(URL))["next"]
    client.force_login(me)
    pages, _ = walk(client)
    second = client.get(f"{URL}?{theirs}")
    assert set(ids(second)) <= mine
    assert {pk for page in pages for pk in page} == mine


def test_a_lead_pages_through_the_team_by_cursor(client):
    lead = LeadFactory()
    members = [AgentFactory(team=lead.team) for _ in range(3)]
    outsider = AgentFactory()
    team = {c.pk for m in members for c in ContactFactory.create_batch(12, owner=m)}
    team |= {c.pk for c in ContactFactory.create_batch(4, owner=lead)}
    ContactFactory.create_batch(5, owner=outsider)
    client.force_login(lead)
    pages, responses = walk(client)
    assert [len(page) for page in pages] == [25, 15]
    assert {pk for page in pages for pk in page} == team
    html = responses[0].content.decode()
    # A member's row shows its owner and no logging buttons; the lead's own rows have them.
    assert str(members[0]) in html or str(members[1]) in html or str(members[2]) in html
    own = Contact.objects.filter(owner=lead).values_list("pk", flat=True)
    for pk in set(pages[0]) | set(pages[1]):
        page_html = responses[0 if pk in pages[0] else 1].content.decode()
        badge = page_html.split(f'id="warmth-{pk}"')[1].split("</span>\n</td>")[0]
        assert ("button" in badge) == (pk in own)


def test_a_backward_cursor_past_removed_rows_shows_a_full_first_page(client):
    agent = AgentFactory()
    ContactFactory.create_batch(40, owner=agent)
    client.force_login(agent)
    second = client.get(f"{URL}?{links(client.get(URL))['next']}")
    back = links(second)["prev"]
    first_rows = ids(client.get(URL))
    Contact.objects.filter(pk__in=first_rows[:10]).delete()
    response = client.get(f"{URL}?{back}")
    assert len(ids(response)) == 25
    assert ids(response) == ids(client.get(URL))


def test_a_cursor_past_the_end_shows_the_first_page(client):
    agent = AgentFactory()
    ContactFactory.create_batch(30, owner=agent)
    client.force_login(agent)
    following = links(client.get(URL))["next"]
    last_five = Contact.objects.filter(owner=agent).order_by("created", "id")[:5]
    Contact.objects.filter(pk__in=list(last_five.values_list("pk", flat=True))).delete()
    response = client.get(f"{URL}?{following}")
    assert response.status_code == 200
    assert ids(response) == ids(client.get(URL))


def test_shown_warmth_is_floatformat_one():
    values = [0.0, 0.05, 0.15, 0.25, 1.45, 2.675, 80.05, 660.25, 9.95, 99.95, 1e-7, 12345.678]
    values += [i / 40 for i in range(400)]
    for value in values:
        assert shown(value) == floatformat(value, 1), value


def test_mask_phone_masks_the_national_number_whether_or_not_it_parses():
    phones = ["+8613812345678", "+8619900001111", "+8617912345678", "+8611012345678"]
    phones += ["+85291234567", "+14155550123", "", "+861", "+86138123456789"]
    for phone in phones:
        digits = national_digits(phone)  # what phonenumbers reads
        starred = "*" * len(digits) if len(digits) <= 7 else "*" * (len(digits) - 7)
        expected = starred if len(digits) <= 7 else f"{digits[:3]}{starred}{digits[-4:]}"
        assert mask_phone(phone) == expected, phone


def team_expected(owners, sort: str) -> list[int]:
    """``expected`` over several agents' contacts at once, sorted here in Python."""
    field = CONTACT_ORDERINGS[sort][0].lstrip("-")
    descending = CONTACT_ORDERINGS[sort][0].startswith("-")
    contacts = with_last_touch(Contact.objects.filter(owner__in=owners).active())
    rows = sorted(contacts.values_list(field, "id"), reverse=descending)
    return [pk for _, pk in rows]


@pytest.mark.parametrize("sort", sorted(CONTACT_ORDERINGS))
def test_a_leads_pages_merge_each_agents_rows_in_order_both_ways(client, sort):
    lead = LeadFactory()
    members = [AgentFactory(team=lead.team) for _ in range(3)]
    now = timezone.now()
    for i, member in enumerate(members):
        for j in range(14):
            contact = ContactFactory(owner=member, warmth_ref=float((i + j) % 5))
            # Ties across agents: the same created moment in every agent's rows.
            Contact.objects.filter(pk=contact.pk).update(
                created=now - dt.timedelta(minutes=j % 4),
                last_interaction_at=None if j % 3 == 0 else now - dt.timedelta(hours=j % 5),
            )
    ContactFactory.create_batch(3, owner=AgentFactory())  # another team's
    client.force_login(lead)
    pages, responses = walk(client, {"sort": sort})
    assert [pk for page in pages for pk in page] == team_expected([*members, lead], sort)
    # And back from the last page by the "previous" links.
    back, response = [ids(responses[-1])], responses[-1]
    while "prev" in links(response):
        response = client.get(f"{URL}?{links(response)['prev']}")
        back.insert(0, ids(response))
    assert back == pages


@pytest.mark.postgres
def test_on_postgresql_a_later_page_starts_the_agents_index_scan_at_its_cursor(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent = AgentFactory()
    ContactFactory.create_batch(40, owner=agent)
    client.force_login(agent)
    following = links(client.get(URL))["next"]
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{URL}?{following}")
    [page] = [q["sql"] for q in queries.captured_queries if "LIMIT 26" in q["sql"]]
    # The cursor is a range on the index's column, not only an OR filtered row by row (which
    # made a page deep in the list read every row before it).
    plan = index_plan(page)
    assert re.search(r"Index Cond: \(\(owner_id = [\w.]+\) AND \(created <= ", plan), plan
