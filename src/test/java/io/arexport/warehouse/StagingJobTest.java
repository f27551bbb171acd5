package io.arexport.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job directories and their locks, within one process (the cross-process cases run child JVMs:
 * {@code CatalogCrashTest}, {@code StatusCommandTest}).
 */
class StagingJobTest {
  private static final JobParameters PARAMETERS = new JobParameters(100, 349, 50, 1000, true,
      true, "/data/core.db", "/data/bundles.db", "/data/warehouse");
  private static final Instant NOW = Instant.parse("2026-12-08T01:00:00Z");

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> children = Files.list(dir)) {
      return children.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aHeldJobIsNotResumedNotSupersededAndListedAsRunning(@TempDir Path staging)
      throws Exception {
    try (StagingJob held = StagingJob.create(staging, PARAMETERS, NOW, 4242)) {
      assertThat(StagingJob.findResumable(staging, PARAMETERS)).isEmpty();
      StagingJob.deleteSuperseded(staging, PARAMETERS);
      assertThat(held.directory()).isDirectory();
      assertThat(UnfinishedJob.list(staging)).singleElement()
          .satisfies(job -> assertThat(job.running()).isTrue());
    }
    assertThat(UnfinishedJob.list(staging)).singleElement()
        .satisfies(job -> assertThat(job.running()).isFalse());
    try (StagingJob resumed = StagingJob.findResumable(staging, PARAMETERS).orElseThrow()) {
      assertThat(resumed.jobId()).isEqualTo("20261208_010000_4242");
    }
    StagingJob.deleteSuperseded(staging, PARAMETERS);
    assertThat(names(staging)).isEmpty();
  }

  /**
   * A finished job's directory leaves the job names before its files go, and a deletion killed
   * halfway (a directory under the deleted prefix) is removed by the next run's clean-up.
   */
  @Test
  void deletedJobsLeaveNothingAndHalfDeletedOnesAreCleanedUp(@TempDir Path staging)
      throws Exception {
    try (StagingJob job = StagingJob.create(staging, PARAMETERS, NOW, 4242)) {
      Files.createDirectories(job.partitionDir(io.arexport.schema.ExportTable.TAGS,
          new io.arexport.HeightRange(100, 149)));
      job.delete();
    }
    assertThat(names(staging)).isEmpty();

    Path halfDeleted = Files.createDirectories(
        staging.resolve(".deleted-job-20261207_230000_77/tags/height=100-149"));
    Files.writeString(halfDeleted.resolve("tags_100_149.parquet"), "x");
    StagingJob.deleteSuperseded(staging, PARAMETERS);
    assertThat(names(staging)).isEmpty();
  }
}
