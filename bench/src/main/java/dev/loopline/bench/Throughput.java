package dev.loopline.bench;

/** How many records moved in how long. */
public record Throughput(String name, long records, double seconds, long bytes) {

    public double perSecond() {
        return records / seconds;
    }

    public double megabytesPerSecond() {
        return bytes / seconds / 1_000_000.0;
    }
}
