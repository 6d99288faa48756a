"""JupyterHub 课堂配置 / JupyterHub configuration for one class on one machine (The Littlest JupyterHub style).

On The Littlest JupyterHub (TLJH) link this file into its config folder; TLJH keeps its own spawner (one system
user per participant, systemd limits) and proxy (Traefik, which holds the HTTPS certificate), and this file adds
the course on top::

    sudo ln -s /opt/xinzhi/deploy/jupyterhub_config.py /opt/tljh/config/jupyterhub_config.d/xinzhi.py
    sudo tljh-config reload hub

What it sets (each overridable with an environment variable of the hub, shown in brackets):

- login: ``classroom_auth.ClassroomAuthenticator``: the roster [XINZHI_ROSTER, default /etc/xinzhi/roster.txt]
  and each participant's own login code, each teacher's own long password (salted hashes in
  [XINZHI_PASSWORDS, default /etc/xinzhi/passwords], written by ``deploy/roster.py``); throttled logins; teachers
  are TLJH's ``users.admin`` [or XINZHI_HUB_ADMINS, comma-separated]. No sign-up, never open access; the hub does
  not start without a valid roster and a password for every teacher.
- network: the hub's own API listens on 127.0.0.1 only; without TLJH the public address is 127.0.0.1:8000
  [XINZHI_BIND_URL], for a TLS-terminating proxy in front. On TLJH, Traefik listens (``tljh-config set
  https.*``, see deploy/README.md).
- roles: the teachers (also listed as the group ``instructors``) hold the admin role and the class view's role
  by name, so that one taken off the admin list loses both at the next start; each hub service gets a role
  with only the scopes it needs (the idle culler below).
- HTTPS: behind it (XINZHI_PUBLIC_URL or XINZHI_BIND_URL starting with https://, or TLJH's ``https.enabled``)
  every cookie is Secure (they are all HttpOnly already) and pages carry HSTS.
- the class view (课堂看板, ``class_results/``): a hub-managed service with its own API token, on
  127.0.0.1 [XINZHI_CLASS_RESULTS_PORT, default 10101], running as its own system account
  [XINZHI_CLASS_RESULTS_USER, default xinzhi-results, created when missing], its data in
  /var/lib/xinzhi/class-results when the hub runs as root, else ``class-results/`` beside the hub's database
  [XINZHI_CLASS_RESULTS_DIR], kept [XINZHI_CLASS_RESULTS_DAYS, default 30] days. Three custom scopes:
  ``custom:class-results:post`` goes to every user limited to themselves (``!user``, in the ``user`` role) and
  into each participant's server token, so a participant's kernel may send its own results only;
  ``…:read`` and ``…:manage`` go to the teachers alone (the page, counts, export; create, reset,
  archive, wipe a class).
- the single-user environment: the course environment's Python [XINZHI_USER_PYTHON; default TLJH's
  /opt/tljh/user/bin/python] runs ``start_singleuser.py``, which copies missing notebooks into ``~/xinzhi`` (never
  overwriting), sets the workspace to ``~/xinzhi/my_work`` and starts JupyterLab. The Chinese UI comes from the
  settings files that ``course.py`` installs into that environment (``jupyter/``); the chart font ships inside the
  course package.
- limits per participant: memory [XINZHI_MEM_LIMIT, default 1G] and CPU [XINZHI_CPU_LIMIT, default 1]
  (or TLJH's ``limits.memory`` / ``limits.cpu``), sized from
  the measurements in deploy/README.md; enforced by TLJH's systemd spawner (and by Kubernetes with values.yaml).
- idle culling: jupyterhub-idle-culler stops servers with no browser tab for an hour [XINZHI_IDLE_TIMEOUT,
  seconds]; on TLJH, which runs its own culler, set the timeout with ``tljh-config set services.cull.timeout``.
"""
import os
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
COURSE = DEPLOY.parent
sys.path.insert(0, str(DEPLOY))

from classroom_auth import ClassroomAuthenticator  # noqa: E402


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


