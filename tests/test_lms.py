"""Grades into the LMS (mtss_teach.lms): Canvas and Moodle CSV files, LTI 1.3 passback.

The expected files below are written by hand from each LMS's documented
import format, not produced by the code under test:

* Canvas: Instructure, "How do I import grades in the Gradebook?" (Canvas
  Instructor Guide, community.canvaslms.com/t5/Instructor-Guide/
  How-do-I-import-grades-in-the-Gradebook/ta-p/807) and Ohio State's
  "Import CSV File for Carmen Grades" (teaching.resources.osu.edu), which
  list the columns an import needs: Student (name), ID, SIS User ID, SIS
  Login ID, Section, then one column per assignment, headed "Name (id)" for
  an existing assignment or by a new name to create one; the exported file's
  second line is "Points Possible".
* Moodle: MoodleDocs, "Grade import" (docs.moodle.org/en/Grade_import): CSV,
  map "ID number" to useridnumber, map each column to a grade item; and
  Moodle's importer (grade/import/csv/classes/load_data.php), which reads an
  empty cell or "-" as "no grade" and aborts the whole import on a row whose
  user cannot be matched.

The LTI tests run a small LTI 1.3 platform on 127.0.0.1 that checks the
tool's client-credentials token request (a JWT signed with the tool's
private key, verified against the public key registered for the tool) and
implements the Assignment and Grade Services line-item and score endpoints
(IMS LTI AGS 2.0): it refuses a bad signature and a score above its line
item's maximum.
"""

from __future__ import annotations

import io
import json
import secrets
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from mtss_teach.errors import DataError
from mtss_teach.lms import (GRADED, NEEDS_REVIEW, NOT_GRADABLE, NOT_SUBMITTED, UNRELEASED, LmsError,
                            LtiPlatform, canvas_csv, export_notes, gradebook_table, moodle_csv,
                            moodle_match,
                            post_scores)
from mtss_teach.roster import read_roster

ROOT = Path(__file__).resolve().parents[1]

ROSTER = """learner_id,lms_user_id,lms_login,section,lti_user_id
ada,1001,alovelace,Cohort A,lti-ada
bob,1002,bbaker,Cohort A,lti-bob
cy,1003,cyoung,Cohort B,lti-cy
dee,1004,ddiaz,Cohort B,lti-dee
eve,,,Cohort B,
"""

# nbgrader's export (the columns `python -m mtss_teach.grading export` writes);
# dee has no submission for 01 (nbgrader writes 0.0 with no timestamp), bob's 0 is real.
GRADES = """assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,score,max_score
01-foundations,,2026-12-01 10:00:00.000000 UTC,ada,,,,8.0,0.0,8.0,8.0
01-foundations,,2026-12-01 10:05:00.000000 UTC,bob,,,,0.0,0.0,0.0,8.0
01-foundations,,2026-12-01 10:06:00.000000 UTC,cy,,,,5.0,0.0,5.0,8.0
01-foundations,,,dee,,,,0.0,0.0,0.0,8.0
01-foundations,,2026-12-01 10:07:00.000000 UTC,eve,,,,6.5,0.0,6.5,8.0
02-screening,,2026-12-02 09:00:00.000000 UTC,ada,,,,10.0,0.0,10.0,12.0
02-screening,,2026-12-02 09:01:00.000000 UTC,bob,,,,12.0,0.0,12.0,12.0
02-screening,,2026-12-02 09:02:00.000000 UTC,cy,,,,0.0,0.0,0.0,12.0
02-screening,,2026-12-02 09:03:00.000000 UTC,dee,,,,0.0,0.0,0.0,12.0
02-screening,,2026-12-02 09:04:00.000000 UTC,zed,,,,3.0,0.0,3.0,12.0
"""

