package io.iscsi4j.initiator;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How to log in: credentials and the operational parameters this initiator proposes (RFC 7143 §13), and whether
 * a session recovers from a lost connection. Immutable; made by {@link #builder()}.
 *
 * <p>Secrets are kept as given and never logged or shown by {@link #toString()}.
 *
 * @since 0.1
 */
public final class LoginOptions {

    private static final LoginOptions DEFAULTS = builder().build();

    private final String chapUser;
    private final String chapSecret;
    private final String targetChapUser;
    private final String targetChapSecret;
    private final List<ChapAlgorithm> chapAlgorithms;
    private final boolean headerDigest;
    private final boolean dataDigest;
    private final int maxRecvDataSegmentLength;
    private final boolean initialR2T;
    private final boolean immediateData;
    private final int maxBurstLength;
    private final int firstBurstLength;
    private final int maxOutstandingR2T;
    private final boolean recovery;
    private final Duration loginTimeout;
    private final Duration recoveryTimeout;
    private final Duration commandTimeout;

    private LoginOptions(Builder b) {
        this.chapUser = b.chapUser;
        this.chapSecret = b.chapSecret;
        this.targetChapUser = b.targetChapUser;
        this.targetChapSecret = b.targetChapSecret;
        this.chapAlgorithms = List.copyOf(b.chapAlgorithms);
        this.headerDigest = b.headerDigest;
        this.dataDigest = b.dataDigest;
        this.maxRecvDataSegmentLength = b.maxRecvDataSegmentLength;
        this.initialR2T = b.initialR2T;
        this.immediateData = b.immediateData;
        this.maxBurstLength = b.maxBurstLength;
        this.firstBurstLength = b.firstBurstLength;
        this.maxOutstandingR2T = b.maxOutstandingR2T;
        this.recovery = b.recovery;
        this.loginTimeout = b.loginTimeout;
        this.recoveryTimeout = b.recoveryTimeout;
        this.commandTimeout = b.commandTimeout;
    }

    /**
     * No authentication, no digests, the builder's defaults.
     *
     * @return the default options
     */
    public static LoginOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A new builder with the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options.
     *
     * @return a builder to change a copy
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.chapUser = chapUser;
        b.chapSecret = chapSecret;
        b.targetChapUser = targetChapUser;
        b.targetChapSecret = targetChapSecret;
        b.chapAlgorithms = List.copyOf(chapAlgorithms);
        b.headerDigest = headerDigest;
        b.dataDigest = dataDigest;
        b.maxRecvDataSegmentLength = maxRecvDataSegmentLength;
        b.initialR2T = initialR2T;
        b.immediateData = immediateData;
        b.maxBurstLength = maxBurstLength;
        b.firstBurstLength = firstBurstLength;
        b.maxOutstandingR2T = maxOutstandingR2T;
        b.recovery = recovery;
        b.loginTimeout = loginTimeout;
        b.recoveryTimeout = recoveryTimeout;
        b.commandTimeout = commandTimeout;
        return b;
    }

    /**
     * The CHAP user name, or {@code null} for no authentication.
     *
     * @return the user
     */
    public String chapUser() {
        return chapUser;
    }

    /**
     * The CHAP secret.
     *
     * @return the secret, or {@code null}
     */
    public String chapSecret() {
        return chapSecret;
    }

    /**
     * The user name the target must answer with in mutual CHAP, or {@code null} for one-way CHAP.
     *
     * @return the target's user
     */
    public String targetChapUser() {
        return targetChapUser;
    }

    /**
     * The target's secret for mutual CHAP.
     *
     * @return the secret, or {@code null}
     */
    public String targetChapSecret() {
        return targetChapSecret;
    }

    /**
     * The CHAP algorithms offered, most preferred first.
     *
     * @return the algorithms
     */
    public List<ChapAlgorithm> chapAlgorithms() {
        return chapAlgorithms;
    }

    /**
     * Whether CRC32C header digests are proposed (preferred over None).
     *
     * @return the preference
     */
    public boolean headerDigest() {
        return headerDigest;
    }

    /**
     * Whether CRC32C data digests are proposed (preferred over None).
     *
     * @return the preference
     */
    public boolean dataDigest() {
        return dataDigest;
    }

    /**
     * The MaxRecvDataSegmentLength this initiator declares.
     *
     * @return bytes
     */
    public int maxRecvDataSegmentLength() {
        return maxRecvDataSegmentLength;
    }

    /**
     * The InitialR2T proposed.
     *
     * @return the proposal
     */
    public boolean initialR2T() {
        return initialR2T;
    }

    /**
     * The ImmediateData proposed.
     *
     * @return the proposal
     */
    public boolean immediateData() {
        return immediateData;
    }

    /**
     * The MaxBurstLength proposed.
     *
     * @return bytes
     */
    public int maxBurstLength() {
        return maxBurstLength;
    }

    /**
     * The FirstBurstLength proposed.
     *
     * @return bytes
     */
    public int firstBurstLength() {
        return firstBurstLength;
    }

    /**
     * The MaxOutstandingR2T proposed.
     *
     * @return the count
     */
    public int maxOutstandingR2T() {
        return maxOutstandingR2T;
    }

    /**
     * Whether a session reconnects after a lost connection and reissues what was not answered (ERL 0 session
     * reinstatement).
     *
     * @return {@code true} if on
     */
    public boolean recovery() {
        return recovery;
    }

    /**
     * How long a login (connect and negotiation) may take.
     *
     * @return the timeout
     */
    public Duration loginTimeout() {
        return loginTimeout;
    }

    /**
     * How long a session keeps trying to reconnect before it fails the commands it holds.
     *
     * @return the timeout
     */
    public Duration recoveryTimeout() {
        return recoveryTimeout;
    }

    /**
     * How long a command may take, from its submission: past it, the initiator aborts it (ABORT TASK) and, once the
     * target confirms, fails it with {@link CommandTimeoutException}; when the abort is not answered within another
     * such period the connection is closed, and the command is not sent again by recovery. Either way the command is
     * over when it fails, so its buffer is the caller's again. Also how long logout waits for its response and a
     * blocking open of a LUN waits.
     *
     * @return the timeout
     */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /**
     * Whether a CHAP user and secret were set.
     *
     * @return {@code true} for CHAP
     */
    public boolean usesChap() {
        return chapUser != null;
    }

    /**
     * Whether mutual CHAP was set.
     *
     * @return {@code true} for mutual CHAP
     */
    public boolean usesMutualChap() {
        return targetChapUser != null;
    }

    @Override
    public String toString() {
        return "LoginOptions[chap=" + (usesMutualChap() ? "mutual" : usesChap() ? "one-way" : "none")
                + ", algorithms=" + chapAlgorithms + ", headerDigest=" + headerDigest + ", dataDigest=" + dataDigest
                + ", maxRecvDataSegmentLength=" + maxRecvDataSegmentLength + ", recovery=" + recovery + "]";
    }

    /**
     * Builds {@link LoginOptions}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String chapUser;
        private String chapSecret;
        private String targetChapUser;
        private String targetChapSecret;
        private List<ChapAlgorithm> chapAlgorithms = List.of(ChapAlgorithm.SHA3_256, ChapAlgorithm.SHA256,
                ChapAlgorithm.SHA1, ChapAlgorithm.MD5);
        private boolean headerDigest;
        private boolean dataDigest;
        private int maxRecvDataSegmentLength = 262_144;
        private boolean initialR2T;
        private boolean immediateData = true;
        private int maxBurstLength = 1 << 20;
        private int firstBurstLength = 65_536;
        private int maxOutstandingR2T = 1;
        private boolean recovery;
        private Duration loginTimeout = Duration.ofSeconds(15);
        private Duration recoveryTimeout = Duration.ofSeconds(30);
        private Duration commandTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * One-way CHAP: the target challenges this initiator.
         *
         * @param user the CHAP name
         * @param secret the secret
         * @return this builder
         */
        public Builder chap(String user, String secret) {
            this.chapUser = Objects.requireNonNull(user, "user");
            this.chapSecret = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /**
         * Mutual CHAP: this initiator also challenges the target, which must answer as {@code targetUser} with
         * {@code targetSecret}. Needs {@link #chap}.
         *
         * @param targetUser the target's CHAP name
         * @param targetSecret the target's secret
         * @return this builder
         */
        public Builder mutualChap(String targetUser, String targetSecret) {
            this.targetChapUser = Objects.requireNonNull(targetUser, "targetUser");
            this.targetChapSecret = Objects.requireNonNull(targetSecret, "targetSecret");
            return this;
        }

        /**
         * The CHAP algorithms to offer, most preferred first (default SHA3-256, SHA-256, SHA-1, MD5).
         *
         * @param first the first algorithm
         * @param more more algorithms
         * @return this builder
         */
        public Builder chapAlgorithms(ChapAlgorithm first, ChapAlgorithm... more) {
            Set<ChapAlgorithm> set = EnumSet.of(first, more);
            if (set.size() != 1 + more.length) {
                throw new IllegalArgumentException("an algorithm is listed twice");
            }
            ChapAlgorithm[] all = new ChapAlgorithm[1 + more.length];
            all[0] = first;
            System.arraycopy(more, 0, all, 1, more.length);
            this.chapAlgorithms = List.of(all);
            return this;
        }

        /**
         * Proposes CRC32C header digests (default off).
         *
         * @param value whether to prefer CRC32C
         * @return this builder
         */
        public Builder headerDigest(boolean value) {
            this.headerDigest = value;
            return this;
        }

        /**
         * Proposes CRC32C data digests (default off).
         *
         * @param value whether to prefer CRC32C
         * @return this builder
         */
        public Builder dataDigest(boolean value) {
            this.dataDigest = value;
            return this;
        }

        /**
         * The MaxRecvDataSegmentLength to declare (default 262144).
         *
         * @param bytes 512 to 16777215
         * @return this builder
         */
        public Builder maxRecvDataSegmentLength(int bytes) {
            this.maxRecvDataSegmentLength = checkRange("MaxRecvDataSegmentLength", bytes, 512, 0xFF_FFFF);
            return this;
        }

        /**
         * The InitialR2T to propose (default {@code false}: unsolicited data allowed if the target agrees).
         *
         * @param value the proposal
         * @return this builder
         */
        public Builder initialR2T(boolean value) {
            this.initialR2T = value;
            return this;
        }

        /**
         * The ImmediateData to propose (default {@code true}).
         *
         * @param value the proposal
         * @return this builder
         */
        public Builder immediateData(boolean value) {
            this.immediateData = value;
            return this;
        }

        /**
         * The MaxBurstLength to propose (default 1 MiB).
         *
         * @param bytes 512 to 16777215
         * @return this builder
         */
        public Builder maxBurstLength(int bytes) {
            this.maxBurstLength = checkRange("MaxBurstLength", bytes, 512, 0xFF_FFFF);
            return this;
        }

        /**
         * The FirstBurstLength to propose (default 64 KiB).
         *
         * @param bytes 512 to 16777215
         * @return this builder
         */
        public Builder firstBurstLength(int bytes) {
            this.firstBurstLength = checkRange("FirstBurstLength", bytes, 512, 0xFF_FFFF);
            return this;
        }

        /**
         * The MaxOutstandingR2T to propose (default 1).
         *
         * @param count 1 to 65535
         * @return this builder
         */
        public Builder maxOutstandingR2T(int count) {
            this.maxOutstandingR2T = checkRange("MaxOutstandingR2T", count, 1, 65535);
            return this;
        }

        /**
         * Whether a session recovers from a lost connection (default off): it logs in again with the same ISID,
         * which reinstates the session on the target (RFC 7143 §6.3.5), and reissues every command not answered,
         * in order. Off, those commands fail with {@link ConnectionLostException}.
         *
         * @param value on or off
         * @return this builder
         */
        public Builder recovery(boolean value) {
            this.recovery = value;
            return this;
        }

        /**
         * How long a login may take (default 15 s).
         *
         * @param value a positive duration
         * @return this builder
         */
        public Builder loginTimeout(Duration value) {
            this.loginTimeout = positive("loginTimeout", value);
            return this;
        }

        /**
         * How long a session tries to reconnect before failing its commands (default 30 s).
         *
         * @param value a positive duration
         * @return this builder
         */
        public Builder recoveryTimeout(Duration value) {
            this.recoveryTimeout = positive("recoveryTimeout", value);
            return this;
        }

        /**
         * How long a command may take before it is aborted, and how long a logout waits (default 60 s); see
         * {@link LoginOptions#commandTimeout()}.
         *
         * @param value a positive duration
         * @return this builder
         */
        public Builder commandTimeout(Duration value) {
            this.commandTimeout = positive("commandTimeout", value);
            return this;
        }

        /**
         * Checks and builds.
         *
         * @return the options
         * @throws IllegalStateException if mutual CHAP was set without CHAP, or FirstBurstLength exceeds
         *     MaxBurstLength
         */
        public LoginOptions build() {
            if (targetChapUser != null && chapUser == null) {
                throw new IllegalStateException("mutual CHAP needs chap(user, secret) too");
            }
            if (firstBurstLength > maxBurstLength) {
                throw new IllegalStateException("FirstBurstLength " + firstBurstLength + " exceeds MaxBurstLength "
                        + maxBurstLength);
            }
            return new LoginOptions(this);
        }

        private static int checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " out of range " + min + ".." + max + ": " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
