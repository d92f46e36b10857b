"""``python -m mtss_teach.grading``: one command per grading step."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from .course import GradingError, find_course_root, generate, run_nbgrader
from .identity import account_id, validate_warnings
from .pipeline import REPORT, autograde, export, feedback, review


def _validate(notebook: str, learner: str | None, root: Path | None) -> int:
    path = Path(notebook)
    try:
        nb = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError) as exc:
        print(f"error: {notebook} is not a readable notebook ({type(exc).__name__})", file=sys.stderr)
        return 2
    for m in validate_warnings(nb, learner or account_id()):
        print("WARNING (your learner id): " + m)
    cmd = ["validate", str(path.resolve())]
    proc = run_nbgrader(cmd, root or path.resolve().parent, env={"MTSS_SKIP_ID_WARNING": "1"})
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    return proc.returncode


def main(argv: Sequence[str] | None = None) -> int:
    from . import __doc__ as doc

    ap = argparse.ArgumentParser(prog="python -m mtss_teach.grading", description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--course-dir", default=None, help="folder with nbgrader_config.py (default: found from here)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="generate every assignment into release/")
    g.add_argument("--assignment", default="*")
    a = sub.add_parser("autograde", help="autograde new or changed SUBMISSIONS_DIR/<learner>/<assignment>/exercise.ipynb")
    a.add_argument("submissions")
    a.add_argument("--all", action="store_true", help="re-grade every submission, not only new or changed ones")
    a.add_argument("--retry", action="store_true",
                   help="also re-try unchanged submissions that could not be graded (e.g. after a busy run)")
    a.add_argument("--roster", default=None, help="roster CSV mapping LMS logins (folder names) to learner ids")
    a.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    a.add_argument("--output-cap", type=int, default=1_000_000, help="bytes of output kept per cell (default 1 MB)")
    a.add_argument("--bind-learner-id", action="store_true",
                   help="grade the account's scenario whatever LEARNER_ID the notebook typed (strict)")
    a.add_argument("--no-bind-learner-id", action="store_true", help=argparse.SUPPRESS)  # the default now
    a.add_argument("--no-feedback", action="store_true")
    a.add_argument("--grades", default=None, help="grades CSV (default grades.csv in the course root)")
    r = sub.add_parser("review", help="settle a submission that needs review (withheld points, id mismatch)")
    r.add_argument("student")
    r.add_argument("assignment")
    dec = r.add_mutually_exclusive_group(required=True)
    dec.add_argument("--accept", action="store_true", help="give back withheld points; accept an id mismatch")
    dec.add_argument("--reject", action="store_true", help="keep points withheld; an id mismatch scores 0")
    r.add_argument("--note", default="", help="a short note for the learner's feedback")
    v = sub.add_parser("validate", help="nbgrader validate, plus a warning when LEARNER_ID is not your login")
    v.add_argument("notebook")
    v.add_argument("--learner", default=None, help="your course login (default: JUPYTERHUB_USER)")
    sub.add_parser("feedback", help="write feedback/<student>/<assignment>/exercise.html for every submission")
    e = sub.add_parser("export", help="export the gradebook to a CSV (with state and reason columns)")
    e.add_argument("--to", default=None)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "validate":
            root = Path(args.course_dir).resolve() if args.course_dir else None
            return _validate(args.notebook, args.learner, root)
        root = Path(args.course_dir).resolve() if args.course_dir else find_course_root()
        if not (root / "nbgrader_config.py").is_file():
            raise GradingError(f"no nbgrader_config.py in {root}")
        if args.cmd == "generate":
            for p in generate(root, args.assignment):
                print(p.relative_to(root))
        elif args.cmd == "autograde":
            results = autograde(args.submissions, root, timeout=args.timeout, bind_learner_id=args.bind_learner_id,
                                write_feedback=not args.no_feedback, grades_csv=args.grades, roster=args.roster,
                                regrade_all=args.all, output_cap=args.output_cap, retry=args.retry)
            for res in results:
                score = "-" if res.score is None or res.state == "not gradable" else f"{res.score:g}/{res.max_score:g}"
                who = res.student if res.submitted_as in ("", res.student) else f"{res.student} ({res.submitted_as})"
                tail = res.state + (f": {res.reason()}" if res.reason() else "")
                print(f"{who:24s} {res.assignment:24s} {score:>9s}  {tail}")
            if not results:
                print("nothing new or changed to grade (use --all to re-grade everything)")
            print(f"\nwrote {root / REPORT}, the grades CSV and feedback/")
            return 1 if any(res.state == "not gradable" for res in results) else 0
        elif args.cmd == "review":
            row = review(args.student, args.assignment, "accept" if args.accept else "reject", root, args.note)
            print(f"{args.student} {args.assignment}: {row['reviewed']}; score {row['score']}/{row['max_score']}")
        elif args.cmd == "feedback":
            for p in feedback(root):
                print(p.relative_to(root))
        elif args.cmd == "export":
            print(export(root, args.to))
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except subprocess.TimeoutExpired as exc:  # pragma: no cover
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
