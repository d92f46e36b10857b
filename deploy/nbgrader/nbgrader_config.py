"""nbgrader settings shared by learners and the instructor on the hub.

On a server this is /etc/jupyter/nbgrader_config.py; the academy's hub puts
this folder on JUPYTER_CONFIG_PATH instead (deploy/jupyterhub_config.py),
and the instructor does the same when running nbgrader.
"""

import os

c = get_config()  # noqa: F821

# The exchange: a folder every account can read and write, where released
# assignments wait for learners and submissions wait for the instructor.
c.Exchange.root = os.environ.get("MTSS_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
c.CourseDirectory.course_id = "mtss-academy"
