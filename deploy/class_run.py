"""上课用的命令 / The teacher's commands during a class, through JupyterHub's own REST API.

Run on the server (or any computer that reaches the hub), with an API token of the teacher's account: log in as
the teacher, open ``https://HUB/hub/token``, request a token (note “上课命令”, valid one day), and keep it in a
file only you can read::

    python3 deploy/class_run.py --url https://hub.你的域名 --token-file ~/.xinzhi-token start-all
    python3 deploy/class_run.py … status                        # 谁的服务器开着，哪个内核忙、出错或重启过
    python3 deploy/class_run.py … reset-notebook zhangsan 01    # 把张三的 01 换回原版（旧的改名留着）

* ``start-all`` starts the server of every participant on the roster (``roster.txt``; names that never logged in
  are added to the hub first), a few at a time, and prints how long each took: before class, so that nobody waits.
* ``status`` lists each participant's server and its kernels (the notebook, busy/idle, and whether a kernel
  died and was restarted).
* ``reset-notebook NAME NN`` puts the course's original notebook NN in place of NAME's copy. The old copy is
  renamed (``01_concept-旧-20260305-0941.ipynb``), never deleted; ``my_work/`` (saved work and answers) is not
  touched. Ask the participant to close the notebook's tab first (an open tab would save the old one back).

Only Python's standard library: like ``roster.py`` this runs anywhere. Environment instead of options:
XINZHI_HUB_URL, XINZHI_HUB_TOKEN.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import roster  # noqa: E402

COURSE_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
START_LIMIT = 600   # seconds to wait for the whole class's servers


class HubError(Exception):
    """A refusal or failure of the hub, worded for the teacher."""


def checked_url(url: str) -> str:
    """The hub's address; plain http only to this machine: the teacher's token is an administrator's."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        parts.port   # raises ValueError for a port that is not a number
    except ValueError:   # "http://[::1" and the like
        parts = None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
        raise HubError(f"网址 {url[:80]} 不对：要写成 https://hub.你的域名 这样。")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise HubError(f"{url[:80]} 是明文 http：老师的令牌会以明文经过网络。请用 https:// 的网址，"
                       "或者在服务器上用 http://127.0.0.1 运行。")
    return url.strip().rstrip("/")


def read_token(path: Path) -> str:
    """The token from a file only its owner can read (as ssh insists for its keys)."""
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise HubError(f"{path} 别人也能读：先运行 chmod 600 {path}（令牌有老师账号的全部权限）。")
    return path.read_text(encoding="utf-8").strip()


class Hub:
    def __init__(self, url: str, token: str):
        self.url, self.token = checked_url(url), token
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, path: str, body=None, ok=(200, 201, 202, 204)):
        request = urllib.request.Request(
            self.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=60) as reply:
                status, text = reply.status, reply.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as err:
            raise HubError(f"连不上 {self.url}（{getattr(err, 'reason', err)}）：网址对吗？") from None
        if status == 404 and 404 in ok:
            return None
        if status == 403:
            raise HubError("hub 拒绝了这个令牌：请用老师账号在 /hub/token 页面重新申请一个。")
        if status not in ok:
            raise HubError(f"{method} {path} → {status} {text[:200]}")
        return json.loads(text) if text.strip() else None

    def users(self) -> dict[str, dict]:
        return {u["name"]: u for u in self.call("GET", "/hub/api/users?limit=2000")}

    def server_api(self, name: str, method: str, path: str, body=None, ok=(200, 201, 204)):
        return self.call(method, f"/user/{urllib.parse.quote(name)}/api/{path}", body, ok)


def participants(roster_file: str, hub: Hub) -> list[str]:
    names = [e.name for e in roster.read_roster(roster_file)]
    known = hub.users()
    missing = [n for n in names if n not in known]
    if missing:  # never logged in: add them to the hub (the roster already lets them in)
        hub.call("POST", "/hub/api/users", {"usernames": missing})
    return names


def start_all(hub: Hub, names: list[str], parallel: int, out=print) -> dict[str, float]:
    """Start every server that is not running; the seconds each took to be ready (0 for those already running)."""
    began = time.monotonic()
    running = {n for n, u in hub.users().items() if u.get("servers", {}).get("", {}).get("ready")}
    todo = [n for n in names if n not in running]
    times = {n: 0.0 for n in names if n in running}
    out(f"{len(running & set(names))} 人的服务器已经开着；现在启动 {len(todo)} 人的（每次 {parallel} 个）。")

    def start(name: str) -> tuple[str, float | str]:
        started = time.monotonic()
        try:
            hub.call("POST", f"/hub/api/users/{urllib.parse.quote(name)}/server", {}, ok=(201, 202, 400))
            while time.monotonic() - began < START_LIMIT:
                server = hub.call("GET", f"/hub/api/users/{urllib.parse.quote(name)}").get("servers", {}).get("", {})
                if server.get("ready"):
                    return name, time.monotonic() - started
                if not server and time.monotonic() - started > 10:
                    return name, "启动失败（hub 日志里有原因：sudo journalctl -u jupyterhub）"
                time.sleep(1)
            return name, "超时"
        except HubError as err:
            return name, str(err)

    failed = {}
    with ThreadPoolExecutor(max(1, parallel)) as pool:
        for name, result in pool.map(start, todo):
            if isinstance(result, float):
                times[name] = result
                out(f"  {name}：{result:.0f} 秒")
            else:
                failed[name] = result
                out(f"  {name}：{result}")
    out(f"全部用时 {time.monotonic() - began:.0f} 秒；{len(times)} 人就绪" + (f"，{len(failed)} 人没有启动" if failed
                                                                      else "") + "。")
    return times


