package io.iscsi4j.core.login;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An ordered list of {@code key=value} pairs and its wire form (RFC 7143 §6.1): UTF-8 text where every pair,
 * including the last, is followed by one NUL byte.
 *
 * <p>Decoding is strict: every pair needs a {@code '='}; a key name is 1 to {@value #MAX_KEY_LENGTH} bytes
 * of letters, digits and {@code . - + @ _ #}, starting with a letter; a value is valid UTF-8 of at most
 * {@value #MAX_VALUE_LENGTH} bytes, or {@value #MAX_LARGE_VALUE_LENGTH} bytes for the keys of an
 * authentication method ({@code CHAP_*}, {@code SRP_*}, {@code KRB_*}, {@code SPKM_*}), whose challenges and
 * responses are long; the text ends with a NUL; and no key appears twice. The total size is bounded by the
 * caller, which assembles the text from one or more PDUs.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class TextParameters {

    /** Longest key name in bytes (RFC 7143 §6.1). */
    public static final int MAX_KEY_LENGTH = 63;

    /** Longest value in bytes for most keys (RFC 7143 §6.1). */
    public static final int MAX_VALUE_LENGTH = 255;

    /** Longest value in bytes for the keys of an authentication method (RFC 7143 §6.1, §12). */
    public static final int MAX_LARGE_VALUE_LENGTH = 8192;

    private static final TextParameters EMPTY = new TextParameters(List.of());
    private static final List<String> LARGE_VALUE_KEY_PREFIXES = List.of("CHAP_", "SRP_", "KRB_", "SPKM_");

    private final List<TextParameter> pairs;

    private TextParameters(List<TextParameter> pairs) {
        this.pairs = pairs;
    }

    /**
     * No pairs.
     *
     * @return the empty list of pairs
     */
    public static TextParameters empty() {
        return EMPTY;
    }

    /**
     * Pairs to encode. A key may repeat here (a SendTargets response repeats {@code TargetName} and
     * {@code TargetAddress}).
     *
     * @param pairs the pairs in wire order
     * @return the pairs
     * @throws IllegalArgumentException if a key name is invalid or a value contains a NUL character
     */
    public static TextParameters of(List<TextParameter> pairs) {
        List<TextParameter> copy = List.copyOf(pairs);
        for (TextParameter pair : copy) {
            String problem = keyNameProblem(pair.key());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (pair.value().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("value of " + pair.key() + " contains a NUL character");
            }
        }
        return copy.isEmpty() ? EMPTY : new TextParameters(copy);
    }

    /**
     * Decodes a complete data segment in which no key may appear twice (every login request and text request).
     *
     * @param segment the data segment without padding; an empty array means no pairs; not retained
     * @return the pairs in wire order
     * @throws TextFormatException if the text is malformed or a key appears twice
     */
    public static TextParameters decode(byte[] segment) throws TextFormatException {
        return decode(segment, false);
    }

    /**
     * Decodes a complete data segment.
     *
     * @param segment the data segment without padding
     * @param allowRepeatedKeys whether a key may appear more than once (only in target responses)
     * @return the pairs in wire order
     * @throws TextFormatException if the text is malformed
     */
    static TextParameters decode(byte[] segment, boolean allowRepeatedKeys) throws TextFormatException {
        Objects.requireNonNull(segment, "segment");
        if (segment.length == 0) {
            return EMPTY;
        }
        if (segment[segment.length - 1] != 0) {
            throw new TextFormatException("text does not end with a NUL byte (length " + segment.length + ")");
        }
        List<TextParameter> pairs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int start = 0;
        while (start < segment.length) {
            int end = start;
            while (segment[end] != 0) {
                end++;
            }
            TextParameter pair = decodePair(segment, start, end);
            if (!allowRepeatedKeys && !seen.add(pair.key())) {
                throw new TextFormatException("key " + pair.key() + " appears more than once");
            }
            pairs.add(pair);
            start = end + 1;
        }
        return new TextParameters(Collections.unmodifiableList(pairs));
    }

    private static TextParameter decodePair(byte[] segment, int start, int end) throws TextFormatException {
        if (start == end) {
            throw new TextFormatException("empty key=value pair at offset " + start);
        }
        int equals = start;
        while (equals < end && segment[equals] != '=') {
            equals++;
        }
        if (equals == end) {
            throw new TextFormatException("pair at offset " + start + " has no '='");
        }
        int keyLength = equals - start;
        if (keyLength > MAX_KEY_LENGTH) {
            throw new TextFormatException("key at offset " + start + " is " + keyLength + " bytes long, more than "
                    + MAX_KEY_LENGTH);
        }
        String key = new String(segment, start, keyLength, StandardCharsets.US_ASCII);
        String problem = keyNameProblem(key);
        if (problem != null) {
            throw new TextFormatException(problem);
        }
        int valueLength = end - equals - 1;
        int maxValueLength = maxValueLength(key);
        if (valueLength > maxValueLength) {
            throw new TextFormatException("value of " + key + " is " + valueLength + " bytes long, more than "
                    + maxValueLength);
        }
        return new TextParameter(key, decodeUtf8(key, segment, equals + 1, valueLength));
    }

    private static String decodeUtf8(String key, byte[] segment, int offset, int length)
            throws TextFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(segment, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new TextFormatException("value of " + key + " is not valid UTF-8");
        }
    }

    /** Why {@code key} is not a valid key name, or {@code null} when it is. */
    private static String keyNameProblem(String key) {
        if (key.isEmpty()) {
            return "empty key name";
        }
        if (key.length() > MAX_KEY_LENGTH) {
            return "key name " + key + " is longer than " + MAX_KEY_LENGTH + " bytes";
        }
        if (!isAsciiLetter(key.charAt(0))) {
            return "key name " + printable(key) + " does not start with a letter";
        }
        for (int i = 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && ".-+@_#".indexOf(c) < 0) {
                return "key name " + printable(key) + " contains an invalid character";
            }
        }
        return null;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static String printable(String key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }

    /**
     * The longest value in bytes that {@link #decode} accepts for a key.
     *
     * @param key a key name
     * @return {@value #MAX_LARGE_VALUE_LENGTH} for authentication-method keys, else {@value #MAX_VALUE_LENGTH}
     */
    public static int maxValueLength(String key) {
        for (String prefix : LARGE_VALUE_KEY_PREFIXES) {
            if (key.startsWith(prefix)) {
                return MAX_LARGE_VALUE_LENGTH;
            }
        }
        return MAX_VALUE_LENGTH;
    }

    /**
     * The wire form: every pair as UTF-8 {@code key=value} followed by a NUL byte.
     *
     * @return a new array owned by the caller; empty when there are no pairs
     */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (TextParameter pair : pairs) {
            byte[] key = pair.key().getBytes(StandardCharsets.UTF_8);
            byte[] value = pair.value().getBytes(StandardCharsets.UTF_8);
            out.write(key, 0, key.length);
            out.write('=');
            out.write(value, 0, value.length);
            out.write(0);
        }
        return out.toByteArray();
    }

    /**
     * The pairs in wire order.
     *
     * @return an unmodifiable list
     */
    public List<TextParameter> pairs() {
        return pairs;
    }

    /**
     * The value of the first pair with this key.
     *
     * @param key a key name, compared case-sensitively
     * @return the value, or empty when the key is absent
     */
    public Optional<String> get(String key) {
        for (TextParameter pair : pairs) {
            if (pair.key().equals(key)) {
                return Optional.of(pair.value());
            }
        }
        return Optional.empty();
    }

    /**
     * Whether there are no pairs.
     *
     * @return {@code true} for an empty text
     */
    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TextParameters that && pairs.equals(that.pairs);
    }

    @Override
    public int hashCode() {
        return pairs.hashCode();
    }

    @Override
    public String toString() {
        return pairs.toString();
    }
}
