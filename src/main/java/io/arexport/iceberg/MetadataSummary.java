package io.arexport.iceberg;

import java.util.List;

/** The result of {@code arexport metadata}, printed on stdout (text or {@code --json}). */
public record MetadataSummary(String warehouse, List<TableResult> tables, long durationMillis) {}
