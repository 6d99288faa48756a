"""One classroom hub for the whole folder: started by the first test that needs it, stopped after the last; and
nothing any hub started is left running afterwards."""
from __future__ import annotations

import pytest

from .. import processes


@pytest.fixture(scope="package", autouse=True)
def nothing_left_running():
    """After the folder's last test (and its hubs' teardown): no proxy, service, server or kernel is still running."""
    yield
    left = processes.left_behind("hub")
    assert not left, "still running after the hub tests (now killed):\n" + "\n".join(left)


@pytest.fixture(scope="package")
def classroom(tmp_path_factory):
    """(hub, participants, their notebook-01 runs, measurements): see test_classroom_hub.classroom_session."""
    from . import test_classroom_hub  # here: that module skips itself where no hub can run (not root, no package)

    yield from test_classroom_hub.classroom_session(tmp_path_factory)
