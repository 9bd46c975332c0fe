package io.iscsi4j;

import io.iscsi4j.backstore.Backstore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Configures one target inside {@link IscsiTarget.Builder#target(String, Consumer)}. Not thread-safe; used only
 * while building.
 *
 * @since 0.1
 */
public final class TargetBuilder {

    private final String name;
    private String alias;
    private final List<LunConfig> luns = new ArrayList<>();

    TargetBuilder(String name) {
        this.name = name;
    }

    /**
     * Sets the TargetAlias reported at login.
     *
     * @param value a human-readable name
     * @return this
     */
    public TargetBuilder alias(String value) {
        this.alias = value;
        return this;
    }

    /**
     * Adds a LUN with default options.
     *
     * @param lun the LUN, 0 to 16383, unique within the target
     * @param backstore the storage; the target closes it when it closes
     * @return this
     */
    public TargetBuilder lun(int lun, Backstore backstore) {
        return lun(lun, backstore, o -> { });
    }

    /**
     * Adds a LUN with options.
     *
     * @param lun the LUN, 0 to 16383, unique within the target
     * @param backstore the storage; the target closes it when it closes
     * @param options sets read-only, write-back and serial
     * @return this
     */
    public TargetBuilder lun(int lun, Backstore backstore, Consumer<LunBuilder> options) {
        if (backstore == null) {
            throw new IllegalArgumentException("target " + name + ": LUN " + lun + " has no backstore");
        }
        for (LunConfig c : luns) {
            if (c.lun() == lun) {
                throw new IllegalArgumentException("target " + name + ": LUN " + lun + " is defined twice");
            }
        }
        LunBuilder b = new LunBuilder();
        options.accept(b);
        luns.add(b.build(name, lun, backstore));
        return this;
    }

    TargetConfig build() {
        if (luns.isEmpty()) {
            throw new IllegalStateException("target " + name + " has no LUN: add one with lun(0, backstore)");
        }
        luns.sort(Comparator.comparingInt(LunConfig::lun));
        return new TargetConfig(name, alias, luns);
    }
}
