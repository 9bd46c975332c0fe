package io.iscsi4j.testing;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A JUnit 5 extension that runs an {@link InProcessTarget} for each test or for a whole test class, and closes it
 * afterwards even when the test fails.
 *
 * <p>As a field, configured with a builder:
 * <pre>{@code
 * class InitiatorTest {
 *     @RegisterExtension
 *     static IscsiTargetExtension iscsi = IscsiTargetExtension.builder()
 *             .lun(64 << 20)                          // LUN 0: 64 MiB of 512-byte blocks
 *             .lunBlocks(4096, 1024)                  // LUN 1: 1024 blocks of 4 KiB
 *             .chap("user", "secret")
 *             .lifecycle(IscsiTargetExtension.Lifecycle.PER_CLASS)
 *             .build();
 *
 *     @Test
 *     void readsTheDisk() throws Exception {
 *         myInitiator.open(iscsi.url(0));
 *         RecordedCommand c = iscsi.backstore(0).takeCommand(Duration.ofSeconds(5));
 *         ...
 *     }
 * }
 * }</pre>
 * A {@link Lifecycle#PER_CLASS} extension must be a {@code static} field (or the class must use
 * {@code @TestInstance(PER_CLASS)}); a {@link Lifecycle#PER_TEST} one may be either.
 *
 * <p>Declaratively, with {@link IscsiTest} (which registers this extension and configures it), the target is
 * injected as a parameter of type {@link InProcessTarget} or {@link FaultPolicy}.
 *
 * <p>Tests that share one extension field must not run concurrently with a {@link Lifecycle#PER_TEST} lifecycle:
 * the field's accessors show the most recently started target. Parameters always get the right one.
 *
 * @since 0.1
 */
public final class IscsiTargetExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    /** When targets start and stop. */
    public enum Lifecycle {
        /** A new target before each test, closed after it. */
        PER_TEST,
        /** One target before the first test of the class, closed after the last. */
        PER_CLASS
    }

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(IscsiTargetExtension.class);

    /** How targets are made; {@code null} when configured by {@link IscsiTest}. */
    private final InProcessTarget.Builder spec;
    private final Lifecycle lifecycle;
    private volatile InProcessTarget current;

    /** Used by {@link IscsiTest} and {@code @ExtendWith}: the configuration comes from {@link IscsiTest}. */
    public IscsiTargetExtension() {
        this.spec = null;
        this.lifecycle = null;
    }

    private IscsiTargetExtension(InProcessTarget.Builder spec, Lifecycle lifecycle) {
        this.spec = spec;
        this.lifecycle = lifecycle;
    }

    /**
     * A new builder for a {@code @RegisterExtension} field.
     *
     * @return a builder; one 64 MiB LUN and {@link Lifecycle#PER_TEST} unless set otherwise
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- accessors for @RegisterExtension fields ----

    /**
     * The running target.
     *
     * @return the target of the current test or class
     * @throws IllegalStateException outside a test (before it started or after it closed)
     */
    public InProcessTarget target() {
        InProcessTarget t = current;
        if (t == null) {
            throw new IllegalStateException("no in-process iSCSI target is running (outside a test, or a "
                    + "PER_TEST target asked for in @BeforeAll)");
        }
        return t;
    }

    /**
     * The URL of a LUN of the running target.
     *
     * @param lun the LUN
     * @return {@code iscsi://127.0.0.1:PORT/IQN/LUN}
     */
    public String url(int lun) {
        return target().url(lun);
    }

    /**
     * The running target's portal.
     *
     * @return {@code 127.0.0.1} and its port
     */
    public InetSocketAddress portal() {
        return target().portal();
    }

    /**
     * The running target's name.
     *
     * @return the IQN
     */
    public String iqn() {
        return target().iqn();
    }

    /**
     * The recording backstore of a LUN of the running target.
     *
     * @param lun the LUN
     * @return its backstore
     */
    public RecordingBackstore backstore(int lun) {
        return target().backstore(lun);
    }

    /**
     * The running target's fault policy.
     *
     * @return the policy
     */
    public FaultPolicy faults() {
        return target().faults();
    }

    // ---- JUnit callbacks ----

    @Override
    public void beforeAll(ExtensionContext context) {
        Optional<Config> config = configFor(context.getRequiredTestClass());
        if (config.isPresent() && config.get().lifecycle() == Lifecycle.PER_CLASS) {
            start(context, config.get());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<Config> config = configFor(context.getRequiredTestMethod());
        if (config.isEmpty()) {
            config = configFor(context.getRequiredTestClass());
        }
        if (config.isEmpty()) {
            return;
        }
        if (config.get().lifecycle() == Lifecycle.PER_TEST) {
            start(context, config.get());
        } else if (find(context) == null) {
            throw new ExtensionConfigurationException("a PER_CLASS in-process iSCSI target did not start: "
                    + "declare the @RegisterExtension field static, use @TestInstance(PER_CLASS), or put "
                    + "@IscsiTest(lifecycle = PER_CLASS) on the class rather than a method");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == InProcessTarget.class || type == FaultPolicy.class || type == IscsiSession.class
                || type == BlockDevice.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        InProcessTarget t = find(extensionContext);
        if (t == null) {
            throw new ParameterResolutionException("no in-process iSCSI target is running for "
                    + parameterContext.getDeclaringExecutable() + " (a PER_TEST target exists only from "
                    + "@BeforeEach to @AfterEach; use PER_CLASS for @BeforeAll)");
        }
        Class<?> type = parameterContext.getParameter().getType();
        if (type == FaultPolicy.class) {
            return t.faults();
        }
        try {
            if (type == IscsiSession.class) {
                return t.client();
            }
            if (type == BlockDevice.class) {
                return t.clientLun(0);
            }
        } catch (IscsiException e) {
            throw new ParameterResolutionException("the client cannot log in to " + t.iqn() + ": " + e.getMessage(),
                    e);
        }
        return t;
    }

    // ---- internals ----

    /** What a test or class asks for. */
    private record Config(Supplier<InProcessTarget> starter, Lifecycle lifecycle) {
    }

    private Optional<Config> configFor(AnnotatedElement element) {
        if (spec != null) {
            return Optional.of(new Config(spec::start, lifecycle));
        }
        Optional<IscsiTest> annotation = AnnotationSupport.findAnnotation(element, IscsiTest.class);
        if (annotation.isEmpty() && element instanceof Class<?> c) {
            for (Class<?> outer = c.getEnclosingClass(); outer != null && annotation.isEmpty();
                 outer = outer.getEnclosingClass()) {
                annotation = AnnotationSupport.findAnnotation(outer, IscsiTest.class);
            }
        }
        return annotation.map(a -> {
            if (!(element instanceof Class<?>) && a.lifecycle() == Lifecycle.PER_CLASS) {
                throw new ExtensionConfigurationException("@IscsiTest(lifecycle = PER_CLASS) belongs on a class");
            }
            return new Config(() -> fromAnnotation(a).start(), a.lifecycle());
        });
    }

    private static InProcessTarget.Builder fromAnnotation(IscsiTest a) {
        InProcessTarget.Builder b = InProcessTarget.builder().iqn(a.iqn());
        for (long size : a.lunSizes()) {
            b.lun(size, a.blockSize());
        }
        if (!a.chapUser().isEmpty()) {
            b.chap(a.chapUser(), a.chapSecret());
        }
        return b;
    }

    private void start(ExtensionContext context, Config config) {
        InProcessTarget t = config.starter().get();
        // Stored so parameters find it (the store is searched up to the class) and so JUnit closes it should an
        // after-callback never run.
        context.getStore(NAMESPACE).put(this, t);
        current = t;
    }

    private void stop(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        InProcessTarget t = store.remove(this, InProcessTarget.class);
        if (t != null) {
            try {
                t.close();
            } finally {
                current = store.get(this, InProcessTarget.class); // the class's target, if any
            }
        }
    }

    private InProcessTarget find(ExtensionContext context) {
        return context.getStore(NAMESPACE).get(this, InProcessTarget.class);
    }

    /**
     * Configures an {@link IscsiTargetExtension}; the options are those of {@link InProcessTarget.Builder}.
     * Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private final InProcessTarget.Builder spec = InProcessTarget.builder();
        private Lifecycle lifecycle = Lifecycle.PER_TEST;

        Builder() {
        }

        /**
         * Sets the target name.
         *
         * @param value an iSCSI name
         * @return this
         * @see InProcessTarget.Builder#iqn(String)
         */
        public Builder iqn(String value) {
            spec.iqn(value);
            return this;
        }

        /**
         * Adds a memory LUN of 512-byte blocks.
         *
         * @param sizeBytes the capacity
         * @return this
         * @see InProcessTarget.Builder#lun(long)
         */
        public Builder lun(long sizeBytes) {
            spec.lun(sizeBytes);
            return this;
        }

        /**
         * Adds a memory LUN.
         *
         * @param sizeBytes the capacity
         * @param blockSize the logical block size
         * @return this
         * @see InProcessTarget.Builder#lun(long, int)
         */
        public Builder lun(long sizeBytes, int blockSize) {
            spec.lun(sizeBytes, blockSize);
            return this;
        }

        /**
         * Adds a memory LUN given in blocks.
         *
         * @param blockSize the logical block size
         * @param blockCount the number of blocks
         * @return this
         * @see InProcessTarget.Builder#lunBlocks(int, long)
         */
        public Builder lunBlocks(int blockSize, long blockCount) {
            spec.lunBlocks(blockSize, blockCount);
            return this;
        }

        /**
         * Adds a LUN with custom storage, made anew for every target.
         *
         * @param storage makes the backstore
         * @return this
         * @see InProcessTarget.Builder#lun(Supplier)
         */
        public Builder lun(Supplier<? extends io.iscsi4j.backstore.Backstore> storage) {
            spec.lun(storage);
            return this;
        }

        /**
         * Requires one-way CHAP.
         *
         * @param user the CHAP name
         * @param secret the secret
         * @return this
         * @see InProcessTarget.Builder#chap(String, String)
         */
        public Builder chap(String user, String secret) {
            spec.chap(user, secret);
            return this;
        }

        /**
         * Enables mutual CHAP.
         *
         * @param targetUser the target's CHAP name
         * @param targetSecret the target's secret
         * @return this
         * @see InProcessTarget.Builder#mutualChap(String, String)
         */
        public Builder mutualChap(String targetUser, String targetSecret) {
            spec.mutualChap(targetUser, targetSecret);
            return this;
        }

        /**
         * Adjusts the underlying {@link io.iscsi4j.IscsiTarget.Builder}.
         *
         * @param customizer changes the builder
         * @return this
         * @see InProcessTarget.Builder#configure(Consumer)
         */
        public Builder configure(Consumer<io.iscsi4j.IscsiTarget.Builder> customizer) {
            spec.configure(customizer);
            return this;
        }

        /**
         * Sets when targets start and stop. Default {@link Lifecycle#PER_TEST}.
         *
         * @param value the lifecycle
         * @return this
         */
        public Builder lifecycle(Lifecycle value) {
            this.lifecycle = java.util.Objects.requireNonNull(value, "lifecycle");
            return this;
        }

        /**
         * One target for the whole class: {@code lifecycle(Lifecycle.PER_CLASS)}.
         *
         * @return this
         */
        public Builder perClass() {
            return lifecycle(Lifecycle.PER_CLASS);
        }

        /**
         * A new target for each test (the default): {@code lifecycle(Lifecycle.PER_TEST)}.
         *
         * @return this
         */
        public Builder perTest() {
            return lifecycle(Lifecycle.PER_TEST);
        }

        /**
         * Builds the extension.
         *
         * @return the extension, to assign to a {@code @RegisterExtension} field
         */
        public IscsiTargetExtension build() {
            return new IscsiTargetExtension(spec, lifecycle);
        }
    }
}
