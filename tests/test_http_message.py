"""The HTTP bytes of an exchange: captured off the connection, or rebuilt from Scrapy's."""

from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse

from crawler.warc.http_message import HttpMessage, request_message, response_message
from crawler.warc.wire import META_KEY, WireExchange


def test_get_request_has_host_and_every_header_sent():
    request = Request("http://127.0.0.1:8080/col/col1/index.html?a=1",
                      headers={"User-Agent": "nianbao", "Accept-Encoding": "gzip"})
    message = request_message(request)
    assert message.head == (b"GET /col/col1/index.html?a=1 HTTP/1.1\r\n"
                            b"Host: 127.0.0.1:8080\r\n"
                            b"User-Agent: nianbao\r\n"
                            b"Accept-Encoding: gzip\r\n\r\n")
    assert message.body == b""


def test_post_request_carries_its_form_and_length():
    request = FormRequest("http://h/module/web/jpage/dataproxy.jsp?startrecord=16",
                          formdata={"columnid": "1229317620", "webname": "临海"})
    message = request_message(request)
    assert message.head.startswith(
        b"POST /module/web/jpage/dataproxy.jsp?startrecord=16 HTTP/1.1\r\n"
        b"Content-Length: " + str(len(request.body)).encode() + b"\r\n")
    assert message.body == request.body
    assert b"columnid=1229317620" in message.body


def test_response_keeps_body_as_received_and_invents_no_reason_phrase():
    body = b"\x1f\x8b compressed bytes"
    response = HtmlResponse("http://h/", status=404, protocol="HTTP/1.1", body=body,
                            headers={"Content-Encoding": "gzip",
                                     "Set-Cookie": ["a=1", "b=2"]})
    message = response_message(response)
    assert message.head == (b"HTTP/1.1 404 \r\n"
                            b"Content-Encoding: gzip\r\n"
                            b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n")
    assert message.body == body


def test_transfer_encoding_is_dropped_because_the_body_is_no_longer_chunked():
    response = HtmlResponse("http://h/", body=b"hello", protocol="HTTP/1.1",
                            headers={"Transfer-Encoding": "chunked", "Server": "nginx"})
    assert response_message(response).head == b"HTTP/1.1 200 \r\nServer: nginx\r\n\r\n"


# -- captured bytes (crawler.warc.wire), when the project's download handler recorded them --
def captured(request, sent: bytes, received: bytes, body: bytes, *, chunked=False, flags=()):
    """A WireExchange filled as the handler's protocol and parser fill it."""
    wire = WireExchange()
    wire.sent(sent)
    wire.received(received)
    head_end = received.index(b"\r\n\r\n") + 4
    wire.head_line(head_end)
    wire.head_done()
    wire.chunked = chunked
    wire.finish(0)
    assert wire.bind(request, body, list(flags))
    request.meta[META_KEY] = wire
    return wire


RAW_HEAD = (b"HTTP/1.1 200 Alles Gut\r\ncontent-TYPE: text/plain\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")


def test_captured_exchange_is_used_as_is():
    request = Request("http://h/a")
    sent = b"GET /a HTTP/1.1\r\nHost: h\r\nuser-agent: x\r\n\r\n"
    captured(request, sent, RAW_HEAD + b"5\r\nhello\r\n0\r\n\r\n", b"hello", chunked=True)
    response = HtmlResponse("http://h/a", body=b"hello", request=request)
    assert request_message(request) == HttpMessage(sent, b"")
    message = response_message(response)
    assert message.head == RAW_HEAD
    assert b"".join(message.body_parts) == b"5\r\nhello\r\n0\r\n\r\n"
    assert message.payload == b"hello" and message.truncated is None
    # The chunk data is not a second copy: the parts view Scrapy's body itself.
    assert [p.obj for p in message.body_parts if isinstance(p, memoryview)] == [
        message.payload]
    # a response derived from it (decompressed, say) still describes the same exchange
    assert response_message(response.replace(body=b"other")) == message


def test_identity_body_is_not_copied_and_dataloss_is_truncation():
    request = Request("http://h/a")
    body = b"partial"
    wire = captured(request, b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
                    b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n" + body, body,
                    flags=["dataloss"])
    assert wire.raw_body[0] is body and len(wire.raw_body) == 1
    message = response_message(HtmlResponse("http://h/a", body=body, request=request))
    assert message.body is body and message.payload is body
    assert message.truncated == "disconnect"


def test_a_copy_of_the_request_falls_back_to_reconstruction():
    request = Request("http://h/a")
    captured(request, b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
             b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", b"ok")
    redirected = request.replace(url="http://h/b")  # meta (and the exchange) is copied
    assert redirected.meta[META_KEY] is request.meta[META_KEY]
    assert request_message(redirected).head.startswith(b"GET /b HTTP/1.1\r\nHost: h\r\n")
    response = HtmlResponse("http://h/b", body=b"ok", request=redirected)
    assert response_message(response).head == b"HTTP/1.1 200 \r\n\r\n"
