package dev.lmstudiosidecar.provider.lmstudio;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.fleet.HostSettings;
import dev.lmstudiosidecar.provider.BackendClient;
import io.vertx.core.Vertx;
import java.util.Optional;

/**
 * The seed's "LMStudio Client": the pooled keep-alive connection to one LM Studio host. The pool
 * holds the host's {@code max-concurrent-requests} connections (Vert.x alone would keep 5 per host);
 * the caller's {@code Authorization} passes through, for LM Studio servers with auth turned on.
 */
public class LMStudioClient extends BackendClient {

    /** Connections for what takes no LM Studio slot (GET /v1/models and the like), beyond the slots. */
    static final int UNCOUNTED_CONNECTIONS = 2;

    public LMStudioClient(Vertx vertx, LMStudioConfig config, HostSettings host) {
        super(vertx, host.backend(),
                // The limiter admits no more generating calls than the pool holds; the listings and other GETs
                // it does not count have connections of their own beyond them. Its small wait queue only covers
                // a connection being replaced.
                new Settings(host.maxConcurrentRequests() + UNCOUNTED_CONNECTIONS, host.maxConcurrentRequests(), config.poolIdleTimeout(),
                        config.connectTimeout(), config.timeout()),
                Optional.empty());
    }
}
