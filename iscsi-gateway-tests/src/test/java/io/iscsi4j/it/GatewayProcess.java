package io.iscsi4j.it;

import io.iscsi4j.backstore.rbd.CephCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A gateway ({@link GatewayMain}) in a child JVM on the test class path: started, its ports read from its output
 * (which is drained all along, so the child never blocks on a full pipe), killed with SIGKILL or closed.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final List<Integer> ports;

    private GatewayProcess(Process process, List<Integer> ports) {
        this.process = process;
        this.ports = ports;
    }

    /**
     * Starts a gateway and waits (at most 60 s) until it listens.
     *
     * @param image the RBD image (pool rbd) of the test cluster
     * @param group the port group
     * @param portals how many loopback portals
     * @return the running gateway
     * @throws Exception when it does not start
     */
    public static GatewayProcess start(String image, int group, int portals) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                GatewayMain.class.getName(), CephCluster.conf(), image, Integer.toString(group),
                Integer.toString(portals)).redirectErrorStream(true).start();
        CompletableFuture<List<Integer>> ports = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            StringBuilder seen = new StringBuilder();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("PORT ")) {
                        List<Integer> list = new ArrayList<>();
                        for (String port : line.substring(5).trim().split(" ")) {
                            list.add(Integer.parseInt(port));
                        }
                        ports.complete(List.copyOf(list));
                    } else if (!ports.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ports.completeExceptionally(new IllegalStateException("the gateway ended before listening:\n" + seen));
        }, "gateway-" + group + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new GatewayProcess(p, ports.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** {@return the ports it listens on, in portal order} */
    public List<Integer> ports() {
        return ports;
    }

    /**
     * The LUN's URL through portal {@code index}.
     *
     * @param index the portal
     * @return the URL
     */
    public String url(int index) {
        return "iscsi://127.0.0.1:" + ports.get(index) + "/" + RbdGatewaysTest.IQN + "/0";
    }

    /**
     * Kills the gateway with SIGKILL and waits for it to be gone.
     *
     * @return whether it ended within 10 s
     * @throws InterruptedException when interrupted
     */
    public boolean kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Kills the gateway (SIGKILL) and waits at most 10 s for it to be gone. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
