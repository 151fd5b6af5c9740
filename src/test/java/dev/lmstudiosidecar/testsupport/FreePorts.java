package dev.lmstudiosidecar.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Ports for servers that must be told theirs before they start (the sidecar under test, the benchmark's). */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port nothing listens on now; the server binds it a moment later. */
    public static int any() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
