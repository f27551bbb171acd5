package io.arexport.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.sync.SyncPlan.Kind;
import io.arexport.sync.SyncPlan.Range;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The frontier, the gaps and the ranges a cycle exports, from coverage and source heights. */
class SyncPlanTest {
  private static final OptionalLong NONE = OptionalLong.empty();

  private static OptionalLong of(long value) {
    return OptionalLong.of(value);
  }

  private static Coverage covered(long... bounds) {
    List<HeightRange> ranges = new java.util.ArrayList<>();
    for (int i = 0; i < bounds.length; i += 2) {
      ranges.add(new HeightRange(bounds[i], bounds[i + 1]));
    }
    return Coverage.of(ranges);
  }

  private static SyncPlan plan(Coverage covered, OptionalLong start, OptionalLong end,
      long sourceLowest, long tip, boolean fillGaps) {
    return SyncPlan.compute(covered, start, end, of(sourceLowest), of(tip), 1000, fillGaps);
  }

  @Test
  void coverageMergesOverlappingAndAdjacentRangesAndFindsGaps() {
    Coverage coverage = covered(2000, 2999, 0, 999, 1000, 1499, 1200, 1300, 5000, 5000);
    assertThat(coverage.ranges()).containsExactly(new HeightRange(0, 1499),
        new HeightRange(2000, 2999), new HeightRange(5000, 5000));
    assertThat(coverage.gaps()).containsExactly(new HeightRange(1500, 1999),
        new HeightRange(3000, 4999));
    assertThat(coverage.gapsWithin(new HeightRange(1400, 2500)))
        .containsExactly(new HeightRange(1500, 1999));
    assertThat(coverage.gapsWithin(new HeightRange(6000, 7000)))
        .containsExactly(new HeightRange(6000, 7000));
    assertThat(Coverage.EMPTY.gaps()).isEmpty();
  }

  @Test
  void emptyWarehouseStartsAtTheSourcesLowestStableHeight() {
    SyncPlan plan = plan(Coverage.EMPTY, NONE, NONE, 1_000_123, 1_002_500, false);
    assertThat(plan.frontier()).isEmpty();
    assertThat(plan.ranges()).containsExactly(
        new Range(Kind.NEW, new HeightRange(1_000_123, 1_002_500)));
  }

  @Test
  void emptyWarehouseWithStartHeightStartsThere() {
    SyncPlan plan = plan(Coverage.EMPTY, of(1_001_000), NONE, 0, 1_002_500, false);
    assertThat(plan.ranges()).containsExactly(
        new Range(Kind.NEW, new HeightRange(1_001_000, 1_002_500)));
  }

  @Test
  void partialTipPartitionIsExportedAgainWhole() {
    SyncPlan plan = plan(covered(0, 2499), NONE, NONE, 0, 3700, false);
    assertThat(plan.frontier()).hasValue(1999);
    assertThat(plan.ranges()).containsExactly(new Range(Kind.NEW, new HeightRange(2000, 3700)));
  }

  @Test
  void completeTipPartitionIsNotExportedAgain() {
    SyncPlan plan = plan(covered(0, 2999), NONE, NONE, 0, 3700, false);
    assertThat(plan.frontier()).hasValue(2999);
    assertThat(plan.ranges()).containsExactly(new Range(Kind.NEW, new HeightRange(3000, 3700)));
  }

  @Test
  void nothingNewMeansNothingToExportEvenWithAPartialTip() {
    assertThat(plan(covered(0, 2499), NONE, NONE, 0, 2499, false).upToDate()).isTrue();
    assertThat(plan(covered(0, 2999), NONE, NONE, 0, 2999, false).upToDate()).isTrue();
    // The source shrank below the warehouse (or another source): still nothing to export.
    assertThat(plan(covered(0, 2999), NONE, NONE, 0, 2000, false).upToDate()).isTrue();
  }

