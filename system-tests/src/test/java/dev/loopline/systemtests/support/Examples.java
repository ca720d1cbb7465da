package dev.loopline.systemtests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The definition documents under the repository's examples/ folder, as the README shows them. */
public final class Examples {

    private Examples() {}

    public static String read(String name) {
        try {
            return Files.readString(Path.of("..", "examples", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
