package dev.loopline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loopline.api.Topics;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.StreamsSettings;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.infra.KafkaBrokerProcess;
import dev.loopline.testsupport.infra.SchemaRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * Loopline's benchmark. On one broker, in one run: Kafka's limits (idempotent producer, consumer,
 * exactly_once_v2 passthrough), then the standard workflow at maximum rate and at fixed fractions
 * of it. Prints a table and writes JSON. Speed is reported, never asserted.
 *
 * <pre>
 * java -jar bench/target/loopline-bench-*.jar [--events N] [--records N] [--rates 0.25,0.5,0.75]
 *      [--partitions N] [--warm-up PT60S] [--out FILE] [--broker process|in-jvm]
 *      [--bootstrap HOST:PORT --registry URL]
 *      [--scale N [--scale-delay PT2M] [--scale-spread PT10M] [--scale-timers false]]
 * </pre>
 *
 * Without --bootstrap it starts Apache Kafka's KRaft broker in this JVM, as the demo does, and
 * Apicurio Registry as a child process; {@code --broker process} runs the broker in a JVM of its own
 * instead (its garbage collection then does not pause the runtime, but two JVMs share the cores).
 */
public final class LooplineBench {

    /** The broker's JVM in {@code --broker process} mode: its own heap and collector. */
    private static final List<String> BROKER_JVM = List.of("-Xmx1g", "-XX:+UseG1GC");

