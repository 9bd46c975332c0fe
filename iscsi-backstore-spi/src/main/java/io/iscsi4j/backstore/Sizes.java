package io.iscsi4j.backstore;

import java.util.Locale;
import java.util.Objects;

/** Parses byte sizes such as {@code 512}, {@code 64K}, {@code 1GiB}; see {@link Backstores#parseSize}. */
final class Sizes {

    private Sizes() {
    }

    static long parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim().toLowerCase(Locale.ROOT);
        int end = s.length();
        boolean binarySuffix = s.endsWith("ib");
        if (binarySuffix) {
            end -= 2;
        } else if (s.endsWith("b")) {
            end -= 1;
        }
        int digits = 0;
        while (digits < end && s.charAt(digits) >= '0' && s.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || end - digits > 1 || (binarySuffix && end == digits)) {
            throw malformed(text);
        }
        int shift = end == digits ? 0 : unitShift(s.charAt(digits), text);
        long value;
        try {
            value = Long.parseLong(s, 0, digits, 10);
        } catch (NumberFormatException e) {
            throw tooLarge(text);
        }
        if (value > Long.MAX_VALUE >> shift) {
            throw tooLarge(text);
        }
        return value << shift;
    }

    private static int unitShift(char unit, String text) {
        return switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            case 'p' -> 50;
            default -> throw malformed(text);
        };
    }

    private static IllegalArgumentException malformed(String text) {
        return new IllegalArgumentException("malformed size '" + text
                + "': expected a whole number of bytes with an optional binary unit K, M, G, T or P"
                + " (optionally followed by B or iB), for example 512, 64K, 1GiB");
    }

    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException("size '" + text + "' does not fit in a 64-bit byte count");
    }
}
