"""HR import of staff from CSV or XLSX: parse, validate every row, then apply all or nothing.

``parse_staff_file`` turns a file into ``Row`` objects; ``staff_import`` validates them against the file and
the database, and (unless ``dry_run``) writes users and profiles in one transaction. Any problem raises
``StaffImportError`` carrying every issue found, by line and column, and nothing is written.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelsearch.backends import get_search_backends_with_name

from core.spreadsheets import looks_like_formula

from .models import Department, Position, StaffProfile
from .services import org_sync_many
from .signals import staff_changed_many

logger = logging.getLogger(__name__)

# --- Columns --------------------------------------------------------------------------------------------

EMPLOYEE_NUMBER = "employee_number"
NAME = "name"
EMAIL = "email"
DEPARTMENT = "department"
POSITION = "position"
SUPERVISOR = "supervisor_employee_number"
HIRE_DATE = "hire_date"
ACTIVE = "active"
USERNAME = "username"

REQUIRED_COLUMNS: tuple[str, ...] = (
    EMPLOYEE_NUMBER,
    NAME,
    EMAIL,
    DEPARTMENT,
    POSITION,
    SUPERVISOR,
    HIRE_DATE,
    ACTIVE,
)
OPTIONAL_COLUMNS: tuple[str, ...] = (USERNAME,)

# The Traditional Chinese header of each column; the downloadable template uses these.
TEMPLATE_HEADERS: dict[str, str] = {
    EMPLOYEE_NUMBER: "員工編號",
    NAME: "姓名",
    EMAIL: "電郵",
    DEPARTMENT: "部門",
    POSITION: "職位",
    SUPERVISOR: "主管員工編號",
    HIRE_DATE: "入職日期",
    ACTIVE: "在職",
}

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    EMPLOYEE_NUMBER: ("employee_number", "員工編號", "员工编号"),
    NAME: ("name", "姓名"),
    EMAIL: ("email", "電郵", "电邮"),
    DEPARTMENT: ("department", "部門", "部门"),
    POSITION: ("position", "職位", "职位"),
    SUPERVISOR: ("supervisor_employee_number", "主管員工編號", "主管员工编号"),
    HIRE_DATE: ("hire_date", "入職日期", "入职日期"),
    ACTIVE: ("active", "在職", "在职"),
    USERNAME: ("username", "登入帳號", "登录账号"),
}

FIELD_LABELS = {
    EMPLOYEE_NUMBER: _("employee number"),
    NAME: _("name"),
    EMAIL: _("email"),
    DEPARTMENT: _("department"),
    POSITION: _("position"),
    SUPERVISOR: _("supervisor"),
    HIRE_DATE: _("hire date"),
    ACTIVE: _("active"),
    USERNAME: _("username"),
}

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t", "是", "在職", "在职"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f", "否", "離職", "离职"})
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
MAX_FUTURE_HIRE = datetime.timedelta(days=365)

# --- Messages (module constants so tests compare them) ----------------------------------------------------

MSG_LINE_COLUMN = _("Line %(line)s, column “%(column)s”: %(message)s")
MSG_LINE = _("Line %(line)s: %(message)s")

ERR_FILE_TYPE = _("Upload a .csv or .xlsx file (older .xls workbooks must be saved as .xlsx first).")
ERR_ENCODING = _(
    "The file is not UTF-8 text. In Excel choose “CSV UTF-8 (Comma delimited)” when saving, "
    "or upload the .xlsx workbook."
)
ERR_CSV_INVALID = _("The CSV file could not be read: %(error)s.")
ERR_XLSX_INVALID = _("The file could not be read as an Excel workbook (.xlsx).")
ERR_EMPTY_FILE = _("The file is empty: the first line must be the column headers.")
ERR_NO_ROWS = _("The file has column headers but no staff rows.")
ERR_MISSING_COLUMN = _("The file has no “%(column)s” column (accepted headers: %(aliases)s).")
ERR_DUPLICATE_COLUMN = _("The column “%(column)s” appears more than once.")

ERR_REQUIRED = _("This field is required.")
ERR_FORMULA = _(
    "“%(value)s” starts like a spreadsheet formula (=, +, -, @, a tab or a line break). "
    "Enter the plain value, not a formula."
)
ERR_TOO_LONG = _("“%(value)s” is longer than %(max)s characters.")
ERR_DUPLICATE_EMPLOYEE = _("Employee number %(value)s also appears on line %(other)s.")
ERR_EMAIL_INVALID = _("“%(value)s” is not a valid email address.")
ERR_DUPLICATE_EMAIL = _("The email address %(value)s also appears on line %(other)s.")
ERR_EMAIL_TAKEN = _("The email address %(value)s already belongs to another login (%(username)s).")
ERR_USERNAME_INVALID = _("“%(value)s” is not a valid username: use letters, digits and @ . + - _ only.")
ERR_DUPLICATE_USERNAME = _("The username %(value)s also appears on line %(other)s.")
ERR_USERNAME_TAKEN = _("The username %(value)s already belongs to another login.")
ERR_UNKNOWN_DEPARTMENT = _("Unknown department “%(value)s”: use a code or name from the department list.")
ERR_INACTIVE_DEPARTMENT = _("The department “%(value)s” is no longer active.")
ERR_UNKNOWN_POSITION = _("Unknown position “%(value)s”: use a code or name from the position list.")
ERR_DATE_INVALID = _("“%(value)s” is not a date: use YYYY-MM-DD or YYYY/MM/DD.")
ERR_DATE_FUTURE = _("The hire date %(value)s is more than a year in the future.")
ERR_ACTIVE_INVALID = _(
    "“%(value)s” is not a yes/no value: use 1/0, Y/N, yes/no, true/false, 是/否 or 在職/離職."
)
ERR_CHANGED_MEANWHILE = _(
    "Staff records changed while the file was being checked, so nothing was imported. Upload the file again."
)
ERR_SUPERVISOR_UNKNOWN = _("No staff member has the employee number %(value)s, in this file or in ServeWell.")
ERR_SUPERVISOR_SELF = _("A person cannot be their own supervisor.")
ERR_SUPERVISOR_CYCLE = _("Supervisor cycle: %(cycle)s.")
ERR_SUPERVISOR_INACTIVE = _(
    "The supervisor %(value)s is not active; an active person needs an active supervisor."
)

VALUE_YES = _("yes")
VALUE_NO = _("no")

# Row outcomes.
CREATED = "created"
UPDATED = "updated"
DEACTIVATED = "deactivated"
UNCHANGED = "unchanged"
ACTION_LABELS = {
    CREATED: _("new"),
    UPDATED: _("updated"),
    DEACTIVATED: _("deactivated"),
    UNCHANGED: _("unchanged"),
}


# --- Data shapes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row: ``values`` by canonical column key, ``labels`` the headers as written in the file."""

    line: int
    values: Mapping[str, Any]
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


