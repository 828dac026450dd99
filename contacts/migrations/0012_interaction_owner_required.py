"""The interaction's owner made required and indexed, and kept equal to its contact's.

``Interaction.save`` copies the contact's owner into a new row. A contact given to another
agent (the admin allows it) takes its history along: a row-level trigger, fired only when the
owner changes, moves the interactions' owner too, on PostgreSQL and on SQLite.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INSTALL = {
    "postgresql": [
        """
        CREATE FUNCTION contacts_interaction_owner_follows() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE contacts_interaction SET owner_id = NEW.owner_id WHERE contact_id = NEW.id;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER contacts_interaction_owner_follows
        AFTER UPDATE OF owner_id ON contacts_contact FOR EACH ROW
        WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
        EXECUTE FUNCTION contacts_interaction_owner_follows()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER contacts_interaction_owner_follows
        AFTER UPDATE OF owner_id ON contacts_contact FOR EACH ROW
        WHEN OLD.owner_id IS NOT NEW.owner_id
        BEGIN
            UPDATE contacts_interaction SET owner_id = NEW.owner_id WHERE contact_id = NEW.id;
        END
        """,
    ],
}
UNINSTALL = {
    "postgresql": [
        "DROP TRIGGER contacts_interaction_owner_follows ON contacts_contact",
        "DROP FUNCTION contacts_interaction_owner_follows()",
    ],
    "sqlite": ["DROP TRIGGER contacts_interaction_owner_follows"],
}


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0011_interaction_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="interaction",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.RunPython(_run(INSTALL), _run(UNINSTALL)),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(fields=["owner", "-at", "-id"], name="interaction_owner_at"),
        ),
    ]
