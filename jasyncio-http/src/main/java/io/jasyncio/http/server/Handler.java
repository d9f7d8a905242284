package io.jasyncio.http.server;

/**
 * Answers one request: plain task code that may await anywhere (read the body, call other
 * services, sleep) and returns the response, or throws an {@link HttpException} for an error
 * status or a redirect. Any other exception becomes a 500 whose stack goes to the log, never to
 * the client. aiohttp's handler coroutine, without the colour.
 */
@FunctionalInterface
public interface Handler {
    /**
     * Answers {@code request}.
     *
     * @param request the request
     * @return the response: a {@link Response}, or a {@link StreamResponse} the handler prepared and wrote
     * @throws Exception any failure; {@link HttpException} is answered with its status
     */
    StreamResponse handle(Request request) throws Exception;
}
