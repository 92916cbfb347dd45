"""Rate limit of the public search: after a number of queries from one client, an arithmetic challenge.

The counter is per client address and per process (a portal behind several processes counts per
process; the API's own limits, issue 3, guard the JSON routes). The challenge's answer travels
only inside a signed, expiring token, and each solved token is accepted once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

FREE_QUERIES = 10
WINDOW_SECONDS = 600.0
CHALLENGE_VALID_SECONDS = 300
MAX_CLIENTS = 50_000


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


class SearchLimiter:
    def __init__(self, secret: str, free_queries: int = FREE_QUERIES, window: float = WINDOW_SECONDS,
                 clock=time.monotonic) -> None:
        self.free_queries = free_queries
        self.window = window
        self.clock = clock
        self._secret = secret.encode()
        self._serializer = URLSafeTimedSerializer(secret, salt="keepword.public-search-challenge")
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._used_tokens: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one query; False once the client has used its free queries in the window."""
        now = self.clock()
        with self._lock:
            stamps = self._seen.pop(client, None) or deque()
            while stamps and now - stamps[0] > self.window:
                stamps.popleft()
            allowed = len(stamps) < self.free_queries
            if allowed:
                stamps.append(now)
            self._seen[client] = stamps
            while len(self._seen) > MAX_CLIENTS:
                self._seen.popitem(last=False)
            return allowed

    def forget(self) -> None:
        """Drop every client's count (tests; an operator after a false alarm)."""
        with self._lock:
            self._seen.clear()

    def new_challenge(self, client: str) -> Challenge:
        a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
        token = self._serializer.dumps({"c": self._digest(client), "a": self._digest(f"{client}:{a + b}"),
                                        "n": secrets.token_hex(8)})
        return Challenge(question=f"{a} + {b}", token=token)

    def solve(self, client: str, token: str, answer: str) -> bool:
        """A right answer to a fresh, unused challenge of this client gives it a new set of free queries."""
        try:
            data = self._serializer.loads(token, max_age=CHALLENGE_VALID_SECONDS)
        except (BadSignature, SignatureExpired):
            return False
        answer = "".join((answer or "").split())
        if not answer.isdigit() or not hmac.compare_digest(data.get("c", ""), self._digest(client)):
            return False
        if not hmac.compare_digest(data.get("a", ""), self._digest(f"{client}:{int(answer)}")):
            return False
        now = self.clock()
        with self._lock:
            for used, at in list(self._used_tokens.items()):
                if now - at > CHALLENGE_VALID_SECONDS:
                    del self._used_tokens[used]
            if data["n"] in self._used_tokens:
                return False
            self._used_tokens[data["n"]] = now
            self._seen.pop(client, None)
        return True

    def _digest(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()[:32]
