"""The HR role (people/roles.py): org-wide read of staff, training records and appraisal reports."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    from people.roles import sync_roles

    sync_roles()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_verbose_names"),
        ("people", "0003_feed_token"),
        ("quizzes", "0002_roles_quiz_permissions"),
        ("kb", "0004_roles_review_and_audit"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
