package io.arexport.warehouse;

import java.nio.file.Path;
import java.util.List;

/** One table's staged partition: its staging directory and the finished files in it. */
public record StagedPartition(Path directory, List<Path> files) {}
