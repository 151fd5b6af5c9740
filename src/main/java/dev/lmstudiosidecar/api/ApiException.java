package dev.lmstudiosidecar.api;

/** Carries an {@link ApiError} out of validation; no stack trace, as it is an answer, not a bug. */
public final class ApiException extends RuntimeException {

    private final ApiError error;

    public ApiException(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
