"""Give the roles their assignments permissions (people/roles.py): training admins write rules, auditors read.

Depends on nothing but people, so that on a fresh database it runs before kb's migrations (whose code deletes
groups, which must find the rules' audience tables); on an existing one kb's pages exist and section
permissions are kept.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    from people.roles import sync_roles

    tables = schema_editor.connection.introspection.table_names()
    sync_roles(with_sections="kb_regulationindexpage" in tables)


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0001_initial"),
        ("people", "0003_feed_token"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
