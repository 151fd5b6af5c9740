package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import io.smallrye.faulttolerance.api.ApplyGuard;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs one candidate's attempts under its backend's guard ({@link BackendGuards}). SmallRye applies a
 * guard's configuration keys only to a guard applied by {@code @ApplyGuard}, hence one method per
 * backend. Each attempt runs on the caller's event loop: non-blocking, no thread offload.
 */
@Singleton
public class GuardedAttempts {

    /** Runs {@code attempt}, again as the guard's retry decides, under {@code backend}'s guard. */
    public CompletionStage<OpenedAnswer> run(Backend backend, Supplier<CompletionStage<OpenedAnswer>> attempt) {
        return switch (backend.name()) {
            case LMStudioClient.BACKEND_NAME -> onLmStudio(attempt);
            case CloudProvider.BACKEND_NAME -> onCloud(attempt);
            default -> throw new IllegalArgumentException("no guard for backend " + backend.name());
        };
    }

    @ApplyGuard(LMStudioClient.BACKEND_NAME)
    @AsynchronousNonBlocking
    CompletionStage<OpenedAnswer> onLmStudio(Supplier<CompletionStage<OpenedAnswer>> attempt) {
        return attempt.get();
    }

    @ApplyGuard(CloudProvider.BACKEND_NAME)
    @AsynchronousNonBlocking
    CompletionStage<OpenedAnswer> onCloud(Supplier<CompletionStage<OpenedAnswer>> attempt) {
        return attempt.get();
    }
}
