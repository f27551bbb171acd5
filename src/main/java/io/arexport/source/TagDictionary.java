package io.arexport.source;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the hashes of one of the gateway's tag dictionaries ({@code tag_names} or {@code
 * tag_values} of one database) to their bytes, a batch of rows at a time, through a bounded cache.
 *
 * <p>Why: joining the dictionary in the tag query costs two random B-tree searches per tag row
 * (index, then table), most of them page reads, and it was the largest single cost of reading
 * tags. Names and many values repeat on row after row (content types, app names, versions), so
 * they are answered from the cache; the hashes a batch still lacks are looked up together, one
 * {@code IN} query per {@link #LOOKUP_CHUNK} of them. A hash is the hash of its bytes, so an entry
 * never goes stale; a hash without a row is not cached, since the gateway may add the row later and
 * the next snapshot must see it.
 *
 * <p>The lookups run on a connection of their own, so that they overlap the stepping of the tag
 * query on the rows' connection ({@link TagCursor}), and so in a snapshot of their own. That
 * resolves every tag exactly as the rows' snapshot would, because the dictionaries are
 * content-addressed and the gateway only ever adds to them (in the same transaction as the tags
 * that use a new entry; its cleanup and prune statements delete data items and tags, never
 * dictionary rows), and because the dictionaries' snapshot is never older than the rows': it
 * starts at the first lookup, after the tag query has returned rows, and ends with the partition
 * ({@link PartitionReader#endSnapshot}). A newer snapshot can only resolve, in addition, a hash
 * that dangles in the rows' snapshot and gained its row since.
 *
 * <p>Memory: the cache holds at most {@code budgetBytes} of hashes and bytes (least recently used
 * out first), and bytes longer than {@link #MAX_CACHED_BYTES} are never cached.
 */
final class TagDictionary implements AutoCloseable {
  /** Hashes per lookup query (padded by repeating one, so a single statement is prepared). */
  static final int LOOKUP_CHUNK = 64;
  /** Longer values are looked up each time: they rarely repeat and would crowd the cache out. */
  static final int MAX_CACHED_BYTES = 512;
  /** Bytes an entry costs beyond its key and value (map entry, key record, two array headers). */
  private static final int ENTRY_OVERHEAD = 96;

  private final SqliteSource source;
  private final String table;
  private final String column;
  private final long budgetBytes;
  private long cachedBytes;
  private final LinkedHashMap<HashKey, byte[]> cache = new LinkedHashMap<>(1024, 0.75f, true);
  private PreparedStatement chunkLookup;
  private PreparedStatement singleLookup;

  /**
   * @param table {@code tag_names} or {@code tag_values}
   * @param column its bytes column ({@code name} or {@code value})
   */
  TagDictionary(SqliteSource source, String table, String column, long budgetBytes) {
    this.source = source;
    this.table = table;
    this.column = column;
    this.budgetBytes = budgetBytes;
  }

  /**
   * Resolves {@code hashes[0..count)} into {@code resolved}: the dictionary's bytes for each, or
   * null when it has no row for the hash (a dangling tag) or the hash is null. A hash is the tag
   * row's value as SQLite returned it; one that is not a BLOB (hostile input) is looked up as it
   * is, uncached, so it matches exactly what a join {@code d.hash = tag_hash} would match.
   */
  void resolve(Object[] hashes, int count, byte[][] resolved) {
    Map<HashKey, byte[]> missing = null;
    for (int i = 0; i < count; i++) {
      Object hash = hashes[i];
      byte[] bytes = null;
      if (hash instanceof byte[] key) {
        HashKey k = new HashKey(key);
        bytes = cache.get(k);
        if (bytes == null) {
          if (missing == null) {
            missing = new HashMap<>();
          }
          missing.put(k, null);
        }
      } else if (hash != null) {
        bytes = lookupOne(hash);
      }
      resolved[i] = bytes;
    }
    if (missing == null) {
      return;
    }
    lookup(missing);
    for (int i = 0; i < count; i++) {
      if (resolved[i] == null && hashes[i] instanceof byte[] key) {
        resolved[i] = missing.get(new HashKey(key));
      }
    }
  }

  /** Fills in the bytes of every key of {@code missing} that has a row, and caches them. */
  private void lookup(Map<HashKey, byte[]> missing) {
    List<HashKey> keys = new ArrayList<>(missing.keySet());
    try {
      if (chunkLookup == null) {
        StringBuilder sql = new StringBuilder("SELECT hash, ").append(column).append(" FROM ")
            .append(table).append(" WHERE hash IN (?");
        sql.append(",?".repeat(LOOKUP_CHUNK - 1)).append(')');
        chunkLookup = source.prepare(sql.toString());
      }
      for (int from = 0; from < keys.size(); from += LOOKUP_CHUNK) {
        int to = Math.min(keys.size(), from + LOOKUP_CHUNK);
        for (int p = 0; p < LOOKUP_CHUNK; p++) {
          chunkLookup.setBytes(p + 1, keys.get(Math.min(from + p, to - 1)).bytes());
        }
        try (ResultSet rows = chunkLookup.executeQuery()) {
          while (rows.next()) {
            byte[] hash = rows.getBytes(1);
            byte[] bytes = rows.getBytes(2);
            HashKey key = new HashKey(hash);
            // A BLOB hash column compares bytes exactly, so each row answers the key it equals.
            if (bytes != null && missing.containsKey(key)) {
              missing.put(key, bytes);
              remember(key, bytes);
            }
          }
        }
      }
    } catch (SQLException e) {
      throw source.failure(table + " lookup failed", e);
    }
  }

  private void remember(HashKey key, byte[] bytes) {
    if (bytes.length > MAX_CACHED_BYTES) {
      return;
    }
    if (cache.put(key, bytes) == null) {
      cachedBytes += key.bytes().length + bytes.length + ENTRY_OVERHEAD;
    }
    var eldest = cache.entrySet().iterator();
    while (cachedBytes > budgetBytes && eldest.hasNext()) {
      Map.Entry<HashKey, byte[]> entry = eldest.next();
      cachedBytes -= entry.getKey().bytes().length + entry.getValue().length + ENTRY_OVERHEAD;
      eldest.remove();
    }
  }

  private byte[] lookupOne(Object hash) {
    try {
      if (singleLookup == null) {
        singleLookup = source.prepare(
            "SELECT " + column + " FROM " + table + " WHERE hash = ?");
      }
      singleLookup.setObject(1, hash);
      try (ResultSet row = singleLookup.executeQuery()) {
        return row.next() ? row.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw source.failure(table + " lookup failed", e);
    }
  }

  /**
   * A dictionary hash as a map key. The gateway's hashes are digests, whose leading bytes are
   * already uniformly spread, so the map's hash is read from them instead of a pass over every
   * byte (hashing each tag row's two hashes was the cache's main cost); keys that are not digests
   * (hostile input) only collide more, they are still compared in full.
   */
  private record HashKey(byte[] bytes) {
    @Override
    public int hashCode() {
      byte[] b = bytes;
      if (b.length < 8) {
        return Arrays.hashCode(b);
      }
      int h = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
      int l = (b[4] & 0xFF) << 24 | (b[5] & 0xFF) << 16 | (b[6] & 0xFF) << 8 | (b[7] & 0xFF);
      return h ^ l * 31 ^ b.length;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof HashKey key && Arrays.equals(bytes, key.bytes);
    }
  }

  /** Entries cached now (for tests). */
  int cachedEntries() {
    return cache.size();
  }

  /**
   * Called before the connection's snapshot ends: the prepared lookups are closed so that no
   * statement keeps the read transaction open. The cache stays (entries never go stale).
   */
  void endSnapshot() {
    close();
  }

  @Override
  public void close() {
    for (PreparedStatement statement : new PreparedStatement[] {chunkLookup, singleLookup}) {
      if (statement != null) {
        try {
          statement.close();
        } catch (SQLException e) {
          // Read-only statement: nothing to lose.
        }
      }
    }
    chunkLookup = null;
    singleLookup = null;
  }
}
