package dev.lmstudiosidecar.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestBodyBudgetTest {

    @Test
    void aClosedShareTakesNothingMoreSoNothingLeaks() {
        RequestBodyBudget budget = new RequestBodyBudget(1000);
        RequestBodyBudget.Reservation refused = budget.open();
        assertTrue(refused.reserve(400));
        refused.close(); // the request was answered (say 408) while its client went on sending
        assertFalse(refused.reserve(600), "a chunk after the answer is not reserved");
        assertTrue(budget.open().reserve(1000), "the whole budget is free again");
    }

    @Test
    void beyondTheCapacityAShareIsRefusedAndHoldsNothingOfIt() {
        RequestBodyBudget budget = new RequestBodyBudget(1000);
        RequestBodyBudget.Reservation first = budget.open();
        assertTrue(first.reserve(800));
        assertFalse(budget.open().reserve(300));
        first.close();
        assertTrue(budget.open().reserve(1000));
    }
}
