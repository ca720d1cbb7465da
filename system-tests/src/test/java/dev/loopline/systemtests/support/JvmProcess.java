package dev.loopline.systemtests.support;

import dev.loopline.testsupport.infra.ChildProcesses;
import dev.loopline.testsupport.infra.KafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Loopline process as a separate JVM on this test's class path, configured by environment
 * variables as in production, so that a test can kill it outright.
 */
public class JvmProcess implements AutoCloseable {

    private final Process process;

    protected JvmProcess(Class<?> main, Map<String, String> environment, Path log) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command =
                new ArrayList<>(List.of(java, "-Xmx512m", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.loopline"));
        command.addAll(KafkaCluster.logLevelArguments()); // logback-test.xml's levels, as in this JVM
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no commit, no flush; a crash as far as Kafka can tell. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process freezes mid-whatever, as a long GC pause or a stalled VM would. */
    public void suspend() {
        signal("-STOP");
    }

    /** SIGCONT: a suspended process runs on, unaware of the time it lost. */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, Duration.ofSeconds(30));
    }
}
