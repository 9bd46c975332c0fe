package io.iscsi4j.testing;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The module encapsulation on a real module path. The other tests run on the class path, where module
 * declarations have no effect; this one resolves the built iscsi4j modules (the jars, or the class directories
 * when only {@code test} runs) with their Netty, SLF4J and JUnit dependencies in a fresh {@link ModuleLayer} and
 * checks what the JVM enforces: the exported packages are exactly the API packages, the protocol engine's
 * packages are present but closed, {@code requires transitive} gives a consumer the types of the API signatures,
 * and the built-in backstore providers are found through {@code provides}.
 */
class ModuleEncapsulationTest {

    /** Module name to the packages it must export, unqualified; nothing else may be exported or opened. */
    private static final Map<String, Set<String>> API = Map.of(
            "io.iscsi4j.backstore", Set.of("io.iscsi4j.backstore"),
            "io.iscsi4j.scsi", Set.of("io.iscsi4j.scsi"),
            "io.iscsi4j.core", Set.of("io.iscsi4j", "io.iscsi4j.core.auth", "io.iscsi4j.management"),
            "io.iscsi4j.initiator", Set.of("io.iscsi4j.initiator"),
            "io.iscsi4j.testing", Set.of("io.iscsi4j.testing"));

    private static final List<String> CORE_INTERNALS = List.of(
            "io.iscsi4j.core.login", "io.iscsi4j.core.session", "io.iscsi4j.core.transport");

    /** The PDUs, shared by target and initiator: exported to those modules only. */
    private static final String PROTOCOL_PDU = "io.iscsi4j.core.pdu";

    private static ModuleLayer layer;

    @BeforeAll
    static void resolveTheBuiltModules() throws Exception {
        // One class per module; its code source is the jar (or class directory) on this test's class path.
        Set<Path> modulePath = new LinkedHashSet<>();
        for (String className : List.of(
                "io.iscsi4j.testing.IscsiTargetExtension", "io.iscsi4j.IscsiTarget", "io.iscsi4j.scsi.ScsiStatus",
                "io.iscsi4j.core.pdu.Pdu", "io.iscsi4j.initiator.IscsiInitiator",
                "io.iscsi4j.backstore.Backstore", "io.netty.buffer.ByteBuf", "io.netty.channel.Channel",
                "io.netty.handler.codec.ByteToMessageDecoder", "io.netty.util.ReferenceCounted",
                "org.slf4j.Logger", "org.junit.jupiter.api.Test", "org.junit.platform.commons.support.AnnotationSupport",
                "org.opentest4j.AssertionFailedError")) {
            modulePath.add(locationOf(Class.forName(className)));
        }
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolve(ModuleFinder.of(modulePath.toArray(Path[]::new)), ModuleFinder.of(),
                        Set.of("io.iscsi4j.testing"));
        layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
    }

    private static Path locationOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Module module(String name) {
        return layer.findModule(name).orElseThrow(() -> new AssertionError(name + " was not resolved"));
    }

