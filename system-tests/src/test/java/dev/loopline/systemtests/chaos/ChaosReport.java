package dev.loopline.systemtests.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** What the chaos suite measured: one row per fault, then the totals; printed as a table and written as JSON. */
final class ChaosReport {

    /** One fault: what was done, and each partition's stall after it (null: none completed before the end). */
    record Fault(String experiment, String detail, List<Long> stallsMillis, long worstMillis, int stalledPartitions) {

        static Fault of(String experiment, String detail, Map<Integer, OptionalLong> stalls) {
            List<Long> millis = new ArrayList<>();
            long worst = 0;
            int never = 0;
            for (int partition = 0; partition < stalls.size(); partition++) {
                OptionalLong stall = stalls.get(partition);
                if (stall.isPresent()) {
                    millis.add(stall.getAsLong());
                    worst = Math.max(worst, stall.getAsLong());
                } else {
                    millis.add(null);
                    never++;
                }
            }
            return new Fault(experiment, detail, millis, never > 0 ? -1 : worst, never);
        }
    }

    private final List<Fault> faults = new ArrayList<>();
    private final Map<String, Object> totals = new LinkedHashMap<>();
    private final Map<String, Object> settings = new LinkedHashMap<>();

    void setting(String name, Object value) {
        settings.put(name, value);
    }

    void fault(Fault fault) {
        faults.add(fault);
    }

    void total(String name, Object value) {
        totals.put(name, value);
    }

    List<Fault> faults() {
        return List.copyOf(faults);
    }

    String table() {
        StringBuilder out = new StringBuilder("\nchaos suite\n");
        settings.forEach((name, value) ->
                out.append("  ").append(name).append(": ").append(value).append('\n'));
        out.append(String.format(
                "%n| %-10s | %-34s | %-9s | %s |%n", "experiment", "fault", "worst (s)", "each partition (s)"));
        out.append("|------------|------------------------------------|-----------|---|\n");
        for (Fault fault : faults) {
            out.append(String.format(
                    "| %-10s | %-34s | %9s | %s |%n",
                    fault.experiment(),
                    fault.detail(),
                    fault.worstMillis() < 0 ? "never" : seconds(fault.worstMillis()),
                    String.join(
                            " ",
                            fault.stallsMillis().stream()
                                    .map(ms -> ms == null ? "-" : seconds(ms))
                                    .toList())));
        }
        out.append('\n');
        totals.forEach((name, value) -> out.append(String.format("  %-34s %s%n", name, value)));
        return out.toString();
    }

    void write(Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", settings);
        json.put("faults", faults);
        json.put("totals", totals);
        try {
            Files.createDirectories(file.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String seconds(long millis) {
        return String.format("%.1f", millis / 1000.0);
    }
}
