package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.BackstoreCapability;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportSupportedTest {

    private static final int ALL = 0;
    private static final int ONE_COMMAND = 1;
    private static final int ONE_SERVICE_ACTION = 2;

    static byte[] rsoc(boolean rctd, int options, int opcode, int sa, long allocationLength) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0C;
        c[2] = (byte) ((rctd ? 0x80 : 0) | options);
        c[3] = (byte) opcode;
        c[4] = (byte) (sa >>> 8);
        c[5] = (byte) sa;
        Cdbs.putU32(c, 6, allocationLength);
        return c;
    }

    private static Target thinAtomic() {
        TestBackstore b = new TestBackstore(512, 64).capabilities(Set.of(BackstoreCapability.THIN_PROVISIONING,
                BackstoreCapability.UNMAP, BackstoreCapability.WRITE_ATOMIC));
        return new Target(b, Target.builder(b).build());
    }

    /** (opcode << 8 | service action, or opcode << 8 | 0xFFFF... ) decoded from all_commands data. */
    private static List<int[]> descriptors(byte[] d, boolean timeouts) {
        List<int[]> list = new ArrayList<>();
        int step = timeouts ? 20 : 8;
        assertThat(Cdbs.u32(d, 0)).isEqualTo(d.length - 4L);
        for (int p = 4; p < d.length; p += step) {
            list.add(new int[] {d[p] & 0xFF, Cdbs.u16(d, p + 2), d[p + 5] & 0xFF, Cdbs.u16(d, p + 6)});
        }
        return list;
    }

    @Test
    void allCommandsFollowsTheLogicalUnitsCapabilities() {
        List<int[]> full = descriptors(Target.of(512, 64).run(rsoc(false, ALL, 0, 0, 65535)).dataIn(), false);
        List<int[]> thin = descriptors(thinAtomic().run(rsoc(false, ALL, 0, 0, 65535)).dataIn(), false);

        assertThat(full).noneMatch(c -> c[0] == 0x42 || c[0] == 0x9C);
        assertThat(thin).anyMatch(c -> c[0] == 0x42).anyMatch(c -> c[0] == 0x9C);
        assertThat(thin).hasSize(full.size() + 3); // UNMAP, WRITE ATOMIC (16), SANITIZE BLOCK ERASE
        assertThat(full).anyMatch(c -> Arrays.equals(c, new int[] {0x28, 0, 0, 10}));
        assertThat(full).anyMatch(c -> Arrays.equals(c, new int[] {0x9E, 0x10, 1, 16}));
        assertThat(full).anyMatch(c -> Arrays.equals(c, new int[] {0xA3, 0x0C, 1, 12}));
        assertThat(full).allMatch(c -> c[2] == 1 || c[1] == 0); // SERVACTV clear: service action 0
    }

    @Test
    void timeoutsDescriptorsWithRctd() {
        byte[] d = Target.of(512, 64).run(rsoc(true, ALL, 0, 0, 65535)).dataIn();

        for (int[] c : descriptors(d, true)) {
            assertThat(c[2] & 0x02).as("CTDP of %02x", c[0]).isEqualTo(0x02);
        }
        assertThat(Cdbs.u16(d, 4 + 8)).as("descriptor length").isEqualTo(0x0A);
    }

    @Test
    void oneCommandReturnsTheUsageData() {
        Target target = Target.of(512, 64);

        byte[] read10 = target.run(rsoc(false, ONE_COMMAND, 0x28, 0, 512)).dataIn();
        byte[] readCapacity16 = target.run(rsoc(true, ONE_SERVICE_ACTION, 0x9E, 0x10, 512)).dataIn();
        byte[] unknown = target.run(rsoc(false, ONE_COMMAND, 0x04, 0, 512)).dataIn();
        byte[] unmapHere = target.run(rsoc(false, ONE_COMMAND, 0x42, 0, 512)).dataIn();

        assertThat(read10[1] & 0x07).as("SUPPORT").isEqualTo(3);
        assertThat(Cdbs.u16(read10, 2)).isEqualTo(10);
        assertThat(Arrays.copyOfRange(read10, 4, 14)).containsExactly(
                0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0);
        assertThat(readCapacity16[1] & 0xFF).as("CTDP, SUPPORT").isEqualTo(0x83);
        assertThat(readCapacity16[4] & 0xFF).isEqualTo(0x9E);
        assertThat(readCapacity16[5] & 0xFF).as("service action").isEqualTo(0x10);
        assertThat(readCapacity16).hasSize(4 + 16 + 12);
        assertThat(unknown[1] & 0x07).isEqualTo(1);
        assertThat(unmapHere[1] & 0x07).isEqualTo(1);
    }

    @Test
    void reportingOptionMustMatchWhetherTheCommandHasServiceActions() {
        Target target = Target.of(512, 64);

        assertThat(target.run(rsoc(false, ONE_COMMAND, 0x9E, 0x10, 512)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(rsoc(false, ONE_SERVICE_ACTION, 0x28, 0, 512)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(rsoc(false, 7, 0, 0, 512)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    /** The report never lies: what it lists is dispatched, what it does not list is refused as not implemented. */
    @Test
    void theReportMatchesWhatTheDispatcherRuns() {
        for (Target target : List.of(Target.of(512, 64), thinAtomic())) {
            List<int[]> listed = descriptors(target.run(rsoc(false, ALL, 0, 0, 65535)).dataIn(), false);
            for (int opcode = 0; opcode < 256; opcode++) {
                for (int sa = 0; sa < 32; sa++) {
                    final int op = opcode;
                    final int s = sa;
                    boolean withSa = Commands.TABLE.hasServiceActions(opcode);
                    if (!withSa && sa > 0) {
                        break;
                    }
                    boolean isListed = listed.stream()
                            .anyMatch(c -> c[0] == op && (c[2] == 0 || c[1] == s));
                    byte[] cdb = new byte[16];
                    cdb[0] = (byte) opcode;
                    cdb[1] = (byte) sa;
                    TestTask t = TestTask.of(cdb).expected(0);
                    target.dispatcher.execute(t);
                    String outcome = t.outcome();
                    boolean notImplemented = outcome.endsWith("INVALID_COMMAND_OPERATION_CODE")
                            || withSa && outcome.endsWith("INVALID_FIELD_IN_CDB")
                            && (t.senseKeySpecific() & 0xFFFF) == 1 && !isListed;
                    assertThat(notImplemented).as("opcode %02x/%02x: %s", opcode, sa, outcome)
                            .isEqualTo(!isListed);
                }
            }
        }
    }

    /** Every command that changes the medium refuses a write-protected logical unit before taking data. */
    @Test
    void everyMediumChangingCommandIsRefusedWhenWriteProtected() {
        TestBackstore b = new TestBackstore(512, 64).readOnly(true).capabilities(Set.of(
                BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP, BackstoreCapability.WRITE_ATOMIC));
        Target target = new Target(b, Target.builder(b).build());
        Map<String, byte[]> samples = new LinkedHashMap<>();
        samples.put("WRITE (6)", Cdbs.readWrite(0x0A, 0, 1, 0));
        samples.put("WRITE (10)", Cdbs.readWrite(0x2A, 0, 1, 0));
        samples.put("WRITE (12)", Cdbs.readWrite(0xAA, 0, 1, 0));
        samples.put("WRITE (16)", Cdbs.readWrite(0x8A, 0, 1, 0));
        samples.put("WRITE AND VERIFY (10)", Cdbs.block(0x2E, 10, 0, 1, 0));
        samples.put("WRITE AND VERIFY (12)", Cdbs.block(0xAE, 12, 0, 1, 0));
        samples.put("WRITE AND VERIFY (16)", Cdbs.block(0x8E, 16, 0, 1, 0));
        samples.put("COMPARE AND WRITE", CompareAndWriteTest.cdb(0, 1, 0));
        samples.put("ORWRITE (16)", Cdbs.block(0x8B, 16, 0, 1, 0));
        samples.put("WRITE SAME (10)", ProvisioningTest.writeSame10(0, 1, 0));
        samples.put("WRITE SAME (16)", ProvisioningTest.writeSame16(0, 1, 0));
        samples.put("UNMAP", ProvisioningTest.unmapCdb(24));
        samples.put("WRITE ATOMIC (16)", OtherBlockCommandsTest.writeAtomic(0, 1, 0, 0));
        samples.putAll(SanitizeTest.samples());

        for (CommandTable.Command c : Commands.TABLE.all()) {
            if (c.changesMedium()) {
                assertThat(samples).as("a sample CDB for %s", c.name()).containsKey(c.name());
            }
        }
        samples.forEach((name, cdb) -> {
            TestTask t = target.run(TestTask.of(cdb).dataOut(new byte[1024]));
            assertThat(t.outcome()).as(name).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
            assertThat(t.dataOutRequested()).as(name).isEqualTo(-1);
        });
        assertThat(b.calls).isEmpty();
    }

    @Test
    void taskManagementFunctions() {
        byte[] cdb = new byte[12];
        cdb[0] = (byte) 0xA3;
        cdb[1] = 0x0D;
        cdb[9] = 16;
        Target target = Target.of(512, 8);

        byte[] basic = target.run(cdb).dataIn();
        cdb[2] = (byte) 0x80;
        byte[] extended = target.run(cdb).dataIn();

        assertThat(basic).as("ATS ATSS CTSS LURS QTS TRS; QAES QTSS ITNRS").containsExactly(0xDE, 0x07, 0, 0);
        assertThat(extended).hasSize(16);
        assertThat(extended[3]).isEqualTo((byte) 0x0C);
    }

    @Test
    void startStopUnitAndPreventAllowAreGood() {
        Target target = Target.of(512, 8);

        assertThat(target.run(new byte[] {0x1B, 1, 0, 0, 0x03, 0}).outcome()).isEqualTo("GOOD");
        assertThat(target.run(new byte[] {0x1B, 0, 0, 0, 0x00, 0}).outcome()).isEqualTo("GOOD");
        assertThat(target.run(new byte[] {0x1E, 0, 0, 0, 0x01, 0}).outcome()).isEqualTo("GOOD");
        assertThat(target.run(new byte[] {0x1E, 0, 0, 0, 0x00, 0}).outcome()).isEqualTo("GOOD");
        assertThat(target.run(new byte[] {0x1E, 0, 0, 0, 0x02, 0}).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void logSenseListsTheSupportedPagesOnly() {
        Target target = Target.of(512, 8);

        byte[] pages = target.run(new byte[] {0x4D, 0, 0x40, 0, 0, 0, 0, 0, (byte) 255, 0}).dataIn();
        byte[] subpages = target.run(new byte[] {0x4D, 0, 0x40, (byte) 0xFF, 0, 0, 0, 0, (byte) 255, 0}).dataIn();
        TestTask other = target.run(new byte[] {0x4D, 0, 0x4D, 0, 0, 0, 0, 0, (byte) 255, 0});
        TestTask save = target.run(new byte[] {0x4D, 1, 0x40, 0, 0, 0, 0, 0, (byte) 255, 0});

        assertThat(pages).containsExactly(0, 0, 0, 1, 0);
        assertThat(subpages).containsExactly(0x40, 0xFF, 0, 4, 0, 0, 0, 0xFF);
        assertThat(other.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(save.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }
}
