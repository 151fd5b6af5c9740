package dev.lmstudiosidecar.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lmstudiosidecar.testsupport.ChatRequests;
import dev.lmstudiosidecar.testsupport.EmulatedLmStudioTest;
import dev.lmstudiosidecar.testsupport.EmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** With lmstudio.memory-budget set, the fallback chain skips alternatives that would not fit in the memory left. */
@QuarkusTest
@TestProfile(AdminAccessTest.TokenAndBudget.class) // a 24 GiB budget
@WithTestResource(EmulatorResource.class)
class MemoryBudgetTest extends EmulatedLmStudioTest {

    @Test
    void anAlternativeThatDoesNotFitTheMemoryLeftIsSkipped() {
        // big-40b-chat (loaded) fails. The nearest alternative in size, huge-70b-instruct, needs about
        // 47 GB and is not loaded: it cannot fit in what is left of 24 GiB. The loaded 7B model answers.
        emulator.addModel("big-40b-chat", "llm", 10_000_000_000L, "40B", "Q2_K", 8192, true);
        emulator.addModel("huge-70b-instruct", "llm", 42_000_000_000L, "70B", "Q4_K_M", 8192, false);
        given().header("Authorization", "Bearer " + AdminAccessTest.TOKEN).post("/admin/models/refresh").then().statusCode(200);
        emulator.failNext(4, 500); // every attempt on big-40b-chat
        ChatRequests.post("big-40b-chat", false).statusCode(200)
                .header("X-Sidecar-Fallback", "qwen2.5-7b-instruct");
        assertEquals(0, emulator.loadCount("huge-70b-instruct"));
    }
}
