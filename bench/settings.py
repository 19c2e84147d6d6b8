"""Settings for the HTTP benchmarks: the test settings plus a minimal view to compare with.

Run with LOG_LEVEL=WARNING (bench/catalog.py sets it) so that request logging, which costs the
same on every endpoint, stays out of the figures.
"""

from citygate.settings_test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Static files are served from the finders here; the directory only has to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
