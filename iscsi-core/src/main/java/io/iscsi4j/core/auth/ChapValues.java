package io.iscsi4j.core.auth;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Decodes and encodes the values of the CHAP keys (RFC 7143 §6.1, §12.1.3): {@code CHAP_C} and {@code CHAP_R} are
 * binary values written as a hex constant ({@code 0x} or {@code 0X} and hex digits; an odd count implies a leading
 * zero digit) or a base64 constant ({@code 0b} or {@code 0B} and RFC 4648 base64); {@code CHAP_I} is a number,
 * decimal or hex, from 0 to 255.
 */
final class ChapValues {

    /** The most bytes a received challenge or response may decode to; real ones have 16 to 64. */
    static final int MAX_BINARY_LENGTH = 1024;

    private static final HexFormat HEX = HexFormat.of();

    private ChapValues() {
    }

    /**
     * Decodes a binary value.
     *
     * @param value the text after {@code =}
     * @return the bytes, or empty when the value is not a well-formed hex or base64 constant of 1 to
     *     {@link #MAX_BINARY_LENGTH} bytes
     */
    static Optional<byte[]> decodeBinary(String value) {
        if (value.length() < 3 || value.charAt(0) != '0') {
            return Optional.empty();
        }
        char kind = value.charAt(1);
        String digits = value.substring(2);
        byte[] bytes;
        if (kind == 'x' || kind == 'X') {
            if (digits.length() > 2 * MAX_BINARY_LENGTH || !isHex(digits)) {
                return Optional.empty();
            }
            bytes = HEX.parseHex(digits.length() % 2 == 0 ? digits : "0" + digits);
        } else if (kind == 'b' || kind == 'B') {
            if (digits.length() > 4 * ((MAX_BINARY_LENGTH + 2) / 3)) {
                return Optional.empty();
            }
            try {
                bytes = Base64.getDecoder().decode(digits);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        } else {
            return Optional.empty();
        }
        return bytes.length == 0 || bytes.length > MAX_BINARY_LENGTH ? Optional.empty() : Optional.of(bytes);
    }

    /**
     * Decodes a {@code CHAP_I} value.
     *
     * @param value the text after {@code =}
     * @return 0 to 255, or empty when the value is not a decimal or hex number in that range
     */
    static Optional<Integer> decodeIdentifier(String value) {
        String digits;
        int radix;
        if (value.startsWith("0x") || value.startsWith("0X")) {
            digits = value.substring(2);
            radix = 16;
            if (!isHex(digits)) {
                return Optional.empty();
            }
        } else {
            digits = value;
            radix = 10;
            for (int i = 0; i < digits.length(); i++) {
                if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                    return Optional.empty();
                }
            }
        }
        if (digits.isEmpty() || digits.length() > 8) {
            return Optional.empty();
        }
        int number = Integer.parseInt(digits, radix);
        return number <= 255 ? Optional.of(number) : Optional.empty();
    }

    /**
     * Encodes bytes as a lower-case hex constant, the form every initiator reads.
     *
     * @param bytes the value
     * @return {@code 0x} followed by two digits per byte
     */
    static String encodeHex(byte[] bytes) {
        return "0x" + HEX.formatHex(bytes);
    }

    private static boolean isHex(String digits) {
        if (digits.isEmpty()) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                return false;
            }
        }
        return true;
    }
}
