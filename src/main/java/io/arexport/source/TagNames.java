package io.arexport.source;

import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves tag name hashes of one database to names through a bounded cache. A gateway has a few
 * hundred distinct tag names that repeat on every tag row, so this replaces two B-tree searches
 * per row (index, then table) with a hash-map lookup; the cache is looked up in SQLite on a miss,
 * within the connection's current read snapshot. A hash maps to one name for good (the hash is
 * of the name), so an entry never goes stale; a hash without a row is not cached, since the
 * gateway may add the row later and the next snapshot must see it.
 */
final class TagNames implements AutoCloseable {
  /** Entries kept; the least recently used goes first beyond this. */
  static final int CAPACITY = 4096;

  private final SqliteSource source;
  private final Map<ByteBuffer, byte[]> names = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
      return size() > CAPACITY;
    }
  };
  private PreparedStatement lookup;

  TagNames(SqliteSource source) {
    this.source = source;
  }

  /**
   * The name with this hash, or null when tag_names has no such row (a dangling tag). The hash is
   * the tag row's value as SQLite returned it; a hash that is not a BLOB (hostile input) is looked
   * up as it is, uncached, so it matches exactly what the join {@code tn.hash = tag_name_hash}
   * would match.
   */
  byte[] name(Object hash) {
    if (!(hash instanceof byte[] bytes)) {
      return lookup(hash);
    }
    ByteBuffer key = ByteBuffer.wrap(bytes);
    byte[] name = names.get(key);
    if (name != null) {
      return name;
    }
    name = lookup(bytes);
    if (name != null) {
      names.put(key, name);
    }
    return name;
  }

  private byte[] lookup(Object hash) {
    try {
      if (lookup == null) {
        lookup = source.prepare("SELECT name FROM tag_names WHERE hash = ?");
      }
      lookup.setObject(1, hash);
      try (ResultSet row = lookup.executeQuery()) {
        return row.next() ? row.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw source.failure("tag name lookup failed", e);
    }
  }

  /**
   * Called before the connection's snapshot ends: the prepared lookup is closed so that no
   * statement keeps the read transaction open.
   */
  void endSnapshot() {
    close();
  }

  @Override
  public void close() {
    if (lookup != null) {
      try {
        lookup.close();
      } catch (SQLException e) {
        // Read-only statement: nothing to lose.
      }
      lookup = null;
    }
  }
}
