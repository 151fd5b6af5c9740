package dev.lmstudiosidecar.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.models.ModelListingParser;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.BackendClient;
import dev.lmstudiosidecar.provider.UpstreamCall;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailureException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The health check of the cloud provider: {@code GET /models} with its key, the cheapest call that
 * proves both that it answers and that it takes the key. The answer's status alone speaks for a
 * failure: the body of a refusal may echo the key, so it is never read.
 */
final class CloudProbe {

    private final Vertx vertx;
    private final BackendClient client;
    private final long timeoutMillis;
    private final ObjectMapper json;
    private final Clock clock = Clock.systemUTC();

    /** @param timeout bound on the whole check, answer included */
    CloudProbe(Vertx vertx, BackendClient client, Duration timeout, ObjectMapper json) {
        this.vertx = vertx;
        this.client = client;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.json = json;
    }

    String backendName() {
        return client.backend().name();
    }

    /** Never fails: a failed check is an outcome too. */
    Future<ListingOutcome> check() {
        long started = System.nanoTime();
        Backend backend = client.backend();
        UpstreamCall call = client.sendOpenAi(HttpMethod.GET, "/models", MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json"), null);
        AtomicBoolean timedOut = new AtomicBoolean(); // set on the timer's thread, read on the answer's
        long timer = vertx.setTimer(timeoutMillis, id -> {
            timedOut.set(true);
            call.cancel();
        });
        return call.response()
                .compose(response -> response.body().map(body -> answer(backend, response.statusCode(), body.getBytes())))
                .transform(result -> {
                    vertx.cancelTimer(timer);
                    long tookMillis = (System.nanoTime() - started) / 1_000_000;
                    if (result.succeeded()) {
                        return Future.succeededFuture(ListingOutcome.listed(clock.instant(), tookMillis, result.result()));
                    }
                    UpstreamFailure failure = timedOut.get()
                            ? new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, backend, 0, "no answer to GET /models within " + timeoutMillis
                                    + " ms (lmstudio.discovery-timeout)", null, null, "lmstudio.discovery-timeout")
                            : UpstreamFailureException.of(backend, result.cause());
                    return Future.succeededFuture(ListingOutcome.failed(clock.instant(), tookMillis, failure));
                });
    }

    private ModelInventory answer(Backend backend, int status, byte[] body) {
        if (status < 200 || status >= 300) {
            throw new UpstreamFailureException(refusal(backend, status));
        }
        try {
            JsonNode root = json.readTree(body);
            return ModelInventory.of(DiscoveryApi.OPENAI, clock.instant(), ModelListingParser.parse(DiscoveryApi.OPENAI, root));
        } catch (IOException | ModelListingParser.UnexpectedListing notAListing) {
            throw new UpstreamFailureException(new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, backend, status,
                    "GET /models did not answer a model listing: " + notAListing.getMessage(), null, null));
        }
    }

    private static UpstreamFailure refusal(Backend backend, int status) {
        String words = switch (status) {
            case 401, 403 -> "the provider refused the sidecar's credentials; check cloud.api-key";
            case 429 -> "the provider limits the sidecar's rate";
            default -> "the provider failed";
        };
        UpstreamFailure.Kind kind = status >= 500 ? UpstreamFailure.Kind.SERVER_ERROR : UpstreamFailure.Kind.REJECTED;
        return new UpstreamFailure(kind, backend, status, "GET /models answered HTTP " + status + ": " + words, null, null);
    }
}
