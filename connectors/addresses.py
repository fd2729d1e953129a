"""Where a feed's redirects may lead. The hub fetches what a cluster's server tells it to, and
a redirect must not turn that into a request inside the hub's own network (a cloud's metadata
service, a database's port, an internal admin page), what answered there showing in the
cluster's connector runs.

The feed's own host is the administrator's choice, private or not (a cluster's system on the
federation's network, the demo's loopback feeds). Any other host must be a public address. The
check is made on the socket once it is connected, on the address it actually reached, before a
byte of the request is sent: a name that resolves to a public address when looked up and to a
private one when connected to (DNS rebinding) gains nothing. Requests through a proxy (requests
reads ``HTTP_PROXY``) are left to the proxy, whose connections are not these.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import partial
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class PrivateAddress(Exception):
    """A connection to another host than the feed's reached an address that is not public."""


def is_public(address: str) -> bool:
    """Whether ``address``, as a socket reports it, is a public one: not private, loopback,
    link-local, shared or reserved (IPv4 written as IPv6 included)."""
    return ipaddress.ip_address(address).is_global


class _Guarded:
    """A urllib3 connection that refuses, once connected, a private address off the feed's host."""

    host: str

    def __init__(self, *args: Any, feed_host: str, **kwargs: Any) -> None:
        self.feed_host = feed_host
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if self.host != self.feed_host:
            peer = str(sock.getpeername()[0])
            if not is_public(peer):
                sock.close()
                raise PrivateAddress(
                    f"a redirect led to {self.host}, a private address ({peer}); the hub follows"
                    " redirects away from the feed's host to public addresses only"
                )
        return sock


class _GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class FeedAdapter(HTTPAdapter):
    """requests' adapter with connections guarded for the feed at ``feed_host``; the pools pass
    ``feed_host`` on to every connection they open."""

    def __init__(self, feed_host: str) -> None:
        self.feed_host = feed_host  # before the base class sets up its pools
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # urllib3 only calls these, as pool_class(host, port, **options): a partial serves.
        self.poolmanager.pool_classes_by_scheme = {
            "http": partial(_GuardedHTTPPool, feed_host=self.feed_host),  # type: ignore[dict-item]
            "https": partial(_GuardedHTTPSPool, feed_host=self.feed_host),  # type: ignore[dict-item]
        }
