"""StaffProfile.read_only: auditors (in the Auditor group, not superusers) are in no audience (people.audience).
Their obligations already open are withdrawn by the next daily run (assignments.daily), which recomputes every
audience."""

from django.conf import settings
from django.db import migrations, models



def mark_auditors(apps, schema_editor):
    from people.roles import AUDITOR

    StaffProfile = apps.get_model("people", "StaffProfile")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    auditors = User.objects.filter(is_superuser=False, groups__name=AUDITOR).values("pk")
    StaffProfile.objects.filter(user_id__in=auditors).update(read_only=True)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_feed_token"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="staffprofile",
            name="read_only",
            field=models.BooleanField(default=False, editable=False, verbose_name="read-only (auditor)"),
        ),
        migrations.RunPython(mark_auditors, migrations.RunPython.noop),
    ]
