package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.Pdu;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command ordering of one session (RFC 7143 §3.2.2.1): the command window, and the commands that arrived ahead of
 * their CmdSN. Immediate commands are delivered at once; others in CmdSN order; a PDU outside the window or a
 * duplicate is dropped silently, as the RFC requires. A command aborted before it arrived (ABORT TASK with a RefCmdSN
 * in the window) is remembered and dropped when it comes. Event loop only.
 */
final class CommandSequencer {

    private static final Logger LOG = LoggerFactory.getLogger(CommandSequencer.class);
    /** Marks a CmdSN whose command was aborted before it arrived. */
    private static final Object ABORTED = new Object();

    /** Where commands go once their turn came. */
    @FunctionalInterface
    interface Delivery {
        /**
         * Takes a command; the receiver owns the PDU.
         *
         * @param counted whether it occupies a slot of the window until {@link #completed()} (non-immediate)
         */
        void deliver(Pdu pdu, boolean counted);
    }

    private final CommandWindow window;
    private final Delivery delivery;
    private final Object owner;
    /** Out-of-order commands by CmdSN: a Pdu, or {@link #ABORTED}. */
    private final IntObjectMap<Object> pending = new IntObjectHashMap<>();

    /**
     * @param window the window size (MaxCmdSN - ExpCmdSN + 1 while nothing is outstanding)
     * @param initialCmdSN the first CmdSN expected
     * @param delivery where commands go in order
     * @param owner names the session in log lines
     */
    CommandSequencer(int window, int initialCmdSN, Delivery delivery, Object owner) {
        this.window = new CommandWindow(window, initialCmdSN);
        this.delivery = delivery;
        this.owner = owner;
    }

    int expCmdSN() {
        return window.expCmdSN();
    }

    int maxCmdSN() {
        return window.maxCmdSN();
    }

    /** A delivered, counted command finished: its window slot opens. */
    void completed() {
        window.completed();
    }

    /** Takes a command-type PDU; this sequencer owns it from here. */
    void onCommand(Pdu pdu, int cmdSN, boolean immediate) {
        if (immediate) {
            delivery.deliver(pdu, false);
            return;
        }
        Object slot = pending.get(cmdSN);
        if (slot == ABORTED) {
            // Aborted before it arrived (RFC 7143 §11.5.1): it already counts as received; drop it.
            pdu.release();
            return;
        }
        if (!window.inWindow(cmdSN) || slot != null) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: dropping {} with CmdSN {} outside [{}, {}] or duplicate", owner, pdu.opcode(),
                        Integer.toUnsignedString(cmdSN), Integer.toUnsignedString(window.expCmdSN()),
                        Integer.toUnsignedString(window.maxCmdSN()));
            }
            pdu.release();
            return;
        }
        if (!window.isNext(cmdSN)) {
            pending.put(cmdSN, pdu);
            return;
        }
        window.deliver();
        delivery.deliver(pdu, true);
        drainInOrder();
    }

    private void drainInOrder() {
        Object next;
        while ((next = pending.remove(window.expCmdSN())) != null) {
            window.deliver();
            if (next == ABORTED) {
                window.completed();
            } else {
                delivery.deliver((Pdu) next, true);
            }
        }
    }

    /**
     * For ABORT TASK of a command not received yet: when {@code refCmdSN} lies in [ExpCmdSN, tmfCmdSN) it is
     * considered received, and dropped if it arrives later.
     *
     * @return whether the command was in that range
     */
    boolean discardNotYetReceived(int refCmdSN, int tmfCmdSN) {
        if (!window.inWindow(refCmdSN) || Integer.toUnsignedLong(refCmdSN - window.expCmdSN())
                >= Integer.toUnsignedLong(tmfCmdSN - window.expCmdSN())) {
            return false;
        }
        Object old = pending.put(refCmdSN, ABORTED);
        if (old instanceof Pdu p) {
            p.release();
        }
        drainInOrder();
        return true;
    }

    /** The connection is gone: releases the commands still waiting for their turn. */
    void release() {
        for (Object p : pending.values()) {
            if (p instanceof Pdu pdu) {
                pdu.release();
            }
        }
        pending.clear();
    }
}
