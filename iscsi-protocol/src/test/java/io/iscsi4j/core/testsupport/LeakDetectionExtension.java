package io.iscsi4j.core.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked a Netty {@link ByteBuf} (or any other tracked resource).
 *
 * <p>Registered for every test of this module through
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} with
 * {@code junit.jupiter.extensions.autodetection.enabled=true}. JUnit instantiates auto-detected
 * extensions before it initializes any test class, so the static initializer below installs a
 * {@link ResourceLeakDetectorFactory} that creates {@link RecordingLeakDetector}s before Netty's
 * {@code AbstractByteBuf} creates its detector; it then verifies that the buffer detector really is
 * a recording one and throws otherwise, so a silently ineffective leak check cannot happen.
 *
 * <p>After each test class, {@link #collectLeaks(Predicate)} forces garbage collection and allocates a
 * few buffers (which makes the detector poll its reference queue); any leak recorded fails the class
 * with Netty's leak record (where the buffer was allocated and last touched). Run with
 * {@code -Dio.netty.leakDetection.level=PARANOID} (the build does) so every buffer is tracked; when the
 * property is absent the level is raised to PARANOID here.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

    /**
     * Touch hints starting with this text mark leaks made on purpose by tests of the detector itself;
     * they are recorded but not logged, so the build output shows no alarming leak report.
     */
    public static final String DELIBERATE_LEAK_MARKER = "iscsi4j-deliberate-leak-";

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        verifyInstalled();
    }

    /** Creates the extension (called by JUnit's service loading). */
    public LeakDetectionExtension() {
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collectLeaks(record -> true);
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " resource leak(s) detected in "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /**
     * Forces garbage collection, makes the leak detectors report what was collected without being
     * released, and removes and returns the recorded leaks that match {@code filter}; leaks that do not
     * match stay recorded for the next check.
     *
     * @param filter selects the leak records to take (a record contains the resource type, the
     *     allocation stack and the touch hints)
     * @return the matching leak records, empty if none
     */
    public static List<String> collectLeaks(Predicate<String> filter) {
        for (int round = 0; round < 5; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // every tracked allocation polls the detector's reference queue and reports leaks
            for (int i = 0; i < 4; i++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
                PooledByteBufAllocator.DEFAULT.heapBuffer(16).release();
                UnpooledByteBufAllocator.DEFAULT.buffer(16).release();
            }
        }
        List<String> taken = new ArrayList<>();
        for (String record : LEAKS) {
            if (filter.test(record) && LEAKS.remove(record)) {
                taken.add(record);
            }
        }
        return taken;
    }

    /** Checks that Netty's buffer leak detector was created by {@link RecordingFactory}. */
    private static void verifyInstalled() {
        Object detector;
        try {
            Class<?> abstractByteBuf = Class.forName("io.netty.buffer.AbstractByteBuf");
            Field field = abstractByteBuf.getDeclaredField("leakDetector");
            field.setAccessible(true);
            detector = field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a Netty version without this field: the self-test (LeakDetectionExtensionTest) still checks
            return;
        }
        if (!(detector instanceof RecordingLeakDetector)) {
            throw new IllegalStateException("Netty's ByteBuf leak detector was created before "
                    + LeakDetectionExtension.class.getSimpleName() + " could install its factory: " + detector);
        }
    }

    /** A detector that records leaks in addition to logging them. */
    static final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

        RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // report even if Netty's logger is not at ERROR level
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected."
                    + records);
            if (!records.contains(DELIBERATE_LEAK_MARKER)) {
                super.reportTracedLeak(resourceType, records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected"
                    + " (no access records; run with -Dio.netty.leakDetection.level=PARANOID)");
            super.reportUntracedLeak(resourceType);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingLeakDetector<>(resource, samplingInterval);
        }

        @Override
        @Deprecated
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                long maxActive) {
            return new RecordingLeakDetector<>(resource, samplingInterval);
        }
    }
}
