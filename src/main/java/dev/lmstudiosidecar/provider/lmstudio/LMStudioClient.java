package dev.lmstudiosidecar.provider.lmstudio;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * The seed's "LMStudio Client": the pooled keep-alive connection to the configured LM Studio.
 * The pool holds {@code max-concurrent-requests} connections (Vert.x alone would keep 5 per host);
 * the caller's {@code Authorization} passes through, for LM Studio servers with auth turned on.
 */
@Singleton
public class LMStudioClient extends BackendClient {

    public static final String BACKEND_NAME = "lmstudio";
    /** Connections for what takes no LM Studio slot (GET /v1/models and the like), beyond the slots. */
    static final int UNCOUNTED_CONNECTIONS = 2;

    LMStudioClient(Vertx vertx, LMStudioConfig config) {
        super(vertx, Backend.of(BACKEND_NAME, config.baseUrl()),
                // The limiter admits no more generating calls than the pool holds; the listings and other GETs
                // it does not count have connections of their own beyond them. Its small wait queue only covers
                // a connection being replaced.
                new Settings(config.maxConcurrentRequests() + UNCOUNTED_CONNECTIONS, config.maxConcurrentRequests(), config.poolIdleTimeout(),
                        config.connectTimeout(), config.timeout()),
                Optional.empty());
    }

    @PreDestroy
    void shutdown() {
        close();
    }
}
