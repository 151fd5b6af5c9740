package dev.lmstudiosidecar.provider;

import java.net.URI;
import java.util.Locale;

/**
 * One upstream server, as a value: an LM Studio host of the fleet, or the cloud provider.
 *
 * @param name       a short name, unique among the backends, for headers, logs, breakers and metrics: the host's
 *                   name ({@code lmstudio} for the one host of {@code lmstudio.base-url}), or {@code cloud}
 * @param openAiBase the OpenAI base URL as configured, e.g. {@code http://localhost:1234/v1}
 * @param provider   what kind of server it is: {@value #LMSTUDIO} or {@code cloud}
 */
public record Backend(String name, URI openAiBase, String provider) {

    /** The provider of every LM Studio host, and the name of the one host of {@code lmstudio.base-url}. */
    public static final String LMSTUDIO = "lmstudio";

    public Backend {
        String scheme = openAiBase.getScheme() == null ? "" : openAiBase.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the base URL must start with http:// or https://, not '" + openAiBase + "'");
        }
        if (openAiBase.getHost() == null) {
            throw new IllegalArgumentException("the base URL '" + openAiBase + "' names no host");
        }
    }

    /** A backend that is its own provider: the cloud, or the one LM Studio host of {@code lmstudio.base-url}. */
    public static Backend of(String name, String baseUrl) {
        return of(name, baseUrl, name);
    }

    public static Backend of(String name, String baseUrl, String provider) {
        try {
            return new Backend(name, URI.create(baseUrl.trim()), provider);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + name + " base URL '" + baseUrl + "' is not usable: " + e.getMessage(), e);
        }
    }

    /** An LM Studio host (its concurrency limit, model loads and usage apply), not the cloud. */
    public boolean local() {
        return provider.equals(LMSTUDIO);
    }

    public boolean tls() {
        return openAiBase.getScheme().equalsIgnoreCase("https");
    }

    public String host() {
        return openAiBase.getHost();
    }

    public int port() {
        return openAiBase.getPort() != -1 ? openAiBase.getPort() : (tls() ? 443 : 80);
    }

    /** The path of an OpenAI route on this backend: {@code /chat/completions} becomes {@code /v1/chat/completions}. */
    public String openAiPath(String suffixWithQuery) {
        return basePath() + suffixWithQuery;
    }

    /**
     * The path of a route at the server root, beside the OpenAI base ({@code /lmstudio-greeting},
     * {@code /api/v1/models}): the base path without its trailing {@code /v1}.
     */
    public String rootPath(String path) {
        String base = basePath();
        String root = base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
        return root + path;
    }

    private String basePath() {
        String path = openAiBase.getRawPath() == null ? "" : openAiBase.getRawPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    @Override
    public String toString() {
        return name + " (" + openAiBase + ")";
    }
}
