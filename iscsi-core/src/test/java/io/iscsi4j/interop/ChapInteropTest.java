package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.TargetBuilder;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.core.auth.ChapCredentialsLookup;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import static io.iscsi4j.interop.InitiatorTools.assertInquirySucceeded;
import static io.iscsi4j.interop.InitiatorTools.assertLoginRefused;
import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CHAP against libiscsi's {@code iscsi-inq} and {@code iscsi-ls}, and QEMU's {@code qemu-io}: one-way and mutual,
 * right and wrong credentials, discovery authentication. libiscsi takes the initiator's credentials as {@code iscsi://USER%SECRET@HOST:PORT/...}
 * (or from {@code LIBISCSI_CHAP_USERNAME} and {@code LIBISCSI_CHAP_PASSWORD}) and the target's, for mutual CHAP, as
 * {@code ?target_user=...&target_password=...}; it offers only {@code CHAP_A=5} (MD5) and exits with status 10 when
 * the login fails.
 */
@Timeout(120)
@Tag("interop")
class ChapInteropTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String USER = "alice";
    private static final String SECRET = "alice-secret-0123";
    private static final String TARGET_USER = "disk";
    private static final String TARGET_SECRET = "disk-secret-4567";
    private static final String AUTHENTICATION_FAILURE = "Authentication failure";

    private static IscsiTarget start(Consumer<TargetBuilder> authentication) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> authentication.accept(t.lun(0, Backstores.memory(16L << 20))))
                .build()
                .start();
    }

    /** {@code iscsi://[USER%SECRET@]HOST:PORT/IQN/0[?QUERY]}. */
    private static String lunUrl(IscsiTarget target, String userAndSecret, String query) {
        String credentials = userAndSecret == null ? "" : userAndSecret + "@";
        return "iscsi://" + credentials + InteropTargets.hostPort(target) + "/" + IQN + "/0"
                + (query == null ? "" : "?" + query);
    }

    private static Result inquiry(String url, String... options) {
        String[] command = new String[options.length + 2];
        command[0] = "iscsi-inq";
        System.arraycopy(options, 0, command, 1, options.length);
        command[command.length - 1] = url;
        return InitiatorTools.run(TIMEOUT, Map.of(), command);
    }

    @Nested
    class OneWay {

        @Test
        @DisplayName("iscsi-inq USER%SECRET@: the right credentials log in (MD5, 16-byte challenge)")
        void rightCredentialsLogIn() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                Result r = InitiatorTools.run(TIMEOUT, Map.of(InitiatorTools.LIBISCSI_DEBUG, "6"), "iscsi-inq",
                        lunUrl(target, USER + "%" + SECRET, null));

                assertInquirySucceeded(r);
                assertThat(r.stderr()).as(r.describe())
                        .contains("TargetLoginReply: AuthMethod=CHAP")
                        .contains("TargetLoginReply: CHAP_A=5")
                        .containsPattern("TargetLoginReply: CHAP_C=0x[0-9a-f]{32}\\b");
            }
        }

        @Test
        @DisplayName("iscsi-inq: a secret replaced while the target runs refuses the old one and takes the new one")
        void aSecretReplacedAtRunTimeRefusesTheOldOne() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                InitiatorTools.assertInquirySucceeded(inquiry(lunUrl(target, USER + "%" + SECRET, null)));
                target.target(IQN).setAccess(t -> t.chap(USER, "alice-new-secret-89"));
                assertLoginRefused(inquiry(lunUrl(target, USER + "%" + SECRET, null)), AUTHENTICATION_FAILURE);
                InitiatorTools.assertInquirySucceeded(inquiry(lunUrl(target, USER + "%alice-new-secret-89", null)));
            }
        }

        @Test
        @DisplayName("iscsi-inq: a wrong secret fails with authentication failure (0x0201)")
        void wrongSecretIsRefused() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                assertLoginRefused(inquiry(lunUrl(target, USER + "%wrong-secret-999", null)), AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq: a wrong user name fails with authentication failure")
        void wrongUserIsRefused() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                assertLoginRefused(inquiry(lunUrl(target, "mallory%" + SECRET, null)), AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq without credentials (AuthMethod=None, no security stage) fails with authentication failure")
        void missingCredentialsAreRefused() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                assertLoginRefused(inquiry(lunUrl(target, null, null)), AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq: credentials from LIBISCSI_CHAP_USERNAME and LIBISCSI_CHAP_PASSWORD log in")
        void credentialsFromTheEnvironmentLogIn() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                assertInquirySucceeded(InitiatorTools.run(TIMEOUT,
                        Map.of("LIBISCSI_CHAP_USERNAME", USER, "LIBISCSI_CHAP_PASSWORD", SECRET),
                        "iscsi-inq", lunUrl(target, null, null)));
            }
        }

        @Test
        @DisplayName("iscsi-inq: a target that allows SHA-256 only refuses libiscsi's MD5-only offer")
        void md5OnlyInitiatorIsRefusedWhenMd5IsDisabled() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET).chapAlgorithms(ChapAlgorithm.SHA256))) {
                assertLoginRefused(inquiry(lunUrl(target, USER + "%" + SECRET, null)), AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq -i: per-initiator secrets let each initiator in with its own secret only")
        void perInitiatorSecrets() throws Exception {
            String first = "iqn.2026-11.io.iscsi4j:initiator-one";
            String second = "iqn.2026-11.io.iscsi4j:initiator-two";
            Authenticator perInitiator = Authenticator.chap(ChapCredentialsLookup.perInitiator(Map.of(
                    first, ChapCredentials.of("one", "secret-of-number-one"),
                    second, ChapCredentials.of("two", "secret-of-number-two"))));
            try (IscsiTarget target = start(t -> t.authenticator(perInitiator))) {
                assertInquirySucceeded(inquiry(lunUrl(target, "one%secret-of-number-one", null), "-i", first));
                assertInquirySucceeded(inquiry(lunUrl(target, "two%secret-of-number-two", null), "-i", second));
                assertLoginRefused(inquiry(lunUrl(target, "one%secret-of-number-one", null), "-i", second),
                        AUTHENTICATION_FAILURE);
                assertLoginRefused(inquiry(lunUrl(target, "one%secret-of-number-one", null), "-i",
                        "iqn.2026-11.io.iscsi4j:stranger"), AUTHENTICATION_FAILURE);
            }
        }
    }

    @Nested
    class Qemu {

        @Test
        @DisplayName("qemu-io: writes and reads a CHAP-protected LUN, the secret passed as a secret object")
        void qemuLogsInWithASecretObject() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                String image = "driver=raw,file.driver=iscsi,file.transport=tcp,file.portal="
                        + InteropTargets.hostPort(target) + ",file.target=" + IQN + ",file.lun=0,file.user=" + USER
                        + ",file.password-secret=chap0";
                Result r = InitiatorTools.run(TIMEOUT, Map.of(), "qemu-io", "--object",
                        "secret,id=chap0,data=" + SECRET, "--image-opts", "-c", "write -P 0x5a 0 64k", "-c",
                        "read -P 0x5a 0 64k", image);
                InitiatorTools.requireQemuIscsiDriver(r);

                r.assertSuccess();
                assertThat(r.stdout()).as(r.describe()).contains("wrote 65536/65536 bytes at offset 0")
                        .contains("read 65536/65536 bytes at offset 0");
            }
        }

        @Test
        @DisplayName("qemu-io: a wrong secret in the URL fails with authentication failure")
        void qemuWithAWrongSecretIsRefused() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                Result r = InitiatorTools.run(TIMEOUT, Map.of(), "qemu-io", "-f", "raw", "-c", "read 0 4k",
                        lunUrl(target, USER + "%wrong-secret-999", null));
                InitiatorTools.requireQemuIscsiDriver(r);

                assertLoginRefused(r, AUTHENTICATION_FAILURE);
            }
        }
    }

    @Nested
    class Mutual {

        @Test
        @DisplayName("iscsi-inq ?target_user&target_password: mutual CHAP verifies the target and logs in")
        void mutualChapLogsIn() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET).mutualChap(TARGET_USER, TARGET_SECRET))) {
                assertInquirySucceeded(inquiry(lunUrl(target, USER + "%" + SECRET,
                        "target_user=" + TARGET_USER + "&target_password=" + TARGET_SECRET)));
            }
        }

        @Test
        @DisplayName("iscsi-inq: the initiator rejects a target that does not know the expected target secret")
        void wrongTargetSecretIsDetectedByTheInitiator() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET).mutualChap(TARGET_USER, TARGET_SECRET))) {
                assertLoginRefused(inquiry(lunUrl(target, USER + "%" + SECRET,
                        "target_user=" + TARGET_USER + "&target_password=other-secret-777")),
                        "Invalid CHAP_R response from the target");
            }
        }

        @Test
        @DisplayName("iscsi-inq: the initiator rejects a target that answers with another target user name")
        void wrongTargetUserIsDetectedByTheInitiator() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET).mutualChap(TARGET_USER, TARGET_SECRET))) {
                assertLoginRefused(inquiry(lunUrl(target, USER + "%" + SECRET,
                        "target_user=someone-else&target_password=" + TARGET_SECRET)), "Wrong CHAP targetname");
            }
        }

        @Test
        @DisplayName("iscsi-inq: asking for mutual CHAP from a one-way target fails with authentication failure")
        void mutualRequestToAOneWayTargetIsRefused() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                assertLoginRefused(inquiry(lunUrl(target, USER + "%" + SECRET,
                        "target_user=" + TARGET_USER + "&target_password=" + TARGET_SECRET)), AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq: one-way CHAP still logs in to a target configured for mutual CHAP")
        void oneWayInitiatorLogsInToAMutualTarget() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET).mutualChap(TARGET_USER, TARGET_SECRET))) {
                assertInquirySucceeded(inquiry(lunUrl(target, USER + "%" + SECRET, null)));
            }
        }
    }

    @Nested
    class Discovery {

        private IscsiTarget startWithDiscoveryChap() throws IOException {
            return IscsiTarget.builder()
                    .portal("127.0.0.1", 0)
                    .discoveryChap(USER, SECRET)
                    .target(IQN, t -> t.lun(0, Backstores.memory(16L << 20)).chap(USER, SECRET))
                    .build()
                    .start();
        }

        private Result list(IscsiTarget target, String userAndSecret, String... options) {
            String credentials = userAndSecret == null ? "" : userAndSecret + "@";
            String[] command = new String[options.length + 2];
            command[0] = "iscsi-ls";
            System.arraycopy(options, 0, command, 1, options.length);
            command[command.length - 1] = "iscsi://" + credentials + InteropTargets.hostPort(target);
            return InitiatorTools.run(TIMEOUT, Map.of(), command);
        }

        @Test
        @DisplayName("iscsi-ls -s USER%SECRET@: discovery and the normal session both authenticate")
        void discoveryWithTheRightCredentials() throws Exception {
            try (IscsiTarget target = startWithDiscoveryChap()) {
                Result r = list(target, USER + "%" + SECRET, "-s").assertSuccess();

                assertThat(IscsiLsInteropTest.sections(r.stdout())).as(r.describe()).containsOnlyKeys(IQN);
                assertThat(r.stdout()).as(r.describe()).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
            }
        }

        @Test
        @DisplayName("iscsi-ls: discovery with a wrong secret or none fails with authentication failure")
        void discoveryWithWrongOrMissingCredentials() throws Exception {
            try (IscsiTarget target = startWithDiscoveryChap()) {
                for (String credentials : new String[] {USER + "%wrong-secret-999", null}) {
                    Result r = list(target, credentials);

                    assertThat(r.exitCode()).as(r.describe()).isNotZero();
                    assertThat(r.stderr()).as(r.describe()).contains("Login failed").contains(AUTHENTICATION_FAILURE);
                    assertThat(r.stdout()).as(r.describe()).doesNotContain("Target:");
                }
            }
        }

        @Test
        @DisplayName("iscsi-ls: without discovery CHAP the target is listed, but its LUNs need CHAP")
        void openDiscoveryListsAProtectedTarget() throws Exception {
            try (IscsiTarget target = start(t -> t.chap(USER, SECRET))) {
                Result listed = list(target, null).assertSuccess();
                assertThat(IscsiLsInteropTest.sections(listed.stdout())).as(listed.describe()).containsOnlyKeys(IQN);

                Result luns = list(target, null, "-s");
                assertThat(luns.exitCode()).as(luns.describe()).isNotZero();
                assertThat(luns.stdout()).as(luns.describe()).contains(AUTHENTICATION_FAILURE).doesNotContain("Lun:");
            }
        }
    }
}
