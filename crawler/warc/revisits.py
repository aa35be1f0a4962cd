"""When a recrawl asks conditionally, and when an answer is archived as a revisit.

Pure decisions over values (no Scrapy objects, no I/O, no clock), so they can
be tested without a crawl (``tests/test_revisit_policy.py``). The WARC
middleware applies them: it sends the validators this module picks, and
writes a revisit record where it finds one.

* A GET for a request captured before with a ``200`` carries that capture's
  validators (``If-None-Match``, ``If-Modified-Since``), unless the request
  already carries its own.
* A ``304`` to such a conditional request is a *server-not-modified* revisit
  of the capture the validators came from.
* Any answer (any status: an unchanged 404 page or list answer is unchanged
  too) whose payload digest and status equal the last capture's is an
  *identical-payload-digest* revisit. An empty payload (a redirect) is not
  worth a reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crawler.warc.writer import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED, Revisit
from nianbao_core.captures import PreviousCapture, RequestKey


@dataclass(frozen=True)
class RevisitOf:
    """An answer to archive as a revisit of ``previous``, under ``profile``."""

    profile: str  # IDENTICAL_PAYLOAD or SERVER_NOT_MODIFIED
    previous: PreviousCapture

    @property
    def not_modified(self) -> bool:
        """A 304: there is no payload in the answer, the archived one stands in."""
        return self.profile == SERVER_NOT_MODIFIED

    @property
    def name(self) -> str:
        """The profile's last path segment, for stats."""
        return self.profile.rsplit("/", 1)[1]

    def reference(self) -> Revisit:
        """What the revisit record refers to."""
        p = self.previous
        return Revisit(self.profile, p.content_record_id, p.content_uri, p.content_date,
                       p.payload_digest)


class RevisitPolicy:
    def __init__(self, previous: Mapping[RequestKey, PreviousCapture]):
        self.previous = previous

    def __len__(self) -> int:
        return len(self.previous)

    def conditional_on(self, key: RequestKey, *, has_validators: bool
                       ) -> PreviousCapture | None:
        """The capture whose validators a request should carry (None: ask plainly)."""
        if key.method != "GET" or has_validators:
            return None
        previous = self.previous.get(key)
        if previous is None or previous.status != 200:
            return None
        if not (previous.etag or previous.last_modified):
            return None
        return previous

    def revisit_of(self, key: RequestKey, *, status: int, payload_digest: str | None,
                   conditioned_on: PreviousCapture | None) -> RevisitOf | None:
        """Whether an answer is a revisit, and of what (None: archive it in full).

        ``payload_digest``: of the answer's payload, None when it has none.
        ``conditioned_on``: what ``conditional_on`` gave for this request.
        """
        if status == 304 and conditioned_on is not None:
            return RevisitOf(SERVER_NOT_MODIFIED, conditioned_on)
        previous = self.previous.get(key)
        if (previous is not None and payload_digest is not None
                and previous.status == status and previous.payload_digest == payload_digest):
            return RevisitOf(IDENTICAL_PAYLOAD, previous)
        return None
