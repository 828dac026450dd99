"""Admin-site permissions on the content library for the curators' and administrators' groups.

Curators write and curate content (add / change / view items, tags and images, and delete an
image, since removing a picture from an item is part of curating it); they read the compliance
rules but do not change them. Items are retired, never deleted. Administrators may do
everything on the content models, rules included.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = [
    "add_contentitem",
    "change_contentitem",
    "view_contentitem",
    "add_contentimage",
    "change_contentimage",
    "view_contentimage",
    "delete_contentimage",
    "add_tag",
    "change_tag",
    "view_tag",
    "view_compliancerule",
]
MODELS = ["contentitem", "contentimage", "tag", "compliancerule"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now so they can be given.
    config = apps.get_app_config("content")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_perms = Permission.objects.filter(
        content_type__app_label="content", content_type__model__in=MODELS
    )
    curators, _ = Group.objects.get_or_create(name="Content curators")
    curators.permissions.add(*content_perms.filter(codename__in=CURATOR_PERMISSIONS))
    admins, _ = Group.objects.get_or_create(name="Administrators")
    admins.permissions.add(*content_perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_perms = Permission.objects.filter(content_type__app_label="content")
    for group in Group.objects.filter(name__in=["Content curators", "Administrators"]):
        group.permissions.remove(*content_perms)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("crm", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
