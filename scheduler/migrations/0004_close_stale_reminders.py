"""Close the reminders whose post has already left the status they are about.

Until now no move closed a reminder, so every ready post ever sent still counted on the bell
and stayed on the "today" page after it was posted. ``post_transition`` closes them from now
on (``scheduler.models.REMINDED_STATUS``); this closes the ones left open before, at the time
their post last moved.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# As scheduler.models.REMINDED_STATUS when this was written.
REMINDED_STATUS = {"post_ready": "sent", "post_held": "rejected"}


def close_stale(apps, schema_editor):
    Reminder = apps.get_model("scheduler", "Reminder")
    MomentPost = apps.get_model("scheduler", "MomentPost")
    last_move = MomentPost.objects.filter(pk=OuterRef("post_id")).values("updated")[:1]
    for kind, status in REMINDED_STATUS.items():
        Reminder.objects.filter(dismissed_at__isnull=True, kind=kind).exclude(
            post__status=status
        ).update(dismissed_at=Subquery(last_move))


class Migration(migrations.Migration):
    dependencies = [("scheduler", "0003_post_category_choices")]

    # Nothing to undo: a reminder closed here was stale.
    operations = [migrations.RunPython(close_stale, migrations.RunPython.noop)]
