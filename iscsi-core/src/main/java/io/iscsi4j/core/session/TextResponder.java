package io.iscsi4j.core.session;

import io.iscsi4j.core.login.NegotiatedParameters;
import io.iscsi4j.core.login.PortalAddress;
import io.iscsi4j.core.login.TargetPortals;
import io.iscsi4j.core.login.TextExchange;
import io.iscsi4j.core.login.TextRequestFields;
import io.iscsi4j.core.login.TextResponseFields;
import io.iscsi4j.core.login.TextStep;
import io.iscsi4j.core.pdu.RejectReason;
import io.iscsi4j.core.pdu.TextRequest;
import io.iscsi4j.core.pdu.TextResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Text Requests in full feature phase (RFC 7143 §11.10, §11.11): SendTargets and text negotiation through the
 * pure {@link TextExchange}, converted from and to PDUs here. Event loop only.
 */
final class TextResponder {

    private final TargetContext context;
    private final IscsiConnection connection;
    private final Session session;
    private final TextExchange exchange;

    TextResponder(TargetContext context, IscsiConnection connection, Session session, NegotiatedParameters p) {
        this.context = context;
        this.connection = connection;
        this.session = session;
        this.exchange = new TextExchange(p, this::targetsFor);
    }

    void onTextRequest(TextRequest t) {
        TextStep step = exchange.process(new TextRequestFields(t.finalFlag(), t.continueFlag(),
                t.initiatorTaskTag(), t.targetTransferTag(), ByteBufUtil.getBytes(t.data())));
        if (step instanceof TextStep.Rejection r) {
            connection.sendReject(switch (r.reason()) {
                case PROTOCOL_ERROR -> RejectReason.PROTOCOL_ERROR;
                case INVALID_PDU_FIELD -> RejectReason.INVALID_PDU_FIELD;
                case OUT_OF_RESOURCES -> RejectReason.LONG_OPERATION_REJECT;
            }, t);
            return;
        }
        TextResponseFields f = ((TextStep.Answer) step).response();
        connection.send(TextResponse.builder()
                .finalFlag(f.finalFlag())
                .continueFlag(f.continueFlag())
                .lun(t.lun())
                .initiatorTaskTag(f.initiatorTaskTag())
                .targetTransferTag(f.targetTransferTag())
                .statSN(connection.nextStatSN())
                .expCmdSN(session.expCmdSN())
                .maxCmdSN(session.maxCmdSN())
                .data(f.text().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(f.text()))
                .build());
    }

    /** Every target with the portals it is reachable at; wildcard binds report this connection's address. */
    private List<TargetPortals> targetsFor(String initiatorName) {
        List<PortalAddress> portals = new ArrayList<>();
        InetSocketAddress local = (InetSocketAddress) connection.channel().localAddress();
        io.iscsi4j.PortalGroupConfig group = connection.portalGroup();
        List<InetSocketAddress> bound = context.portalsOf(group.tag());
        for (InetSocketAddress a : bound.isEmpty() ? context.portals() : bound) {
            InetAddress ip = a.getAddress().isAnyLocalAddress() ? local.getAddress() : a.getAddress();
            portals.add(new PortalAddress(ip.getHostAddress(), a.getPort(), group.tag()));
        }
        List<TargetPortals> out = new ArrayList<>();
        for (TargetContext.Target t : context.targets()) {
            // SendTargets lists only what the initiator may reach, through this portal group.
            if (group.serves(t.config.name()) && t.config.aclFor(initiatorName) != null) {
                out.add(new TargetPortals(t.config.name(), portals));
            }
        }
        return out;
    }
}
