"""Every Wagtail list export goes through ``core.spreadsheets``, also Wagtail's own reports.

Wagtail's ``SpreadsheetExportMixin`` (index views with ``list_export``, the page and workflow reports, the
site history, form submissions) writes CSV without a BOM and without neutralising formulas, and XLSX in
UTC. ``route_wagtail_exports()``, called once from ``WebsiteConfig.ready``, gives that mixin the methods of
``core.spreadsheets.ListExportMixin``, so a page title like ``=HYPERLINK(…)`` cannot run in any export.
"""

from __future__ import annotations

from wagtail.admin.views.mixins import SpreadsheetExportMixin

from core.spreadsheets import ListExportMixin

ROUTED = ("as_spreadsheet", "export_sheet", "export_value")


def route_wagtail_exports() -> None:
    for name in ROUTED:
        setattr(SpreadsheetExportMixin, name, ListExportMixin.__dict__[name])