@dataclass(frozen=True)
class ImportIssue:
    """A problem with the file: line (header = 1) and column as the user sees them, or None for the file."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return str(MSG_LINE % {"line": self.line, "message": self.message})
        return str(MSG_LINE_COLUMN % {"line": self.line, "column": self.column, "message": self.message})


class StaffImportError(Exception):
    """The file cannot be imported; ``issues`` lists every problem found. Nothing was written."""

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    """What the import does (or would do) to one person."""

    line: int
    employee_number: str
    name: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class ImportResult:
    rows: list[RowChange]
    dry_run: bool

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self._count(CREATED)

    @property
    def updated(self) -> int:
        return self._count(UPDATED)

    @property
    def deactivated(self) -> int:
        return self._count(DEACTIVATED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def changed_rows(self) -> list[RowChange]:
        return [row for row in self.rows if row.action != UNCHANGED]


# --- Parsing --------------------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return text.strip().lstrip("\ufeff").strip().casefold().replace(" ", "_").replace("-", "_")


_ALIAS_TO_COLUMN = {
    _header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def parse_staff_file(file_obj: IO[bytes], filename: str) -> list[Row]:
    """Read a CSV (UTF-8, with or without BOM) or XLSX (first sheet) staff file into rows.

    Raises ``StaffImportError`` for an unreadable file or missing/duplicated columns.
    """
    data = file_obj.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in {"csv", "txt"}:
        records = _csv_records(data)
    elif suffix == "xlsx":
        records = _xlsx_records(data)
    else:
        raise StaffImportError([ImportIssue(None, None, str(ERR_FILE_TYPE))])
    return _rows_from_records(records)


def _csv_records(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StaffImportError([ImportIssue(None, None, str(ERR_ENCODING))]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    try:
        # Numbered by record, as a spreadsheet numbers rows (a quoted cell may span several text lines).
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
    except csv.Error as exc:
        raise StaffImportError([ImportIssue(None, None, str(ERR_CSV_INVALID % {"error": exc}))]) from None
    return iter(records)


def _xlsx_records(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell reads as its "=..." text, which validation refuses (a cached
        # result could be anything, and a file written by a program has none: the cell would read as empty).
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise StaffImportError([ImportIssue(None, None, str(ERR_XLSX_INVALID))]) from None
    try:
        sheet = workbook.worksheets[0]
        # read_only iter_rows starts at row 1 and pads missing rows, so enumerate gives the sheet's numbers.
        records = [(number, row) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    return iter(records)


def _is_formula(value: Any) -> bool:
    """A cell a spreadsheet would run: "=..." (also every XLSX formula cell), "+...", "-...", "@...", or
    text led by a tab or line break (also after leading spaces)."""
    return isinstance(value, str) and (looks_like_formula(value) or looks_like_formula(value.lstrip(" ")))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows_from_records(records: Iterable[tuple[int, Sequence[Any]]]) -> list[Row]:
    records = iter(records)
    header: Sequence[Any] | None = None
    for _number, record in records:
        if any(not _is_blank(cell) for cell in record):
            header = record
            break
    if header is None:
        raise StaffImportError([ImportIssue(None, None, str(ERR_EMPTY_FILE))])

    issues: list[ImportIssue] = []
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, cell in enumerate(header):
        if _is_blank(cell):
            continue
        text = str(cell).strip().lstrip("\ufeff")
        column = _ALIAS_TO_COLUMN.get(_header_key(text))
        if column is None:
            continue  # HR exports carry extra columns; they are ignored.
        if column in positions:
            issues.append(ImportIssue(None, None, str(ERR_DUPLICATE_COLUMN % {"column": text})))
            continue
        positions[column] = index
        labels[column] = text
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            aliases = " / ".join(HEADER_ALIASES[column])
            issues.append(
                ImportIssue(None, None, str(ERR_MISSING_COLUMN % {"column": column, "aliases": aliases}))
            )
    if issues:
        raise StaffImportError(issues)

    rows = []
    for number, record in records:
        if all(_is_blank(cell) for cell in record):
            continue
        values = {
            column: record[index] if index < len(record) else None for column, index in positions.items()
        }
        rows.append(Row(line=number, values=values, labels=labels))
    if not rows:
        raise StaffImportError([ImportIssue(None, None, str(ERR_NO_ROWS))])
    return rows


# --- Cell conversion ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text; Excel's whole numbers (1001.0) lose the decimal point."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _to_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel date serial in a cell formatted as a number.
        from openpyxl.utils.datetime import from_excel

        try:
            converted = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            return None
        return converted.date() if isinstance(converted, datetime.datetime) else None
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = _text(value).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _yes_no(value: bool) -> str:
    return str(VALUE_YES if value else VALUE_NO)


# --- Validation -----------------------------------------------------------------------------------------


@dataclass
class _Planned:
    """One validated row, ready to apply."""

    row: Row
    employee_number: str
    name: str
    email: str
    username: str | None  # None: no username column and an existing login keeps its name
    department: Department | None
    position: Position | None
    supervisor: str  # employee number, "" for none
    hire_date: datetime.date | None
    active: bool | None
    existing: StaffProfile | None = None


def _lookup(items: Iterable[Department | Position]) -> dict[str, Department | Position]:
    by_key: dict[str, Department | Position] = {}
    for item in items:
        by_key.setdefault(item.name.strip().casefold(), item)
    for item in items:
        by_key[item.code.strip().casefold()] = item  # codes win over names
    return by_key


class _Validator:
    """Checks rows one by one against the database (loaded once) and the rows seen so far."""

    def __init__(self, rows: Sequence[Row]) -> None:
        user_model = get_user_model()
        self.issues: list[ImportIssue] = []
        self.departments = _lookup(list(Department.objects.all()))
        self.positions = _lookup(list(Position.objects.all()))
        self.profiles = {
            p.employee_number: p
            for p in StaffProfile.objects.select_related("user", "supervisor", "department", "position")
        }
        self.username_owner: dict[str, int] = {}
        self.email_owners: dict[str, list[tuple[int, str]]] = {}
        for pk, username, email in user_model.objects.values_list("pk", user_model.USERNAME_FIELD, "email"):
            self.username_owner[username.casefold()] = pk
            if email:
                self.email_owners.setdefault(email.strip().casefold(), []).append((pk, username))
        # Logins the file covers may swap addresses; every other login keeps its own.
        self.file_user_pks = {
            self.profiles[emp].user_id
            for emp in (_text(row.values.get(EMPLOYEE_NUMBER)) for row in rows)
            if emp in self.profiles
        }
        self.max_length = {
            EMPLOYEE_NUMBER: StaffProfile._meta.get_field("employee_number").max_length,
            NAME: StaffProfile._meta.get_field("display_name").max_length,
            EMAIL: user_model._meta.get_field("email").max_length,
            USERNAME: user_model._meta.get_field(user_model.USERNAME_FIELD).max_length,
        }
        self.username_validator = UnicodeUsernameValidator()
        self.latest_hire = timezone.localdate() + MAX_FUTURE_HIRE
        self.seen_emp: dict[str, int] = {}
        self.seen_email: dict[str, int] = {}
        self.seen_username: dict[str, int] = {}
        self.formula_columns: set[str] = set()

    def add(self, row: Row, column: str, message: Any) -> None:
        if column in self.formula_columns:
            return  # the formula is the problem; "required" or "unknown" would only mislead
        self.issues.append(ImportIssue(row.line, row.label(column), str(message)))

    def _refuse_formulas(self, row: Row) -> Row:
        """Report every cell that starts like a formula; the rest of the checks see those cells as blank."""
        formulas = [column for column, value in row.values.items() if _is_formula(value)]
        self.formula_columns = set()
        for column in formulas:
            shown = _text(row.values[column])[:60]
            self.add(row, column, ERR_FORMULA % {"value": shown})
        self.formula_columns = set(formulas)
        if not formulas:
            return row
        values = {column: None if column in self.formula_columns else v for column, v in row.values.items()}
        return Row(line=row.line, values=values, labels=row.labels)

    def check(self, row: Row) -> _Planned:
        row = self._refuse_formulas(row)
        values = row.values
        emp = self._text_field(row, EMPLOYEE_NUMBER)
        name = self._text_field(row, NAME)
        duplicate = emp in self.seen_emp
        if duplicate:
            self.add(
                row, EMPLOYEE_NUMBER, ERR_DUPLICATE_EMPLOYEE % {"value": emp, "other": self.seen_emp[emp]}
            )
        elif emp:
            self.seen_emp[emp] = row.line
        existing = self.profiles.get(emp) if emp else None
        email = self._email(row)
        username = self._username(row, emp, existing, check=bool(emp) and not duplicate)
        supervisor = _text(values.get(SUPERVISOR))
        if supervisor and supervisor == emp:
            self.add(row, SUPERVISOR, ERR_SUPERVISOR_SELF)
        return _Planned(
            row=row,
            employee_number=emp,
            name=name,
            email=email,
            username=username,
            department=self._managed(row, DEPARTMENT, self.departments, ERR_UNKNOWN_DEPARTMENT),
            position=self._managed(row, POSITION, self.positions, ERR_UNKNOWN_POSITION),
            supervisor=supervisor,
            hire_date=self._hire_date(row),
            active=self._active(row),
            existing=existing,
        )

    def _text_field(self, row: Row, column: str) -> str:
        value = _text(row.values.get(column))
        if not value:
            self.add(row, column, ERR_REQUIRED)
        elif len(value) > self.max_length[column]:
            self.add(row, column, ERR_TOO_LONG % {"value": value, "max": self.max_length[column]})
        return value

    def _email(self, row: Row) -> str:
        email = _text(row.values.get(EMAIL))
        if not email:
            self.add(row, EMAIL, ERR_REQUIRED)
            return email
        try:
            validate_email(email)
            if len(email) > self.max_length[EMAIL]:
                raise ValidationError("too long")
        except ValidationError:
            self.add(row, EMAIL, ERR_EMAIL_INVALID % {"value": email})
            return email
        key = email.casefold()
        others = [login for pk, login in self.email_owners.get(key, []) if pk not in self.file_user_pks]
        if key in self.seen_email:
            self.add(row, EMAIL, ERR_DUPLICATE_EMAIL % {"value": email, "other": self.seen_email[key]})
        elif others:
            self.add(row, EMAIL, ERR_EMAIL_TAKEN % {"value": email, "username": others[0]})
        self.seen_email.setdefault(key, row.line)
        return email

    def _username(self, row: Row, emp: str, existing: StaffProfile | None, *, check: bool) -> str | None:
        """The given username, else the employee number lower-cased for a new login; None keeps the old."""
        has_column = USERNAME in row.values
        username = _text(row.values.get(USERNAME)) if has_column else ""
        column = USERNAME
        if not username:
            if existing is not None:
                return None
            username = emp.lower()
            column = USERNAME if has_column else EMPLOYEE_NUMBER
        if not check:
            return username
        try:
            self.username_validator(username)
            if len(username) > self.max_length[USERNAME]:
                raise ValidationError("too long")
        except ValidationError:
            self.add(row, column, ERR_USERNAME_INVALID % {"value": username})
            return username
        key = username.casefold()
        owner = self.username_owner.get(key)
        if key in self.seen_username:
            self.add(
                row, column, ERR_DUPLICATE_USERNAME % {"value": username, "other": self.seen_username[key]}
            )
        elif owner is not None and owner != (existing.user_id if existing else None):
            self.add(row, column, ERR_USERNAME_TAKEN % {"value": username})
        self.seen_username.setdefault(key, row.line)
        return username

    def _managed(self, row: Row, column: str, lookup: Mapping[str, Any], unknown: Any) -> Any:
        """A department or position by code or name; managed lists are never extended by an import."""
        text = _text(row.values.get(column))
        item = lookup.get(text.casefold()) if text else None
        if not text:
            self.add(row, column, ERR_REQUIRED)
        elif item is None:
            self.add(row, column, unknown % {"value": text})
        elif column == DEPARTMENT and not item.is_active:
            self.add(row, column, ERR_INACTIVE_DEPARTMENT % {"value": text})
        return item

    def _hire_date(self, row: Row) -> datetime.date | None:
        raw = row.values.get(HIRE_DATE)
        if _is_blank(raw):
            self.add(row, HIRE_DATE, ERR_REQUIRED)
            return None
        hire_date = _to_date(raw)
        if hire_date is None:
            self.add(row, HIRE_DATE, ERR_DATE_INVALID % {"value": _text(raw)})
        elif hire_date > self.latest_hire:
            self.add(row, HIRE_DATE, ERR_DATE_FUTURE % {"value": hire_date.isoformat()})
        return hire_date

    def _active(self, row: Row) -> bool | None:
        raw = row.values.get(ACTIVE)
        if _is_blank(raw):
            self.add(row, ACTIVE, ERR_REQUIRED)
            return None
        active = _to_bool(raw)
        if active is None:
            self.add(row, ACTIVE, ERR_ACTIVE_INVALID % {"value": _text(raw)})
        return active


def _plan(rows: Sequence[Row]) -> list[_Planned]:
    """Validate every row against the file and the database; raise with all issues, or return the plan."""
    validator = _Validator(rows)
    planned = [validator.check(row) for row in rows]
    issues = validator.issues + _check_supervisors(planned, validator.profiles)
    if issues:
        # Stable sort: within a line, issues keep the order of the checks (columns left to right).
        raise StaffImportError(sorted(issues, key=lambda issue: issue.line or 0))
    return planned


def _check_supervisors(planned: list[_Planned], profiles: Mapping[str, StaffProfile]) -> list[ImportIssue]:
    """Unknown or inactive supervisors and cycles in the final graph (file rows over database staff)."""
    issues: list[ImportIssue] = []
    in_file = {p.employee_number: p for p in planned if p.employee_number}
    parent: dict[str, str] = {
        emp: profile.supervisor.employee_number
        for emp, profile in profiles.items()
        if profile.supervisor is not None and emp not in in_file
    }
    active_of = {emp: profile.is_active for emp, profile in profiles.items()}
    for emp, item in in_file.items():
        if item.active is not None:
            active_of[emp] = item.active
    for item in planned:
        sup = item.supervisor
        if not sup or sup == item.employee_number:
            continue
        column = item.row.label(SUPERVISOR)
        if sup not in in_file and sup not in profiles:
            issues.append(ImportIssue(item.row.line, column, str(ERR_SUPERVISOR_UNKNOWN % {"value": sup})))
            continue
        if item.employee_number:
            parent[item.employee_number] = sup
        if item.active and active_of.get(sup) is False:
            issues.append(ImportIssue(item.row.line, column, str(ERR_SUPERVISOR_INACTIVE % {"value": sup})))

    # Walk up from every file row; a walk that meets its own path has found a cycle.
    done: set[str] = set()
    for start in in_file:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parent.get(node)
        if node is not None and node in on_path:
            cycle = [*path[on_path[node] :], node]
            text = " → ".join(cycle)
            for member in cycle[:-1]:
                if member in in_file:
                    row = in_file[member].row
                    issues.append(
                        ImportIssue(
                            row.line, row.label(SUPERVISOR), str(ERR_SUPERVISOR_CYCLE % {"cycle": text})
                        )
                    )
        done.update(path)
    return issues


# --- Applying -------------------------------------------------------------------------------------------


def _describe(item: _Planned) -> RowChange:
    """Compare a planned row with the database: the preview's line for it (new people list their values)."""
    existing = item.existing
    user = existing.user if existing else None
    new_values = {
        NAME: item.name,
        EMAIL: item.email,
        DEPARTMENT: str(item.department),
        POSITION: str(item.position),
        SUPERVISOR: item.supervisor,
        HIRE_DATE: item.hire_date.isoformat(),
        ACTIVE: _yes_no(bool(item.active)),
    }
    if item.username is not None:
        new_values[USERNAME] = item.username
    old_values = dict.fromkeys(new_values, "")
    if existing is not None:
        old_values.update(
            {
                NAME: existing.display_name,
                EMAIL: user.email,
                DEPARTMENT: str(existing.department),
                POSITION: str(existing.position),
                SUPERVISOR: existing.supervisor.employee_number if existing.supervisor else "",
                HIRE_DATE: existing.hire_date.isoformat(),
                ACTIVE: _yes_no(existing.is_active and user.is_active),
                USERNAME: user.get_username(),
            }
        )
    # Department and position compare by identity, not by their display text.
    differs = {
        DEPARTMENT: existing is None or existing.department_id != item.department.pk,
        POSITION: existing is None or existing.position_id != item.position.pk,
    }
    changes = [
        FieldChange(column, str(FIELD_LABELS[column]), old_values[column], new)
        for column, new in new_values.items()
        if differs.get(column, old_values[column] != new)
    ]
    if existing is None:
        action = CREATED
    elif not changes:
        action = UNCHANGED
    elif existing.is_active and not item.active:
        action = DEACTIVATED
    else:
        action = UPDATED
    return RowChange(item.row.line, item.employee_number, item.name, action, changes)


