"""``python -m mtss_teach.apps serve | list``."""

from .cli import main

raise SystemExit(main())
