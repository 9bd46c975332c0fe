package io.iscsi4j.backstore;

import static io.iscsi4j.backstore.TestIo.failure;
import static io.iscsi4j.backstore.TestIo.pattern;
import static io.iscsi4j.backstore.TestIo.read;
import static io.iscsi4j.backstore.TestIo.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReadOnlyBackstoreTest {

    @Test
    void refusesWritesAndServesReads() throws Exception {
        Backstore memory = Backstores.memory(1 << 20);
        ByteBuffer data = pattern(512, 1);
        write(memory, 4, data);
        Backstore view = Backstores.readOnly(memory);

        failure(view.write(4, ByteBuffer.allocate(512), true), WriteProtectedException.class);

        assertThat(view.isReadOnly()).isTrue();
        assertThat(read(view, 4, 512)).isEqualTo(data);
        assertThat(view.blockCount()).isEqualTo(memory.blockCount());
        assertThat(view.capabilities()).isEqualTo(memory.capabilities());
        TestIo.await(view.flush());
    }

    @Test
    void wrappingTwiceReturnsTheSameView() {
        Backstore view = Backstores.readOnly(Backstores.memory(1 << 20));

        assertThat(Backstores.readOnly(view)).isSameAs(view);
    }

    @Test
    void closingTheViewClosesTheBackstore() throws Exception {
        Backstore memory = Backstores.memory(1 << 20);

        Backstores.readOnly(memory).close();

        failure(memory.read(0, ByteBuffer.allocate(512)), NotReadyException.class);
    }
}
