package io.iscsi4j.initiator.internal;

import io.iscsi4j.core.pdu.FramingError;
import io.iscsi4j.core.pdu.LogoutRequest;
import io.iscsi4j.core.pdu.LogoutResponse;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.TextRequest;
import io.iscsi4j.core.pdu.TextResponse;
import io.iscsi4j.initiator.DiscoveredTarget;
import io.iscsi4j.initiator.IscsiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A discovery session after its login (RFC 7143 Appendix C): {@code SendTargets=All}, the (possibly continued)
 * Text Responses, then a logout. Confined to the connection's event loop.
 */
public final class DiscoveryProcess implements PduListener {

    private static final int TEXT_ITT = 1;
    private static final int LOGOUT_ITT = 2;
    /** The most SendTargets text accepted: a hostile target cannot exhaust memory. */
    static final int MAX_RESPONSE_TEXT = 1 << 20;

    private final PduConnection connection;
    private final CompletableFuture<List<DiscoveredTarget>> result = new CompletableFuture<>();
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    private final int cmdSN;
    private int expStatSN;
    private List<DiscoveredTarget> targets;

    private DiscoveryProcess(LoginResult login) {
        this.connection = login.connection();
        this.cmdSN = login.cmdSN();
        this.expStatSN = login.expStatSN();
    }

    /**
     * Runs SendTargets on a logged-in discovery session and logs out.
     *
     * @param login the discovery login; call on its event loop
     * @return the targets
     */
    public static CompletableFuture<List<DiscoveredTarget>> run(LoginResult login) {
        DiscoveryProcess process = new DiscoveryProcess(login);
        process.connection.listener(process);
        process.sendText(TextCodec.encode(ByteBufAllocator.DEFAULT, Map.of("SendTargets", "All")),
                Pdu.RESERVED_TAG);
        return process.result;
    }

    private void sendText(ByteBuf data, int ttt) {
        connection.send(TextRequest.builder()
                .initiatorTaskTag(TEXT_ITT)
                .finalFlag(true)
                .targetTransferTag(ttt)
                .cmdSN(cmdSN).expStatSN(expStatSN)
                .data(data)
                .build());
    }

    @Override
    public void onMessage(Object message) {
        try {
            if (message instanceof TextResponse response && response.initiatorTaskTag() == TEXT_ITT) {
                expStatSN = response.statSN() + 1;
                ByteBuf data = response.data();
                if (text.size() + data.readableBytes() > MAX_RESPONSE_TEXT) {
                    fail(new IscsiException("the SendTargets response exceeds " + MAX_RESPONSE_TEXT + " bytes"));
                    return;
                }
                text.write(ByteBufUtil.getBytes(data, data.readerIndex(), data.readableBytes()), 0,
                        data.readableBytes());
                if (response.continueFlag()) {
                    sendText(Unpooled.EMPTY_BUFFER, response.targetTransferTag());
                    return;
                }
                targets = parse(TextCodec.decode(text.toByteArray()));
                connection.send(LogoutRequest.builder()
                        .immediate(true)
                        .initiatorTaskTag(LOGOUT_ITT)
                        .reasonCode(0)
                        .cmdSN(cmdSN + 1).expStatSN(expStatSN)
                        .build());
            } else if (message instanceof LogoutResponse) {
                connection.close(null);
            } else if (message instanceof FramingError error) {
                fail(new IscsiException("framing error in the discovery session: " + error.description()));
            } else {
                fail(new IscsiException("unexpected in the discovery session: " + message));
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private static List<DiscoveredTarget> parse(List<Map.Entry<String, String>> pairs) {
        List<DiscoveredTarget> out = new ArrayList<>();
        String name = null;
        List<String> addresses = new ArrayList<>();
        for (Map.Entry<String, String> pair : pairs) {
            if (pair.getKey().equals("TargetName")) {
                if (name != null) {
                    out.add(new DiscoveredTarget(name, addresses));
                }
                name = pair.getValue();
                addresses = new ArrayList<>();
            } else if (pair.getKey().equals("TargetAddress") && name != null) {
                addresses.add(pair.getValue());
            }
        }
        if (name != null) {
            out.add(new DiscoveredTarget(name, addresses));
        }
        return out;
    }

    private void fail(IscsiException e) {
        if (result.completeExceptionally(e)) {
            connection.close(e);
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        if (targets != null) {
            result.complete(targets);
        } else {
            result.completeExceptionally(new IscsiException("the discovery connection closed before SendTargets "
                    + "was answered", cause));
        }
    }
}
