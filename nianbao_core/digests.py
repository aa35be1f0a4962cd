"""Each digest of the project, defined once.

``sha1:<base32>`` is what warcio, wget, Heritrix and pywb's CDX(J) tools
write and compare, for WARC payloads, content digests and parser-record
digests alike. The request-body digest is hex SHA-1: the form the capture
index keys requests by, which the WARC middleware, the replay index and the
WARC reader must all compute the same way (if two drifted, revisits and
replay would miss without a word).
"""

from __future__ import annotations

import hashlib
import json
from base64 import b32encode

from nianbao_core.record import RECORD_DIGEST_KEYS


def sha1_digest(*parts: bytes) -> str:
    """``sha1:<base32>`` of the concatenated parts, without joining them."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return "sha1:" + b32encode(digest.digest()).decode("ascii")


def request_body_digest(body: bytes) -> str:
    """What identifies a request's body in the capture index (hex SHA-1)."""
    return hashlib.sha1(body).hexdigest()


def record_digest(record: dict) -> str:
    """Digest of the parts of a parser record a re-parse compares.

    Issues are a multiset (their order carries no meaning), so they are sorted
    before hashing; everything else is hashed as canonical JSON.
    """
    parts = {key: record.get(key) for key in RECORD_DIGEST_KEYS}
    parts["issues"] = sorted(json.dumps(i, sort_keys=True, ensure_ascii=False, default=str)
                             for i in parts["issues"] or [])
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return sha1_digest(canonical.encode("utf-8"))
