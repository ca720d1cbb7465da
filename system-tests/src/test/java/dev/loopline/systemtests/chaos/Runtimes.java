package dev.loopline.systemtests.chaos;

import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.systemtests.support.RuntimeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The runtime processes by name, each with its own state directory and log. */
final class Runtimes implements AutoCloseable {

    private final Map<String, String> base;
    private final Path dir;
    private final Map<String, RuntimeProcess> processes = new HashMap<>();

    Runtimes(Map<String, String> base, Path dir) {
        this.base = base;
        this.dir = dir;
    }

    void start(String name) throws IOException {
        Map<String, String> settings = new HashMap<>(base);
        settings.put(
                "LOOPLINE_STATE_DIR",
                Files.createDirectories(dir.resolve(name + "-state")).toString());
        settings.put("LOOPLINE_KAFKA_GROUP_INSTANCE_ID", name);
        processes.put(name, RuntimeProcess.start(RuntimeConfig.from(settings), dir.resolve(name + ".log")));
    }

    void kill(String name) throws InterruptedException {
        processes.remove(name).kill();
    }

    void suspend(String name) {
        processes.get(name).suspend();
    }

    void resume(String name) {
        processes.get(name).resume();
    }

    void wipe(String name) throws IOException {
        Path state = dir.resolve(name + "-state");
        if (Files.exists(state)) {
            try (Stream<Path> files = Files.walk(state)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    long logMentions(String text) {
        try (Stream<Path> logs = Files.list(dir)) {
            long count = 0;
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                try (Stream<String> lines = Files.lines(log)) {
                    count += lines.filter(line -> line.contains(text)).count();
                }
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        processes.values().forEach(process -> {
            if (process.isAlive()) {
                process.resume(); // a stopped process would not act on SIGTERM
            }
            process.close();
        });
    }
}
