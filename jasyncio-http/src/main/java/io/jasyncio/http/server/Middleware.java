package io.jasyncio.http.server;

/**
 * One link of an application's middleware chain: receives the request and the rest of the chain
 * ({@code next}), and returns a response, calling {@code next.handle(request)} zero or one time.
 * aiohttp's {@code @web.middleware}. The first middleware added is the outermost; a
 * sub-application's middlewares run inside its parent's.
 */
@FunctionalInterface
public interface Middleware {
    /**
     * Handles {@code request}, usually by delegating to {@code next}.
     *
     * @param request the request
     * @param next    the rest of the chain, ending at the route's handler (which throws the 404
     *                or 405 {@link HttpException} when nothing matched)
     * @return the response
     * @throws Exception any failure, as a handler may throw
     */
    StreamResponse handle(Request request, Handler next) throws Exception;
}
