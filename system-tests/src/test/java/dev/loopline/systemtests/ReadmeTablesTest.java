package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.config.Setting;
import dev.loopline.api.config.SettingsTable;
import dev.loopline.gateway.GatewaySettings;
import dev.loopline.gateway.security.AccessRules;
import dev.loopline.observability.LooplineMetrics;
import dev.loopline.runtime.config.RuntimeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's generated tables are what the code declares: the configuration table from the
 * settings catalogues, the metrics table from the metrics catalogue, the route table from the
 * gateway's access rules. Each sits between {@code
 * <!-- generated: NAME -->} and {@code <!-- end generated: NAME -->}; {@code
 * -Dloopline.golden.update=true} writes them afresh after a deliberate change.
 */
class ReadmeTablesTest {

    private static final Path README = Path.of("..", "README.md");

    @Test
    void shouldListEverySettingOnceAsTheCatalogueDeclaresIt() throws IOException {
        List<Setting<?>> settings = new ArrayList<>(RuntimeSettings.all());
        GatewaySettings.all().stream()
                .filter(setting -> !settings.contains(setting))
                .forEach(settings::add);
        Set<String> names = new LinkedHashSet<>();
        settings.forEach(setting -> assertThat(names.add(setting.name()))
                .as("%s is declared twice", setting.name())
                .isTrue());

        assertGenerated("settings", SettingsTable.markdown(settings));
    }

    @Test
    void shouldListEveryMetricAsTheCatalogueDeclaresIt() throws IOException {
        assertGenerated("metrics", LooplineMetrics.markdown());
    }

    @Test
    void shouldListEveryRouteWithItsRoles() throws IOException {
        assertGenerated("routes", AccessRules.markdown());
    }

    private static void assertGenerated(String name, String table) throws IOException {
        String begin = "<!-- generated: " + name + " -->\n";
        String end = "<!-- end generated: " + name + " -->";
        String readme = Files.readString(README);
        int from = readme.indexOf(begin);
        int to = readme.indexOf(end);
        assertThat(from).as("README has %s", begin.strip()).isNotNegative();
        assertThat(to).as("README has %s", end).isGreaterThan(from);
        if (Boolean.getBoolean("loopline.golden.update")) {
            Files.writeString(README, readme.substring(0, from + begin.length()) + table + readme.substring(to));
            return;
        }
        assertThat(readme.substring(from + begin.length(), to))
                .as("the README's %s table; regenerate it with -Dloopline.golden.update=true", name)
                .isEqualTo(table);
    }
}
