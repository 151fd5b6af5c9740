package dev.lmstudiosidecar.bench;

/**
 * The sidecar in front of one LM Studio host against the sidecar in front of two, under the same closed-loop
 * load in the same run: what a second host buys in throughput once the first is saturated.
 *
 * @param oneHostOnA        chat requests host a answered in the one-host phases (all of them, retries included)
 * @param twoHostsOnA       the same in the two-host phases; with {@code twoHostsOnB}, how placement split them
 * @param slots             the sidecar's slots on each host ({@code max-concurrent-requests})
 * @param mostAtOnceA       the most generations host a ran at once over the scenario: at most {@code slots}, if the cap held
 * @param oneHostCpuSeconds what the one-host sidecar used during its phases (and likewise the two-host one)
 */
record HostScaling(String scenario, String load, PhaseResult oneHost, PhaseResult twoHosts,
                   long oneHostOnA, long twoHostsOnA, long twoHostsOnB, int slots, int mostAtOnceA, int mostAtOnceB,
                   double oneHostCpuSeconds, double twoHostsCpuSeconds) {

    /** Requests per second with two hosts over one; 2.0 is as good as it gets. */
    double ratio() {
        double one = oneHost.throughputPerSecond();
        return one == 0 ? 0 : twoHosts.throughputPerSecond() / one;
    }
}
