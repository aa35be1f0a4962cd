"""The one digest form of the project: ``sha1:<base32>``.

It is what warcio, wget, Heritrix and pywb's CDX(J) tools write and compare,
for WARC payloads and for content digests alike.
"""

import hashlib
from base64 import b32encode


def sha1_digest(*parts: bytes) -> str:
    """``sha1:<base32>`` of the concatenated parts, without joining them."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return "sha1:" + b32encode(digest.digest()).decode("ascii")
