package io.iscsi4j.release;

import org.apache.maven.model.Dependency;
import org.apache.maven.model.Model;
import org.apache.maven.model.Parent;
import org.apache.maven.model.Repository;
import org.apache.maven.model.building.DefaultModelBuilderFactory;
import org.apache.maven.model.building.DefaultModelBuildingRequest;
import org.apache.maven.model.building.FileModelSource;
import org.apache.maven.model.building.ModelBuildingException;
import org.apache.maven.model.building.ModelBuildingRequest;
import org.apache.maven.model.building.ModelSource2;
import org.apache.maven.model.resolution.ModelResolver;
import org.apache.maven.model.resolution.UnresolvableModelException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The repository's POMs as Maven sees them: the effective model of each (inheritance and interpolation applied by
 * Maven's own model builder), and which modules are published (every reactor module not marked
 * {@code maven.deploy.skip}).
 */
final class PublishedPoms {

    /** The repository root, set by the build ({@code iscsi4j.root}); the working directory's parent otherwise. */
    static final Path ROOT = Path.of(System.getProperty("iscsi4j.root", "..")).toAbsolutePath().normalize();

    private static final Path LOCAL_REPOSITORY = Path.of(System.getProperty("maven.repo.local",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));

    private PublishedPoms() {
    }

    /**
     * The effective model of a POM file.
     *
     * @param pom the file
     * @return its effective model
     */
    static Model effective(Path pom) {
        DefaultModelBuildingRequest request = new DefaultModelBuildingRequest();
        request.setPomFile(pom.toFile());
        request.setValidationLevel(ModelBuildingRequest.VALIDATION_LEVEL_MAVEN_3_0);
        request.setProcessPlugins(false);
        request.setTwoPhaseBuilding(false);
        Properties system = new Properties();
        system.putAll(System.getProperties());
        request.setSystemProperties(system);
        request.setModelResolver(new LocalRepositoryResolver());
        try {
            return new DefaultModelBuilderFactory().newInstance().build(request).getEffectiveModel();
        } catch (ModelBuildingException e) {
            throw new AssertionError("cannot build the effective model of " + pom + ": " + e.getMessage(), e);
        }
    }

    /**
     * The root POM's effective model.
     *
     * @return the parent's model
     */
    static Model parent() {
        return effective(ROOT.resolve("pom.xml"));
    }

    /**
     * The directories of the reactor's modules, as the root POM lists them.
     *
     * @return module directories
     */
    static List<Path> modules() {
        List<Path> modules = new ArrayList<>();
        for (String module : parent().getModules()) {
            modules.add(ROOT.resolve(module));
        }
        return modules;
    }

    /**
     * Whether a module is published: not marked {@code maven.deploy.skip=true}.
     *
     * @param model a module's effective model
     * @return true when it is deployed with a release
     */
    static boolean published(Model model) {
        return !"true".equals(model.getProperties().getProperty("maven.deploy.skip"));
    }

    /** Resolves imported BOMs and parents outside the repository from the local Maven repository. */
    private static final class LocalRepositoryResolver implements ModelResolver {

        @Override
        public ModelSource2 resolveModel(String groupId, String artifactId, String version)
                throws UnresolvableModelException {
            Path pom = LOCAL_REPOSITORY.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                    .resolve(artifactId + "-" + version + ".pom");
            if (!Files.isRegularFile(pom)) {
                throw new UnresolvableModelException("not in the local repository: " + pom, groupId, artifactId,
                        version);
            }
            return new FileModelSource(pom.toFile());
        }

        @Override
        public ModelSource2 resolveModel(Parent parent) throws UnresolvableModelException {
            return resolveModel(parent.getGroupId(), parent.getArtifactId(), parent.getVersion());
        }

        @Override
        public ModelSource2 resolveModel(Dependency dependency) throws UnresolvableModelException {
            return resolveModel(dependency.getGroupId(), dependency.getArtifactId(), dependency.getVersion());
        }

        @Override
        public void addRepository(Repository repository) {
        }

        @Override
        public void addRepository(Repository repository, boolean replace) {
        }

        @Override
        public ModelResolver newCopy() {
            return this;
        }
    }
}
