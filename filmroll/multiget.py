"""One memcached multi-get asked of every server at once, at a few microseconds a key.

Django's pymemcache backend spends about 20 us of Python on each key of a `get_many`: it
validates the key twice, hashes it over the servers (a Python loop per key), and pymemcache reads
the answer a line at a time; and HashClient asks the servers one after the other, so a read waits
for each in turn. A warm home-feed page asks for about 200 keys (each row and its version), which
made that bookkeeping most of the read's time (bench/results/PROFILE.md, session 8).

`get_many` answers exactly what `PyMemcacheCache.get_many` answers for the same keys; it sends the
`get` of every server before it reads any answer, remembers which server each key hashes to, and
parses each answer in one pass over the bytes read. Whenever it cannot be sure of giving the same
answer it leaves the keys to Django (`fallback`): a key that is not plain printable ASCII or is
too long (Django raises for those, as before), a key function, version or key prefix of a
non-default kind, a server marked failing or dead by HashClient (its retry and dead-server
bookkeeping stays HashClient's). A server that fails while being asked is handled as HashClient
handles it: its connection closed, an OSError counted towards marking it dead, and its keys
missing (`ignore_exc`) or the error raised.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.base import default_key_func
from pymemcache import serde
from pymemcache.exceptions import MemcacheUnexpectedCloseError, MemcacheUnknownError

RECV = 256 * 1024
KEPT = 200_000  # keys whose server is remembered, per process (then the memory starts over)
# The server each key hashes to, for the list of servers it was worked out over.
_server_of: dict[str, str] = {}
_servers_then: list[tuple[str, ...]] = [()]


def get_many(cache: Any, keys: Iterable[Any], fallback: Callable[[], dict]) -> dict[Any, Any]:
    """`cache` (a PyMemcacheCache)'s values for `keys`, as its `get_many` answers them;
    `fallback()` is that `get_many` itself, for what this does not handle."""
    client = cache._cache  # this thread's HashClient (Django keeps a cache object per thread)
    if (
        cache.key_func is not default_key_func
        or client.key_prefix
        or client._failed_clients
        or client._dead_clients
    ):
        return fallback()
    prefix = f"{cache.key_prefix}:{cache.version}:"
    made: dict[str, Any] = {}
    for key in keys:
        if not isinstance(key, str):
            return fallback()
        full = prefix + key
        # what memcache_key_warnings lets through, ASCII only (else Django decides, and raises)
        if len(full) > 250 or not full.isascii() or not full.isprintable() or " " in full:
            return fallback()
        made[full] = key
    if not made:
        return {}
    found: dict[Any, Any] = {}
    for server, values in _ask(client, _by_server(client, made)):
        deserialize = _deserializer(server.serde)
        for full, flags, data in values:
            original = made.get(full)
            if original is not None:
                found[original] = deserialize(full, data, flags)
    return found


def _by_server(client: Any, made: dict[str, Any]) -> dict[str, list[str]]:
    """The keys grouped by the server HashClient would ask for each."""
    nodes = client.hasher.nodes
    if len(nodes) == 1:
        return {nodes[0]: list(made)}
    if tuple(nodes) != _servers_then[0] or len(_server_of) > KEPT:
        _server_of.clear()
        _servers_then[0] = tuple(nodes)
    groups: dict[str, list[str]] = {}
    get_node = client.hasher.get_node
    for full in made:
        node = _server_of.get(full)
        if node is None:
            node = _server_of[full] = get_node(full)
        groups.setdefault(node, []).append(full)
    return groups


def _ask(client: Any, groups: dict[str, list[str]]) -> list[tuple[Any, list]]:
    """Send every server its `get`, then read the answers: (server's client, [(key, flags,
    data)]) for each server that answered."""
    sent = []
    for node, names in groups.items():
        server = client.clients[node]
        try:
            if server.sock is None:
                server._connect()
            server.sock.sendall(b"get " + " ".join(names).encode() + b"\r\n")
        except Exception as error:
            _failed(client, server, error)
        else:
            sent.append(server)
    answers = []
    for server in sent:
        try:
            answers.append((server, _values(server.sock)))
        except Exception as error:
            _failed(client, server, error)
    return answers


def _failed(client: Any, server: Any, error: Exception) -> None:
    """As pymemcache: the connection closed (its state is unknown), an OSError counted against
    the server (HashClient marks it dead after its retries), the error raised unless ignored."""
    server.close()
    if isinstance(error, OSError):
        client._mark_failed_server(server.server)
    if not client.ignore_exc:
        raise error


def _values(sock: Any) -> list[tuple[str, int, bytes]]:
    """A `get`'s answer: `VALUE key flags bytes` blocks up to `END`."""
    buf = bytearray()
    pos = 0
    values: list[tuple[str, int, bytes]] = []
    while True:
        end = buf.find(b"\r\n", pos)
        if end < 0:
            buf += _recv(sock)
            continue
        if end - pos == 3 and buf[pos:end] == b"END":
            if end + 2 != len(buf):
                raise MemcacheUnknownError("bytes after END")
            return values
        header = bytes(buf[pos:end]).split()
        if len(header) != 4 or header[0] != b"VALUE":
            raise MemcacheUnknownError(bytes(buf[pos : pos + 32]))
        start = end + 2
        stop = start + int(header[3])
        while len(buf) < stop + 2:
            buf += _recv(sock)
        if buf[stop : stop + 2] != b"\r\n":
            raise MemcacheUnknownError("a value not ended by CRLF")
        values.append((header[1].decode(), int(header[2]), bytes(buf[start:stop])))
        pos = stop + 2


def _recv(sock: Any) -> bytes:
    chunk = sock.recv(RECV)
    if not chunk:
        raise MemcacheUnexpectedCloseError()
    return chunk


def _deserializer(used: Any) -> Callable[[str, bytes, int], Any]:
    return _pickled if used is serde.pickle_serde else used.deserialize


def _pickled(key: str, data: bytes, flags: int) -> Any:
    """pymemcache's pickle_serde.deserialize, without its BytesIO and Unpickler per value."""
    if flags == 0:
        return data
    if flags & serde.FLAG_TEXT:
        return data.decode("utf8")
    if flags & (serde.FLAG_INTEGER | serde.FLAG_LONG):
        return int(data)
    if flags & serde.FLAG_PICKLE:
        try:
            return pickle.loads(data)
        except Exception:
            return None  # as pymemcache: a value that cannot be read is None
    return data
