"""Reads for procedures and regulation updates, one module per models module. Each runs a fixed number of
queries."""

from .acknowledged import (
    ACKNOWLEDGED_TYPES,
    AckRow,
    AckStatus,
    TeamProgress,
    acknowledgement_rows,
    acknowledgement_status,
    audience_staff,
    pending_acknowledgements,
    team_progress,
)
from .procedures import (
    ReviewDue,
    categories_with_counts,
    latest_review,
    open_review_flags,
    procedures_in,
    review_schedule,
)
from .regulations import (
    DepartmentTrace,
    ProcedureTrace,
    RegulationTrace,
    RowCounts,
    regulation_feed,
    regulation_trace,
    unread_regulations,
)
from .versions import (
    in_force_by_page,
    latest_version,
    upcoming_version,
    version_in_force,
    version_in_force_number,
    versions_of,
)

__all__ = [
    "ACKNOWLEDGED_TYPES",
    "AckRow",
    "AckStatus",
    "DepartmentTrace",
    "ProcedureTrace",
    "RegulationTrace",
    "ReviewDue",
    "RowCounts",
    "TeamProgress",
    "acknowledgement_rows",
    "acknowledgement_status",
    "audience_staff",
    "categories_with_counts",
    "in_force_by_page",
    "latest_review",
    "latest_version",
    "open_review_flags",
    "pending_acknowledgements",
    "procedures_in",
    "regulation_feed",
    "regulation_trace",
    "review_schedule",
    "team_progress",
    "unread_regulations",
    "upcoming_version",
    "version_in_force",
    "version_in_force_number",
    "versions_of",
]
