"""课堂看板服务 / The class-results service, started by JupyterHub (``deploy/jupyterhub_config.py``).

JupyterHub gives it its own API token and its address (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``).
The configuration adds where the data lives and for how long:

* ``XINZHI_CLASS_RESULTS_DIR`` — the folder of ``results.sqlite`` (mode 700, the hub's user only);
* ``XINZHI_CLASS_RESULTS_DAYS`` — results older than this many days are deleted, checked every hour.

Run by hand only for a look at the code: ``python -m class_results`` in ``deploy/`` needs a running hub.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import urllib.parse
from pathlib import Path

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback

from xinzhi.quiz.bank import all_banks
from xinzhi.widgets import predictions

from . import board
from .store import Store
from .web import Service, handlers

COURSE = Path(__file__).resolve().parents[2]
DAY = 86_400
MAX_BODY = 512 * 1024


def cookie_secret(folder: Path) -> bytes:
    """Kept beside the data, so that a restart of the service does not log the teacher's page out."""
    path = folder / "cookie_secret"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[%(levelname)1.1s %(asctime)s class-results] %(message)s")
    os.umask(0o077)
    folder = Path(os.environ.get("XINZHI_CLASS_RESULTS_DIR") or "class-results").resolve()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    days = float(os.environ.get("XINZHI_CLASS_RESULTS_DAYS") or 30)
    store = Store(folder / "results.sqlite")
    banks = {bank.notebook: bank for bank in all_banks()}
    titles = board.notebook_titles(Path(os.environ.get("XINZHI_COURSE_NOTEBOOKS") or COURSE / "notebooks"))
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    service = Service(store, banks, predictions(), titles, prefix, days)

    def expire():
        results, classes = store.expire(days * DAY)
        if results or classes:
            logging.info("retention (%g days): deleted %d results and %d classes", days, results, classes)
    expire()
    PeriodicCallback(expire, 3600 * 1000).start()

    app = web.Application(handlers(service), cookie_secret=cookie_secret(folder),
                          template_path=str(Path(__file__).parent), xsrf_cookies=False)
    url = urllib.parse.urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    HTTPServer(app, max_body_size=MAX_BODY, xheaders=True).listen(url.port, url.hostname)
    logging.info("class view at %s (data in %s, kept %g days)", prefix, folder, days)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # JupyterHub stops its services with SIGINT: every result is already on disk
        pass
