package io.iscsi4j.release;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.maven.model.Dependency;
import org.apache.maven.model.Developer;
import org.apache.maven.model.License;
import org.apache.maven.model.Model;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a release publishes: every published POM (the parent, the BOM and each module not marked
 * {@code maven.deploy.skip}) carries the elements Maven Central requires, the BOM lists exactly the published
 * modules at the project's version, and a packaged module has its sources and Javadoc jars.
 */
class PublishedPomsTest {

    private static final String LICENSE_URL = "https://www.apache.org/licenses/LICENSE-2.0.txt";

    @Test
    void everyPublishedPomHasCentralsRequiredMetadata() {
        Model parent = PublishedPoms.parent();
        List<Model> published = new ArrayList<>();
        published.add(parent);
        published.add(PublishedPoms.effective(PublishedPoms.ROOT.resolve("iscsi4j-bom/pom.xml")));
        for (Path module : PublishedPoms.modules()) {
            Model model = PublishedPoms.effective(module.resolve("pom.xml"));
            if (PublishedPoms.published(model)) {
                published.add(model);
            }
        }
        assertThat(published).extracting(Model::getArtifactId)
                .contains("iscsi4j-parent", "iscsi4j-bom", "iscsi-backstore-spi", "iscsi-scsi", "iscsi-protocol",
                        "iscsi-core", "iscsi-initiator", "iscsi-testing", "iscsi-backstore-rbd", "iscsi-micrometer")
                .doesNotContain("examples", "iscsi-benchmarks", "iscsi-client", "iscsi-gateway-tests", "iscsi4j-consumer-tests");

        for (Model model : published) {
            String what = model.getArtifactId();
            assertThat(model.getGroupId()).as(what + " groupId").isEqualTo("io.iscsi4j");
            assertThat(model.getVersion()).as(what + " version").isEqualTo(parent.getVersion());
            assertThat(model.getName()).as(what + " name").isNotBlank();
            assertThat(model.getDescription()).as(what + " description").isNotBlank();
            // One home for the whole project: Maven must not append each module's artifactId.
            assertThat(model.getUrl()).as(what + " url").isEqualTo(parent.getUrl()).startsWith("https://");
            assertThat(model.getLicenses()).as(what + " licenses").hasSize(1);
            License license = model.getLicenses().get(0);
            assertThat(license.getName()).as(what + " license").isEqualTo("Apache-2.0");
            assertThat(license.getUrl()).as(what + " license url").isEqualTo(LICENSE_URL);
            assertThat(model.getDevelopers()).as(what + " developers").isNotEmpty();
            for (Developer developer : model.getDevelopers()) {
                assertThat(developer.getName()).as(what + " developer name").isNotBlank();
            }
            assertThat(model.getScm()).as(what + " scm").isNotNull();
            assertThat(model.getScm().getConnection()).as(what + " scm connection")
                    .isEqualTo(parent.getScm().getConnection()).startsWith("scm:git:");
            assertThat(model.getScm().getDeveloperConnection()).as(what + " scm developerConnection")
                    .isEqualTo(parent.getScm().getDeveloperConnection()).startsWith("scm:git:");
            assertThat(model.getScm().getUrl()).as(what + " scm url").isEqualTo(parent.getScm().getUrl());
        }
    }

    @Test
    void theBomListsExactlyThePublishedModulesAtTheProjectsVersion() {
        Model parent = PublishedPoms.parent();
        Model bom = PublishedPoms.effective(PublishedPoms.ROOT.resolve("iscsi4j-bom/pom.xml"));
        assertThat(bom.getParent()).as("the BOM inherits nothing it would pass on to users").isNull();
        assertThat(bom.getVersion()).isEqualTo(parent.getVersion());
        assertThat(parent.getModules()).as("the BOM is built and released with the rest").contains("iscsi4j-bom");

        Set<String> publishedModules = new TreeSet<>();
        for (Path module : PublishedPoms.modules()) {
            Model model = PublishedPoms.effective(module.resolve("pom.xml"));
            if (PublishedPoms.published(model) && !"pom".equals(model.getPackaging())) {
                publishedModules.add(model.getArtifactId());
            }
        }
        Set<String> listed = new TreeSet<>();
        for (Dependency dependency : bom.getDependencyManagement().getDependencies()) {
            assertThat(dependency.getGroupId()).isEqualTo("io.iscsi4j");
            assertThat(dependency.getVersion()).as(dependency.getArtifactId()).isEqualTo(parent.getVersion());
            listed.add(dependency.getArtifactId());
        }
        assertThat(listed).isEqualTo(publishedModules);
    }

    @Test
    void aPackagedPublishedModuleHasSourcesAndJavadocJars() {
        int packaged = 0;
        int jarModules = 0;
        for (Path module : PublishedPoms.modules()) {
            Model model = PublishedPoms.effective(module.resolve("pom.xml"));
            if (!PublishedPoms.published(model) || !"jar".equals(model.getPackaging())) {
                continue;
            }
            jarModules++;
            String base = model.getArtifactId() + "-" + model.getVersion();
            Path target = module.resolve("target");
            if (!Files.isRegularFile(target.resolve(base + ".jar"))) {
                continue; // not packaged in this build (mvn test): nothing to check
            }
            packaged++;
            assertThat(target.resolve(base + "-sources.jar")).as(model.getArtifactId()).isRegularFile();
            assertThat(target.resolve(base + "-javadoc.jar")).as(model.getArtifactId()).isRegularFile();
        }
        // mvn verify packages every module this one depends on before running this test; mvn test packages none.
        assertThat(packaged).isIn(0, jarModules);
    }

    @Test
    void theLicenseFileIsTheApacheLicense() throws IOException {
        String text = Files.readString(PublishedPoms.ROOT.resolve("LICENSE"), StandardCharsets.UTF_8);
        assertThat(text).contains("Apache License", "Version 2.0, January 2004",
                "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS");
        assertThat(Files.readString(PublishedPoms.ROOT.resolve("NOTICE"), StandardCharsets.UTF_8))
                .contains("iscsi4j");
    }
}
