"""Register the read-only evidence-records admin."""

from __future__ import annotations

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import Record
from .viewsets import ReadOnlyPermissionPolicy, record_viewset

# Before the viewset registers, or Wagtail would create the default (writable) policy for Record.
register_permission_policy(Record, ReadOnlyPermissionPolicy(Record))


@hooks.register("register_admin_viewset")
def register_record_viewset():
    return record_viewset
