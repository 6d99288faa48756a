"""班级登录 / JupyterHub login for one class: each participant's own code, throttled, from the roster only.

- **Who**: the roster (``roster.py``; re-read when it changes) and the teachers (``Authenticator.admin_users``).
  Nobody else, and no sign-up route. The hub refuses to start, with a Chinese message naming the line, when the
  roster is invalid, when a teacher has no password, or when a teacher's name is also on the roster.
- **Secrets**: each participant's random login code, each teacher's long password, kept as salted PBKDF2 hashes
  in the passwords file (re-read when it changes: a reissued code works at once and clears that name's lock).
- **Throttle** (in memory): failures are counted per name: the first ``free_failures`` cost nothing, then each
  one makes the name wait ``first_delay`` seconds, doubling, and ``lock_after`` failures lock the name for
  ``lock_seconds``. Per client address only a high ceiling (``address_failure_limit`` per ``address_window``),
  since a whole class often shares one address behind a NAT. Refused attempts are not checked at all, so a lock
  holds even against the right code. Locks are logged; messages on the login page are in Chinese.
- **Client address**: the socket's peer, unless that peer is a trusted proxy (``trusted_proxies``, default
  loopback: TLJH's Traefik and JupyterHub's own proxy run on the same machine); then the right-most address in
  ``X-Forwarded-For`` that is not a trusted proxy. ``X-Real-Ip`` is ignored (any client can send it).
"""
from __future__ import annotations

import asyncio
import ipaddress
import math
import os
import sys
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.handlers.login import LoginHandler
from traitlets import Float, Integer, List, Unicode, default

sys.path.insert(0, str(Path(__file__).resolve().parent))
import roster  # noqa: E402  (deploy/roster.py: parsing, hashes; mounted beside this file on a cluster)

WRONG = "用户名或登录码不对。请对照登录条再输一次（登录码不分大小写，短横线可以不输）。"
WAIT = "输错的次数较多，请 {seconds} 秒后再试。"
NAME_LOCKED = "这个用户名连续输错太多次，已暂时锁定，请 {minutes} 分钟后再试；忘了登录码请找老师补发（补发后立即解锁）。"
ADDRESS_LOCKED = "从这个网络地址登录失败的次数太多，已暂停登录，请 {minutes} 分钟后再试，或请老师帮忙。"
DUMMY_HASH = roster.make_hash("not-a-code")  # unknown names cost the same time as known ones


@dataclass
class _Name:
    failures: int = 0
    last: float = -math.inf
    fingerprint: str = ""  # the stored hash the failures were counted against: a reissued code starts afresh


@dataclass
class _Address:
    failures: deque = field(default_factory=deque)


