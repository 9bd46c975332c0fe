package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/** libiscsi's {@code iscsi-readcapacity16}: READ CAPACITY (16) for 512- and 4096-byte blocks. */
@Timeout(120)
@Tag("interop")
class ReadCapacity16InteropTest {

    @ParameterizedTest(name = "iscsi-readcapacity16: {0}-byte blocks, {1} bytes")
    @CsvSource({"512, 67108864", "4096, 67108864", "512, 10498048", "4096, 10498048"})
    void reportsBlockCountAndSize(int blockSize, long bytes) throws Exception {
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.memory(bytes, blockSize))) {
            String url = InteropTargets.lunUrl(target, IQN, 0);

            Result r = InitiatorTools.run("iscsi-readcapacity16", url).assertSuccess();
            assertThat(r.stdout()).as(r.describe())
                    .contains("RETURNED LOGICAL BLOCK ADDRESS:" + (bytes / blockSize - 1) + "\n")
                    .contains("LOGICAL BLOCK LENGTH IN BYTES:" + blockSize + "\n")
                    .contains("Total size:" + bytes + "\n");

            Result sizeOnly = InitiatorTools.run("iscsi-readcapacity16", "-s", url).assertSuccess();
            assertThat(sizeOnly.stdout().trim()).as(sizeOnly.describe()).isEqualTo(Long.toString(bytes));
        }
    }
}
