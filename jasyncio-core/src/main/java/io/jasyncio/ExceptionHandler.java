package io.jasyncio;

/**
 * Receives the errors nobody else can: exceptions thrown by callbacks, task exceptions that were
 * never retrieved, failures inside the loop's own machinery. Mirrors the handler given to asyncio's
 * {@code loop.set_exception_handler}. It runs on the loop; what it throws is logged by the default
 * handler and otherwise ignored.
 */
@FunctionalInterface
public interface ExceptionHandler {
    /**
     * Handles one error.
     *
     * @param loop the loop the error happened on
     * @param context what happened
     */
    void handle(EventLoop loop, ExceptionContext context);
}
