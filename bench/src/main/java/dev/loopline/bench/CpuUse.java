package dev.loopline.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU went during one run, from two snapshots: the whole machine (Linux {@code /proc/stat},
 * so the registry process and the rest count too), this process, and this process's Java threads
 * grouped by what they are. A run whose stream thread is far from one full core while the machine
 * still has idle time is bound by waiting (commits, fetches), not by computing.
 */
record CpuUse(
        long wallNanos,
        long processNanos,
        long[] machineTicks,
        Map<Long, Long> threadNanos,
        Map<Long, String> threadNames,
        Map<String, Long> childNanos) {

    /** Thread groups, first match wins; the name patterns are Kafka's and the bench's own thread names. */
    private static final List<Map.Entry<String, String>> GROUPS = List.of(
            Map.entry("events", ".*runtime-events-.*-StreamThread-\\d+(-producer)?$"),
            Map.entry("stream", ".*runtime-.*-StreamThread-\\d+$"),
            Map.entry("streamIO", ".*runtime-.*-StreamThread-\\d+-producer$"),
            Map.entry(
                    "runtime",
                    ".*runtime.*"), // its other threads, e.g. "kafka-coordinator-heartbeat-thread | <app>.runtime"
            Map.entry("handler", "handler-.*"),
            Map.entry("passthru", ".*passthrough.*"),
            Map.entry(
                    "broker",
                    "data-plane-.*|kafka-\\d+-.*|group-coordinator-.*|TxnMarkerSenderThread-.*"
                            + "|AddPartitionsToTxnSenderThread-.*|quorum-controller-.*|kafka-scheduler-.*"
                            + "|broker-.*|controller-.*|ExpirationReaper-.*|LogDirFailureHandler|log-.*"
                            + "|share-coordinator-.*|transaction-.*|executor-.*|raft-.*|kafka-request-handler-.*"
                            + "|kafka-log-cleaner-.*"),
            Map.entry("bench", ".*"));

    /** What the columns of {@link #since} mean, for the printed table. */
    static final String LEGEND =
            "events = the runtime's event half (its stream thread and its producer's network thread),"
                    + " stream = the instance half's stream thread(s), streamIO = their producers' network threads,"
                    + " runtime = its other threads, handler = the acknowledging handler, passthru = the passthrough"
                    + " application, broker = the KRaft broker (its process when it has one), bench = load, observer and the rest,"
                    + " jit+gc = this JVM's own threads (JIT compiler, GC), RocksDB's, and threads that ended during the run,"
                    + " jvm = this process, machine = busy share of all cores"
                    + " (the registry process included)";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Child processes counted into a group by name: the broker when it runs in a JVM of its own. */
    private static final Map<String, ProcessHandle> CHILDREN = new java.util.concurrent.ConcurrentHashMap<>();

    static CpuUse snapshot() {
        Map<Long, Long> nanos = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                nanos.put(info.getThreadId(), cpu);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        Map<String, Long> children = new HashMap<>();
        CHILDREN.forEach((group, child) -> children.put(
                group,
                child.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L)));
        return new CpuUse(System.nanoTime(), processCpuNanos(), readMachineTicks(), nanos, names, children);
    }

    /** Counts this child process's CPU into {@code group} (one of the group names, e.g. "broker"). */
    static void countChild(String group, ProcessHandle child) {
        CHILDREN.put(group, child);
    }

    /**
     * Percent of one core per group since {@code before} (threads that ended in between are lost to
     * their group, not to the process total), plus "jit+gc" (the JVM's own threads), "jvm" (the
     * process total) and "machine", the busy share of all cores (-1 where {@code /proc/stat} is
     * unavailable). See {@link #LEGEND}.
     */
    Map<String, Double> since(CpuUse before) {
        double wall = wallNanos - before.wallNanos;
        Map<String, Double> percent = new LinkedHashMap<>();
        GROUPS.forEach(group -> percent.put(group.getKey(), 0.0));
        long javaThreads = 0;
        for (Map.Entry<Long, Long> thread : threadNanos.entrySet()) {
            long used = thread.getValue() - before.threadNanos.getOrDefault(thread.getKey(), 0L);
            javaThreads += used;
            String name = threadNames.get(thread.getKey());
            String group = GROUPS.stream()
                    .filter(g -> name.matches(g.getValue()))
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            percent.merge(group, 100.0 * used / wall, Double::sum);
        }
        childNanos.forEach((group, nanos) -> percent.merge(
                group, 100.0 * (nanos - before.childNanos.getOrDefault(group, nanos)) / wall, Double::sum));
        long process = processNanos - before.processNanos;
        percent.put("jit+gc", Math.max(0, 100.0 * (process - javaThreads) / wall));
        percent.put("jvm", 100.0 * process / wall);
        percent.put("machine", machineBusy(before.machineTicks, machineTicks));
        return percent;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** {busy, total} jiffies of all cores, from the first line of /proc/stat; null off Linux. */
    private static long[] readMachineTicks() {
        try {
            String[] fields =
                    Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle + iowait
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double machineBusy(long[] before, long[] after) {
        if (before == null || after == null || after[1] == before[1]) {
            return -1;
        }
        return 100.0 * (after[0] - before[0]) / (after[1] - before[1]);
    }
}
