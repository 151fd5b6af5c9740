package dev.lmstudiosidecar.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code lmstudio.hosts-dns}: what it accepts, what it refuses and the base URLs it makes. */
class DnsHostSpecTest {

    @Test
    void aNameAndPortMakeAPlainHttpHostPerAddress() {
        DnsHostSpec spec = DnsHostSpec.parse(" lmstudio-gpu.models.svc.cluster.local:1234 ");

        assertEquals(new DnsHostSpec("http", "lmstudio-gpu.models.svc.cluster.local", 1234), spec);
        assertEquals("http://10.1.2.3:1234/v1", spec.baseUrl("10.1.2.3"));
        assertEquals("http://[fd00::1]:1234/v1", spec.baseUrl("fd00::1"));
        assertEquals("http://lmstudio-gpu.models.svc.cluster.local:1234", spec.toString());
    }

    @Test
    void aSchemeAFinalSlashAndAFinalDotAreAccepted() {
        assertEquals(new DnsHostSpec("https", "lmstudio.example.org", 8443), DnsHostSpec.parse("HTTPS://lmstudio.example.org:8443/"));
        assertEquals(new DnsHostSpec("http", "lmstudio", 1), DnsHostSpec.parse("http://lmstudio:1"));
        assertEquals(new DnsHostSpec("http", "lmstudio.models.", 65535), DnsHostSpec.parse("lmstudio.models.:65535"));
        assertEquals("https://[::1]:8443/v1", DnsHostSpec.parse("https://lm_studio:8443").baseUrl("::1"));
    }

    @Test
    void aBadValueIsRefusedNamingTheKeyAndTheValue() {
        String longLabel = "a".repeat(64);
        String longName = "abcdefghi.".repeat(26) + "x"; // 261 characters: a name has at most 253
        for (String bad : List.of("", "  ", "lmstudio", "lmstudio:", "lmstudio:0", "lmstudio:65536", "lmstudio:http", ":1234",
                "ftp://lmstudio:1234", "lmstudio:1234/v1", "[::1]:1234", "lm studio:1234", "lmstudio..models:1234",
                longLabel + ":1234", longName + ":1234")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> DnsHostSpec.parse(bad), bad);
            assertTrue(refused.getMessage().startsWith("lmstudio.hosts-dns=" + bad + " is not valid: "), refused.getMessage());
        }
        IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class, () -> DnsHostSpec.parse(null));
        assertTrue(nothing.getMessage().startsWith("lmstudio.hosts-dns=null is not valid: "), nothing.getMessage());
    }

    @Test
    void theRecordChecksWhatItIsGivenToo() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new DnsHostSpec("http", "lmstudio", 0));
        assertTrue(refused.getMessage().startsWith("lmstudio.hosts-dns=http://lmstudio:0 is not valid: the port"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DnsHostSpec("ftp", "lmstudio", 1));
        assertThrows(IllegalArgumentException.class, () -> new DnsHostSpec("http", null, 1));
    }
}
