"""JupyterHub configuration for MTSS Academy (tested by tests/test_hub.py).

Run from the repository root, after `npm ci` (the proxy) and installing the
project with its [hub] extra:

    MTSS_HUB_PASSWORD='a long workshop password' \
    MTSS_HUB_ROSTER=roster.csv \
    .venv/bin/jupyterhub -f deploy/jupyterhub_config.py

Every setting a site changes is an environment variable, so the test suite
runs exactly this file with temporary folders and free ports:

MTSS_HUB_STATE      the hub's own files: database, cookie secret (default /srv/mtss-hub)
MTSS_HUB_HOMES      one home folder per learner is made here (default /srv/mtss-hub/home)
MTSS_HUB_ROSTER     the course roster (learner_id column): who may log in
MTSS_HUB_INSTRUCTORS  comma-separated instructor accounts (hub admins)
MTSS_HUB_PASSWORD   the learners' shared password (at least 8 characters)
MTSS_HUB_ADMIN_PASSWORD  the instructors' password, at least 32 characters (optional; without it they cannot log in)
MTSS_EXCHANGE       nbgrader's exchange folder (default /srv/nbgrader/exchange)
MTSS_HUB_IP, MTSS_HUB_PORT      where learners connect (default 127.0.0.1:8000)
MTSS_HUB_API_PORT, MTSS_HUB_PROXY_API_PORT   internal ports (default 8081, 8001)
MTSS_HUB_CULL_TIMEOUT  stop a learner's server after this many idle seconds (default 3600)
MTSS_HUB_CULL_EVERY    how often the culler looks, in seconds (default 300)
MTSS_HUB_ACTIVITY_INTERVAL  how often activity is recorded, in seconds (default 300)
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
env = os.environ.get

STATE = Path(env("MTSS_HUB_STATE", "/srv/mtss-hub"))
HOMES = Path(env("MTSS_HUB_HOMES", str(STATE / "home")))
EXCHANGE = Path(env("MTSS_EXCHANGE", "/srv/nbgrader/exchange"))
STATE.mkdir(parents=True, exist_ok=True)
HOMES.mkdir(parents=True, exist_ok=True)

# -- where the hub listens ------------------------------------------------------
c.JupyterHub.ip = env("MTSS_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(env("MTSS_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("MTSS_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('MTSS_HUB_PROXY_API_PORT', '8001')}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# The proxy (configurable-http-proxy) comes from npm: `npm ci` in the repository root.
chp = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
if chp.exists():
    c.ConfigurableHTTPProxy.command = [str(chp)]
# Stop the proxy and every learner's server when the hub stops.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.last_activity_interval = int(env("MTSS_HUB_ACTIVITY_INTERVAL", "300"))

# -- who may log in ---------------------------------------------------------------
# Learners are the roster's learner ids; instructors are hub admins.
learners = set()
if env("MTSS_HUB_ROSTER"):
    sys.path.insert(0, str(REPO))
    from mtss_teach.roster import read_roster

    learners = set(read_roster(env("MTSS_HUB_ROSTER")).learner_ids)
instructors = {u.strip() for u in env("MTSS_HUB_INSTRUCTORS", "").split(",") if u.strip()}
# A shared password (JupyterHub's SharedPasswordAuthenticator): fine for a workshop
# on a trusted network; for a district, use the district's single sign-on instead
# (an OAuthenticator or LTI authenticator -- not tested here).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = env("MTSS_HUB_PASSWORD")
if env("MTSS_HUB_ADMIN_PASSWORD"):
    c.SharedPasswordAuthenticator.admin_password = env("MTSS_HUB_ADMIN_PASSWORD")
c.Authenticator.allowed_users = learners | instructors
c.Authenticator.admin_users = instructors

# -- each learner's own Jupyter server ----------------------------------------------
# SimpleLocalProcessSpawner runs every learner's server as the hub's own system
# account, each in its own home folder. It is what this project tests on one
# machine; it does not isolate learners from each other. A shared machine
# should use LocalProcessSpawner (one system account per learner) or, for
# thousands of learners, KubeSpawner (Zero to JupyterHub).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
if hasattr(os, "geteuid") and os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]  # the hub runs as root (a container or CI)
# Learners' servers read deploy/learner (nbgrader: their student id, no formgrader)
# and deploy/nbgrader (the exchange and course shared with the instructor).
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(DEPLOY / "learner"), str(DEPLOY / "nbgrader")]),
    "MTSS_EXCHANGE": str(EXCHANGE),
    "JUPYTERHUB_ACTIVITY_INTERVAL": env("MTSS_HUB_ACTIVITY_INTERVAL", "300"),
}

# -- shut down idle learner servers (the jupyterhub-idle-culler package) ---------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={int(env('MTSS_HUB_CULL_TIMEOUT', '3600'))}",
                    f"--cull-every={int(env('MTSS_HUB_CULL_EVERY', '300'))}"],
    },
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
]
