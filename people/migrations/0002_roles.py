"""Create the six role groups with the permissions defined in people/roles.py."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    from people.roles import sync_roles

    sync_roles(with_sections=False)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("ledger", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
