"""Register the assignments admin: rules (training admins) and the read-only obligation table."""

from __future__ import annotations

from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from ledger.viewsets import ReadOnlyPermissionPolicy

from .models import Obligation
from .viewsets import AssignmentsViewSetGroup

# Before the viewset registers, or Wagtail would create the default (writable) policy for Obligation.
register_permission_policy(Obligation, ReadOnlyPermissionPolicy(Obligation))
register_snippet(AssignmentsViewSetGroup)
