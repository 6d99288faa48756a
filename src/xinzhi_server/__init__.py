"""What the course adds to Jupyter's own servers (JupyterLab, Voilà, the classroom server's); never imported by a notebook.

Kernel websockets that send at once. A kernel answers a slider move with a few small messages (busy, the value
echoed, the new image, idle). Tornado, on which jupyter_server runs, leaves Nagle's algorithm on for websockets
unless the application turns it off, and jupyter_server does not: a small message that follows one the browser
has not yet acknowledged then waits for that acknowledgement, which the browser may hold back up to 40 ms. With
the server's kernel websockets set to send at once, ``benchmarks/class_capacity.py`` no longer sees those pauses.

jupyter/jupyter_server_config.json names :class:`NoDelayConnection` as the server's
``kernel_websocket_connection_class`` (and voila.json as Voilà's); ``course.py`` installs both into the
environment, so every JupyterLab, Voilà and classroom server started from it uses it. Kept out of the
``xinzhi`` package, whose import prepares a notebook (fonts, matplotlib) that a server does not need.
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection, with Nagle's algorithm off on the websocket."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()
