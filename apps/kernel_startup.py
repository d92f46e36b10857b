# IPython start-up file for the kernels of the facilitator app server.
#
# `python -m mtss_teach.apps serve` (and the tests and benchmarks, through
# mtss_teach.apps.VoilaServer) copy this file into a private IPython
# directory and point the server's IPYTHONDIR at it, so it runs first in
# every app kernel -- and only there: notebooks in JupyterLab, the book
# build and nbgrader are not affected.
#
# Charts: an app kernel does not build or draw its charts. Each app names
# the chart it wants (mtss_teach.widgets._charts.chart_call) and sends it to
# the server's one chart process (mtss_teach/apps/render.py, whose address
# and key the server puts in MTSS_CHART_RENDERER), which builds it with
# Altair and draws it with vl-convert. So a kernel never imports Altair
# (~45 MB) or starts vl-convert's JavaScript engine (~80 MB and ~1 s of
# CPU); nothing needs warming up here, in a pre-heated kernel or not.
#
# Only if that process cannot be reached does a kernel draw its own charts.
# For that case: Altair imports jsonschema, and jsonschema, when the optional
# package rfc3987-syntax is installed (Jupyter Server's
# jsonschema[format-nongpl] extra installs it), builds a Lark grammar at
# import time for its "iri" and "iri-reference" format checkers: about 1 s
# (python-jsonschema/jsonschema#1428). Vega-Lite's schema uses no iri
# formats, so Altair's validation is the same without those two checkers.
# Marking the module as absent makes jsonschema skip them, as it does when
# the package is not installed.
import sys

if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

del sys
