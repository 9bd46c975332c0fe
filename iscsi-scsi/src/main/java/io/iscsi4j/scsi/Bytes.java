package io.iscsi4j.scsi;

import java.nio.charset.StandardCharsets;

/** Writes big-endian fields into parameter data (INQUIRY, VPD and mode pages, capacity data). */
final class Bytes {

    private Bytes() {
    }

    static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void putU64(byte[] b, int off, long v) {
        putU32(b, off, v >>> 32);
        putU32(b, off + 4, v);
    }

    /** Puts {@code s} left-aligned in a field of {@code width} bytes, padded with ASCII spaces (SPC-5 §4.3.1). */
    static void putAscii(byte[] b, int off, int width, String s) {
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(a.length, width);
        System.arraycopy(a, 0, b, off, n);
        for (int i = n; i < width; i++) {
            b[off + i] = ' ';
        }
    }

    /** Whether {@code s} is printable ASCII (20h to 7Eh) only. */
    static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
