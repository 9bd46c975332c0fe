/**
 * A {@link io.iscsi4j.backstore.Backstore} over a Ceph RBD image ({@link io.iscsi4j.backstore.rbd.RbdBackstore}),
 * through librbd's asynchronous C API, and the provider of the {@code rbd} kind for
 * {@link io.iscsi4j.backstore.Backstores#open(String)}. librbd and librados come from the host (Debian and Ubuntu:
 * {@code librbd1}); JNA calls them.
 *
 * @provides io.iscsi4j.backstore.BackstoreProvider the {@code rbd} kind
 * @since 0.1
 */
// JNA ships an automatic module (com.sun.jna); none of its types appear in this module's API.
@SuppressWarnings("requires-automatic")
module io.iscsi4j.backstore.rbd {
    requires transitive io.iscsi4j.backstore;
    requires com.sun.jna;
    requires org.slf4j;

    exports io.iscsi4j.backstore.rbd;
    // JNA binds the native methods and calls the callbacks of the internal binding reflectively.
    opens io.iscsi4j.backstore.rbd.internal to com.sun.jna;

    provides io.iscsi4j.backstore.BackstoreProvider with io.iscsi4j.backstore.rbd.RbdBackstoreProvider;
}
