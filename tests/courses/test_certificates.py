"""Certificates: the PDF embeds its fonts and draws every character of a Hong Kong name (also CJK Extension
B), and supervisors and auditors can check a code."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

from courses.models import CourseCompletion
from courses.services import lesson_view_record

pytestmark = pytest.mark.django_db

NAME = "陳𡃁𨋢"  # U+210C1, U+282E2: CJK Extension B, used in Hong Kong names


@pytest.fixture
def completion(make_course, make_staff):
    person = make_staff("staff11", display_name=NAME, employee_number="E10690", groups=["Staff"])
    _course, lessons = make_course(1, title="反洗錢與反欺詐年度培訓", validity_months=12)
    lesson_view_record(user=person.user, lesson=lessons[0])
    return CourseCompletion.objects.get()


def _pdf(login, completion) -> bytes:
    response = login(completion.user).get(f"/certificates/{completion.code}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_certificate_text_has_the_name_course_and_code(completion, login, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(_pdf(login, completion))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert NAME in text
    assert "E10690" in text and "反洗錢與反欺詐年度培訓" in text and completion.code in text
    assert completion.valid_until.isoformat() in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in f" {row} " for row in rows)  # every font embedded (emb column)
    assert any("+" in row.split()[0] for row in rows)  # as subsets (ABCDEF+Name)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils missing")
def test_the_name_is_drawn_not_blank(completion, login, tmp_path):
    """Render page 1 and look at the name's line: it must have dark pixels (a missing font renders blank)."""
    path = tmp_path / "c.pdf"
    path.write_bytes(_pdf(login, completion))
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    import re

    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', bbox
    )
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', bbox)
    scale = image.width / float(page.group(1))
    box = next(w for w in words if "𡃁" in w[4])
    crop = image.crop(tuple(int(float(v) * scale) for v in box[:4]))
    dark = sum(1 for x in range(crop.width) for y in range(crop.height) if crop.getpixel((x, y)) < 128)
    assert dark > 0.05 * crop.width * crop.height


def test_others_cannot_download_a_certificate(completion, make_staff, login):
    stranger = make_staff("staff05", groups=["Staff"]).user
    assert login(stranger).get(f"/certificates/{completion.code}.pdf").status_code == 404


def test_a_supervisor_verifies_a_code(completion, make_staff, login):
    supervisor = make_staff("supervisor1", groups=["Staff", "Supervisor"]).user
    client = login(supervisor)
    response = client.get("/certificates/verify/", {"code": completion.code.lower().replace("-", "")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "E10690" in page and NAME in page and "反洗錢與反欺詐年度培訓" in page
    response = client.get("/certificates/verify/", {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 200 and NAME not in response.content.decode()
    assert client.get("/certificates/verify/", {"code": "x" * 5000}).status_code == 400


def test_a_tampered_completion_does_not_verify(completion, make_staff, login):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE courses_coursecompletion SET valid_until = '2099-01-01'")
    auditor = make_staff("auditor", groups=["Staff", "Auditor"]).user
    page = login(auditor).get("/certificates/verify/", {"code": completion.code}).content.decode()
    assert NAME not in page and "2099" not in page


def test_staff_cannot_use_the_verification_page(completion, login):
    assert login(completion.user).get("/certificates/verify/", {"code": completion.code}).status_code == 403
