from django.contrib.auth.decorators import login_not_required
from django.urls import path

from kb import feeds, trace

urlpatterns = [
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
