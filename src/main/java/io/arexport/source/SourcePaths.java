package io.arexport.source;

import java.nio.file.Path;

/** Where the gateway's two SQLite databases are. */
public record SourcePaths(Path coreDb, Path bundlesDb) {}
