# IPython start-up file for the kernels of the facilitator app server.
#
# `python -m mtss_teach.apps serve` (and the tests and benchmarks, through
# mtss_teach.apps.VoilaServer) copy this file into a private IPython
# directory and point the server's IPYTHONDIR at it, so it runs first in
# every app kernel -- and only there: notebooks in JupyterLab, the book
# build and nbgrader are not affected.
#
# Why: Altair imports jsonschema, and jsonschema, when the optional package
# rfc3987-syntax is installed (Jupyter Server's jsonschema[format-nongpl]
# extra installs it), builds a Lark grammar at import time for its "iri" and
# "iri-reference" format checkers: about 1 s of every app's first render
# (python-jsonschema/jsonschema#1428). Vega-Lite's schema uses no iri
# formats, so Altair's validation is the same without those two checkers.
# Marking the module as absent makes jsonschema skip them, as it does when
# the package is not installed.
import os
import sys

if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

# One chart engine for the whole server. vl_convert starts a JavaScript engine
# (V8) in the first process that converts a chart: ~80 MB and ~1 s of CPU per
# kernel. The room server runs one renderer process (mtss_teach/apps/render.py)
# and gives every kernel its address (with a key) in MTSS_CHART_RENDERER; here
# vl_convert.vegalite_to_svg sends the spec there instead. The SVG comes from the
# same vl_convert function; if the renderer cannot be reached, the kernel converts
# locally as before (the chart still appears, only the memory is not saved).
_mtss_renderer = os.environ.get("MTSS_CHART_RENDERER")
if _mtss_renderer:
    try:
        import vl_convert as _mtss_vlc
    except ImportError:  # no charts without vl_convert anyway
        pass
    else:
        def _mtss_shared_svg(vl_spec, *args, _local=_mtss_vlc.vegalite_to_svg, _url=_mtss_renderer, **kwargs):
            if args or kwargs:
                return _local(vl_spec, *args, **kwargs)
            try:
                import json
                import urllib.request

                req = urllib.request.Request(_url, data=json.dumps(vl_spec).encode("utf-8"), method="POST",
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=60) as r:
                    return r.read().decode("utf-8")
            except Exception:  # noqa: BLE001 - convert here instead
                return _local(vl_spec)

        _mtss_vlc.vegalite_to_svg = _mtss_shared_svg
        del _mtss_shared_svg, _mtss_vlc

# A pre-heated kernel (a room prepared in advance) waits for its participant:
# it does the chart stack's imports and Altair's first validation now, so they
# are not done by forty kernels at once when the room opens the app.
if os.environ.get("VOILA_PREHEAT") == "True":
    try:
        import altair as _mtss_alt
        import pandas as _mtss_pd

        import mtss_teach.charts  # noqa: F401

        _mtss_alt.Chart(_mtss_pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").to_dict()
        del _mtss_alt, _mtss_pd, mtss_teach
    except Exception:  # noqa: BLE001 - a warm-up only
        pass

del os, sys, _mtss_renderer
