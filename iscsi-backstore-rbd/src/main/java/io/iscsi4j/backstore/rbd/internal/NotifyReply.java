package io.iscsi4j.backstore.rbd.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The reply buffer of {@code rados_notify2}/{@code rados_aio_notify}, decoded. Its layout (librados.h, and what
 * Ceph 16.2 sends), little-endian:
 *
 * <pre>
 * le32 num_acks
 * { le64 gid; le64 cookie; le32 buflen; u8 payload[buflen]; } * num_acks   (every watcher that acknowledged)
 * le32 num_timeouts
 * { le64 gid; le64 cookie; } * num_timeouts                                 (every watcher that did not, in time)
 * </pre>
 *
 * A client with several watches on the object appears once per watch.
 *
 * @param acks the watchers that acknowledged, with their payloads
 * @param timeouts the watchers that did not acknowledge before the notify's timeout
 */
record NotifyReply(List<Ack> acks, List<Timeout> timeouts) {

    /**
     * An acknowledgement.
     *
     * @param gid the watcher's client global id
     * @param cookie its watch's handle
     * @param payload what it sent with {@code rados_notify_ack}
     */
    record Ack(long gid, long cookie, byte[] payload) {
    }

    /**
     * A watcher that did not acknowledge in time.
     *
     * @param gid the watcher's client global id
     * @param cookie its watch's handle
     */
    record Timeout(long gid, long cookie) {
    }

    NotifyReply {
        acks = List.copyOf(acks);
        timeouts = List.copyOf(timeouts);
    }

    /**
     * Decodes a reply buffer.
     *
     * @param bytes the buffer's bytes
     * @return the acknowledgements and time-outs
     * @throws IllegalArgumentException when the buffer is truncated or longer than its counts say
     */
    static NotifyReply decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int acks = b.getInt();
            if (acks < 0 || acks > b.remaining() / 20) {
                throw new IllegalArgumentException("notify reply: " + Integer.toUnsignedString(acks) + " acks in "
                        + bytes.length + " bytes");
            }
            List<Ack> ackList = new ArrayList<>(acks);
            for (int i = 0; i < acks; i++) {
                long gid = b.getLong();
                long cookie = b.getLong();
                int length = b.getInt();
                if (length < 0 || length > b.remaining()) {
                    throw new IllegalArgumentException("notify reply: a payload of " + Integer.toUnsignedString(length)
                            + " bytes with " + b.remaining() + " left");
                }
                byte[] payload = new byte[length];
                b.get(payload);
                ackList.add(new Ack(gid, cookie, payload));
            }
            int timeouts = b.getInt();
            if (timeouts < 0 || timeouts > b.remaining() / 16) {
                throw new IllegalArgumentException("notify reply: " + Integer.toUnsignedString(timeouts)
                        + " time-outs with " + b.remaining() + " bytes left");
            }
            List<Timeout> timeoutList = new ArrayList<>(timeouts);
            for (int i = 0; i < timeouts; i++) {
                timeoutList.add(new Timeout(b.getLong(), b.getLong()));
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("notify reply: " + b.remaining() + " bytes after the time-outs");
            }
            return new NotifyReply(ackList, timeoutList);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("notify reply truncated at " + bytes.length + " bytes", e);
        }
    }
}
