"""Question import and export: GIFT (Moodle's common subset), Aiken and the bank's XLSX template.

Parsers are pure functions from text (or bytes) to ``ParsedQuestion`` objects; they treat the input
as untrusted text (nothing is evaluated, HTML is cleaned) and raise ``QuestionImportError`` listing every
problem as ``line N: message``. ``questions_import`` writes all of them in one transaction, or nothing.

GIFT subset: ``$CATEGORY:``, ``::name::``, ``[html]``/``[plain]``/``[markdown]`` (markdown kept as plain
text), single choice (``=right ~wrong``, ``~%50%partial``), multiple answers (``~%50%a ~%50%b ~%-100%c``),
true/false (``{T}`` ``{FALSE#wrong#right}``), short answer (only ``=`` answers, ``=%50%``), matching
(``=a -> b``), per-answer ``#feedback``, general feedback ``####``, ``\\`` escapes, ``//`` comments, and
``// [tag:…]``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.spreadsheets import FORMULA_PREFIXES

from .models import Question, QuestionCategory, QuestionOption, QuestionType
from .models.bank import PATH_SEPARATOR
from .text import as_rich_text, plain

DEFAULT_CATEGORY = "未分類"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 2000
FORMATS = ("gift", "aiken", "xlsx")

MSG_LINE = _("Line %(line)s: %(message)s")
ERR_FORMAT = _("Choose the format: GIFT (.gift/.txt), Aiken (.txt) or the XLSX template (.xlsx).")
ERR_ENCODING = _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
ERR_EMPTY = _("The file has no questions.")
ERR_TOO_MANY = _("The file has more than %(max)s questions: split it.")
ERR_NO_BRACES = _("The question has no answer block {…}.")
ERR_UNCLOSED = _("The answer block “{” is never closed with “}”.")
ERR_NO_TEXT = _("The question has no text.")
ERR_UNSUPPORTED = _(
    "This question type is not supported (only choice, true/false, short answer and matching)."
)
ERR_WEIGHT = _("“%(value)s” is not a weight between -100 and 100.")
ERR_NO_CORRECT = _("No answer is marked correct (= or a positive %%weight%%).")
ERR_ONE_OPTION = _("A choice question needs at least two options.")
ERR_MATCH_PAIRS = _("A matching question needs at least two pairs “a -> b”.")
ERR_MATCH_MIXED = _("In a matching question every answer must be a pair “a -> b”.")
ERR_PARTIAL_SUM = _("The positive weights add up to %(sum)s%%, not 100%%.")
ERR_AIKEN_NO_ANSWER = _("The question has no “ANSWER:” line.")
ERR_AIKEN_ANSWER = _("Answer %(letter)s is not among the options.")
ERR_AIKEN_LINE = _("Expected an option such as “A. text” or the “ANSWER: A” line.")
ERR_XLSX = _("The file could not be read as an Excel workbook (.xlsx).")
ERR_XLSX_HEADER = _("The first row must hold the template's headers; missing: %(columns)s.")
ERR_XLSX_TYPE = _("Unknown type “%(value)s”: use 單選, 多選, 是非, 簡答 or 配對.")
ERR_XLSX_ANSWER = _("Answer “%(value)s” does not name the options (use letters such as A or A,C).")
ERR_XLSX_TF = _("The answer of a true/false question must be 是/否 (or T/F).")
ERR_XLSX_WEIGHTS = _("Give one weight per option in “weights”, e.g. 50,50,-50.")
ERR_XLSX_DUTY = _("The duty area must be a number from 1 to 10.")
ERR_CATEGORY = _("The category “%(value)s” is not a valid path (names separated by /).")


@dataclass
class ParsedOption:
    text: str
    weight: Decimal = Decimal(0)
    feedback: str = ""
    match: str = ""


@dataclass
class ParsedQuestion:
    line: int
    qtype: str
    text: str  # rich text (cleaned)
    name: str = ""
    options: list[ParsedOption] = field(default_factory=list)
    true_false: bool | None = None
    grading: str = "all_or_nothing"
    explanation: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    duty_area: int | None = None
    tests_step: str = ""


@dataclass(frozen=True)
class Issue:
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            self.message
            if self.line is None
            else str(MSG_LINE % {"line": self.line, "message": self.message})
        )


class QuestionImportError(Exception):
    """The file cannot be imported; ``issues`` lists every problem. Nothing was written."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