TLJH_USER_PYTHON = "/opt/tljh/user/bin/python"
USER_PYTHON = setting("XINZHI_USER_PYTHON", TLJH_USER_PYTHON if os.path.exists(TLJH_USER_PYTHON) else sys.executable)
IDLE_TIMEOUT = int(setting("XINZHI_IDLE_TIMEOUT", "3600"))

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

# --- Login ---------------------------------------------------------------------------------------------------
c.JupyterHub.authenticator_class = ClassroomAuthenticator
admins = {name.strip().lower() for name in setting("XINZHI_HUB_ADMINS", "").split(",") if name.strip()}
admins = admins or set(c.Authenticator.get("admin_users", ()))  # TLJH: users.admin
c.Authenticator.admin_users = admins
c.JupyterHub.cookie_max_age_days = 1  # classroom computers are shared: a forgotten session ends by the next day
c.JupyterHub.token_expires_in_max_seconds = 7 * 86400  # an API token someone copied stops working within a week
c.JupyterHub.template_vars = {
    "announcement_login": "用户名和密码（登录码）都印在老师发的登录条上。"
                          " / Username and password (login code) are on your login slip.",
}

# --- Network: the hub's API on loopback only; the public side is a TLS proxy (TLJH: Traefik) -----------------
c.JupyterHub.hub_ip = "127.0.0.1"
if "traefik" not in str(c.JupyterHub.get("proxy_class", "")):  # not on TLJH: say where to listen
    c.JupyterHub.bind_url = setting("XINZHI_BIND_URL", "http://127.0.0.1:8000")

# --- Behind HTTPS: cookies only over HTTPS, and browsers told to come back over HTTPS only (HSTS) ------------
# The public address [XINZHI_PUBLIC_URL, e.g. https://hub.example.edu.cn] is needed when a proxy in front of the
# hub's own proxy terminates TLS (the hub would otherwise see http and set cookies without Secure). HTTPS is also
# known from XINZHI_BIND_URL (the hub's proxy holds the certificate) and from TLJH's `https.enabled`.
PUBLIC_URL = setting("XINZHI_PUBLIC_URL", "")


def tljh_https() -> bool:
    try:
        from tljh.config import CONFIG_FILE
        from tljh.configurer import load_config
        return bool(load_config(CONFIG_FILE).get("https", {}).get("enabled"))
    except Exception:  # not on TLJH, or its configuration unreadable: no claim of HTTPS
        return False


if PUBLIC_URL:
    c.JupyterHub.public_url = PUBLIC_URL
HTTPS = any(url.startswith("https://") for url in (PUBLIC_URL, str(c.JupyterHub.get("bind_url", "")))) or (
    "traefik" in str(c.JupyterHub.get("proxy_class", "")) and tljh_https())
if HTTPS:
    tornado_settings = dict(c.JupyterHub.get("tornado_settings", {}))
    tornado_settings["headers"] = {**tornado_settings.get("headers", {}),
                                   "Strict-Transport-Security": "max-age=31536000"}
    tornado_settings["cookie_options"] = {**tornado_settings.get("cookie_options", {}), "secure": True}
    c.JupyterHub.tornado_settings = tornado_settings

# --- Roles ---------------------------------------------------------------------------------------------------
# The teachers are exactly the admins configured now. A role's list of users is authoritative at each start (a
# teacher taken off the list loses admin rights and the class view); a group's list only ever adds, so the group
# `instructors` names the teachers but grants nothing.
c.JupyterHub.load_groups = {"instructors": {"users": sorted(admins)}}
roles = c.JupyterHub.load_roles if isinstance(c.JupyterHub.load_roles, list) else []
roles.append({"name": "admin", "users": sorted(admins)})

# --- The class view (课堂看板): a service, its scopes, who holds them -----------------------------------------
CLASS_RESULTS = "class-results"
CLASS_RESULTS_URL = f"http://127.0.0.1:{int(setting('XINZHI_CLASS_RESULTS_PORT', '10101'))}"
# A hub running as root starts the service, which becomes its own account (XINZHI_CLASS_RESULTS_USER) at once:
# its folder must be reachable by that account, so not inside the hub's private state folder.
CLASS_RESULTS_DIR = setting("XINZHI_CLASS_RESULTS_DIR", "/var/lib/xinzhi/class-results" if os.geteuid() == 0
                            else os.path.abspath("class-results"))