class Throttle:
    """Login attempts per name (growing waits, then a lock) and per client address (a high ceiling).

    An attempt counts as a failure from the moment it is let through (``begin``) until it succeeds, so that
    parallel guesses are throttled as strictly as sequential ones.
    """

    def __init__(self, free=3, first_delay=5.0, lock_after=10, lock_seconds=900.0, address_limit=300,
                 address_window=900.0, clock=time.monotonic):
        self.free, self.first_delay, self.lock_after, self.lock_seconds = free, first_delay, lock_after, lock_seconds
        self.address_limit, self.address_window, self.clock = address_limit, address_window, clock
        self.names: dict[str, _Name] = {}
        self.addresses: dict[str, _Address] = {}

    def wait_after(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        if failures >= self.lock_after:
            return self.lock_seconds
        return self.first_delay * 2 ** (failures - self.free - 1)

    def _name(self, name: str, fingerprint: str) -> _Name:
        if name not in self.names and len(self.names) > 10_000:  # names nobody used for a while go first
            now = self.clock()
            for key in [k for k, v in self.names.items() if v.last + self.wait_after(v.failures) < now]:
                del self.names[key]
        record = self.names.setdefault(name, _Name(fingerprint=fingerprint))
        if record.fingerprint != fingerprint:
            record.failures, record.last, record.fingerprint = 0, -math.inf, fingerprint
        return record

    def _address(self, address: str, now: float) -> _Address:
        record = self.addresses.setdefault(address, _Address())
        while record.failures and record.failures[0] <= now - self.address_window:
            record.failures.popleft()
        if len(self.addresses) > 10_000:  # forget quiet addresses rather than grow without bound
            for key in [k for k, v in self.addresses.items() if not v.failures and k != address]:
                del self.addresses[key]
        return record

    def refusal(self, name: str | None, fingerprint: str, address: str) -> str:
        """A Chinese message if this attempt must be refused unchecked, else ""."""
        now = self.clock()
        failures = self._address(address, now).failures
        if len(failures) >= self.address_limit:
            return ADDRESS_LOCKED.format(minutes=math.ceil((failures[0] + self.address_window - now) / 60))
        if name is not None:
            record = self._name(name, fingerprint)
            left = record.last + self.wait_after(record.failures) - now
            if left > 0:
                if record.failures >= self.lock_after:
                    return NAME_LOCKED.format(minutes=math.ceil(left / 60))
                return WAIT.format(seconds=math.ceil(left))
        return ""

    def begin(self, name: str | None, fingerprint: str, address: str) -> None:
        now = self.clock()
        self._address(address, now).failures.append(now)
        if name is not None:
            record = self._name(name, fingerprint)
            record.failures += 1
            record.last = now

    def failed(self, name: str | None) -> None:
        """The attempt is answered as failed: its wait counts from now."""
        if name in self.names:
            self.names[name].last = self.clock()

    def succeeded(self, name: str, address: str) -> None:
        self.names.pop(name, None)
        failures = self.addresses.get(address, _Address()).failures
        if failures:
            failures.pop()

    def failures(self, name: str | None, address: str) -> tuple[int, int]:
        record = self.names.get(name) if name else None
        return (record.failures if record else 0), len(self.addresses.get(address, _Address()).failures)


def client_address(request, trusted: list) -> str:
    """The client's address: the peer, or behind trusted proxies the right-most untrusted X-Forwarded-For hop."""
    context = getattr(request.connection, "context", None)
    peer = getattr(context, "address", None)
    peer = peer[0] if isinstance(peer, tuple) and peer else request.remote_ip

    def parse(text):
        try:
            ip = ipaddress.ip_address(text.strip().strip("[]"))
        except ValueError:
            return None
        return ip.ipv4_mapped or ip if ip.version == 6 else ip

    def is_trusted(ip):
        return any(ip in network for network in trusted)

    current = parse(peer)
    if current is None:
        return str(peer)
    hops = ",".join(request.headers.get_list("X-Forwarded-For")).split(",")
    for hop in reversed(hops):
        if not is_trusted(current):
            break
        candidate = parse(hop)
        if candidate is None:
            break
        current = candidate
    return str(current)


class ClassroomLoginHandler(LoginHandler):
    """JupyterHub's login page, with the authenticator's Chinese message instead of "Invalid username or password"."""

    def _render(self, login_error=None, username=None, **kwargs):
        message = getattr(self, "classroom_message", "")
        if message and login_error:
            login_error = message
        return super()._render(login_error=login_error, username=username, **kwargs)


class ClassroomAuthenticator(Authenticator):
    roster_file = Unicode(config=True, help="The roster: one username a line, `#` comments. Default: $XINZHI_ROSTER "
                                            "or /etc/xinzhi/roster.txt.")
    passwords_file = Unicode(config=True, help="Salted hashes written by deploy/roster.py. Default: "
                                               "$XINZHI_PASSWORDS or /etc/xinzhi/passwords.")
    trusted_proxies = List(Unicode(), ["127.0.0.1", "::1"], config=True,
                           help="Proxies whose X-Forwarded-For is believed (addresses or networks).")
    free_failures = Integer(3, config=True, help="Failed logins per name that cost no wait.")
    first_delay = Float(5.0, config=True, help="Seconds to wait after the first failure beyond the free ones; doubles.")
    lock_after = Integer(10, config=True, help="Failed logins in a row that lock a name.")
    lock_seconds = Float(900.0, config=True, help="How long a locked name stays locked.")
    address_failure_limit = Integer(300, config=True, help="Failed logins per client address and window that pause "
                                                           "that address (high: a class often shares one).")
    address_window = Float(900.0, config=True, help="The window, in seconds, of address_failure_limit.")

    @default("roster_file")
    def _roster_default(self):
        return roster.ROSTER

    @default("passwords_file")
    def _passwords_default(self):
        return roster.PASSWORDS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.throttle = Throttle(self.free_failures, self.first_delay, self.lock_after, self.lock_seconds,
                                 self.address_failure_limit, self.address_window)
        self._networks = [ipaddress.ip_network(n, strict=False) for n in self.trusted_proxies]
        self._cache: dict[str, tuple[float, object]] = {}

    # --- the two files, re-read when they change ---------------------------------------------------------------
    def _cached(self, path: str, load):
        try:
            stamp = os.stat(path).st_mtime_ns
        except OSError:
            stamp = -1
        cached = self._cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        value = load(path)
        self._cache[path] = (stamp, value)
        return value

    def roster_names(self) -> set[str]:
        try:
            return self._cached(self.roster_file, lambda p: {e.name for e in roster.read_roster(p)})
        except roster.RosterError as error:  # an edit in progress: keep the last valid roster
            self.log.error("Roster not reloaded, the previous one stays in force: %s", error)
            previous = self._cache.get(self.roster_file)
            return previous[1] if previous else set()

    def passwords(self) -> dict[str, tuple[str, str]]:
        return self._cached(self.passwords_file, roster.read_passwords)

    # --- JupyterHub's hooks --------------------------------------------------------------------------------------
    def check_allow_config(self):
        """At start-up: a valid roster, a password for every teacher, no teacher on the roster. Else stop."""
        try:
            entries = roster.read_roster(self.roster_file)
            passwords = self.passwords()
            if not self.admin_users:
                raise roster.RosterError("没有老师账号：在 tljh-config 里 add-item users.admin 老师用户名"
                                         "（或设 Authenticator.admin_users）。")
            for name in sorted(self.admin_users):
                if passwords.get(name, ("",))[0] != roster.TEACHER:
                    raise roster.RosterError(f"老师账号 {name} 还没有密码：运行 python3 deploy/roster.py teacher {name}。")
            for entry in entries:
                if entry.name in self.admin_users:
                    raise roster.RosterError(f"名单第 {entry.line} 行：{entry.name} 是老师的账号，不能同时是学员。")
        except roster.RosterError as error:
            self.log.critical("班级服务器没有启动 / The hub refuses to start: %s", error)
            print(f"班级服务器没有启动：{error}", file=sys.stderr, flush=True)
            raise SystemExit(1) from None
        self._cache.pop(self.roster_file, None)
        self.log.info("Roster %s: %d participants; teachers: %s", self.roster_file, len(entries),
                      ", ".join(sorted(self.admin_users)))

    def normalize_username(self, username):
        return super().normalize_username(unicodedata.normalize("NFKC", str(username)).strip())

    def validate_username(self, username):
        return roster.USERNAME.fullmatch(username) is not None

    def check_allowed(self, username, authentication=None):
        return username in self.admin_users or username in self.roster_names()

    def get_handlers(self, app):
        return [("/login", ClassroomLoginHandler)]

    async def authenticate(self, handler, data):
        if not isinstance(data, dict):
            return None
        raw = str(data.get("username", ""))[:200]
        name = self.normalize_username(raw)
        secret = str(data.get("password", ""))[:1024]
        address = client_address(handler.request, self._networks) if handler is not None else "?"
        is_teacher = name in self.admin_users
        # Every well-formed name is throttled alike, on the roster or not: the replies never tell which names exist.
        counted = name if self.validate_username(name) else None
        on_roster = counted is not None and (is_teacher or name in self.roster_names())
        role, stored = self.passwords().get(name, ("", "")) if on_roster else ("", "")
        if role != (roster.TEACHER if is_teacher else roster.PARTICIPANT):
            stored = ""
        refusal = self.throttle.refusal(counted, stored, address)
        if refusal:
            self.log.warning("Login refused unchecked for %r from %s: %s", raw[:40], address,
                             "address paused" if "网络地址" in refusal else "name waiting or locked")
            if handler is not None:
                handler.classroom_message = refusal
            return None
        self.throttle.begin(counted, stored, address)
        attempt = secret if is_teacher else roster.normalize_code(secret)
        ok = await asyncio.to_thread(roster.check_hash, attempt, stored or DUMMY_HASH) and bool(stored)
        if ok:
            self.throttle.succeeded(name, address)
            return {"name": name, "admin": is_teacher}
        self.throttle.failed(counted)
        name_failures, address_failures = self.throttle.failures(counted, address)
        self.log.warning("Failed login for %r from %s (%d in a row for this name, %d from this address)",
                         raw[:40], address, name_failures, address_failures)
        if counted and name_failures >= self.lock_after:
            self.log.warning("Login lock: %r locked for %d s after %d failed logins (last from %s)",
                             name, self.lock_seconds, name_failures, address)
        if address_failures == self.address_failure_limit:
            self.log.warning("Login lock: address %s paused for up to %d s after %d failed logins",
                             address, self.address_window, address_failures)
        if handler is not None:
            handler.classroom_message = WRONG
        return None
