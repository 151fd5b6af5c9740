package dev.lmstudiosidecar.testsupport;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * URLs on the sidecar's management interface ({@code /q/health/*}, {@code /q/metrics}) in tests.
 * Use these, not {@code @TestHTTPResource(management = true)}: {@link EmulatorResource} gives the
 * management interface a concrete test port, and Quarkus 3.33 points that annotation at the real
 * port only when the configured one was random (else at 9001).
 */
public final class ManagementUrls {

    private ManagementUrls() {
    }

    /** @param path under {@code /q/}, e.g. {@code "metrics"} or {@code "health/live"} */
    public static URL of(String path) {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        try {
            return URI.create("http://localhost:" + port + "/q/" + path).toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(path, e);
        }
    }
}
