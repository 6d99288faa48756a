"""One classroom hub for the whole folder: started by the first test that needs it, stopped after the last; and
nothing any hub started is left running afterwards."""
from __future__ import annotations

import pytest

from .. import processes

nothing_left_running = processes.nothing_left_running("hub")   # no proxy, service, server or kernel


@pytest.fixture(scope="package")
def classroom(tmp_path_factory):
    """(hub, participants, their notebook-01 runs, measurements): see test_classroom_hub.classroom_session."""
    from . import test_classroom_hub  # here: that module skips itself where no hub can run (not root, no package)

    yield from test_classroom_hub.classroom_session(tmp_path_factory)
