package io.iscsi4j.testing;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test classes that {@link ExtensionLifecycleTest} runs through the JUnit launcher; they record the targets they saw
 * and some fail on purpose. Disabled unless that test runs them.
 */
final class LifecycleFixtures {

    /** Set while {@link ExtensionLifecycleTest} runs the fixtures. */
    static final String ENABLED = "iscsi4j.testing.fixtures";

    /** Every target a fixture saw, in order. */
    static final List<InProcessTarget> SEEN = new CopyOnWriteArrayList<>();

    private LifecycleFixtures() {
    }

    /** A per-test field extension; the second test fails. */
    @EnabledIfSystemProperty(named = ENABLED, matches = "true")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerTestField {

        @RegisterExtension
        final IscsiTargetExtension iscsi = IscsiTargetExtension.builder().lun(1 << 20).build();

        @Test
        @Order(1)
        void passes() {
            SEEN.add(iscsi.target());
        }

        @Test
        @Order(2)
        void fails() {
            SEEN.add(iscsi.target());
            throw new AssertionError("failing on purpose");
        }
    }

    /** A per-class static extension shared by two tests, one failing. */
    @EnabledIfSystemProperty(named = ENABLED, matches = "true")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClassStaticField {

        @RegisterExtension
        static final IscsiTargetExtension ISCSI = IscsiTargetExtension.builder().lun(1 << 20).perClass().build();

        @Test
        @Order(1)
        void fails() {
            SEEN.add(ISCSI.target());
            assertThat(ISCSI.target().lunCount()).isEqualTo(2); // it has one: fails on purpose
        }

        @Test
        @Order(2)
        void passes(InProcessTarget target) {
            SEEN.add(target);
        }
    }

    /** A per-class extension on an instance field: a configuration error, reported on each test. */
    @EnabledIfSystemProperty(named = ENABLED, matches = "true")
    static class PerClassInstanceField {

        @RegisterExtension
        final IscsiTargetExtension iscsi = IscsiTargetExtension.builder().perClass().build();

        @Test
        void neverRuns() {
            SEEN.add(iscsi.target());
        }
    }

    /** The annotation with injected parameters, two LUNs of 4 KiB blocks; the second test fails. */
    @EnabledIfSystemProperty(named = ENABLED, matches = "true")
    @IscsiTest(lunSizes = {1 << 20, 2 << 20}, blockSize = 4096, iqn = "iqn.2026-11.com.example:fixture")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Annotated {

        @Test
        @Order(1)
        void passes(InProcessTarget target, FaultPolicy faults) {
            assertThat(faults).isSameAs(target.faults());
            assertThat(target.lunCount()).isEqualTo(2);
            assertThat(target.backstore(1).blockSize()).isEqualTo(4096);
            assertThat(target.backstore(1).blockCount()).isEqualTo(512);
            assertThat(target.iqn()).isEqualTo("iqn.2026-11.com.example:fixture");
            SEEN.add(target);
        }

        @Test
        @Order(2)
        void fails(InProcessTarget target) {
            SEEN.add(target);
            throw new IllegalStateException("failing on purpose");
        }
    }

    /** The annotation with a per-class lifecycle. */
    @EnabledIfSystemProperty(named = ENABLED, matches = "true")
    @IscsiTest(lifecycle = IscsiTargetExtension.Lifecycle.PER_CLASS)
    static class AnnotatedPerClass {

        @Test
        void first(InProcessTarget target) {
            SEEN.add(target);
        }

        @Test
        void second(InProcessTarget target) {
            SEEN.add(target);
        }
    }
}
