package dev.loopline.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.testsupport.definitions.LargestDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every {@link DefinitionLimits limit}: at it a definition compiles, one past it is refused at the field. */
class DefinitionLimitsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldCompileADefinitionAtTheInstructionLimitAndPrintHowLongItTook() {
        String document = atTheLimit();

        long started = System.nanoTime();
        WorkflowDefinition definition = compiler.compile(document, NOW);
        long first = (System.nanoTime() - started) / 1_000_000;
        started = System.nanoTime();
        compiler.compile(document.replace("check", "again"), NOW);
        long second = (System.nanoTime() - started) / 1_000_000;

        assertThat(definition.getSteps()).hasSize(DefinitionLimits.MAX_INSTRUCTIONS);
        System.out.printf(
                "definition at the limit: %d instructions, %d expressions, %d bytes of document;"
                        + " compiled in %d ms, then %d ms%n",
                definition.getSteps().size(),
                2 * CONDITIONS + 1,
                document.getBytes(StandardCharsets.UTF_8).length,
                first,
                second);
    }

    @Test
    void shouldRefuseOneInstructionMoreThanTheLimit() {
        String document = LargestDefinition.document("limits", CONDITIONS, true);

        assertThat(errorsOf(document))
                .containsExactly(new FieldError(
                        "steps",
                        "compiles to more than " + DefinitionLimits.MAX_INSTRUCTIONS
                                + " instructions (steps, branch tests and jumps)"));
    }

    @Test
    void shouldRefuseStepsNestedDeeperThanTheLimit() {
        String nested = stop();
        for (int level = 1; level <= DefinitionLimits.MAX_NESTING; level++) {
            nested = "{\"name\":\"c" + level + "\",\"kind\":\"condition\",\"branches\":[{\"when\":\"true\",\"steps\":["
                    + nested + "]}]}";
        }

        List<FieldError> errors = errorsOf(definition(nested));

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).contains("nest more than " + DefinitionLimits.MAX_NESTING);
    }

    @Test
    void shouldRefuseADocumentLargerThanTheLimitBeforeParsingIt() {
        String padding = "x".repeat(DefinitionLimits.MAX_DOCUMENT_BYTES);
        String document = definition(stop())
                .replace("\"name\":\"limits\"", "\"name\":\"limits\",\"description\":\"" + padding + "\"");

        assertThat(errorsOf(document))
                .containsExactly(new FieldError(
                        "$", "the document is larger than " + DefinitionLimits.MAX_DOCUMENT_BYTES + " bytes"));
    }

    @Test
    void shouldRefuseADocumentWhoseCompiledRecordIsOverTheLimit() {
        // each payload literal is stored twice: in the document and in the compiled step
        String text = "y".repeat(1_000);
        String steps = IntStream.range(0, 110)
                .mapToObj(i -> "{\"name\":\"m" + i + "\",\"kind\":\"send-message\",\"messageName\":\"M\","
                        + "\"payload\":{\"text\":\"" + text + "\"}}")
                .collect(Collectors.joining(","));
        String document = definition(steps);
        assertThat(document.length()).isLessThan(DefinitionLimits.MAX_DOCUMENT_BYTES);

        List<FieldError> errors = errorsOf(document);

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).field()).isEqualTo("$");
        assertThat(errors.get(0).message()).contains("more than " + DefinitionLimits.MAX_COMPILED_BYTES);
    }

    @Test
    void shouldRefuseTextFieldsAndObjectsOverTheirLimits() {
        String longName = "M".repeat(JsonFields.MAX_TEXT_CHARS + 1);
        String manyEntries = IntStream.rangeClosed(0, JsonFields.MAX_ENTRIES)
                .mapToObj(i -> "\"k" + i + "\":" + i)
                .collect(Collectors.joining(","));
        String document = definition("{\"name\":\"a\",\"kind\":\"send-message\",\"messageName\":\"" + longName
                + "\"},{\"name\":\"b\",\"kind\":\"send-message\",\"messageName\":\"M\",\"payload\":{" + manyEntries
                + "}}");

        assertThat(errorsOf(document))
                .containsExactly(
                        new FieldError(
                                "steps[0].messageName",
                                "expected at most " + JsonFields.MAX_TEXT_CHARS + " characters"),
                        new FieldError("steps[1].payload", "expected at most " + JsonFields.MAX_ENTRIES + " entries"));
    }

    @Test
    void shouldReportAtMostAHundredErrorsAndCountTheRest() {
        String bad = IntStream.range(0, 300)
                .mapToObj(i -> "{\"name\":\"s" + i + "\",\"kind\":\"teleport\"}")
                .collect(Collectors.joining(","));

        List<FieldError> errors = errorsOf(definition(bad));

        assertThat(errors).hasSize(JsonFields.MAX_ERRORS + 1);
        assertThat(errors.get(JsonFields.MAX_ERRORS)).isEqualTo(new FieldError("$", "200 more errors not listed"));
    }

    private static final int CONDITIONS = LargestDefinition.conditionsFor(DefinitionLimits.MAX_INSTRUCTIONS);

    private static String atTheLimit() {
        return LargestDefinition.document("limits", CONDITIONS, false);
    }

    private static String stop() {
        return "{\"name\":\"done\",\"kind\":\"stop\"}";
    }

    private static String definition(String steps) {
        return "{\"id\":\"limits\",\"name\":\"limits\",\"trigger\":{\"entityType\":\"invoice\",\"messageName\":\"Create\","
                + "\"condition\":\"trigger.attributes.amount > 0\"},\"steps\":[" + steps + "]}";
    }

    private List<FieldError> errorsOf(String document) {
        return catchThrowableOfType(InvalidDocumentException.class, () -> compiler.compile(document, NOW))
                .errors();
    }
}
