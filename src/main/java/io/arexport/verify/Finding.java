package io.arexport.verify;

/**
 * One thing verify found. A {@link Severity#DIFFERENCE} makes the verification fail; a {@link
 * Severity#NOTE} is reported but does not.
 *
 * @param kind what was found (see {@link Kind}; its {@link Kind#code()} in JSON)
 * @param table the table, or null for warehouse-wide findings
 * @param partition the partition range {@code S-E}, or null
 * @param path the warehouse-relative file or directory concerned, or null
 * @param expected the expected row count, where one applies, else null
 * @param found the row count found, where one applies, else null
 * @param message one line for the operator
 */
public record Finding(Kind kind, String table, String partition, String path, Long expected,
    Long found, String message) {

  /** Whether a finding fails the verification. */
  public enum Severity { DIFFERENCE, NOTE }

  /** Every kind of finding, with its severity. */
  public enum Kind {
    /** A partition holds a different number of rows than the source. */
    ROW_COUNT("row-count", Severity.DIFFERENCE),
    /** Same row count, but the digest of the values differs (--deep). */
    CHECKSUM("checksum", Severity.DIFFERENCE),
    /** Source rows in heights that no partition directory covers. */
    MISSING_PARTITION("missing-partition", Severity.DIFFERENCE),
    /** A file holds rows whose height is outside its partition directory's range. */
    OUT_OF_PARTITION_ROWS("out-of-partition-rows", Severity.DIFFERENCE),
    /** Rows of a partition are not in the contract's order (--deep). */
    ROW_ORDER("row-order", Severity.DIFFERENCE),
    /** A file's Parquet schema differs from the table's (field ids, names, types). */
    SCHEMA("schema", Severity.DIFFERENCE),
    /** A file's footer or rows cannot be read. */
    UNREADABLE_FILE("unreadable-file", Severity.DIFFERENCE),
    /** A Parquet file without rows (an export never writes one). */
    EMPTY_FILE("empty-file", Severity.DIFFERENCE),
    /** A file or directory that no export writes (a wrong name, a stray file). */
    UNEXPECTED_FILE("unexpected-file", Severity.DIFFERENCE),
    /** A hidden temporary file left by an interrupted write. */
    TEMPORARY_FILE("temporary-file", Severity.DIFFERENCE),
    /** A partition directory not aligned to the partition size. */
    MISALIGNED_PARTITION("misaligned-partition", Severity.DIFFERENCE),
    /** Two partition directories cover common heights (their rows would be counted twice). */
    OVERLAPPING_PARTITIONS("overlapping-partitions", Severity.DIFFERENCE),
    /** A partition holds files of more than one export run, or split files with gaps. */
    FILE_SET("file-set", Severity.DIFFERENCE),
    /** A commit was interrupted and not yet completed by a later run. */
    PENDING_COMMIT("pending-commit", Severity.DIFFERENCE),
    /** The Iceberg metadata cannot be read or its version hint is wrong. */
    ICEBERG_METADATA("iceberg-metadata", Severity.DIFFERENCE),
    /** A data file on disk that the current Iceberg snapshot does not list. */
    ICEBERG_UNLISTED_FILE("iceberg-unlisted-file", Severity.DIFFERENCE),
    /** The current Iceberg snapshot lists a data file that is not (or no longer) current. */
    ICEBERG_EXTRA_FILE("iceberg-extra-file", Severity.DIFFERENCE),
    /** The snapshot's record count or file size of a data file differs from the file. */
    ICEBERG_FILE_STATS("iceberg-file-stats", Severity.DIFFERENCE),
    /**
     * The snapshot applies delete files to a data file (another engine's row-level delete): its
     * rows are not the file's rows, so counts and digests of the files say nothing.
     */
    ICEBERG_DELETES("iceberg-deletes", Severity.DIFFERENCE),
    /** The Iceberg comparison was skipped (the table has no Iceberg metadata). */
    ICEBERG_SKIPPED("iceberg-skipped", Severity.NOTE),
    /** A file replaced by a re-export, kept until no Iceberg snapshot references it. */
    REPLACED_FILE("replaced-file", Severity.NOTE),
    /** A partition directory extends beyond the range; it was verified whole. */
    PARTITION_BEYOND_RANGE("partition-beyond-range", Severity.NOTE),
    /** A partition directory without any file. */
    EMPTY_DIRECTORY("empty-directory", Severity.NOTE);

    private final String code;
    private final Severity severity;

    Kind(String code, Severity severity) {
      this.code = code;
      this.severity = severity;
    }

    public String code() {
      return code;
    }

    public Severity severity() {
      return severity;
    }
  }

  public boolean isDifference() {
    return kind.severity() == Severity.DIFFERENCE;
  }
}
