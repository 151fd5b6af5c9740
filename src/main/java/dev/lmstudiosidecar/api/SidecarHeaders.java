package dev.lmstudiosidecar.api;

/** The response headers the sidecar adds (routing and cache headers come with those features). */
public final class SidecarHeaders {

    public static final String REQUEST_ID = "X-Request-Id";
    public static final String MODEL = "X-Sidecar-Model";
    public static final String PROVIDER = "X-Sidecar-Provider";
    public static final String ATTEMPTS = "X-Sidecar-Attempts";
    /** The backend that answered: the LM Studio host's name ({@code lmstudio} for the one of {@code lmstudio.base-url}), or {@code cloud}. */
    public static final String HOST = "X-Sidecar-Host";
    public static final String FALLBACK = "X-Sidecar-Fallback";
    /** A routed request's task and the classifier's confidence: {@code coding; confidence=0.60}. */
    public static final String TASK = "X-Sidecar-Task";
    /** A routed request: one line on why this model. */
    public static final String ROUTE_REASON = "X-Sidecar-Route-Reason";
    /** Tells OpenAI SDKs not to retry what the sidecar already retried. */
    public static final String SHOULD_RETRY = "x-should-retry";
    /** {@code HIT}, {@code MISS} or {@code BYPASS}: what the response cache did for the request. */
    public static final String CACHE = "X-Sidecar-Cache";
    /** A request's own time to live for its cached answer (seconds, or a duration such as {@code 5m}). */
    public static final String CACHE_TTL = "X-Sidecar-Cache-TTL";

    private SidecarHeaders() {
    }
}
