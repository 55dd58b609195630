"""The outgoing client (filmroll/outgoing.py) against real HTTP listeners on loopback: it
follows no redirect, connects only to the address it checked (one resolution per request, so
DNS rebinding cannot swap in another), refuses names and IPv6 forms that lead to forbidden
addresses, keeps the Host header and the TLS name of the host asked for, and caps answers."""

from __future__ import annotations

import contextlib
import datetime
import gzip
import socket
import ssl
import threading

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from filmroll import outgoing
from tests.support.servers import Recorders

LOOPBACK = ("127.0.0.0/8",)


@pytest.fixture
def listeners():
    with Recorders() as make:
        yield make


def test_a_redirect_is_never_followed(listeners):
    inner = listeners()
    outer = listeners((307, b"", {"Location": f"{inner.url}/elsewhere"}))
    with outgoing.client(allow=LOOPBACK) as client:
        assert client.post(f"{outer.url}/push", content=b"x").status_code == 307
        answer = client.get(f"{outer.url}/push", follow_redirects=True)  # asked for, not done
        assert answer.status_code == 307
    assert len(outer.seen) == 2 and inner.seen == []


def test_every_address_a_name_resolves_to_is_checked(listeners):
    target = listeners()
    names = outgoing.with_hosts({"inside.example": ["127.0.0.1"],
                                 "mixed.example": ["93.184.216.34", "127.0.0.1"]})  # fmt: skip
    with outgoing.client(resolve=names, allow=()) as client:
        for name in ("inside.example", "mixed.example"):
            with pytest.raises(outgoing.Blocked, match="not public"):
                client.get(f"http://{name}:{target.port}/")
    assert target.seen == []


def test_the_address_checked_is_the_address_connected_to(listeners):
    """DNS rebinding: the name answers an allowed address, then a forbidden one. The client
    resolves once per request and connects to what it checked."""
    allowed = listeners()
    forbidden = listeners(host="127.0.0.2", port=allowed.port)
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])
    asked: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    url = f"http://rebind.example:{allowed.port}/hook"
    with outgoing.client(resolve=rebinding, allow=("127.0.0.1/32",)) as client:
        assert client.get(url).status_code == 200
        assert asked == ["rebind.example"]  # once for the request, no second lookup to connect
        with pytest.raises(outgoing.Blocked):
            client.get(url)
    assert [(m, p) for m, p, _ in allowed.seen] == [("GET", "/hook")]
    assert allowed.seen[0][2]["Host"] == f"rebind.example:{allowed.port}"
    assert forbidden.seen == []


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::7f00:1", "::7f00:1", "::127.0.0.1",
     "::ffff:127.0.0.1", "::ffff:0:7f00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1",
     "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fec0::1"],
)  # fmt: skip
def test_ipv6_forms_that_carry_a_forbidden_ipv4_are_refused(listeners, address):
    target = listeners()
    names = outgoing.with_hosts({"nat64.example": [address]})
    with outgoing.client(resolve=names, allow=()) as client:
        with pytest.raises(outgoing.Blocked):
            client.get(f"http://nat64.example:{target.port}/")
        with pytest.raises(outgoing.Blocked):
            client.get(f"http://[{address}]:{target.port}/")
    assert target.seen == []


def test_answers_are_capped(listeners):
    big = listeners((200, b"x" * (outgoing.MAX_ANSWER + 1), {}))
    packed = listeners(
        (200, gzip.compress(b"{}" + b" " * 10_000_000), {"Content-Encoding": "gzip"})
    )
    small = listeners((200, b"y" * 1000, {}))
    with outgoing.client(allow=LOOPBACK) as client:
        with pytest.raises(outgoing.TooLarge):
            client.get(big.url)
        with pytest.raises(outgoing.TooLarge, match="compressed"):
            client.get(packed.url)
        assert client.get(small.url).content == b"y" * 1000
        assert small.seen[0][2]["Accept-Encoding"] == "identity"
    with outgoing.client(allow=LOOPBACK, max_bytes=999) as client, pytest.raises(outgoing.TooLarge):
        client.get(small.url)


def test_an_answer_without_a_length_is_cut_off_at_the_cap():
    """A server that streams without Content-Length, until it closes the connection."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            with contextlib.suppress(OSError):
                for _ in range(100):
                    connection.sendall(b"z" * 10_000)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/"
    try:
        with (
            outgoing.client(allow=LOOPBACK, max_bytes=50_000) as client,
            pytest.raises(outgoing.TooLarge),
        ):
            client.get(url)
    finally:
        thread.join(10)
        server.close()


def _certificate(tmp_path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for `name` alone (no IP address in it), and a client
    context that trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    return server, client


def test_tls_names_the_host_asked_for_while_connecting_to_the_checked_address(listeners, tmp_path):
    server, trusting = _certificate(tmp_path, "photos.example")
    secure = listeners(tls=server)
    names = outgoing.with_hosts({"photos.example": ["127.0.0.1"]})
    with outgoing.client(resolve=names, allow=LOOPBACK, verify=trusting) as client:
        answer = client.get(f"https://photos.example:{secure.port}/api")
        assert answer.status_code == 200
        # the same server by its address: the certificate does not name it, so TLS refuses
        with pytest.raises(httpx.ConnectError):
            client.get(f"https://127.0.0.1:{secure.port}/api")
    (method, path, headers), = secure.seen  # fmt: skip
    assert (path, headers["Host"]) == ("/api", f"photos.example:{secure.port}")
