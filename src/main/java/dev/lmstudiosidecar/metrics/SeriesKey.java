package dev.lmstudiosidecar.metrics;

/** One set of per-request series: every tag value is bounded already ({@link ModelTags}, {@link ErrorTypes}). */
record SeriesKey(GenAiOperation operation, String requestModel, String responseModel, String provider, Outcome outcome,
                 String errorType) {

    /** The same series with both models folded into {@link ModelTags#OTHER}. */
    SeriesKey withOtherModels() {
        return new SeriesKey(operation, ModelTags.OTHER, ModelTags.OTHER, provider, outcome, errorType);
    }
}
