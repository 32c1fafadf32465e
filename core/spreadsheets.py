"""The one CSV/XLSX writer: every download in ServeWell goes through here.

- Text that a spreadsheet would run as a formula (it starts with = + - @ tab or CR) is prefixed with an
  apostrophe, in CSV and XLSX alike (OWASP "CSV injection").
- CSV is UTF-8 with a BOM, so Excel shows Chinese; it streams row by row.
- XLSX keeps numbers as numbers and dates as dates; aware datetimes are shown in the site's time zone
  (settings.TIME_ZONE), so say the zone in the column header (``local_time_label()``). The header row is
  bold and frozen. Workbooks are written in openpyxl's write-only mode to a temporary file, so memory stays
  flat for large exports.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.core.exceptions import FieldDoesNotExist
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass
class Sheet:
    """One table: an optional preamble (e.g. the document's number and title), a header row, the rows."""

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    preamble: Sequence[Sequence[Any]] = field(default_factory=tuple)
    widths: Sequence[int] = field(default_factory=tuple)  # XLSX column widths in characters, optional


def neutralise(text: str) -> str:
    """Text that cannot run as a formula in Excel, LibreOffice or Google Sheets."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def looks_like_formula(value: Any) -> bool:
    """True for text a spreadsheet would run as a formula; imports refuse such cells."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def local_time_label() -> str:
    """E.g. "Asia/Hong_Kong", for headers of time columns."""
    return timezone.get_current_timezone_name()


def _plain(value: Any) -> Any:
    """A cell value for XLSX: numbers, dates and local naive datetimes stay typed; everything else is text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, datetime.date):
        return value
    return neutralise(force_str(value))


def csv_text(value: Any) -> str:
    """A cell value for CSV (text only)."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(sheets: Sequence[Sheet]) -> Iterator[bytes]:
    """The sheets as one CSV (a blank line and the sheet's title between sheets), BOM first."""
    writer = csv.writer(_Echo())
    yield BOM.encode("utf-8")
    for number, sheet in enumerate(sheets):
        if number:
            yield b"\r\n" + writer.writerow([csv_text(sheet.title)]).encode("utf-8")
        for row in (*sheet.preamble, sheet.header):
            yield writer.writerow([csv_text(v) for v in row]).encode("utf-8")
        for row in sheet.rows:
            yield writer.writerow([csv_text(v) for v in row]).encode("utf-8")


def xlsx_file(sheets: Sequence[Sheet]):
    """The sheets as an XLSX workbook in a temporary file, positioned at its start."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.title))
        for index, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        header_row = len(sheet.preamble) + 1
        ws.freeze_panes = f"A{header_row + 1}"
        for row in sheet.preamble:
            ws.append([_typed_cell(ws, v) for v in row])
        header = []
        for value in sheet.header:
            cell = WriteOnlyCell(ws, value=_plain(value))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_typed_cell(ws, v) for v in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 (returned open; FileResponse closes it)
    book.save(output)
    output.seek(0)
    return output


def _typed_cell(ws, value: Any):
    from openpyxl.cell import WriteOnlyCell

    value = _plain(value)
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in force_str(title)).strip()
    return (cleaned or "Sheet")[:31]


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def spreadsheet_response(filename_stem: str, fmt: str, sheets: Sequence[Sheet]):
    """A download of ``sheets`` as ``<filename_stem>.csv`` or ``.xlsx`` (``fmt`` is "csv" or "xlsx")."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(sheets), content_type=CSV_CONTENT_TYPE)
    elif fmt == "xlsx":
        response = FileResponse(xlsx_file(sheets), content_type=XLSX_CONTENT_TYPE)
    else:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    response["Content-Disposition"] = _disposition(f"{filename_stem}.{fmt}")
    return response


class ListExportMixin:
    """Routes Wagtail's generic list export (``list_export`` on an index or report view) through this module.

    Mix it in before Wagtail's view class (``website.exports`` also puts these methods on Wagtail's
    ``SpreadsheetExportMixin`` itself, so Wagtail's own reports go the same way). Wagtail's writer neither
    neutralises formulas in CSV nor writes a BOM, and it writes UTC times; this one does all three like every
    other download. Choice fields export their labels, not their codes; ``None`` is a blank cell. A view's
    ``custom_field_preprocess`` for a field still applies; a view may also override ``export_value``.
    Uses only what Wagtail's ``SpreadsheetExportMixin`` provides (``list_export``, ``get_heading``,
    ``to_row_dict``, ``get_filename``), so this module does not import Wagtail.
    """

    def export_value(self, item: Any, field_name: str, value: Any, fmt: str = "xlsx") -> Any:
        custom = getattr(self, "custom_field_preprocess", {}).get(field_name, {})
        if fmt in custom:
            return custom[fmt](value) if custom[fmt] is not None else value
        model_field = _model_field(type(item), field_name)
        if model_field is not None and model_field.choices and value is not None:
            return getattr(item, f"get_{field_name}_display")()
        if callable(value):
            value = value()
        if isinstance(value, list | tuple):
            return ", ".join(force_str(v) for v in value)
        return value

    def export_sheet(self, queryset, fmt: str = "xlsx") -> Sheet:
        fields = list(self.list_export)
        header = [self.get_heading(queryset, name) for name in fields]
        rows = (
            [self.export_value(item, name, value, fmt) for name, value in self.to_row_dict(item).items()]
            for item in queryset
        )
        title = getattr(self, "page_title", "") or self.get_filename()
        return Sheet(title=force_str(title), header=header, rows=rows)

    def as_spreadsheet(self, queryset, spreadsheet_format: str):
        sheet = self.export_sheet(queryset, spreadsheet_format)
        return spreadsheet_response(self.get_filename(), spreadsheet_format, [sheet])


def _model_field(model: type, name: str):
    meta = getattr(model, "_meta", None)
    if meta is None or "." in name:
        return None
    try:
        return meta.get_field(name)
    except FieldDoesNotExist:  # an attribute or method, not a field
        return None
