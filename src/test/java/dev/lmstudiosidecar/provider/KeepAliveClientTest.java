package dev.lmstudiosidecar.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Over real sockets: which connection, and which thread, each request of a {@link KeepAliveClient} uses. */
class KeepAliveClientTest {

    private Vertx vertx;
    private HttpServer server;
    private KeepAliveClient client;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        // Answers each request with the client's port: the connection it came on.
        server = vertx.createHttpServer()
                .requestHandler(request -> request.response().end(Integer.toString(request.remoteAddress().port())))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = new KeepAliveClient(vertx, new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(5));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRequestFromAnEventLoopUsesAConnectionOfThatLoopAndIsAnsweredOnIt() throws Exception {
        VertxInternal internal = (VertxInternal) vertx;
        Context first = internal.createEventLoopContext();
        Context second = internal.createEventLoopContext();

        Answer a = sendFrom(first);
        Answer b = sendFrom(second);
        Answer again = sendFrom(first);

        assertNotEquals(a.thread(), b.thread(), "two contexts on two event loops");
        assertSame(a.thread(), a.answeredOn(), "answered on the loop that asked");
        assertSame(b.thread(), b.answeredOn(), "answered on the loop that asked");
        assertEquals(a.connectionPort(), again.connectionPort(), "the first loop's idle connection is reused by that loop");
        assertNotEquals(a.connectionPort(), b.connectionPort(), "the other loop opens its own instead of borrowing it");
    }

    @Test
    void aRequestFromOffAnyEventLoopIsServedFromTheSharedPool() throws Exception {
        String port = port(client.send(get(), null, request -> { }));

        assertTrue(Integer.parseInt(port) > 0, "answered, over a connection of its own");
    }

    private record Answer(Thread thread, Thread answeredOn, String connectionPort) {
    }

    private Answer sendFrom(Context context) throws Exception {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        context.runOnContext(v -> {
            Thread loop = Thread.currentThread();
            client.send(get(), null, request -> { })
                    .compose(response -> response.body().map(body -> new Answer(loop, Thread.currentThread(), body.toString())))
                    .onComplete(done -> {
                        if (done.succeeded()) {
                            answer.complete(done.result());
                        } else {
                            answer.completeExceptionally(done.cause());
                        }
                    });
        });
        return answer.get(10, TimeUnit.SECONDS);
    }

    private static String port(Future<io.vertx.core.http.HttpClientResponse> response) throws Exception {
        return response.compose(answered -> answered.body()).map(Object::toString)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RequestOptions get() {
        return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(server.actualPort()).setURI("/");
    }
}
