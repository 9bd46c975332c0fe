package io.iscsi4j.core.pdu;

/**
 * The digests in effect for one connection's outbound PDUs (RFC 7143 §13.1), read by
 * {@link PduEncoder} from the channel attribute {@link PduEncoder#DIGESTS} at encode time.
 *
 * <p>The only digest is CRC32C ({@link java.util.zip.CRC32C}); on the wire its 32-bit value is sent
 * least significant byte first (RFC 7143 Appendix B.4: 32 zero bytes give the digest bytes
 * {@code aa 36 91 8a}, i.e. the value {@code 0x8a9136aa}).
 *
 * <p>Immutable; change digests by setting a new instance on the attribute.
 *
 * @param headerDigest whether a CRC32C header digest follows the BHS and AHS
 * @param dataDigest whether a CRC32C data digest follows every non-empty data segment
 */
public record DigestSettings(boolean headerDigest, boolean dataDigest) {

    /** No digests (the default before and during login). */
    public static final DigestSettings NONE = new DigestSettings(false, false);

    /** Both header and data digests (CRC32C). */
    public static final DigestSettings BOTH = new DigestSettings(true, true);
}
