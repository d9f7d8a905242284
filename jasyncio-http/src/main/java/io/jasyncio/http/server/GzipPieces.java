package io.jasyncio.http.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** A gzip stream compressed piece by piece: each piece is sync-flushed, so what was written so far can be decoded. */
final class GzipPieces {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    private final GZIPOutputStream gz;

    GzipPieces() {
        try {
            gz = new GZIPOutputStream(out, 8192, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
    }

    /** The compressed bytes for this piece (the gzip header comes with the first). */
    byte[] write(byte[] data, int off, int len) {
        try {
            gz.write(data, off, len);
            gz.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return take();
    }

    /** The last compressed bytes and the gzip trailer. */
    byte[] finish() {
        try {
            gz.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return take();
    }

    private byte[] take() {
        byte[] b = out.toByteArray();
        out.reset();
        return b;
    }
}