def _issue(line: int | None, message, **params) -> Issue:
    return Issue(line, str(message % params if params else message))


def _weight(text: str, line: int, issues: list[Issue]) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not -100 <= value <= 100:
        issues.append(_issue(line, ERR_WEIGHT, value=text[:20]))
        return Decimal(0)
    return value


def _check_choices(question: ParsedQuestion, issues: list[Issue]) -> None:
    if len(question.options) < 2:
        issues.append(_issue(question.line, ERR_ONE_OPTION))
    elif not any(o.weight > 0 for o in question.options):
        issues.append(_issue(question.line, ERR_NO_CORRECT))
    elif question.grading == "partial":
        total = sum((o.weight for o in question.options if o.weight > 0), Decimal(0))
        if abs(total - 100) > Decimal("0.1"):
            issues.append(_issue(question.line, ERR_PARTIAL_SUM, sum=f"{total.normalize():f}"))


def _name_from(text: str) -> str:
    words = plain(text).replace("\n", " ")
    return words[:60] + ("…" if len(words) > 60 else "")


# --- GIFT ------------------------------------------------------------------------------------------------

GIFT_ESCAPES = {
    "\\~": "\x01",
    "\\=": "\x02",
    "\\#": "\x03",
    "\\{": "\x04",
    "\\}": "\x05",
    "\\:": "\x06",
    "\\\\": "\x07",
    "\\n": "\n",
}
GIFT_UNESCAPE = {"\x01": "~", "\x02": "=", "\x03": "#", "\x04": "{", "\x05": "}", "\x06": ":", "\x07": "\\"}
CATEGORY_PREFIXES = ("$course$/", "$system$/", "$module$/", "top/")
TAG_COMMENT = re.compile(r"^//\s*\[tag:([^\]]+)\]")


def _unescape(text: str) -> str:
    for code, char in GIFT_UNESCAPE.items():
        text = text.replace(code, char)
    return text


def _category_path(raw: str) -> str:
    path = raw.strip()
    changed = True
    while changed:
        changed = False
        for prefix in CATEGORY_PREFIXES:
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                path = path[len(prefix) :]
                changed = True
    return PATH_SEPARATOR.join(part.strip() for part in path.split(PATH_SEPARATOR) if part.strip())


def parse_gift(text: str) -> list[ParsedQuestion]:
    """GIFT text → questions, or QuestionImportError with every problem by line."""
    for code, char in GIFT_ESCAPES.items():
        text = text.replace(code, char)
    issues: list[Issue] = []
    questions: list[ParsedQuestion] = []
    category = ""
    tags: list[str] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        nonlocal tags
        if block:
            question = _gift_question(block, issues)
            if question is not None:
                question.category = category
                question.tags = tags
                questions.append(question)
        block.clear()
        tags = []

    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            if match := TAG_COMMENT.match(stripped):
                tags.append(_unescape(match.group(1)).strip())
            continue
        if stripped.startswith("$CATEGORY:") and not block:
            category = _category_path(_unescape(stripped[len("$CATEGORY:") :]))
            continue
        if not stripped:
            if block and "{" in "".join(t for _n, t in block) and "}" not in "".join(t for _n, t in block):
                block.append((number, line))  # a blank line inside an answer block
                continue
            flush()
            continue
        block.append((number, line))
    flush()
    if not questions and not issues:
        issues.append(_issue(None, ERR_EMPTY))
    if issues:
        raise QuestionImportError(issues)
    return questions


