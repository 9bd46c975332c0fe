/**
 * The demo target ({@link io.iscsi4j.examples.DemoTarget}) and embedding examples: an application, so it exports
 * nothing. It uses the public API of {@code io.iscsi4j.core} and
 * {@code io.iscsi4j.initiator} only; being a named module makes the compiler enforce
 * that. Run it from the module path with {@code java -p <jars> -m io.iscsi4j.examples/io.iscsi4j.examples.DemoTarget}.
 *
 * @since 0.1
 */
module io.iscsi4j.examples {
    requires io.iscsi4j.core;
    requires io.iscsi4j.backstore.rbd;
    requires io.iscsi4j.initiator;
    requires org.snakeyaml.engine;
}
