package io.iscsi4j.initiator.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Text data segments (RFC 7143 §6.1): {@code key=value} pairs, each ended by a NUL byte, UTF-8. */
public final class TextCodec {

    private TextCodec() {
    }

    /**
     * Encodes pairs in iteration order into a new buffer.
     *
     * @param alloc the allocator
     * @param pairs the pairs
     * @return a buffer the caller owns
     */
    public static ByteBuf encode(ByteBufAllocator alloc, Map<String, String> pairs) {
        StringBuilder sb = new StringBuilder();
        pairs.forEach((k, v) -> sb.append(k).append('=').append(v).append('\0'));
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = alloc.buffer(bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }

    /**
     * Decodes pairs; a key may occur more than once (SendTargets responses), so the result is a list.
     *
     * @param text the bytes, not moved
     * @return the pairs in order
     */
    public static List<Map.Entry<String, String>> decode(byte[] text) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == 0) {
                if (i > start) {
                    String item = new String(text, start, i - start, StandardCharsets.UTF_8);
                    int eq = item.indexOf('=');
                    if (eq > 0) {
                        pairs.add(Map.entry(item.substring(0, eq), item.substring(eq + 1)));
                    }
                }
                start = i + 1;
            }
        }
        return pairs;
    }

    /**
     * A value from the wire made safe for a log line: control characters escaped, length capped.
     *
     * @param value the text
     * @return the printable text
     */
    public static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length() && sb.length() < 200; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Bytes as a CHAP hex value.
     *
     * @param bytes the bytes
     * @return {@code 0x...}
     */
    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder("0x");
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    /**
     * Decodes a binary value: {@code 0x} hex or {@code 0b} base64 (RFC 7143 §6.1).
     *
     * @param value the value
     * @return the bytes
     * @throws IllegalArgumentException if it is neither
     */
    public static byte[] binary(String value) {
        if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
            String hex = value.substring(2);
            if (hex.length() % 2 != 0) {
                hex = "0" + hex;
            }
            byte[] out = new byte[hex.length() / 2];
            for (int i = 0; i < out.length; i++) {
                int hi = Character.digit(hex.charAt(2 * i), 16);
                int lo = Character.digit(hex.charAt(2 * i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("not a hex value");
                }
                out[i] = (byte) (hi << 4 | lo);
            }
            return out;
        }
        if (value.length() > 2 && (value.startsWith("0b") || value.startsWith("0B"))) {
            return java.util.Base64.getDecoder().decode(value.substring(2));
        }
        throw new IllegalArgumentException("not a binary value (0x or 0b)");
    }
}
