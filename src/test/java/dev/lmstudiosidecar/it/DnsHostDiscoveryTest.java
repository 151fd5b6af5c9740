package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.DnsFleetResource;
import dev.lmstudiosidecar.testsupport.DnsFleetResource.DnsFleet;
import dev.lmstudiosidecar.testsupport.Eventually;
import dev.lmstudiosidecar.testsupport.InjectDnsFleet;
import dev.lmstudiosidecar.testsupport.ManagementUrls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code lmstudio.hosts-dns}: the LM Studio hosts are the addresses a DNS name has, looked up at each
 * interval, as the pods behind a Kubernetes headless Service come and go. The DNS server is a stub the
 * test controls; the hosts are two emulators sharing one port on two loopback addresses.
 */
@QuarkusTest
@TestProfile(DnsHostDiscoveryTest.FastLookups.class)
@WithTestResource(DnsFleetResource.class)
class DnsHostDiscoveryTest {

    public static class FastLookups implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A lookup the silent DNS stub never answers gives up after the discovery timeout.
            return Map.of("lmstudio.health-check-interval", "200ms", "lmstudio.discovery-timeout", "500ms", "lmstudio.enable-caching", "false");
        }
    }

    @InjectDnsFleet
    DnsFleet fleet;

    private static List<String> hosts() {
        return given().get("/admin/hosts").jsonPath().getList("hosts.name");
    }

    @Test
    void hostsJoinAndLeaveAsTheNameResolvesAndRequestsFollowThem() {
        String first = fleet.hostName(fleet.first());
        String second = fleet.hostName(fleet.second());
        Eventually.await("both addresses found", Duration.ofSeconds(5), () -> hosts().equals(List.of(first, second)));
        given().get("/admin/hosts").then().body("source", containsString("lmstudio.hosts-dns"));

        fleet.resolveTo(fleet.second()); // the first pod went away
        Eventually.await("the first address gone", Duration.ofSeconds(5), () -> hosts().equals(List.of(second)));
        int before = fleet.first().requestCount("/v1/chat/completions");
        for (int i = 0; i < 3; i++) {
            ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200).header("X-Sidecar-Host", second);
        }
        assertEquals(before, fleet.first().requestCount("/v1/chat/completions"), "no request goes to a host that left");

        fleet.dns().clear(DnsFleetResource.NAME); // no pod left: the name has no address
        Eventually.await("no host", Duration.ofSeconds(5), () -> hosts().isEmpty());
        ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(503).header("Retry-After", "1")
                .body("error.message", containsString("No LM Studio host is known yet"));
        Eventually.await("not ready without a host", Duration.ofSeconds(3),
                () -> given().get(ManagementUrls.of("health/ready")).statusCode() == 503);

        fleet.resolveTo(fleet.first(), fleet.second()); // scaled up again
        Eventually.await("both back", Duration.ofSeconds(5), () -> hosts().equals(List.of(first, second)));
        Eventually.await("a host that answers", Duration.ofSeconds(5),
                () -> given().contentType("application/json").body(ChatRequests.body("qwen2.5-7b-instruct", false))
                        .post("/v1/chat/completions").statusCode() == 200);
        Eventually.await("ready again", Duration.ofSeconds(3), () -> given().get(ManagementUrls.of("health/ready")).statusCode() == 200);
    }

    @Test
    void aDnsFailureKeepsTheHostsItLastFound() {
        Eventually.await("both addresses found", Duration.ofSeconds(5), () -> hosts().size() == 2);
        fleet.dns().silent(true);
        try {
            int queries = fleet.dns().queries(DnsFleetResource.NAME);
            Eventually.await("lookups tried", Duration.ofSeconds(5), () -> fleet.dns().queries(DnsFleetResource.NAME) > queries + 2);
            assertEquals(2, hosts().size(), "a lookup that fails drops no host");
            ChatRequests.post("qwen2.5-7b-instruct", false).statusCode(200);
        } finally {
            fleet.dns().silent(false);
        }
    }
}
