"""Give the roles their quiz permissions (people/roles.py): training admins manage the bank, auditors read."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    from people.roles import sync_roles

    sync_roles()  # kb is migrated (dependency), so section permissions are kept


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_question_bank_quizzes_attempts"),
        ("people", "0003_feed_token"),
        ("kb", "0002_approval_workflow"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
