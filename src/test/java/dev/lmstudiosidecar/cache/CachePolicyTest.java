package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.cache.CachePolicy.CacheControl;
import dev.lmstudiosidecar.cache.CachePolicy.Mode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CachePolicyTest {

    private static final Duration FALLBACK = Duration.ofMinutes(10);
    private static final Duration MAX = Duration.ofHours(1);

    private static boolean cacheable(Mode mode, String operation, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return CachePolicy.cacheable(mode, operation, bytes, 0, bytes.length);
    }

    private static String chat(String fields) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"temperature 0\"}]" + fields + "}";
    }

    // --- Mode

    @Test
    void modeParsesInAnyCase() {
        assertEquals(Mode.DETERMINISTIC, Mode.parse("deterministic"));
        assertEquals(Mode.ALL, Mode.parse("ALL"));
        assertEquals(Mode.OFF, Mode.parse(" Off "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "on", "none", "determinstic"})
    void anUnknownModeNamesThePropertyAndTheAllowedValues(String value) {
        String message = assertThrows(IllegalArgumentException.class, () -> Mode.parse(value)).getMessage();
        assertTrue(message.contains("lmstudio.cache-mode"), message);
        assertTrue(message.contains("deterministic, all, off"), message);
    }

    @Test
    void aMissingModeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Mode.parse(null));
    }

    // --- cacheable

    @Test
    void offCachesNothing() {
        assertFalse(cacheable(Mode.OFF, "embeddings", "{\"model\":\"e\",\"input\":\"x\"}"));
        assertFalse(cacheable(Mode.OFF, "chat", chat(",\"temperature\":0")));
    }

    @Test
    void embeddingsAreAlwaysCacheableUnlessOff() {
        assertTrue(cacheable(Mode.DETERMINISTIC, "embeddings", "{\"model\":\"e\",\"input\":\"x\"}"));
        assertTrue(cacheable(Mode.ALL, "embeddings", "{\"model\":\"e\",\"input\":\"x\"}"));
    }

    @Test
    void allCachesSampledGenerations() {
        assertTrue(cacheable(Mode.ALL, "chat", chat(",\"temperature\":0.9")));
        assertTrue(cacheable(Mode.ALL, "completions", "{\"model\":\"m\",\"prompt\":\"x\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {",\"temperature\":0", ",\"temperature\":0.0", ",\"temperature\":0e3", ",\"temperature\":-0.0",
            ",\"temperature\":0.8,\"seed\":42", ",\"seed\":0"})
    void deterministicCachesTemperatureZeroOrASeed(String fields) {
        assertTrue(cacheable(Mode.DETERMINISTIC, "chat", chat(fields)), fields);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ",\"temperature\":0.7", ",\"temperature\":0.0001", ",\"temperature\":\"0\"", ",\"seed\":null",
            ",\"temperature\":null", ",\"metadata\":{\"temperature\":0,\"seed\":1}"})
    void deterministicSkipsSampledGenerations(String fields) {
        assertFalse(cacheable(Mode.DETERMINISTIC, "chat", chat(fields)), fields);
    }

    @Test
    void deterministicAppliesToCompletionsToo() {
        assertTrue(cacheable(Mode.DETERMINISTIC, "completions", "{\"model\":\"m\",\"prompt\":\"x\",\"temperature\":0}"));
        assertFalse(cacheable(Mode.DETERMINISTIC, "completions", "{\"model\":\"m\",\"prompt\":\"x\"}"));
    }

    @Test
    void anUnreadableBodyOrUnknownOperationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> cacheable(Mode.DETERMINISTIC, "chat", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> cacheable(Mode.DETERMINISTIC, "chat", "{\"temperature\":"));
        assertThrows(IllegalArgumentException.class, () -> cacheable(Mode.ALL, "images", "{}"));
    }

    // --- Cache-Control

    @Test
    void noHeaderAllowsLookUpAndStore() {
        CacheControl none = CacheControl.parse(null);
        assertEquals(new CacheControl(false, false), none);
        assertTrue(none.mayLookUp());
        assertTrue(none.mayStore());
        assertEquals(none, CacheControl.parse("  "));
    }

    @Test
    void noCacheSkipsTheLookUpButStores() {
        CacheControl control = CacheControl.parse("no-cache");
        assertEquals(new CacheControl(true, false), control);
        assertFalse(control.mayLookUp());
        assertTrue(control.mayStore());
    }

    @Test
    void noStoreNeitherLooksUpNorStores() {
        CacheControl control = CacheControl.parse("No-Store");
        assertEquals(new CacheControl(false, true), control);
        assertFalse(control.mayLookUp());
        assertFalse(control.mayStore());
    }

    @Test
    void directivesAreCommaSeparatedAndWhitespaceTolerant() {
        assertEquals(new CacheControl(true, true), CacheControl.parse(" max-age=0 ,NO-CACHE,\tno-store "));
        assertEquals(new CacheControl(false, false), CacheControl.parse("max-age=0, private, no-transform"));
    }

    // --- TTL

    @Test
    void noTtlHeaderMeansTheFallback() {
        assertEquals(FALLBACK, CachePolicy.ttl(null, FALLBACK, MAX));
        assertEquals(FALLBACK, CachePolicy.ttl(" ", FALLBACK, MAX));
    }

    @Test
    void aBareNumberIsSeconds() {
        assertEquals(Duration.ofSeconds(60), CachePolicy.ttl("60", FALLBACK, MAX));
        assertEquals(Duration.ofSeconds(60), CachePolicy.ttl(" 60 ", FALLBACK, MAX));
    }

    @Test
    void durationsWithUnitsOrIsoAreRead() {
        assertEquals(Duration.ofSeconds(90), CachePolicy.ttl("90s", FALLBACK, MAX));
        assertEquals(Duration.ofMinutes(5), CachePolicy.ttl("5m", FALLBACK, MAX));
        assertEquals(Duration.ofSeconds(90), CachePolicy.ttl("1.5m", FALLBACK, MAX));
        assertEquals(Duration.ofMillis(500), CachePolicy.ttl("500ms", FALLBACK, MAX));
        assertEquals(Duration.ofMinutes(1), CachePolicy.ttl("PT1M", FALLBACK, MAX));
        assertEquals(Duration.ofMinutes(1), CachePolicy.ttl("pt1m", FALLBACK, MAX));
        assertEquals(Duration.ofHours(1), CachePolicy.ttl("1H", FALLBACK, Duration.ofDays(2)));
        assertEquals(Duration.ofDays(1), CachePolicy.ttl("1d", FALLBACK, Duration.ofDays(2)));
    }

    @Test
    void moreThanTheMaximumIsCutDownToIt() {
        assertEquals(MAX, CachePolicy.ttl("7200", FALLBACK, MAX));
        assertEquals(MAX, CachePolicy.ttl("P30D", FALLBACK, MAX));
        assertEquals(MAX, CachePolicy.ttl("999999999999999999999999999999", FALLBACK, MAX), "no overflow");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "PT0S", "-5", "-PT1M", "PT-1M", "abc", "5 minutes", "1y", "1e3", "P1Y", "60s60"})
    void aZeroNegativeOrUnreadableTtlIsRejectedWithAMessageForTheClient(String header) {
        String message = assertThrows(IllegalArgumentException.class, () -> CachePolicy.ttl(header, FALLBACK, MAX)).getMessage();
        assertTrue(message.startsWith("X-Sidecar-Cache-TTL must be a positive duration"), message);
        assertTrue(message.contains("'" + header + "'"), message);
    }
}