  @Test
  void endHeightCapsTheTarget() {
    SyncPlan plan = plan(covered(0, 2499), NONE, of(2800), 0, 9000, false);
    assertThat(plan.target()).hasValue(2800);
    assertThat(plan.ranges()).containsExactly(new Range(Kind.NEW, new HeightRange(2000, 2800)));
    assertThat(plan(covered(0, 2499), NONE, of(2400), 0, 9000, false).upToDate()).isTrue();
  }

  @Test
  void warehouseStartingInsideAPartitionNeverReachesBelowItsStart() {
    // First sync started at 1000500: the frontier is just below it, not below 1000000.
    SyncPlan plan = plan(covered(1_000_500, 1_000_800), NONE, NONE, 0, 1_001_200, false);
    assertThat(plan.frontier()).hasValue(1_000_499);
    assertThat(plan.ranges()).containsExactly(
        new Range(Kind.NEW, new HeightRange(1_000_500, 1_001_200)));
  }

  @Test
  void fillGapsExportsWholePartitionsBelowTheFrontierOnly() {
    // Gaps 1500-1999 (inside partition 1000-1999) and 3000-4999; the tip partition 6000-6999 is
    // partial, so the new range starts at 6000.
    Coverage coverage = covered(0, 1499, 2000, 2999, 5000, 6200);
    SyncPlan without = plan(coverage, NONE, NONE, 0, 7100, false);
    assertThat(without.ranges()).containsExactly(new Range(Kind.NEW, new HeightRange(6000, 7100)));

    SyncPlan with = plan(coverage, NONE, NONE, 0, 7100, true);
    assertThat(with.ranges()).containsExactly(
        new Range(Kind.GAP, new HeightRange(1000, 1999)),
        new Range(Kind.GAP, new HeightRange(3000, 4999)),
        new Range(Kind.NEW, new HeightRange(6000, 7100)));
    // Up to date at the tip, gaps are still filled.
    assertThat(plan(coverage, NONE, NONE, 0, 6200, true).ranges()).containsExactly(
        new Range(Kind.GAP, new HeightRange(1000, 1999)),
        new Range(Kind.GAP, new HeightRange(3000, 4999)));
  }

  @Test
  void aGapBelowATipAnotherWriterPutAboveTheSourcesIsFilledUpToTheSourcesTip() {
    // Another gateway (or engine) wrote 3000-3999 while this source's stable tip is 2499.
    Coverage coverage = covered(0, 1499, 3000, 3999);
    assertThat(plan(coverage, NONE, NONE, 0, 2499, true).ranges()).containsExactly(
        new Range(Kind.GAP, new HeightRange(1000, 2499)));
    assertThat(plan(coverage, NONE, NONE, 0, 2499, false).upToDate()).isTrue();
  }

  @Test
  void startHeightBelowTheWarehouseIsAGapToFill() {
    Coverage coverage = covered(5000, 5999);
    SyncPlan plan = plan(coverage, of(3500), NONE, 0, 5999, true);
    assertThat(plan.ranges()).containsExactly(new Range(Kind.GAP, new HeightRange(3500, 4999)));
    assertThat(plan(coverage, of(3500), NONE, 0, 5999, false).upToDate()).isTrue();
  }

  @Test
  void startHeightAboveTheWarehouseStartsThere() {
    SyncPlan plan = plan(covered(0, 2999), of(5000), NONE, 0, 5200, false);
    assertThat(plan.ranges()).containsExactly(new Range(Kind.NEW, new HeightRange(5000, 5200)));
  }

  @Test
  void sourceWithoutStableRowsHasNothingToExport() {
    SyncPlan plan = SyncPlan.compute(Coverage.EMPTY, NONE, NONE, NONE, NONE, 1000, true);
    assertThat(plan.upToDate()).isTrue();
    assertThat(plan.target()).isEmpty();
  }

  @Test
  void frontierAtHeightZeroPartitions() {
    assertThat(SyncPlan.frontier(covered(0, 500), of(0), 1000)).isEmpty();
    assertThat(SyncPlan.frontier(covered(0, 999), of(0), 1000)).hasValue(999);
    assertThat(SyncPlan.frontier(covered(0, 0), of(0), 1)).hasValue(0);
  }
}