# grading_report.csv as the pipeline writes it today (cy's 02 notebook could not be read,
# dee's 02 had points withheld)
REPORT = """student,assignment,graded,score,max_score,timed_out_cells,metadata_restored,review,withheld,error
ada,01-foundations,True,8.0,8.0,,,,,
bob,01-foundations,True,0.0,8.0,,,,,
cy,01-foundations,True,5.0,8.0,,,,,
eve,01-foundations,True,6.5,8.0,,,,,
ada,02-screening,True,10.0,12.0,,,,,
bob,02-screening,True,12.0,12.0,,,,,
cy,02-screening,False,,,,,,,notebook could not be read (not a notebook)
dee,02-screening,True,0.0,12.0,,,,task2_test: the recorded answer fails the test,
zed,02-screening,True,3.0,12.0,,,,,
"""

COURSE = ["01-foundations", "02-screening", "03-tier1-placement"]


def _table(**kw):
    kw.setdefault("report", io.StringIO(REPORT))
    kw.setdefault("assignments", COURSE)
    kw.setdefault("released", COURSE[:2])
    return gradebook_table(io.StringIO(GRADES), read_roster(io.StringIO(ROSTER)), **kw)


def _cell(table, learner, assignment):
    row = table.loc[(table["learner_id"] == learner) & (table["assignment"] == assignment)]
    assert len(row) == 1
    return row.iloc[0]


def test_every_cell_has_a_state_and_only_graded_cells_a_score():
    t = _table()
    assert len(t) == 5 * 3  # every roster learner x every course assignment
    expect = {
        ("ada", "01-foundations"): (GRADED, 8.0),
        ("bob", "01-foundations"): (GRADED, 0.0),  # a real zero stays a zero
        ("cy", "01-foundations"): (GRADED, 5.0),
        ("dee", "01-foundations"): (NOT_SUBMITTED, None),  # nbgrader's 0.0 without a submission
        ("eve", "01-foundations"): (GRADED, 6.5),
        ("cy", "02-screening"): (NOT_GRADABLE, None),
        ("dee", "02-screening"): (NEEDS_REVIEW, 0.0),
        ("eve", "02-screening"): (NOT_SUBMITTED, None),  # no row at all
        ("ada", "03-tier1-placement"): (UNRELEASED, None),
    }
    for (learner, a), (state, score) in expect.items():
        c = _cell(t, learner, a)
        assert c["state"] == state, (learner, a, c["state"])
        if score is None:
            assert pd.isna(c["score"])
        else:
            assert c["score"] == score
    assert "could not be read" in _cell(t, "cy", "02-screening")["reason"]
    assert "task2_test" in _cell(t, "dee", "02-screening")["reason"]
    assert t.attrs["not_on_roster"] == ["zed"]


def test_canvas_file_matches_the_documented_import_layout():
    got = canvas_csv(_table(), assignment_ids={"01-foundations": "501"})
    # Hand-written from Canvas's gradebook import format (see the module docstring):
    # identity columns, "Name (id)" for an existing assignment, a plain name for a new one,
    # the Points Possible line; no score where there is no grade; eve (no LMS id) left out.
    expected = (
        "Student,ID,SIS User ID,SIS Login ID,Section,01-foundations (501),02-screening,03-tier1-placement\n"
        "    Points Possible,,,,,8,12,\n"
        "ada,1001,,alovelace,Cohort A,8,10,\n"
        "bob,1002,,bbaker,Cohort A,0,12,\n"
        "cy,1003,,cyoung,Cohort B,5,,\n"
        "dee,1004,,ddiaz,Cohort B,,,\n"
    )
    assert got == expected


def test_moodle_file_matches_the_documented_import_layout(tmp_path):
    dest = tmp_path / "moodle.csv"
    got = moodle_csv(_table(), dest, titles={"02-screening": "Course 2: Universal screening"})
    # Hand-written from MoodleDocs "Grade import": map "ID number" -> useridnumber and each
    # column to a grade item; "-" is Moodle's "no grade"; no row Moodle could not match.
    expected = (
        "ID number,Username,Section,01-foundations,Course 2: Universal screening,03-tier1-placement\n"
        "1001,alovelace,Cohort A,8,10,-\n"
        "1002,bbaker,Cohort A,0,12,-\n"
        "1003,cyoung,Cohort B,5,-,-\n"
        "1004,ddiaz,Cohort B,-,-,-\n"
    )
    assert got == expected
    assert dest.read_text(encoding="utf-8") == expected


