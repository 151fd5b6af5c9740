package dev.lmstudiosidecar.provider.lmstudio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import java.io.Closeable;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * LM Studio's REST API as a Quarkus REST Client, relative to the server root (the base URL without
 * its {@code /v1}). Every call answers the raw status and body: LM Studio answers some errors with a
 * 200 and an error body, which {@link LMStudioErrorReader} reads; bodies are JSON trees, never bound
 * to classes (nothing to register for native). Built programmatically by {@link LMStudioRestCalls},
 * which guards the calls; this interface is no CDI bean. Closing it closes its connection pool.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public interface LMStudioRestClient extends Closeable {

    /** {@code {"lmstudio":true}}: the cheapest sign that LM Studio, not another server, answers. */
    @GET
    @Path("lmstudio-greeting")
    Uni<Response> greeting();

    /** LM Studio 0.4+: every downloaded model with its loaded instances. */
    @GET
    @Path("api/v1/models")
    Uni<Response> listV1();

    /** LM Studio 0.3: every downloaded model with its state. */
    @GET
    @Path("api/v0/models")
    Uni<Response> listV0();

    /**
     * The OpenAI listing, {@code <openai prefix>/models}.
     *
     * @param openAiModels that path from the server root, without its leading slash ({@code v1/models})
     */
    @GET
    @Path("{openAiModels: .+}")
    Uni<Response> listOpenAi(@PathParam("openAiModels") @Encoded String openAiModels);

    /** {@code {"model", "context_length"?, "echo_load_config"?}}; answers once the model is loaded. */
    @POST
    @Path("api/v1/models/load")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> load(ObjectNode body);

    /** {@code {"instance_id"}}. */
    @POST
    @Path("api/v1/models/unload")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> unload(ObjectNode body);
}
