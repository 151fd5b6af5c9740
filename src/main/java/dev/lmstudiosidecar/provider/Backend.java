package dev.lmstudiosidecar.provider;

import java.net.URI;
import java.util.Locale;

/**
 * One upstream server, as a value: several LM Studio hosts can stand behind one sidecar later.
 *
 * @param name       a short name for headers, logs and metrics
 * @param openAiBase the OpenAI base URL as configured, e.g. {@code http://localhost:1234/v1}
 */
public record Backend(String name, URI openAiBase) {

    public Backend {
        String scheme = openAiBase.getScheme() == null ? "" : openAiBase.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the base URL must start with http:// or https://, not '" + openAiBase + "'");
        }
        if (openAiBase.getHost() == null) {
            throw new IllegalArgumentException("the base URL '" + openAiBase + "' names no host");
        }
    }

    public static Backend of(String name, String baseUrl) {
        try {
            return new Backend(name, URI.create(baseUrl.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + name + " base URL '" + baseUrl + "' is not usable: " + e.getMessage(), e);
        }
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
