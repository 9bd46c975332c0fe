package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash consistency of the file backstore: {@code qemu-io} writes to a target in a child JVM (plain writes, FUA
 * writes, SYNCHRONIZE CACHE), the child is killed with SIGKILL at a random moment of the write burst, and the file
 * must then hold, in every block, the data of the last write acknowledged durable there or of a newer write; never
 * older data, never bytes no write sent to that block. The target is restarted on the same file for the next
 * cycle: 32 cycles, or fewer but at least 20 when a slow machine uses up the time budget. At the end a restarted
 * target must serve exactly the file's bytes.
 *
 * <p>A write counts as acknowledged durable when it was a FUA write that got GOOD, or when it got GOOD before a
 * SYNCHRONIZE CACHE that got GOOD. {@code qemu-io} runs its {@code -c} commands one at a time and prints each
 * result when it completes (its standard output is made line-buffered with {@code stdbuf -oL}), so the lines read
 * before the kill tell exactly which commands were acknowledged; at most one command per {@code qemu-io} was in
 * flight. Two {@code qemu-io} processes, each in its own session, write to disjoint halves of the LUN at the same
 * time, so the kill usually finds writes in flight. Every 512-byte block a write carries names its LBA and the
 * write's generation (a number that grows over the whole run) and is otherwise filled from a generator seeded by
 * both, so a block of the file reads as exactly one write's data, or zeros, or garbage.
 *
 * <p>What it detects: GOOD sent for a FUA write or SYNCHRONIZE CACHE before the data was handed to the operating
 * system (data still queued in the target's JVM dies with it), writes lost or reordered inside the target, stale
 * data resurfacing after a newer durable write, torn, misdirected or garbage blocks, and a restart that damages the
 * file (truncation, reinitialisation) or serves something other than the file.
 *
 * <p>What it cannot detect: SIGKILL ends the process but not the machine, so the kernel's page cache survives and
 * every write the target handed to the operating system reaches the file, durable or not; a missing
 * {@code force()} on a FUA write or SYNCHRONIZE CACHE goes unnoticed here (that would take a power cut or a
 * file system that drops unsynced data). {@link #qemuIoSendsFuaWritesPlainWritesAndSynchronizeCache} checks the
 * other half of the argument: that those commands reach the backstore as FUA writes and flushes.
 *
 * <p>The random choices (what is written where, when the kill comes) follow a seed printed in the summary line and
 * in every failure; {@code -Discsi4j.crash.seed=N} reruns them (timing still varies).
 */
@Timeout(180)
@Tag("interop")
class CrashConsistencyTest {

    /** The system property that fixes the seed. */
    static final String SEED_PROPERTY = "iscsi4j.crash.seed";

    private static final int BLOCK_SIZE = 512;
    private static final int WRITERS = 2;
    private static final int BLOCKS_PER_WRITER = 256;
    private static final int LUN_BLOCKS = WRITERS * BLOCKS_PER_WRITER;
    private static final long LUN_BYTES = (long) LUN_BLOCKS * BLOCK_SIZE;
    /** Kill and restart cycles: this many, or fewer (never below {@link #MIN_CYCLES}) past the time budget. */
    private static final int CYCLES = 32;
    private static final int MIN_CYCLES = 20;
    /** No new cycle starts past this (once {@link #MIN_CYCLES} ran), so a loaded machine stays under the timeout. */
    private static final Duration CYCLE_BUDGET = Duration.ofSeconds(90);
    private static final int COMMANDS_PER_WRITER = 400;
    private static final int MAX_WRITE_BLOCKS = 8;
    /** Of every 100 commands, about this many are SYNCHRONIZE CACHE. */
    private static final int FLUSH_PERCENT = 12;
    /** Of every 100 commands, about this many are FUA writes; the rest are plain writes. */
    private static final int FUA_PERCENT = 30;
    /** After the chosen acknowledgement, the kill waits up to this long more, so it also lands mid-command. */
    private static final long MAX_KILL_DELAY_MICROS = 2_000;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    /** A process killed by signal 9, as {@link Process#exitValue()} reports it on Linux. */
    private static final int SIGKILL_EXIT_VALUE = 128 + 9;

    @Test
    @DisplayName("qemu-io -t writeback: write -f is a FUA write, write is a plain write, flush is SYNCHRONIZE CACHE")
    void qemuIoSendsFuaWritesPlainWritesAndSynchronizeCache(@TempDir Path dir) throws Exception {
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        ForwardingBackstore recording = new ForwardingBackstore(
                Backstores.file(dir.resolve("probe.img"), LUN_BYTES, BLOCK_SIZE)) {
            @Override
            public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
                calls.add("write lba=" + lba + " blocks=" + src.remaining() / BLOCK_SIZE + " fua=" + fua);
                return super.write(lba, src, fua);
            }

            @Override
            public CompletionStage<Void> flush() {
                calls.add("flush");
                return super.flush();
            }
        };
        try (IscsiTarget target = InteropTargets.startOneLun(recording)) {
            Result r = InitiatorTools.run(InitiatorTools.DEFAULT_TIMEOUT, Map.of(),
                    "qemu-io", "-f", "raw", "-t", "writeback",
                    "-c", "write -f -P 0x11 0 4096",
                    "-c", "write -P 0x22 8192 4096",
                    "-c", "flush",
                    InteropTargets.lunUrl(target, IQN, 0));
            InitiatorTools.requireQemuIscsiDriver(r);
            r.assertSuccess();
            // qemu-io flushes once more when it closes the image, unless nothing was written since the last flush.
            assertThat(List.copyOf(calls)).as(r.describe()).startsWith(
                    "write lba=0 blocks=8 fua=true",
                    "write lba=16 blocks=8 fua=false",
                    "flush");
        }
    }

    @Test
    @DisplayName("SIGKILL x20-32 during qemu-io bursts: every block holds its last durable write or newer")
    void acknowledgedDurableWritesSurviveSigkill(@TempDir Path dir) throws Exception {
        InitiatorTools.require("stdbuf");
        InitiatorTools.require("qemu-io");
        InitiatorTools.require("qemu-img");
        long seed = Long.getLong(SEED_PROPERTY, ThreadLocalRandom.current().nextLong());
        Random random = new Random(seed);
        Path image = dir.resolve("lun.img");
        Model model = new Model(seed);
        Stats stats = new Stats();
        long start = System.nanoTime();

        int cycles = 0;
        while (cycles < CYCLES
                && (cycles < MIN_CYCLES || System.nanoTime() - start < CYCLE_BUDGET.toNanos())) {
            cycles++;
            runCycle(seed, cycles, random, dir, image, model, stats);
        }
        readBackThroughRestartedTarget(seed, dir, image);

        System.out.printf("crash consistency: seed %d, %d cycles in %.1f s: %d SIGKILLs (%d with a write in flight, "
                        + "%d unacknowledged writes found on disk), %d writes acknowledged, %d of them durable "
                        + "(%d FUA, %d by %d SYNCHRONIZE CACHE), %d durable block checks passed%n",
                seed, cycles, (System.nanoTime() - start) / 1e9, stats.kills, stats.killsWithWriteInFlight,
                stats.unacknowledgedWritesOnDisk, stats.writesAcknowledged, stats.fuaWrites + stats.flushedWrites,
                stats.fuaWrites, stats.flushedWrites, stats.flushes, stats.durableBlockChecks);
        assertThat(stats.kills).isEqualTo(cycles).isGreaterThanOrEqualTo(MIN_CYCLES);
    }

    /** One start, burst, SIGKILL and check of the file. */
    private static void runCycle(long seed, int cycle, Random random, Path dir, Path image, Model model, Stats stats)
            throws IOException, InterruptedException {
        String context = "seed " + seed + " (rerun with -D" + SEED_PROPERTY + "=" + seed + "), cycle " + cycle;
        Path work = Files.createDirectory(dir.resolve("cycle-" + cycle));
        model.beginCycle();
        AtomicBoolean targetAlive = new AtomicBoolean(true);
        List<Writer> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(new Writer(w, model.plan(random, w, work), targetAlive));
        }
        int killAfter = random.nextInt(COMMANDS_PER_WRITER);
        long killDelayMicros = random.nextLong(MAX_KILL_DELAY_MICROS);
        context += ", SIGKILL " + killDelayMicros + " us after writer 0's acknowledgement #" + killAfter;

        try (TargetProcess target = TargetProcess.start(image, work, context)) {
            String url = "iscsi://" + target.hostPort() + "/" + IQN + "/0";
            for (Writer writer : writers) {
                writer.start(url, work);
            }
            writers.get(0).awaitAcknowledged(killAfter, context);
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(killDelayMicros));
            if (writers.stream().anyMatch(Writer::writeInFlight)) {
                stats.killsWithWriteInFlight++;
            }
            targetAlive.set(false);
            target.kill(context);
            stats.kills++;
        } finally {
            for (Writer writer : writers) {
                writer.stop();
            }
        }

        List<Write> inFlight = new ArrayList<>();
        for (Writer writer : writers) {
            writer.assertNoErrorWhileTargetAlive(context);
            Write pending = model.apply(writer, stats);
            if (pending != null) {
                inFlight.add(pending);
            }
        }
        byte[] file = Files.readAllBytes(image);
        List<String> problems = model.verify(file, cycle, stats);
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder(context).append(": ").append(problems.size())
                    .append(" blocks violate crash consistency\n");
            problems.stream().limit(20).forEach(p -> message.append("  ").append(p).append('\n'));
            writers.forEach(w -> message.append(w.describe()));
            Assertions.fail(message.toString());
        }
        for (Write write : inFlight) {
            if (write.foundIn(file, model.seed)) {
                stats.unacknowledgedWritesOnDisk++;
            }
        }
        deleteDirectory(work);
    }

    /** Starts the target once more on the final file and reads the whole LUN through it with qemu-img. */
    private static void readBackThroughRestartedTarget(long seed, Path dir, Path image)
            throws IOException, InterruptedException {
        String context = "seed " + seed + ", read-back after the last cycle";
        Path work = Files.createDirectory(dir.resolve("read-back"));
        Path copy = work.resolve("copy.raw");
        try (TargetProcess target = TargetProcess.start(image, work, context)) {
            Result r = InitiatorTools.run(STEP_TIMEOUT, Map.of(), "qemu-img", "convert", "-f", "raw", "-O", "raw",
                    "iscsi://" + target.hostPort() + "/" + IQN + "/0", copy.toString());
            InitiatorTools.requireQemuIscsiDriver(r);
            r.assertSuccess();
            target.kill(context);
        }
        byte[] expected = Files.readAllBytes(image);
        byte[] served = Files.readAllBytes(copy);
        assertThat(Arrays.mismatch(served, expected)).as("%s: first byte where the LUN read through a restarted "
                + "target differs from the file (-1: none)", context).isEqualTo(-1);
    }

    private static void deleteDirectory(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    /** Counters for the summary line. */
    private static final class Stats {
        int kills;
        int killsWithWriteInFlight;
        int unacknowledgedWritesOnDisk;
        long writesAcknowledged;
        long fuaWrites;
        long flushedWrites;
        long flushes;
        long durableBlockChecks;
    }

    /**
     * The content of one 512-byte block that the write of a generation puts at an LBA: 8 bytes of magic, the
     * LBA, the generation, then bytes from a generator seeded by the run's seed, the LBA and the generation.
     */
    private static final class Blocks {

        private static final long MAGIC = 0x6973_6373_6934_6a43L; // "iscsi4jC"
        /** {@link #generation} for a block that is neither zeros nor some write's exact content. */
        static final long GARBAGE = -1;

        private Blocks() {
        }

        static byte[] content(long seed, long lba, long generation) {
            byte[] block = new byte[BLOCK_SIZE];
            ByteBuffer header = ByteBuffer.wrap(block);
            header.putLong(MAGIC).putLong(lba).putLong(generation);
            byte[] filler = new byte[BLOCK_SIZE - header.position()];
            new SplittableRandom(seed ^ lba * 0x9e37_79b9_7f4a_7c15L ^ generation * 0xc2b2_ae3d_27d4_eb4fL)
                    .nextBytes(filler);
            header.put(filler);
            return block;
        }

        /** The generation whose data the block at {@code offset} holds: 0 for zeros, else {@link #GARBAGE}. */
        static long generation(long seed, long lba, byte[] file, int offset) {
            ByteBuffer block = ByteBuffer.wrap(file, offset, BLOCK_SIZE).slice();
            if (block.getLong(0) == MAGIC && block.getLong(8) == lba) {
                long generation = block.getLong(16);
                if (generation > 0 && Arrays.equals(file, offset, offset + BLOCK_SIZE,
                        content(seed, lba, generation), 0, BLOCK_SIZE)) {
                    return generation;
                }
                return GARBAGE;
            }
            for (int i = offset; i < offset + BLOCK_SIZE; i++) {
                if (file[i] != 0) {
                    return GARBAGE;
                }
            }
            return 0;
        }
    }

    /** A {@code qemu-io} command of a burst and how it reports success on standard output. */
    private sealed interface Command permits Write, Flush {

        /** The {@code -c} arguments. */
        List<String> qemuIo();

        /** Whether {@code line}, read when this is the next unacknowledged command, acknowledges it. */
        boolean acknowledgedBy(String line);
    }

    /**
     * A write of {@code blocks} blocks at {@code lba} from {@code source} (a file in {@code qemu-io}'s working
     * directory holding {@link Blocks#content} of each block).
     */
    private record Write(long lba, int blocks, boolean fua, long generation, String source) implements Command {

        @Override
        public List<String> qemuIo() {
            return List.of("write " + (fua ? "-f " : "") + "-s " + source + " " + lba * BLOCK_SIZE + " "
                    + blocks * BLOCK_SIZE);
        }

        /** {@code wrote 4096/4096 bytes at offset 8192}: qemu-io prints it only when the write succeeded. */
        @Override
        public boolean acknowledgedBy(String line) {
            int length = blocks * BLOCK_SIZE;
            return line.equals("wrote " + length + "/" + length + " bytes at offset " + lba * BLOCK_SIZE);
        }

        /** Whether any block of the file holds this write's data. */
        boolean foundIn(byte[] file, long seed) {
            for (long b = lba; b < lba + blocks; b++) {
                if (Blocks.generation(seed, b, file, (int) (b * BLOCK_SIZE)) == generation) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * SYNCHRONIZE CACHE, followed by {@code length} as a marker: qemu-io prints nothing for a flush, and the size
     * line shows that the flush completed. It does not show that it succeeded (qemu-io goes on after a failed
     * command), so a marker only counts while the target is known to be alive (see {@link Writer}).
     */
    private record Flush() implements Command {

        /** qemu-io prints a size of whole KiB as {@code N KiB}. */
        private static final String LENGTH_LINE = LUN_BYTES / 1024 + " KiB";

        @Override
        public List<String> qemuIo() {
            return List.of("flush", "length");
        }

        @Override
        public boolean acknowledgedBy(String line) {
            return line.equals(LENGTH_LINE);
        }
    }

    /**
     * What the initiator was told, per block: the latest generation acknowledged durable, the latest acknowledged in
     * this cycle, and every generation that may have reached the target. Writer {@code w} owns blocks
     * {@code w * BLOCKS_PER_WRITER} to {@code (w + 1) * BLOCKS_PER_WRITER - 1}.
     */
    private static final class Model {

        final long seed;
        private final long[] durable = new long[LUN_BLOCKS];
        private final String[] durableBy = new String[LUN_BLOCKS];
        private final long[] acknowledged = new long[LUN_BLOCKS];
        private final List<Set<Long>> sent = new ArrayList<>();
        private long nextGeneration = 1;
        private int cycle;

        Model(long seed) {
            this.seed = seed;
            for (int b = 0; b < LUN_BLOCKS; b++) {
                sent.add(new HashSet<>());
            }
        }

        /**
         * A restarted target promises only what was durable: an acknowledged write that no flush covered may be
         * gone, so a flush in the new cycle makes no older write durable.
         */
        void beginCycle() {
            cycle++;
            System.arraycopy(durable, 0, acknowledged, 0, LUN_BLOCKS);
        }

        /** A burst for writer {@code w}; writes each write's source file into {@code work}. */
        List<Command> plan(Random random, int w, Path work) throws IOException {
            List<Command> commands = new ArrayList<>();
            for (int i = 0; i < COMMANDS_PER_WRITER; i++) {
                int roll = random.nextInt(100);
                if (roll < FLUSH_PERCENT) {
                    commands.add(new Flush());
                    continue;
                }
                int blocks = 1 + random.nextInt(MAX_WRITE_BLOCKS);
                long lba = (long) w * BLOCKS_PER_WRITER + random.nextInt(BLOCKS_PER_WRITER - blocks + 1);
                long generation = nextGeneration++;
                String source = "g" + generation + ".bin";
                byte[] data = new byte[blocks * BLOCK_SIZE];
                for (int b = 0; b < blocks; b++) {
                    System.arraycopy(Blocks.content(seed, lba + b, generation), 0, data, b * BLOCK_SIZE, BLOCK_SIZE);
                }
                Files.write(work.resolve(source), data);
                commands.add(new Write(lba, blocks, roll < FLUSH_PERCENT + FUA_PERCENT, generation, source));
            }
            return commands;
        }

        /**
         * Records what {@code writer} got acknowledged, in order, and the one write that may have been in flight.
         *
         * @return the write that was sent or about to be sent when the target died, or {@code null}
         */
        Write apply(Writer writer, Stats stats) {
            List<Command> commands = writer.commands();
            int done = writer.acknowledged();
            long plainSinceFlush = 0;
            for (int i = 0; i < done; i++) {
                Command command = commands.get(i);
                if (command instanceof Write write) {
                    stats.writesAcknowledged++;
                    for (long b = write.lba(); b < write.lba() + write.blocks(); b++) {
                        int block = (int) b;
                        sent.get(block).add(write.generation());
                        acknowledged[block] = write.generation();
                        if (write.fua()) {
                            durable[block] = write.generation();
                            durableBy[block] = "a FUA write in cycle " + cycle;
                        }
                    }
                    if (write.fua()) {
                        stats.fuaWrites++;
                    } else {
                        plainSinceFlush++;
                    }
                } else if (writer.flushCertain(i)) {
                    stats.flushes++;
                    stats.flushedWrites += plainSinceFlush;
                    plainSinceFlush = 0;
                    int first = writer.index() * BLOCKS_PER_WRITER;
                    for (int block = first; block < first + BLOCKS_PER_WRITER; block++) {
                        if (acknowledged[block] > durable[block]) {
                            durable[block] = acknowledged[block];
                            durableBy[block] = "covered by SYNCHRONIZE CACHE (command " + i + " of writer "
                                    + writer.index() + ") in cycle " + cycle;
                        }
                    }
                }
            }
            // qemu-io runs one command at a time: only the first unacknowledged one can have reached the target.
            if (done < commands.size() && commands.get(done) instanceof Write write) {
                for (long b = write.lba(); b < write.lba() + write.blocks(); b++) {
                    sent.get((int) b).add(write.generation());
                }
                return write;
            }
            return null;
        }

        /** Checks every block of {@code file}; returns one line per violation. */
        List<String> verify(byte[] file, int cycleNumber, Stats stats) {
            List<String> problems = new ArrayList<>();
            if (file.length != LUN_BYTES) {
                problems.add("the file is " + file.length + " bytes, expected " + LUN_BYTES);
                return problems;
            }
            for (int block = 0; block < LUN_BLOCKS; block++) {
                long found = Blocks.generation(seed, block, file, block * BLOCK_SIZE);
                String lastDurable = durable[block] == 0 ? "no durable write yet"
                        : "last durable write: generation " + durable[block] + ", " + durableBy[block];
                if (found == Blocks.GARBAGE) {
                    problems.add("LBA " + block + " holds garbage, neither zeros nor a write's exact data ("
                            + lastDurable + "); first bytes " + hex(file, block * BLOCK_SIZE, 32));
                } else if (found != 0 && !sent.get(block).contains(found)) {
                    problems.add("LBA " + block + " holds generation " + found + ", which was never sent to it ("
                            + lastDurable + ")");
                } else if (found < durable[block]) {
                    problems.add("LBA " + block + " holds " + (found == 0 ? "zeros" : "generation " + found)
                            + " after cycle " + cycleNumber + ", older than its " + lastDurable);
                } else if (durable[block] > 0) {
                    stats.durableBlockChecks++;
                }
            }
            return problems;
        }

        private static String hex(byte[] bytes, int offset, int length) {
            StringBuilder s = new StringBuilder();
            for (int i = offset; i < offset + length; i++) {
                s.append(String.format("%02x", bytes[i] & 0xff));
            }
            return s.toString();
        }
    }

    /**
     * One {@code qemu-io} process running a burst, with a thread that reads its output as it comes and counts the
     * commands acknowledged so far, in order.
     *
     * <p>Standard error is merged into standard output, so an error message arrives in order with the results. The
     * first line that does not acknowledge the next command ends the counting: what follows proves nothing. Such a
     * line read while the target was still alive is a failure, because nothing but the kill should stop a burst.
     * A flush marker read after the kill proves nothing about the flush (one that failed because the target died
     * prints the same marker), so that flush makes nothing durable; but the commands after it are still counted: a
     * write that printed its result was acknowledged before the kill, so it was sent and may be on the medium.
     */
    private static final class Writer {

        private static final Pattern STATISTICS = Pattern.compile(", \\d+ ops; ");

        private final int index;
        private final List<Command> commands;
        private final AtomicBoolean targetAlive;
        private final List<String> output = new ArrayList<>();   // guarded by this
        private int acknowledged;                                 // guarded by this
        private boolean counting = true;                          // guarded by this
        /** Indexes of flushes whose marker was read only after the kill: they prove nothing. Guarded by this. */
        private final Set<Integer> uncertainFlushes = new HashSet<>();
        private String errorWhileTargetAlive;                     // guarded by this
        private Process process;
        private Thread reader;
        private List<String> commandLine = List.of();

        Writer(int index, List<Command> commands, AtomicBoolean targetAlive) {
            this.index = index;
            this.commands = List.copyOf(commands);
            this.targetAlive = targetAlive;
        }

        int index() {
            return index;
        }

        List<Command> commands() {
            return commands;
        }

        synchronized int acknowledged() {
            return acknowledged;
        }

        /** Whether the flush at {@code index} was acknowledged while the target was alive. */
        synchronized boolean flushCertain(int index) {
            return !uncertainFlushes.contains(index);
        }

        void start(String url, Path work) throws IOException {
            List<String> line = new ArrayList<>(List.of(InitiatorTools.require("stdbuf").toString(), "-oL",
                    InitiatorTools.require("qemu-io").toString(), "-f", "raw", "-t", "writeback"));
            for (Command command : commands) {
                for (String c : command.qemuIo()) {
                    line.add("-c");
                    line.add(c);
                }
            }
            line.add(url);
            commandLine = line;
            process = new ProcessBuilder(line).directory(work.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            reader = new Thread(this::read, "crash-writer-" + index);
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    accept(line, targetAlive.get());
                }
            } catch (IOException e) {
                // the process was killed: what was read so far is what counts
            }
        }

        private synchronized void accept(String line, boolean whileTargetAlive) {
            output.add(line);
            if (!counting || STATISTICS.matcher(line).find()) {
                return;
            }
            if (acknowledged < commands.size()) {
                Command next = commands.get(acknowledged);
                if (next.acknowledgedBy(line)) {
                    if (!whileTargetAlive && !(next instanceof Write)) {
                        uncertainFlushes.add(acknowledged);
                    }
                    acknowledged++;
                    notifyAll();
                    return;
                }
            }
            counting = false;
            if (whileTargetAlive) {
                errorWhileTargetAlive = line;
            }
            notifyAll();
        }

        /** Waits until {@code count} commands are acknowledged; fails if the burst stops or takes too long. */
        void awaitAcknowledged(int count, String context) throws InterruptedException {
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            synchronized (this) {
                while (acknowledged < count && counting) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
                }
                if (acknowledged >= count) {
                    return;
                }
            }
            stop();
            InitiatorTools.requireQemuIscsiDriver(result());
            Assertions.fail(context + ": writer " + index + " stopped at " + acknowledged() + " of " + count
                    + " acknowledgements\n" + describe());
        }

        /** Whether the session was up and the next command, a write, was sent or about to be. */
        synchronized boolean writeInFlight() {
            return process.isAlive() && counting && acknowledged > 0 && acknowledged < commands.size()
                    && commands.get(acknowledged) instanceof Write;
        }

        /** Kills {@code qemu-io} (it retries a dead target forever) and reads the rest of its output. */
        void stop() throws InterruptedException {
            if (process == null) {
                return;
            }
            process.destroyForcibly();
            process.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            reader.join(STEP_TIMEOUT.toMillis());
        }

        synchronized void assertNoErrorWhileTargetAlive(String context) {
            if (errorWhileTargetAlive != null) {
                InitiatorTools.requireQemuIscsiDriver(result());
                Assertions.fail(context + ": writer " + index + " printed '" + errorWhileTargetAlive
                        + "' while the target was alive, after " + acknowledged + " acknowledged commands\n"
                        + describe());
            }
        }

        private synchronized Result result() {
            int exit = process != null && !process.isAlive() ? process.exitValue() : -1;
            return new Result(commandLine.isEmpty() ? List.of("qemu-io") : summarized(commandLine), exit,
                    String.join("\n", output), "");
        }

        /** The command line with the {@code -c} list shortened, and the last lines of output. */
        synchronized String describe() {
            List<String> tail = output.subList(Math.max(0, output.size() - 12), output.size());
            return "--- writer " + index + ": " + acknowledged + " of " + commands.size() + " commands acknowledged"
                    + (acknowledged < commands.size() ? ", next: " + commands.get(acknowledged).qemuIo() : "")
                    + "\n$ " + String.join(" ", summarized(commandLine)) + "\n" + String.join("\n", tail) + "\n";
        }

        private static List<String> summarized(List<String> line) {
            if (line.size() <= 12) {
                return line;
            }
            List<String> s = new ArrayList<>(line.subList(0, 9));
            s.add("...");
            s.add(line.get(line.size() - 1));
            return s;
        }
    }

    /** The child JVM running {@link CrashTargetMain}; {@link #close()} kills it if it still runs. */
    private static final class TargetProcess implements AutoCloseable {

        private final Process process;
        private final String hostPort;
        private final Path stderr;

        private TargetProcess(Process process, String hostPort, Path stderr) {
            this.process = process;
            this.hostPort = hostPort;
            this.stderr = stderr;
        }

        /** Starts the target on {@code image} and waits for its {@code listening on HOST:PORT} line. */
        static TargetProcess start(Path image, Path work, String context) throws IOException, InterruptedException {
            Path stdout = work.resolve("target.out");
            Path stderr = work.resolve("target.err");
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp", System.getProperty("java.class.path"),
                    CrashTargetMain.class.getName(), image.toString(), Long.toString(LUN_BYTES));
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            process.getOutputStream().close();
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (true) {
                String text = Files.readString(stdout, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                if (end >= 0 && text.startsWith(CrashTargetMain.LISTENING)) {
                    return new TargetProcess(process, text.substring(CrashTargetMain.LISTENING.length(), end).trim(),
                            stderr);
                }
                if (end >= 0 || !process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    process.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    Assertions.fail(context + ": the target did not report its address\n--- stdout ---\n" + text
                            + "\n--- stderr ---\n" + Files.readString(stderr, StandardCharsets.UTF_8));
                }
                Thread.sleep(10);
            }
        }

        String hostPort() {
            return hostPort;
        }

        /** SIGKILL; asserts the process died of it and not of something else first. */
        void kill(String context) throws IOException, InterruptedException {
            boolean aliveBefore = process.isAlive();
            process.destroyForcibly();
            assertThat(process.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("%s: the target outlived SIGKILL", context).isTrue();
            assertThat(aliveBefore).as("%s: the target died before the kill\n%s", context,
                    Files.readString(stderr, StandardCharsets.UTF_8)).isTrue();
            assertThat(process.exitValue()).as("%s: exit value of the killed target (137: SIGKILL)", context)
                    .isEqualTo(SIGKILL_EXIT_VALUE);
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
