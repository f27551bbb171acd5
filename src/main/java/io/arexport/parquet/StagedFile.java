package io.arexport.parquet;

import java.nio.file.Path;

/** A finished Parquet file in staging: where it is, how many rows and bytes it holds. */
public record StagedFile(Path path, long rows, long bytes) {}
