package io.arexport.export;

import java.util.Map;

/** The result of a successful export run, printed on stdout (text or {@code --json}). */
public record ExportSummary(
    String jobId,
    boolean resumed,
    long startHeight,
    long endHeight,
    long partitions,
    Map<String, TableCounts> tables,
    long skippedDanglingTags,
    long durationMillis,
    String warehouse,
    boolean icebergCommitted) {}
