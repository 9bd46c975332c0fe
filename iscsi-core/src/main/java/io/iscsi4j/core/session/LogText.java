package io.iscsi4j.core.session;

/**
 * Makes text that came from the network safe to put in a log line: initiator and target names, aliases, key names
 * and values, and reasons built from them. A peer must not be able to start a new line (and so forge a log entry),
 * hide text behind terminal escape sequences or reorder what a reader sees, nor make one line arbitrarily long.
 * Stateless.
 */
final class LogText {

    /** The most characters of one value kept; a longer value is cut and ends with {@link #ELLIPSIS}. */
    static final int MAX_LENGTH = 256;

    /** Appended to a value cut at {@link #MAX_LENGTH} characters. */
    static final String ELLIPSIS = "\u2026";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogText() {
    }

    /**
     * {@code text} with every control character replaced by an escape and cut to {@link #MAX_LENGTH} characters.
     * Replaced are the C0 controls (below U+0020, among them CR, LF, TAB and ESC), DEL and the C1 controls
     * (U+007F to U+009F, among them NEL) as {@code \xNN}, and the line and paragraph separators (U+2028, U+2029) and
     * the bidirectional embedding, override and isolate controls (U+202A to U+202E, U+2066 to U+2069) as
     * <code>&#92;uNNNN</code>. A surrogate pair is never split by the cut.
     *
     * @param text the value as received, or {@code null}
     * @return the printable form; {@code "null"} for {@code null}
     */
    static String escape(CharSequence text) {
        return escape(text, MAX_LENGTH);
    }

    /**
     * {@code text} escaped as {@link #escape(CharSequence)} does, cut to {@code maxLength} characters of the
     * original.
     *
     * @param text the value as received, or {@code null}
     * @param maxLength the most characters of {@code text} kept, at least 1
     * @return the printable form; {@code "null"} for {@code null}
     */
    static String escape(CharSequence text, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1: " + maxLength);
        }
        if (text == null) {
            return "null";
        }
        int length = text.length();
        int end = Math.min(length, maxLength);
        if (end < length && end > 0 && Character.isHighSurrogate(text.charAt(end - 1))
                && Character.isLowSurrogate(text.charAt(end))) {
            end--; // keep the pair whole: drop its first half as well
        }
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (needsEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(end + 16).append(text, 0, i);
                }
                if (c <= 0xff) {
                    out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                } else {
                    out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                            .append(HEX[c & 0xf]);
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        if (end < length) {
            if (out == null) {
                out = new StringBuilder(end + 1).append(text, 0, end);
            }
            out.append(ELLIPSIS);
        }
        return out != null ? out.toString() : text.toString();
    }

    /** Whether a character may not appear as itself in a log line. */
    private static boolean needsEscape(char c) {
        return c < 0x20
                || c >= 0x7f && c <= 0x9f
                || c == '\u2028' || c == '\u2029'
                || c >= '\u202a' && c <= '\u202e'
                || c >= '\u2066' && c <= '\u2069';
    }
}
