package io.starling.broker.cluster.routes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a node tells the others of its own subscriptions: all of them ({@code full}: every filter with
 * its count of local subscriptions, replacing what the receiver had of the node) or the filters whose
 * presence changed ({@code full} false: count 0 means the node has no subscription on it any more).
 * A key {@code $share/{name}/{filter}} is a shared subscription group, its count the node's number of
 * members of it (sent at every change of the count, not only when the group appears or goes).
 *
 * <p>Wire format, version 2 (version 1 had the same bytes, with groups announced as their bare filter;
 * nodes of one cluster run one version): {@code version:u8, full:u8, n:i32, n × (length:i32, filter UTF-8, count:i32)}.
 * Filters are written as UTF-8 with an explicit length (not {@code writeUTF}, whose modified UTF-8
 * can exceed 65535 bytes for a valid filter). The single byte {@code 0} ({@link #FULL_REQUEST}, sent to
 * one node) is not an announcement but asks that node to announce in full again (see {@link HeldRoutes}).
 */
record RouteAnnouncement(boolean full, Map<String, Integer> counts) {
    private static final int VERSION = 2;
    /** "Announce your routes in full": sent to a node whose announcements this node had to drop. */
    static final byte[] FULL_REQUEST = {0};

    static boolean isFullRequest(byte[] data) {
        return data.length == 1 && data[0] == 0;
    }

    RouteAnnouncement {
        counts = Map.copyOf(counts);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + counts.size() * 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeBoolean(full);
            out.writeInt(counts.size());
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                byte[] filter = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeInt(filter.length);
                out.write(filter);
                out.writeInt(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** @throws IOException when the bytes are not a version 2 announcement */
    static RouteAnnouncement decode(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("route announcement version " + version + ", expected " + VERSION);
        }
        boolean full = in.readBoolean();
        int n = in.readInt();
        if (n < 0 || n > data.length / 9) {
            throw new IOException("route announcement with " + n + " filters in " + data.length + " bytes");
        }
        Map<String, Integer> counts = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            int length = in.readInt();
            if (length < 0 || length > in.available()) {
                throw new IOException("filter length " + length);
            }
            byte[] filter = in.readNBytes(length);
            int count = in.readInt();
            if (count < 0) {
                throw new IOException("negative count " + count);
            }
            counts.put(new String(filter, StandardCharsets.UTF_8), count);
        }
        if (in.available() != 0) {
            throw new IOException(in.available() + " bytes after the route announcement");
        }
        return new RouteAnnouncement(full, counts);
    }
}
