package dev.lmstudiosidecar.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioErrorReader;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The OpenAI surface: every {@code /v1/*} request, on a plain Vert.x route. The hot path needs no
 * JAX-RS machinery: it reads the body, validates it, and relays bytes.
 */
@ApplicationScoped
public class OpenAiRoutes {

    private final ProxyContext context;

    OpenAiRoutes(LMStudioClient client, LMStudioConfig lmstudio, SidecarConfig sidecar, ObjectMapper json) {
        this.context = new ProxyContext(client, new OpenAiRequestParser(), new LMStudioErrorReader(json),
                new UpstreamErrors(lmstudio), sidecar.maxRequestBody().bytes());
    }

    void register(@Observes Router router) {
        router.route("/v1/*").handler(routing -> new ProxyExchange(context, routing.request()).start());
    }
}
