"""Harmless but unusual things learners do in an exercise notebook.

Each entry is (name, code). Every one of them must leave the learner's
answers unchanged and must earn full credit: the tamper scan must not flag
it and the grading guard must not fail on it. ``tests/test_grading_cases.py``
puts them, a few per notebook, into complete solutions and grades them with
the real nbgrader CLI; it also scans each one on its own.
"""

HABITS: list[tuple[str, str]] = [
    ("pandas_chained_assignment_off", "import pandas as pd\npd.options.mode.chained_assignment = None\n"),
    ("pandas_set_option", 'pd.set_option("display.max_columns", None)\npd.set_option("display.width", 200)\n'),
    ("pandas_display_precision", "pd.options.display.precision = 3\n"),
    ("pandas_float_format", 'pd.options.display.float_format = "{:.2f}".format\n'),
    ("pandas_option_context", 'with pd.option_context("display.max_rows", 5):\n    print(scenario["scores"])\n'),
    ("numpy_printoptions", "np.set_printoptions(precision=3, suppress=True)\n"),
    ("numpy_seterr", 'old = np.seterr(all="ignore")\n'),
    ("warnings_ignore_all", "import warnings\nwarnings.filterwarnings(\"ignore\")\n"),
    ("warnings_ignore_future", "import warnings\nwarnings.simplefilter(action=\"ignore\", category=FutureWarning)\n"),
    ("matplotlib_magic", "%matplotlib inline\n"),
    ("config_magic", "%config InlineBackend.figure_format = 'retina'\n"),
    ("random_seed", "import random\nrandom.seed(42)\nprint(random.random())\n"),
    ("numpy_seed", "np.random.seed(0)\nprint(np.random.rand(2))\n"),
    ("numpy_default_rng", "rng = np.random.default_rng(7)\nprint(rng.integers(0, 10, 3))\n"),
    ("print_the_scenario", "print(scenario.keys())\nprint(scenario)\n"),
    ("print_heavy_debugging", "for i in range(400):\n    print('checking row', i, 'of the table')\n"),
    ("helper_function", "def share(mask):\n    mask = list(mask)\n    return sum(mask) / len(mask)\n\nprint(share([True, False, True]))\n"),
    ("helper_class", "class Notes:\n    def __init__(self):\n        self.items = []\n\n    def add(self, x):\n        self.items.append(x)\n\nn = Notes()\nn.add('cut looks high')\n"),
    ("reimport_numpy_other_name", "import numpy as npy\nimport pandas as pandas_lib\nprint(npy.mean([1, 2, 3]), pandas_lib.__version__)\n"),
    ("reimport_library_other_name", "from mtss_teach import screening as scr\nimport mtss_teach.screening as screening2\nprint(scr is screening2)\n"),
    ("reimport_exercises_module", "import mtss_teach.exercises as ex\nprint(ex.COURSES[:2])\n"),
    ("star_import_math", "from math import *\nprint(sqrt(16))\n"),
    ("ipython_display", "from IPython.display import display, Markdown\ndisplay(Markdown('**my notes**'))\n"),
    ("dataframe_peek", "df = scenario['scores'].to_frame()\ndf['flag'] = df.iloc[:, 0] < scenario['cut']\ndisplay(df.head())\n"),
    ("vars_of_own_object", "from dataclasses import dataclass\n\n@dataclass\nclass Row:\n    score: int\n\nprint(vars(Row(3)))\n"),
    ("class_name_debugging", "print(scenario['scores'].__class__.__name__, type(scenario).__name__)\n"),
    ("read_environment", "import os\nprint(os.environ.get('JUPYTERHUB_USER'), os.getenv('HOME') is not None)\n"),
    ("time_cell_magic", "%%time\ntotal = sum(range(10_000))\n"),
    ("timeit_line_magic", "%timeit -n1 -r1 sum(range(100))\n"),
    ("shell_listing", "!ls > /dev/null\n"),
    ("unicode_comments", "# Notes for myself: caf\u00e9, na\u00efve, \u6570\u636e \u2713 \u2014 check the cut again\npass\n"),
    ("empty_cell", ""),
    ("own_assert", "assert 1 + 1 == 2, 'sanity check'\n"),
    ("try_except", "try:\n    1 / 0\nexcept ZeroDivisionError:\n    print('caught it')\n"),
    ("lambda_sort", "lowest = sorted(scenario['scores'].items(), key=lambda kv: kv[1])[:3]\nprint(lowest)\n"),
    ("copy_of_scenario_changed", "mine = dict(scenario)\nmine['cut'] = 0\n"),
    ("help_call", "help(len)\n"),
    ("logging_setup", "import logging\nlogging.basicConfig(level=logging.WARNING)\nlogging.getLogger('me').info('hi')\n"),
    ("sys_and_pathlib", "import sys\nfrom pathlib import Path\nprint(sys.version_info >= (3, 8), Path.cwd().name != '')\n"),
    ("del_temporary", "tmp = [1, 2, 3]\ndel tmp\n"),
]