POST, READ, MANAGE = (f"custom:{CLASS_RESULTS}:{verb}" for verb in ("post", "read", "manage"))
c.JupyterHub.custom_scopes = {
    **(c.JupyterHub.custom_scopes if isinstance(c.JupyterHub.custom_scopes, dict) else {}),
    POST: {"description": "Send one's own self-check answers, guesses and capstone formula to the class view; "
                          "withdraw them."},
    READ: {"description": "See the class view's counts and export them as CSV."},
    MANAGE: {"description": "Create, reset, archive and wipe classes in the class view."},
}
roles.append({"name": "user", "description": "Every user: their own things, and sending their own results",
              "scopes": ["self", f"{POST}!user"]})
roles.append({"name": "class-results-instructor", "description": "Teachers: the class view",
              "scopes": [READ, MANAGE, f"access:services!service={CLASS_RESULTS}"], "users": sorted(admins)})
# A participant's server (and so their kernels) gets JupyterHub's default server scopes plus posting their own results.
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", f"{POST}!user"]
c.JupyterHub.services = (c.JupyterHub.services if isinstance(c.JupyterHub.services, list) else []) + [{
    "name": CLASS_RESULTS,
    "display": True,
    "info": {"description": "课堂看板"},
    "url": CLASS_RESULTS_URL,
    "command": [USER_PYTHON, "-m", "class_results"],
    "cwd": str(DEPLOY),
    "environment": {
        "XINZHI_CLASS_RESULTS_DIR": CLASS_RESULTS_DIR,
        "XINZHI_CLASS_RESULTS_FORMER_DIR": os.path.abspath("class-results"),  # where versions up to 1.1 kept it
        "XINZHI_CLASS_RESULTS_DAYS": setting("XINZHI_CLASS_RESULTS_DAYS", "30"),
        "XINZHI_CLASS_RESULTS_USER": setting("XINZHI_CLASS_RESULTS_USER", "xinzhi-results"),
        **({"JUPYTERHUB_COOKIE_OPTIONS": '{"secure": true}'} if HTTPS else {}),
    },
    "oauth_no_confirm": True,
    "oauth_client_allowed_scopes": [READ, MANAGE],
}]

# --- The single-user environment: the course ----------------------------------------------------------------
c.Spawner.cmd = [USER_PYTHON, str(DEPLOY / "start_singleuser.py")]
c.Spawner.environment = {"XINZHI_COURSE_NOTEBOOKS": str(COURSE / "notebooks"),
                         "XINZHI_CLASS_RESULTS_URL": f"{CLASS_RESULTS_URL}/services/{CLASS_RESULTS}/"}
c.Spawner.start_timeout = 300  # a whole class pressing "start" at once on a small machine
c.Spawner.http_timeout = 300

# --- Limits per participant (see deploy/README.md for the measured figures) --------------------------------
# Measured: a participant's server 152 MB + 137 MB per open notebook's kernel. 1G holds the server and six
# kernels; kernels idle for 20 minutes are stopped by start_singleuser.py. Values set with `tljh-config set
# limits.memory/limits.cpu` are kept unless the environment variables say otherwise.
c.Spawner.mem_limit = os.environ.get("XINZHI_MEM_LIMIT") or c.Spawner.get("mem_limit") or "1G"
c.Spawner.cpu_limit = float(os.environ.get("XINZHI_CPU_LIMIT") or c.Spawner.get("cpu_limit") or 1)

# --- Idle culling --------------------------------------------------------------------------------------------
existing = c.JupyterHub.services if isinstance(c.JupyterHub.services, list) else []
if not any("cull" in service.get("name", "") for service in existing):  # TLJH already runs one
    c.JupyterHub.services = existing + [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}",
                    "--cull-every=300", "--concurrency=5"],
    }]
    roles.append({
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    })
c.JupyterHub.load_roles = roles
