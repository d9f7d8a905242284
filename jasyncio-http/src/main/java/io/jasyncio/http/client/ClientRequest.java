package io.jasyncio.http.client;

import io.jasyncio.http.Headers;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * One request being prepared: method, URL, query, headers, body and per-request options, sent
 * with {@link #send()}. Made by {@link ClientSession#request(String, String)}; not thread-safe,
 * and it can be sent more than once unless its body is streamed.
 */
public final class ClientRequest {
    final ClientSession session;
    final String method;
    final String url;
    StringBuilder query;
    Headers headers;
    RequestBody body;
    ClientTimeout timeout;
    Boolean allowRedirects;
    Boolean raiseForStatus;
    boolean expectContinue;
    RetryPolicy retry;

    ClientRequest(ClientSession session, String method, String url) {
        this.session = session;
        this.method = Objects.requireNonNull(method, "method");
        this.url = Objects.requireNonNull(url, "url");
    }

    /** Adds a query parameter (percent-encoded here), after any the URL already has. */
    public ClientRequest query(String name, Object value) {
        if (query == null) {
            query = new StringBuilder();
        } else {
            query.append('&');
        }
        query.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8).replace("+", "%20"));
        return this;
    }

    /** Adds every entry as a query parameter, in the map's order. */
    public ClientRequest query(Map<String, ?> params) {
        params.forEach(this::query);
        return this;
    }

    /** Sets a header, replacing the session's default of the same name. */
    public ClientRequest header(String name, String value) {
        if (headers == null) {
            headers = new Headers();
        }
        headers.set(name, value);
        return this;
    }

    /** The body (and its {@code Content-Type}, unless a header sets one). */
    public ClientRequest body(RequestBody body) {
        this.body = body;
        return this;
    }

    /** A JSON body serialized by Jackson. */
    public ClientRequest json(Object value) {
        return body(RequestBody.json(value));
    }

    /** A urlencoded form body. */
    public ClientRequest form(Map<String, String> fields) {
        return body(RequestBody.form(fields));
    }

    /** Limits for this request instead of the session's. */
    public ClientRequest timeout(ClientTimeout timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** Whether to follow redirects (the session's choice by default: yes). */
    public ClientRequest allowRedirects(boolean allow) {
        this.allowRedirects = allow;
        return this;
    }

    /** Whether a status of 400 or more raises {@link ClientResponseException} (the session's choice by default). */
    public ClientRequest raiseForStatus(boolean raise) {
        this.raiseForStatus = raise;
        return this;
    }

    /** Retries this request by {@code policy} instead of the session's (null: the session's). */
    public ClientRequest retry(RetryPolicy policy) {
        this.retry = policy;
        return this;
    }

    /** Sends {@code Expect: 100-continue} and the body only once the server says 100 (or never, if it answers first). */
    public ClientRequest expectContinue(boolean expect) {
        this.expectContinue = expect;
        return this;
    }

    /**
     * Sends the request and returns the response once its head has arrived; see
     * {@link ClientSession#send(ClientRequest)}. A cancellation point.
     */
    public ClientResponse send() throws IOException {
        return session.send(this);
    }
}
