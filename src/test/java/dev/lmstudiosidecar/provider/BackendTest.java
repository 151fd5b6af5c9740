package dev.lmstudiosidecar.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendTest {

    @Test
    void openAiRoutesHangBelowTheConfiguredBase() {
        Backend backend = Backend.of("lmstudio", "http://localhost:1234/v1/");
        assertEquals("/v1/chat/completions?x=1", backend.openAiPath("/chat/completions?x=1"));
        assertEquals("localhost", backend.host());
        assertEquals(1234, backend.port());
    }

    @Test
    void rootRoutesDropTheTrailingV1() {
        assertEquals("/api/v1/models", Backend.of("a", "http://h:1234/v1").rootPath("/api/v1/models"));
        assertEquals("/lmstudio/lmstudio-greeting", Backend.of("a", "http://h/lmstudio/v1").rootPath("/lmstudio-greeting"));
    }

    @Test
    void defaultPortFollowsTheScheme() {
        assertEquals(80, Backend.of("a", "http://h/v1").port());
        Backend tls = Backend.of("a", "https://h/v1");
        assertEquals(443, tls.port());
        assertTrue(tls.tls());
    }

    @Test
    void refusesAUrlThatIsNotHttp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.of("a", "localhost:1234"));
        assertTrue(e.getMessage().contains("the a base URL 'localhost:1234' is not usable"), e.getMessage());
    }
}
