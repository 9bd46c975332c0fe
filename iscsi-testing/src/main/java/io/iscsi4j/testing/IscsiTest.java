package io.iscsi4j.testing;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a test class or method an in-process iSCSI target, injected as a parameter of type
 * {@link InProcessTarget} (or {@link FaultPolicy}; or {@link io.iscsi4j.initiator.IscsiSession} for
 * {@link InProcessTarget#client()}, {@link io.iscsi4j.initiator.BlockDevice} for LUN 0 through it) into test methods and {@code @BeforeEach}/{@code @AfterEach}
 * methods (and {@code @BeforeAll}/{@code @AfterAll} methods with {@link IscsiTargetExtension.Lifecycle#PER_CLASS}).
 * The target is started before and closed after each test (or the class), also when the test fails.
 *
 * <pre>{@code
 * @IscsiTest(lunSizes = {64L << 20, 16L << 20})
 * class BackupToolTest {
 *     @Test
 *     void copiesTheDisk(InProcessTarget target) throws Exception {
 *         target.backstore(0).writeBlocks(0, seed);
 *         backupTool.copy(target.url(0), out);
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>For settings the annotation lacks (custom storage, tuning), register an {@link IscsiTargetExtension} field
 * instead. Do not combine both in one class: two resolvers for {@link InProcessTarget} are an error in JUnit.
 *
 * @since 0.1
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(IscsiTargetExtension.class)
public @interface IscsiTest {

    /**
     * The target name.
     *
     * @return an iSCSI name
     */
    String iqn() default InProcessTarget.DEFAULT_IQN;

    /**
     * One memory LUN per element, LUN 0 first, each of this many bytes.
     *
     * @return the LUN sizes in bytes, multiples of {@link #blockSize()}
     */
    long[] lunSizes() default {InProcessTarget.DEFAULT_LUN_BYTES};

    /**
     * The logical block size of every LUN.
     *
     * @return 512 or 4096 (a power of two from 512 to 65536)
     */
    int blockSize() default 512;

    /**
     * The CHAP name initiators must send; empty for no authentication.
     *
     * @return the CHAP user
     */
    String chapUser() default "";

    /**
     * The CHAP secret, used when {@link #chapUser()} is set.
     *
     * @return the secret
     */
    String chapSecret() default "";

    /**
     * Whether each test gets its own target or the class shares one (only on a class).
     *
     * @return the lifecycle
     */
    IscsiTargetExtension.Lifecycle lifecycle() default IscsiTargetExtension.Lifecycle.PER_TEST;
}
