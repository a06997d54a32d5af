"""NATS_URL as nats-py wants it: one server or, comma-separated, the nodes of a cluster; credentials apart."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit


def nats_verbinding(nats_url: str) -> dict[str, Any]:
    """nats-py connect arguments for NATS_URL: one server or, comma-separated, the nodes of a cluster.

    The credentials go in `user`/`password`, not in the server URLs: a cluster tells its clients about its
    other nodes, and nats-py adds those as servers without credentials (it compares host, port *and* user
    info), then gets "Authorization Violation" from them when it fails over — which can close the
    connection for good. With the credentials as options every server, named or discovered, gets them."""
    servers: list[str] = []
    inlog: dict[str, str] = {}
    for deel in (d.strip() for d in nats_url.split(",")):
        if not deel:
            continue
        url = urlsplit(deel)
        if url.username:
            inlog = {"user": unquote(url.username), "password": unquote(url.password or "")}
        servers.append(urlunsplit((url.scheme, url.netloc.rpartition("@")[2], url.path, "", "")))
    return {"servers": servers, **inlog}
