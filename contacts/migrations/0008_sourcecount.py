"""Contacts counted by owner and source, kept by PostgreSQL triggers (``SourceCount``).

Statement-level triggers for inserts and deletes (one pass over the statement's rows, so an
import or COPY of thousands of contacts updates each count once); a row-level trigger for
updates, fired only when the owner, the source or the erasure changes (a trigger with the
statement's rows cannot be limited to columns, and would then copy every row of the warmth
recompute's updates). SQLite gets the table only: the demo counts the contacts themselves.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INSTALL = [
    # Filled from the contacts already there, in the same transaction as the triggers.
    """
    INSERT INTO contacts_sourcecount (owner_id, source, active)
    SELECT owner_id, source, count(*) FROM contacts_contact
    WHERE erased_at IS NULL GROUP BY owner_id, source
    """,
    """
    CREATE FUNCTION contacts_sourcecount_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO contacts_sourcecount AS c (owner_id, source, active)
        SELECT owner_id, source, count(*) FROM new_rows WHERE erased_at IS NULL
        GROUP BY owner_id, source ORDER BY owner_id, source
        ON CONFLICT (owner_id, source) DO UPDATE SET active = c.active + EXCLUDED.active;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION contacts_sourcecount_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE contacts_sourcecount AS c SET active = c.active - gone.n
        FROM (
            SELECT owner_id, source, count(*) AS n FROM old_rows WHERE erased_at IS NULL
            GROUP BY owner_id, source
        ) AS gone
        WHERE c.owner_id = gone.owner_id AND c.source = gone.source;
        DELETE FROM contacts_sourcecount AS c USING old_rows AS gone
        WHERE c.owner_id = gone.owner_id AND c.source = gone.source AND c.active = 0;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION contacts_sourcecount_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.erased_at IS NULL THEN
            UPDATE contacts_sourcecount SET active = active - 1
            WHERE owner_id = OLD.owner_id AND source = OLD.source;
            DELETE FROM contacts_sourcecount
            WHERE owner_id = OLD.owner_id AND source = OLD.source AND active = 0;
        END IF;
        IF NEW.erased_at IS NULL THEN
            INSERT INTO contacts_sourcecount AS c (owner_id, source, active)
            VALUES (NEW.owner_id, NEW.source, 1)
            ON CONFLICT (owner_id, source) DO UPDATE SET active = c.active + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION contacts_sourcecount_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM contacts_sourcecount;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER contacts_sourcecount_insert AFTER INSERT ON contacts_contact
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_sourcecount_inserted()
    """,
    """
    CREATE TRIGGER contacts_sourcecount_delete AFTER DELETE ON contacts_contact
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_sourcecount_deleted()
    """,
    """
    CREATE TRIGGER contacts_sourcecount_update
    AFTER UPDATE OF owner_id, source, erased_at ON contacts_contact
    FOR EACH ROW WHEN (
        OLD.owner_id IS DISTINCT FROM NEW.owner_id
        OR OLD.source IS DISTINCT FROM NEW.source
        OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL)
    )
    EXECUTE FUNCTION contacts_sourcecount_changed()
    """,
    """
    CREATE TRIGGER contacts_sourcecount_truncate AFTER TRUNCATE ON contacts_contact
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_sourcecount_truncated()
    """,
]

UNINSTALL = [
    "DROP TRIGGER contacts_sourcecount_insert ON contacts_contact",
    "DROP TRIGGER contacts_sourcecount_delete ON contacts_contact",
    "DROP TRIGGER contacts_sourcecount_update ON contacts_contact",
    "DROP TRIGGER contacts_sourcecount_truncate ON contacts_contact",
    "DROP FUNCTION contacts_sourcecount_inserted()",
    "DROP FUNCTION contacts_sourcecount_deleted()",
    "DROP FUNCTION contacts_sourcecount_changed()",
    "DROP FUNCTION contacts_sourcecount_truncated()",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_contact_owner_last_touch_nulls_last"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(blank=True, max_length=40)),
                ("active", models.PositiveIntegerField(default=0)),
                (
                    "owner",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("owner", "source"), name="sourcecount_owner_source"
                    )
                ],
            },
        ),
        migrations.RunPython(_run_on_postgresql(INSTALL), _run_on_postgresql(UNINSTALL)),
    ]
