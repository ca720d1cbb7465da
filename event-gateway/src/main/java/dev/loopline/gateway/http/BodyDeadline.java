package dev.loopline.gateway.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A deadline for a request's body, counted from the moment its headers were read: a body still
 * incomplete at the deadline reads as a {@link TimeoutException}, which the routes answer 408. A
 * read that is waiting for bytes when the deadline passes is woken, so a client that stops sending
 * holds a thread until the deadline, never longer.
 *
 * <p>Jetty's {@code MinimumDataRateHandler} is not used: it divides the bytes the whole handler
 * has read (a {@code StatisticsHandler} total) by the time of one request, so a slow client among
 * busy ones is never caught.
 */
final class BodyDeadline extends Handler.Wrapper {

    /**
     * The request attribute with the {@link System#nanoTime()} at which the request's headers were
     * read: the start from which a route's own timeouts count, time spent waiting for a turn
     * included.
     */
    static final String ARRIVED = "loopline.arrived";

    private final Duration deadline;

    BodyDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long arrived = NanoTime.now();
        request.setAttribute(ARRIVED, arrived);
        return super.handle(new Deadlined(request, arrived + deadline.toNanos()), response, callback);
    }

    private final class Deadlined extends Request.Wrapper {

        private final long expiresAt;
        /** The demand callback not yet run: run once, by the content arriving or by the timer. */
        private final AtomicReference<Runnable> pending = new AtomicReference<>();

        private volatile boolean complete;
        private volatile Scheduler.Task timer;

        Deadlined(Request request, long expiresAt) {
            super(request);
            this.expiresAt = expiresAt;
        }

        @Override
        public Content.Chunk read() {
            if (!complete && NanoTime.until(expiresAt) <= 0) {
                return Content.Chunk.from(
                        new TimeoutException("the request body did not arrive within " + deadline
                                + " (LOOPLINE_HTTP_BODY_DEADLINE)"),
                        true);
            }
            Content.Chunk chunk = super.read();
            if (chunk != null && chunk.isLast()) {
                complete = true;
                Scheduler.Task task = timer;
                if (task != null) {
                    task.cancel();
                }
            }
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            Runnable once = new Runnable() {
                @Override
                public void run() {
                    if (pending.compareAndSet(this, null)) {
                        demandCallback.run();
                    }
                }
            };
            pending.set(once);
            long left = NanoTime.until(expiresAt);
            if (left <= 0) {
                once.run(); // read() answers the timeout
                return;
            }
            if (timer == null) {
                timer = getComponents()
                        .getScheduler()
                        .schedule(
                                () -> {
                                    Runnable waiting = pending.get();
                                    if (waiting != null) {
                                        waiting.run();
                                    }
                                },
                                left,
                                TimeUnit.NANOSECONDS);
            }
            super.demand(once);
        }
    }
}
