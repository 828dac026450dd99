"""The seed's golden hours (上下班途中, 吃饭时, 睡觉前) as the global default windows."""

import datetime

from django.db import migrations

DEFAULTS = [
    ("commute", datetime.time(7, 30), datetime.time(9, 0)),
    ("lunch", datetime.time(12, 0), datetime.time(13, 30)),
    ("bedtime", datetime.time(21, 30), datetime.time(23, 0)),
]


def create_defaults(apps, schema_editor):
    PostingWindow = apps.get_model("scheduler", "PostingWindow")
    for name, start, end in DEFAULTS:
        PostingWindow.objects.get_or_create(
            name=name, owner=None, team=None, defaults={"start": start, "end": end}
        )


def remove_defaults(apps, schema_editor):
    PostingWindow = apps.get_model("scheduler", "PostingWindow")
    PostingWindow.objects.filter(
        owner=None, team=None, name__in=[name for name, _, _ in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("scheduler", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