def test_moodle_file_never_has_a_row_without_the_identifier_it_is_matched_by():
    # Moodle's importer (grade/import/csv/classes/load_data.php, map_user_data_with_value) skips an
    # empty identifier cell and keeps the user of the row before: a row with an empty "ID number"
    # would file its grades under the previous learner. fay has a Moodle username but no ID number.
    roster = read_roster(io.StringIO("learner_id,lms_user_id,lms_login,section\n"
                                     "ada,1001,alovelace,A\nfay,,fwu,A\n"))
    grades = ("assignment,timestamp,student_id,score,max_score\n"
              "01-foundations,2026-12-01 10:00:00,ada,7.0,8.0\n"
              "01-foundations,2026-12-01 10:00:00,fay,5.0,8.0\n")
    t = gradebook_table(io.StringIO(grades), roster)
    # by default, the identifier every learner has (the username); no ID number column, as fay's is empty
    assert moodle_match(t) == "username"
    assert moodle_csv(t) == "Username,Section,01-foundations\nalovelace,A,7\nfwu,A,5\n"
    # matched by ID number on request: fay is left out of the file and listed in the notes
    assert moodle_csv(t, match="idnumber") == "ID number,Username,Section,01-foundations\n1001,alovelace,A,7\n"
    notes = export_notes(t, moodle_match="idnumber")
    fay = notes.loc[notes["learner_id"] == "fay"]
    assert fay["state"].tolist() == ["not in the LMS files"] and "no lms_user_id" in fay["reason"].iloc[0]
    assert "fay" not in set(export_notes(t)["learner_id"])  # the Canvas file has her (by SIS Login ID)
    # some learners with only an ID number, others with only a username: refused, naming one of each
    mixed = read_roster(io.StringIO("learner_id,lms_user_id,lms_login\nada,1001,\nfay,,fwu\n"))
    with pytest.raises(DataError, match="learner 'ada' has an lms_user_id but no lms_login, and learner 'fay'"):
        moodle_csv(gradebook_table(io.StringIO(grades), mixed))


def test_notes_list_every_cell_without_a_score_and_every_learner_left_out():
    notes = export_notes(_table())
    by = {(r.learner_id, r.assignment): r.state for r in notes.itertuples()}
    assert by[("dee", "01-foundations")] == NOT_SUBMITTED
    assert by[("cy", "02-screening")] == NOT_GRADABLE
    assert by[("dee", "02-screening")] == NEEDS_REVIEW
    assert by[("eve", "")] == "not in the LMS files"
    assert by[("zed", "")] == "not on the roster"
    assert sum(1 for (lid, a), s in by.items() if s == UNRELEASED) == 5  # 5 learners x 03
    assert GRADED not in set(notes["state"])


def test_a_state_column_from_the_pipeline_is_carried_through():
    # the grading pipeline may add a per-submission state to grades.csv
    g = pd.read_csv(io.StringIO(GRADES), dtype=str, keep_default_na=False)
    g["state"] = "graded"
    g.loc[(g.student_id == "ada") & (g.assignment == "02-screening"), "state"] = \
        "needs review: id mismatch (typed bob, graded as ada)"
    g.loc[(g.student_id == "bob") & (g.assignment == "02-screening"), "state"] = "not gradable (zero cells)"
    g.loc[(g.student_id == "dee") & (g.assignment == "01-foundations"), "state"] = "not submitted"
    t = gradebook_table(g, read_roster(io.StringIO(ROSTER)), report=io.StringIO(REPORT),
                        assignments=COURSE, released=COURSE[:2])
    ada = _cell(t, "ada", "02-screening")
    assert ada["state"] == NEEDS_REVIEW and ada["reason"] == "id mismatch (typed bob, graded as ada)"
    bob = _cell(t, "bob", "02-screening")
    assert bob["state"] == NOT_GRADABLE and bob["reason"] == "zero cells" and pd.isna(bob["score"])
    assert _cell(t, "dee", "01-foundations")["state"] == NOT_SUBMITTED
    assert _cell(t, "bob", "01-foundations")["score"] == 0.0


