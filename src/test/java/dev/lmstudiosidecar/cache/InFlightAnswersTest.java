package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class InFlightAnswersTest {

    private static final CachedAnswer ANSWER = new CachedAnswer("m", CachedAnswer.Kind.PLAIN, "{}".getBytes(), 1, 2);

    @Test
    void theFirstLeadsAndTheOthersGetItsAnswer() {
        InFlightAnswers inFlight = new InFlightAnswers();
        InFlightAnswers.Leading leader = assertInstanceOf(InFlightAnswers.Leading.class, inFlight.join("k"));
        InFlightAnswers.Following follower = assertInstanceOf(InFlightAnswers.Following.class, inFlight.join("k"));

        leader.end(Optional.of(ANSWER));

        assertEquals(Optional.of(ANSWER), follower.answer().join());
        assertEquals(0, inFlight.leading(), "the lead is over: the next identical request leads again");
        assertInstanceOf(InFlightAnswers.Leading.class, inFlight.join("k"));
    }

    @Test
    void aLeaderWithNothingToShareSendsTheOthersUpstream() {
        InFlightAnswers inFlight = new InFlightAnswers();
        InFlightAnswers.Leading leader = (InFlightAnswers.Leading) inFlight.join("k");
        InFlightAnswers.Following follower = (InFlightAnswers.Following) inFlight.join("k");

        leader.end(Optional.empty());
        leader.end(Optional.of(ANSWER)); // a second end changes nothing

        assertEquals(Optional.empty(), follower.answer().join());
    }

    @Test
    void aWaiterThatGivesUpHarmsNeitherTheLeaderNorTheOtherWaiters() {
        InFlightAnswers inFlight = new InFlightAnswers();
        InFlightAnswers.Leading leader = (InFlightAnswers.Leading) inFlight.join("k");
        InFlightAnswers.Following impatient = (InFlightAnswers.Following) inFlight.join("k");
        InFlightAnswers.Following patient = (InFlightAnswers.Following) inFlight.join("k");

        assertTrue(impatient.answer().cancel(false));
        leader.end(Optional.of(ANSWER));

        assertEquals(Optional.of(ANSWER), patient.answer().join());
    }

    @Test
    void differentKeysDoNotWaitForEachOther() {
        InFlightAnswers inFlight = new InFlightAnswers();
        inFlight.join("a");
        assertInstanceOf(InFlightAnswers.Leading.class, inFlight.join("b"));
    }
}
