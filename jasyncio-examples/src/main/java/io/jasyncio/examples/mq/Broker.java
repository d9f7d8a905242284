package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.Timeout;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.Transport;
import io.jasyncio.queues.AsyncQueue;
import io.jasyncio.queues.QueueShutDownException;
import io.jasyncio.streams.ClientConnectedHandler;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamReaderProtocol;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.sync.Event;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The message broker of the asyncio books' streams case study, on jasyncio streams.
 *
 * <p><b>Protocol</b> ({@code docs/mq.md}). Every frame is a 4-byte big-endian length and that many
 * bytes. A client's first frame names the channel it listens to; after that, each message it
 * publishes is a channel frame followed by a payload frame. A listener receives the payloads of
 * its channel's messages, one payload frame each (as in the book, the channel is not repeated).
 * Channels beginning {@code /queue} give each message to one listener, in turn (round robin);
 * every other channel gives it to all its listeners. {@value #SINK} is the sink: pure senders
 * listen to it, and nothing is ever delivered on it.
 *
 * <p><b>Listeners.</b> Each listener has a bounded send queue ({@code --queue-size}) drained by
 * its own writer task, which writes a frame and {@linkplain StreamWriter#drain() drains} with a
 * high-water mark of 0, that is until the socket took all of it: so the broker holds at most the
 * queue and one frame in the transport's buffer for each listener, it knows exactly which
 * message, if any, the socket has not taken (a message is <em>delivered</em> once the socket took
 * all of it), and a listener that stops reading never stalls the broker or the other listeners. When a broadcast listener's queue is full, the {@link SlowPolicy} decides (by
 * default it is disconnected). A {@code /queue} channel skips listeners whose queue is full; if
 * every one is full, the publisher waits (backpressure) until one has room.
 *
 * <p><b>Connections.</b> Each connection runs a {@link TaskGroup} of a reading task (subscribe,
 * then read and route messages) and, for listeners, a writing task. A listener that goes away is
 * removed from its channel at once; messages still in its queue, and the one its socket had not
 * taken, are given to the channel's other listeners on a {@code /queue} channel, and counted as
 * lost otherwise. A client that does not send its first frame within the subscribe timeout is
 * closed. An oversized length prefix,
 * an empty or non-UTF-8 channel name, or a stream that ends inside a frame is logged and the
 * connection closed; no frame is allocated before its length has been checked.
 *
 * <p>All methods run on the broker's loop; {@link #start} and {@link #shutdown} must be called
 * from a task. Only the loop touches the broker's state, so nothing here needs a lock.
 */
public final class Broker {
    /** The channel pure senders listen to; the broker never delivers on it. */
    public static final String SINK = "/null";

    /** Channels whose name begins with this deliver each message to one listener in turn. */
    public static final String QUEUE_PREFIX = "/queue";

    /** What happens when a listener of a broadcast channel is too slow: its send queue is full. */
    public enum SlowPolicy {
        /**
         * Disconnect it (the default): its queued messages are dropped and counted, and the
         * listener sees its connection close, so it knows it missed messages and can reconnect.
         * What Redis ({@code client-output-buffer-limit pubsub}) and NATS (slow consumers) do.
         */
        DISCONNECT,
        /** Drop the oldest queued message for the new one: a slow listener sees the latest. */
        DROP_OLDEST,
        /** Drop the new message: a slow listener sees a prefix of the stream. */
        DROP_NEWEST;

        /** @return the option's spelling: "disconnect", "drop-oldest", "drop-newest" */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * Parses an option value.
         *
         * @param s "disconnect", "drop-oldest" or "drop-newest" (any case, '_' or '-')
         * @return the policy
         * @throws IllegalArgumentException if unknown
         */
        public static SlowPolicy parse(String s) {
            for (SlowPolicy p : values()) {
                if (p.label().equalsIgnoreCase(s.replace('_', '-'))) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown slow-listener policy '" + s
                    + "' (expected disconnect, drop-oldest or drop-newest)");
        }
    }

    /**
     * How a broker behaves.
     *
     * @param maxFrame the longest frame accepted, in bytes; a longer length prefix closes the connection
     * @param queueSize how many messages a listener's send queue holds
     * @param slowPolicy what happens when a broadcast listener's queue is full
     * @param subscribeTimeout seconds a new client gets to send its whole first frame (the channel
     *     it listens to), and so its first byte (the server's {@code firstByteTimeout}); 0 for no
     *     limit. A client that connects and says nothing, or trickles its first frame, is closed
     * @param idleTimeout seconds a connection may go without a byte moving either way (the
     *     server's {@code idleTimeout}); 0 (the default) for no limit, since a listener of a quiet
     *     channel is silent both ways for as long as nobody publishes, and the protocol has no
     *     heartbeat
     */
    public record Config(int maxFrame, int queueSize, SlowPolicy slowPolicy, double subscribeTimeout,
            double idleTimeout) {
        /** 1 MiB frames, 100 queued messages per listener, slow listeners disconnected, 10 s to subscribe, no idle limit. */
        public static final Config DEFAULTS = new Config(Frames.DEFAULT_MAX_FRAME, 100, SlowPolicy.DISCONNECT);

        /** These limits with the default timeouts: 10 s to subscribe, no idle limit. */
        public Config(int maxFrame, int queueSize, SlowPolicy slowPolicy) {
            this(maxFrame, queueSize, slowPolicy, 10, 0);
        }

        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException if {@code maxFrame} or {@code queueSize} is out of range
         */
        public Config {
            if (maxFrame < 1 || maxFrame > Frames.MAX_MAX_FRAME) {
                throw new IllegalArgumentException("--max-frame must be between 1 and " + Frames.MAX_MAX_FRAME + ": " + maxFrame);
            }
            if (queueSize < 1) {
                throw new IllegalArgumentException("--queue-size must be at least 1: " + queueSize);
            }
            Objects.requireNonNull(slowPolicy, "slowPolicy");
            if (!(subscribeTimeout >= 0) || Double.isInfinite(subscribeTimeout)) {
                throw new IllegalArgumentException("--subscribe-timeout must be a number of seconds, 0 (none) or more: "
                        + subscribeTimeout);
            }
            if (!(idleTimeout >= 0) || Double.isInfinite(idleTimeout)) {
                throw new IllegalArgumentException("--idle-timeout must be a number of seconds, 0 (none) or more: "
                        + idleTimeout);
            }
        }

        /** These settings with other timeouts (seconds, 0 for none). */
        public Config withTimeouts(double subscribe, double idle) {
            return new Config(maxFrame, queueSize, slowPolicy, subscribe, idle);
        }
    }

    /**
     * The broker's counters.
     *
     * @param connections connections accepted so far
     * @param open connections open now
     * @param listeners listeners subscribed now (not counting {@value #SINK})
     * @param published messages received from publishers
     * @param queued message copies given to listeners: one per {@code /queue} message routed, one per
     *     listener for a broadcast message (a requeued copy is not counted again)
     * @param delivered copies whose every byte the listener's socket took (handed to the kernel;
     *     see {@code docs/mq.md} for what that does and does not promise)
     * @param unrouted messages to a channel nobody listened to
     * @param sunk messages to {@value #SINK}
     * @param dropped copies dropped because their listener was too slow
     * @param requeued {@code /queue} messages moved from a vanished listener's queue to another listener
     * @param lost copies that were queued for a listener, or written to its transport but not yet
     *     taken by its socket, when it vanished, with nobody to take them (on a {@code /queue} channel
     *     with no listener left, on a broadcast channel always), or that were still queued, being
     *     written or waiting for room when a shutdown cut the connection. Once nothing is queued or
     *     being written (after a shutdown), {@code queued == delivered + dropped + lost}
     * @param slowDisconnects listeners disconnected for being too slow
     * @param refused connections closed for an oversized frame, an empty or non-UTF-8 channel name
     * @param truncated connections that ended inside a frame or between a message's two frames
     */
    public record Stats(long connections, int open, int listeners, long published, long queued, long delivered,
            long unrouted, long sunk, long dropped, long requeued, long lost, long slowDisconnects, long refused,
            long truncated) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s (%d open, %d listening); %s published, %d queued for listeners,"
                            + " %d delivered, %d unrouted, %d to %s; %d dropped, %d requeued, %d lost; %s disconnected;"
                            + " %d refused, %d truncated",
                    plural(connections, "connection"), open, listeners, plural(published, "message"), queued, delivered,
                    unrouted, sunk, SINK, dropped, requeued, lost, plural(slowDisconnects, "slow listener"), refused,
                    truncated);
        }
    }

    /**
     * One listener as the broker sees it: what it bounds, and what it did.
     *
     * @param id the connection's number
     * @param peer the client's address
     * @param channel the channel it listens to
     * @param queued messages in its send queue now
     * @param maxQueued the most its send queue ever held (at most the queue size)
     * @param maxBuffered the most its transport's write buffer ever held, in bytes
     * @param writing 1 while a message written to its transport is not yet all taken by its socket, else 0
     * @param delivered messages its socket took entirely
     * @param dropped messages dropped for it (too slow)
     * @param subscribed whether it is still on its channel
     */
    public record ListenerStats(long id, String peer, String channel, int queued, int maxQueued, int maxBuffered,
            int writing, long delivered, long dropped, boolean subscribed) {
    }

    /** A channel with at least one listener. */
    private static final class Channel {
        final String name;
        final boolean queue;
        final List<Conn> listeners = new ArrayList<>();
        /** Round robin: the index of the listener whose turn is next. */
        int next;
        /** Set when a listener may have room (or the listeners changed): publishers waiting on a full /queue re-check. */
        final Event room = new Event();

        Channel(String name) {
            this.name = name;
            this.queue = name.startsWith(QUEUE_PREFIX);
        }

        /** The next listener in turn whose queue has room, or null; advances the turn past it. */
        Conn nextWithRoom() {
            int n = listeners.size();
            for (int i = 0; i < n; i++) {
                int k = (next + i) % n;
                Conn c = listeners.get(k);
                if (!c.outbox.isFull() && !c.writeFailed) {
                    next = (k + 1) % n;
                    return c;
                }
            }
            return null;
        }

        void remove(Conn c) {
            int i = listeners.indexOf(c);
            if (i < 0) {
                return;
            }
            listeners.remove(i);
            if (i < next) {
                next--;
            }
            if (next >= listeners.size()) {
                next = 0;
            }
            room.set();
        }
    }

    /** One client connection; a listener once it subscribed to a channel other than the sink. */
    private static final class Conn {
        final long id;
        final String peer;
        final StreamReader reader;
        final StreamWriter writer;
        Task<?> handler;
        Task<?> in;
        Task<?> out;
        String channelName;
        Channel channel;
        AsyncQueue<byte[]> outbox;
        boolean subscribed;
        boolean slow;
        boolean dropping;
        boolean writeFailed;
        /**
         * The message its writer wrote to the transport and the socket has not taken entirely yet,
         * or null. Non-null means its peer really is not keeping up (the listener's transport has a
         * high-water mark of 0); it becomes null when the transport's buffer empties (then it is
         * delivered), or when the broker hands it on (requeued, lost, dropped).
         */
        byte[] inFlight;
        /** Set when its writer takes a message, a write completes, or it leaves: a publisher waiting on its full queue re-checks. */
        final Event progress = new Event();
        String endReason;
        long published;
        long delivered;
        long dropped;
        long droppedAtStreakStart;
        int maxQueued;
        int maxBuffered;

        Conn(long id, String peer, StreamReader reader, StreamWriter writer) {
            this.id = id;
            this.peer = peer;
            this.reader = reader;
            this.writer = writer;
        }

        void end(String reason) {
            if (endReason == null) {
                endReason = reason;
            }
        }

        @Override
        public String toString() {
            return "#" + id + " " + peer + (channelName == null ? "" : " (" + Frames.printable(channelName) + ")");
        }
    }

    private final Config config;
    private final Consumer<String> log;
    private final Map<String, Channel> channels = new HashMap<>();
    private final Set<Conn> connections = new LinkedHashSet<>();
    /** Set whenever a listener subscribes or leaves; {@link #awaitListeners} re-checks. */
    private final Event listenersChanged = new Event();
    private Server server;
    private EventLoop loop;
    private boolean closing;
    private Timeout graceDeadline;
    private boolean hurried;
    private long nextId;
    private long accepted;
    private long published;
    private long queued;
    private long delivered;
    private long unrouted;
    private long sunk;
    private long dropped;
    private long requeued;
    private long lost;
    private long slowDisconnects;
    private long refused;
    private long truncated;

    /**
     * A broker, not yet listening.
     *
     * @param config limits and the slow-listener policy
     * @param log where log lines go (one call per line, no trailing newline)
     */
    public Broker(Config config, Consumer<String> log) {
        this.config = Objects.requireNonNull(config, "config");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** @return the configuration */
    public Config config() {
        return config;
    }

    /**
     * Starts listening on {@code host:port} (port 0 picks a free one) on the running loop.
     *
     * @param host where to listen, or null for every interface
     * @param port the port, or 0
     * @return the server (its {@link Server#port()} is the port chosen)
     * @throws IOException if the bind fails
     * @throws IllegalStateException if already started
     */
    public Server start(String host, int port) throws IOException {
        if (server != null) {
            throw new IllegalStateException("the broker is already started");
        }
        loop = Asyncio.getRunningLoop();
        ServerOptions options = ServerOptions.builder()
                .firstByteTimeout(duration(config.subscribeTimeout()))
                .idleTimeout(duration(config.idleTimeout()))
                .build();
        ClientConnectedHandler handler = this::serve;
        server = loop.createServer(() -> new ConnProtocol(new StreamReader(), handler), host, port, options);
        return server;
    }

    private static Duration duration(double seconds) {
        return seconds <= 0 ? null : Duration.ofNanos((long) (seconds * 1e9));
    }

    /**
     * A connection's protocol: a {@link StreamReaderProtocol} that also tells the broker when its
     * transport's write buffer has emptied, which for a listener (high-water mark 0) is the moment
     * the socket took the message being written: that, and only that, makes it delivered.
     */
    private static final class ConnProtocol extends StreamReaderProtocol {
        Runnable onBufferEmpty;

        ConnProtocol(StreamReader reader, ClientConnectedHandler handler) {
            super(reader, handler);
        }

        @Override
        public void resumeWriting() {
            super.resumeWriting();
            if (onBufferEmpty != null) {
                onBufferEmpty.run();
            }
        }
    }

    /** @return the server, or null before {@link #start} */
    public Server server() {
        return server;
    }

    /** @return the counters now */
    public Stats stats() {
        int listening = 0;
        for (Channel ch : channels.values()) {
            listening += ch.listeners.size();
        }
        return new Stats(accepted, connections.size(), listening, published, queued, delivered, unrouted, sunk, dropped,
                requeued, lost, slowDisconnects, refused, truncated);
    }

    /**
     * How many listeners a channel has now.
     *
     * @param channel the channel's name
     * @return the count (0 for {@value #SINK} and unknown channels)
     */
    public int listenerCount(String channel) {
        Channel ch = channels.get(channel);
        return ch == null ? 0 : ch.listeners.size();
    }

    /**
     * Waits until {@code channel} has at least {@code n} listeners. A client's subscription takes
     * effect when the broker has read its first frame, a moment after the client sent it: tests
     * and the demo wait here before publishing.
     *
     * <p>A cancellation point: cancelling it changes nothing.
     *
     * @param channel the channel's name
     * @param n how many listeners
     */
    public void awaitListeners(String channel, int n) {
        while (listenerCount(channel) < n) {
            listenersChanged.clear();
            listenersChanged.await();
        }
    }

    /** @return every connection that subscribed to a channel other than the sink, oldest first */
    public List<ListenerStats> listeners() {
        List<ListenerStats> out = new ArrayList<>();
        for (Conn c : connections) {
            if (c.outbox != null) {
                out.add(new ListenerStats(c.id, c.peer, c.channelName, c.outbox.qsize(), c.maxQueued, c.maxBuffered,
                        c.inFlight == null ? 0 : 1, c.delivered, c.dropped, c.subscribed));
            }
        }
        return out;
    }

    /**
     * Shuts down gracefully, as {@code docs/shutdown.md} describes: stops accepting, stops reading
     * from every client (messages already queued for a listener are still sent, then its
     * connection is closed), waits up to {@code grace} seconds for the connections to close (or
     * less, after {@link #hurry()}), then aborts those that are left. Returns when every
     * connection is gone. Idempotent.
     *
     * <p>A cancellation point: if cancelled while waiting, the connections left are aborted
     * before the cancellation goes on.
     *
     * @param grace seconds to wait for the listeners to receive what is queued for them
     */
    public void shutdown(double grace) {
        if (server == null || closing) {
            return;
        }
        closing = true;
        server.close();
        int listening = stats().listeners();
        log.accept("shutting down: no new connections; sending what is queued to " + listening
                + (listening == 1 ? " listener" : " listeners") + " (up to " + grace + " s), then closing "
                + connections.size() + (connections.size() == 1 ? " connection" : " connections"));
        for (Conn c : List.copyOf(connections)) {
            if (c.in != null) {
                c.in.cancel("broker shutting down");
            }
        }
        try {
            Timeout deadline = Asyncio.moveOnAfter(hurried ? 0 : grace);
            graceDeadline = deadline;
            deadline.run(() -> {
                server.waitClosed();
            });
            if (deadline.expired()) {
                log.accept("grace period over: aborting " + server.activeConnections()
                        + (server.activeConnections() == 1 ? " connection" : " connections") + " still sending");
            }
        } finally {
            graceDeadline = null;
            server.abortClients();
            List<Task<?>> handlers = new ArrayList<>();
            for (Conn c : connections) {
                if (c.handler != null && !c.handler.isDone()) {
                    c.handler.cancel("broker shut down");
                    handlers.add(c.handler);
                }
            }
            if (!handlers.isEmpty()) {
                Asyncio.wait(handlers);
            }
            server.waitClosed();
        }
    }

    /** Cuts a {@link #shutdown}'s grace period short (a second signal): the connections left are aborted now. */
    public void hurry() {
        hurried = true;
        if (graceDeadline != null) {
            graceDeadline.reschedule(loop.time());
        }
    }

    // ------------------------------------------------------------------ a connection

    /** The server's handler: one task per connection. */
    private void serve(StreamReader reader, StreamWriter writer) {
        Conn c = new Conn(++nextId, peer(writer), reader, writer);
        c.handler = Asyncio.currentTask();
        accepted++;
        if (closing) {
            writer.close();
            return;
        }
        connections.add(c);
        if (writer.transport() instanceof Transport t && t.getProtocol() instanceof ConnProtocol p) {
            p.onBufferEmpty = () -> sent(c);
        }
        try {
            TaskGroup.run(g -> {
                c.in = g.createTask("mq in " + c, () -> readSide(c, g));
            });
        } finally {
            connections.remove(c);
            detach(c);
            int left = (c.outbox == null ? 0 : c.outbox.qsize()) + (c.inFlight == null ? 0 : 1);
            c.inFlight = null;
            if (left > 0) {
                lost += left;
                log.accept(c + ": " + left + (left == 1 ? " message" : " messages") + " queued for it lost (connection cut)");
            }
            if (!writer.isClosing()) {
                if (writer.transport().getWriteBufferSize() > 0) {
                    writer.transport().abort();
                } else {
                    writer.close();
                }
            }
            c.end("closed");
            log.accept(c + ": " + c.endReason + summary(c));
        }
    }

    private static String summary(Conn c) {
        StringBuilder sb = new StringBuilder();
        if (c.published > 0) {
            sb.append("; published ").append(c.published);
        }
        if (c.outbox != null) {
            sb.append("; received ").append(c.delivered);
            if (c.dropped > 0) {
                sb.append(", dropped ").append(c.dropped);
            }
        }
        return sb.toString();
    }

    /** Subscribes, then reads and routes messages until the client leaves, breaks the protocol, or is cancelled. */
    private void readSide(Conn c, TaskGroup g) {
        try {
            String name;
            try {
                name = config.subscribeTimeout() <= 0 ? readSubscription(c)
                        : Asyncio.timeout(config.subscribeTimeout()).run(() -> readSubscription(c));
            } catch (AsyncTimeoutException | SocketTimeoutException slow) {
                // Ours, or the server's first-byte timeout (the same length): the same story.
                log.accept(c + ": no subscription (a first frame naming a channel) within "
                        + seconds(config.subscribeTimeout()) + "; closing the connection");
                c.end("closed: too slow to subscribe");
                return;
            }
            if (name == null) {
                c.end("closed before naming a channel");
                return;
            }
            subscribe(c, name);
            if (c.outbox != null) {
                c.out = g.createTask("mq out " + c, () -> writeSide(c));
            }
            for (;;) {
                String target = Frames.readChannel(c.reader, config.maxFrame(), "channel name");
                if (target == null) {
                    c.end("closed by the client");
                    break;
                }
                byte[] payload = Frames.read(c.reader, config.maxFrame(), "payload");
                if (payload == null) {
                    throw new MqProtocolException("the connection ended between the channel frame of a message to "
                            + Frames.printable(target) + " and its payload frame; that message is dropped");
                }
                c.published++;
                published++;
                publish(target, payload);
            }
        } catch (MqProtocolException e) {
            if (c.endReason == null) {           // not our own abort of a slow listener
                if (e.refused()) {
                    refused++;
                } else {
                    truncated++;
                }
                log.accept(c + ": " + e.getMessage() + "; closing the connection");
                c.end("closed after a protocol error");
            }
        } catch (IOException e) {
            c.end("connection lost: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        } catch (CancelledError e) {
            // A shutdown (or the connection's task cancelled): the listener's writer sends what is
            // queued, then closes; nothing new reaches it.
            detach(c);
            if (c.outbox != null) {
                c.outbox.shutdown();
            }
            c.end(closing ? "closed by the broker's shutdown" : "cancelled");
            throw e;
        }
        leave(c);
    }

    private String readSubscription(Conn c) throws IOException {
        return Frames.readChannel(c.reader, config.maxFrame(), "subscription (the first frame: a channel name)");
    }

    private static String seconds(double s) {
        return (s == Math.rint(s) && s < 1e9 ? Long.toString((long) s) : Double.toString(s)) + " s";
    }

    /**
     * The listener's transport took all of the message being written (its buffer emptied): it is
     * delivered. Called from the transport's callback, so before the connection can be lost.
     */
    private void sent(Conn c) {
        if (c.inFlight == null) {
            return;
        }
        c.inFlight = null;
        c.delivered++;
        delivered++;
        c.progress.set();
    }

    /**
     * Sends what the listener's queue holds, one frame at a time, waiting after each until the
     * socket has taken all of it (the listener's transport has a high-water mark of 0), so that
     * the broker always knows which message, if any, its socket has not taken yet.
     */
    private void writeSide(Conn c) {
        AsyncQueue<byte[]> q = c.outbox;
        Channel ch = c.channel;
        try {
            for (;;) {
                byte[] msg;
                try {
                    msg = q.get();
                } catch (QueueShutDownException shutDown) {
                    break;
                }
                if (ch.queue) {
                    ch.room.set();
                }
                c.progress.set();
                if (c.dropping && q.isEmpty()) {
                    c.dropping = false;
                    log.accept(c + ": caught up after " + (c.dropped - c.droppedAtStreakStart) + " messages were dropped");
                }
                c.inFlight = msg;
                if (c.writer.isClosing()) {
                    // Aborted or lost before we could write: the message stays in flight, unsent,
                    // for the reading side (or the connection's end) to hand on.
                    throw new IOException("the connection is closing");
                }
                Frames.write(c.writer, msg);
                c.maxBuffered = Math.max(c.maxBuffered, c.writer.transport().getWriteBufferSize());
                if (!c.writer.isClosing() && c.writer.transport().getWriteBufferSize() == 0) {
                    sent(c);                     // the socket took it all at once
                }                                // else the transport's buffer emptying says so, or nothing does
                c.writer.drain();
                if (c.inFlight != null) {
                    // drain() also returns when the connection is closed without an error (an
                    // abort): the socket never took this one.
                    throw new IOException("the connection closed before its socket took the message");
                }
            }
            // The queue was shut down (the broker is shutting down) and everything in it is sent.
            c.writer.close();
            c.writer.waitClosed();
        } catch (IOException e) {
            // The connection is gone: nothing more is queued for it; the reading side sees the end
            // too and hands on what is left in the queue, and the message in flight, if any.
            c.writeFailed = true;
            detach(c);
            c.end("connection lost while sending: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    // ------------------------------------------------------------------ routing

    private void subscribe(Conn c, String name) {
        String who = c.toString();
        c.channelName = name;
        if (name.equals(SINK)) {
            log.accept(who + ": a sender (listens to " + SINK + ")");
            return;
        }
        Channel ch = channels.computeIfAbsent(name, Channel::new);
        c.channel = ch;
        c.outbox = new AsyncQueue<>(config.queueSize());
        c.writer.transport().setWriteBufferLimits(0, 0);
        ch.listeners.add(c);
        c.subscribed = true;
        ch.room.set();
        listenersChanged.set();
        log.accept(who + ": listens to " + Frames.printable(name)
                + (ch.queue ? " (a queue: one listener per message)" : ""));
    }

    /** Takes the listener off its channel, so nothing new is queued for it. Idempotent. */
    private void detach(Conn c) {
        if (!c.subscribed) {
            return;
        }
        c.subscribed = false;
        c.progress.set();
        Channel ch = c.channel;
        ch.remove(c);
        if (ch.listeners.isEmpty() && channels.get(ch.name) == ch) {
            channels.remove(ch.name);
        }
        listenersChanged.set();
    }

    /** The client went away (or broke the protocol): detach it and hand on what it was never sent. */
    private void leave(Conn c) {
        detach(c);
        if (c.out != null) {
            c.out.cancel("the connection ended");
        }
        if (c.outbox == null) {
            return;
        }
        List<byte[]> pending = new ArrayList<>();
        if (c.inFlight != null) {
            // Written to its transport, not all taken by its socket: so it cannot have reached the
            // listener whole. Abort first (a no-op on a connection already lost), so that it
            // cannot still go out, even from a closing transport's flush, once handed on.
            c.writer.transport().abort();
            pending.add(c.inFlight);
            c.inFlight = null;
        }
        while (!c.outbox.isEmpty()) {
            pending.add(c.outbox.getNowait());
        }
        c.outbox.shutdown();
        if (pending.isEmpty()) {
            return;
        }
        int n = pending.size();
        if (!c.channel.queue) {
            lost += n;
            log.accept(c + ": " + n + (n == 1 ? " message" : " messages") + " queued for it discarded (it left)");
            return;
        }
        // A /queue message belongs to whichever listener takes it: give the others what this one
        // was never sent. (Messages its socket took are not redelivered: the protocol has no
        // acknowledgements, so the broker cannot know whether they arrived.)
        int moved = 0;
        int gone = 0;
        int i = 0;
        try {
            for (; i < n; i++) {
                if (deliverToOne(c.channel, pending.get(i))) {
                    moved++;
                } else {
                    gone++;
                }
            }
        } finally {
            gone += n - i;                       // cancelled (a shutdown) before these were placed
            requeued += moved;
            lost += gone;
            log.accept(c + ": " + n + (n == 1 ? " message" : " messages") + " it had not been sent: " + moved
                    + " requeued to the other listeners of " + Frames.printable(c.channel.name)
                    + (gone > 0 ? ", " + gone + " lost (no listener left)" : ""));
        }
    }

    /**
     * Routes one published message. May wait: on a {@code /queue} channel whose listeners are all
     * full, and for a broadcast listener's writer to take its turn.
     */
    private void publish(String target, byte[] payload) {
        if (target.equals(SINK)) {
            sunk++;
            return;
        }
        Channel ch = channels.get(target);
        if (ch == null || ch.listeners.isEmpty()) {
            unrouted++;
            return;
        }
        if (ch.queue) {
            boolean placed;
            try {
                placed = deliverToOne(ch, payload);
            } catch (CancelledError e) {
                queued++;
                lost++;                          // cancelled while waiting for room (a shutdown)
                throw e;
            }
            if (placed) {
                queued++;
            } else {
                unrouted++;                      // the last listener left while we waited
            }
        } else {
            broadcast(ch, payload);
        }
    }

    /**
     * Queues the message for the next listener in turn that has room, waiting while every
     * listener's queue is full.
     *
     * <p>A cancellation point: if cancelled while waiting, the message is not queued.
     *
     * @return true if queued, false if the channel has no listener (left)
     */
    private boolean deliverToOne(Channel ch, byte[] msg) {
        for (;;) {
            if (ch.listeners.isEmpty()) {
                return false;
            }
            Conn l = ch.nextWithRoom();
            if (l != null) {
                enqueue(l, msg);
                return true;
            }
            ch.room.clear();
            ch.room.await();
        }
    }

    /**
     * Queues the message for every listener of the channel. A full queue whose socket is not
     * holding a message back only means the writer has not had its turn yet (a publisher whose
     * frames are all buffered reads them without ever waiting): yield to it first, and apply the
     * slow-listener policy only to a listener whose peer really does not read.
     */
    private void broadcast(Channel ch, byte[] msg) {
        for (Conn l : List.copyOf(ch.listeners)) {
            while (l.outbox.isFull() && l.inFlight == null && l.subscribed) {
                l.progress.clear();
                l.progress.await();
            }
            if (!l.subscribed) {
                continue;                        // it left while we yielded
            }
            queued++;
            if (!l.outbox.isFull()) {
                enqueue(l, msg);
                continue;
            }
            switch (config.slowPolicy()) {
                case DISCONNECT -> disconnectSlow(l);
                case DROP_OLDEST -> {
                    l.outbox.getNowait();
                    enqueue(l, msg);
                    dropFor(l, "oldest");
                }
                case DROP_NEWEST -> dropFor(l, "newest");
            }
        }
    }

    private void enqueue(Conn l, byte[] msg) {
        l.outbox.putNowait(msg);
        l.maxQueued = Math.max(l.maxQueued, l.outbox.qsize());
    }

    private void dropFor(Conn l, String which) {
        l.dropped++;
        dropped++;
        if (!l.dropping) {
            l.dropping = true;
            l.droppedAtStreakStart = l.dropped - 1;
            log.accept(l + ": too slow, its send queue of " + config.queueSize() + " messages is full: dropping the "
                    + which + " messages until it catches up");
        }
    }

    /** The default policy: a broadcast listener whose queue is full is cut off, loudly. */
    private void disconnectSlow(Conn l) {
        detach(l);
        // What it had queued, what its socket had not taken yet, and the message that did not fit.
        int n = l.outbox.qsize() + (l.inFlight == null ? 0 : 1) + 1;
        l.inFlight = null;
        while (!l.outbox.isEmpty()) {
            l.outbox.getNowait();
        }
        l.outbox.shutdown();
        l.slow = true;
        l.dropped += n;
        dropped += n;
        slowDisconnects++;
        l.end("disconnected: too slow");
        log.accept(l + ": too slow, its send queue of " + config.queueSize() + " messages is full: disconnecting it; "
                + n + " messages dropped");
        l.writer.transport().abort();
    }

    static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static String peer(StreamWriter w) {
        Object p = w.getExtraInfo(ExtraInfo.PEERNAME);
        if (p instanceof InetSocketAddress a) {
            return a.getAddress() == null ? a.getHostString() + ":" + a.getPort()
                    : a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return String.valueOf(p);
    }
}
