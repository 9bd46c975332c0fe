package io.iscsi4j.backstore;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What several gateways serving the same storage share: small versioned records that every member reads and
 * replaces with an atomic compare-and-set, messages from one member to all the others with their replies, and
 * fencing of a member that does not answer. A logical unit served by several targets (each a "gateway", possibly in
 * different processes or on different hosts) keeps in it what SCSI requires to be the same on every gateway: the
 * persistent-reservation state, and the events other gateways turn into unit attentions or into aborted tasks.
 *
 * <p>One {@code SharedState} object is one member: a gateway's view of one storage object. Three stock kinds exist:
 * {@link InProcessSharedState} (members in one JVM, for tests and for several targets in one process), the RBD
 * backstore's, which keeps the records on a RADOS object next to the image and uses watch/notify and Ceph's
 * blocklist, so no second system has to run, and {@link DirectorySharedState}, one member whose records are files in
 * a directory, so that one target's persistent reservations survive its restarts.
 *
 * <p><b>Contract.</b>
 * <ul>
 *   <li>Records are named by short ASCII strings and hold at most {@value #MAX_RECORD_BYTES} bytes. A record never
 *       written reads as version 0 with an empty value. Every successful {@link #compareAndSet} makes the version
 *       larger; it never repeats.</li>
 *   <li>{@link #broadcast} reaches every other member that was open when it was called, each member's messages in
 *       the order it sent them; a member's own broadcasts are not delivered to itself. It completes once every
 *       member replied or the timeout passed, naming the members that did not reply.</li>
 *   <li>{@link #fence} completes only when no write the fenced member issued can reach the storage any more (for
 *       RBD: the member's client is blocklisted and the blocklist is in force). A fenced member may learn of it only
 *       when its storage calls fail.</li>
 *   <li>Stages complete on any thread; a message handler runs on a thread of the implementation and must not
 *       block it (it answers through the stage it returns).</li>
 * </ul>
 *
 * <p>Thread-safety: implementations are thread-safe.
 *
 * @since 0.2
 */
public interface SharedState extends AutoCloseable {

    /** Largest record value, in bytes. */
    int MAX_RECORD_BYTES = 64 * 1024;

    /**
     * A record's value and version.
     *
     * @param version the version, 0 for a record never written
     * @param value the value (empty for version 0); not copied, do not change it
     */
    record Versioned(long version, byte[] value) {

        /** A record never written. */
        public static final Versioned ABSENT = new Versioned(0, new byte[0]);

        /**
         * Checks the version and the value.
         *
         * @param version the version, 0 for a record never written
         * @param value the value
         */
        public Versioned {
            Objects.requireNonNull(value, "value");
            if (version < 0) {
                throw new IllegalArgumentException("version < 0: " + version);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Versioned v && v.version == version && Arrays.equals(v.value, value);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(version) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Versioned[version=" + version + ", " + value.length + " bytes]";
        }
    }

    /**
     * The outcome of a {@link #broadcast}.
     *
     * @param replies each member that replied, with its reply (possibly empty)
     * @param silent the members that did not reply in time (or whose handler failed)
     */
    record Replies(Map<String, byte[]> replies, Set<String> silent) {

        /**
         * Copies the collections.
         *
         * @param replies each member that replied, with its reply
         * @param silent the members that did not reply in time
         */
        public Replies {
            replies = Map.copyOf(replies);
            silent = Set.copyOf(silent);
        }
    }

    /** Handles a message from another member. */
    @FunctionalInterface
    interface MessageHandler {

        /**
         * @param from the sender's {@link #memberId()}
         * @param message the message (owned by the handler)
         * @return the reply, sent once the stage completes; a failed stage is no reply (the sender counts this
         *         member as silent)
         */
        CompletionStage<byte[]> onMessage(String from, byte[] message);
    }

    /**
     * @return this member's identity as the other members see it (for RBD, the RADOS client's address); what
     *         {@link Replies#silent()} names and {@link #fence} takes
     */
    String memberId();

    /**
     * @return whether the records survive a restart of every member (a RADOS object does; memory does not). A
     *         logical unit offers persistence through power loss (APTPL) only when this is {@code true}
     */
    boolean persistent();

    /**
     * Whether this member is the only one the records can ever have (a {@link DirectorySharedState}, which one process
     * at a time holds with a lock). Opening such a state is then a restart of the whole logical unit, as a power
     * cycle is, and the logical unit drops what SPC-5 keeps only until a power loss: the registrations and the
     * reservation unless the last REGISTER set APTPL, PRGENERATION, an SPC-2 reservation, mode parameters changed by
     * MODE SELECT, other gateways' port groups. With several members (the default) a restart of one cannot be told
     * from a restart of all, and the records are kept as they are.
     *
     * @return {@code true} when no other member can exist; the default {@code false}
     * @since 0.2
     */
    default boolean soleMember() {
        return false;
    }

    /**
     * Reads a record.
     *
     * @param name the record's name
     * @return the value and version, {@link Versioned#ABSENT} for a record never written
     */
    CompletionStage<Versioned> read(String name);

    /**
     * Replaces a record if its version is still {@code expectedVersion}.
     *
     * @param name the record's name
     * @param expectedVersion the version read before (0: the record must not exist yet)
     * @param value the new value, at most {@value #MAX_RECORD_BYTES} bytes (not copied; do not change it after)
     * @return {@code true} when replaced, {@code false} when another write came first (read again and retry)
     */
    CompletionStage<Boolean> compareAndSet(String name, long expectedVersion, byte[] value);

    /**
     * Sends a message to every other open member and collects their replies.
     *
     * @param message the message (not copied; do not change it after)
     * @param timeout how long to wait for the replies
     * @return the replies and the silent members; completes exceptionally only when the message could not be sent
     */
    CompletionStage<Replies> broadcast(byte[] message, Duration timeout);

    /**
     * Sets the handler of messages from other members, replacing the previous one. Until one is set, messages are
     * not answered.
     *
     * @param handler the handler
     */
    void onMessage(MessageHandler handler);

    /**
     * Cuts another member off from the storage.
     *
     * @param memberId the member, as {@link #memberId()} named it
     * @return completes once none of the member's writes can reach the storage any more; exceptionally when that
     *         cannot be ensured
     */
    CompletionStage<Void> fence(String memberId);

    /** Leaves the group: no more messages are delivered to this member. Idempotent. */
    @Override
    void close();
}
