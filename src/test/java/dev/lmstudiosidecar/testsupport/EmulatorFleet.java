package dev.lmstudiosidecar.testsupport;

import dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Several LM Studio emulators, one per host of the sidecar's fleet, by host name. */
public final class EmulatorFleet {

    private final Map<String, LmStudioEmulator> hosts = new LinkedHashMap<>();

    EmulatorFleet(Iterable<String> names) {
        for (String name : names) {
            hosts.put(name, LmStudioEmulator.start());
        }
    }

    public LmStudioEmulator host(String name) {
        LmStudioEmulator emulator = hosts.get(name);
        if (emulator == null) {
            throw new IllegalArgumentException("no emulated host " + name);
        }
        return emulator;
    }

    public Map<String, LmStudioEmulator> all() {
        return hosts;
    }

    /** Every emulator back to its defaults, then without any model: each test says what each host has. */
    public void resetEmpty() {
        hosts.values().forEach(emulator -> {
            emulator.reset();
            emulator.removeAllModels();
        });
    }

    /** Chat completions each host received, by name. */
    public Map<String, Integer> chatRequests() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        hosts.forEach((name, emulator) -> counts.put(name, emulator.requestCount("/v1/chat/completions")));
        return counts;
    }

    void close() {
        hosts.values().forEach(LmStudioEmulator::close);
    }
}
