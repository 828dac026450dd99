import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_contact_owners(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    Interaction = apps.get_model("contacts", "Interaction")
    owner = Contact.objects.filter(pk=OuterRef("contact_id")).values("owner_id")[:1]
    Interaction.objects.using(schema_editor.connection.alias).update(owner_id=Subquery(owner))


class Migration(migrations.Migration):
    # The owner is added and filled here, made required in the next migration: on
    # PostgreSQL the filled rows leave deferred foreign-key checks pending, and a table
    # with pending checks cannot be altered in the same transaction.
    dependencies = [
        ("contacts", "0010_contact_owner_follow_up"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.RunPython(copy_contact_owners, migrations.RunPython.noop, elidable=True),
    ]
