package io.iscsi4j.initiator.internal;

/** Receives what a {@link PduConnection} reads; called on the connection's event loop. */
public interface PduListener {

    /**
     * A decoded inbound message: a {@code Pdu}, a {@code MalformedPdu} or a {@code FramingError}. The listener
     * owns it and must release it if it is reference counted.
     *
     * @param message the message
     */
    void onMessage(Object message);

    /**
     * The connection closed.
     *
     * @param cause why, or {@code null} for an orderly close
     */
    void onClosed(Throwable cause);
}
