from .procedures import (
    ProcedureAttachment,
    ProcedureCategoryPage,
    ProcedurePage,
    ProcedureRelatedLink,
    ProceduresIndexPage,
    ProcedureTag,
)
from .versions import Acknowledgement, ProcedureReview, ProcedureVersion
from .workflows import NoSelfApprovalTask

__all__ = [
    "Acknowledgement",
    "NoSelfApprovalTask",
    "ProcedureAttachment",
    "ProcedureCategoryPage",
    "ProcedurePage",
    "ProcedureRelatedLink",
    "ProcedureReview",
    "ProcedureTag",
    "ProcedureVersion",
    "ProceduresIndexPage",
]
