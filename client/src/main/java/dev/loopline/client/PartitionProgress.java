package dev.loopline.client;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The records of one partition this client has taken and not yet finished, so that it commits
 * only an offset below which every record is done: a crash then redelivers what was in flight,
 * never skips it (at least once). Finished means acknowledged, or left alone (no handler, an
 * unreadable record, a duplicate). Thread-safe: records are taken on the poll thread and finished
 * on the handler and producer threads.
 */
final class PartitionProgress {

    private final TreeSet<Long> pending = new TreeSet<>();
    /** One past the last offset taken; -1 until one is. */
    private long next = -1;

    private long committed = -1;
    private volatile boolean released;

    synchronized void taken(long offset) {
        pending.add(offset);
        next = offset + 1;
    }

    synchronized void finished(long offset) {
        pending.remove(offset);
        notifyAll();
    }

    synchronized int inFlight() {
        return pending.size();
    }

    /** The offset to commit, if it moved since the last commit: the oldest unfinished record, or one past the last. */
    synchronized OptionalLong committable() {
        long offset = pending.isEmpty() ? next : pending.first();
        return offset > committed ? OptionalLong.of(offset) : OptionalLong.empty();
    }

    synchronized void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    /** Waits until nothing is in flight, or the deadline ({@link System#nanoTime()}) passes; whether it is idle. */
    synchronized boolean awaitIdle(long deadline) throws InterruptedException {
        while (!pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** The partition went to another member (or the client closes): what is still queued is not handled here. */
    void release() {
        released = true;
    }

    boolean released() {
        return released;
    }
}
