package io.jasyncio;

import java.lang.ref.Cleaner;

/**
 * Reports futures and tasks that failed and were collected without anyone retrieving the
 * exception, as asyncio's "Task exception was never retrieved". A failed future is watched by a
 * {@link Cleaner}; retrieving its exception ({@code result}, {@code exception}, {@code await},
 * {@code gather}, a task group...) cancels the watch. Nothing is registered for futures that
 * succeed.
 */
final class UnretrievedException {
    /** Shared with {@link AsyncGenerator}, which closes generators collected while suspended. */
    static final Cleaner CLEANER = Cleaner.create();

    private UnretrievedException() {
    }

    static Watch watch(AsyncFuture<?> f, Throwable e) {
        Report r = new Report(f.loop, e, f instanceof Task ? "Task" : "Future", f.toString(),
                f.diag == null ? null : f.diag.createdAtText());
        return new Watch(r, CLEANER.register(f, r));
    }

    /** Held by the future; dropped when the exception is retrieved. */
    static final class Watch {
        private final Report report;
        private final Cleaner.Cleanable cleanable;

        Watch(Report report, Cleaner.Cleanable cleanable) {
            this.report = report;
            this.cleanable = cleanable;
        }

        void retrieved() {
            report.retrieved = true;
            cleanable.clean();
        }
    }

    /** Runs on the cleaner's thread when the future is collected; must not refer to it. */
    private static final class Report implements Runnable {
        private final EventLoop loop;
        private final Throwable exception;
        private final String kind;
        private final String description;
        private final String createdAt;
        volatile boolean retrieved;

        Report(EventLoop loop, Throwable exception, String kind, String description, String createdAt) {
            this.loop = loop;
            this.exception = exception;
            this.kind = kind;
            this.description = description;
            this.createdAt = createdAt;
        }

        @Override
        public void run() {
            if (retrieved) {
                return;
            }
            ExceptionContext.Builder b = ExceptionContext.builder(kind + " exception was never retrieved")
                    .exception(exception).extra(kind.toLowerCase(java.util.Locale.ROOT), description);
            if (createdAt != null) {
                b.extra("created at", createdAt);
            }
            ExceptionContext ctx = b.build();
            try {
                loop.callSoonThreadsafe(() -> loop.callExceptionHandler(ctx));
            } catch (IllegalStateException closedLoop) {
                loop.callExceptionHandler(ctx);
            }
        }
    }
}
