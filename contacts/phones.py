"""Mobile numbers: parsed with ``phonenumbers`` (region CN), stored as E.164, shown masked."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

DEFAULT_REGION = "CN"
NOT_A_PHONE = gettext_noop("%(value)s is not a phone number.")
NOT_A_MOBILE = gettext_noop("%(value)s is not a valid mobile number.")
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


class PhoneError(ValidationError):
    """A value that is not a mobile number. ``msgid`` and ``value`` let a report that is read
    later (an import's) say so in its reader's language."""

    def __init__(self, msgid: str, value: str) -> None:
        super().__init__(_(msgid) % {"value": value}, code="invalid_phone")
        self.msgid = msgid
        self.value = value


def normalise_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form (``+8613812345678``) of a mobile number, or "" for blank input.

    Raises ``PhoneError``, a ``ValidationError`` (code ``invalid_phone``), for anything that is
    not a valid mobile number. Spaces, dashes, brackets, a ``+86``/``0086`` prefix and
    full-width digits are fine.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(NOT_A_PHONE, text) from exc
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise PhoneError(NOT_A_MOBILE, text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_digits(e164: str) -> str:
    """The number as dialled at home: ``13812345678`` for ``+8613812345678``."""
    if not e164:
        return ""
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        return e164.lstrip("+")


# A mainland mobile in E.164 (what ``normalise_phone`` stores for nearly every contact): its
# national number is the eleven digits after +86. The rarer 11x, 12x and 179 numbers go
# through ``phonenumbers``, which may read a carrier prefix off them.
_PLAIN_CN_MOBILE = re.compile(r"\+86(1(?!79)[3-9]\d{9})")


def mask_phone(e164: str) -> str:
    """``138****5678``: the first three and last four digits, the middle starred. A plain
    mainland mobile is masked from the string: parsing it was a third of an API list row."""
    plain = _PLAIN_CN_MOBILE.fullmatch(e164)
    digits = plain.group(1) if plain else national_digits(e164)
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
