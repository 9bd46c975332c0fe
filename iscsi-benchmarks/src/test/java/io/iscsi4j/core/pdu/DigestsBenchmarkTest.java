package io.iscsi4j.core.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keeps the digest benchmark working: it digests all its bytes (compared with the JDK's CRC32C). */
class DigestsBenchmarkTest {

    @ParameterizedTest
    @ValueSource(ints = {48, 8192, 262144})
    void digestsTheWholeBuffer(int length) {
        DigestsBenchmark benchmark = new DigestsBenchmark();
        benchmark.length = length;
        benchmark.setUp();
        try {
            CRC32C expected = new CRC32C();
            for (int i = 0; i < length; i++) {
                expected.update(i * 31 + 7);
            }
            assertThat(benchmark.crc32c()).isEqualTo((int) expected.getValue());
        } finally {
            benchmark.tearDown();
        }
    }
}
