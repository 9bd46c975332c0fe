package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.TextRequest;

/** Text requests in full feature phase. */
final class TextResponder {

    private final IscsiConnection connection;

    TextResponder(TargetContext context, IscsiConnection connection, Session session) {
        this.connection = connection;
    }

    void onTextRequest(TextRequest t) {
        connection.sendReject(io.iscsi4j.core.pdu.RejectReason.COMMAND_NOT_SUPPORTED, t);
    }
}
