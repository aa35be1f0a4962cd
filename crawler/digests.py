"""The one digest form of the project: ``sha1:<base32>``.

It is what warcio, wget, Heritrix and pywb's CDX(J) tools write and compare,
for WARC payloads, content digests and parser-record digests alike.
"""

import hashlib
import json
from base64 import b32encode


def sha1_digest(*parts: bytes) -> str:
    """``sha1:<base32>`` of the concatenated parts, without joining them."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return "sha1:" + b32encode(digest.digest()).decode("ascii")


# What a re-parse compares of two parser records (crawler.reparse.diff_records):
# equal digests, nothing to compare; different ones, the records are diffed.
RECORD_DIGEST_KEYS = ("template", "year", "title", "agency", "metadata", "stats",
                      "legacy_indicators", "issues")


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