def _gift_question(block: list[tuple[int, str]], issues: list[Issue]) -> ParsedQuestion | None:
    first_line = block[0][0]
    source = "\n".join(line for _n, line in block)
    line_of = []  # character offset → line number
    for number, line in block:
        line_of.extend([number] * (len(line) + 1))
    start = source.find("{")
    if start < 0:
        issues.append(_issue(first_line, ERR_NO_BRACES))
        return None
    end = source.rfind("}")
    if end < start:
        issues.append(_issue(line_of[start], ERR_UNCLOSED))
        return None
    head, body, tail = source[:start], source[start + 1 : end], source[end + 1 :]
    name = ""
    if match := re.match(r"\s*::(.*?)::", head, re.S):
        name = _unescape(match.group(1)).strip()
        head = head[match.end() :]
    text = (head + " " + tail).strip() if tail.strip() else head.strip()
    is_html = False
    if fmt := re.match(r"\s*\[(html|plain|markdown|moodle)\]", text):
        is_html = fmt.group(1) == "html"
        text = text[fmt.end() :]
    text = _unescape(text).strip()
    if not text:
        issues.append(_issue(first_line, ERR_NO_TEXT))
        return None
    rich = as_rich_text(text, is_html=is_html)
    question = ParsedQuestion(line=first_line, qtype="", text=rich, name=name or _name_from(rich))
    body_line = line_of[start]
    body, _sep, general = body.partition("####")
    if general.strip():
        question.explanation = as_rich_text(_unescape(general), is_html=is_html)
    stripped = body.strip()
    if stripped.startswith("#") or stripped == "":  # numerical questions, essays
        issues.append(_issue(body_line, ERR_UNSUPPORTED))
        return None
    tf = re.fullmatch(r"(T|TRUE|F|FALSE)(#[^#]*)?(#[^#]*)?", stripped)
    if tf:
        question.qtype = QuestionType.TRUE_FALSE
        question.true_false = tf.group(1) in {"T", "TRUE"}
        wrong = _unescape((tf.group(2) or "#")[1:]).strip()
        right = _unescape((tf.group(3) or "#")[1:]).strip()
        truth, falsity = (right, wrong) if question.true_false else (wrong, right)
        question.options = [ParsedOption("true", feedback=truth), ParsedOption("false", feedback=falsity)]
        return question
    answers = []
    for match in re.finditer(r"([=~])([^=~]*)", body):
        offset = start + 1 + match.start()
        answers.append((match.group(1), match.group(2), line_of[min(offset, len(line_of) - 1)]))
    if not answers:
        issues.append(_issue(body_line, ERR_UNSUPPORTED))
        return None
    before = len(issues)
    parsed = []
    for marker, raw, line in answers:
        raw, _hash, feedback = raw.partition("#")
        weight = Decimal(100) if marker == "=" else Decimal(0)
        if match := re.match(r"\s*%(-?[\d.]+)%", raw):
            weight = _weight(match.group(1), line, issues)
            raw = raw[match.end() :]
        parsed.append((marker, _unescape(raw).strip(), weight, _unescape(feedback).strip(), line))
    if len(issues) > before:
        return None
    if any("->" in text for _m, text, *_rest in parsed):
        if any(marker != "=" or "->" not in text for marker, text, *_rest in parsed):
            issues.append(_issue(body_line, ERR_MATCH_MIXED))
            return None
        question.qtype = QuestionType.MATCHING
        for _m, text, _w, _f, _l in parsed:
            prompt, _arrow, match_text = text.partition("->")
            question.options.append(ParsedOption(prompt.strip(), match=match_text.strip()))
        if sum(1 for o in question.options if o.text) < 2:
            issues.append(_issue(body_line, ERR_MATCH_PAIRS))
            return None
        return question
    question.options = [ParsedOption(text, weight, feedback) for _m, text, weight, feedback, _l in parsed]
    if all(m == "=" for m, *_ in parsed):
        question.qtype = QuestionType.SHORT
        return question
    has_equals = any(m == "=" for m, *_ in parsed)
    if not has_equals and sum(1 for o in question.options if o.weight > 0) > 1:
        question.qtype = QuestionType.MULTIPLE
        question.grading = "partial"
    else:
        question.qtype = QuestionType.SINGLE
    before = len(issues)
    _check_choices(question, issues)
    return None if len(issues) > before else question


def _gift_escape(text: str) -> str:
    for char in "\\~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _weight_text(weight: Decimal) -> str:
    return f"{weight.normalize():f}"


