package dev.lmstudiosidecar.bench.soak;

/** The window requests are counted in now; the sampler starts the next one. */
final class SoakWindows {

    private volatile SoakWindow current;

    SoakWindows(SoakWindow first) {
        this.current = first;
    }

    SoakWindow current() {
        return current;
    }

    /** @return the window that just ended */
    SoakWindow next(SoakWindow fresh) {
        SoakWindow ended = current;
        current = fresh;
        return ended;
    }
}