    /** The run's settings. */
    public record Options(
            int events,
            int records,
            List<Double> rates,
            int partitions,
            Path out,
            String bootstrap,
            String registry,
            int scale,
            Duration scaleDelay,
            Duration scaleSpread,
            boolean scaleTimers,
            Duration warmUp,
            boolean brokerProcess) {

        public static Options parse(String... args) {
            Map<String, String> given = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                given.put(args[i].replaceFirst("^--", ""), args[i + 1]);
            }
            List<Double> rates = new ArrayList<>();
            for (String rate : given.getOrDefault("rates", "0.25,0.5,0.75").split(",")) {
                rates.add(Double.parseDouble(rate.trim()));
            }
            return new Options(
                    Integer.parseInt(given.getOrDefault("events", "60000")),
                    Integer.parseInt(given.getOrDefault("records", "300000")),
                    rates,
                    Integer.parseInt(given.getOrDefault("partitions", "6")),
                    Path.of(given.getOrDefault("out", "target/bench-results.json")),
                    given.get("bootstrap"),
                    given.get("registry"),
                    Integer.parseInt(given.getOrDefault("scale", "0")),
                    Duration.parse(given.getOrDefault("scale-delay", "PT2M")),
                    Duration.parse(given.getOrDefault("scale-spread", "PT0S")),
                    Boolean.parseBoolean(given.getOrDefault("scale-timers", "true")),
                    Duration.parse(given.getOrDefault("warm-up", "PT60S")),
                    parseBroker(given.getOrDefault("broker", "in-jvm")));
        }
    }

    private static boolean parseBroker(String broker) {
        return switch (broker) {
            case "process" -> true;
            case "in-jvm" -> false;
            default -> throw new IllegalArgumentException("--broker must be in-jvm or process, not " + broker);
        };
    }

    private LooplineBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, Object> report = run(Options.parse(args), System.out);
        System.exit(report.isEmpty() ? 1 : 0);
    }

    /** Runs everything and returns the report it wrote. */
    public static Map<String, Object> run(Options options, PrintStream out) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            // the state directories of the runtimes and the passthrough, deleted at the end
            Path scratch = Files.createTempDirectory("loopline-bench-");
            started.add(() -> Directories.deleteRecursively(scratch));
            String bootstrap = options.bootstrap();
            String registry = options.registry();
            if (bootstrap == null && options.brokerProcess()) {
                out.println("Starting Apache Kafka (KRaft, in a JVM of its own) and Apicurio Registry…");
                SchemaRegistry schemaRegistry = SchemaRegistry.start();
                started.add(schemaRegistry);
                KafkaBrokerProcess broker = KafkaBrokerProcess.start(BROKER_JVM);
                started.add(broker);
                CpuUse.countChild("broker", broker.processHandle());
                bootstrap = broker.bootstrapServers();
                registry = schemaRegistry.url();
            } else if (bootstrap == null) {
                out.println("Starting Apache Kafka (KRaft, in this JVM) and Apicurio Registry…");
                Infrastructure infrastructure = Infrastructure.start();
                started.add(infrastructure);
                bootstrap = infrastructure.bootstrapServers();
                registry = infrastructure.schemaRegistryUrl();
            }
            String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
            Map<String, String> settings = new HashMap<>();
            settings.put("LOOPLINE_BOOTSTRAP_SERVERS", bootstrap);
            settings.put("LOOPLINE_SCHEMA_REGISTRY_URL", registry);
            settings.put("LOOPLINE_TOPIC_PREFIX", prefix);
            settings.put("LOOPLINE_APPLICATION_ID", prefix + "runtime");
            settings.put("LOOPLINE_PARTITIONS", Integer.toString(options.partitions()));
            // 5 s metric samples (two kept), so that the windowed maxima in CommitCosts cover the end of each run
            settings.put("LOOPLINE_KAFKA_METRICS_SAMPLE_WINDOW_MS", "5000");
            settings.put("LOOPLINE_STATE_DIR", scratch.resolve("runtime").toString());
            // tuning experiments: LOOPLINE_KAFKA_COMMIT_INTERVAL_MS=20, LOOPLINE_ROCKSDB_MEMORY_MB=0 and the
            // like reach the runtime; the bench's own settings above (broker, prefix, state) stay
            System.getenv().forEach((name, value) -> {
                if (name.startsWith("LOOPLINE_")) {
                    settings.putIfAbsent(name, value);
                }
            });
            RuntimeConfig config = RuntimeConfig.from(settings);

            // the passthroughs run with the runtime's own Streams settings (commit interval, linger, …); the
            // one the ratio divides by with as many stream threads as the runtime process (see Limits)
            Limits limits = new Limits(bootstrap, prefix, options.partitions(), StreamsSettings.of(config), scratch);
            out.println("Limits: warm-up…");
            limits.warmUp(options.records());
            Throughput produced;
            Throughput consumed;
            Throughput passthrough;
            Throughput passthroughOneApplication;

            List<StandardWorkflow.Result> workflows = new ArrayList<>();
            List<Limits.BareHop> bareHops = new ArrayList<>();
            Map<String, Long> records = Map.of();
            try (LooplineRuntime runtime = LooplineRuntime.start(config)) {
                if (!runtime.awaitRunning(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("the runtime did not start");
                }
                Map<String, Object> clients = new HashMap<>();
                clients.put("bootstrap.servers", bootstrap);
                clients.put("schema.registry.url", registry);
                try (StandardWorkflow workflow = new StandardWorkflow(clients, new Topics(prefix), runtime)) {
                    // batches at maximum rate until the warm-up time has passed: the JIT compiler took
                    // over half a core for the first minute of load here, and the first batch pays for
                    // the broker's and Streams' first transactions on every partition
                    out.printf("Standard workflow: warm-up for %s…%n", options.warmUp());
                    long warmUpEnd = System.nanoTime() + options.warmUp().toNanos();
                    do {
                        workflow.run("warm-up", Math.max(50, options.events() / 10), 0);
                    } while (System.nanoTime() < warmUpEnd);
                    // the limits are measured here, after all the warm-up and right before the workflow
                    out.printf(
                            "Limits with %d records of %d bytes, %d partitions…%n",
                            options.records(), Limits.RECORD_BYTES, options.partitions());
                    produced = limits.produce(options.records());
                    consumed = limits.consume(options.records());
                    passthroughOneApplication = limits.passthrough(options.records(), limits.applicationThreads());
                    passthrough = limits.passthrough(options.records(), limits.runtimeThreads());
                    out.printf("Standard workflow: %d instances at maximum rate…%n", options.events());
                    StandardWorkflow.Result max;
                    try (RecordCounts counter = new RecordCounts(bootstrap, prefix)) {
                        var before = counter.snapshot();
                        max = workflow.run("max", options.events(), 0);
                        records = counter.between(before, counter.snapshot());
                    }
                    workflows.add(max);
                    for (double fraction : options.rates()) {
                        double rate = max.completedPerSecond() * fraction;
                        int events = Pace.twentySecondsOf(rate, options.events());
                        out.printf(
                                "Standard workflow: %d instances at %.0f/s (%.0f%% of max)…%n",
                                events, rate, fraction * 100);
                        workflows.add(workflow.run(Math.round(fraction * 100) + "% of max", events, rate));
                    }
                }
                // the latency floor of one exactly_once_v2 hop, Kafka alone, in the same run: the
                // passthrough at the workflow's event rate nearest half of its peak, and at half of its
                // own peak (the latency target applied to Kafka itself); the runtime, started but
                // without traffic, only punctuates meanwhile
                double fraction = nearestToHalf(options.rates());
                double workflowRate = workflows.get(0).completedPerSecond() * fraction;
                // the bare hop runs with one application's threads: its own peak is that passthrough's
                double passthroughHalfRate = passthroughOneApplication.perSecond() * 0.5;
                out.printf(
                        "One exactly_once_v2 hop, Kafka alone, at %.0f/s and %.0f/s…%n",
                        workflowRate, passthroughHalfRate);
                bareHops.add(limits.bareHop(
                        String.format("at the workflow's %.0f%% rate", fraction * 100),
                        workflowRate,
                        Pace.twentySecondsOf(workflowRate, options.events())));
                bareHops.add(limits.bareHop(
                        "at 50% of its own peak",
                        passthroughHalfRate, Pace.twentySecondsOf(passthroughHalfRate, options.records())));
            }
            Hops hops = Hops.of(records, new Topics(prefix), options.events());
            List<Throughput> limitRuns = List.of(produced, consumed, passthroughOneApplication, passthrough);
            Map<String, Object> report = report(options, limitRuns, passthrough, workflows, bareHops, hops);
            if (options.scale() > 0) {
                out.printf(
                        "Scale: %d suspended instances (half on a %s delay, half on an event)…%n",
                        options.scale(), options.scaleDelay());
                Map<String, String> scaleSettings = new HashMap<>(settings);
                scaleSettings.put("LOOPLINE_TOPIC_PREFIX", prefix + "scale.");
                scaleSettings.put("LOOPLINE_APPLICATION_ID", prefix + "scale-runtime");
                Map<String, Object> clients = new HashMap<>();
                clients.put("bootstrap.servers", bootstrap);
                clients.put("schema.registry.url", registry);
                Map<String, Object> scale = new ScaleTest(
                                clients,
                                scaleSettings,
                                options.scaleDelay(),
                                options.scaleSpread(),
                                options.scaleTimers(),
                                scratch)
                        .run(options.scale());
                report.put("scale", scale);
                out.println("Scale: " + scale);
            }
            print(out, limitRuns, passthrough, limits.runtimeThreads(), workflows, bareHops, hops);
            Files.createDirectories(options.out().toAbsolutePath().getParent());
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(options.out().toFile(), report);
            out.println("JSON written to " + options.out().toAbsolutePath());
            return report;
        } finally {
            closeAll(started, out);
        }
    }

    /** Closes in the reverse of starting; a failure to close one is reported and the rest still close. */
    private static void closeAll(List<AutoCloseable> started, PrintStream out) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                out.println("could not close " + started.get(i) + ": " + e);
            }
        }
    }

    private static void print(
            PrintStream out,
            List<Throughput> limitRuns,
            Throughput passthrough,
            int runtimeThreads,
            List<StandardWorkflow.Result> workflows,
            List<Limits.BareHop> bareHops,
            Hops hops) {
        out.println();
        out.println("Limits (same broker, same run)                        records/s      MB/s");
        for (Throughput t : limitRuns) {
            out.printf("  %-50s %10.0f %9.1f%n", t.name(), t.perSecond(), t.megabytesPerSecond());
        }
        out.println();
        out.println("Records written per instance in the max run (committed, read back)");
        hops.perInstance().forEach((topic, perInstance) -> out.printf("  %-44s %6.2f%n", topic, perInstance));
        out.println();
        out.println(
                "Standard workflow   completed/s   ratio  | publish→started ms p50   p90   p99  p99.9 | publish→completed ms p50   p90   p99  p99.9");
        for (StandardWorkflow.Result r : workflows) {
            out.printf(
                    "  %-14s %10.0f  %6.2f  | %26s | %28s%n",
                    r.label(),
                    r.completedPerSecond(),
                    hops.ratio(r, passthrough),
                    percentiles(r.publishToStarted()),
                    percentiles(r.publishToCompleted()));
        }
        out.println();
        out.println(
                "One exactly_once_v2 hop, Kafka alone (passthrough, paced)  published/s | publish→visible ms p50   p90   p99  p99.9");
        for (Limits.BareHop hop : bareHops) {
            out.printf("  %-48s %12.0f | %26s%n", hop.label(), hop.publishedPerSecond(), percentiles(hop.latency()));
        }
        out.println();
        out.println(
                "Commits (all stream threads)  commits/s  records/commit | ms per commit: flush  send offsets  commit txn | max ms: commit  punctuate");
        for (StandardWorkflow.Result r : workflows) {
            CommitCosts.Result c = r.commits();
            out.printf(
                    "  %-26s %9.0f %15.1f | %20.1f %13.1f %11.1f | %14.0f %10.0f%n",
                    r.label(),
                    c.commitsPerSecond(),
                    c.recordsPerCommit(),
                    c.flushMs(),
                    c.sendOffsetsMs(),
                    c.commitTransactionMs(),
                    c.maxCommitMs(),
                    c.maxPunctuateMs());
        }
        out.printf(
                "%nratio = completed/s × %.2f hops ÷ passthrough records/s, the passthrough with the runtime's %d stream threads (hops: records per instance on the runtime's input topics, measured above)%n",
                hops.inputsPerInstance(), runtimeThreads);
        out.printf(
                "the runtime wrote %.1f records per instance (changelogs included): %.1f per hop, where the passthrough writes 1%n",
                hops.runtimeWritesPerInstance(), hops.runtimeWritesPerInstance() / hops.inputsPerInstance());
        out.printf(
                "records the runtime moved (read + written) per second ÷ the passthrough's, at maximum rate: %.2f%n",
                hops.recordRatio(workflows.get(0), passthrough));
        out.println();
        out.println("CPU, % of one core (machine: % of all cores)");
        Map<String, Map<String, Double>> cpu = new LinkedHashMap<>();
        for (Throughput t : limitRuns) {
            cpu.put(t.name(), t.cpu());
        }
        workflows.forEach(r -> cpu.put("workflow " + r.label(), r.cpu()));
        bareHops.forEach(hop -> cpu.put("passthrough " + hop.label(), hop.cpu()));
        List<String> columns = List.copyOf(cpu.values().iterator().next().keySet());
        StringBuilder header = new StringBuilder(String.format("  %-38s", ""));
        columns.forEach(column -> header.append(String.format(" %8s", column)));
        out.println(header);
        cpu.forEach((run, use) -> {
            StringBuilder line = new StringBuilder(String.format("  %-38s", run));
            columns.forEach(column -> line.append(String.format(" %8.0f", use.getOrDefault(column, 0.0))));
            out.println(line);
        });
        out.println("  " + CpuUse.LEGEND);
    }

    /** Records per instance by topic, and the hops: those on the runtime's input topics. */
    record Hops(Map<String, Double> perInstance, double inputsPerInstance, double runtimeWritesPerInstance) {

        static Hops of(Map<String, Long> records, Topics topics, int instances) {
            Map<String, Double> perInstance = new LinkedHashMap<>();
            records.forEach((topic, count) -> perInstance.put(topic, count / (double) instances));
            // records are counted by topic name without the prefix
            java.util.function.ToDoubleFunction<String> of = topic ->
                    perInstance.getOrDefault(topic.substring(topics.prefix().length()), 0.0);
            double inputs =
                    RecordCounts.runtimeInputs(topics).stream().mapToDouble(of).sum();
            // everything but the events (the bench's) and the acknowledgements (the handler's)
            double runtimeWrites = perInstance.values().stream()
                            .mapToDouble(Double::doubleValue)
                            .sum()
                    - of.applyAsDouble(topics.events())
                    - of.applyAsDouble(topics.acks());
            return new Hops(perInstance, inputs, runtimeWrites);
        }

        double ratio(StandardWorkflow.Result r, Throughput passthrough) {
            return r.completedPerSecond() * inputsPerInstance / passthrough.perSecond();
        }

        /**
         * Not the ratio: the records the runtime moves per second (read and written) ÷ those the
         * passthrough moves (each record read once and written once). It compares the record
         * throughput of the two, leaving out how many records Loopline's design needs per hop.
         */
        double recordRatio(StandardWorkflow.Result r, Throughput passthrough) {
            return r.completedPerSecond()
                    * (inputsPerInstance + runtimeWritesPerInstance)
                    / (2 * passthrough.perSecond());
        }
    }

    /** The fraction of the workflow's peak nearest 50%, at which its latency target is set. */
    static double nearestToHalf(List<Double> rates) {
        return rates.stream()
                .min(java.util.Comparator.comparingDouble(rate -> Math.abs(rate - 0.5)))
                .orElse(0.5);
    }

    private static String percentiles(Histogram h) {
        return String.format(
                "%5.0f %5.0f %5.0f %6.0f",
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0);
    }

    private static Map<String, Object> report(
            Options options,
            List<Throughput> limitRuns,
            Throughput passthrough,
            List<StandardWorkflow.Result> workflows,
            List<Limits.BareHop> bareHops,
            Hops hops) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("measuredAt", Instant.now().toString());
        report.put(
                "machine",
                Map.of(
                        "cores", Runtime.getRuntime().availableProcessors(),
                        "java", System.getProperty("java.version"),
                        "maxHeapMb", Runtime.getRuntime().maxMemory() / 1_000_000));
        report.put(
                "options",
                Map.of(
                        "events",
                        options.events(),
                        "records",
                        options.records(),
                        "partitions",
                        options.partitions(),
                        "rates",
                        options.rates()));
        Map<String, Object> limits = new LinkedHashMap<>();
        for (Throughput t : limitRuns) {
            limits.put(
                    t.name(),
                    Map.of(
                            "records",
                            t.records(),
                            "seconds",
                            t.seconds(),
                            "recordsPerSecond",
                            t.perSecond(),
                            "mbPerSecond",
                            t.megabytesPerSecond(),
                            "cpuPercentOfOneCore",
                            t.cpu()));
        }
        report.put("limits", limits);
        List<Map<String, Object>> bareHopRuns = new ArrayList<>();
        for (Limits.BareHop hop : bareHops) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("label", hop.label());
            run.put("targetRatePerSecond", hop.targetRate());
            run.put("records", hop.records());
            run.put("publishedPerSecond", hop.publishedPerSecond());
            run.put("publishToVisibleMs", latencies(hop.latency()));
            run.put("cpuPercentOfOneCore", hop.cpu());
            bareHopRuns.add(run);
        }
        report.put("bareHop", bareHopRuns);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (StandardWorkflow.Result r : workflows) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("label", r.label());
            run.put("instances", r.instances());
            run.put("targetRatePerSecond", r.targetRate());
            run.put("completedPerSecond", r.completedPerSecond());
            run.put("ratioToPassthrough", hops.ratio(r, passthrough));
            run.put("publishToStartedMs", latencies(r.publishToStarted()));
            run.put("publishToCompletedMs", latencies(r.publishToCompleted()));
            run.put("commits", r.commits().toMap());
            run.put("cpuPercentOfOneCore", r.cpu());
            runs.add(run);
        }
        report.put("standardWorkflow", runs);
        report.put("hopsPerInstance", hops.inputsPerInstance());
        report.put("runtimeWritesPerInstance", hops.runtimeWritesPerInstance());
        // at maximum rate only: at the fixed rates completed/s is just the rate the bench paced
        report.put("recordRatioToPassthrough", hops.recordRatio(workflows.get(0), passthrough));
        report.put("recordsPerInstance", hops.perInstance());
        return report;
    }

    private static Map<String, Object> latencies(Histogram h) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("count", h.getTotalCount());
        for (double p : new double[] {50, 90, 99, 99.9}) {
            values.put(
                    "p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)),
                    h.getValueAtPercentile(p) / 1000.0);
        }
        values.put("max", h.getMaxValue() / 1000.0);
        return values;
    }
}