def export_gift(questions: list[Question]) -> str:
    """Questions (options prefetched) as GIFT, grouped by category, with tags as ``// [tag:…]`` comments."""
    out: list[str] = []
    category = None
    for question in questions:
        if question.category.path != category:
            category = question.category.path
            out.append(f"$CATEGORY: $course$/top/{category}\n")
        for tag in question.tags.all():
            out.append(f"// [tag:{tag.name}]")
        text = "[html]" + _gift_escape(question.text)
        answers: list[str] = []
        options = list(question.options.all())
        if question.qtype == QuestionType.TRUE_FALSE:
            feedback = {o.text: o.feedback for o in options}
            right = feedback.get("true" if question.true_false_answer else "false", "")
            wrong = feedback.get("false" if question.true_false_answer else "true", "")
            answer = "TRUE" if question.true_false_answer else "FALSE"
            if right or wrong:
                answer += f"#{_gift_escape(wrong)}#{_gift_escape(right)}"
            answers.append(answer)
        elif question.qtype == QuestionType.MATCHING:
            answers += [f"={_gift_escape(o.text)} -> {_gift_escape(o.match_text)}" for o in options]
        else:
            for option in options:
                weight = option.weight
                if question.qtype == QuestionType.SHORT:
                    prefix = "=" if weight == 100 else f"=%{_weight_text(weight)}%"
                elif question.qtype == QuestionType.SINGLE and weight == 100:
                    prefix = "="
                else:
                    prefix = (
                        "~"
                        if weight == 0 and question.qtype == QuestionType.SINGLE
                        else f"~%{_weight_text(weight)}%"
                    )
                feedback = f"#{_gift_escape(option.feedback)}" if option.feedback else ""
                answers.append(f"{prefix}{_gift_escape(option.text)}{feedback}")
        if question.explanation:
            answers.append("####" + _gift_escape(question.explanation))
        body = "\n".join("\t" + a for a in answers)
        out.append(f"::{_gift_escape(question.name)}::{text} {{\n{body}\n}}\n")
    return "\n".join(out)


# --- Aiken -----------------------------------------------------------------------------------------------

AIKEN_OPTION = re.compile(r"^([A-Z])[.)]\s*(.*)$")
AIKEN_ANSWER = re.compile(r"^ANSWER\s*[:：]\s*([A-Z]?)\s*$", re.I)


def parse_aiken(text: str) -> list[ParsedQuestion]:
    """Aiken (one single-choice question per block: text, A. options, ANSWER: X) → questions."""
    issues: list[Issue] = []
    questions: list[ParsedQuestion] = []
    current: ParsedQuestion | None = None
    letters: list[str] = []
    question_text: list[str] = []

    def finish(line: int) -> None:
        nonlocal current
        if current is not None:
            issues.append(_issue(current.line, ERR_AIKEN_NO_ANSWER))
        current = None

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if current is None:
            if AIKEN_ANSWER.match(line) or AIKEN_OPTION.match(line):
                issues.append(_issue(number, ERR_NO_TEXT))
                continue
            current = ParsedQuestion(line=number, qtype=QuestionType.SINGLE, text="")
            question_text = [line]
            letters = []
            continue
        if option := AIKEN_OPTION.match(line):
            letters.append(option.group(1))
            current.options.append(ParsedOption(option.group(2).strip()))
            continue
        if answer := AIKEN_ANSWER.match(line):
            letter = answer.group(1).upper()
            current.text = as_rich_text("\n".join(question_text))
            current.name = _name_from(current.text)
            if letter not in letters:
                issues.append(_issue(number, ERR_AIKEN_ANSWER, letter=letter or "?"))
            elif len(letters) < 2:
                issues.append(_issue(number, ERR_ONE_OPTION))
            else:
                current.options[letters.index(letter)].weight = Decimal(100)
                questions.append(current)
            current = None
            continue
        if current.options:
            issues.append(_issue(number, ERR_AIKEN_LINE))
            continue
        question_text.append(line)
    finish(len(lines))
    if not questions and not issues:
        issues.append(_issue(None, ERR_EMPTY))
    if issues:
        raise QuestionImportError(issues)
    return questions


# --- XLSX ------------------------------------------------------------------------------------------------

