"""The revisit policy (crawler/warc/revisits.py) on its own: plain values, no crawl."""

import pytest

from crawler.warc.revisits import RevisitPolicy
from crawler.warc.writer import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED
from nianbao_core.captures import PreviousCapture, RequestKey

PAGE = RequestKey.of("GET", "http://h/a.html", b"")
FORM = RequestKey.of("POST", "http://h/dataproxy.jsp", b"page=2")


def previous(status=200, etag='"v1"', last_modified="Wed, 04 Jan 2023 00:00:00 GMT",
             digest="sha1:AAAA") -> PreviousCapture:
    return PreviousCapture(status=status, etag=etag, last_modified=last_modified,
                           payload_digest=digest, content_record_id="<urn:uuid:1>",
                           content_uri="http://h/a.html",
                           content_date="2026-11-01T00:00:00.000000Z",
                           content_file="a.warc.gz", content_offset=123)


def test_a_get_archived_with_a_200_asks_with_its_validators():
    earlier = previous()
    policy = RevisitPolicy({PAGE: earlier})
    assert policy.conditional_on(PAGE, has_validators=False) is earlier


@pytest.mark.parametrize("key, earlier, has_validators", [
    (RequestKey.of("GET", "http://h/new.html", b""), previous(), False),  # never archived
    (PAGE, previous(status=404), False),  # an error page is not asked for conditionally
    (PAGE, previous(etag=None, last_modified=None), False),  # nothing to send
    (PAGE, previous(), True),  # the request brings its own validators
    (FORM, previous(), False),  # only GETs
])
def test_plain_requests(key, earlier, has_validators):
    policy = RevisitPolicy({PAGE: earlier, FORM: earlier})
    assert policy.conditional_on(key, has_validators=has_validators) is None


def test_a_304_to_a_conditional_request_is_server_not_modified():
    earlier = previous()
    revisit = RevisitPolicy({PAGE: earlier}).revisit_of(
        PAGE, status=304, payload_digest=None, conditioned_on=earlier)
    assert (revisit.profile, revisit.previous, revisit.not_modified) == (
        SERVER_NOT_MODIFIED, earlier, True)
    reference = revisit.reference()
    assert (reference.refers_to, reference.refers_to_uri, reference.refers_to_date,
            reference.payload_digest) == ("<urn:uuid:1>", "http://h/a.html",
                                          "2026-11-01T00:00:00.000000Z", "sha1:AAAA")


def test_a_304_nobody_asked_for_is_archived_in_full():
    policy = RevisitPolicy({PAGE: previous()})
    assert policy.revisit_of(PAGE, status=304, payload_digest=None, conditioned_on=None) is None


def test_the_same_payload_with_the_same_status_is_identical_payload_digest():
    earlier = previous(status=404, digest="sha1:ERRORPAGE")
    revisit = RevisitPolicy({FORM: earlier}).revisit_of(
        FORM, status=404, payload_digest="sha1:ERRORPAGE", conditioned_on=None)
    assert (revisit.profile, revisit.name, revisit.not_modified) == (
        IDENTICAL_PAYLOAD, "identical-payload-digest", False)


@pytest.mark.parametrize("status, digest", [
    (200, "sha1:CHANGED"),  # new bytes
    (500, "sha1:AAAA"),  # same bytes, another status
    (200, None),  # no payload (a redirect): nothing worth a reference
])
def test_anything_else_is_a_new_capture(status, digest):
    policy = RevisitPolicy({PAGE: previous()})
    assert policy.revisit_of(PAGE, status=status, payload_digest=digest,
                             conditioned_on=None) is None


def test_request_keys_tell_bodies_apart():
    assert RequestKey.of("POST", "http://h/d", b"page=1") != RequestKey.of(
        "POST", "http://h/d", b"page=2")
    assert RequestKey.of("GET", "http://h/a", b"") == PAGE._replace(url="http://h/a")
