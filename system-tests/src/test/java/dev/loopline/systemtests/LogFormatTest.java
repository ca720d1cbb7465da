package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The images' logging ({@code deploy/logback.xml}): by default one JSON object per line, with the
 * ids the processors put into the MDC; {@code LOOPLINE_LOG_FORMAT=text} for people.
 */
class LogFormatTest {

    private static final Path CONFIG = Path.of("..", "deploy", "logback.xml");

    @Test
    void shouldWriteAJsonObjectPerLineWithTheIdsOfTheWorkAtHand() throws Exception {
        OutputStreamAppender<ILoggingEvent> appender = rootAppender(Map.of());
        LoggingEvent event = new LoggingEvent(
                Logger.class.getName(),
                appender.getContext() instanceof LoggerContext context
                        ? context.getLogger("dev.loopline.runtime")
                        : null,
                Level.WARN,
                "instance {} failed: {}",
                null,
                new Object[] {"4f2a", "no approver"});
        event.setMDCPropertyMap(Map.of("instance_id", "4f2a", "trace_id", "0af7651916cd43dd8448eb211c80319c"));

        String line = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);

        assertThat(appender.getName()).isEqualTo("json");
        assertThat(line).endsWith("\n").doesNotContain("\n{");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("loggerName").asText()).isEqualTo("dev.loopline.runtime");
        assertThat(json.path("formattedMessage").asText()).isEqualTo("instance 4f2a failed: no approver");
        assertThat(json.path("mdc").path("instance_id").asText()).isEqualTo("4f2a");
        assertThat(json.path("mdc").path("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    }

    @Test
    void shouldWriteTextWhenAskedTo() throws Exception {
        OutputStreamAppender<ILoggingEvent> appender = rootAppender(Map.of("LOOPLINE_LOG_FORMAT", "text"));
        LoggingEvent event = new LoggingEvent(
                Logger.class.getName(),
                ((LoggerContext) appender.getContext()).getLogger("dev.loopline.runtime"),
                Level.INFO,
                "started",
                null,
                null);
        event.setMDCPropertyMap(Map.of("instance_id", "4f2a"));

        String line = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);

        assertThat(appender.getName()).isEqualTo("text");
        assertThat(line).contains("INFO", "4f2a - started").doesNotStartWith("{");
    }

    /** The appender the root logger writes to, with the file read under these settings. */
    @SuppressWarnings("unchecked")
    private static OutputStreamAppender<ILoggingEvent> rootAppender(Map<String, String> settings) throws Exception {
        LoggerContext context = new LoggerContext();
        settings.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(CONFIG.toFile());
        var appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        assertThat(appenders.hasNext()).isTrue();
        return (OutputStreamAppender<ILoggingEvent>) appenders.next();
    }
}
