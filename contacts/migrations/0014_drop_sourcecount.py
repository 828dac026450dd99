"""Drop ``SourceCount`` and the PL/pgSQL triggers that kept it.

The source menu and the list's count are now read from the contacts themselves
(``values("source").annotate(Count(...))`` on the user's active contacts), which the partial
index ``contact_owner_source_active`` serves per agent: the triggers saved about a
millisecond a page and put a second copy of the counts in the database. Reversible: going
back recreates the table and the triggers and fills the counts from the contacts.
"""

import importlib

from django.db import migrations

_installed = importlib.import_module("contacts.migrations.0008_sourcecount")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0013_contactimport_report_messages")]

    operations = [
        # The triggers write to the table, so they go first (and come back last).
        migrations.RunPython(
            _installed._run_on_postgresql(_installed.UNINSTALL),
            _installed._run_on_postgresql(_installed.INSTALL),
        ),
        migrations.DeleteModel(name="SourceCount"),
    ]
