from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from wagtail.views import serve as wagtail_serve

from kb import feeds, trace

urlpatterns = [
    # A minor version's address (…/v/2.1/): Wagtail's own pattern allows only [\w-] in a path segment, so
    # the dot never reaches the page's route (AcknowledgedPage.specific_version). Same view, wider pattern.
    re_path(r"^((?:[\w\-]+/)+v/\d+\.\d+/)$", wagtail_serve, name="kb_minor_version"),
    path(
        "feeds/regulations/<str:token>/rss/",
        login_not_required(feeds.RegulationRssFeed()),
        name="kb_regulation_rss",
    ),
    path(
        "feeds/regulations/<str:token>/atom/",
        login_not_required(feeds.RegulationAtomFeed()),
        name="kb_regulation_atom",
    ),
    path("regulations/<id:page_id>/trace/", trace.traceability, name="kb_regulation_trace"),
    path(
        "regulations/<id:page_id>/trace.<str:fmt>",
        trace.traceability_download,
        name="kb_regulation_trace_download",
    ),
]
