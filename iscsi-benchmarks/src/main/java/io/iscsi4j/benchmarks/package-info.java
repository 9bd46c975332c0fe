/**
 * JMH benchmarks of the target's hot path: whole READ and WRITE commands through the production pipeline of a
 * logged-in connection ({@link io.iscsi4j.benchmarks.EndToEndBenchmark}) and PDU frame decoding
 * ({@link io.iscsi4j.benchmarks.FrameDecodeBenchmark}); the CRC32C digests are measured by
 * {@code io.iscsi4j.core.pdu.DigestsBenchmark}, which lives in the package of the package-private class it measures.
 * What they share: the JMH executor ({@link EventLoopThreads}) and JVM options ({@link JvmOptions}).
 *
 * <p>The benchmarks run on the class path, so they reach iscsi-core's internal packages ({@code core.pdu},
 * {@code core.session}) and enter the hot path where production does. Build with
 * {@code mvn -B -pl iscsi-benchmarks -am package -DskipTests}, run with
 * {@code java -jar iscsi-benchmarks/target/iscsi4j-benchmarks.jar}; {@code -prof gc} adds the bytes allocated per
 * operation ({@code gc.alloc.rate.norm}).
 */
package io.iscsi4j.benchmarks;
