"""Settings for the test suite: the main settings, read with CITYGATE_TESTING on."""

import os
import tempfile
from pathlib import Path

os.environ["CITYGATE_TESTING"] = "1"

from citygate.settings import *  # noqa: F403

# A pooled connection outlives `close()`, so the test database could not be dropped at the end
# of the run; tests open plain connections instead.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405

# On SQLite the test database is a file, one per test process, not shared memory: connections
# to a shared in-memory database lock whole tables and fail at once ("database table is
# locked") instead of waiting out the busy timeout, so tests that book from many threads at
# once could not run on it. The file goes to a memory-backed directory where there is one,
# and is not synced to disk. (pytest-xdist adds each worker's suffix to the name.)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _folder = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()  # noqa: S108
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(_folder, f"citygate-test-{os.getpid()}.sqlite3")
    }
    _options = DATABASES["default"]["OPTIONS"]  # noqa: F405
    _options["init_command"] = _options["init_command"].replace(
        "synchronous=NORMAL", "synchronous=OFF"
    )

# Uploaded files of the tests go to a folder of this test process among the machine's
# temporary files (never into the working tree); the storage makes it on the first upload.
MEDIA_ROOT = Path(
    os.environ.get("CITYGATE_TEST_MEDIA_ROOT")
    or os.path.join(tempfile.gettempdir(), f"citygate-media-{os.getpid()}")
)
