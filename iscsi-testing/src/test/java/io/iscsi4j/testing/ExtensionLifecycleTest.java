package io.iscsi4j.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The extension's lifecycle, checked by running fixture test classes (some failing on purpose) through the JUnit
 * launcher and then probing the targets they saw: each one must be closed (its port refuses connections).
 */
@Timeout(60)
class ExtensionLifecycleTest {

    @BeforeEach
    void enableFixtures() {
        LifecycleFixtures.SEEN.clear();
        System.setProperty(LifecycleFixtures.ENABLED, "true");
    }

    @AfterEach
    void disableFixtures() {
        System.clearProperty(LifecycleFixtures.ENABLED);
    }

    @Test
    void perTestFieldStartsATargetPerTestAndClosesItEvenWhenTheTestFails() {
        TestExecutionSummary s = run(LifecycleFixtures.PerTestField.class);

        assertThat(s.getTestsSucceededCount()).isEqualTo(1);
        assertThat(s.getTestsFailedCount()).isEqualTo(1);
        assertThat(s.getFailures().get(0).getException()).hasMessage("failing on purpose");
        assertThat(LifecycleFixtures.SEEN).hasSize(2);
        assertThat(LifecycleFixtures.SEEN.get(0)).isNotSameAs(LifecycleFixtures.SEEN.get(1));
        LifecycleFixtures.SEEN.forEach(ExtensionLifecycleTest::assertClosed);
    }

    @Test
    void perClassStaticFieldSharesOneTargetAndClosesItAfterTheClass() {
        TestExecutionSummary s = run(LifecycleFixtures.PerClassStaticField.class);

        assertThat(s.getTestsSucceededCount()).isEqualTo(1);
        assertThat(s.getTestsFailedCount()).isEqualTo(1);
        assertThat(LifecycleFixtures.SEEN).hasSize(2);
        assertThat(LifecycleFixtures.SEEN.get(0)).isSameAs(LifecycleFixtures.SEEN.get(1));
        assertClosed(LifecycleFixtures.SEEN.get(0));
    }

    @Test
    void perClassOnAnInstanceFieldIsAConfigurationError() {
        TestExecutionSummary s = run(LifecycleFixtures.PerClassInstanceField.class);

        assertThat(s.getTestsFailedCount()).isEqualTo(1);
        assertThat(s.getFailures().get(0).getException()).hasMessageContaining("static");
        assertThat(LifecycleFixtures.SEEN).isEmpty();
    }

    @Test
    void annotationInjectsAConfiguredTargetPerTestAndClosesItEvenWhenTheTestFails() {
        TestExecutionSummary s = run(LifecycleFixtures.Annotated.class);

        assertThat(s.getTestsSucceededCount()).as(failures(s)).isEqualTo(1);
        assertThat(s.getTestsFailedCount()).isEqualTo(1);
        assertThat(LifecycleFixtures.SEEN).hasSize(2);
        assertThat(LifecycleFixtures.SEEN.get(0)).isNotSameAs(LifecycleFixtures.SEEN.get(1));
        LifecycleFixtures.SEEN.forEach(ExtensionLifecycleTest::assertClosed);
    }

    @Test
    void annotationWithPerClassLifecycleSharesOneTarget() {
        TestExecutionSummary s = run(LifecycleFixtures.AnnotatedPerClass.class);

        assertThat(s.getTestsSucceededCount()).as(failures(s)).isEqualTo(2);
        assertThat(LifecycleFixtures.SEEN).hasSize(2);
        assertThat(LifecycleFixtures.SEEN.get(0)).isSameAs(LifecycleFixtures.SEEN.get(1));
        assertClosed(LifecycleFixtures.SEEN.get(0));
    }

    private static TestExecutionSummary run(Class<?> fixture) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(fixture))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        return listener.getSummary();
    }

    private static String failures(TestExecutionSummary s) {
        StringBuilder b = new StringBuilder();
        s.getFailures().forEach(f -> b.append(f.getTestIdentifier().getDisplayName()).append(": ")
                .append(f.getException()).append('\n'));
        return b.toString();
    }

    /** A closed target's port refuses connections. */
    private static void assertClosed(InProcessTarget target) {
        InetSocketAddress portal = target.target().boundAddresses().get(0);
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(portal, 2_000);
            }
        }).as("target %s is closed", target).isInstanceOf(ConnectException.class);
    }
}
