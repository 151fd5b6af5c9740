package dev.lmstudiosidecar.resilience;

/**
 * An attempt's answer that opened well (a stream's first chunk, or a whole answer that is no error):
 * its relay paused the upstream response where it decided so, inside its own callback, and goes on
 * when {@link #sendOn()} is called after the guard has seen the success. No byte is lost between.
 */
@FunctionalInterface
public interface OpenedAnswer {

    /** Commits the answer to the client and resumes relaying it. */
    void sendOn();
}
