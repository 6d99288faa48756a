"""Loaded by test kernels (via PYTHONPATH): any connection to a non-loopback address is refused and logged.

The course must work with no network at all; a notebook that tries to reach out fails its test.
"""
import ipaddress
import os
import socket

_LOG = os.environ.get("XINZHI_NETWORK_LOG")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if self_family_unix(address):
        return True
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host in {"localhost"}


def self_family_unix(address) -> bool:
    return isinstance(address, (str, bytes))


def _refuse(address):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{address!r}\n")
    raise OSError(f"network access is not allowed in the course: {address!r}")


def connect(self, address):
    if not _is_local(address):
        _refuse(address)
    return _connect(self, address)


def connect_ex(self, address):
    if not _is_local(address):
        _refuse(address)
    return _connect_ex(self, address)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex

_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name not in (None, "", "localhost") and not _is_local((name, 0)):
        _refuse((name, "dns"))
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