    @Test
    void eachModuleExportsExactlyItsApiPackagesToEveryone() {
        API.forEach((name, api) -> {
            ModuleDescriptor descriptor = module(name).getDescriptor();
            assertThat(descriptor.isAutomatic()).as("%s has a module-info", name).isFalse();
            assertThat(descriptor.isOpen()).as("%s is an open module", name).isFalse();
            assertThat(descriptor.opens()).as("%s opens", name).isEmpty();
            assertThat(descriptor.exports()).as("%s exports qualified", name)
                    .allMatch(export -> !export.isQualified());
            Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source)
                    .collect(Collectors.toSet());
            assertThat(exported).as("%s exports", name).containsExactlyInAnyOrderElementsOf(api);
        });
    }

    @Test
    void theProtocolEngineIsInTheCoreModuleButNotExported() {
        Module core = module("io.iscsi4j.core");
        Module consumer = module("io.iscsi4j.testing");
        assertThat(core.getPackages()).containsAll(CORE_INTERNALS);
        for (String internal : CORE_INTERNALS) {
            assertThat(core.isExported(internal)).as(internal).isFalse();
            assertThat(core.isExported(internal, consumer)).as(internal).isFalse();
            assertThat(core.isOpen(internal, consumer)).as(internal).isFalse();
        }
        assertThat(core.isExported("io.iscsi4j", consumer)).isTrue();
        assertThat(core.isExported("io.iscsi4j.core.auth", consumer)).isTrue();
    }

    @Test
    void thePduPackageIsExportedToTheTargetAndInitiatorOnly() {
        Module protocol = module("io.iscsi4j.protocol");
        ModuleDescriptor descriptor = protocol.getDescriptor();
        assertThat(descriptor.isOpen()).isFalse();
        assertThat(descriptor.opens()).isEmpty();
        assertThat(descriptor.exports()).singleElement().satisfies(export -> {
            assertThat(export.source()).isEqualTo(PROTOCOL_PDU);
            assertThat(export.targets()).containsExactlyInAnyOrder("io.iscsi4j.core", "io.iscsi4j.initiator");
        });
        assertThat(protocol.isExported(PROTOCOL_PDU)).isFalse();
        assertThat(protocol.isExported(PROTOCOL_PDU, module("io.iscsi4j.testing"))).isFalse();
        assertThat(protocol.isExported(PROTOCOL_PDU, module("io.iscsi4j.core"))).isTrue();
    }

    @Test
    void theInitiatorDoesNotReadTheTargetAndHidesItsEngine() {
        Module initiator = module("io.iscsi4j.initiator");
        assertThat(readsOf("io.iscsi4j.initiator")).contains("io.iscsi4j.protocol")
                .doesNotContain("io.iscsi4j.core", "io.iscsi4j.scsi", "io.iscsi4j.backstore");
        assertThat(initiator.getPackages()).contains("io.iscsi4j.initiator.internal");
        assertThat(initiator.isExported("io.iscsi4j.initiator.internal")).isFalse();
        assertThat(module("io.iscsi4j.protocol").isExported("io.iscsi4j.core.pdu", initiator)).isTrue();
    }

    @Test
    void theJvmRefusesAccessToAPublicInternalClass() throws Exception {
        ClassLoader loader = layer.findLoader("io.iscsi4j.core");
        // TargetContext and TargetServer are public classes of internal packages.
        Class<?> session = loader.loadClass("io.iscsi4j.core.session.TargetContext");
        Class<?> transport = loader.loadClass("io.iscsi4j.core.transport.TargetServer");
        Class<?> api = loader.loadClass("io.iscsi4j.IscsiTarget");
        assertThat(session.getModule()).isSameAs(module("io.iscsi4j.core"));

        MethodHandles.Lookup publicLookup = MethodHandles.publicLookup();
        assertThat(publicLookup.accessClass(api)).isSameAs(api);
        assertThatThrownBy(() -> publicLookup.accessClass(session)).isInstanceOf(IllegalAccessException.class);
        assertThatThrownBy(() -> publicLookup.accessClass(transport)).isInstanceOf(IllegalAccessException.class);
    }

    @Test
    void readingAModuleReadsTheModulesOfItsApiSignatures() {
        Set<String> coreReads = readsOf("io.iscsi4j.core");
        // jdk.unsupported: Netty (an automatic module) uses sun.misc.Unsafe only when something resolves it.
        assertThat(coreReads).contains("io.iscsi4j.backstore", "io.iscsi4j.scsi", "io.netty.buffer", "org.slf4j",
                "jdk.unsupported");
        // A module that requires io.iscsi4j.testing reads what its API mentions, through requires transitive.
        assertThat(module("io.iscsi4j.testing").getDescriptor().requires().stream()
                .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .map(ModuleDescriptor.Requires::name))
                .containsExactlyInAnyOrder("io.iscsi4j.core", "io.iscsi4j.initiator", "org.junit.jupiter.api");
        assertThat(readsOf("io.iscsi4j.testing")).contains("io.iscsi4j.core", "io.iscsi4j.backstore",
                "io.iscsi4j.scsi", "org.junit.jupiter.api", "org.junit.platform.commons");
        // ...but not the core's implementation dependencies.
        assertThat(module("io.iscsi4j.core").getDescriptor().requires().stream()
                .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .map(ModuleDescriptor.Requires::name))
                .containsExactlyInAnyOrder("io.iscsi4j.backstore", "io.iscsi4j.scsi");
    }

    private static Set<String> readsOf(String name) {
        ResolvedModule resolved = layer.configuration().findModule(name).orElseThrow();
        return resolved.reads().stream().map(ResolvedModule::name).collect(Collectors.toSet());
    }

    @Test
    void theBuiltInBackstoreProvidersAreFoundThroughTheModuleDeclaration() throws Exception {
        Class<?> service = layer.findLoader("io.iscsi4j.backstore").loadClass("io.iscsi4j.backstore.BackstoreProvider");
        assertThat(module("io.iscsi4j.backstore").getDescriptor().uses()).containsExactly(service.getName());
        Method name = service.getMethod("name");
        Set<Object> kinds = new TreeSet<>();
        for (Object provider : ServiceLoader.load(layer, service)) {
            kinds.add(name.invoke(provider));
        }
        assertThat(kinds).containsExactly("file", "memory");
    }
}
