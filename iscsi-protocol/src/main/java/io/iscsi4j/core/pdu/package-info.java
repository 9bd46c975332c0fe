/**
 * Internal, not API (public types here serve iscsi4j's target and initiator modules, to which module
 * {@code io.iscsi4j.protocol} exports this package, and may change in any release): iSCSI
 * protocol data units (RFC 7143 §11) and their Netty framing.
 *
 * <p>Every PDU type is an immutable value class built by a builder and decoded by
 * {@link io.iscsi4j.core.pdu.Pdu#decode}. {@link io.iscsi4j.core.pdu.PduFrameDecoder} turns a byte
 * stream into PDUs (handling AHS, digests and padding); {@link io.iscsi4j.core.pdu.PduEncoder} does the
 * reverse. A PDU owns one reference to its data segment and is itself
 * {@link io.netty.util.ReferenceCounted}: whoever holds a PDU must eventually release it.
 *
 * <p>All multi-byte BHS fields are big-endian (network byte order). Sequence numbers and tags are
 * carried as Java {@code int}s and must be interpreted as unsigned 32-bit values (serial number
 * arithmetic, RFC 1982).
 */
package io.iscsi4j.core.pdu;
