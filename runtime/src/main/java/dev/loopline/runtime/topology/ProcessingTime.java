package dev.loopline.runtime.topology;

import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The "now" a processor hands the domain: the later of the record's timestamp and the stream
 * thread's cached system time. Due times and expiries are computed from it and fired by wall-clock
 * punctuators, so a record that is old (consumer lag, an outage, a producer's skewed clock) must not
 * move them into the past: a PT5M acknowledgement timeout still gives the application five minutes.
 */
final class ProcessingTime {

    private ProcessingTime() {}

    static long of(Record<?, ?> record, ProcessingContext context) {
        return Math.max(record.timestamp(), context.currentSystemTimeMs());
    }
}
