package dev.lmstudiosidecar.fleet;

import dev.lmstudiosidecar.config.ByteSize;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one LM Studio host is: its name, where it listens, and its own limits. Values a host does not
 * set are the {@code lmstudio.*} ones.
 *
 * @param name                  unique, for headers ({@code X-Sidecar-Host}), logs, breakers and the {@code host} tag
 * @param baseUrl               its OpenAI base URL
 * @param maxConcurrentRequests requests in flight to it at once; also its connection pool
 * @param weight                breaks ties between hosts equally busy: the heavier first
 */
public record HostSettings(String name, String baseUrl, Optional<String> apiKey, int maxConcurrentRequests,
                           Optional<ByteSize> memoryBudget, double weight) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9\\[][A-Za-z0-9._:\\[\\]-]{0,62}");

    public HostSettings {
        if (!NAME.matcher(name).matches() || name.equals("cloud")) {
            throw new IllegalArgumentException("lmstudio.hosts." + name + ": a host's name is 1-63 letters, digits, '.', '_', ':', '-' or brackets"
                    + " (and not 'cloud', the cloud provider's)");
        }
        if (maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("lmstudio.hosts." + name + ".max-concurrent-requests must be at least 1");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("lmstudio.hosts." + name + ".weight must be a positive number (given " + weight + ")");
        }
    }

    /** The hosts {@code lmstudio.hosts.*} names; else the one host of {@code lmstudio.base-url}, named {@value Backend#LMSTUDIO}. */
    public static List<HostSettings> configured(LMStudioConfig config) {
        if (config.hosts().isEmpty()) {
            return config.hostsDns().isPresent() ? List.of() : List.of(new HostSettings(Backend.LMSTUDIO, config.baseUrl(), config.apiKey(),
                    config.maxConcurrentRequests(), config.memoryBudget(), 1));
        }
        List<HostSettings> hosts = new ArrayList<>();
        for (Map.Entry<String, LMStudioConfig.HostConfig> entry : config.hosts().entrySet()) {
            String name = entry.getKey();
            LMStudioConfig.HostConfig host = entry.getValue();
            String url = host.baseUrl().filter(value -> !value.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                    "lmstudio.hosts." + name + ".base-url is required (e.g. http://" + name + ":1234/v1)"));
            hosts.add(new HostSettings(name, url, host.apiKey().or(config::apiKey),
                    host.maxConcurrentRequests().orElse(config.maxConcurrentRequests()), host.memoryBudget().or(config::memoryBudget),
                    host.weight()));
        }
        hosts.sort((a, b) -> a.name().compareTo(b.name())); // the config's map has no order; logs and ties need one
        return List.copyOf(hosts);
    }

    /** A host found through {@code lmstudio.hosts-dns}: named by its address, with the {@code lmstudio.*} values. */
    public static HostSettings discovered(LMStudioConfig config, String address, String baseUrl) {
        return new HostSettings(address, baseUrl, config.apiKey(), config.maxConcurrentRequests(), config.memoryBudget(), 1);
    }

    public Backend backend() {
        return Backend.of(name, baseUrl, Backend.LMSTUDIO);
    }
}
