package io.iscsi4j.core.login;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds Login Request fields for tests; every field starts at a valid value of a leading login. */
final class LoginRequests {

    static final long ISID = 0x0002_3d00_0001L;
    static final String INITIATOR = "iqn.1993-08.org.debian:01:abc";
    static final String TARGET = "iqn.2026-11.io.iscsi4j:demo";

    private boolean transit;
    private boolean continueFlag;
    private int csg;
    private int nsg;
    private int versionMax;
    private int versionMin;
    private long isid = ISID;
    private int tsih;
    private int initiatorTaskTag = 0x10;
    private int cid = 1;
    private int cmdSN = 7;
    private byte[] text = new byte[0];

    private LoginRequests() {
    }

    /** A request in the security stage, no transit, no text. */
    static LoginRequests security() {
        return new LoginRequests().csg(0);
    }

    /** A request in the operational stage, no transit, no text. */
    static LoginRequests operational() {
        return new LoginRequests().csg(1);
    }

    LoginRequests csg(int value) {
        this.csg = value;
        return this;
    }

    /** Sets T and the NSG field. */
    LoginRequests transitTo(int stage) {
        this.transit = true;
        this.nsg = stage;
        return this;
    }

    /** Sets the NSG field without T. */
    LoginRequests nsg(int value) {
        this.nsg = value;
        return this;
    }

    LoginRequests continues() {
        this.continueFlag = true;
        return this;
    }

    LoginRequests versions(int max, int min) {
        this.versionMax = max;
        this.versionMin = min;
        return this;
    }

    LoginRequests isid(long value) {
        this.isid = value;
        return this;
    }

    LoginRequests tsih(int value) {
        this.tsih = value;
        return this;
    }

    LoginRequests initiatorTaskTag(int value) {
        this.initiatorTaskTag = value;
        return this;
    }

    LoginRequests cid(int value) {
        this.cid = value;
        return this;
    }

    /** The text {@code key=value\0...} of the given pairs, each written as {@code "Key=Value"}. */
    LoginRequests keys(String... pairs) {
        this.text = text(pairs);
        return this;
    }

    LoginRequests text(byte[] bytes) {
        this.text = bytes.clone();
        return this;
    }

    /** The first request of a normal session's login: names, session type and the given keys. */
    LoginRequests firstNormal(String... more) {
        List<String> all = new ArrayList<>(List.of("InitiatorName=" + INITIATOR, "SessionType=Normal",
                "TargetName=" + TARGET));
        all.addAll(List.of(more));
        return keys(all.toArray(String[]::new));
    }

    /** The first request of a discovery session's login. */
    LoginRequests firstDiscovery(String... more) {
        List<String> all = new ArrayList<>(List.of("InitiatorName=" + INITIATOR, "SessionType=Discovery"));
        all.addAll(List.of(more));
        return keys(all.toArray(String[]::new));
    }

    LoginRequestFields build() {
        return new LoginRequestFields(transit, continueFlag, csg, nsg, versionMax, versionMin, isid, tsih,
                initiatorTaskTag, cid, cmdSN, 0, text);
    }

    static byte[] text(String... pairs) {
        StringBuilder out = new StringBuilder();
        for (String pair : pairs) {
            out.append(pair).append('\0');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The keys of a response text in order; repeated keys keep their last value. */
    static Map<String, String> keysOf(byte[] text) {
        Map<String, String> keys = new LinkedHashMap<>();
        try {
            TextParameters.decode(text, true).pairs().forEach(pair -> keys.put(pair.key(), pair.value()));
        } catch (TextFormatException e) {
            throw new AssertionError("response text is malformed", e);
        }
        return keys;
    }

    static Map<String, String> keysOf(LoginStep step) {
        return keysOf(step.response().text());
    }
}
