package io.jasyncio.http.client;

import java.io.Serial;
import java.util.List;

/** More redirects than {@link ClientSession.Builder#maxRedirects} allows; {@link #history()} lists them. */
public final class TooManyRedirectsException extends ClientException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient List<ClientResponse> history;

    TooManyRedirectsException(String message, List<ClientResponse> history) {
        super(message, null);
        this.history = List.copyOf(history);
    }

    /** The redirect responses followed, oldest first (their bodies are released). */
    public List<ClientResponse> history() {
        return history;
    }
}
