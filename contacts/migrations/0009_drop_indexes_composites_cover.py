"""Drop three single-column indexes whose column leads a composite index already.

``contacts_contact.owner_id`` (every index of the contact's Meta starts with the owner),
``contacts_contact.source`` with its ``LIKE`` twin (sources are read per agent only, through
``contact_owner_source_active``) and ``contacts_interaction.contact_id``
(``interaction_contact_at`` starts with the contact). Each changed contact row rewrites every
index of the table (the warmth recompute changes all of them), each interaction logged
inserts into every index of its table.

Only the indexes go: Django's own AlterField would also drop and re-add the foreign keys,
re-checking every row of both tables (2,000,000 interactions on the bench) under lock.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name) of Django's default index for the column.
INDEXES = (
    ("contacts_contact", "owner_id", "contacts_contact_owner_id_0103c1ee"),
    ("contacts_contact", "source", "contacts_contact_source_c7a67614"),
    ("contacts_interaction", "contact_id", "contacts_interaction_contact_id_f3ad413f"),
)
# PostgreSQL also gets a varchar_pattern_ops index for a CharField with db_index.
LIKE_INDEX = ("contacts_contact", "source", "contacts_contact_source_c7a67614_like")


def drop_indexes(apps, schema_editor):
    names = [name for _, _, name in INDEXES]
    if schema_editor.connection.vendor == "postgresql":
        names.append(LIKE_INDEX[2])
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")
    if schema_editor.connection.vendor == "postgresql":
        table, column, name = LIKE_INDEX
        schema_editor.execute(
            f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_sourcecount"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="source",
                    field=models.CharField(blank=True, max_length=40, verbose_name="source"),
                ),
                migrations.AlterField(
                    model_name="interaction",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interactions",
                        to="contacts.contact",
                        verbose_name="contact",
                    ),
                ),
            ],
        ),
    ]