def test_submissions_named_by_lms_login_or_in_another_case_are_the_roster_learner():
    grades = ("assignment,timestamp,student_id,score,max_score\n"
              "01-foundations,2026-12-01 10:00:00,ALovelace,7.0,8.0\n"
              "01-foundations,2026-12-01 10:00:00,Bob,5.0,8.0\n")
    report = "student,assignment,graded,withheld,error\nALovelace,01-foundations,True,task1_test: withheld,\n"
    t = gradebook_table(io.StringIO(grades), read_roster(io.StringIO(ROSTER)), report=io.StringIO(report))
    assert _cell(t, "ada", "01-foundations")["state"] == NEEDS_REVIEW
    assert _cell(t, "ada", "01-foundations")["score"] == 7.0
    assert _cell(t, "bob", "01-foundations")["score"] == 5.0
    assert t.attrs["not_on_roster"] == []


def test_a_state_column_in_the_grading_report_is_used_and_checked():
    report = REPORT.replace("withheld,error\n", "withheld,error,state\n", 1)
    lines = report.splitlines()
    lines[1] += ',"needs review: id mismatch (typed bob, graded as ada)"'  # ada, 01
    lines[2:] = [ln + ",graded" for ln in lines[2:]]
    t = gradebook_table(io.StringIO(GRADES), read_roster(io.StringIO(ROSTER)),
                        report=io.StringIO("\n".join(lines) + "\n"))
    ada = _cell(t, "ada", "01-foundations")
    assert (ada["state"], ada["reason"]) == (NEEDS_REVIEW, "id mismatch (typed bob, graded as ada)")
    lines[3] = lines[3].rsplit(",", 1)[0] + ",half done"
    with pytest.raises(DataError, match="grading report line 4: state is not one of"):
        gradebook_table(io.StringIO(GRADES), read_roster(io.StringIO(ROSTER)),
                        report=io.StringIO("\n".join(lines) + "\n"))


def test_without_a_report_a_timestamped_submission_counts_as_graded():
    t = gradebook_table(io.StringIO(GRADES), read_roster(io.StringIO(ROSTER)))
    assert _cell(t, "cy", "02-screening")["state"] == GRADED
    assert _cell(t, "dee", "01-foundations")["state"] == NOT_SUBMITTED
    assert list(dict.fromkeys(t["assignment"])) == ["01-foundations", "02-screening"]


@pytest.mark.parametrize("text, message", [
    ("assignment,student_id,score\n01,ada,1\n", "no 'max_score' column"),
    ("assignment,student_id,score,max_score\n01,ada,seven,8\n", "grades line 2: score is not a number"),
    ("assignment,student_id,score,max_score\n01,ada,1,8\n01,bob,9,8\n", "grades line 3: score is above max_score"),
    ("assignment,student_id,score,max_score\n01,ada,1,8\n01,ada,2,8\n", "grades line 3: a second row"),
    ("assignment,student_id,score,max_score,state\n01,ada,1,8,lost\n", "grades line 2: state is not one of"),
    ("assignment,student_id,score,max_score\n01,ada,1,8,extra\n01,bob,2,8\n",
     "grades line 2: 5 fields where the header has 4"),
])
def test_bad_grades_files_are_refused_with_the_line(text, message):
    with pytest.raises(DataError, match=message):
        gradebook_table(io.StringIO(text), read_roster(io.StringIO(ROSTER)))


