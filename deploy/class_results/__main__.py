"""课堂看板服务 / The class-results service, started by JupyterHub (``deploy/jupyterhub_config.py``).

JupyterHub gives it its own API token and its address (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``).
The configuration adds where the data lives and for how long:

* ``XINZHI_CLASS_RESULTS_DIR`` — the folder of ``results.sqlite`` (mode 700, the service's own account only);
* ``XINZHI_CLASS_RESULTS_DAYS`` — results older than this many days are deleted, checked every hour;
* ``XINZHI_CLASS_RESULTS_USER`` — the service's own system account (default ``xinzhi-results``);
* ``XINZHI_CLASS_RESULTS_BIND`` — the address to listen on when it is not the host of its URL (Kubernetes).

Started by a hub that runs as root (TLJH, a plain install), the service first creates its account if it is
missing (a system account: no home, no login shell), hands the data folder to it (moving the data of an older
install from ``XINZHI_CLASS_RESULTS_FORMER_DIR``) and becomes that account for good, before it opens a file or a
port. A flaw in the service then cannot reach the hub's secrets, the passwords file or anyone's home.

Run by hand only for a look at the code: ``python -m class_results`` in ``deploy/`` needs a running hub.
"""
from __future__ import annotations

import asyncio
import logging
import os
import pwd
import secrets
import shutil
import stat
import subprocess
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
ACCOUNT = "xinzhi-results"
DATA_FILES = ("results.sqlite", "results.sqlite-wal", "results.sqlite-shm", "cookie_secret")


def service_account(name: str) -> pwd.struct_passwd:
    """The service's system account, created (no home, no login) when missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    made = subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                           "--shell", "/usr/sbin/nologin", "--comment", "xinzhi class view", name],
                          capture_output=True, text=True)
    try:
        return pwd.getpwnam(name)  # made now, or by another start at the same moment
    except KeyError:
        raise SystemExit(f"课堂看板没有启动：无法建立系统账号 {name}：{made.stderr.strip()}") from None


def drop_privileges(folder: Path, name: str, former: Path | None = None) -> None:
    """As root: give ``folder`` (and the data of ``former``, an older install's folder) to the account ``name``
    and become it for good. Anyone else, or ``name`` naming the current account: nothing to do."""
    if os.geteuid() != 0 or not name or name == pwd.getpwuid(os.geteuid()).pw_name:
        return
    account = service_account(name)
    if account.pw_uid == 0:
        raise SystemExit(f"课堂看板没有启动：{name} 是 root 账号，请用一个普通的系统账号。")
    folder.parent.mkdir(parents=True, exist_ok=True)  # e.g. /var/lib/xinzhi: others may pass, not list or write
    folder.mkdir(exist_ok=True, mode=0o700)
    if former and former.resolve() != folder and (former / "results.sqlite").exists() \
            and not (folder / "results.sqlite").exists():
        for file in DATA_FILES:
            if (former / file).exists():
                shutil.move(str(former / file), str(folder / file))
        logging.info("moved the class view's data from %s to %s", former, folder)
    entries = [folder, *folder.iterdir()]
    for path in entries:  # a second name for a file elsewhere (a hard link) would give that file away too
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) and info.st_nlink > 1:
            raise SystemExit(f"课堂看板没有启动：{path} 还链接着别处的文件；请检查后删掉它。")
    for path in entries:
        os.lchown(path, account.pw_uid, account.pw_gid)   # a symbolic link itself, never what it points to
    folder.chmod(0o700)
    closed = [str(p) for p in folder.parents if not p.stat().st_mode & 0o001]
    if closed:
        raise SystemExit(f"课堂看板没有启动：账号 {name} 进不了 {closed[0]}；请把数据文件夹放到别处"
                         "（XINZHI_CLASS_RESULTS_DIR）。")
    os.setgroups([])
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    os.environ.update(USER=name, LOGNAME=name, HOME=account.pw_dir)


def cookie_secret(folder: Path) -> bytes:
    """Kept beside the data, so that a restart of the service does not log the teacher's page out."""
    path = folder / "cookie_secret"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[%(levelname)1.1s %(asctime)s class-results] %(message)s")
    folder = Path(os.environ.get("XINZHI_CLASS_RESULTS_DIR") or "class-results").resolve()
    former = os.environ.get("XINZHI_CLASS_RESULTS_FORMER_DIR")
    drop_privileges(folder, os.environ.get("XINZHI_CLASS_RESULTS_USER", ACCOUNT), Path(former) if former else None)
    os.umask(0o077)
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
    bind = os.environ.get("XINZHI_CLASS_RESULTS_BIND") or url.hostname  # on Kubernetes: the pod's address
    HTTPServer(app, max_body_size=MAX_BODY, xheaders=True).listen(url.port, bind)
    logging.info("class view at %s (data in %s, kept %g days, account %s)", prefix, folder, days,
                 pwd.getpwuid(os.geteuid()).pw_name)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # JupyterHub stops its services with SIGINT: every result is already on disk
        pass
