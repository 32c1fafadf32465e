"""#9 item 8: a write that meets another transaction's write lock answers 503 "try again", never 500."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from kb.models import Acknowledgement
from ledger.models import Record


@contextmanager
def write_lock_held_elsewhere():
    """Another connection holds the database's write lock; this one gives up after 0.2 s, not 20 s."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        holder = sqlite3.connect(connection.settings_dict["NAME"], uri=True, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 200")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 20000")
    else:
        holder = connections.create_connection(DEFAULT_DB_ALIAS)
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Record._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")


@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_that_meets_a_held_lock_is_a_translated_503(make_procedure, make_staff, client):
    client.raise_request_exception = False
    page = make_procedure()
    client.force_login(make_staff("reader").user)
    client.get(page.url)  # the session and the page are read before the lock is taken

    with write_lock_held_elsewhere():
        response = client.post(page.url + "acknowledge/", {"version": "1"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "請稍後再試" in html and "未有儲存" in html  # zh-Hant, the default language
    assert not Acknowledgement.objects.exists() and not Record.objects.exists()  # nothing half-written

    response = client.post(page.url + "acknowledge/", {"version": "1"})  # the retry, once the lock is gone
    assert response.status_code == 302
    assert Acknowledgement.objects.count() == Record.objects.count() == 1
