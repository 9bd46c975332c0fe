package io.iscsi4j.client;

import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.ScsiCommandException;
import io.iscsi4j.initiator.ScsiRequest;
import io.iscsi4j.initiator.ScsiResult;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** INQUIRY and its VPD pages (SPC-5 6.7, 7.7), decoded for printing. */
final class Inquiry {

    private static final String[] DEVICE_TYPES = {"disk", "tape", "printer", "processor", "write-once",
        "cd/dvd", "scanner", "optical", "changer", "communications", "obsolete", "obsolete", "controller",
        "enclosure", "rbc", "ocrw", "bridge", "osd", "zbc"};

    /** Standard INQUIRY data (SPC-5 6.7.2). */
    record Standard(int deviceType, boolean present, String vendor, String product, String revision) {

        String typeName() {
            return deviceType < DEVICE_TYPES.length ? DEVICE_TYPES[deviceType] : "type 0x" + Integer.toHexString(
                    deviceType);
        }
    }

    private Inquiry() {
    }

    static Standard standard(Connection c, IscsiSession session, int lun) throws IscsiException {
        ByteBuffer d = run(c, session, lun, new byte[] {0x12, 0, 0, 0, 96, 0}, 96, "INQUIRY");
        int b0 = d.limit() > 0 ? d.get(0) & 0xFF : 0x7F;
        return new Standard(b0 & 0x1F, (b0 >> 5) == 0, ascii(d, 8, 8), ascii(d, 16, 16), ascii(d, 32, 4));
    }

    /** The unit serial number (VPD 80h), or {@code null} when the page is not supported. */
    static String serial(Connection c, IscsiSession session, int lun) throws IscsiException {
        ByteBuffer d = vpd(c, session, lun, 0x80);
        if (d == null || d.limit() < 4) {
            return null;
        }
        int len = Math.min(d.getShort(2) & 0xFFFF, d.limit() - 4);
        return ascii(d, 4, len);
    }

    /** The designation descriptors of VPD 83h, one line each, or an empty list. */
    static List<String> identifiers(Connection c, IscsiSession session, int lun) throws IscsiException {
        List<String> lines = new ArrayList<>();
        ByteBuffer d = vpd(c, session, lun, 0x83);
        if (d == null || d.limit() < 4) {
            return lines;
        }
        int end = Math.min(4 + (d.getShort(2) & 0xFFFF), d.limit());
        int p = 4;
        while (p + 4 <= end) {
            int codeSet = d.get(p) & 0x0F;
            int association = (d.get(p + 1) >> 4) & 0x3;
            int type = d.get(p + 1) & 0x0F;
            int len = d.get(p + 3) & 0xFF;
            if (p + 4 + len > end) {
                break;
            }
            String value;
            if (codeSet == 2 || codeSet == 3) {
                value = ascii(d, p + 4, len);
            } else {
                byte[] raw = new byte[len];
                d.get(p + 4, raw);
                value = "0x" + HexFormat.of().formatHex(raw);
            }
            String assoc = switch (association) {
                case 0 -> "logical unit";
                case 1 -> "target port";
                case 2 -> "target device";
                default -> "reserved";
            };
            lines.add(designatorType(type) + " (" + assoc + "): " + value);
            p += 4 + len;
        }
        return lines;
    }

    private static String designatorType(int type) {
        return switch (type) {
            case 0 -> "vendor specific";
            case 1 -> "T10 vendor id";
            case 2 -> "EUI-64";
            case 3 -> "NAA";
            case 4 -> "relative target port";
            case 5 -> "target port group";
            case 6 -> "logical unit group";
            case 7 -> "MD5 logical unit id";
            case 8 -> "SCSI name";
            case 9 -> "protocol specific port";
            case 10 -> "UUID";
            default -> "type " + type;
        };
    }

    /** A VPD page's data, or {@code null} when the target refuses the page (CHECK CONDITION). */
    private static ByteBuffer vpd(Connection c, IscsiSession session, int lun, int page) throws IscsiException {
        byte[] cdb = {0x12, 1, (byte) page, 0x01, 0x00, 0};
        ScsiResult r = c.await(session.execute(ScsiRequest.read(lun, cdb, 256)), "INQUIRY VPD page");
        if (r.status() == ScsiResult.CHECK_CONDITION) {
            return null;
        }
        if (!r.isGood()) {
            throw new ScsiCommandException("INQUIRY VPD " + Integer.toHexString(page) + "h", r);
        }
        ByteBuffer d = r.data();
        return d == null || (d.limit() > 1 && (d.get(1) & 0xFF) != page) ? null : d;
    }

    static ByteBuffer run(Connection c, IscsiSession session, int lun, byte[] cdb, int length, String name)
            throws IscsiException {
        ScsiResult r = c.await(session.execute(ScsiRequest.read(lun, cdb, length)), name);
        if (!r.isGood()) {
            throw new ScsiCommandException(name, r);
        }
        return r.data();
    }

    private static String ascii(ByteBuffer d, int offset, int length) {
        int n = Math.max(0, Math.min(length, d.limit() - offset));
        byte[] b = new byte[n];
        d.get(offset, b);
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(x >= 0x20 && x < 0x7F ? (char) x : x == 0 ? ' ' : '.');
        }
        return sb.toString().strip();
    }
}
