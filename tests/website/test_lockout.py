"""Failed-login limits (django-axes): by username and address together, never by address alone (#9 item 4)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import DEMO_PASSWORD

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
BANK_PROXY = "10.20.30.40"


@pytest.fixture
def people(make_staff):
    return {
        "clerk": make_staff("clerk", groups=["Staff"]).user,
        "colleague": make_staff("colleague", groups=["Staff"]).user,
        "editor": make_staff("editor", groups=["Staff", "Content editor"]).user,
    }


def attempt(client, username, password, *, url=LOGIN, ip=BANK_PROXY):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in_as(client) -> str | None:
    response = client.get("/me/", REMOTE_ADDR=BANK_PROXY)
    return response.wsgi_request.user.get_username() if response.wsgi_request.user.is_authenticated else None


def fail_five_times(client, username, url=LOGIN):
    responses = [attempt(client, username, "wrong-password", url=url) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4  # the login form with an error
    return responses[-1]


def test_five_failures_lock_that_username_on_that_address(people, client):
    locked = fail_five_times(client, "clerk")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "登入已暫時鎖定" in text and "15 分鐘" in text
    response = attempt(client, "clerk", DEMO_PASSWORD)  # the right password is refused during the lock
    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_another_user_behind_the_same_address_still_logs_in(people, client):
    fail_five_times(client, "clerk")
    response = attempt(client, "colleague", DEMO_PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == "colleague"


def test_the_same_user_from_another_address_is_not_locked(people, client):
    fail_five_times(client, "clerk")
    assert attempt(client, "clerk", DEMO_PASSWORD, ip="10.20.30.41").status_code == 302


def test_the_admin_login_counts_and_locks_too(people, client):
    for _ in range(3):
        attempt(client, "editor", "wrong-password", url=ADMIN_LOGIN)
    for _ in range(2):
        response = attempt(client, "editor", "wrong-password")
    assert response.status_code == 429
    assert attempt(client, "editor", DEMO_PASSWORD, url=ADMIN_LOGIN).status_code == 429


def test_the_lock_ends_after_the_cool_off(people, client):
    from axes.models import AccessAttempt

    fail_five_times(client, "clerk")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert attempt(client, "clerk", DEMO_PASSWORD).status_code == 302


def test_the_unlock_command_lifts_the_lock(people, client):
    fail_five_times(client, "clerk")
    call_command("axes_reset_username", "clerk", stdout=io.StringIO())
    assert attempt(client, "clerk", DEMO_PASSWORD).status_code == 302
    assert logged_in_as(client) == "clerk"


def test_a_success_resets_the_count(people, client):
    for _ in range(4):
        attempt(client, "clerk", "wrong-password")
    assert attempt(client, "clerk", DEMO_PASSWORD).status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR=BANK_PROXY)
    for _ in range(4):
        assert attempt(client, "clerk", "wrong-password").status_code == 200


def test_the_employee_number_signs_in_like_the_username(people, client):
    """The login page says "username or employee number": both work, in any case, with the same password."""
    number = people["clerk"].staff_profile.employee_number
    assert attempt(client, f" {number.lower()} ", DEMO_PASSWORD).status_code == 302
    assert logged_in_as(client) == "clerk"


def test_a_wrong_password_or_a_left_employee_fails_by_number_too(people, client):
    number = people["clerk"].staff_profile.employee_number
    assert attempt(client, number, "wrong-password").status_code == 200
    people["colleague"].is_active = False
    people["colleague"].save(update_fields=["is_active"])
    assert (
        attempt(client, people["colleague"].staff_profile.employee_number, DEMO_PASSWORD).status_code == 200
    )
    assert attempt(client, "E-NO-SUCH", DEMO_PASSWORD).status_code == 200
    assert logged_in_as(client) is None


def test_both_spellings_count_against_one_lock(people, client):
    """Three failures by username and two by employee number lock the username: the number buys no tries."""
    number = people["clerk"].staff_profile.employee_number
    for _ in range(3):
        assert attempt(client, "clerk", "wrong-password").status_code == 200
    assert attempt(client, number, "wrong-password").status_code == 200
    assert attempt(client, number, "wrong-password").status_code == 429
    assert attempt(client, "clerk", DEMO_PASSWORD).status_code == 429
    assert attempt(client, number, DEMO_PASSWORD).status_code == 429
    assert logged_in_as(client) is None
