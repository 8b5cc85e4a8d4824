package io.starling.broker.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The files an {@code http_api} listener serves outside {@code /api/} and {@code /metrics}: first
 * from {@code http_dir} (as mosquitto 2.1 does: a path ending in {@code /} means its
 * {@code index.html}; nothing outside the directory, symbolic links resolved, is served), then the
 * web console shipped in the jar under {@code console/}.
 */
final class StaticFiles {
    private static final String BUILT_IN = "console";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "json", "application/json", "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8");

    /** A file's bytes and content type. */
    record File(byte[] bytes, String contentType) {
    }

    private final Path dir;

    /** @param dir {@code http_dir}, or null for the built-in files only */
    StaticFiles(Path dir) {
        Path real = null;
        if (dir != null) {
            try {
                real = dir.toRealPath();
            } catch (IOException e) {
                real = dir.toAbsolutePath().normalize(); // missing now: nothing will be found in it
            }
        }
        this.dir = real;
    }

    /** The file for a request path (already URL-decoded), or null when there is none. */
    File find(String path) throws IOException {
        if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
            return null;
        }
        String relative = path.endsWith("/") ? path.substring(1) + "index.html" : path.substring(1);
        File own = fromDir(relative);
        return own != null ? own : builtIn(relative);
    }

    private File fromDir(String relative) throws IOException {
        if (dir == null) {
            return null;
        }
        Path file = dir.resolve(relative).normalize();
        if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
            return null;
        }
        Path real = file.toRealPath();
        if (!real.startsWith(dir)) {
            return null; // a link out of http_dir
        }
        return new File(Files.readAllBytes(real), typeOf(relative));
    }

    private static File builtIn(String relative) throws IOException {
        if (relative.contains("..") || relative.contains("\\") || !relative.substring(relative.lastIndexOf('/') + 1).contains(".")) {
            return null; // no way up, and no directory listings
        }
        try (InputStream in = StaticFiles.class.getResourceAsStream(BUILT_IN + "/" + relative)) {
            return in == null ? null : new File(in.readAllBytes(), typeOf(relative));
        }
    }

    private static String typeOf(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }
}
