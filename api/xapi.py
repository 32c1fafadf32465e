"""xAPI (Experience API 1.0.3) statements of completions and quiz results, for a learning record store.

Statement ids are UUID5 of what they describe ("obligation:17", "attempt:42"), so exporting twice gives the
same ids and an LRS keeps one copy. The actor is identified by an account on the site (employee number).
"""

from __future__ import annotations

import uuid

from assignments.models import Obligation, Status
from core.urls import absolute_url
from quizzes.models import Attempt

NAMESPACE = uuid.UUID("5f0c1e5e-7d1f-4f43-9a54-2d9a7e3b0c14")  # ServeWell's statements
VERSION = "1.0.3"
COMPLETED = {
    "id": "http://adlnet.gov/expapi/verbs/completed",
    "display": {"en-US": "completed", "zh-HK": "完成"},
}
PASSED = {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed", "zh-HK": "合格"}}
FAILED = {"id": "http://adlnet.gov/expapi/verbs/failed", "display": {"en-US": "failed", "zh-HK": "不合格"}}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
DOCUMENT_TYPE = "http://id.tincanapi.com/activitytype/document"


def _actor(name: str, employee_number: str) -> dict:
    return {
        "objectType": "Agent",
        "name": name,
        "account": {"homePage": absolute_url("/"), "name": employee_number},
    }


def completion_statement(ob: Obligation) -> dict:
    """``ob`` (completed) as "<person> completed <target>", with its due date and whether it was on time."""
    is_ack = ob.target_key.startswith("kb.")
    result = {
        "completion": True,
        "success": ob.status != Status.COMPLETED_LATE,
        "extensions": {
            absolute_url("/xapi/extensions/due-date"): ob.due_date.isoformat(),
            absolute_url("/xapi/extensions/status"): ob.status,
        },
    }
    if ob.score is not None:
        result["score"] = {
            "raw": float(ob.score),
            "min": 0,
            "max": 100,
            "scaled": round(float(ob.score) / 100, 4),
        }
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"obligation:{ob.pk}")),
        "actor": _actor(ob.person.display_name, ob.person.employee_number),
        "verb": COMPLETED,
        "object": {
            "objectType": "Activity",
            "id": absolute_url(f"/xapi/activities/{ob.target_key}/{ob.target_id}"),
            "definition": {
                "name": {"zh-HK": ob.title},
                "type": DOCUMENT_TYPE if is_ack else COURSE_TYPE,
            },
        },
        "result": result,
        "timestamp": ob.completed_at,
        "stored": ob.completed_at,
        "version": VERSION,
    }


def attempt_statement(attempt: Attempt, name: str, employee_number: str) -> dict:
    """A graded attempt as "<person> passed/failed <quiz>" with its score."""
    score = float(attempt.score or 0)
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"attempt:{attempt.pk}")),
        "actor": _actor(name, employee_number),
        "verb": PASSED if attempt.passed else FAILED,
        "object": {
            "objectType": "Activity",
            "id": absolute_url(f"/xapi/activities/quizzes.quiz/{attempt.quiz_id}"),
            "definition": {"name": {"zh-HK": attempt.quiz.title}, "type": ASSESSMENT_TYPE},
        },
        "result": {
            "success": bool(attempt.passed),
            "completion": True,
            "score": {"raw": score, "min": 0, "max": 100, "scaled": round(score / 100, 4)},
            "extensions": {absolute_url("/xapi/extensions/attempt-number"): attempt.number},
        },
        "timestamp": attempt.graded_at,
        "stored": attempt.graded_at,
        "version": VERSION,
    }
