package io.jasyncio.http.server;

import io.jasyncio.Asyncio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * The handler of {@link Router#addStatic}: serves the regular files under one directory. No path
 * leaves it (no {@code ..}, no symbolic link out of it, no hidden dot-files), directories are not
 * listed unless asked ({@code showIndex}; with {@code indexFile} a directory's {@code index.html}
 * answers for it; a directory named without its final {@code /} is redirected there), {@code Content-Type} comes from the extension, {@code Last-Modified} /
 * {@code If-Modified-Since} give 304, one {@code Range} gives 206 (416 when unsatisfiable). File
 * reads run off the loop ({@code toThread}) in 64 KiB pieces, each written with back-pressure.
 */
final class StaticFiles implements Handler {
    static final int CHUNK = 64 * 1024;
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("csv", "text/csv; charset=utf-8"), Map.entry("xml", "application/xml"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"), Map.entry("wasm", "application/wasm"), Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"), Map.entry("gz", "application/gzip"), Map.entry("woff2", "font/woff2"),
            Map.entry("mp4", "video/mp4"), Map.entry("mp3", "audio/mpeg"));

    private final Path root;
    private final boolean indexFile;
    private final boolean showIndex;

    StaticFiles(Path dir) {
        this(dir, false, false);
    }

    /**
     * @param indexFile serve a directory's {@code index.html} for the directory
     * @param showIndex list a directory (without {@code index.html}, or with {@code indexFile} false) as HTML
     */
    StaticFiles(Path dir, boolean indexFile, boolean showIndex) {
        this.indexFile = indexFile;
        this.showIndex = showIndex;
        try {
            this.root = dir.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("no such directory: " + dir, e);
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("not a directory: " + dir);
        }
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String t = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        return t == null ? "application/octet-stream" : t;
    }

    @Override
    public StreamResponse handle(Request request) throws Exception {
        String rel = request.matchInfo("filename");
        rel = rel == null ? "" : rel;
        boolean dirs = indexFile || showIndex;
        Path file = dirs && (rel.isEmpty() || rel.equals("/")) ? root : resolve(rel);
        boolean slash = rel.isEmpty() || rel.endsWith("/");
        Object[] found = Asyncio.toThread(() -> {
            try {
                Path real = file.toRealPath();
                if (!real.startsWith(root)) {
                    return null; // a symbolic link out of the directory
                }
                BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory() && dirs) {
                    if (!slash) {
                        return new Object[] {null, null, "redirect"};
                    }
                    Path index = real.resolve("index.html");
                    if (indexFile && Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(index)) {
                        return new Object[] {index, Files.readAttributes(index, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)};
                    }
                    return showIndex ? new Object[] {null, null, listing(real, request.path())} : null;
                }
                return a.isRegularFile() && Files.isReadable(real) ? new Object[] {real, a} : null;
            } catch (NoSuchFileException e) {
                return null;
            }
        });
        if (found == null) {
            throw HttpException.notFound();
        }
        if (found[0] == null) {
            if (found[2].equals("redirect")) {
                throw HttpException.movedPermanently(request.rawPath() + "/");
            }
            return Response.html((String) found[2]);
        }
        Path real = (Path) found[0];
        BasicFileAttributes attrs = (BasicFileAttributes) found[1];
        long size = attrs.size();
        Instant modified = attrs.lastModifiedTime().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String lastModified = HTTP_DATE.format(ZonedDateTime.ofInstant(modified, ZoneOffset.UTC));
        String ims = request.header("If-Modified-Since");
        if (ims != null && request.header("Range") == null) {
            try {
                Instant since = ZonedDateTime.parse(ims, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                if (!modified.isAfter(since)) {
                    Response r = Response.empty(304);
                    r.headers().add("Last-Modified", lastModified);
                    return r;
                }
            } catch (DateTimeParseException ignored) {
                // an unparsable date is ignored (RFC 9110 section 13.1.3)
            }
        }
        long start = 0;
        long end = size - 1;
        int status = 200;
        String range = request.header("Range");
        if (range != null && range.startsWith("bytes=") && !range.contains(",")) {
            String spec = range.substring(6).strip();
            int dash = spec.indexOf('-');
            try {
                if (dash < 0) {
                    throw new NumberFormatException();
                }
                String a = spec.substring(0, dash).strip();
                String b = spec.substring(dash + 1).strip();
                if (a.isEmpty()) {
                    long n = Long.parseLong(b);
                    start = Math.max(0, size - n);
                } else {
                    start = Long.parseLong(a);
                    end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
                }
                if (start >= size || start > end || (a.isEmpty() && Long.parseLong(b) == 0)) {
                    Response r = Response.text(416, "Range Not Satisfiable");
                    r.headers().add("Content-Range", "bytes */" + size);
                    return r;
                }
                status = 206;
            } catch (NumberFormatException e) {
                start = 0; // a malformed range is ignored: the whole file
                end = size - 1;
            }
        }
        long length = end - start + 1;
        StreamResponse resp = new StreamResponse(status);
        resp.setContentType(contentType(real.getFileName().toString()));
        resp.setContentLength(length);
        resp.headers().add("Last-Modified", lastModified);
        resp.headers().add("Accept-Ranges", "bytes");
        if (status == 206) {
            resp.headers().add("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        resp.prepare(request);
        if (request.method().equals(io.jasyncio.http.Method.HEAD) || length == 0) {
            return resp;
        }
        try (FileChannel ch = Asyncio.toThread(() -> FileChannel.open(real, StandardOpenOption.READ))) {
            long pos = start;
            long left = length;
            while (left > 0) {
                long at = pos;
                int want = (int) Math.min(CHUNK, left);
                byte[] chunk = Asyncio.toThread(() -> {
                    ByteBuffer b = ByteBuffer.allocate(want);
                    while (b.hasRemaining()) {
                        if (ch.read(b, at + b.position()) < 0) {
                            throw new IOException("the file shrank while being sent");
                        }
                    }
                    return b.array();
                });
                resp.write(chunk);
                pos += want;
                left -= want;
            }
        }
        return resp;
    }

    /** An HTML list of a directory's entries (no dot-files), sorted, links relative. Blocking. */
    private static String listing(Path dir, String shownPath) throws IOException {
        java.util.List<String> names = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                if (!n.startsWith(".")) {
                    names.add(Files.isDirectory(p) ? n + "/" : n);
                }
            });
        }
        java.util.Collections.sort(names);
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ")
                .append(escape(shownPath)).append("</title></head><body><h1>Index of ").append(escape(shownPath))
                .append("</h1><ul>\n");
        for (String n : names) {
            b.append("<li><a href=\"").append(escape(n.endsWith("/") ? Forms.encodeSegment(n.substring(0, n.length() - 1)) + "/" : Forms.encodeSegment(n))).append("\">").append(escape(n))
                    .append("</a></li>\n");
        }
        return b.append("</ul></body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    /** The file for the decoded relative path, or 404 if it would leave the directory or names a dot-file. */
    private Path resolve(String rel) {
        if (rel.indexOf('\0') >= 0 || rel.indexOf('\\') >= 0) {
            throw HttpException.notFound();
        }
        for (String seg : rel.split("/")) {
            if (seg.equals("..") || (seg.startsWith(".") && !seg.isEmpty())) {
                throw HttpException.notFound();
            }
        }
        Path p = root.resolve(rel.startsWith("/") ? rel.substring(1) : rel).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw HttpException.notFound();
        }
        return p;
    }
}
