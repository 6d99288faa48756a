"""Install and start the classroom server from the offline bundle alone, and log one participant in.

    unshare -n -- sh -c "ip link set lo up && python3 offline_classroom.py BUNDLE WORK"

Run by tests/publish/test_bundle.py inside a network namespace that has only loopback, as root (as CI is),
with the test's Python. Steps, as deploy/README.md tells an administrator on an intranet server: a virtual
environment with the course and the hub from bundle/wheelhouse (pip --no-index), configurable-http-proxy from
bundle/classroom-server (npm --offline), a roster and login codes from deploy/roster.py, then JupyterHub with
deploy/jupyterhub_config.py (this machine's overlay: loopback ports, files in WORK, every server as root). One
participant logs in with the code from their slip and their own JupyterLab answers. Prints one JSON line.
Every process the hub starts carries the test's mark (tests/processes.py), so the test finds whatever is left.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests import processes  # noqa: E402
from tests.conftest import free_ports  # noqa: E402


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def main(bundle: Path, work: Path) -> dict:
    timings, started = {}, time.monotonic()
    env_dir = work / "hub-env"
    run([sys.executable, "-m", "venv", str(env_dir)])
    python = env_dir / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-index",
         "--find-links", str(bundle / "wheelhouse"), "--only-binary=:all:", "-r", str(bundle / "requirements.txt"),
         "-r", str(bundle / "deploy" / "requirements-hub.txt"), "-c", str(bundle / "constraints.txt"),
         "-e", str(bundle)], env={"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": "/dev/null", "HOME": str(work)})
    timings["pip_install_s"] = round(time.monotonic() - started, 1)

    server = bundle / "classroom-server"
    package = next(server.glob("configurable-http-proxy-*.tgz"))
    run(["npm", "install", "--offline", "--no-fund", "--no-audit", "--loglevel=error", "--cache",
         str(server / "npm-cache"), "--prefix", str(work / "proxy"), str(package)])
    proxy = work / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
    timings["npm_install_s"] = round(time.monotonic() - started - timings["pip_install_s"], 1)

    etc = work / "etc"
    etc.mkdir(mode=0o700)
    roster, passwords = etc / "roster.txt", etc / "passwords"
    roster.write_text("# 离线教室\nxuesheng1  学员一\n", encoding="utf-8")
    port, hub_port, api_port = free_ports(3)
    url = f"http://127.0.0.1:{port}"
    tool = [str(python), str(bundle / "deploy" / "roster.py"), "--roster", str(roster), "--passwords", str(passwords)]
    run([*tool, "slips", "--out", str(work / "slips.html"), "--url", url])
    code = re.search(r'data-username="xuesheng1".*?<dd class="code">([^<]+)</dd>',
                     (work / "slips.html").read_text(encoding="utf-8"), re.S).group(1)
    run([*tool, "teacher", "laoshi"], input="laoshi-offline-password-0123456789\n")

    config = work / "jupyterhub_offline.py"
    config.write_text(f"""
load_subconfig({str(bundle / "deploy" / "jupyterhub_config.py")!r})
c.JupyterHub.bind_url = {url + "/"!r}
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{str(proxy)!r}]
c.JupyterHub.db_url = "sqlite:///{work / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(work / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(work / "hub.pid")!r}
c.JupyterHub.spawner_class = "simple"          # every server as root: no system users in this test
c.SimpleLocalProcessSpawner.home_dir_template = {str(work / "home" / "{username}")!r}
c.Spawner.args = ["--allow-root"]
c.Spawner.ip = "127.0.0.1"
{processes.config(os.environ[processes.MARK])}
""")
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8",
           "XINZHI_ROSTER": str(roster), "XINZHI_PASSWORDS": str(passwords), "XINZHI_HUB_ADMINS": "laoshi",
           "XINZHI_USER_PYTHON": str(python), processes.MARK: os.environ[processes.MARK],
           # no system accounts in this test: the class view stays root, its data in WORK
           "XINZHI_CLASS_RESULTS_USER": "root", "XINZHI_CLASS_RESULTS_DIR": str(work / "class-results")}
    log = open(work / "hub.log", "w")
    hub = subprocess.Popen([str(env_dir / "bin" / "jupyterhub"), "-f", str(config)], cwd=work, env=env,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        hub_started = time.monotonic()
        processes.wait_until_up(hub, lambda: urllib.request.urlopen(f"{url}/hub/api/", timeout=2).status == 200,
                                120, "the hub", work / "hub.log")
        timings["hub_start_s"] = round(time.monotonic() - hub_started, 1)

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        browser.open(f"{url}/hub/login", timeout=30).read()
        xsrf = next(c.value for c in jar if c.name == "_xsrf")
        form = urllib.parse.urlencode({"username": "xuesheng1", "password": code, "_xsrf": xsrf}).encode()
        login_started = time.monotonic()
        landed = browser.open(f"{url}/hub/login?next=%2Fhub%2Fspawn", data=form, timeout=300)
        page = landed.read().decode("utf-8", "replace")

        def lab_answers():   # the participant's own JupyterLab page, reached through the hub's OAuth
            with browser.open(f"{url}/user/xuesheng1/lab", timeout=30) as reply:
                return reply.geturl().startswith(f"{url}/user/xuesheng1/lab") and "jupyter-config-data" in reply.read().decode()
        processes.wait_until_up(hub, lab_answers, 300, "the hub (the participant's JupyterLab)", work / "hub.log")
        timings["login_to_lab_s"] = round(time.monotonic() - login_started, 1)
        xsrf = next(c.value for c in jar if c.name == "_xsrf" and c.path.startswith("/user/xuesheng1"))
        listing = urllib.request.Request(f"{url}/user/xuesheng1/api/contents", headers={"X-XSRFToken": xsrf})
        contents = json.loads(browser.open(listing, timeout=30).read())
        notebooks = sorted(item["name"] for item in contents["content"] if item["name"].endswith(".ipynb"))
        return {"ok": True, "landed": landed.geturl(), "title": re.search(r"<title>(.*?)</title>", page, re.S)
                and re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip(), "notebooks": notebooks,
                "timings": timings}
    finally:
        processes.stop(hub, os.environ[processes.MARK])


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))   # so that the hub is stopped on the way out
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2])), ensure_ascii=False))
