"""Compliance officers record reviews of any procedure; auditors read the review report and page histories."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    from people.roles import sync_roles

    sync_roles()


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_comprehension_check")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
