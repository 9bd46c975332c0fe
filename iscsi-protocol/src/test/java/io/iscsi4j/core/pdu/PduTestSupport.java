package io.iscsi4j.core.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

/** Helpers for the PDU codec tests. All buffers are pooled so that the leak check sees them. */
final class PduTestSupport {

    private static final Set<String> NOT_FIELDS = Set.of("data", "refCnt", "retain", "touch", "release",
            "toString", "hashCode", "getClass", "builder", "headerLength");

    private PduTestSupport() {
    }

    /** A pooled buffer holding {@code bytes}. */
    static ByteBuf pooled(byte... bytes) {
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    /** A pooled buffer holding the UTF-8 bytes of {@code text}. */
    static ByteBuf pooled(String text) {
        return pooled(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes from int literals, so fixtures can be written as 0xC1 without casts. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** Concatenates arrays. */
    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** The readable bytes of {@code buf}, without moving its reader index. */
    static byte[] toArray(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    /**
     * Encodes {@code pdu} through a {@link PduEncoder} pipeline with the given digests and returns
     * the wire bytes as one pooled buffer. The PDU is consumed (released by the encoder).
     */
    static ByteBuf encode(Pdu pdu, DigestSettings digests) {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(digests);
        assertThat(channel.writeOutbound(pdu)).isTrue();
        ByteBuf flat = ByteBufAllocator.DEFAULT.buffer();
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            flat.writeBytes(part); // the encoder writes a PDU in parts: header, data, trailer
            part.release();
        }
        assertThat(channel.finishAndReleaseAll()).as("leftover outbound messages").isFalse();
        return flat;
    }

    /**
     * Frames an encoded header and its data with {@link PduEncoder#writeEncoded} on a channel with the given digests
     * and returns the wire bytes as one pooled buffer; both buffers are consumed.
     */
    static ByteBuf encodeWithoutPdu(ByteBuf header, ByteBuf data, DigestSettings digests) {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(digests);
        PduEncoder.writeEncoded(channel, header, data);
        channel.flushOutbound();
        ByteBuf flat = ByteBufAllocator.DEFAULT.buffer();
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            flat.writeBytes(part);
            part.release();
        }
        assertThat(channel.finishAndReleaseAll()).as("leftover outbound messages").isFalse();
        return flat;
    }

    /** {@link #encodeWithoutPdu} without digests, as an array. */
    static byte[] encodeWithoutPduToArray(ByteBuf header, ByteBuf data) {
        ByteBuf buf = encodeWithoutPdu(header, data, DigestSettings.NONE);
        try {
            return toArray(buf);
        } finally {
            buf.release();
        }
    }

    /** Encodes without digests and returns the bytes. */
    static byte[] encodeToArray(Pdu pdu) {
        ByteBuf buf = encode(pdu, DigestSettings.NONE);
        try {
            return toArray(buf);
        } finally {
            buf.release();
        }
    }

    /** A decoder channel with the given digests and a 64 KiB data segment limit. */
    static EmbeddedChannel decoderChannel(boolean headerDigest, boolean dataDigest) {
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setHeaderDigest(headerDigest);
        decoder.setDataDigest(dataDigest);
        decoder.setMaxDataSegmentLength(65536);
        return new EmbeddedChannel(decoder);
    }

    /** Feeds {@code wire} (consumed) into a fresh decoder and returns the single message. */
    static Object decodeOne(byte[] wire) {
        EmbeddedChannel channel = decoderChannel(false, false);
        channel.writeInbound(pooled(wire));
        Object message = channel.readInbound();
        assertThat(message).as("decoded message").isNotNull();
        assertThat(channel.finishAndReleaseAll()).as("leftover inbound messages").isFalse();
        return message;
    }

    /**
     * Asserts that two PDUs have the same class, the same value for every public accessor (including
     * the CDB and the I bit) and the same data segment bytes.
     */
    static void assertSamePdu(Pdu actual, Pdu expected) {
        assertThat(actual).isExactlyInstanceOf(expected.getClass());
        for (Method method : expected.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
                    || method.getReturnType() == void.class || NOT_FIELDS.contains(method.getName())) {
                continue;
            }
            Object want = invoke(method, expected);
            Object got = invoke(method, actual);
            assertThat(Objects.deepEquals(want, got))
                    .as("%s.%s(): expected %s but was %s", expected.getClass().getSimpleName(),
                            method.getName(), describe(want), describe(got))
                    .isTrue();
        }
        assertThat(toArray(actual.data())).as("data segment").isEqualTo(toArray(expected.data()));
    }

    private static Object invoke(Method method, Object target) {
        try {
            return method.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError("cannot call " + method, e);
        }
    }

    private static String describe(Object value) {
        return value instanceof byte[] array ? ByteBufUtil.hexDump(array) : String.valueOf(value);
    }
}
