package io.jasyncio.http.internal.h1;

import io.jasyncio.http.HttpParseException;

/** Every rule or limit the parser enforces, with the status a server answers when it is broken. */
enum H1Error {
    BAD_REQUEST_LINE(400, "malformed request line"),
    BAD_METHOD(400, "method is not a token"),
    BAD_TARGET(400, "invalid request-target"),
    BAD_VERSION(400, "malformed HTTP version"),
    UNSUPPORTED_VERSION(505, "HTTP version not supported (only HTTP/1.0 and HTTP/1.1)"),
    BAD_STATUS_LINE(400, "malformed status line"),
    REQUEST_LINE_TOO_LONG(414, "request line longer than the limit"),
    STATUS_LINE_TOO_LONG(400, "status line longer than the limit"),
    HEADER_LINE_TOO_LONG(431, "header line longer than the limit"),
    TOO_MANY_HEADERS(431, "more header fields than the limit"),
    HEAD_TOO_LARGE(431, "header section larger than the limit"),
    BARE_CR(400, "CR not followed by LF"),
    BARE_LF(400, "LF without CR as line end"),
    OBS_FOLD(400, "obsolete line folding (a field line starting with whitespace)"),
    WHITESPACE_AFTER_START_LINE(400, "whitespace at the start of the first field line"),
    WHITESPACE_BEFORE_COLON(400, "whitespace between field name and colon"),
    BAD_FIELD_NAME(400, "invalid character in field name"),
    MISSING_COLON(400, "field line without colon"),
    BAD_FIELD_VALUE(400, "invalid character in field value"),
    BAD_CONTENT_LENGTH(400, "Content-Length is not a decimal number"),
    CONTENT_LENGTH_OVERFLOW(400, "Content-Length too large"),
    DUPLICATE_CONTENT_LENGTH(400, "several differing Content-Length values"),
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING(400, "Content-Length together with Transfer-Encoding"),
    BAD_TRANSFER_ENCODING(400, "Transfer-Encoding whose final coding is not chunked, or malformed"),
    TRANSFER_ENCODING_IN_HTTP_1_0(400, "Transfer-Encoding in an HTTP/1.0 message"),
    BAD_CHUNK_SIZE(400, "malformed chunk size"),
    CHUNK_SIZE_OVERFLOW(400, "chunk size too large"),
    BAD_CHUNK_EXTENSION(400, "malformed chunk extension"),
    CHUNK_LINE_TOO_LONG(400, "chunk size line longer than the limit"),
    MISSING_CHUNK_CRLF(400, "chunk data not followed by CRLF"),
    BODY_TOO_LARGE(413, "content larger than the limit"),
    INCOMPLETE_MESSAGE(400, "connection closed in the middle of a message");

    final int status;
    final String reason;

    H1Error(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    HttpParseException at(long offset) {
        return new HttpParseException(status, name(), reason, offset);
    }

    HttpParseException at(long offset, String detail) {
        return new HttpParseException(status, name(), reason + ": " + detail, offset);
    }
}
