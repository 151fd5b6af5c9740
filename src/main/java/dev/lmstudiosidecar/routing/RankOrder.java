package dev.lmstudiosidecar.routing;

import java.util.Comparator;

/**
 * Best first: the higher total, and among totals equal within {@link #TOTAL_TOLERANCE} a fixed
 * order, so the same models always rank the same whatever order they were listed in: loaded first
 * (nothing to wait for), then the smaller {@code minMemoryGB} (leaves more room), then by name
 * (ignoring case, then with case, so that even names differing only in case have an order).
 */
final class RankOrder {

    /**
     * Totals closer than this are a tie. The weights (0.4, 0.3, ...) are not exact in binary, so
     * models whose parts trade off exactly (a loaded bonus against five points of performance) can
     * differ in the last bits; this absorbs that noise and nothing a real difference could be.
     */
    static final double TOTAL_TOLERANCE = 1e-9;

    private static final Comparator<ScoredModel> TIE_BREAK = Comparator
            .comparing(ScoredModel::loaded, Comparator.reverseOrder())
            .thenComparingDouble(ScoredModel::minMemoryGB)
            .thenComparing(ScoredModel::model, String.CASE_INSENSITIVE_ORDER)
            .thenComparing(ScoredModel::model);

    static final Comparator<ScoredModel> BEST_FIRST = (a, b) ->
            Math.abs(a.total() - b.total()) > TOTAL_TOLERANCE
                    ? Double.compare(b.total(), a.total())
                    : TIE_BREAK.compare(a, b);

    private RankOrder() {
    }
}
