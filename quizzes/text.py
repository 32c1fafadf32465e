"""Untrusted text from imports: HTML cleaned to the question editor's whitelist, plain text escaped."""

from __future__ import annotations

from functools import cache

from django.utils.html import escape, strip_tags

from .models.bank import TEXT_FEATURES


@cache
def _converter():
    from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

    return EditorHTMLConverter(features=TEXT_FEATURES)


def clean_html(html: str) -> str:
    """Only the tags and attributes the question editor allows (Wagtail's whitelist); scripts and styles
    lose their tags and become harmless text."""
    return _converter().to_database_format(html)


def as_rich_text(text: str, *, is_html: bool = False) -> str:
    """A question text for the database: HTML cleaned, plain text escaped, paragraphs by blank lines."""
    text = text.strip()
    if not text:
        return ""
    if is_html:
        return clean_html(text)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)


def plain(html: str) -> str:
    """Rich text as plain text (for exports to formats without HTML)."""
    from html import unescape

    text = html.replace("</p><p>", "\n\n").replace("<br/>", "\n").replace("<br>", "\n")
    return unescape(strip_tags(text)).strip()
