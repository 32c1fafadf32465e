"""Fuzzing the attempt POSTs: random fields, types and sizes get a 4xx with a message, never a 500,
and never change an answer unless the post was a valid one."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.services import attempt_start

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.text(alphabet="0123456789", min_size=1, max_size=25),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
field_names = st.one_of(
    st.sampled_from(["seq", "shown", "action", "page", "q1", "q2", "q3", "q4", "q5", "q5-1", "q5-9", "q0"]),
    st.text(max_size=12),
)
form_values = st.one_of(
    st.text(max_size=40), st.text(alphabet="0123456789,-", max_size=30), st.just("x" * 5000)
)


@pytest.fixture
def attempt(make_quiz, questions, learner):
    quiz = make_quiz(*questions.values(), max_attempts=0)
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    return attempt


@SETTINGS
@given(
    payload=st.one_of(
        json_values, st.dictionaries(st.sampled_from(["seq", "answers", "x"]), json_values, max_size=3)
    )
)
def test_autosave_json_fuzz(client, learner, attempt, payload):
    client.force_login(learner)
    body = json.dumps(payload, allow_nan=True)
    response = client.post(
        reverse("quiz_attempt_answers", args=[attempt.pk]), body, content_type="application/json"
    )
    assert response.status_code in {200, 400, 409}, (response.status_code, body)
    if response.status_code != 200:
        assert response.json()["error"]


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_autosave_raw_bytes_fuzz(client, learner, attempt, raw):
    client.force_login(learner)
    response = client.post(
        reverse("quiz_attempt_answers", args=[attempt.pk]), raw, content_type="application/json"
    )
    assert response.status_code in {200, 400, 409}
    if response.status_code != 200:
        assert response.json()["error"]


@SETTINGS
@given(
    data=st.dictionaries(field_names, st.one_of(form_values, st.lists(form_values, max_size=3)), max_size=8)
)
def test_attempt_form_fuzz(client, learner, attempt, data):
    client.force_login(learner)
    response = client.post(reverse("quiz_attempt", args=[attempt.pk]), data)
    assert response.status_code in {200, 302, 400, 409}, response.status_code
    if response.status_code in {400, 409}:
        assert b'role="alert"' in response.content


@SETTINGS
@given(quiz_id=st.integers(min_value=0, max_value=2**63), for_page=form_values, nxt=form_values)
def test_start_fuzz(client, learner, attempt, quiz_id, for_page, nxt):
    client.force_login(learner)
    url = f"/quizzes/{quiz_id}/"
    response = client.post(url, {"for_page": for_page, "next": nxt})
    assert response.status_code in {302, 400, 404}
