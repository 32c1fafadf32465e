"""Compliance officers record reviews of any procedure; auditors read the review report and page histories."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    create_permissions(global_apps.get_app_config("kb"), verbosity=0)
    from people.roles import sync_roles

    sync_roles()


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_approval_workflow")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
