"""A person's due dates as a private iCalendar feed (RFC 5545), addressed by the same revocable token as the
regulation feeds (people.FeedToken): an unknown or regenerated token answers 404."""

from __future__ import annotations

import datetime

import icalendar
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.services import feed_token_user

from .models import OPEN_STATUSES, Obligation
from .registry import NotAssignable, target_type_by_key

CALENDAR_PRODID = "-//ServeWell//Assignments//ZH-HK"


def _link(request: HttpRequest, ob: Obligation) -> str:
    try:
        ttype = target_type_by_key(ob.target_key)
    except NotAssignable:
        return ""
    target = ob.target
    return request.build_absolute_uri(ttype.url(target)) if target is not None else ""


def calendar_for(request: HttpRequest, user) -> bytes:
    obligations = (
        Obligation.objects.filter(person__user=user, status__in=OPEN_STATUSES)
        .prefetch_related("target")
        .order_by("due_date", "pk")
    )
    cal = icalendar.Calendar()
    cal.add("prodid", CALENDAR_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("ServeWell due dates"))
    stamp = timezone.now()
    for ob in obligations:
        event = icalendar.Event()
        event.add("uid", f"servewell-obligation-{ob.pk}@servewell")
        event.add("dtstamp", stamp)
        event.add("dtstart", ob.due_date)
        event.add("dtend", ob.due_date + datetime.timedelta(days=1))
        event.add("summary", _("Due: %(title)s") % {"title": ob.title})
        event.add("description", f"{ob.get_status_display()} · {ob.get_source_display()}")
        link = _link(request, ob)
        if link:
            event.add("url", link)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def due_dates_calendar(request: HttpRequest, token: str) -> HttpResponse:
    user = feed_token_user(token)
    if user is None:
        raise Http404("Unknown feed address")
    response = HttpResponse(calendar_for(request, user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="servewell-due-dates.ics"'
    return response
