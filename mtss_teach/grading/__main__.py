import sys

# This process runs the pipeline, which reads nbgrader's gradebook (nbgrader imports jsonschema):
# skip jsonschema's "iri" grammar, as every nbgrader command started here does (see SKIP_IRI_GRAMMAR
# in mtss_teach/grading/course.py).
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

from .cli import main  # noqa: E402

raise SystemExit(main())
