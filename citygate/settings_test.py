"""Settings for the test suite: the main settings, read with CITYGATE_TESTING on."""

import os

os.environ["CITYGATE_TESTING"] = "1"

from citygate.settings import *  # noqa: F403
