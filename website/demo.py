"""The demo bank for `manage.py load_demo` and the browser tests: ``load_all`` runs each app's own demo loader
in layer order, inside one pause of search indexing (the index is rebuilt once afterwards)."""

from __future__ import annotations

import datetime

from django.conf import settings
from wagtail.models import Page, Site

from courses import demo as courses_demo
from dashboards.models import HomePage
from kb import demo as kb_demo
from kb.demo_regulations import load_regulations
from kb.services import approval_workflow_ensure
from people import demo as people_demo
from quizzes import demo as quizzes_demo
from website.demo_assignments import load_assignments
from website.search.bulk import indexing_paused


def _recreate_wagtail_roots() -> Page:
    """Wagtail's migrations create a locale, a root page and a root collection; an emptied database (a flushed
    test database) has none of them."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale

    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    page_type = ContentType.objects.get_for_model(Page)
    return Page.add_root(instance=Page(title="Root", slug="root", content_type=page_type))


def ensure_site() -> HomePage:
    """One HomePage as the default site's root (replacing Wagtail's placeholder welcome page)."""
    root = Page.get_first_root_node() or _recreate_wagtail_roots()
    home = HomePage.objects.first()
    placeholders = root.get_children().filter(
        content_type__app_label="wagtailcore", content_type__model="page"
    )
    if home is None:
        Site.objects.filter(root_page__in=placeholders).delete()
        for page in placeholders:
            page.delete()  # Wagtail's "Welcome to your new Wagtail site!" page
        home = root.add_child(instance=HomePage(title="ServeWell 服務學院", slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="ServeWell"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "ServeWell"
        site.save()
    return home


def settle_demo_notifications(*, recent_days: int = 30) -> None:
    """Demo history: notifications about older updates were read and emailed long ago; recent ones are new."""
    from django.utils import timezone
    from wagtail.models import Page

    from notifications.models import EmailDelivery, Notification

    cutoff = timezone.now() - datetime.timedelta(days=recent_days)
    published = {
        page.get_full_url(): page.first_published_at for page in Page.objects.live().only("url_path")
    }
    for notification in Notification.objects.filter(read_at__isnull=True):
        when = published.get(notification.url)
        if when is None:
            continue
        if when >= cutoff:  # recent: still new, dated when it was published
            Notification.objects.filter(pk=notification.pk).update(created_at=when)
            continue
        Notification.objects.filter(pk=notification.pk).update(created_at=when, read_at=when)
        EmailDelivery.objects.filter(notification=notification, status=EmailDelivery.PENDING).update(
            status=EmailDelivery.SENT, attempts=1, sent_at=when
        )


def load_all() -> list[str]:
    """Load (or top up) the whole demo bank; returns what was loaded, one line per app. Idempotent."""
    report = []
    with indexing_paused():
        home = ensure_site()
        profiles = people_demo.load_people()
        approval_workflow_ensure()  # a flushed test database has lost the migration's workflow
        report.append(f"{len(profiles)} staff profiles")
        procedures = kb_demo.load_procedures(home)
        report.append(
            f"{procedures} procedures in ten duty areas" if procedures else "procedures already loaded"
        )
        regulations = load_regulations(home)
        report.append(
            f"{regulations} regulation updates" if regulations else "regulation updates already loaded"
        )
        questions, attempts, checks = quizzes_demo.load_quizzes()
        kb_demo.attach_comprehension_checks(checks)
        report.append(
            f"{questions} quiz questions, {attempts} attempts" if questions else "quizzes already loaded"
        )
        courses = courses_demo.load_courses(home)
        report.append(f"{courses} courses with lessons and progress" if courses else "courses already loaded")
        report.append(load_assignments())  # after the courses: rules may assign them
        settle_demo_notifications()
    return report
