package io.iscsi4j.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * iSCSI text key=value pairs (RFC 7143 §6.1): UTF-8 {@code key=value} strings, each terminated by a NUL byte.
 */
final class TextKeys {

    private TextKeys() {
    }

    /** Encodes the pairs in iteration order. */
    static byte[] encode(Map<String, String> pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            out.writeBytes((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a data segment into pairs in order; keys may repeat (SendTargets answers).
     *
     * @throws ProtocolViolation when a pair has no '=' or the text is not NUL-terminated
     */
    static List<Map.Entry<String, String>> decode(byte[] data) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        if (data.length == 0) {
            return pairs;
        }
        if (data[data.length - 1] != 0) {
            throw new ProtocolViolation("text data segment is not NUL-terminated (RFC 7143 §6.1): "
                    + new String(data, StandardCharsets.UTF_8));
        }
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] != 0) {
                continue;
            }
            if (i > start) {
                String kv = new String(data, start, i - start, StandardCharsets.UTF_8);
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new ProtocolViolation("text pair without key=value form (RFC 7143 §6.1): \"" + kv + "\"");
                }
                pairs.add(Map.entry(kv.substring(0, eq), kv.substring(eq + 1)));
            }
            start = i + 1;
        }
        return pairs;
    }
}
