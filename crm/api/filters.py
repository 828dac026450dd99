"""Filter fields shared by the API's filter sets."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

# Real time zones lie within UTC-12:00 and UTC+14:00; Python accepts up to 23:59, PostgreSQL
# only up to 15:59, so an offset past the real range is refused here rather than by the database.
MAX_OFFSET = dt.timedelta(hours=14)


class AwareIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {
        "offset": _("The UTC offset must lie between -14:00 and +14:00."),
    }

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise ValidationError(self.error_messages["offset"], code="offset")
        return value.astimezone(dt.UTC)


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, normalised to UTC; a naive one is read in the current zone."""

    field_class = AwareIsoDateTimeField
