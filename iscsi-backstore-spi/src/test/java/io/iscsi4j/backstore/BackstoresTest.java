package io.iscsi4j.backstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackstoresTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 4096, 65536})
    void acceptsPowerOfTwoBlockSizes(int blockSize) {
        Backstore backstore = Backstores.memory(1 << 20, blockSize);

        assertThat(backstore.blockSize()).isEqualTo(blockSize);
        assertThat(backstore.blockCount()).isEqualTo((1 << 20) / blockSize);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -512, 256, 1000, 3072, 131072})
    void rejectsOtherBlockSizes(int blockSize) {
        assertThatThrownBy(() -> Backstores.memory(1 << 20, blockSize))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("block size must be a power of two from 512 to 65536 bytes, got " + blockSize);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0     | size must be positive, got 0 bytes",
        "-4096 | size must be positive, got -4096 bytes",
        "1000  | size of 1000 bytes is not a multiple of the block size 512"
    })
    void rejectsSizesThatAreNotPositiveBlockMultiples(long size, String message) {
        assertThatThrownBy(() -> Backstores.memory(size))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({
        "512, 512",
        "0, 0",
        "64K, 65536",
        "64k, 65536",
        "64KiB, 65536",
        "64kb, 65536",
        "1M, 1048576",
        "1G, 1073741824",
        "1gib, 1073741824",
        "2T, 2199023255552",
        "1P, 1125899906842624",
        "512B, 512",
        "' 4K ', 4096",
        "8191P, 9222246136947933184"
    })
    void parsesSizes(String text, long expected) {
        assertThat(Backstores.parseSize(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "G", "1.5G", "-1", "+1", "1X", "1KK", "1 K", "1iB", "K1", "1Gx", "B"})
    void rejectsMalformedSizes(String text) {
        assertThatThrownBy(() -> Backstores.parseSize(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed size '" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8192P", "99999999999999999999", "9223372036854775808"})
    void rejectsSizesBeyondLong(String text) {
        assertThatThrownBy(() -> Backstores.parseSize(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }

    @Test
    void parseSizeRejectsNull() {
        assertThatThrownBy(() -> Backstores.parseSize(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void serviceLoaderFindsTheBuiltInProviders() {
        assertThat(ServiceLoader.load(BackstoreProvider.class).stream().map(p -> p.get().name()))
                .contains("memory", "file");
    }

    @Test
    void opensMemoryBackstoreFromSpec() throws Exception {
        try (Backstore backstore = Backstores.open("memory:size=1M,blockSize=4K")) {
            assertThat(backstore.blockSize()).isEqualTo(4096);
            assertThat(backstore.blockCount()).isEqualTo(256);
            assertThat(backstore.capabilities()).contains(BackstoreCapability.THIN_PROVISIONING);
        }
        try (Backstore backstore = Backstores.open(" MEMORY : size = 64K ")) {
            assertThat(backstore.blockSize()).isEqualTo(512);
            assertThat(backstore.blockCount()).isEqualTo(128);
        }
    }

    @Test
    void opensFileBackstoreFromSpec() throws Exception {
        Path path = dir.resolve("lun0.img");

        try (Backstore backstore = Backstores.open("file:path=" + path + ",size=1M,blockSize=4096,ioThreads=2")) {
            assertThat(backstore.blockSize()).isEqualTo(4096);
            assertThat(backstore.blockCount()).isEqualTo(256);
        }
        assertThat(Files.size(path)).isEqualTo(1 << 20);
        try (Backstore existing = Backstores.open("file:path=" + path)) {
            assertThat(existing.blockCount()).isEqualTo(2048);
        }
    }

    @Test
    void unknownKindListsTheKnownKinds() {
        assertThatThrownBy(() -> Backstores.open("tape:size=1G"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown backstore kind 'tape'; known kinds: ")
                .hasMessageContaining("file")
                .hasMessageContaining("memory");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "memory                          | a memory backstore needs option size",
        "memory:blockSize=4096           | a memory backstore needs option size",
        "memory:size=1M,blocksize=4096   | unknown option 'blocksize' for a memory backstore; known options: blockSize, size",
        "memory:size=lots                | memory backstore option size: malformed size 'lots'",
        "memory:size=1M,blockSize=3000   | block size must be a power of two",
        "memory:size                     | option 'size' is not key=value",
        "memory:size=1M,                 | option '' is not key=value",
        "memory:size=1M,size=2M          | option size repeated",
        ":size=1M                        | has no kind",
        "file:size=1M                    | a file backstore needs option path",
        "file:path=/x,ioThreads=0        | file backstore option ioThreads: must be a positive 32-bit integer"
    })
    void malformedSpecsNameTheProblem(String spec, String message) {
        assertThatThrownBy(() -> Backstores.open(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void providersCanBeCalledDirectly() throws Exception {
        try (Backstore backstore = new MemoryBackstoreProvider().open(Map.of("size", "2M", "blockSize", "4096"))) {
            assertThat(backstore.blockCount()).isEqualTo(512);
        }
        assertThat(new FileBackstoreProvider().name()).isEqualTo("file");
    }
}
