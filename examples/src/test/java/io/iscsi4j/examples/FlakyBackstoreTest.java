package io.iscsi4j.examples;

import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.MediumErrorException;
import io.iscsi4j.backstore.NotReadyException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

class FlakyBackstoreTest {

    private static <T extends Throwable> T failure(CompletionStage<?> stage, Class<T> type) {
        return type.cast(assertThat(stage.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(type).actual().getCause());
    }

    @Test
    void badBlocksFailReadsWritesWriteSameAndCompareAndWriteNamingTheFirstBadBlock() throws Exception {
        FlakyBackstore disk = new FlakyBackstore(Backstores.memory(1 << 20)).addBadBlock(12).addBadBlock(10);

        assertThat(failure(disk.read(8, ByteBuffer.allocate(8 * 512)), MediumErrorException.class).lba())
                .isEqualTo(10);
        assertThat(failure(disk.write(11, ByteBuffer.allocate(2 * 512), false), MediumErrorException.class).lba())
                .isEqualTo(12);
        assertThat(failure(disk.writeSame(0, 100, ByteBuffer.allocate(512), false), MediumErrorException.class)
                .lba()).isEqualTo(10);
        assertThat(failure(disk.compareAndWrite(12, ByteBuffer.allocate(512), ByteBuffer.allocate(512), false),
                MediumErrorException.class).lba()).isEqualTo(12);
        disk.read(0, ByteBuffer.allocate(10 * 512)).toCompletableFuture().get();
        disk.removeBadBlock(10).removeBadBlock(12).read(8, ByteBuffer.allocate(8 * 512)).toCompletableFuture().get();
    }

    @Test
    void notReadyFailsFlushesToo() throws Exception {
        FlakyBackstore disk = new FlakyBackstore(Backstores.memory(1 << 20)).notReady(true);

        failure(disk.flush(), NotReadyException.class);
        failure(disk.read(0, ByteBuffer.allocate(512)), NotReadyException.class);
        disk.notReady(false).flush().toCompletableFuture().get();
    }
}
