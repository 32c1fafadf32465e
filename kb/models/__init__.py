from .acknowledged import AcknowledgedPage
from .procedures import (
    ProcedureAttachment,
    ProcedureCategoryPage,
    ProcedurePage,
    ProcedureRelatedLink,
    ProceduresIndexPage,
    ProcedureTag,
)
from .regulations import (
    AffectedProcedure,
    Issuer,
    RegulationIndexPage,
    RegulationTag,
    RegulationUpdatePage,
    ReviewFlag,
)
from .versions import Acknowledgement, ProcedureReview, PublishedVersion
from .workflows import NoSelfApprovalTask

__all__ = [
    "AcknowledgedPage",
    "Acknowledgement",
    "AffectedProcedure",
    "Issuer",
    "NoSelfApprovalTask",
    "ProcedureAttachment",
    "ProcedureCategoryPage",
    "ProcedurePage",
    "ProcedureRelatedLink",
    "ProcedureReview",
    "ProcedureTag",
    "ProceduresIndexPage",
    "PublishedVersion",
    "RegulationIndexPage",
    "RegulationTag",
    "RegulationUpdatePage",
    "ReviewFlag",
]