def status(hub: Hub, names: list[str], out=print) -> dict[str, dict]:
    """Each participant's server and kernels, as a dictionary and as lines for the teacher."""
    users, found = hub.users(), {}
    for name in names:
        server = users.get(name, {}).get("servers", {}).get("")
        entry = {"server": "没有启动" if not server else "就绪" if server.get("ready") else "正在启动", "kernels": []}
        if server and server.get("ready"):
            try:
                notebooks = {s["kernel"]["id"]: s.get("path", "") for s in hub.server_api(name, "GET", "sessions") or []
                             if s.get("kernel")}
                for kernel in hub.server_api(name, "GET", "kernels") or []:
                    entry["kernels"].append({"notebook": notebooks.get(kernel["id"], "（没有打开的笔记本）"),
                                             "state": kernel.get("execution_state", "?"),
                                             "connections": kernel.get("connections", 0)})
            except HubError as err:
                entry["server"] = f"就绪，但读不到内核（{err}）"
        found[name] = entry
        states = {"idle": "空闲", "busy": "运行中", "starting": "正在启动", "restarting": "刚重启",
                  "dead": "已停止（需要重启内核）"}
        kernels = "；".join(f"{k['notebook']} {states.get(k['state'], k['state'])}" for k in entry["kernels"])
        out(f"{name:<24} {entry['server']:<6} {kernels or '—'}")
    return found


def reset_notebook(hub: Hub, name: str, notebook: str, source: Path = COURSE_NOTEBOOKS, out=print) -> str:
    """Put the course's original notebook in place of ``name``'s copy; the old copy is renamed. Returns its new name."""
    originals = sorted(source.glob(f"{notebook}_*.ipynb")) if len(notebook) == 2 else [source / notebook]
    if len(originals) != 1 or not originals[0].is_file():
        raise HubError(f"课程里没有笔记本 {notebook}（在 {source} 里找）。")
    original = originals[0]
    server = hub.users().get(name, {}).get("servers", {}).get("", {})
    if not server.get("ready"):
        raise HubError(f"{name} 的服务器没有开着：先运行 start-all（或请学员登录），再换笔记本。")
    path = urllib.parse.quote(original.name)
    kept = ""
    if hub.server_api(name, "GET", f"contents/{path}?content=0", ok=(200, 404)) is not None:
        kept = f"{original.stem}-旧-{datetime.now():%Y%m%d-%H%M%S}.ipynb"
        hub.server_api(name, "PATCH", f"contents/{path}", {"path": kept})
    content = json.loads(original.read_text(encoding="utf-8"))
    hub.server_api(name, "PUT", f"contents/{path}", {"type": "notebook", "format": "json", "content": content})
    out(f"{name} 的 {original.name} 已换回原版" + (f"；原来那份改名为 {kept}" if kept else "") +
        "。my_work 里保存的作品和答案没有动。请学员关掉这个笔记本的标签页再重新打开。")
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="class_run.py", description="上课用的命令 / the teacher's class commands")
    parser.add_argument("--url", default=os.environ.get("XINZHI_HUB_URL", ""), help="hub 的网址（登录条上的那个）")
    parser.add_argument("--token-file", default="", help="存着老师 API 令牌的文件（或环境变量 XINZHI_HUB_TOKEN）")
    parser.add_argument("--roster", default=roster.ROSTER, help=f"名单文件（默认 {roster.ROSTER}）")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start-all", help="课前启动名单上每个人的服务器")
    start.add_argument("--parallel", type=int, default=10, help="同时启动几个（默认 10）")
    commands.add_parser("status", help="每个人的服务器和内核")
    reset = commands.add_parser("reset-notebook", help="把某人的一本笔记本换回原版（my_work 不动）")
    reset.add_argument("name")
    reset.add_argument("notebook", help="两位编号，例如 01")
    args = parser.parse_args(argv)
    token = os.environ.get("XINZHI_HUB_TOKEN", "")
    try:
        if args.token_file:
            token = read_token(Path(args.token_file).expanduser())
        if not args.url or not token:
            raise HubError("需要 --url（hub 的网址）和老师的 API 令牌（--token-file 或环境变量 XINZHI_HUB_TOKEN）。")
        hub = Hub(args.url, token)
        if args.command == "reset-notebook":
            reset_notebook(hub, args.name, args.notebook)
            return 0
        names = participants(args.roster, hub)
        if args.command == "start-all":
            times = start_all(hub, names, args.parallel)
            return 0 if len(times) == len(names) else 1
        status(hub, names)
        return 0
    except (HubError, roster.RosterError, OSError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
