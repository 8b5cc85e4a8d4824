package io.starling.mqtt.tools.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --ifaddr}: the local addresses connections are spread over, round-robin, so that a run can
 * open more connections than one address has ephemeral ports (about 28,000 on Linux by default). A
 * comma-separated list, where an item may be an IPv4 range: {@code 127.0.0.2-127.0.0.9} or
 * {@code 127.0.0.2-9}.
 */
public final class SourceAddressList {
    private SourceAddressList() {
    }

    public static List<InetAddress> parse(String spec) {
        List<InetAddress> all = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return all;
        }
        for (String item : spec.split(",")) {
            item = item.trim();
            int dash = item.indexOf('-');
            if (dash < 0) {
                all.add(address(item));
                continue;
            }
            byte[] first = address(item.substring(0, dash)).getAddress();
            String end = item.substring(dash + 1);
            byte[] last = end.contains(".") ? address(end).getAddress() : lastOctet(first, end);
            if (first.length != 4 || last.length != 4) {
                throw new IllegalArgumentException("--ifaddr: ranges are IPv4 only: " + item);
            }
            long from = toLong(first);
            long to = toLong(last);
            if (to < from || to - from > 65_535) {
                throw new IllegalArgumentException("--ifaddr: bad range " + item);
            }
            for (long a = from; a <= to; a++) {
                all.add(address(a));
            }
        }
        return all;
    }

    private static byte[] lastOctet(byte[] first, String octet) {
        byte[] last = first.clone();
        int value;
        try {
            value = Integer.parseInt(octet);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--ifaddr: bad range end " + octet);
        }
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("--ifaddr: bad range end " + octet);
        }
        last[last.length - 1] = (byte) value;
        return last;
    }

    private static long toLong(byte[] a) {
        return (a[0] & 0xFFL) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | a[3] & 0xFF;
    }

    private static InetAddress address(long a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >> 24), (byte) (a >> 16), (byte) (a >> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress address(String text) {
        // Literal addresses only: a host name here would be a DNS lookup per item.
        if (!text.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("--ifaddr: not an IP address: " + text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--ifaddr: not an IP address: " + text);
        }
    }
}
