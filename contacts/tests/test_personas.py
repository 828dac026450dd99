"""Personas: checklist against the seed's advice, nurturing mode, avatar upload through Pillow."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from contacts.models import Persona
from contacts.services import persona_create, persona_update
from contacts.tests.factories import PersonaFactory
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 1)
LICENCE = "02000132000080002019012345"  # 26 letters and digits


def photo(width=900, height=700, fmt="JPEG", gps=True) -> SimpleUploadedFile:
    image = Image.new("RGB", (width, height), (200, 150, 120))
    params = {}
    if gps and fmt == "JPEG":
        exif = image.getexif()
        exif.get_ifd(0x8825)[2] = (31.0, 14.0, 10.0)
        params["exif"] = exif.tobytes()
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return SimpleUploadedFile(f"me.{fmt.lower()}", out.getvalue(), content_type="image/jpeg")


def items(persona) -> dict[str, bool]:
    return {item.key: item.ok for item in persona.checklist(TODAY)}


def test_complete_persona_meets_every_item():
    persona = persona_create(
        owner=AgentFactory(),
        nickname="小李-保险规划师",
        signature="十年保险规划师，帮你把家庭保障配明白",
        licence_number=LICENCE.lower(),
        account_started=TODAY - dt.timedelta(days=90),
        avatar=photo(),
    )
    assert persona.licence_number == LICENCE  # stored upper-case
    assert all(items(persona).values()), persona.checklist(TODAY)
    assert persona.checklist_score(TODAY) == 100
    assert not persona.is_nurturing(TODAY)


def test_checklist_names_each_unmet_item_with_a_suggestion():
    persona = PersonaFactory.build(
        nickname="Lily的小店欢迎光临随便看看吧",
        signature="",
        licence_number="",
        account_started=TODAY - dt.timedelta(days=5),
    )
    result = items(persona)
    assert result == {
        "nickname_short": False,
        "nickname_trade": False,
        "avatar": False,
        "signature": False,
        "licence": False,
        "account_age": False,
    }
    assert all(item.suggestion for item in persona.checklist(TODAY))
    assert persona.checklist_score(TODAY) == 0


def test_small_avatar_does_not_count_as_a_real_avatar():
    persona = persona_create(owner=AgentFactory(), nickname="小王-保险", avatar=photo(200, 200))
    assert persona.avatar_side == 200
    assert items(persona)["avatar"] is False


@pytest.mark.parametrize(
    ("started", "nurturing"),
    [(None, True), (TODAY - dt.timedelta(days=29), True), (TODAY - dt.timedelta(days=30), False)],
)
def test_young_account_is_in_nurturing_mode(started, nurturing):
    assert PersonaFactory.build(account_started=started).is_nurturing(TODAY) is nurturing


def test_nurturing_period_follows_the_setting(settings):
    settings.PERSONA_NURTURING_DAYS = 60
    assert PersonaFactory.build(account_started=TODAY - dt.timedelta(days=45)).is_nurturing(TODAY)


@pytest.mark.parametrize("number", ["123", "0200013200008000201901234A-", "ABC DEF", "1" * 31])
def test_malformed_licence_numbers_are_refused(number):
    with pytest.raises(ValidationError) as caught:
        persona_create(owner=AgentFactory(), nickname="小李", licence_number=number)
    assert "licence_number" in caught.value.message_dict


def test_avatar_is_cropped_square_and_stripped_of_gps(settings):
    persona = persona_create(owner=AgentFactory(), nickname="小李", avatar=photo(1200, 900))
    with persona.avatar.open("rb") as handle:
        data = handle.read()
    stored = Image.open(io.BytesIO(data))
    assert stored.size == (640, 640) and stored.format == "JPEG"
    assert len(stored.getexif()) == 0 and b"Exif" not in data
    assert Image.open(persona.avatar_thumb.path).size == (132, 132)


def test_bad_avatar_is_a_field_error_and_nothing_is_saved(english):
    persona = PersonaFactory()
    bad = SimpleUploadedFile("me.jpg", b"not really an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        persona_update(persona=persona, avatar=bad, nickname="改名")
    assert "not a picture" in caught.value.message_dict["avatar"][0]
    persona.refresh_from_db()
    assert persona.nickname != "改名"


def test_persona_edit_page_shows_checklist_and_refuses_bad_avatar(client):
    persona = PersonaFactory(nickname="Lily", owner__language="en")
    client.force_login(persona.owner)
    url = reverse("contacts:persona-edit", args=[persona.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nickname says your trade" in html and "小李-保险规划师" in html
    response = client.post(
        url,
        {"nickname": "Lily", "avatar": SimpleUploadedFile("x.jpg", b"", content_type="image/jpeg")},
    )
    assert response.status_code in (200, 400)  # the empty file is refused by the form or service
    response = client.post(
        url,
        {"nickname": "Lily", "avatar": SimpleUploadedFile("x.jpg", b"%PDF-1.4 fake", "image/jpeg")},
    )
    assert response.status_code == 400
    assert "not a picture" in response.content.decode()
    response = client.post(url, {"nickname": "小李-保险规划师", "avatar": photo()})
    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.avatar and persona.avatar_side == 640


def test_persona_create_page_and_list(client):
    owner = AgentFactory()
    client.force_login(owner)
    response = client.post(reverse("contacts:persona-create"), {"nickname": "小张-保险顾问"})
    assert response.status_code == 302
    assert Persona.objects.get(owner=owner).nickname == "小张-保险顾问"
    listing = client.get(reverse("contacts:personas"))
    assert "小张-保险顾问" in listing.content.decode()