BATCH = 500  # rows per bulk statement (well under SQLite's limit on bound parameters)


def _stamp() -> tuple:
    """What the validation read, cheaply: if it differs inside the write transaction, someone changed staff,
    logins, departments or positions meanwhile, and the plan may no longer hold."""
    user_model = get_user_model()
    return (
        StaffProfile.objects.aggregate(n=Count("pk"), latest=Max("updated_at"), top=Max("pk")),
        user_model.objects.aggregate(n=Count("pk"), top=Max("pk")),
        tuple(Department.objects.order_by("pk").values_list("pk", "code", "name", "is_active")),
        tuple(Position.objects.order_by("pk").values_list("pk", "code", "name")),
    )


def _columns(model: type) -> list[Any]:
    """The concrete fields an INSERT names (all but the auto primary key)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


@dataclass
class _NewPerson:
    item: _Planned
    profile_values: list[Any]  # database-ready values for _columns(StaffProfile), ids filled in later
    username: str


@dataclass
class _Writes:
    """Everything the write transaction does, worked out (down to database-ready values) before it starts,
    so the transaction itself is a few statements over prepared rows."""

    user_rows: list[tuple[Any, ...]]  # database-ready values for _columns(user model)
    levels: list[list[_NewPerson]]  # new people, the top of the org chart first
    user_updates: list[tuple[Any, ...]]  # (email, username, is_active, user id)
    profile_updates: list[tuple[_Planned, int]]  # (row, profile id)
    now: datetime.datetime


def _prepare(planned: list[_Planned]) -> _Writes:
    user_model = get_user_model()
    now = timezone.now()
    new = {item.employee_number: item for item in planned if item.existing is None}
    depth: dict[str, int] = {}

    def level(emp: str) -> int:  # the graph is acyclic (validated); a loop, not recursion
        chain = []
        node = emp
        while node in new and node not in depth:
            chain.append(node)
            node = new[node].supervisor
        base = depth.get(node, -1) if node in new else -1
        for member in reversed(chain):
            base += 1
            depth[member] = base
        return depth[emp]

    user_fields, profile_fields = _columns(user_model), _columns(StaffProfile)
    user_rows: list[tuple[Any, ...]] = []
    levels: list[list[_NewPerson]] = []
    for emp, item in new.items():
        user = user_model(
            **{user_model.USERNAME_FIELD: item.username}, email=item.email, is_active=item.active
        )
        user.set_unusable_password()
        user_rows.append(tuple(f.get_db_prep_save(getattr(user, f.attname), connection) for f in user_fields))
        profile = StaffProfile(
            employee_number=item.employee_number,
            display_name=item.name,
            department_id=item.department.pk,
            position_id=item.position.pk,
            hire_date=item.hire_date,
            is_active=item.active,
            updated_at=now,
        )
        values = [f.get_db_prep_save(getattr(profile, f.attname), connection) for f in profile_fields]
        number = level(emp)
        while len(levels) <= number:
            levels.append([])
        levels[number].append(_NewPerson(item, values, item.username))

    user_updates, profile_updates = [], []
    for item in planned:
        profile = item.existing
        if profile is None:
            continue
        user = profile.user
        username = item.username if item.username is not None else user.get_username()
        if (user.email, user.get_username(), user.is_active) != (item.email, username, bool(item.active)):
            user_updates.append((item.email, username, bool(item.active), user.pk))
        current = (
            profile.display_name,
            profile.department_id,
            profile.position_id,
            profile.supervisor.employee_number if profile.supervisor else "",
            profile.hire_date,
            profile.is_active,
        )
        wanted = (
            item.name,
            item.department.pk,
            item.position.pk,
            item.supervisor,
            item.hire_date,
            item.active,
        )
        if current != wanted:
            profile_updates.append((item, profile.pk))
    return _Writes(user_rows, levels, user_updates, profile_updates, now)


def _insert_sql(model: type) -> str:
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in _columns(model))
    marks = ", ".join(["%s"] * len(_columns(model)))
    return f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"


def _apply(writes: _Writes) -> list[int]:
    """The writes, inside the caller's transaction; returns the ids of the profiles written.

    New logins are one prepared INSERT run for all rows; new profiles one per level of the org chart
    (supervisors first, so each row knows its supervisor's id); existing people one prepared UPDATE each for
    logins and profiles; then the closure table once for new and moved people and everyone below them.
    """
    user_model = get_user_model()
    ops = connection.ops
    username_field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    profile_fields = [f.attname for f in _columns(StaffProfile)]
    user_at, supervisor_at = profile_fields.index("user_id"), profile_fields.index("supervisor_id")
    pk_by_emp = dict(StaffProfile.objects.values_list("employee_number", "pk"))
    supervisor_of = dict(
        StaffProfile.objects.filter(supervisor__isnull=False).values_list("employee_number", "supervisor_id")
    )
    created: list[int] = []
    with connection.cursor() as cursor:
        if writes.user_rows:
            cursor.executemany(_insert_sql(user_model), writes.user_rows)
            wanted = {person.username for level in writes.levels for person in level}
            user_pk = {
                name: pk
                for name, pk in user_model.objects.values_list(username_field.attname, "pk")
                if name in wanted
            }
        newest = StaffProfile.objects.aggregate(top=Max("pk"))["top"] or 0
        for level in writes.levels:
            rows = []
            for person in level:
                values = list(person.profile_values)
                values[user_at] = user_pk[person.username]
                values[supervisor_at] = pk_by_emp[person.item.supervisor] if person.item.supervisor else None
                rows.append(values)
            cursor.executemany(_insert_sql(StaffProfile), rows)
            for emp, pk in StaffProfile.objects.filter(pk__gt=newest).values_list("employee_number", "pk"):
                pk_by_emp[emp] = pk
                created.append(pk)
                newest = max(newest, pk)

        users_table = ops.quote_name(user_model._meta.db_table)
        if writes.user_updates:
            cursor.executemany(
                f"UPDATE {users_table} SET email = %s, {ops.quote_name(username_field.column)} = %s, "
                "is_active = %s WHERE id = %s",
                writes.user_updates,
            )
        moved: set[int] = set(created)
        params = []
        for item, pk in writes.profile_updates:
            supervisor_id = pk_by_emp[item.supervisor] if item.supervisor else None
            if supervisor_of.get(item.employee_number) != supervisor_id:
                moved.add(pk)
            params.append(
                (
                    item.name,
                    item.department.pk,
                    item.position.pk,
                    supervisor_id,
                    ops.adapt_datefield_value(item.hire_date),
                    bool(item.active),
                    ops.adapt_datetimefield_value(writes.now),
                    pk,
                )
            )
        if params:
            cursor.executemany(
                f"UPDATE {ops.quote_name(StaffProfile._meta.db_table)} SET display_name = %s, "
                "department_id = %s, position_id = %s, supervisor_id = %s, hire_date = %s, is_active = %s, "
                "updated_at = %s WHERE id = %s",
                params,
            )
    org_sync_many(moved)
    return created + [pk for _item, pk in writes.profile_updates]


def _index(profile_ids: list[int]) -> None:
    """Bring the search index in line after the commit (bulk writes send no save signals)."""
    if not profile_ids:
        return
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        try:
            for start in range(0, len(profile_ids), BATCH):
                chunk = StaffProfile.objects.filter(pk__in=profile_ids[start : start + BATCH])
                backend.add_bulk(StaffProfile, list(chunk.select_related("department", "position")))
        except Exception:  # the import is committed; `manage.py update_index` repairs the index
            logger.exception("Staff import: indexing in the %r search backend failed", name)


def staff_import(rows: Sequence[Row], *, dry_run: bool = False, actor: Any = None) -> ImportResult:
    """Validate all rows, then (unless ``dry_run``) create and update staff in one short transaction.

    Validation reads the database outside any transaction, so it never holds the write lock however long
    the file; the writes are bulk statements in one transaction that first checks nothing changed since
    (else ``StaffImportError``, nothing written). Raises ``StaffImportError`` with every issue and writes
    nothing if any row is bad. People not in the file are never touched; rows that match the database
    cause no writes at all.
    """
    stamp = None if dry_run else _stamp()
    planned = _plan(rows)
    result = ImportResult(rows=[_describe(item) for item in planned], dry_run=dry_run)
    if dry_run:
        return result
    written: list[int] = []
    if result.changed_rows:
        changed = [
            item for item, change in zip(planned, result.rows, strict=True) if change.action != UNCHANGED
        ]
        try:
            writes = _prepare(changed)
            with transaction.atomic():
                if _stamp() != stamp:
                    raise StaffImportError([ImportIssue(None, None, str(ERR_CHANGED_MEANWHILE))])
                written = _apply(writes)
                # Bulk writes send no save signals: tell listeners (assignments) in the same transaction.
                staff_changed_many.send(sender=StaffProfile, profile_ids=written)
        except IntegrityError:
            logger.exception("Staff import refused by a database constraint")
            raise StaffImportError([ImportIssue(None, None, str(ERR_CHANGED_MEANWHILE))]) from None
    _index(written)
    logger.info(
        "Staff import by %s: %d created, %d updated, %d deactivated, %d unchanged",
        getattr(actor, "username", actor) or "system",
        result.created,
        result.updated,
        result.deactivated,
        result.unchanged,
    )
    return result
