# Voila server configuration for the MTSS Academy facilitator apps.
#
# Loaded by `python -m mtss_teach.apps serve` (and by the tests and the
# benchmark), which start Voila with --Voila.config_file_paths=apps/ and put
# apps/jupyter first on JUPYTER_PATH so the "mtss" template is found.
# To run Voila by hand with the same settings, from the repository:
#   JUPYTER_PATH=apps/jupyter voila --Voila.config_file_paths=apps --no-browser --port=8866 .
# (that serves the whole repository; the pre-launch hook still refuses every
# notebook that is not an app).

import os

from mtss_teach.apps import prelaunch_hook

c = get_config()  # noqa: F821  (provided by the traitlets config loader)

# Listen on this machine only.
c.Voila.ip = "127.0.0.1"
c.Voila.open_browser = False

# Page: Voila's "lab" template without CDN links (apps/jupyter/voila/templates/mtss),
# no code shown, no tracebacks shown, light theme; the URL may not switch template.
c.VoilaConfiguration.template = "mtss"
c.VoilaConfiguration.strip_sources = True
c.VoilaConfiguration.show_tracebacks = False
c.VoilaConfiguration.theme = "light"
c.VoilaConfiguration.allow_template_override = "NO"
c.VoilaConfiguration.allow_theme_override = "NO"
# Load only the widget managers: other installed JupyterLab extensions
# (nbgrader, notebook) do not work inside Voila and log errors in the console.
c.VoilaConfiguration.extension_allowlist = [
    "@voila-dashboards/widgets-manager8",
    "@jupyter-widgets/jupyterlab-manager",
    # the room's poll bar keeps a participant's random key in the browser (mtss_teach.widgets.poll_bar)
    "anywidget",
]

# Run only the apps. The server serves a folder holding only the app notebooks
# (mtss_teach.apps.build_site), never the exercise notebooks with their answer
# keys; the pre-launch hook refuses any other notebook as a second lock. Voila
# cannot combine the hook with pre-heated kernels (serve --preheat), so it is
# left out then.
if os.environ.get("MTSS_VOILA_PREHEAT", "0") != "1":
    c.VoilaConfiguration.prelaunch_hook = prelaunch_hook
# The room server writes the landing page itself (no kernel): no pre-heated kernels for it.
c.VoilaKernelManager.preheat_denylist = ["apps/index.ipynb"]
# Keep anything else out of the file listing, should the folder hold more.
c.ContentsManager.hide_globs = [
    "__pycache__", "*.pyc", ".*", "*.egg-info", "_build", "release", "submitted", "autograded",
    "feedback", "gradebook.db", "exercise*.ipynb", "*.md", "*.py", "*.yml", "*.toml", "*.cfg",
]

# Under load (a room opening an app at once on a small machine) a kernel can take
# longer than nbclient's default 4 s to send a cell's output; Voila then gives up
# on the output and the page stays blank ("Timeout waiting for IOPub output").
# Wait for it instead: a slow page is better than a blank one.
c.VoilaExecutor.iopub_timeout = 120
c.VoilaExecutor.startup_timeout = 180

# An app kernel has nothing to save: on shutdown (page closed, server stopped) wait
# 3 s for it to exit by itself, then stop it (default 5 s).
c.KernelManager.shutdown_wait_time = 3.0

# Kernel culling: a kernel with no open page is shut down after 10 minutes
# idle (checked every minute), so memory returns after a session ends.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False

# Kernels talk to the server over local (IPC) sockets, not TCP ports: forty
# kernels started at once for a room each need five ports, and a port chosen
# free can be taken by another process before the kernel binds it ("Address
# already in use"): that kernel died and its participant's page stayed at
# "Running ..." (seen once in a room of 40). IPC sockets are files in the
# kernels' own folder: nothing to collide with, and nothing on the network.
c.KernelManager.transport = "ipc"
