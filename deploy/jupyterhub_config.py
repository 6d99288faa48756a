"""JupyterHub 课堂配置 / JupyterHub configuration for one class on one machine (The Littlest JupyterHub style).

On The Littlest JupyterHub (TLJH) link this file into its config folder; TLJH keeps its own spawner (one system
user per participant, systemd limits) and proxy, and this file adds the course on top::

    sudo ln -s /opt/xinzhi/deploy/jupyterhub_config.py /opt/tljh/config/jupyterhub_config.d/xinzhi.py
    sudo tljh-config reload hub

What it sets (each overridable with an environment variable of the hub, shown in brackets):

- login: the class password (``classroom_auth.ClassPasswordAuthenticator``; hashes in
  ``/etc/xinzhi/class_password.hash`` [XINZHI_CLASS_PASSWORD_FILE] and ``/etc/xinzhi/admin_password.hash``
  [XINZHI_ADMIN_PASSWORD_FILE]; teachers [XINZHI_HUB_ADMINS, comma-separated]; optional roster file, one name
  a line [XINZHI_ROSTER]); or, with XINZHI_HUB_AUTH=native, jupyterhub-nativeauthenticator (each participant
  signs up with a password of their own, the teacher approves at /hub/authorize). Never open access.
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

from classroom_auth import ClassPasswordAuthenticator  # noqa: E402


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


TLJH_USER_PYTHON = "/opt/tljh/user/bin/python"
USER_PYTHON = setting("XINZHI_USER_PYTHON", TLJH_USER_PYTHON if os.path.exists(TLJH_USER_PYTHON) else sys.executable)
IDLE_TIMEOUT = int(setting("XINZHI_IDLE_TIMEOUT", "3600"))

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

# --- Login -------------------------------------------------------------------------------------------------
admins = {name.strip().lower() for name in setting("XINZHI_HUB_ADMINS", "").split(",") if name.strip()}
if admins:
    c.Authenticator.admin_users = admins
if setting("XINZHI_HUB_AUTH", "class-password") == "native":
    c.JupyterHub.authenticator_class = "native"
    c.NativeAuthenticator.open_signup = False  # the teacher approves each sign-up at /hub/authorize
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.check_common_password = True
    c.Authenticator.allow_all = True  # approval is the allow rule
else:
    c.JupyterHub.authenticator_class = ClassPasswordAuthenticator
    c.ClassPasswordAuthenticator.password_hash_file = setting("XINZHI_CLASS_PASSWORD_FILE",
                                                              "/etc/xinzhi/class_password.hash")
    c.ClassPasswordAuthenticator.admin_password_hash_file = setting("XINZHI_ADMIN_PASSWORD_FILE",
                                                                    "/etc/xinzhi/admin_password.hash")
    roster = setting("XINZHI_ROSTER", "")
    if roster:
        names = Path(roster).read_text(encoding="utf-8").split()
        c.Authenticator.allowed_users = {name.strip().lower() for name in names if not name.startswith("#")}
c.JupyterHub.template_vars = {
    "announcement_login": "用户名：拼音或工号（小写英文字母开头，如 zhangsan）；密码：老师给的班级口令。"
                          " / Username: pinyin or staff number; password: the class password.",
}

# --- The single-user environment: the course ----------------------------------------------------------------
c.Spawner.cmd = [USER_PYTHON, str(DEPLOY / "start_singleuser.py")]
c.Spawner.environment = {"XINZHI_COURSE_NOTEBOOKS": str(COURSE / "notebooks")}
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
    roles = c.JupyterHub.load_roles if isinstance(c.JupyterHub.load_roles, list) else []
    c.JupyterHub.load_roles = roles + [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }]
