package io.jasyncio.internal.net;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.TimerHandle;
import io.jasyncio.net.BufferedProtocol;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.Protocol;
import io.jasyncio.net.StreamProtocol;
import io.jasyncio.net.Transport;
import io.jasyncio.net.WriteTransport;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS between a raw transport (below, ciphertext) and an application protocol (above,
 * plaintext), as asyncio's {@code SSLProtocol}: the raw transport's protocol is this layer, and
 * the application's transport is its {@link #appTransport()}. Runs on the loop only, like every
 * protocol; the engine's delegated tasks (certificate checks, key exchange) run inline, as
 * OpenSSL's work does inside asyncio's loop: they take a millisecond or two.
 *
 * <p>States, as asyncio's: {@code UNWRAPPED} (no engine yet, or finished), {@code DO_HANDSHAKE},
 * {@code WRAPPED} (application data flows), {@code SHUTDOWN} (our close_notify sent, waiting for
 * the peer's). asyncio's {@code FLUSHING} state is not needed: the write backlog is encrypted
 * at once when closing, and unread records simply stay in {@link #netIn} while the application
 * has paused reading, close_notify included.
 *
 * <p>Write flow control: application bytes are encrypted and handed to the raw transport as soon
 * as they are written, unless the raw transport asked us to pause; then they wait here as
 * plaintext (the "backlog"), and the application is paused when the backlog passes its
 * high-water mark. Read flow control: while the application has paused reading, records stay
 * encrypted in {@link #netIn}, and the raw transport is paused past {@link #READ_HIGH_WATER}.
 */
public final class SslLayer implements BufferedProtocol, Protocol {
    private static final System.Logger LOG = System.getLogger("io.jasyncio.net.tls");

    /** asyncio's {@code FLOW_CONTROL_HIGH_WATER_SSL_READ}: 256 KiB of unread records. */
    static final int READ_HIGH_WATER = 256 * 1024;
    static final int READ_LOW_WATER = READ_HIGH_WATER / 4;
    /** After this many writes to a closed transport, each one is logged, as asyncio does. */
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int MAX_GATHER = 16;

    private enum State { UNWRAPPED, DO_HANDSHAKE, WRAPPED, SHUTDOWN }

    private enum AppState { INIT, CON_MADE, EOF, CON_LOST }

    private final EventLoop loop;
    private final SSLContext ctx;
    private final boolean serverSide;
    private final String serverHostname;
    private final double handshakeTimeout;
    private final double shutdownTimeout;
    private AsyncFuture<Transport> waiter;
    private final SslTransport appTransport;
    private StreamProtocol app;

    private Transport raw;
    private SSLEngine engine;
    private State state = State.UNWRAPPED;
    private AppState appState;
    private final boolean upgrading;
    private boolean handshakeStarted;
    private boolean handshakeDone;

    /** Records from the peer not yet unwrapped; write mode (data from 0 to position). */
    private ByteBuffer netIn;
    /** Plaintext unwrapped and not yet delivered; write mode. */
    private ByteBuffer appIn;
    /** Scratch for one wrap; always emptied into the raw transport at once. */
    private ByteBuffer netOut;
    /** The largest record the engine may read or write. */
    private int packetSize = 16 * 1024 + 256;

    private final ArrayDeque<ByteBuffer> backlog = new ArrayDeque<>();
    private long backlogBytes;
    private int writeHigh = WriteTransport.DEFAULT_HIGH_WATER;
    private int writeLow = WriteTransport.DEFAULT_HIGH_WATER / 4;

    private boolean rawWritingPaused;
    private boolean rawReadingPaused;
    private boolean appReadingPaused;
    /**
     * startTls: the caller has not yet resumed with the new transport. Delivery waits for it, so
     * the protocol sees no plaintext before its task can know where it came from (asyncio
     * delivers at once, and a protocol that switches state after start_tls returns can miss the
     * first bytes).
     */
    private boolean upgradeHeld;
    private boolean appWritingPaused;
    private boolean peerClosed;
    private boolean rawEof;
    private boolean closing;
    private int writesAfterClose;

    private boolean inPump;
    private boolean pumpAgain;

    private TimerHandle handshakeTimer;
    private TimerHandle shutdownTimer;
    /** Why we ended the connection, for the application's connectionLost. */
    private Exception lostReason;

    SslLayer(EventLoop loop, StreamProtocol app, SSLContext ctx, boolean serverSide, String serverHostname,
            double handshakeTimeout, double shutdownTimeout, AsyncFuture<Transport> waiter,
            boolean callConnectionMade) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.app = checkProtocol(app);
        this.ctx = Objects.requireNonNull(ctx, "ssl context");
        if (!(handshakeTimeout > 0) || !(shutdownTimeout > 0)) {
            throw new IllegalArgumentException("TLS timeouts must be positive: handshake " + handshakeTimeout
                    + ", shutdown " + shutdownTimeout);
        }
        if (!serverSide && serverHostname == null) {
            throw new IllegalArgumentException("a TLS client needs the server's host name to verify it "
                    + "(an empty serverHostname turns verification and SNI off)");
        }
        this.serverSide = serverSide;
        this.serverHostname = serverSide ? null : stripBrackets(serverHostname);
        this.handshakeTimeout = handshakeTimeout;
        this.shutdownTimeout = shutdownTimeout;
        this.waiter = waiter;
        this.appState = callConnectionMade ? AppState.INIT : AppState.CON_MADE;
        this.upgrading = !callConnectionMade;
        this.appTransport = new SslTransport();
    }

    /** The application's side: the transport that carries plaintext. */
    public Transport appTransport() {
        return appTransport;
    }

    @Override
    public String toString() {
        return "SslLayer[" + (serverSide ? "server" : "client") + ", " + state
                + (raw == null ? "" : ", peer " + raw.getExtraInfo(ExtraInfo.PEERNAME)) + "]";
    }

    // ------------------------------------------------------------------ the raw transport's protocol

    @Override
    public void connectionMade(Transport transport) {
        if (raw != null) {
            throw new IllegalStateException("the TLS layer is already connected");
        }
        raw = Objects.requireNonNull(transport, "transport");
        startHandshake();
    }

    @Override
    public ByteBuffer getBuffer(int sizeHint) {
        ensureNetInRoom(Math.max(packetSize, Math.min(sizeHint, READ_HIGH_WATER)));
        return netIn;
    }

    @Override
    public void bufferUpdated(int nbytes) {
        processIncoming();
    }

    @Override
    public void dataReceived(byte[] data) {
        ensureNetInRoom(data.length);
        netIn.put(data);
        processIncoming();
    }

    @Override
    public boolean eofReceived() {
        rawEof = true;
        switch (state) {
            case DO_HANDSHAKE -> {
                EOFException eof = new EOFException("the peer closed the connection");
                failHandshake(handshakeException("the peer closed the connection before the handshake completed",
                        eof), false);
                return false;
            }
            case WRAPPED -> {
                processIncoming();
                // Records still waiting for the application (it paused reading): keep the raw
                // transport open until they are delivered; the peer's close is handled then.
                return state == State.WRAPPED;
            }
            case SHUTDOWN -> {
                finishShutdown();
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    @Override
    public void connectionLost(Exception exc) {
        cancelTimers();
        backlog.clear();
        backlogBytes = 0;
        closing = true;
        Exception reason = lostReason != null ? lostReason : exc;
        boolean wasHandshaking = !handshakeDone;
        state = State.UNWRAPPED;
        if (wasHandshaking && waiter != null && !waiter.isDone()) {
            String why = reason == null ? "the connection was closed before the TLS handshake completed"
                    : "the connection was lost during the TLS handshake: " + reason;
            wakeWaiter(reason instanceof SSLException || reason instanceof SocketTimeoutException ? reason
                    : handshakeException(why, reason));
        }
        waiter = null;
        if (appState == AppState.CON_MADE || appState == AppState.EOF) {
            appState = AppState.CON_LOST;
            try {
                app.connectionLost(reason);
            } catch (RuntimeException e) {
                loop.callExceptionHandler(ExceptionContext.builder("protocol.connectionLost() failed")
                        .exception(e).extra("protocol", app).extra("transport", appTransport).build());
            }
        }
    }

    @Override
    public void pauseWriting() {
        rawWritingPaused = true;
    }

    @Override
    public void resumeWriting() {
        rawWritingPaused = false;
        if (state == State.WRAPPED) {
            doWrite(false);
        }
    }

    // ------------------------------------------------------------------ handshake

    private void startHandshake() {
        try {
            engine = newEngine();
            SSLSession s = engine.getSession();
            packetSize = s.getPacketBufferSize();
            if (netIn == null) {
                netIn = ByteBuffer.allocate(2 * packetSize);
            }
            appIn = ByteBuffer.allocate(s.getApplicationBufferSize());
            netOut = ByteBuffer.allocate(s.getPacketBufferSize());
            engine.beginHandshake();
        } catch (SSLException | RuntimeException e) {
            state = State.DO_HANDSHAKE;
            failHandshake(handshakeException("cannot start: " + e.getMessage(), e), false);
            return;
        }
        state = State.DO_HANDSHAKE;
        handshakeStarted = true;
        handshakeTimer = loop.callLater(handshakeTimeout, this::onHandshakeTimeout);
        processIncoming();
    }

    private SSLEngine newEngine() {
        SSLEngine e;
        if (serverSide) {
            e = ctx.createSSLEngine();
            e.setUseClientMode(false);
            return e;
        }
        int port = raw.getExtraInfo(ExtraInfo.PEERNAME) instanceof InetSocketAddress a ? a.getPort() : -1;
        // The engine's peer host also keys the client session cache (resumption); without a name
        // the JDK neither sends SNI nor can verify, which is what an empty name asks for.
        e = serverHostname.isEmpty() ? ctx.createSSLEngine() : ctx.createSSLEngine(serverHostname, port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        if (serverHostname.isEmpty()) {
            p.setEndpointIdentificationAlgorithm(null);
            p.setServerNames(List.of());
        } else {
            p.setEndpointIdentificationAlgorithm("HTTPS");
            if (!isIpLiteral(serverHostname)) {
                try {
                    p.setServerNames(List.of(new SNIHostName(serverHostname)));
                } catch (IllegalArgumentException notAHostName) {
                    // Not a valid DNS name for SNI (RFC 6066): send none, as the JDK and OpenSSL do.
                    p.setServerNames(List.of());
                }
            } else {
                p.setServerNames(List.of()); // RFC 6066: literal addresses are not sent as SNI
            }
        }
        e.setSSLParameters(p);
        return e;
    }

    private void doHandshake() throws SSLException {
        for (;;) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK -> runDelegatedTasks();
                case NEED_WRAP -> {
                    SSLEngineResult r = wrap(EMPTY);
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                        onHandshakeComplete();
                        return;
                    }
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLHandshakeException("the TLS engine closed during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult r = unwrap();
                    switch (r.getStatus()) {
                        case BUFFER_UNDERFLOW -> {
                            return; // wait for more records
                        }
                        case CLOSED -> throw new SSLHandshakeException(
                                "the peer closed the TLS session during the handshake");
                        default -> {
                            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                                onHandshakeComplete();
                                return;
                            }
                        }
                    }
                }
                default -> { // NOT_HANDSHAKING, FINISHED
                    onHandshakeComplete();
                    return;
                }
            }
            if (state != State.DO_HANDSHAKE) {
                return;
            }
        }
    }

    private void onHandshakeComplete() {
        handshakeDone = true;
        cancelHandshakeTimer();
        state = State.WRAPPED;
        SSLSession s = engine.getSession();
        packetSize = Math.max(packetSize, s.getPacketBufferSize());
        if (netOut.capacity() < s.getPacketBufferSize()) {
            netOut = ByteBuffer.allocate(s.getPacketBufferSize());
        }
        if (appIn.capacity() < s.getApplicationBufferSize()) {
            ByteBuffer bigger = ByteBuffer.allocate(s.getApplicationBufferSize());
            appIn.flip();
            bigger.put(appIn);
            appIn = bigger;
        }
        if (loop.getDebug()) {
            LOG.log(System.Logger.Level.DEBUG, () -> this + ": TLS handshake done, " + s.getProtocol() + " "
                    + s.getCipherSuite());
        }
        if (appState == AppState.INIT) {
            appState = AppState.CON_MADE;
            try {
                app.connectionMade(appTransport);
            } catch (RuntimeException e) {
                fatalError(e, "protocol.connectionMade() failed");
                return;
            }
        }
        boolean upgrade = upgrading && waiter != null;
        wakeWaiter(null);
        if (upgrade) {
            // The waiting task resumes in the next round of the loop (its wake-up is already
            // queued): deliver after it.
            upgradeHeld = true;
            loop.callSoon(() -> {
                upgradeHeld = false;
                if (state == State.WRAPPED || state == State.SHUTDOWN) {
                    processIncoming();
                }
            });
        }
        pumpAgain = true; // deliver what came with the last flight, send what was written meanwhile
    }

    private void onHandshakeTimeout() {
        handshakeTimer = null;
        if (state == State.DO_HANDSHAKE) {
            // A clean close, not a reset: the peer may be a slow server, not a broken one (asyncio).
            failHandshake(new SocketTimeoutException("TLS handshake" + peerText() + " timed out after "
                    + seconds(handshakeTimeout) + " s"), false);
        }
    }

    /** Ends a handshake that failed: the waiter fails, the raw transport closes. */
    private void failHandshake(Exception e, boolean abort) {
        if (state == State.UNWRAPPED && handshakeDone) {
            return;
        }
        cancelHandshakeTimer();
        state = State.UNWRAPPED;
        lostReason = e;
        if (waiter != null) {
            wakeWaiter(e);
        } else {
            // An accepted connection: nobody awaits this handshake, so say it here, at a level a
            // server's operator sees by default (asyncio tells only its debug mode). The message
            // names the peer and the reason; one line, no stack trace: a scanner or a client with
            // the wrong trust store is the peer's doing, not a bug.
            LOG.log(System.Logger.Level.INFO, e.getMessage());
            if (loop.getDebug()) {
                loop.callExceptionHandler(ExceptionContext.builder("TLS handshake failed")
                        .exception(e).extra("protocol", this).extra("transport", raw).build());
            }
        }
        if (raw != null) {
            if (abort) {
                raw.abort();
            } else {
                sendAlertAndClose();
            }
        }
    }

    /**
     * startTls or a connect was cancelled (or failed) while the handshake ran: make sure the raw
     * transport goes, with a clean close rather than a reset, as asyncio's start_tls does.
     */
    void abandonHandshake(Transport transport) {
        closing = true;
        if (!handshakeDone) {
            cancelHandshakeTimer();
            state = State.UNWRAPPED;
            waiter = null;
        }
        if (!transport.isClosing()) {
            transport.close();
        }
    }

    private void wakeWaiter(Exception e) {
        AsyncFuture<Transport> w = waiter;
        waiter = null;
        if (w == null || w.isDone()) {
            return;
        }
        if (e == null) {
            w.setResult(appTransport);
        } else {
            w.setException(e);
        }
    }

    /**
     * The exception a failed handshake raises: an {@link SSLHandshakeException} whose message says
     * with whom and why in words, with the engine's own exception as its cause.
     */
    private SSLHandshakeException handshakeException(String why, Throwable cause) {
        SSLHandshakeException h = new SSLHandshakeException("TLS handshake" + peerText() + " failed: " + why);
        if (cause != null) {
            h.initCause(cause);
        }
        return h;
    }

    private SSLHandshakeException explain(SSLException e) {
        String msg = withoutAlertPrefix(String.valueOf(e.getMessage()));
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (c instanceof CertificateException
                    && (m.contains("No subject alternative") || m.startsWith("No name matching"))) {
                return handshakeException("the server's certificate does not match host name '" + serverHostname
                        + "' (" + withoutAlertPrefix(m) + ")", e);
            }
            if (m.contains("PKIX path") || c instanceof java.security.cert.CertPathValidatorException
                    || c instanceof java.security.cert.CertPathBuilderException) {
                // The root cause says what is wrong (no path to a trusted CA, expired, revoked).
                return handshakeException("the " + (serverSide ? "client's" : "server's")
                        + " certificate is not trusted (" + withoutAlertPrefix(String.valueOf(root.getMessage())) + ")",
                        e);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        int alert = msg.indexOf("Received fatal alert: ");
        if (alert >= 0) {
            String name = msg.substring(alert + "Received fatal alert: ".length()).trim();
            return handshakeException("the peer sent the fatal alert '" + name + "'" + alertHint(name), e);
        }
        return handshakeException(msg, e);
    }

    /** The JDK prefixes the alert it sends to its messages, "(certificate_unknown) ...": drop it. */
    private static String withoutAlertPrefix(String m) {
        if (m.startsWith("(")) {
            int end = m.indexOf(") ");
            if (end > 0 && m.substring(1, end).matches("[a-z_]+")) {
                return m.substring(end + 2);
            }
        }
        return m;
    }

    private String alertHint(String alert) {
        return switch (alert) {
            case "certificate_unknown", "bad_certificate", "unknown_ca", "certificate_expired",
                    "unsupported_certificate", "certificate_revoked" ->
                    " (it does not accept our certificate)";
            case "handshake_failure", "insufficient_security" ->
                    " (no protocol version, cipher suite or key exchange in common, or a certificate is missing)";
            case "protocol_version" -> " (no TLS version in common)";
            case "unrecognized_name" -> " (it does not serve the name we sent as SNI)";
            case "no_application_protocol" -> " (no ALPN protocol in common)";
            default -> "";
        };
    }

    // ------------------------------------------------------------------ incoming records

    /** Runs the state machine over what is in {@link #netIn}; safe to call again from inside. */
    private void processIncoming() {
        if (inPump) {
            pumpAgain = true;
            return;
        }
        inPump = true;
        try {
            do {
                pumpAgain = false;
                State before = state;
                try {
                    switch (state) {
                        case DO_HANDSHAKE -> doHandshake();
                        case WRAPPED -> doRead();
                        case SHUTDOWN -> doShutdownRead();
                        default -> { }
                    }
                } catch (SSLException e) {
                    if (!handshakeDone) {
                        failHandshake(explain(e), false);
                    } else {
                        fatalError(e, "Fatal error on TLS transport");
                    }
                } catch (RuntimeException e) {
                    // The engine itself failed (it should throw SSLException): end the connection.
                    if (!handshakeDone) {
                        failHandshake(handshakeException(String.valueOf(e), e), true);
                    } else {
                        fatalError(e, "Fatal error on TLS transport");
                    }
                }
                if (state != before && state != State.UNWRAPPED) {
                    pumpAgain = true;
                }
            } while (pumpAgain && state != State.UNWRAPPED);
        } finally {
            inPump = false;
        }
        controlRawReading();
    }

    private void doRead() throws SSLException {
        if (!readingHeld() && appIn.position() > 0) {
            deliver();
        }
        boolean closeNotify = false;
        netIn.flip();
        try {
            read:
            while (state == State.WRAPPED && !readingHeld()) {
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        break read; // wait for the rest of the record
                    }
                    case BUFFER_OVERFLOW -> {
                        if (appIn.position() > 0) {
                            deliver();
                        } else {
                            appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                        }
                    }
                    case CLOSED -> {
                        closeNotify = true;
                        break read;
                    }
                    case OK -> {
                        boolean more = afterEngineCall(r);
                        if (appIn.position() > 0) {
                            deliver();
                        }
                        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && !more) {
                            break read;
                        }
                    }
                }
            }
        } finally {
            netIn.compact();
        }
        if (state == State.WRAPPED && !readingHeld() && appIn.position() > 0) {
            deliver();
        }
        if (closeNotify) {
            peerClosed = true;
        }
        if (state == State.WRAPPED && !backlog.isEmpty()) {
            doWrite(false);
        }
        if (state == State.WRAPPED && !readingHeld() && appIn.position() == 0
                && (peerClosed || rawEof && !hasWholeRecord())) {
            onPeerEof();
        }
    }

    private boolean readingHeld() {
        return appReadingPaused || upgradeHeld;
    }

    /** True if {@link #netIn} holds at least one whole record (which would be read first). */
    private boolean hasWholeRecord() {
        if (netIn.position() < 5) {
            return false;
        }
        int len = ((netIn.get(3) & 0xff) << 8) | (netIn.get(4) & 0xff);
        return netIn.position() >= 5 + len;
    }

    /** The peer closed: its close_notify, or a plain EOF (a "ragged" close, which asyncio accepts too). */
    private void onPeerEof() {
        if (loop.getDebug()) {
            LOG.log(System.Logger.Level.DEBUG, () -> this + " received " + (peerClosed ? "close_notify" : "EOF"));
        }
        if (appState == AppState.CON_MADE) {
            appState = AppState.EOF;
            try {
                if (app.eofReceived()) {
                    LOG.log(System.Logger.Level.WARNING,
                            "returning true from eofReceived() has no effect when using TLS");
                }
            } catch (RuntimeException e) {
                fatalError(e, "protocol.eofReceived() failed");
                return;
            }
        }
        startShutdown();
    }

    /** Hands {@link #appIn} to the application, as far as it takes it. */
    private void deliver() {
        appIn.flip();
        try {
            StreamProtocol p = app;
            if (p instanceof BufferedProtocol bp) {
                while (appIn.hasRemaining() && !readingHeld() && state == State.WRAPPED) {
                    ByteBuffer dst = bp.getBuffer(appIn.remaining());
                    int n = Math.min(dst.remaining(), appIn.remaining());
                    if (n <= 0) {
                        throw new IllegalStateException("getBuffer() returned a buffer with no room: " + dst);
                    }
                    int lim = appIn.limit();
                    appIn.limit(appIn.position() + n);
                    dst.put(appIn);
                    appIn.limit(lim);
                    bp.bufferUpdated(n);
                }
            } else {
                byte[] data = new byte[appIn.remaining()];
                appIn.get(data);
                if (p instanceof Protocol pp) {
                    pp.dataReceived(data);
                }
            }
        } catch (RuntimeException e) {
            appIn.clear();
            fatalError(e, "Fatal error on TLS transport: the protocol failed to take the data");
            return;
        }
        if (state == State.WRAPPED) {
            appIn.compact();
        } else {
            appIn.clear();
        }
    }

    /** After our close_notify: read until the peer's, dropping any data still in flight. */
    private void doShutdownRead() throws SSLException {
        if (engine.isInboundDone() || peerClosed || rawEof) {
            finishShutdown();
            return;
        }
        netIn.flip();
        try {
            while (state == State.SHUTDOWN) {
                appIn.clear();
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        return;
                    }
                    case BUFFER_OVERFLOW -> appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
                    case CLOSED -> {
                        peerClosed = true;
                        netIn.position(netIn.limit()); // nothing after close_notify matters
                        finishShutdown();
                        return;
                    }
                    case OK -> {
                        boolean more = afterEngineCall(r);
                        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && !more) {
                            return;
                        }
                    }
                }
            }
        } finally {
            netIn.compact();
            appIn.clear();
        }
    }

    /** Handles what the engine asks for after an application-data wrap or unwrap. */
    private boolean afterEngineCall(SSLEngineResult r) throws SSLException {
        boolean did = false;
        HandshakeStatus hs = r.getHandshakeStatus();
        while (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP) {
            did = true;
            if (hs == HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
            } else {
                SSLEngineResult w = wrap(EMPTY);
                if (w.getStatus() == SSLEngineResult.Status.CLOSED) {
                    break;
                }
            }
            hs = engine.getHandshakeStatus();
        }
        return did;
    }

    private void runDelegatedTasks() {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            t.run();
        }
    }

    /** Unwraps one record from {@link #netIn} (write mode in, write mode out) into {@link #appIn}. */
    private SSLEngineResult unwrap() throws SSLException {
        netIn.flip();
        try {
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
            }
            return r;
        } finally {
            netIn.compact();
        }
    }

    private void ensureNetInRoom(int room) {
        if (netIn == null) {
            netIn = ByteBuffer.allocate(Math.max(room, packetSize));
        } else if (netIn.remaining() < room) {
            netIn = grow(netIn, room);
        }
    }

    /** A buffer (write mode) with the contents of {@code b} (write mode) and {@code room} more free. */
    private static ByteBuffer grow(ByteBuffer b, int room) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + room));
        b.flip();
        bigger.put(b);
        return bigger;
    }

    private void controlRawReading() {
        if (raw == null || netIn == null || state == State.UNWRAPPED) {
            return;
        }
        int size = netIn.position();
        if (size == 0 && netIn.capacity() > 4 * packetSize) {
            netIn = ByteBuffer.allocate(2 * packetSize); // a burst (reading was paused) is over: give it back
        }
        if (size >= READ_HIGH_WATER && !rawReadingPaused) {
            rawReadingPaused = true;
            raw.pauseReading();
        } else if (size <= READ_LOW_WATER && rawReadingPaused) {
            rawReadingPaused = false;
            raw.resumeReading();
        }
    }

    // ------------------------------------------------------------------ outgoing records

    /** Wraps one batch (handshake data if {@code src} is empty) and hands it to the raw transport. */
    private SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        for (;;) {
            netOut.clear();
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                continue;
            }
            send();
            return r;
        }
    }

    private void send() {
        netOut.flip();
        if (netOut.hasRemaining() && raw != null && !raw.isClosing()) {
            raw.write(netOut);
        }
        netOut.clear();
    }

    /** Encrypts the backlog and sends it, unless the raw transport asked to pause ({@code force} ignores that). */
    private void doWrite(boolean force) {
        ByteBuffer[] srcs = new ByteBuffer[MAX_GATHER];
        try {
            while (!backlog.isEmpty() && (force || !rawWritingPaused)
                    && (state == State.WRAPPED || force && state != State.UNWRAPPED)) {
                int k = 0;
                for (ByteBuffer b : backlog) {
                    srcs[k++] = b;
                    if (k == MAX_GATHER) {
                        break;
                    }
                }
                netOut.clear();
                SSLEngineResult r = engine.wrap(srcs, 0, k, netOut);
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2,
                            engine.getSession().getPacketBufferSize()));
                    continue;
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    backlog.clear();
                    backlogBytes = 0;
                    break;
                }
                backlogBytes -= r.bytesConsumed();
                while (!backlog.isEmpty() && !backlog.peekFirst().hasRemaining()) {
                    backlog.pollFirst();
                }
                send();
                HandshakeStatus hs = r.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP) {
                    afterEngineCall(r);
                } else if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    break; // the engine waits for the peer (a renegotiation): the next read resumes us
                }
            }
        } catch (SSLException | RuntimeException e) {
            fatalError(e, "Fatal error on TLS transport while writing");
            return;
        } finally {
            java.util.Arrays.fill(srcs, null);
        }
        controlAppWriting();
    }

    private void write(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        if (closing || state == State.SHUTDOWN || state == State.UNWRAPPED && handshakeStarted) {
            data.position(data.limit());
            if (++writesAfterClose >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.log(System.Logger.Level.WARNING, "TLS connection is closed");
            }
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(data).flip();
        backlog.addLast(copy);
        backlogBytes += n;
        if (state == State.WRAPPED) {
            doWrite(false);
        } else {
            controlAppWriting();
        }
    }

    private void controlAppWriting() {
        long size = backlogBytes;
        if (size > writeHigh && !appWritingPaused) {
            appWritingPaused = true;
            try {
                app.pauseWriting();
            } catch (RuntimeException e) {
                loop.callExceptionHandler(ExceptionContext.builder("protocol.pauseWriting() failed")
                        .exception(e).extra("transport", appTransport).extra("protocol", app).build());
            }
        } else if (size <= writeLow && appWritingPaused) {
            appWritingPaused = false;
            try {
                app.resumeWriting();
            } catch (RuntimeException e) {
                loop.callExceptionHandler(ExceptionContext.builder("protocol.resumeWriting() failed")
                        .exception(e).extra("transport", appTransport).extra("protocol", app).build());
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /** Our side closes: flush the backlog, send close_notify, wait for the peer's (bounded). */
    private void startShutdown() {
        closing = true;
        switch (state) {
            case DO_HANDSHAKE -> {
                // Nothing was ever sent in the clear; there is nothing to flush (asyncio aborts too).
                failHandshake(handshakeException("the transport was closed during the handshake", null), true);
                return;
            }
            case WRAPPED -> { }
            default -> {
                return;
            }
        }
        doWrite(true);
        if (state != State.WRAPPED) {
            return;
        }
        state = State.SHUTDOWN;
        try {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult r = wrap(EMPTY);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException | RuntimeException e) {
            fatalError(e, "Fatal error on TLS transport while closing");
            return;
        }
        if (state != State.SHUTDOWN) {
            return;
        }
        if (peerClosed || rawEof || engine.isInboundDone()) {
            finishShutdown();
        } else {
            shutdownTimer = loop.callLater(shutdownTimeout, this::onShutdownTimeout);
            processIncoming(); // the peer's close_notify may already be here
        }
    }

    private void finishShutdown() {
        if (state == State.UNWRAPPED) {
            return;
        }
        cancelTimers();
        state = State.UNWRAPPED;
        raw.close();
    }

    private void onShutdownTimeout() {
        shutdownTimer = null;
        if (state == State.SHUTDOWN) {
            lostReason = new SocketTimeoutException("TLS shutdown" + peerText() + " timed out after "
                    + seconds(shutdownTimeout) + " s: no close_notify from the peer");
            state = State.UNWRAPPED;
            raw.abort();
        }
    }

    private void abort() {
        closing = true;
        cancelHandshakeTimer();
        if (!handshakeDone && state != State.UNWRAPPED) {
            failHandshake(handshakeException("the transport was aborted during the handshake", null), true);
            return;
        }
        state = State.UNWRAPPED;
        backlog.clear();
        backlogBytes = 0;
        if (raw != null) {
            raw.abort();
        }
    }

    /** A failure after the handshake: the connection ends, the application hears why. */
    private void fatalError(Throwable e, String message) {
        if (state == State.UNWRAPPED && lostReason != null) {
            return;
        }
        if (e instanceof Error err) {
            throw err;
        }
        Exception ex = (Exception) e;
        if (!handshakeDone) {
            failHandshake(ex instanceof SSLException s ? explain(s) : handshakeException(String.valueOf(ex), ex), true);
            return;
        }
        lostReason = ex;
        state = State.UNWRAPPED;
        closing = true;
        wakeWaiter(ex);
        cancelTimers();
        backlog.clear();
        backlogBytes = 0;
        if (ex instanceof IOException) {
            if (loop.getDebug()) {
                LOG.log(System.Logger.Level.DEBUG, this + ": " + message, ex);
            }
        } else {
            loop.callExceptionHandler(ExceptionContext.builder(message).exception(ex)
                    .extra("transport", appTransport).extra("protocol", app).build());
        }
        if (raw != null) {
            if (ex instanceof SSLException) {
                sendAlertAndClose();
            } else {
                raw.abort();
            }
        }
    }

    /**
     * After the engine failed it holds a fatal alert for the peer: send it, so the peer learns why,
     * then close. If the raw transport is backed up, the alert would wait behind it: abort instead.
     */
    private void sendAlertAndClose() {
        if (raw.isClosing()) {
            return;
        }
        if (rawEof || lostReason instanceof SocketTimeoutException) {
            // The peer ended with a plain TCP shutdown, or never finished its handshake: answer
            // with a plain close, not with a TLS record it did not ask for (asyncio sends nothing
            // either), and not with a reset.
            raw.close();
            return;
        }
        if (engine != null && raw.getWriteBufferSize() == 0) {
            try {
                engine.closeOutbound();
                for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                    netOut.clear();
                    SSLEngineResult r = engine.wrap(EMPTY, netOut);
                    send();
                    if (r.bytesProduced() == 0) {
                        break;
                    }
                }
            } catch (SSLException | RuntimeException ignored) {
                // the engine has nothing more to say
            }
            raw.close();
        } else {
            raw.abort();
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    private void cancelTimers() {
        cancelHandshakeTimer();
        if (shutdownTimer != null) {
            shutdownTimer.cancel();
            shutdownTimer = null;
        }
    }

    // ------------------------------------------------------------------ helpers

    private String peerText() {
        Object peer = raw == null ? null : raw.getExtraInfo(ExtraInfo.PEERNAME);
        String name = serverHostname == null || serverHostname.isEmpty() ? null : serverHostname;
        if (peer == null && name == null) {
            return "";
        }
        if (peer instanceof InetSocketAddress a) {
            String addr = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
            peer = addr + ":" + a.getPort();
        }
        return " with " + (name == null ? peer : peer == null ? name : name + " (" + peer + ")");
    }

    private static StreamProtocol checkProtocol(StreamProtocol p) {
        Objects.requireNonNull(p, "protocol");
        if (!(p instanceof Protocol) && !(p instanceof BufferedProtocol)) {
            throw new IllegalArgumentException("a stream protocol must implement Protocol or BufferedProtocol: " + p);
        }
        return p;
    }

    private static String seconds(double s) {
        return s == Math.rint(s) && Math.abs(s) < 1e15 ? Long.toString((long) s) : Double.toString(s);
    }

    private static String stripBrackets(String host) {
        if (host != null && host.length() > 1 && host.startsWith("[") && host.endsWith("]")) {
            return host.substring(1, host.length() - 1);
        }
        return host;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    // ------------------------------------------------------------------ the application's transport

    /** What the application holds: plaintext in, plaintext out, over {@link SslLayer}. */
    private final class SslTransport implements Transport {
        @Override
        public void setProtocol(StreamProtocol protocol) {
            app = checkProtocol(protocol);
        }

        @Override
        public StreamProtocol getProtocol() {
            return app;
        }

        @Override
        public boolean isReading() {
            return !appReadingPaused && !closing;
        }

        @Override
        public void pauseReading() {
            appReadingPaused = true;
        }

        @Override
        public void resumeReading() {
            if (appReadingPaused) {
                appReadingPaused = false;
                loop.callSoon(() -> {
                    if (state == State.WRAPPED || state == State.SHUTDOWN) {
                        processIncoming();
                    }
                });
            }
        }

        @Override
        public void write(byte[] data, int off, int len) {
            Objects.checkFromIndexSize(off, len, data.length);
            SslLayer.this.write(ByteBuffer.wrap(data, off, len));
        }

        @Override
        public void write(ByteBuffer data) {
            SslLayer.this.write(data);
        }

        @Override
        public void writeEof() {
            throw new UnsupportedOperationException("a TLS transport cannot half-close (TLS has no write-EOF): "
                    + "use close()");
        }

        @Override
        public boolean canWriteEof() {
            return false;
        }

        @Override
        public void abort() {
            SslLayer.this.abort();
        }

        @Override
        public int getWriteBufferSize() {
            long n = backlogBytes + (raw == null ? 0 : raw.getWriteBufferSize());
            return (int) Math.min(Integer.MAX_VALUE, n);
        }

        @Override
        public void setWriteBufferLimits(int high, int low) {
            int hi;
            int lo;
            if (high < 0) {
                hi = low < 0 ? WriteTransport.DEFAULT_HIGH_WATER : 4 * low;
            } else {
                hi = high;
            }
            lo = low < 0 ? hi / 4 : low;
            if (lo > hi) {
                throw new IllegalArgumentException("high (" + hi + ") must be >= low (" + lo + ")");
            }
            writeHigh = hi;
            writeLow = lo;
            controlAppWriting();
        }

        @Override
        public WriteBufferLimits getWriteBufferLimits() {
            return new WriteBufferLimits(writeLow, writeHigh);
        }

        @Override
        public void close() {
            if (!closing) {
                startShutdown();
            }
        }

        @Override
        public boolean isClosing() {
            return closing;
        }

        @Override
        public Object getExtraInfo(String name) {
            switch (name) {
                case ExtraInfo.SSL_CONTEXT -> {
                    return ctx;
                }
                case ExtraInfo.SSL_OBJECT -> {
                    return engine;
                }
                case ExtraInfo.SSL_SESSION -> {
                    return handshakeDone ? engine.getSession() : null;
                }
                case ExtraInfo.PEERCERT -> {
                    if (!handshakeDone) {
                        return null;
                    }
                    try {
                        return engine.getSession().getPeerCertificates();
                    } catch (SSLPeerUnverifiedException none) {
                        return null;
                    }
                }
                case ExtraInfo.CIPHER -> {
                    return handshakeDone ? engine.getSession().getCipherSuite() : null;
                }
                case ExtraInfo.TLS_VERSION -> {
                    return handshakeDone ? engine.getSession().getProtocol() : null;
                }
                default -> {
                    return raw == null ? null : raw.getExtraInfo(name);
                }
            }
        }

        @Override
        public String toString() {
            return "SslTransport[" + SslLayer.this + "]";
        }
    }
}
