"""The site-wide approval workflow: content editors submit, a compliance officer other than the submitter approves."""

from django.db import migrations


def create_workflow(apps, schema_editor):
    from kb.services import approval_workflow_ensure
    from people.roles import sync_roles

    sync_roles()  # kb's permissions (issuers, the regulation feed) now exist
    approval_workflow_ensure()


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0001_initial"),
        ("people", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_workflow, migrations.RunPython.noop)]
