package com.example.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.testing.InProcessTarget;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What a user's test does with the artifacts the BOM aligns: an embedded target, and an in-process test target. */
class DiskServiceTest {

    @Test
    void embedsATargetThatAnswersALogin() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target("iqn.2026-12.com.example:disk", t -> t.lun(0, Backstores.memory(1 << 20)))
                .build()
                .start()) {
            InetSocketAddress address = target.localAddress();
            byte[] response = login(address, "iqn.2026-12.com.example:disk");
            assertEquals(0x23, response[0] & 0x3f, "a Login Response");
            assertEquals(0, response[36], "status class success");
        }
    }

    @Test
    void writesThroughTheProtocolLandInTheBackstore() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(1 << 20).start()) {
            byte[] block = new byte[512];
            Arrays.fill(block, (byte) 0x3c);
            target.clientLun(0).writeBlocking(9, java.nio.ByteBuffer.wrap(block));
            assertArrayEquals(block, target.backstore(0).readBlocks(9, 1));
            java.nio.ByteBuffer back = java.nio.ByteBuffer.allocate(512);
            target.clientLun(0).readBlocking(9, back);
            assertArrayEquals(block, back.array());
        }
    }

    @Test
    void testTargetRecordsWhatTheTestSeeds() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(1 << 20).start()) {
            byte[] block = new byte[512];
            Arrays.fill(block, (byte) 0x5a);
            target.backstore(0).writeBlocks(7, block);
            assertArrayEquals(block, target.backstore(0).readBlocks(7, 1));
            assertTrue(target.port() > 0);
            byte[] response = login(target.portal(), target.iqn());
            assertEquals(0, response[36], "status class success");
        }
    }

    /** One Login Request with no authentication straight to full feature phase; returns the response's header. */
    private static byte[] login(InetSocketAddress address, String targetName) throws Exception {
        byte[] keys = ("InitiatorName=iqn.2026-12.com.example:host\0TargetName=" + targetName
                + "\0SessionType=Normal\0").getBytes(StandardCharsets.US_ASCII);
        int padded = (keys.length + 3) & ~3;
        byte[] pdu = new byte[48 + padded];
        pdu[0] = 0x43;                      // Login Request, immediate
        pdu[1] = (byte) 0x87;               // Transit, CSG 1 (operational), NSG 3 (full feature)
        pdu[5] = (byte) (keys.length >> 16);
        pdu[6] = (byte) (keys.length >> 8);
        pdu[7] = (byte) keys.length;
        pdu[8] = 0x40;                      // ISID: random format
        pdu[13] = 1;
        System.arraycopy(keys, 0, pdu, 48, keys.length);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(pdu);
            out.flush();
            InputStream in = socket.getInputStream();
            return in.readNBytes(48);
        }
    }
}
