package dev.lmstudiosidecar.testsupport;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import java.net.URL;
import java.time.Duration;

/** The official OpenAI Java SDK, pointed at the sidecar under test the way an app would be. */
public final class SidecarClients {

    private SidecarClients() {
    }

    /** @param sidecarBase the sidecar's root URL, e.g. from {@code @TestHTTPResource("/")} */
    public static OpenAIClient openAi(URL sidecarBase) {
        return builder(sidecarBase)
                .maxRetries(0) // the tests count upstream calls; SDK retries would blur them
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    /** As an app has it: the SDK's own retries (2, honouring Retry-After and x-should-retry) and timeout. */
    public static OpenAIClient openAiAtDefaults(URL sidecarBase) {
        return builder(sidecarBase).build();
    }

    private static OpenAIOkHttpClient.Builder builder(URL sidecarBase) {
        String root = sidecarBase.toString().replaceAll("/+$", "");
        return OpenAIOkHttpClient.builder().baseUrl(root + "/v1").apiKey("lm-studio");
    }
}
