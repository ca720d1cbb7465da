package dev.loopline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Where a command's answer goes: tables for people, or the gateway's JSON for scripts. */
final class Output {

    /** {@code --output}: how answers are printed. */
    enum Format {
        TABLE,
        JSON
    }

    /** A column of a table: its heading, and what it shows of a row. */
    record Column(String heading, Function<JsonNode, String> cell) {

        /** A column showing the text at a JSON pointer ({@code /state}), empty when absent. */
        static Column of(String heading, String pointer) {
            return new Column(heading, row -> text(row.at(pointer)));
        }
    }

    private final PrintWriter out;
    private final Format format;

    Output(PrintWriter out, Format format) {
        this.out = out;
        this.format = format;
    }

    boolean json() {
        return format == Format.JSON;
    }

    /** The answer: as JSON, or as a table of {@code rows} (a list of objects in the answer). */
    void print(JsonNode answer, Iterable<JsonNode> rows, List<Column> columns) {
        if (json()) {
            json(answer);
        } else {
            table(rows, columns);
        }
    }

    /** The answer as JSON, one document on one line: each a line of a stream of answers. */
    void json(JsonNode answer) {
        try {
            out.println(Gateway.JSON.writeValueAsString(answer));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    void table(Iterable<JsonNode> rows, List<Column> columns) {
        List<String[]> cells = new ArrayList<>();
        String[] headings = columns.stream().map(Column::heading).toArray(String[]::new);
        cells.add(headings);
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(column -> column.cell().apply(row)).toArray(String[]::new));
        }
        int[] widths = new int[columns.size()];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s  ", line[i]));
            }
            out.println(text.toString().stripTrailing());
        }
        out.flush();
    }

    /** One line for people (table mode only). */
    void line(String text) {
        if (!json()) {
            out.println(text);
            out.flush();
        }
    }

    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "";
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }
}