def test_command_line_writes_the_file_and_its_notes(tmp_path):
    (tmp_path / "grades.csv").write_text(GRADES)
    (tmp_path / "grading_report.csv").write_text(REPORT)
    (tmp_path / "roster.csv").write_text(ROSTER)
    out = tmp_path / "canvas.csv"
    p = subprocess.run([sys.executable, "-m", "mtss_teach.lms", "canvas", "--grades", str(tmp_path / "grades.csv"),
                        "--roster", str(tmp_path / "roster.csv"), "--out", str(out),
                        "--assignments", ",".join(COURSE), "--released", ",".join(COURSE[:2])],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert out.read_text().splitlines()[2] == "ada,1001,,alovelace,Cohort A,8,10,"
    notes = pd.read_csv(tmp_path / "canvas_notes.csv", dtype=str, keep_default_na=False)
    assert ("cy", "02-screening", NOT_GRADABLE) in set(zip(notes.learner_id, notes.assignment, notes.state))
    assert "6 graded" in p.stdout and "1 needs review" in p.stdout and "5 unreleased" in p.stdout
    bad = subprocess.run([sys.executable, "-m", "mtss_teach.lms", "moodle", "--grades", str(tmp_path / "nope.csv"),
                          "--roster", str(tmp_path / "roster.csv"), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "grades: no file at" in bad.stderr
    # Canvas assignment ids from the command line: the column updates that Canvas assignment
    p = subprocess.run([sys.executable, "-m", "mtss_teach.lms", "canvas", "--grades", str(tmp_path / "grades.csv"),
                        "--roster", str(tmp_path / "roster.csv"), "--out", str(out),
                        "--canvas-ids", "02-screening=7702"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert out.read_text().splitlines()[0] == ("Student,ID,SIS User ID,SIS Login ID,Section,01-foundations,"
                                               "02-screening (7702)")
    for ids, message in (("02-screening=x7", "is not assignment=Canvas assignment id"),
                         ("09-nothing=12", "'09-nothing' is not one of the course's assignments")):
        p = subprocess.run([sys.executable, "-m", "mtss_teach.lms", "canvas", "--grades",
                            str(tmp_path / "grades.csv"), "--roster", str(tmp_path / "roster.csv"), "--out",
                            str(tmp_path / "x.csv"), "--canvas-ids", ids], capture_output=True, text=True, timeout=120)
        assert p.returncode == 2 and message in p.stderr, p.stderr
    # Moodle: the command says which column to map learners by
    p = subprocess.run([sys.executable, "-m", "mtss_teach.lms", "moodle", "--grades", str(tmp_path / "grades.csv"),
                        "--roster", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "moodle.csv")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert 'map "ID number" to the user\'s ID number' in p.stdout


# ---------------------------------------------------------------------------
# LTI 1.3 Assignment and Grade Services against a mock platform
# ---------------------------------------------------------------------------


def _keypair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class MockPlatform:
    """A tiny LTI 1.3 platform: token endpoint + AGS line items and scores, on 127.0.0.1."""

    CLIENT_ID = "mtss-academy-tool"

    def __init__(self, tool_public_key: str, users: set[str]):
        self.tool_public_key = tool_public_key
        self.users = users
        self.tokens: dict[str, str] = {}
        self.lineitems: list[dict] = []
        self.scores: list[dict] = []
        self.refusals: list[str] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body, ctype="application/json"):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _refuse(self, status, error, description):
                platform.refusals.append(description)
                self._reply(status, {"error": error, "error_description": description})

            def _body(self):
                return self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))

            def _scopes(self):
                auth = self.headers.get("Authorization", "")
                return platform.tokens.get(auth[len("Bearer "):]) if auth.startswith("Bearer ") else None

            def do_POST(self):
                if self.path == "/token":
                    return self._token(urllib.parse.parse_qs(self._body().decode()))
                scopes = self._scopes()
                if scopes is None:
                    return self._refuse(401, "invalid_token", "missing or unknown access token")
                if self.path == "/lineitems":
                    if "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem" not in scopes:
                        return self._refuse(403, "insufficient_scope", "lineitem scope not granted")
                    item = json.loads(self._body())
                    item["id"] = f"{platform.url}/lineitems/{len(platform.lineitems) + 1}"
                    platform.lineitems.append(item)
                    return self._reply(201, item, "application/vnd.ims.lis.v2.lineitem+json")
                if self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
                    if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        return self._refuse(415, "invalid_request", "scores must be application/vnd.ims.lis.v1.score+json")
                    if "https://purl.imsglobal.org/spec/lti-ags/scope/score" not in scopes:
                        return self._refuse(403, "insufficient_scope", "score scope not granted")
                    item_id = f"{platform.url}{self.path[:-len('/scores')]}"
                    item = next((i for i in platform.lineitems if i["id"] == item_id), None)
                    score = json.loads(self._body())
                    if item is None:
                        return self._refuse(404, "not_found", "no such line item")
                    if score.get("userId") not in platform.users:
                        return self._refuse(400, "invalid_request", "userId is not enrolled in this context")
                    given = score.get("scoreGiven")
                    if given is not None and (given < 0 or given > score.get("scoreMaximum", item["scoreMaximum"])):
                        return self._refuse(400, "invalid_request", "scoreGiven is above scoreMaximum")
                    platform.scores.append({"lineitem": item["tag"], **score})
                    return self._reply(200, {})
                return self._refuse(404, "not_found", self.path)

            def do_GET(self):
                if self._scopes() is None:
                    return self._refuse(401, "invalid_token", "missing or unknown access token")
                if self.path == "/lineitems":
                    return self._reply(200, platform.lineitems, "application/vnd.ims.lis.v2.lineitemcontainer+json")
                return self._refuse(404, "not_found", self.path)

            def _token(self, form):
                import jwt

                one = {k: v[0] for k, v in form.items()}
                if (one.get("grant_type") != "client_credentials" or one.get("client_assertion_type")
                        != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
                    return self._refuse(400, "unsupported_grant_type", "client credentials with a JWT assertion only")
                try:
                    claims = jwt.decode(one.get("client_assertion", ""), platform.tool_public_key,
                                        algorithms=["RS256"], audience=f"{platform.url}/token",
                                        issuer=self.server_client_id)
                except jwt.PyJWTError as exc:
                    return self._refuse(401, "invalid_client", f"client assertion rejected: {exc}")
                if claims.get("sub") != self.server_client_id:
                    return self._refuse(401, "invalid_client", "sub is not the client id")
                token = secrets.token_hex(16)
                platform.tokens[token] = one.get("scope", "").split()
                return self._reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                         "scope": one.get("scope", "")})

            server_client_id = MockPlatform.CLIENT_ID

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def keys():
    return {"tool": _keypair(), "other": _keypair()}


@pytest.fixture
def platform(keys):
    p = MockPlatform(keys["tool"][1], users={"lti-ada", "lti-bob", "lti-cy", "lti-dee"})
    yield p
    p.close()


def _lti(platform, private_key, public_key):
    return LtiPlatform(issuer=platform.url, client_id=MockPlatform.CLIENT_ID, token_url=f"{platform.url}/token",
                       lineitems_url=f"{platform.url}/lineitems", private_key=private_key, public_key=public_key)


def test_lti_scores_arrive_with_their_state(platform, keys):
    roster = read_roster(io.StringIO(ROSTER))
    t = _table()
    t = t.loc[t["learner_id"] != "eve"]  # eve has no LTI user id
    sent = post_scores(t, _lti(platform, *keys["tool"]), roster=roster, timestamp="2026-12-02T10:00:00+00:00")
    items = {i["tag"]: i for i in platform.lineitems}
    assert set(items) == {"01-foundations", "02-screening"}  # nothing for the unreleased assignment
    assert items["01-foundations"]["scoreMaximum"] == 8.0 and items["02-screening"]["scoreMaximum"] == 12.0
    got = {(s["lineitem"], s["userId"]): (s.get("scoreGiven"), s["gradingProgress"]) for s in platform.scores}
    assert got == {
        ("01-foundations", "lti-ada"): (8.0, "FullyGraded"),
        ("01-foundations", "lti-bob"): (0.0, "FullyGraded"),
        ("01-foundations", "lti-cy"): (5.0, "FullyGraded"),
        ("02-screening", "lti-ada"): (10.0, "FullyGraded"),
        ("02-screening", "lti-bob"): (12.0, "FullyGraded"),
        ("02-screening", "lti-cy"): (None, "Failed"),  # not gradable: no score
        ("02-screening", "lti-dee"): (None, "PendingManual"),  # needs review: no score
    }
    assert all(s["timestamp"] == "2026-12-02T10:00:00+00:00" for s in platform.scores)
    assert dict(zip(zip(sent.learner_id, sent.assignment), sent.sent))[("dee", "01-foundations")] == "nothing"
    # a second run finds the line items by tag instead of creating new ones
    post_scores(t, _lti(platform, *keys["tool"]), roster=roster)
    assert len(platform.lineitems) == 2


def test_lti_wrong_key_is_refused_with_a_clear_error(platform, keys):
    roster = read_roster(io.StringIO(ROSTER))
    t = _table()
    t = t.loc[t["learner_id"] != "eve"]
    with pytest.raises(LmsError, match=r"token request refused by the platform \(HTTP 401: client assertion "
                                       r"rejected: Signature verification failed\).*private key"):
        post_scores(t, _lti(platform, *keys["other"]), roster=roster)
    assert platform.scores == [] and platform.lineitems == []


def test_lti_score_over_the_maximum_is_refused_before_anything_is_sent(platform, keys):
    roster = read_roster(io.StringIO(ROSTER))
    t = _table()
    t = t.loc[t["learner_id"] != "eve"].copy()
    t.loc[(t.learner_id == "bob") & (t.assignment == "01-foundations"), "score"] = 9.0  # max 8
    with pytest.raises(LmsError, match=r"score of learner 'bob' for '01-foundations' \(9\) is outside 0\.\.8"):
        post_scores(t, _lti(platform, *keys["tool"]), roster=roster)
    assert platform.scores == []


def test_lti_platform_refusing_a_score_is_a_clear_error(platform, keys):
    # the platform already has a line item for 01 whose maximum is lower than the assignment's
    platform.lineitems.append({"id": f"{platform.url}/lineitems/1", "tag": "01-foundations",
                               "label": "01", "scoreMaximum": 5})
    roster = read_roster(io.StringIO(ROSTER))
    t = _table()
    t = t.loc[t["learner_id"] != "eve"]
    with pytest.raises(LmsError, match=r"line item for '01-foundations' has a maximum of 5, below the "
                                       r"assignment's 8"):
        post_scores(t, _lti(platform, *keys["tool"]), roster=roster)
    # a learner the platform does not know: the platform's own refusal, with its reason
    t2 = t.copy()
    t2["lti_user_id"] = t2["learner_id"].map({"ada": "lti-ada", "bob": "lti-nobody", "cy": "lti-cy", "dee": "lti-dee"})
    platform.lineitems.clear()
    with pytest.raises(LmsError, match=r"score of learner 'bob' for '01-foundations' refused by the platform "
                                       r"\(HTTP 400: userId is not enrolled in this context\)"):
        post_scores(t2, _lti(platform, *keys["tool"]))


def test_lti_needs_an_lti_user_id_for_every_learner_it_sends(platform, keys):
    roster = read_roster(io.StringIO(ROSTER))
    with pytest.raises(LmsError, match=r"learner 'eve' has no lti_user_id on the roster"):
        post_scores(_table(), _lti(platform, *keys["tool"]), roster=roster)
    plain = read_roster(io.StringIO("learner_id,lms_user_id\nada,1001\n"))
    with pytest.raises(LmsError, match=r"the roster has no 'lti_user_id' column"):
        post_scores(gradebook_table(io.StringIO(GRADES), plain), _lti(platform, *keys["tool"]), roster=plain)
    assert platform.scores == []
