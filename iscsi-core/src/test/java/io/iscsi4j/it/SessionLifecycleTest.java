package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Session-level behaviour: login timeout, reinstatement, the command window and pipelined commands. */
class SessionLifecycleTest {

    @Test
    void connectionThatNeverLogsInIsClosedAfterTheLoginTimeout() throws Exception {
        try (IscsiTarget target = Targets.start(b -> b.loginTimeout(Duration.ofMillis(300)));
             Socket s = new Socket(target.localAddress().getAddress(), target.localAddress().getPort())) {
            s.setSoTimeout(5000);
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            int r;
            try {
                r = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("target kept a silent connection open for 5 s", e);
            }
            assertThat(r).as("end of stream").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
    }

    @Test
    void newLoginWithTheSameIsidReinstatesTheSession() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator first = Targets.login(target, Map.of())) {
            assertThat(first.testUnitReady().status()).isZero();
            try (TestInitiator second = TestInitiator.connect(target.localAddress())) {
                second.useIsidOf(first);
                second.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
                assertThat(first.awaitClose(Duration.ofSeconds(3)))
                        .as("the old session's connection is closed on reinstatement").isTrue();
                ScsiResult ua = second.testUnitReady();
                assertThat(ua.status()).as("CHECK CONDITION").isEqualTo(2);
                assertThat(ua.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
                assertThat(ua.asc()).as("29h/07h: I_T NEXUS LOSS OCCURRED").isEqualTo(0x29);
                assertThat(ua.ascq()).isEqualTo(0x07);
                assertThat(second.testUnitReady().status()).isZero();
            }
        }
    }

    @Test
    void commandWindowAllowsAtLeast64CommandsInFlight() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            int window = ini.maxCmdSN() - ini.cmdSN() + 1;
            assertThat(window).isGreaterThanOrEqualTo(64);

            // Pipeline 100 one-block READ(16)s without waiting, then collect all 100 statuses.
            int n = 100;
            int cmdSN = ini.cmdSN();
            for (int i = 0; i < n; i++) {
                byte[] cdb = new byte[16];
                cdb[0] = (byte) 0x88;
                cdb[9] = (byte) i;           // LBA i
                cdb[13] = 1;                 // one block
                ini.send(Bhs.of(Bhs.SCSI_COMMAND)
                        .flags(0x80 | 0x40 | 0x01)
                        .lun(Bhs.encodeLun(0))
                        .itt(0x1000 + i)
                        .i32(20, 512)
                        .i32(24, cmdSN + i)
                        .i32(28, ini.expStatSN())
                        .bytes(32, cdb), new byte[0]);
            }
            boolean[] done = new boolean[n];
            int statuses = 0;
            while (statuses < n) {
                RawPdu p = ini.readPdu();
                boolean status = p.opcode() == 0x21 || (p.opcode() == 0x25 && (p.flags() & 0x01) != 0);
                if (status) {
                    int itt = java.nio.ByteBuffer.wrap(p.bhs(), 16, 4).getInt() - 0x1000;
                    assertThat(done[itt]).as("one status per command").isFalse();
                    done[itt] = true;
                    if (p.opcode() == 0x25) {
                        assertThat(p.bhs()[3] & 0xFF).as("GOOD").isZero();
                    }
                    statuses++;
                }
            }
            assertThat(done).containsOnly(true);
        }
    }
}
