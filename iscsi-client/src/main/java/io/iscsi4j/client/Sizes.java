package io.iscsi4j.client;

import java.util.Locale;

/** Parses sizes such as {@code 4k} or {@code 1M} and formats byte counts and rates for people. */
final class Sizes {

    private static final double MIB = 1024.0 * 1024.0;

    private Sizes() {
    }

    /**
     * A size in bytes: a number with an optional {@code k}, {@code m} or {@code g} suffix (powers of 1024, any case,
     * an optional trailing {@code b} or {@code iB}).
     */
    static long parse(String option, String text) throws UsageException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2))) {
            t = t.substring(0, t.length() - 1);
        }
        long factor = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> factor = 1L << 10;
                case 'm' -> factor = 1L << 20;
                case 'g' -> factor = 1L << 30;
                default -> factor = 1;
            }
        }
        if (factor != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long value = Long.parseLong(t);
            if (value <= 0 || value > Long.MAX_VALUE / factor) {
                throw new UsageException(option + " must be a positive size: " + text);
            }
            return value * factor;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " is not a size (like 4k or 1M): " + text);
        }
    }

    /** {@code 64.0 MiB}, {@code 1.00 GiB}, {@code 512 bytes}. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
    }

    /** {@code 4k}, {@code 1M}, {@code 1536} (as the options take them). */
    static String shortSize(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + "G";
        } else if (bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + "M";
        } else if (bytes % 1024 == 0) {
            return bytes / 1024 + "k";
        }
        return Long.toString(bytes);
    }

    /** Bytes per second as MiB/s with one decimal. */
    static String mibPerSecond(long bytes, long nanos) {
        return String.format(Locale.ROOT, "%.1f MiB/s", bytes / MIB / Math.max(nanos, 1) * 1e9);
    }
}
