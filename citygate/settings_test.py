"""Settings for the test suite: the main settings, read with CITYGATE_TESTING on."""

import os

os.environ["CITYGATE_TESTING"] = "1"

from citygate.settings import *  # noqa: F403

# A pooled connection outlives `close()`, so the test database could not be dropped at the end
# of the run; tests open plain connections instead.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
