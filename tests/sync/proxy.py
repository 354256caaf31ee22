"""A TCP proxy for the sync tests that understands just enough HTTP/1.1 to break it on purpose.

It sits between a counter and the real server on 127.0.0.1 and, per request, either forwards it
or injects a fault: cut the connection in the middle of the request or of the response, lose the
response after the server committed, send the request twice at once, replay it later (after
newer requests: reordering), answer 500 (before or after the server saw it), stall until the
client times out, or slow everything down. Faults are scheduled per path prefix or drawn at random
with a seed. Messages are framed by Content-Length (all our requests and answers have one).
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Fault(StrEnum):
    CUT_REQUEST = "cut-request"
    CUT_RESPONSE = "cut-response"
    LOSE_RESPONSE = "lose-response"
    DUPLICATE = "duplicate"
    REPLAY_LATER = "replay-later"
    ERROR_500 = "500-before"
    ERROR_500_AFTER = "500-after"
    STALL = "stall"


RANDOM_FAULTS = tuple(Fault)
_500 = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def _read_message(sock: socket.socket, buffer: bytearray, *, head_only: bool = False) -> bytes:
    """One HTTP message (head + Content-Length body) from `sock`; b"" when the peer closed."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return b""
        buffer += chunk
    end = buffer.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buffer[:end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if head_only:
        length = 0
    while len(buffer) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return b""
        buffer += chunk
    message = bytes(buffer[: end + length])
    del buffer[: end + length]
    return message


def _request_line(message: bytes) -> tuple[str, str]:
    method, path, _ = message.split(b"\r\n", 1)[0].decode().split(" ", 2)
    return method, path


@dataclass
class Proxy:
    upstream: tuple[str, int]
    stall_seconds: float = 2.0
    delay: float = 0.0  # added before forwarding every request
    scheduled: list[tuple[str, Fault]] = field(default_factory=list)
    chaos_rate: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    on_request: Callable[[str, str], None] | None = None
    # Called after the server answered and before the answer goes back (e.g. to kill a client
    # exactly when the server has committed and the client does not know yet).
    on_response: Callable[[str, str], None] | None = None
    injected: list[tuple[Fault, str]] = field(default_factory=list)
    forwarded: int = 0
    _replays: list[bytes] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _listener: socket.socket | None = None
    _closing: bool = False

    # ---- control ----------------------------------------------------------------------------

    def start(self) -> Proxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._listener is not None
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def schedule(self, path_prefix: str, *faults: Fault) -> None:
        with self._lock:
            self.scheduled.extend((path_prefix, f) for f in faults)

    def chaos(self, rate: float, seed: int = 0) -> None:
        with self._lock:
            self.chaos_rate = rate
            self.rng = random.Random(seed)

    def calm(self) -> None:
        with self._lock:
            self.scheduled.clear()
            self.chaos_rate = 0.0

    def flush_replays(self) -> int:
        """Send every request held back for reordering, now (after newer ones)."""
        with self._lock:
            held, self._replays = self._replays, []
        for message in held:
            self._forward(message)
        return len(held)

    def close(self) -> None:
        self._closing = True
        if self._listener is not None:
            self._listener.close()

    # ---- plumbing ---------------------------------------------------------------------------

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _pick(self, path: str) -> Fault | None:
        with self._lock:
            for i, (prefix, fault) in enumerate(self.scheduled):
                if path.startswith(prefix):
                    del self.scheduled[i]
                    return fault
            if self.chaos_rate and self.rng.random() < self.chaos_rate:
                return self.rng.choice(RANDOM_FAULTS)
        return None

    def _forward(self, request: bytes, head_only: bool = False) -> bytes:
        with socket.create_connection(self.upstream, timeout=30) as upstream:
            upstream.sendall(request)
            response = _read_message(upstream, bytearray(), head_only=head_only)
        with self._lock:
            self.forwarded += 1
        return response

    def _serve(self, client: socket.socket) -> None:
        buffer = bytearray()
        with client:
            while True:
                try:
                    request = _read_message(client, buffer)
                except OSError:
                    return
                if not request:
                    return
                method, path = _request_line(request)
                if self.on_request is not None:
                    self.on_request(method, path)
                if self.delay:
                    time.sleep(self.delay)
                fault = self._pick(path)
                if fault is not None:
                    with self._lock:
                        self.injected.append((fault, path))
                if not self._handle(client, request, method, fault):
                    return

    def _handle(
        self, client: socket.socket, request: bytes, method: str, fault: Fault | None
    ) -> bool:
        """Deal with one request; False closes the client connection."""
        head_only = method == "HEAD"
        if fault is Fault.CUT_REQUEST:
            with socket.create_connection(self.upstream, timeout=30) as upstream:
                upstream.sendall(request[: max(1, len(request) // 2)])
            return False
        if fault is Fault.ERROR_500:
            client.sendall(_500)
            return False
        if fault is Fault.STALL:
            time.sleep(self.stall_seconds)
            return False
        if fault is Fault.DUPLICATE:
            answers: list[bytes] = []
            twin = threading.Thread(
                target=lambda: answers.append(self._forward(request, head_only))
            )
            twin.start()
            response = self._forward(request, head_only)
            twin.join()
        else:
            response = self._forward(request, head_only)
        if self.on_response is not None:
            self.on_response(method, _request_line(request)[1])
        if fault is Fault.REPLAY_LATER:
            with self._lock:
                self._replays.append(request)
        if fault is Fault.LOSE_RESPONSE:
            return False
        if fault is Fault.ERROR_500_AFTER:
            client.sendall(_500)
            return False
        if fault is Fault.CUT_RESPONSE:
            client.sendall(response[: max(1, len(response) // 2)])
            return False
        try:
            client.sendall(response)
        except OSError:
            return False
        return bool(response)
