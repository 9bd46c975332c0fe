package io.iscsi4j.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.core.pdu.FramingError;
import io.iscsi4j.core.pdu.LoginResponse;
import io.iscsi4j.core.pdu.MalformedPdu;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.session.IscsiConnection;
import io.iscsi4j.core.session.TargetContext;
import io.iscsi4j.core.transport.TargetServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of a whole connection: the production pipeline (frame decoder, encoder,
 * {@link IscsiConnection}) of a target with one 1 MiB memory LUN, on an {@link EmbeddedChannel}, fed a valid login
 * (operational stage straight to full feature phase, no digests) followed by fuzzed bytes.
 *
 * <p>Input layout: byte 0 the chunking (as in {@link PduFrameDecoderFuzzTest}); the rest is the byte stream after
 * the login. Storage I/O runs on the calling thread.
 *
 * <p>Invariants: the login succeeds; every byte the target sends decodes into well-formed target PDUs (no
 * malformed PDU, no framing error); no unexpected error is logged (the connection logs "unexpected error" for an
 * exception escaping its handlers); no exception reaches the end of the pipeline; every buffer allocated on the
 * channel is released when the connection closes.
 */
class ConnectionFuzzTest {

    static final String TARGET = "iqn.2026-11.io.iscsi4j:fuzz";
    static final String INITIATOR = "iqn.1993-08.org.debian:01:fuzz";

    private static final SeedRuns RUNS = new SeedRuns(ConnectionFuzzTest.class);
    private static IscsiTarget.Settings settings;

    @AfterAll
    static void everySeedRan() {
        RUNS.verify();
    }

    @FuzzTest(maxDuration = "5m")
    void fullFeaturePhase(byte[] input) throws Exception {
        RUNS.record("fullFeaturePhase");
        run(input);
    }

    /**
     * Runs one input through a fresh connection, checking every invariant.
     *
     * @return the opcodes of the PDUs the target sent after the Login Response
     */
    static List<String> run(byte[] input) throws Exception {
        FuzzInput in = new FuzzInput(input);
        int chunking = in.u8();
        byte[] stream = in.rest();
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = new LoopbackEmbeddedChannel();
        channel.config().setAllocator(alloc);
        PduFrameDecoder decoder = new PduFrameDecoder();
        channel.pipeline().addLast("frame", decoder);
        channel.pipeline().addLast("encoder", PduEncoder.INSTANCE);
        channel.pipeline().addLast("iscsi", new IscsiConnection(context(), decoder));

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        List<String> sent = new ArrayList<>();
        ResponseReader responses = new ResponseReader();
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            channel.register();
            channel.writeInbound(alloc.buffer().writeBytes(SeedCorpus.connectionLogin()));
            pump(channel, responses, sent);
            assertThat(sent).as("login response").hasSize(1);
            assertThat(responses.loginStatus).as("login status").isZero();
            sent.clear();
            int fed = 0;
            int lcg = chunking;
            while (fed < stream.length && channel.isOpen()) {
                int size = stream.length - fed;
                if (chunking != 0) {
                    lcg = lcg * 1_103_515_245 + 12_345;
                    size = Math.min(size, 1 + ((lcg >>> 16) % 97));
                }
                channel.writeInbound(alloc.buffer(size).writeBytes(stream, fed, size));
                fed += size;
                pump(channel, responses, sent);
            }
            channel.finish();
            pump(channel, responses, sent);
        } finally {
            System.setErr(stderr);
            responses.close();
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged).as("log output").doesNotContain("unexpected error").doesNotContain("ERROR");
        alloc.assertAllReleased();
        return sent;
    }

    /** Runs pending tasks and decodes what the target sent. */
    private static void pump(EmbeddedChannel channel, ResponseReader responses, List<String> sent) {
        for (int round = 0; round < 100_000; round++) {
            channel.runPendingTasks();
            Object out = channel.readOutbound();
            if (out == null) {
                return;
            }
            assertThat(out).as("outbound message").isInstanceOf(ByteBuf.class);
            responses.read((ByteBuf) out, sent);
        }
        throw new AssertionError("target keeps sending after 100000 messages");
    }

    /** An embedded channel with the socket addresses of a loopback TCP connection, as the target expects. */
    private static final class LoopbackEmbeddedChannel extends EmbeddedChannel {
        LoopbackEmbeddedChannel() {
            super(false, false);
        }

        @Override
        protected SocketAddress localAddress0() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 3260);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000);
        }
    }

    /** The target's output, split by a second frame decoder. */
    private static final class ResponseReader {
        private final EmbeddedChannel decoder = new EmbeddedChannel(new PduFrameDecoder());
        private int loginStatus = -1;

        ResponseReader() {
            ((PduFrameDecoder) decoder.pipeline().first()).setMaxDataSegmentLength(Pdu.MAX_DATA_SEGMENT_LENGTH);
        }

        void read(ByteBuf bytes, List<String> sent) {
            decoder.writeInbound(bytes);
            for (Object message = decoder.readInbound(); message != null; message = decoder.readInbound()) {
                try {
                    assertThat(message).as("target sent a malformed PDU or broke framing")
                            .isNotInstanceOf(MalformedPdu.class).isNotInstanceOf(FramingError.class);
                    Pdu pdu = (Pdu) message;
                    if (pdu instanceof LoginResponse login && loginStatus < 0) {
                        loginStatus = login.statusClass() << 8 | login.statusDetail();
                    }
                    sent.add(pdu.opcode().name());
                } finally {
                    ReferenceCountUtil.release(message);
                }
            }
        }

        void close() {
            decoder.finishAndReleaseAll();
        }
    }

    /**
     * A fresh target context for each run (sessions, logical units with their unit attentions and reservations),
     * so that an input means the same whatever ran before it: one target, LUN 0 over one shared 1 MiB memory
     * backstore, storage I/O on the caller's thread.
     */
    private static synchronized TargetContext context() throws ReflectiveOperationException {
        if (settings == null) {
            IscsiTarget target = IscsiTarget.builder().portal("127.0.0.1", 0)
                    .target(TARGET, t -> t.lun(0, Backstores.memory(1 << 20))).build();
            Field server = IscsiTarget.class.getDeclaredField("server");
            server.setAccessible(true);
            settings = ((TargetServer) server.get(target)).settings();
        }
        return new TargetContext(settings, Runnable::run);
    }
}
