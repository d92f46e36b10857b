"""Jupyter Server settings of a learner's server on the hub.

Learners get the Assignments tab (fetch, submit) and Voila for the apps,
but not the instructor's tools: formgrader and the assignment creator are
switched off in their servers.
"""

c = get_config()  # noqa: F821

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
}
