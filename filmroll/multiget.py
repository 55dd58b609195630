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

import dataclasses
import datetime
import pickle
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.base import default_key_func
from django.db.models import Model
from django.db.models.base import ModelState
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
    """pymemcache's pickle_serde.deserialize, without its BytesIO and Unpickler per value, and
    without unpickling again bytes this process read before (`_decoded`)."""
    if flags == 0:
        return data
    if flags & serde.FLAG_TEXT:
        return data.decode("utf8")
    if flags & (serde.FLAG_INTEGER | serde.FLAG_LONG):
        return int(data)
    if flags & serde.FLAG_PICKLE:
        known = _decoded.get(data)
        if known is not None:
            return known[0](known[1])
        try:
            value = pickle.loads(data)
        except Exception:
            return None  # as pymemcache: a value that cannot be read is None
        thaw = _thaw_of(value)
        if thaw is None:
            return value
        if len(_decoded) >= KEPT_VALUES:
            _decoded.clear()
        _decoded[data] = (thaw, value)
        return thaw(value)  # what is kept is never handed out itself
    return data


# Values by the exact bytes they were read as, per process: the same bytes unpickle to the same
# value, so this answers exactly what unpickling would, for a dict look-up (a Django model
# instance takes ~7 us to unpickle, a media row ~4.5 us; a warm feed page reads ~110 values).
# Only the object cache's entries `(version, row)` are kept, and each read gets its own copy of
# whatever could be changed in place (a model instance, a dict); frozen dataclasses (media rows,
# previews), frozensets and scalars are shared.
KEPT_VALUES = 10_000  # a few MB: the object cache keeps its rows itself (objcache._kept)
_decoded: dict[bytes, tuple[Callable[[Any], Any], Any]] = {}
_SHARED = (str, int, float, bool, type(None), frozenset, datetime.date)  # datetimes too


def _thaw_of(value: Any) -> Callable[[Any], Any] | None:
    """How to hand out a copy of a kept entry; None to keep nothing."""
    if not (isinstance(value, tuple) and len(value) in (2, 3) and isinstance(value[0], str)):
        return None
    row_copier = copier(value[1])
    if row_copier is None:
        return None
    if row_copier is _same:
        return _same
    return lambda entry: (entry[0], row_copier(entry[1]), *entry[2:])


def copier(row: Any) -> Callable[[Any], Any] | None:
    """How to copy an object cache row so that each reader has its own of whatever could be
    changed in place; None for a row of another shape (not to be kept)."""
    if isinstance(row, Model):
        return model_copy if _plain(row) else None
    if isinstance(row, dict) and all(isinstance(v, _SHARED) for v in row.values()):
        return dict
    if isinstance(row, _SHARED) or _frozen(row):
        return _same
    return None


def _frozen(row: Any) -> bool:
    """A frozen dataclass (a media row, a preview): nothing reads it to change it."""
    params = getattr(type(row), "__dataclass_params__", None)
    return params is not None and params.frozen and dataclasses.is_dataclass(row)


def _plain(row: Model) -> bool:
    """A model instance of columns only: no related instances or prefetches cached on it, no
    attribute that could be changed in place (a JSON field's dict)."""
    return not row._state.__dict__.get("fields_cache") and all(
        isinstance(value, _SHARED) or name == "_state" for name, value in row.__dict__.items()
    )


def _same(value: Any) -> Any:
    return value


def model_copy(kept: Model) -> Model:
    """An instance of its own, as unpickling would make it: its attributes (immutable values:
    `_plain`) and a state of its own."""
    row = kept.__class__.__new__(kept.__class__)
    attrs = row.__dict__
    attrs.update(kept.__dict__)
    state = attrs["_state"] = ModelState()
    state.db = kept._state.db
    state.adding = kept._state.adding
    return row
