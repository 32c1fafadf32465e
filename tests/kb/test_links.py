"""#9 item 13: links that leave the site never point at the Site record's http://localhost. Emails and
in-app notifications use the public base URL (SERVEWELL_PUBLIC_URL → core.urls.absolute_url); RSS and Atom
use the host the reader asked for."""

import xml.etree.ElementTree as ET

from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from people.services import feed_token_for

PUBLIC = "https://servewell.bank.example"


def test_notification_and_email_links_use_the_public_base_url(
    make_regulation, make_staff, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = PUBLIC
    make_staff("reader")
    with django_capture_on_commit_callbacks(execute=True):
        page = make_regulation(title="（示例）新規連結")
    [note] = Notification.objects.all()
    assert note.url == PUBLIC + page.url
    [email] = mail.outbox
    assert PUBLIC + page.url in email.body
    assert "localhost" not in email.body


def test_feed_links_use_the_request_host(make_regulation, make_staff, settings, client):
    settings.ALLOWED_HOSTS = ["intranet.bank.example"]
    page = make_regulation(title="（示例）新規饋送")
    token = feed_token_for(make_staff("reader").user)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    rss = ET.fromstring(
        client.get(reverse("kb_regulation_rss", args=[token]), HTTP_HOST="intranet.bank.example").content
    )
    assert rss.findtext("./channel/link") == "http://intranet.bank.example/regulations/"
    assert [i.findtext("link") for i in rss.findall("./channel/item")] == [
        "http://intranet.bank.example" + page.url
    ]
    atom = ET.fromstring(
        client.get(
            reverse("kb_regulation_atom", args=[token]), HTTP_HOST="intranet.bank.example", secure=True
        ).content
    )
    hrefs = [link.get("href") for link in atom.iter("{http://www.w3.org/2005/Atom}link")]
    assert "https://intranet.bank.example" + page.url in hrefs
    assert not [href for href in hrefs if "localhost" in href]
    assert atom.find("a:entry", ns) is not None
