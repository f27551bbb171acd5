package io.arexport.verify;

import io.arexport.HeightRange;

/**
 * The comparison of one table-partition: a partition directory, or heights no directory covers.
 *
 * @param directory whether a partition directory exists for {@code partition}
 * @param files data files counted (replaced files awaiting deletion are not)
 * @param expectedDigest the source digest, or null in counts-only mode
 * @param foundDigest the Parquet digest, or null in counts-only mode
 */
public record PartitionCheck(String table, HeightRange partition, boolean directory,
    long expectedRows, long foundRows, int files, String expectedDigest, String foundDigest,
    boolean matches) {}
