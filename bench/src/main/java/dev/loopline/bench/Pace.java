package dev.loopline.bench;

import java.util.concurrent.locks.LockSupport;

/** Sending at a fixed rate: send number {@code i} is due {@code i ÷ rate} seconds after the start. */
final class Pace {

    private Pace() {}

    /**
     * Returns when send number {@code i} is due (at once for a rate of 0: as fast as possible).
     * Parks again when parking returns early, as it may; refuses to spin when interrupted.
     */
    static void awaitTurn(long startNanos, long i, double ratePerSecond) {
        if (ratePerSecond <= 0) {
            return;
        }
        long due = startNanos + (long) (i * 1e9 / ratePerSecond);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while pacing");
            }
            LockSupport.parkNanos(wait);
        }
    }

    /** How many to send at {@code ratePerSecond}: 20 seconds' worth, at least 50, at most {@code cap}. */
    static int twentySecondsOf(double ratePerSecond, int cap) {
        return (int) Math.max(50, Math.min(cap, ratePerSecond * 20));
    }
}
