"""The admin never links staff avatars to Gravatar: hashes of bank staff emails must not leave the bank."""

from django.urls import reverse


def test_admin_pages_load_no_gravatar(make_staff, client):
    editor = make_staff("editor", groups=["Staff", "Content editor"])  # editor@bank.example
    client.force_login(editor.user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in html.lower()
