package io.jasyncio.http.internal.client;

import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import java.lang.ref.Cleaner;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Debug mode's report of unclosed sessions and unreleased responses, with where each was created,
 * through the loop's exception handler (which the test kit's leak check fails on). A session
 * collected unclosed is reported by a {@link Cleaner} (on the loop, through
 * {@code callSoonThreadsafe}); responses still unreleased when their session closes are reported
 * then, and released.
 */
public final class Leaks {
    private static final Cleaner CLEANER = Cleaner.create();

    private final EventLoop loop;
    private final State state;
    private final Map<Object, Throwable> responses = new IdentityHashMap<>();

    /** What the cleaner needs, without a reference to the session. */
    private static final class State implements Runnable {
        final EventLoop loop;
        final Throwable site;
        volatile boolean closed;

        State(EventLoop loop, Throwable site) {
            this.loop = loop;
            this.site = site;
        }

        @Override
        public void run() {
            if (closed || loop.isClosed()) {
                return;
            }
            try {
                loop.callSoonThreadsafe(() -> report(loop, "unclosed ClientSession", site));
            } catch (RuntimeException loopGone) {
                // the loop closed meanwhile: nobody left to tell
            }
        }
    }

    /**
     * Tracks {@code session} (debug mode only: otherwise returns null and costs nothing).
     *
     * @param loop the session's loop
     * @param session the session
     * @return the tracker, or null outside debug mode
     */
    public static Leaks track(EventLoop loop, Object session) {
        if (!loop.getDebug()) {
            return null;
        }
        Leaks l = new Leaks(loop, new Throwable("the ClientSession was created here"));
        CLEANER.register(session, l.state);
        return l;
    }

    private Leaks(EventLoop loop, Throwable site) {
        this.loop = loop;
        this.state = new State(loop, site);
    }

    /** Notes a response handed to the caller. */
    public void opened(Object response) {
        responses.put(response, new Throwable("the ClientResponse was created here"));
    }

    /** Notes a response released. */
    public void released(Object response) {
        responses.remove(response);
    }

    /**
     * The session is closing: reports every response still unreleased and returns them (the
     * caller releases them).
     */
    public Object[] closing() {
        state.closed = true;
        Object[] left = responses.keySet().toArray();
        for (Object r : left) {
            report(loop, "unreleased " + r + " when its ClientSession was closed", responses.get(r));
        }
        responses.clear();
        return left;
    }

    private static void report(EventLoop loop, String what, Throwable site) {
        loop.callExceptionHandler(ExceptionContext.builder(what).extra("created at", siteText(site)).build());
    }

    private static String siteText(Throwable site) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : site.getStackTrace()) {
            String c = e.getClassName();
            if (c.equals(Leaks.class.getName()) || c.equals("io.jasyncio.http.client.ClientSession")
                    || c.equals("io.jasyncio.http.client.ClientRequest")) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append("\n");
            }
            sb.append("  at ").append(e);
            if (sb.length() > 2000) {
                break;
            }
        }
        return sb.toString();
    }
}