OPTION_LETTERS = "ABCDEF"
XLSX_COLUMNS = [
    ("category", "類別", _("Category path, e.g. 反洗錢/可疑交易 (empty: the import's category)")),
    ("type", "題型", _("單選, 多選, 是非, 簡答 or 配對 (or single, multiple, true_false, short, matching)")),
    ("name", "名稱", _("Short name for the bank listing (optional)")),
    ("question", "題目", _("The question (plain text; <b>, <i>, lists and links are kept)")),
    *[
        (
            f"option_{letter.lower()}",
            f"選項{letter}",
            _("An option; short answer: an accepted answer; matching: “prompt -> match”"),
        )
        for letter in OPTION_LETTERS
    ],
    ("answer", "答案", _("Single: A; multiple: A,C; true/false: 是 or 否; short answer and matching: empty")),
    ("weights", "權重", _("Multiple choice with partial credit: one weight per option, e.g. 50,50,-50,0")),
    ("explanation", "解說", _("Shown with the correct answer when the review policy allows")),
    ("tags", "標籤", _("Comma-separated, e.g. 可疑交易,紅旗")),
    ("duty_area", "職責範疇", _("1–10 (optional)")),
    ("tests_step", "測驗步驟", _("The step it tests, e.g. 第 3 步 (optional)")),
]
XLSX_ALIASES = {
    key: {
        key,
        zh,
        zh.replace("類別", "类别")
        .replace("題", "题")
        .replace("選項", "选项")
        .replace("權重", "权重")
        .replace("解說", "解说")
        .replace("標籤", "标签")
        .replace("職責範疇", "职责范畴")
        .replace("測驗步驟", "测验步骤")
        .replace("名稱", "名称")
        .replace("答案", "答案"),
    }
    for key, zh, _help in XLSX_COLUMNS
}
TYPE_WORDS = {
    QuestionType.SINGLE: {"單選", "单选", "single", "單選題", "单选题"},
    QuestionType.MULTIPLE: {"多選", "多选", "multiple", "多選題", "多选题"},
    QuestionType.TRUE_FALSE: {"是非", "true_false", "truefalse", "是非題", "是非题", "判斷", "判断"},
    QuestionType.SHORT: {"簡答", "简答", "short", "簡答題", "简答题", "填充"},
    QuestionType.MATCHING: {"配對", "配对", "matching", "配對題", "配对题"},
}
TYPE_LABELS = {
    QuestionType.SINGLE: "單選",
    QuestionType.MULTIPLE: "多選",
    QuestionType.TRUE_FALSE: "是非",
    QuestionType.SHORT: "簡答",
    QuestionType.MATCHING: "配對",
}
TRUE_WORDS = {"是", "對", "对", "正確", "正确", "t", "true", "y", "yes"}
FALSE_WORDS = {"否", "錯", "错", "錯誤", "错误", "f", "false", "n", "no"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:  # undo core.spreadsheets' formula guard
        text = text[1:]
    return text


def parse_xlsx(data: bytes) -> list[ParsedQuestion]:
    """The bank's XLSX template (first sheet, headers in row 1) → questions."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise QuestionImportError([_issue(None, ERR_XLSX)]) from None
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise QuestionImportError([_issue(None, ERR_EMPTY)])
    header = [_cell(h).lstrip("\ufeff").lower() for h in rows[0]]
    index = {}
    for key, aliases in XLSX_ALIASES.items():
        for position, name in enumerate(header):
            if name in {a.lower() for a in aliases}:
                index[key] = position
                break
    required = ("type", "question", "option_a", "answer")
    missing = [zh for key, zh, _help in XLSX_COLUMNS if key in required and key not in index]
    if missing:
        raise QuestionImportError([_issue(1, ERR_XLSX_HEADER, columns="、".join(missing))])
    issues: list[Issue] = []
    questions = []
    for number, row in enumerate(rows[1:], start=2):
        values = {key: _cell(row[pos]) if pos < len(row) else "" for key, pos in index.items()}
        if not any(values.values()):
            continue
        question = _xlsx_question(number, values, issues)
        if question is not None:
            questions.append(question)
    if not questions and not issues:
        issues.append(_issue(None, ERR_EMPTY))
    if issues:
        raise QuestionImportError(issues)
    return questions


def _xlsx_question(line: int, values: dict[str, str], issues: list[Issue]) -> ParsedQuestion | None:
    before = len(issues)
    kind = next((k for k, words in TYPE_WORDS.items() if values.get("type", "").lower() in words), None)
    if kind is None:
        issues.append(_issue(line, ERR_XLSX_TYPE, value=values.get("type", "")[:20]))
        return None
    text = values.get("question", "")
    if not text:
        issues.append(_issue(line, ERR_NO_TEXT))
        return None
    rich = as_rich_text(text, is_html="<" in text)
    question = ParsedQuestion(
        line=line,
        qtype=kind,
        text=rich,
        name=values.get("name") or _name_from(rich),
        category=_category_path(values.get("category", "")),
        explanation=as_rich_text(values.get("explanation", ""), is_html="<" in values.get("explanation", "")),
        tags=[t.strip() for t in re.split(r"[,，、]", values.get("tags", "")) if t.strip()],
        tests_step=values.get("tests_step", "")[:100],
    )
    duty = values.get("duty_area", "")
    if duty:
        if duty.isascii() and duty.isdigit() and 1 <= int(duty) <= 10:
            question.duty_area = int(duty)
        else:
            issues.append(_issue(line, ERR_XLSX_DUTY))
    options = [values.get(f"option_{letter.lower()}", "") for letter in OPTION_LETTERS]
    letters = [letter for letter, text in zip(OPTION_LETTERS, options, strict=True) if text]
    answer = values.get("answer", "").upper().replace("，", ",").replace(" ", "")
    if kind == QuestionType.TRUE_FALSE:
        word = values.get("answer", "").strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            question.true_false = word in TRUE_WORDS
        else:
            issues.append(_issue(line, ERR_XLSX_TF))
    elif kind == QuestionType.SHORT:
        question.options = [ParsedOption(text, Decimal(100)) for text in options if text]
        if not question.options:
            issues.append(_issue(line, ERR_NO_CORRECT))
    elif kind == QuestionType.MATCHING:
        for text in options:
            if not text:
                continue
            if "->" not in text:
                issues.append(_issue(line, ERR_MATCH_MIXED))
                break
            prompt, _arrow, match = text.partition("->")
            question.options.append(ParsedOption(prompt.strip(), match=match.strip()))
        if sum(1 for o in question.options if o.text) < 2:
            issues.append(_issue(line, ERR_MATCH_PAIRS))
    else:
        question.options = [ParsedOption(text) for text in options if text]
        weights = values.get("weights", "")
        if weights:
            parts = [p for p in re.split(r"[,，]", weights) if p.strip()]
            if len(parts) != len(question.options):
                issues.append(_issue(line, ERR_XLSX_WEIGHTS))
            else:
                for option, part in zip(question.options, parts, strict=True):
                    option.weight = _weight(part, line, issues)
                question.grading = "partial"
        else:
            chosen = [a for a in answer.split(",") if a]
            if not chosen or any(a not in letters for a in chosen):
                issues.append(_issue(line, ERR_XLSX_ANSWER, value=values.get("answer", "")[:20]))
            for a in chosen:
                if a in letters:
                    question.options[letters.index(a)].weight = Decimal(100)
        if kind == QuestionType.SINGLE and len([o for o in question.options if o.weight == 100]) > 1:
            issues.append(_issue(line, ERR_XLSX_ANSWER, value=values.get("answer", "")[:20]))
        if len(issues) == before:
            _check_choices(question, issues)
    return None if len(issues) > before else question


def xlsx_rows(questions: list[Question]) -> list[list]:
    """Questions as rows of the XLSX template (export); per-option feedback is not part of the template."""
    rows = []
    for question in questions:
        options = list(question.options.all())
        cells = [""] * len(OPTION_LETTERS)
        answer = weights = ""
        if question.qtype == QuestionType.MATCHING:
            for n, option in enumerate(options[: len(OPTION_LETTERS)]):
                cells[n] = f"{option.text} -> {option.match_text}"
        elif question.qtype == QuestionType.TRUE_FALSE:
            answer = "是" if question.true_false_answer else "否"
        else:
            for n, option in enumerate(options[: len(OPTION_LETTERS)]):
                cells[n] = option.text
            if question.qtype in {QuestionType.SINGLE, QuestionType.MULTIPLE}:
                if question.multiple_grading == "partial" and question.qtype == QuestionType.MULTIPLE:
                    weights = ",".join(_weight_text(o.weight) for o in options)
                else:
                    answer = ",".join(OPTION_LETTERS[n] for n, o in enumerate(options[:6]) if o.weight > 0)
        rows.append(
            [
                question.category.path,
                TYPE_LABELS[question.qtype],
                question.name,
                question.text,
                *cells,
                answer,
                weights,
                question.explanation,
                ",".join(t.name for t in question.tags.all()),
                question.duty_area,
                question.tests_step,
            ]
        )
    return rows


def xlsx_header() -> list[str]:
    return [zh for _key, zh, _help in XLSX_COLUMNS]


# --- reading a file, writing questions -----------------------------------------------------------------


def format_for(filename: str, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise QuestionImportError([_issue(None, ERR_FORMAT)])
        return explicit
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        return "xlsx"
    if suffix in {"gift", "txt"}:
        return "gift" if suffix == "gift" else "aiken_or_gift"
    raise QuestionImportError([_issue(None, ERR_FORMAT)])


def parse_file(data: bytes, filename: str, fmt: str | None = None) -> list[ParsedQuestion]:
    """Any supported file → questions. A .txt is GIFT if it has an answer block “{”, else Aiken."""
    fmt = format_for(filename, fmt)
    if len(data) > MAX_FILE_BYTES:
        raise QuestionImportError([_issue(None, ERR_TOO_MANY, max=MAX_QUESTIONS)])
    if fmt == "xlsx":
        questions = parse_xlsx(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise QuestionImportError([_issue(None, ERR_ENCODING)]) from None
        if fmt == "aiken_or_gift":
            fmt = "gift" if "{" in text else "aiken"
        questions = parse_gift(text) if fmt == "gift" else parse_aiken(text)
    if len(questions) > MAX_QUESTIONS:
        raise QuestionImportError([_issue(None, ERR_TOO_MANY, max=MAX_QUESTIONS)])
    return questions


def category_ensure(path: str) -> QuestionCategory:
    """The category at ``path``, creating the missing levels."""
    parent = None
    category = None
    for name in [p.strip() for p in path.split(PATH_SEPARATOR) if p.strip()]:
        full = f"{parent.path}{PATH_SEPARATOR}{name}" if parent else name
        category = QuestionCategory.objects.filter(path=full).first()
        if category is None:
            category = QuestionCategory(name=name[:100], parent=parent)
            category.full_clean()
            category.save()
        parent = category
    if category is None:
        return category_ensure(DEFAULT_CATEGORY)
    return category


@dataclass
class ImportSummary:
    counts: Counter
    categories: list[str]
    dry_run: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def by_type(self) -> list[tuple[str, int]]:
        """(type label, count) in the order of QuestionType, for the preview."""
        return [(kind.label, self.counts[kind]) for kind in QuestionType if self.counts[kind]]


def questions_import(
    parsed: list[ParsedQuestion], *, base_category: str = "", user=None, dry_run: bool = False
) -> ImportSummary:
    """Create every parsed question (and its first version) in one transaction; ``dry_run`` rolls back."""
    from .services import question_versions_current

    issues = []
    for question in parsed:
        path = PATH_SEPARATOR.join(p for p in [base_category.strip(PATH_SEPARATOR), question.category] if p)
        if any(len(part) > 100 for part in path.split(PATH_SEPARATOR)) or len(path) > 900:
            issues.append(_issue(question.line, ERR_CATEGORY, value=path[:60]))
        question.category = path or DEFAULT_CATEGORY
    if issues:
        raise QuestionImportError(issues)
    summary = ImportSummary(Counter(q.qtype for q in parsed), sorted({q.category for q in parsed}), dry_run)
    with transaction.atomic():
        categories = {path: category_ensure(path) for path in summary.categories}
        created = []
        for item in parsed:
            question = Question(
                category=categories[item.category],
                qtype=item.qtype,
                name=item.name[:200],
                text=item.text,
                explanation=item.explanation,
                multiple_grading=item.grading,
                true_false_answer=item.true_false,
                duty_area=item.duty_area,
                tests_step=item.tests_step,
            )
            for n, option in enumerate(item.options):
                question.options.add(
                    QuestionOption(
                        text=option.text,
                        match_text=option.match[:500],
                        weight=option.weight,
                        feedback=option.feedback,
                        sort_order=n,
                    )
                )
            question.save()
            if item.tags:
                question.tags.add(*[t[:100] for t in item.tags])
            created.append(question)
        fresh = (
            Question.objects.filter(pk__in=[q.pk for q in created])
            .select_related("category")
            .prefetch_related("options")
        )
        question_versions_current(fresh, user=user)
        if dry_run:
            transaction.set_rollback(True)
    return summary
