"""Whether a browser tab's console may act (redeliver, resubmit), and as whom.

The server's key may act, and anyone who reaches the page would act with it.
So a tab's console acts only when the server was started with
``--allow-actions`` and the authenticating proxy in front named the person in
the header the operator chose; the name goes to the service's trail as the
actor. The header is believed only in a request that came from an address
the operator trusts as that proxy (``--trusted-proxy``; this machine unless
told otherwise, as web servers' forwarded-header settings default to): a
browser that reaches the port some other way cannot name itself. Every other
tab's console gets ``ORDERDESK_READ_ONLY=1``, whatever the server's own
environment says.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orderdesk import strings
from orderdesk.core.errors import InputError

if TYPE_CHECKING:
    from multidict import CIMultiDictProxy

__all__ = [
    "DEFAULT_ACTOR_HEADER",
    "LOOPBACK",
    "MAX_ACTOR_LENGTH",
    "Network",
    "TabActions",
    "check_header_name",
    "check_proxy",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: Whom the actor header is believed from unless told otherwise: this machine.
LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)

DEFAULT_ACTOR_HEADER = "X-Forwarded-User"
# What log API 1.1 accepts as an actor.
MAX_ACTOR_LENGTH = 200
# RFC 9110's token: the characters a header's name may hold.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def check_header_name(name: str) -> str:
    """``name`` when it can be a header's name; raises InputError otherwise."""
    if not _HEADER_NAME.fullmatch(name):
        raise InputError(strings.SERVE_BAD_ACTOR_HEADER.format(name=name))
    return name


def check_proxy(text: str) -> Network:
    """The address (or network, as ``10.0.0.0/24``) ``text`` names; InputError otherwise."""
    try:
        return ipaddress.ip_network(text.strip().strip("[]"), strict=False)
    except ValueError:
        raise InputError(strings.SERVE_BAD_PROXY.format(text=text)) from None


def _from(peer: str | None, proxies: tuple[Network, ...]) -> bool:
    """Whether the connection came from one of ``proxies``."""
    if not peer:  # a Unix socket, or a peer the server could not name
        return False
    try:
        address = ipaddress.ip_address(peer.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in proxies)


def usable_actor(value: str) -> str | None:
    """The person a header names, or None when the value cannot be an actor.

    Empty, longer than the service accepts, or holding anything unprintable
    (control characters, a direction override that would disguise the trail).
    """
    value = value.strip()
    if not value or len(value) > MAX_ACTOR_LENGTH or not value.isprintable():
        return None
    return value


@dataclass(frozen=True)
class TabActions:
    """``--allow-actions`` and ``--actor-header``: who a tab's console acts as, if anyone."""

    allowed: bool = False
    actor_header: str = DEFAULT_ACTOR_HEADER
    #: The addresses of the authenticating proxy: a header from anywhere else is not believed.
    proxies: tuple[Network, ...] = LOOPBACK

    def actor(self, headers: CIMultiDictProxy[str], peer: str | None) -> str | None:
        """The person this tab's request (from ``peer``) names, or None when it may not act."""
        if not self.allowed or not _from(peer, self.proxies):
            return None
        # Twice is refused too: one of the two may be the browser's own, which a
        # proxy that appends instead of replacing would have passed on.
        named = headers.getall(self.actor_header, [])
        if len(named) != 1:
            return None
        return usable_actor(named[0])

    def environment(self, headers: CIMultiDictProxy[str], peer: str | None) -> dict[str, str]:
        """The variables that decide whether this tab's console acts, and as whom."""
        actor = self.actor(headers, peer)
        if actor is None:
            return {"ORDERDESK_READ_ONLY": "1"}
        return {"ORDERDESK_READ_ONLY": "0", "ORDERDESK_ACTOR": actor}
