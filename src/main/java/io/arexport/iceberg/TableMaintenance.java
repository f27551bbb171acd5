package io.arexport.iceberg;

import io.arexport.InvalidInputException;
import io.arexport.warehouse.LocalLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.util.PropertyUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Iceberg table maintenance with iceberg-core's own operations, for any {@link Table} (directory
 * mode's {@link LocalTableOperations} or a catalog's table): expires snapshots per the table's
 * standard retention properties ({@code history.expire.max-snapshot-age-ms}, {@code
 * history.expire.min-snapshots-to-keep}) and deletes the files no retained snapshot references
 * ({@code ExpireSnapshots}), rewrites the manifests once too many small ones accumulated ({@code
 * RewriteManifests}), and removes orphan files — files under the table location that no metadata
 * references — once they are older than a safety age. Expiry, manifest rewrite and the record of
 * the run ({@link #LAST_RUN_PROPERTY}) are one Iceberg transaction; files are deleted only after
 * it committed, so a crash leaves at worst unreferenced files that the next run's orphan pass
 * removes.
 */
public final class TableMaintenance {
  /** Table property: when maintenance last ran on the table (ISO-8601 instant). */
  public static final String LAST_RUN_PROPERTY = "arexport.maintenance.last-run-at";
  /** Table property: {@code export}/{@code metadata} run maintenance at most once per this. */
  public static final String INTERVAL_PROPERTY = "arexport.maintenance.interval-ms";
  /** Table property: orphan files younger than this are never deleted. */
  public static final String ORPHAN_MIN_AGE_PROPERTY = "arexport.maintenance.orphan-min-age-ms";
  /**
   * Table property: rewrite the manifests once the current snapshot has more than this many
   * manifests smaller than {@code commit.manifest.target-size-bytes}.
   */
  public static final String SMALL_MANIFESTS_PROPERTY = "arexport.maintenance.max-small-manifests";

  static final long DEFAULT_MAX_SNAPSHOT_AGE_MS = Duration.ofDays(1).toMillis();
  static final int DEFAULT_MIN_SNAPSHOTS_TO_KEEP = 10;
  static final int DEFAULT_PREVIOUS_VERSIONS_MAX = 20;
  static final long DEFAULT_INTERVAL_MS = Duration.ofDays(1).toMillis();
  static final long DEFAULT_ORPHAN_MIN_AGE_MS = Duration.ofDays(3).toMillis();
  static final int DEFAULT_MAX_SMALL_MANIFESTS = 16;

  /**
   * The properties arexport gives a table it creates (see docs/iceberg.md, "History and
   * maintenance", for why each value). A table keeps whatever values it has: these only fill in
   * what is absent.
   */
  public static final Map<String, String> RETENTION_DEFAULTS = defaults();

  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  private TableMaintenance() {}

  private static Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put(TableProperties.MAX_SNAPSHOT_AGE_MS, Long.toString(DEFAULT_MAX_SNAPSHOT_AGE_MS));
    defaults.put(TableProperties.MIN_SNAPSHOTS_TO_KEEP,
        Integer.toString(DEFAULT_MIN_SNAPSHOTS_TO_KEEP));
    defaults.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
    defaults.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX,
        Integer.toString(DEFAULT_PREVIOUS_VERSIONS_MAX));
    defaults.put(INTERVAL_PROPERTY, Long.toString(DEFAULT_INTERVAL_MS));
    defaults.put(ORPHAN_MIN_AGE_PROPERTY, Long.toString(DEFAULT_ORPHAN_MIN_AGE_MS));
    defaults.put(SMALL_MANIFESTS_PROPERTY, Integer.toString(DEFAULT_MAX_SMALL_MANIFESTS));
    return Map.copyOf(defaults);
  }

  /**
   * What one maintenance run did to one table.
   *
   * @param expiredSnapshots snapshots removed from the metadata
   * @param deletedFiles data files, manifests and manifest lists only expired snapshots
   *     referenced, deleted after the commit
   * @param rewrittenManifests small manifests replaced by a rewrite (0: none was needed)
   * @param orphanFilesDeleted unreferenced files older than the safety age, deleted
   * @param orphanFilesKept unreferenced files younger than the safety age, kept
   * @param snapshots snapshots the metadata lists after the run
   */
  public record Result(String table, int expiredSnapshots, int deletedFiles,
      int rewrittenManifests, int orphanFilesDeleted, int orphanFilesKept, int snapshots) {}

  /** True when the table never had maintenance or its interval has passed at {@code now}. */
  static boolean isDue(Table table, Instant now) {
    Instant last = lastRun(table);
    long interval = longProperty(table.name(), table.properties(), INTERVAL_PROPERTY,
        DEFAULT_INTERVAL_MS);
    // A last run in the future (a clock that was wrong then) would hold maintenance off for as
    // long: it is due, and the run records the present time.
    return last == null || last.isAfter(now) || !now.isBefore(last.plusMillis(interval));
  }

  private static Instant lastRun(Table table) {
    String value = table.properties().get(LAST_RUN_PROPERTY);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Runs every step on {@code table} at {@code now}. The caller holds whatever makes it the
   * table's only arexport writer (directory mode: the warehouse lock).
   *
   * @param liveUnreferenced locations the mode holds live although no snapshot references them
   *     yet (directory mode: Parquet files on disk the next commit adds); never orphans
   * @param expireUnreadable also expire every older snapshot that lists a data file that does
   *     not exist (directory mode, where replaced files are deleted at once; e.g. snapshots an
   *     arexport before maintenance left behind)
   */
  public static Result run(Table table, Instant now, Predicate<String> liveUnreferenced,
      boolean expireUnreadable) {
    String name = table.name();
    Set<Long> unreadable = expireUnreadable ? snapshotsWithMissingFiles(table) : Set.of();
    int before = table.snapshots() == null ? 0 : sizeOf(table.snapshots());
    Map<String, String> props = table.properties();
    List<String> expiredFiles = new ArrayList<>();
    int rewritten = 0;
    int expired = 0;

    Transaction transaction = table.newTransaction();
    var update = transaction.updateProperties().set(LAST_RUN_PROPERTY, now.toString());
    if (!props.containsKey(LAST_RUN_PROPERTY)) {
      // A table from before arexport set retention defaults: absent properties get them.
      RETENTION_DEFAULTS.forEach((key, value) -> {
        if (!props.containsKey(key)) {
          update.set(key, value);
        }
      });
    }
    update.commit();
    Map<String, String> effective = transaction.table().properties();
    if (table.currentSnapshot() != null) {
      long maxAge = longProperty(name, effective, TableProperties.MAX_SNAPSHOT_AGE_MS,
          TableProperties.MAX_SNAPSHOT_AGE_MS_DEFAULT);
      int minKeep = intProperty(name, effective, TableProperties.MIN_SNAPSHOTS_TO_KEEP,
          TableProperties.MIN_SNAPSHOTS_TO_KEEP_DEFAULT);
      if (gcEnabled(effective)) {
        ExpireSnapshots expire = transaction.expireSnapshots()
            .expireOlderThan(now.toEpochMilli() - maxAge)
            .retainLast(Math.max(1, minKeep))
            .deleteWith(expiredFiles::add);
        unreadable.forEach(expire::expireSnapshotId);
        expire.commit();
        expired = before - sizeOf(transaction.table().snapshots());
      } else {
        LOG.warn("{}: gc.enabled is false, snapshots are not expired and orphan files are not"
            + " removed", name);
      }
      rewritten = rewriteSmallManifests(name, transaction, effective);
    }
    transaction.commitTransaction();
    // A file the mode holds live stays, even when only expired snapshots listed it: in directory
    // mode, after another engine rolled the table back past a partition's files, those files are
    // still the partition (the directory is the truth) and the next commit lists them again.
    List<String> held = expiredFiles.stream().filter(liveUnreferenced).toList();
    if (!held.isEmpty()) {
      LOG.info("{}: {} files only expired snapshots listed are kept: the warehouse holds them"
          + " (the next commit lists them again)", name, held.size());
    }
    int deleted = delete(table.io(), expiredFiles.stream().filter(liveUnreferenced.negate())
        .toList());

    table.refresh();
    long minAge = longProperty(name, table.properties(), ORPHAN_MIN_AGE_PROPERTY,
        DEFAULT_ORPHAN_MIN_AGE_MS);
    if (minAge < Duration.ofHours(1).toMillis() && gcEnabled(table.properties())) {
      // Allowed (tests and one-off clean-ups use it), but an export writing to this table now
      // has files no snapshot references yet, and they would go.
      LOG.warn("{}: {}={} is under an hour: files a writer has not committed yet may be removed"
          + " as orphans", name, ORPHAN_MIN_AGE_PROPERTY, minAge);
    }
    // gc.enabled=false turns off all of Iceberg's garbage collection, orphan removal included
    // (Spark's remove_orphan_files refuses to run then).
    int[] orphans = gcEnabled(table.properties())
        ? removeOrphans(table, now.minusMillis(minAge), liveUnreferenced) : new int[] {0, 0};
    int after = sizeOf(table.snapshots());
    LOG.info("{}: maintenance expired {} snapshots ({} kept), deleted {} files, rewrote {}"
        + " manifests, removed {} orphan files ({} younger than {} kept)", name, expired, after,
        deleted, rewritten, orphans[0], orphans[1], Duration.ofMillis(minAge));
    return new Result(name, expired, deleted, rewritten, orphans[0], orphans[1], after);
  }

  /**
   * Snapshots other than the current one, and not held by a tag or branch, that list a data
   * file which does not exist (checked once per file through the table's FileIO).
   */
  static Set<Long> snapshotsWithMissingFiles(Table table) {
    Set<Long> unreadable = new HashSet<>();
    if (table.currentSnapshot() == null) {
      return unreadable;
    }
    Set<Long> held = new HashSet<>();
    table.refs().values().forEach(ref -> held.add(ref.snapshotId()));
    Map<String, Boolean> exists = new java.util.HashMap<>();
    for (Snapshot snapshot : table.snapshots()) {
      if (held.contains(snapshot.snapshotId())) {
        continue;
      }
      for (ManifestFile manifest : snapshot.dataManifests(table.io())) {
        boolean missing = false;
        try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, table.io())) {
          for (String path : paths) {
            if (!exists.computeIfAbsent(path, p -> table.io().newInputFile(p).exists())) {
              missing = true;
              break;
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read manifest " + manifest.path(), e);
        }
        if (missing) {
          LOG.info("{}: snapshot {} lists a data file that no longer exists; expiring it",
              table.name(), snapshot.snapshotId());
          unreadable.add(snapshot.snapshotId());
          break;
        }
      }
    }
    return unreadable;
  }

  /**
   * Fails with {@link InvalidInputException} when a numeric property maintenance reads is no
   * number, so that {@code maintain} can refuse before it changes any table.
   */
  public static void checkProperties(Table table) {
    Map<String, String> properties = table.properties();
    for (String key : List.of(INTERVAL_PROPERTY, TableProperties.MAX_SNAPSHOT_AGE_MS,
        ORPHAN_MIN_AGE_PROPERTY, TableProperties.MANIFEST_TARGET_SIZE_BYTES)) {
      longProperty(table.name(), properties, key, 0);
    }
    for (String key : List.of(TableProperties.MIN_SNAPSHOTS_TO_KEEP, SMALL_MANIFESTS_PROPERTY)) {
      intProperty(table.name(), properties, key, 0);
    }
  }

  /**
   * A whole-number table property, parsed as Iceberg parses it, or {@code fallback} when absent.
   * A value that is no number is the operator's to fix (whoever set it: arexport never writes
   * one), so it is invalid input naming the table, the property and the value, never a bare
   * {@code NumberFormatException} (which the command line would report as a bug).
   */
  private static long longProperty(String table, Map<String, String> properties, String key,
      long fallback) {
    return property(table, properties, key, fallback, Long::parseLong);
  }

  private static int intProperty(String table, Map<String, String> properties, String key,
      int fallback) {
    return property(table, properties, key, fallback, Integer::parseInt);
  }

  private static <T extends Number> T property(String table, Map<String, String> properties,
      String key, T fallback, java.util.function.Function<String, T> parse) {
    String value = properties.get(key);
    T parsed;
    try {
      parsed = value == null ? fallback : parse.apply(value);
    } catch (NumberFormatException e) {
      throw badProperty(table, key, value, "is not a whole number");
    }
    // None of them has a meaning below zero; a negative orphan age would delete the files of a
    // write in flight.
    if (parsed.longValue() < 0) {
      throw badProperty(table, key, value, "is negative");
    }
    return parsed;
  }

  private static InvalidInputException badProperty(String table, String key, String value,
      String problem) {
    return new InvalidInputException("table " + table + ": property " + key + " " + problem
        + ": '" + value + "' (set a number of 0 or more, or remove the property for the default;"
        + " docs/iceberg.md)");
  }

  static boolean gcEnabled(Map<String, String> properties) {
    return PropertyUtil.propertyAsBoolean(properties, TableProperties.GC_ENABLED,
        TableProperties.GC_ENABLED_DEFAULT);
  }

  /**
   * Rewrites the current snapshot's small data manifests into manifests of the target size when
   * there are more than the table's {@link #SMALL_MANIFESTS_PROPERTY} of them.
   */
  private static int rewriteSmallManifests(String name, Transaction transaction,
      Map<String, String> props) {
    Table table = transaction.table();
    long target = longProperty(name, props, TableProperties.MANIFEST_TARGET_SIZE_BYTES,
        TableProperties.MANIFEST_TARGET_SIZE_BYTES_DEFAULT);
    int limit = intProperty(name, props, SMALL_MANIFESTS_PROPERTY, DEFAULT_MAX_SMALL_MANIFESTS);
    Predicate<ManifestFile> small =
        m -> m.content() == ManifestContent.DATA && m.length() < target;
    long count = table.currentSnapshot().allManifests(table.io()).stream().filter(small).count();
    if (count <= limit) {
      return 0;
    }
    // One cluster per spec: Iceberg lays the entries out again in manifests of the target size.
    transaction.rewriteManifests().clusterBy(file -> file.specId()).rewriteIf(small).commit();
    return (int) count;
  }

  /**
   * Deletes files under the table location that neither the metadata references nor the mode
   * holds live, once they are older than {@code olderThan}; hidden files (a name starting with
   * '.') are never touched. Returns {deleted, kept because young}.
   */
  private static int[] removeOrphans(Table table, Instant olderThan,
      Predicate<String> liveUnreferenced) {
    if (!(table.io() instanceof SupportsPrefixOperations listing)) {
      LOG.info("{}: its FileIO cannot list files, orphan files are not removed", table.name());
      return new int[] {0, 0};
    }
    Set<String> referenced = new HashSet<>();
    for (String location : referencedFiles(table)) {
      referenced.add(canonical(table.io(), location));
    }
    int deleted = 0;
    int young = 0;
    // With the slash: an object store lists by raw key prefix, so ".../tags" would also list
    // ".../tags_backup/", another table's files. Anything listed outside the table's directory
    // is skipped as well, whatever the FileIO.
    String root = Snapshots.withoutTrailingSlash(table.location());
    String inside = canonical(table.io(), root) + "/";
    for (FileInfo file : listing.listPrefix(root + "/")) {
      String location = file.location();
      String canonical = canonical(table.io(), location);
      if (!canonical.startsWith(inside)
          || referenced.contains(canonical)
          || liveUnreferenced.test(location)
          || isHidden(canonical.substring(inside.length()))) {
        continue;
      }
      if (file.createdAtMillis() >= olderThan.toEpochMilli()) {
        young++;
        continue;
      }
      LOG.info("{}: removing orphan file {}", table.name(), location);
      table.io().deleteFile(location);
      deleted++;
    }
    return new int[] {deleted, young};
  }

  /**
   * One spelling per file, so a location another engine recorded differently ({@code /a/b},
   * {@code file:/a/b}, {@code file:///a/b}) still counts as referenced: the local path where the
   * FileIO maps locations to local files, otherwise a local location as its normalized path
   * ({@link LocalLocation}).
   */
  static String canonical(FileIO io, String location) {
    if (io instanceof WarehouseFileIO local) {
      try {
        return local.localPath(location).toString();
      } catch (IllegalArgumentException e) {
        return location;
      }
    }
    return LocalLocation.path(location).map(Path::toString).orElse(location);
  }

  private static boolean isHidden(String relative) {
    for (String segment : relative.split("/")) {
      if (segment.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every file the table's metadata reaches: metadata files (current and logged), the version
   * hint, statistics files, every snapshot's manifest list, manifests and their data and delete
   * files.
   */
  static Set<String> referencedFiles(Table table) {
    Set<String> files = new HashSet<>(ReachableFileUtil.metadataFileLocations(table, false));
    files.add(ReachableFileUtil.versionHintLocation(table));
    files.addAll(ReachableFileUtil.statisticsFilesLocations(table));
    Set<String> manifests = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.manifestListLocation() != null) {
        files.add(snapshot.manifestListLocation());
      }
      for (ManifestFile manifest : snapshot.allManifests(table.io())) {
        if (manifests.add(manifest.path())) {
          addFilesOf(table, manifest, files);
        }
      }
    }
    files.addAll(manifests);
    return files;
  }

  private static void addFilesOf(Table table, ManifestFile manifest, Set<String> files) {
    try {
      if (manifest.content() == ManifestContent.DATA) {
        try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, table.io())) {
          paths.forEach(files::add);
        }
      } else {
        try (var deletes = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
          deletes.forEach(file -> files.add(file.location()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + manifest.path(), e);
    }
  }

  /** Deletes {@code files}, logging (not failing on) the ones that cannot be deleted. */
  static int delete(FileIO io, List<String> files) {
    int deleted = 0;
    for (String file : files) {
      try {
        io.deleteFile(file);
        deleted++;
      } catch (RuntimeException e) {
        LOG.warn("cannot delete {} (an orphan now; a later maintenance removes it): {}", file,
            e.getMessage());
      }
    }
    return deleted;
  }

  private static int sizeOf(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }
}
