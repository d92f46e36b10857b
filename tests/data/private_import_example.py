"""Not imported: a fixture for the private-name check in test_architecture.py."""
from .charts import _fmt  # noqa: F401
from .charts import bar_chart  # noqa: F401
