"""班级口令登录 / A JupyterHub authenticator for one class: a name of your choice plus the class password.

The teacher hands out one password per class. Only its salted PBKDF2 hash is stored on the server — in the
environment variable ``XINZHI_CLASS_PASSWORD_HASH`` or in a file (``ClassPasswordAuthenticator.password_hash_file``,
read at every login, so the teacher can change the password during a class without restarting anything).
There is no open access: with no hash configured, nobody can log in.

Make a hash (prints one line to paste into the file or the variable)::

    python3 deploy/classroom_auth.py hash              # asks for the password twice

Usernames are short lowercase ASCII words (pinyin or a staff number: ``zhangsan``, ``a1024``), because each one
becomes a system user on The Littlest JupyterHub. A shared password means that anyone in the class can log in under
any name: fine for a one-day class; for a longer course give each participant a password of their own
(``jupyterhub-nativeauthenticator``, see deploy/README.md).
"""
from __future__ import annotations

import asyncio
import base64
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys

try:  # the hub imports this module; the ``hash`` command below needs only the standard library
    from jupyterhub.auth import Authenticator
    from traitlets import Unicode, default
    try:
        from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
    except ImportError:  # JupyterHub before 5.3 (an older TLJH): the plain base class does the same job here
        SharedPasswordAuthenticator = Authenticator
except ImportError:  # pragma: no cover - running the CLI outside the hub environment
    SharedPasswordAuthenticator = None

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 200_000
USERNAME = re.compile(r"[a-z][a-z0-9_-]{0,23}")  # TLJH adds "jupyter-"; system names stop at 32


def make_hash(password: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$ITERATIONS$SALT$HASH`` (base64), the only form in which the password is kept."""
    if len(password) < 8:
        raise ValueError("the class password needs at least 8 characters")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    encode = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"{ALGORITHM}${iterations}${encode(salt)}${encode(digest)}"


def check_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored`` (a :func:`make_hash` line); never raises on a bad line."""
    try:
        algorithm, iterations, salt, expected = stored.strip().split("$")
        if algorithm != ALGORITHM or not password:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False


def _read(path: str) -> str:
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as stream:
            return stream.read().strip()
    return ""


if SharedPasswordAuthenticator is not None:

    class ClassPasswordAuthenticator(SharedPasswordAuthenticator):
        """JupyterHub's shared-password login, with only hashes at rest and a username rule for system users.

        Participants: any well-formed name (or only the names in ``allowed_users``) + the class password.
        Names in ``admin_users`` (the teacher) must use the separate admin password instead, so knowing the
        class password never gives admin rights.
        """

        password_hash = Unicode(
            os.environ.get("XINZHI_CLASS_PASSWORD_HASH", ""), config=True,
            help="The class password's hash (a `classroom_auth.py hash` line). Default: $XINZHI_CLASS_PASSWORD_HASH.")
        password_hash_file = Unicode(
            os.environ.get("XINZHI_CLASS_PASSWORD_FILE", ""), config=True,
            help="A file holding the class password's hash; read at every login, preferred when it exists.")
        admin_password_hash = Unicode(
            os.environ.get("XINZHI_ADMIN_PASSWORD_HASH", ""), config=True,
            help="The teacher's (admin) password hash. Default: $XINZHI_ADMIN_PASSWORD_HASH.")
        admin_password_hash_file = Unicode(
            os.environ.get("XINZHI_ADMIN_PASSWORD_FILE", ""), config=True,
            help="A file holding the admin password's hash; read at every login, preferred when it exists.")

        @default("allow_all")
        def _allow_all_default(self):  # the class password is the allow rule, unless a roster is given
            return not self.allowed_users

        def class_hash(self) -> str:
            return _read(self.password_hash_file) or self.password_hash.strip()

        def admin_hash(self) -> str:
            return _read(self.admin_password_hash_file) or self.admin_password_hash.strip()

        def validate_username(self, username):
            return bool(USERNAME.fullmatch(username)) and super().validate_username(username)

        def check_allow_config(self):
            if hasattr(Authenticator, "check_allow_config"):  # JupyterHub 5+
                Authenticator.check_allow_config(self)
            if not self.class_hash():
                self.log.error("No class password hash configured: participants cannot log in. "
                               "Make one with `python3 deploy/classroom_auth.py hash`.")
            if self.admin_users and not self.admin_hash():
                self.log.warning("admin_users set but no admin password hash: the teacher cannot log in.")

        async def authenticate(self, handler, data):
            username = self.normalize_username(data.get("username", ""))
            password = data.get("password", "")
            if not self.validate_username(username):
                return None
            is_admin = username in self.admin_users
            stored = self.admin_hash() if is_admin else self.class_hash()
            if stored and await asyncio.to_thread(check_password, password, stored):
                return {"name": username, "admin": is_admin}
            self.log.warning("Failed login for %r", username)
            return None


def main(argv: list[str]) -> int:
    if argv[:1] != ["hash"]:
        print(__doc__)
        return 2
    if len(argv) > 1:  # non-interactive: the password as the second argument (shows up in shell history)
        password = argv[1]
    else:
        password = getpass.getpass("班级口令 / class password: ")
        if password != getpass.getpass("再输一次 / again: "):
            print("两次输入不一致 / the two entries differ", file=sys.stderr)
            return 1
    print(make_hash(password))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
