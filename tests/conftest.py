import pytest

from tests.factories import StaffProfileFactory, UserFactory

pytest_plugins = ["tests.kb.fixtures"]  # page trees for kb, search page and browser tests


@pytest.fixture
def make_staff(db):
    """make_staff(username, supervisor=None, groups=(...), **profile_fields) -> StaffProfile"""

    def make(username: str, *, supervisor=None, groups=(), **fields):
        user = UserFactory(username=username, groups=list(groups))
        return StaffProfileFactory(user=user, supervisor=supervisor, **fields)

    return make


@pytest.fixture
def login(client):
    """login(user) -> the logged-in test client."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)
