"""nbgrader settings of a learner's server on the hub (never the instructor's).

A learner's submissions are filed under their hub account name. (nbgrader
otherwise uses the system account, which is the same for every learner when
the hub runs all servers under one account.)
"""

import os

c = get_config()  # noqa: F821

if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
