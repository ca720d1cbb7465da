package dev.loopline.bench;

import java.util.Map;

/** How many records moved in how long, and the CPU it took (percent of one core, see {@link CpuUse}). */
public record Throughput(String name, long records, double seconds, long bytes, Map<String, Double> cpu) {

    public double perSecond() {
        return records / seconds;
    }

    public double megabytesPerSecond() {
        return bytes / seconds / 1_000_000.0;
    }
}
