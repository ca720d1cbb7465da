package dev.loopline.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs handlers on a fixed number of threads, each message on the lane its instance id hashes to:
 * messages of one instance are handled one after the other, in the order they were posted, and
 * messages of different instances in parallel.
 */
final class InstanceLanes implements AutoCloseable {

    private final List<ExecutorService> lanes = new ArrayList<>();

    InstanceLanes(int count, String name) {
        for (int i = 0; i < count; i++) {
            String thread = name + "-handler-" + i;
            lanes.add(Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, thread);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    void run(String instanceId, Runnable task) {
        lanes.get(Math.floorMod(instanceId.hashCode(), lanes.size())).execute(task);
    }

    @Override
    public void close() {
        lanes.forEach(ExecutorService::shutdownNow);
        for (ExecutorService lane : lanes) {
            try {
                lane.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
