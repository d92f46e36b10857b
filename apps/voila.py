# Voila server configuration for the MTSS Academy facilitator apps.
#
# Loaded by `python -m mtss_teach.apps serve` (and by the tests and the
# benchmark), which start Voila with --Voila.config_file_paths=apps/ and put
# apps/jupyter first on JUPYTER_PATH so the "mtss" template is found.
# To run Voila by hand with the same settings, from the repository:
#   JUPYTER_PATH=apps/jupyter voila --Voila.config_file_paths=apps --no-browser --port=8866 .

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
]

# Run only the apps: the folder also holds nbgrader exercise notebooks with
# answer keys, which must never be executed or shown (mtss_teach.apps.prelaunch_hook).
c.VoilaConfiguration.prelaunch_hook = prelaunch_hook
# ... and keep them out of the file listing.
c.ContentsManager.hide_globs = [
    "__pycache__", "*.pyc", ".*", "*.egg-info", "_build", "release", "submitted", "autograded",
    "feedback", "gradebook.db", "exercise*.ipynb", "*.md", "*.py", "*.yml", "*.toml", "*.cfg",
]

# Kernel culling: a kernel with no open page is shut down after 10 minutes
# idle (checked every minute), so memory returns after a session ends.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
