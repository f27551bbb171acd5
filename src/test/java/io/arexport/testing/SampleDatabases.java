package io.arexport.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds a deterministic, gateway-like {@code core.db} and {@code bundles.db} pair for tests.
 *
 * <p>The data is synthetic but deliberately includes the awkward cases a real AR.IO gateway
 * index contains: heights without a block row, data items whose L1 transaction is missing,
 * nested bundles, empty anchors, 20-digit token amounts, non-UTF-8 and empty tags, tags whose
 * name/value hash has no dictionary row, wallets with odd key lengths or no row at all, and
 * unconfirmed {@code new_*} rows that an exporter must skip. Rare variants are emitted first
 * (see {@link Generator#pick}) so that they occur even in very small specs.
 *
 * <p>All randomness comes from one {@link SplittableRandom} seeded with {@link Spec#seed()} and
 * consumed in a fixed order, so the same spec always yields the same rows.
 */
public final class SampleDatabases {

  private SampleDatabases() {}

  /**
   * What to generate.
   *
   * @param seed             seed of the only random source
   * @param startHeight      first block height (inclusive)
   * @param endHeight        last block height (inclusive)
   * @param l1TxPerHeight    L1 transactions per height; every one is a bundle
   * @param dataItemsPerL1Tx data items per L1 transaction (nesting needs at least 2)
   * @param tagsPerItem      typical number of tags per data item (varies by +-1, some get 0)
   */
  public record Spec(long seed, long startHeight, long endHeight, int l1TxPerHeight,
      int dataItemsPerL1Tx, int tagsPerItem) {

    public Spec {
      if (startHeight < 0) {
        throw new IllegalArgumentException("startHeight must be >= 0: " + startHeight);
      }
      if (endHeight < startHeight) {
        throw new IllegalArgumentException(
            "endHeight " + endHeight + " is below startHeight " + startHeight);
      }
      // Caps only guard against typos that would fill the disk.
      if (endHeight - startHeight >= 50_000_000L) {
        throw new IllegalArgumentException("height range too large: " + startHeight + ".." + endHeight);
      }
      if (l1TxPerHeight < 1 || l1TxPerHeight > 10_000) {
        throw new IllegalArgumentException("l1TxPerHeight must be 1..10000: " + l1TxPerHeight);
      }
      if (dataItemsPerL1Tx < 1 || dataItemsPerL1Tx > 10_000) {
        throw new IllegalArgumentException("dataItemsPerL1Tx must be 1..10000: " + dataItemsPerL1Tx);
      }
      if (tagsPerItem < 0 || tagsPerItem > 1_000) {
        throw new IllegalArgumentException("tagsPerItem must be 0..1000: " + tagsPerItem);
      }
    }

    /** Heights 100..349, one bundle per height with 2 items of ~3 tags: fast enough for unit tests. */
    public static Spec small() {
      return new Spec(7, 100, 349, 1, 2, 3);
    }

    long heightCount() {
      return endHeight - startHeight + 1;
    }
  }

  /**
   * True row counts of what {@link #generate} wrote. {@code unconfirmedRows} sums all
   * {@code new_*} tables of both databases; the dangling counts are included in the tag counts.
   */
  public record Stats(long blocks, long l1Transactions, long dataItems, long l1Tags,
      long dataItemTags, long danglingL1Tags, long danglingDataItemTags, long unconfirmedRows) {

    /** One line of {@code key=value} pairs, as printed by {@link #main}. */
    public String toKeyValueLine() {
      return "blocks=" + blocks + " l1Transactions=" + l1Transactions + " dataItems=" + dataItems
          + " l1Tags=" + l1Tags + " dataItemTags=" + dataItemTags
          + " danglingL1Tags=" + danglingL1Tags + " danglingDataItemTags=" + danglingDataItemTags
          + " unconfirmedRows=" + unconfirmedRows;
    }
  }

  /**
   * Writes both databases, replacing existing files (including {@code -wal}, {@code -shm} and
   * {@code -journal} leftovers, which SQLite would otherwise replay into the new file).
   */
  public static Stats generate(Spec spec, Path coreDb, Path bundlesDb)
      throws IOException, SQLException {
    if (coreDb.toAbsolutePath().normalize().equals(bundlesDb.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("core and bundles database must differ: " + coreDb);
    }
    for (Path db : List.of(coreDb, bundlesDb)) {
      Path parent = db.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
        Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
      }
    }
    try (Connection core = openForLoading(coreDb, SampleSchema.CORE_TABLES);
        Connection bundles = openForLoading(bundlesDb, SampleSchema.BUNDLES_TABLES)) {
      Stats stats = new Generator(spec, core, bundles).run();
      finish(core, SampleSchema.CORE_INDEXES);
      finish(bundles, SampleSchema.BUNDLES_INDEXES);
      return stats;
    }
  }

  /** Command-line entry point; see {@link #run} for the arguments. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static final String USAGE = "usage: SampleDatabases --core-db PATH --bundles-db PATH"
      + " --start-height N --end-height N [--seed S] [--l1-tx-per-height N]"
      + " [--data-items-per-l1-tx N] [--tags-per-item N]";

  /** {@link #main} without {@code System.exit}, so tests can call it. Returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        out.println(USAGE);
        return 0;
      }
      if (!List.of("--core-db", "--bundles-db", "--start-height", "--end-height", "--seed",
          "--l1-tx-per-height", "--data-items-per-l1-tx", "--tags-per-item").contains(a)) {
        err.println("unknown argument: " + a);
        err.println(USAGE);
        return 2;
      }
      if (i + 1 >= args.length) {
        err.println("missing value for " + a);
        err.println(USAGE);
        return 2;
      }
      opts.put(a, args[++i]);
    }
    for (String required : List.of("--core-db", "--bundles-db", "--start-height", "--end-height")) {
      if (!opts.containsKey(required)) {
        err.println("missing required option " + required);
        err.println(USAGE);
        return 2;
      }
    }
    Spec spec;
    try {
      spec = new Spec(
          Long.parseLong(opts.getOrDefault("--seed", "42")),
          Long.parseLong(opts.get("--start-height")),
          Long.parseLong(opts.get("--end-height")),
          Integer.parseInt(opts.getOrDefault("--l1-tx-per-height", "2")),
          Integer.parseInt(opts.getOrDefault("--data-items-per-l1-tx", "3")),
          Integer.parseInt(opts.getOrDefault("--tags-per-item", "4")));
    } catch (IllegalArgumentException e) { // includes NumberFormatException
      err.println("invalid argument: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try {
      out.println(generate(spec, Path.of(opts.get("--core-db")), Path.of(opts.get("--bundles-db")))
          .toKeyValueLine());
      return 0;
    } catch (IOException | SQLException | IllegalArgumentException e) {
      err.println("generation failed: " + e);
      return 1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // SQLite plumbing

  private static Connection openForLoading(Path db, List<String> ddl) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
    try (Statement s = c.createStatement()) {
      // Loading settings: no journal and no fsync (a crash just means regenerating), big page
      // cache because the tag primary keys are inserted in random (hash) order.
      s.execute("PRAGMA journal_mode=OFF");
      s.execute("PRAGMA synchronous=OFF");
      s.execute("PRAGMA cache_size=-262144");
      s.execute("PRAGMA temp_store=MEMORY");
    }
    c.setAutoCommit(false); // everything below is one transaction
    try (Statement s = c.createStatement()) {
      for (String sql : ddl) {
        s.execute(sql);
      }
    }
    return c;
  }

  private static void finish(Connection c, List<String> indexes) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : indexes) {
        s.execute(sql);
      }
    }
    c.commit();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement();
        // WAL is persistent in the file header; a real gateway runs its databases in WAL mode.
        ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
      if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
        throw new SQLException("could not switch to WAL mode");
      }
    }
  }

  /** A prepared INSERT that flushes its batch every few thousand rows to bound memory. */
  private static final class Insert {
    private static final int FLUSH_EVERY = 4096;
    final PreparedStatement ps;
    private int pending;
    private int param;

    Insert(Connection c, String table, String... columns) throws SQLException {
      StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
      for (int i = 0; i < columns.length; i++) {
        sql.append(i == 0 ? "" : ", ").append('"').append(columns[i]).append('"');
      }
      sql.append(") VALUES (").append("?, ".repeat(columns.length - 1)).append("?)");
      ps = c.prepareStatement(sql.toString());
    }

    Insert bytes(byte[] v) throws SQLException {
      ps.setBytes(++param, v); // null binds NULL; a zero-length array binds an empty BLOB
      return this;
    }

    Insert text(String v) throws SQLException {
      ps.setString(++param, v);
      return this;
    }

    Insert num(long v) throws SQLException {
      ps.setLong(++param, v);
      return this;
    }

    Insert numOrNull(Long v) throws SQLException {
      if (v == null) {
        ps.setNull(++param, Types.INTEGER);
      } else {
        ps.setLong(++param, v);
      }
      return this;
    }

    void add() throws SQLException {
      ps.addBatch();
      param = 0;
      if (++pending >= FLUSH_EVERY) {
        flush();
      }
    }

    void flush() throws SQLException {
      if (pending > 0) {
        ps.executeBatch();
        pending = 0;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Generation

  private record Tag(byte[] name, byte[] value) {}

  private record TagHashes(byte[] name, byte[] value, boolean dangling) {}

  /** Wallet key kinds; the index order is the order in which {@link Generator#owners} starts. */
  private enum KeyKind {
    RSA_4096(512, 1), ED25519(32, 2), SECP256K1_UNCOMPRESSED(65, 3), NO_WALLET_ROW(0, 1),
    SECP256K1_COMPRESSED(33, 3);

    final int keyLength;
    final int signatureType;

    KeyKind(int keyLength, int signatureType) {
      this.keyLength = keyLength;
      this.signatureType = signatureType;
    }
  }

  private record Owner(byte[] address, byte[] publicKey, KeyKind kind) {
    int signatureSize() {
      return switch (kind.signatureType) {
        case 1 -> 512;
        case 2 -> 64;
        default -> 65;
      };
    }

    int ownerSize() {
      return kind == KeyKind.NO_WALLET_ROW ? 512 : kind.keyLength;
    }
  }

  /** One data item of the bundle being built; laid out before it is written. */
  private static final class Item {
    byte[] id;
    int parent = -1; // index of the parent item in the bundle, -1 = the L1 transaction
    Owner owner;
    byte[] anchor;
    byte[] target;
    byte[] signature;
    String contentType;
    String contentEncoding;
    List<Tag> tags;
    long ownDataSize;
    int children;
    long childBytes;
    long headerSize;
    long dataSize;
    long size;
    long offset; // relative to the parent's data (top level: the L1 transaction's data)
    long rootParentOffset; // absolute offset of the parent's data inside the L1 data
    long childCursor;
  }

  /** Per-database tag dictionary: writes each tag_names/tag_values row once. */
  private static final class TagDictionary {
    final Insert names;
    final Insert values;
    final Set<ByteBuffer> knownNames = new HashSet<>();
    final Set<ByteBuffer> knownValues = new HashSet<>();
    final MessageDigest sha1 = digest("SHA-1");

    TagDictionary(Connection c) throws SQLException {
      names = new Insert(c, "tag_names", "hash", "name");
      values = new Insert(c, "tag_values", "hash", "value");
    }

    byte[] name(byte[] name) throws SQLException {
      byte[] hash = sha1.digest(name);
      if (knownNames.add(ByteBuffer.wrap(hash))) {
        names.bytes(hash).bytes(name).add();
      }
      return hash;
    }

    byte[] value(byte[] value) throws SQLException {
      byte[] hash = sha1.digest(value);
      if (knownValues.add(ByteBuffer.wrap(hash))) {
        values.bytes(hash).bytes(value).add();
      }
      return hash;
    }

    void flush() throws SQLException {
      names.flush();
      values.flush();
    }
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // Tag names that are not valid UTF-8 (0xFF never occurs in UTF-8; C0 80 is an overlong NUL;
  // a lone 0x80 is a continuation byte without a lead byte).
  private static final byte[] BIN_NAME_1 = {(byte) 0xFF, (byte) 0xFE, 'X', '-', 'B', 'i', 'n'};
  private static final byte[] BIN_NAME_2 = {(byte) 0xC0, (byte) 0x80, 0x00, 0x01};
  private static final byte[] BIN_NAME_3 = {(byte) 0x80, 'x', '-', 't', 'a', 'g'};

  private static final String[] APP_NAMES = {
      "ArDrive-App", "ArDrive-Web", "ArDrive-CLI", "ArConnect", "Irys", "アーカイブ-App"};
  private static final String[] CONTENT_TYPES = {
      "application/json", "text/plain", "image/png", "image/jpeg", "text/html; charset=utf-8",
      "application/x.arweave-manifest+json"};
  private static final String[] TYPES = {"file", "folder", "manifest", "redstone-oracles", ""};
  private static final String[] ENTITY_TYPES = {"file", "folder", "drive"};
  private static final String[] TITLES = {
      "Fotografía %d", "写真 %d.jpg", "Ünïcödé ☃ %d", "🚀 launch %d", "plain title %d"};
  private static final String[] ITEM_CONTENT_TYPES = {
      "application/json", "image/png", "text/plain", "text/html", "application/octet-stream"};

  private static final class Generator {
    private final Spec spec;
    private final SplittableRandom rng;
    private final MessageDigest sha256 = digest("SHA-256");
    private final Owner[] owners;
    private final boolean[] ownerInCore;
    private final boolean[] ownerInBundles;

    private final TagDictionary coreTags;
    private final TagDictionary bundleTags;
    private final Insert blocks;
    private final Insert txs;
    private final Insert txTags;
    private final Insert items;
    private final Insert itemTags;
    private final Insert coreWallets;
    private final Insert bundleWallets;
    private final Connection core;
    private final Connection bundles;

    // Counters; also the "ordinals" that make rare variants appear first.
    private long blockRows;
    private long txRows;
    private long itemRows;
    private long txTagRows;
    private long itemTagRows;
    private long danglingTxTags;
    private long danglingItemTags;
    private long nestedItems;
    private long randomCoreTags;
    private long randomBundleTags;
    private long danglingSerial;

    Generator(Spec spec, Connection core, Connection bundles) throws SQLException {
      this.spec = spec;
      this.rng = new SplittableRandom(spec.seed());
      this.core = core;
      this.bundles = bundles;
      long expectedItems = spec.heightCount() * spec.l1TxPerHeight() * spec.dataItemsPerL1Tx();
      // Enough owners that each one appears a few times, not so many that wallets dominate.
      int ownerCount = (int) Math.max(40, Math.min(4096, expectedItems / 25));
      owners = new Owner[ownerCount];
      for (int i = 0; i < ownerCount; i++) {
        owners[i] = newOwner(i);
      }
      ownerInCore = new boolean[ownerCount];
      ownerInBundles = new boolean[ownerCount];

      coreTags = new TagDictionary(core);
      bundleTags = new TagDictionary(bundles);
      blocks = new Insert(core, "stable_blocks", "height", "indep_hash", "previous_block", "nonce",
          "hash", "block_timestamp", "diff", "cumulative_diff", "last_retarget", "reward_addr",
          "reward_pool", "block_size", "weave_size", "usd_to_ar_rate_dividend",
          "usd_to_ar_rate_divisor", "scheduled_usd_to_ar_rate_dividend",
          "scheduled_usd_to_ar_rate_divisor", "hash_list_merkle", "wallet_list", "tx_root",
          "tx_count", "missing_tx_count");
      txs = new Insert(core, "stable_transactions", "id", "height", "block_transaction_index",
          "signature", "format", "last_tx", "owner_address", "target", "quantity", "reward",
          "data_size", "data_root", "content_type", "tag_count", "offset", "content_encoding",
          "indexed_at");
      txTags = new Insert(core, "stable_transaction_tags", "tag_name_hash", "tag_value_hash",
          "height", "block_transaction_index", "transaction_tag_index", "transaction_id");
      items = new Insert(bundles, "stable_data_items", "id", "parent_id", "root_transaction_id",
          "height", "block_transaction_index", "signature", "anchor", "owner_address", "target",
          "data_offset", "data_size", "content_type", "tag_count", "indexed_at", "signature_type",
          "offset", "size", "owner_offset", "owner_size", "signature_offset", "signature_size",
          "content_encoding", "root_parent_offset");
      itemTags = new Insert(bundles, "stable_data_item_tags", "tag_name_hash", "tag_value_hash",
          "height", "block_transaction_index", "data_item_tag_index", "data_item_id", "parent_id",
          "root_transaction_id");
      coreWallets = new Insert(core, "wallets", "address", "public_modulus");
      bundleWallets = new Insert(bundles, "wallets", "address", "public_modulus");
    }

    Stats run() throws SQLException {
      long n = spec.heightCount();
      byte[] previousHash = spec.startHeight() == 0 ? null : bytes(48);
      long weaveSize = spec.startHeight() * 150_000_000L; // roughly where mainnet was at that height
      BigInteger cumulativeDiff = BigInteger.valueOf(spec.startHeight()).shiftLeft(200);
      for (long i = 0; i < n; i++) {
        long height = spec.startHeight() + i;
        // Fixed early heights guarantee both gap kinds exist even in a 3-height spec.
        boolean noBlockRow = (n > 1 && i == 1) || rng.nextInt(100) < 5;
        boolean noTxRows = (n > 2 && i == 2) || rng.nextInt(100) < 2;
        byte[] indepHash = bytes(48);
        long timestamp = 1_528_000_000L + height * 120 + rng.nextInt(100);

        long blockSize = 0;
        List<byte[]> txIds = new ArrayList<>();
        for (int bti = 0; bti < spec.l1TxPerHeight(); bti++) {
          byte[] txId = bytes(32);
          txIds.add(txId);
          long bundleSize = writeBundle(height, bti, txId, timestamp);
          if (!noTxRows) {
            writeTransaction(height, bti, txId, bundleSize, weaveSize + blockSize, timestamp);
          }
          blockSize += bundleSize;
        }
        weaveSize += blockSize;
        cumulativeDiff = cumulativeDiff.add(BigInteger.valueOf(rng.nextLong() >>> 8));
        if (!noBlockRow) {
          writeBlock(height, indepHash, previousHash, timestamp, cumulativeDiff, blockSize,
              weaveSize, noTxRows ? spec.l1TxPerHeight() : 0, txIds);
        }
        previousHash = indepHash; // the gap's hash still chains: the block exists on chain
      }
      long unconfirmed = writeUnconfirmed();
      writeWallets(ownerInCore, coreWallets);
      writeWallets(ownerInBundles, bundleWallets);
      for (Insert ins : List.of(blocks, txs, txTags, items, itemTags, coreWallets, bundleWallets)) {
        ins.flush();
      }
      coreTags.flush();
      bundleTags.flush();
      return new Stats(blockRows, txRows, itemRows, txTagRows, itemTagRows, danglingTxTags,
          danglingItemTags, unconfirmed);
    }

    // --- random helpers ---

    byte[] bytes(int length) {
      byte[] b = new byte[length];
      for (int i = 0; i < length; i += 8) {
        long r = rng.nextLong();
        for (int j = i; j < Math.min(length, i + 8); j++, r >>>= 8) {
          b[j] = (byte) r;
        }
      }
      return b;
    }

    /**
     * Weighted choice of a variant index. For the first {@code weights.length} ordinals it returns
     * the ordinal itself, so rare variants show up even when only a handful of rows are written.
     */
    int pick(long ordinal, int... weights) {
      return ordinal < weights.length ? (int) ordinal : weighted(weights);
    }

    /** Random variant index, variant {@code i} with probability {@code weights[i] / sum}. */
    int weighted(int... weights) {
      int total = 0;
      for (int w : weights) {
        total += w;
      }
      int r = rng.nextInt(total);
      for (int i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r < 0) {
          return i;
        }
      }
      throw new AssertionError();
    }

    String digits(int count) {
      StringBuilder sb = new StringBuilder(count);
      sb.append((char) ('1' + rng.nextInt(9)));
      for (int i = 1; i < count; i++) {
        sb.append((char) ('0' + rng.nextInt(10)));
      }
      return sb.toString();
    }

    <T> T oneOf(T[] options) {
      return options[rng.nextInt(options.length)];
    }

    Owner newOwner(int index) {
      KeyKind[] kinds = KeyKind.values();
      // First owners cover every kind; afterwards 5% each of the odd kinds, 80% RSA.
      KeyKind kind = index < kinds.length ? kinds[index] : switch (index % 20) {
        case 1 -> KeyKind.ED25519;
        case 2 -> KeyKind.SECP256K1_UNCOMPRESSED;
        case 3 -> KeyKind.NO_WALLET_ROW;
        case 4 -> KeyKind.SECP256K1_COMPRESSED;
        default -> KeyKind.RSA_4096;
      };
      if (kind == KeyKind.NO_WALLET_ROW) {
        return new Owner(bytes(32), null, kind);
      }
      byte[] key = bytes(kind.keyLength);
      switch (kind) {
        case RSA_4096 -> {
          key[0] |= (byte) 0x80; // a 4096-bit modulus has its top bit set ...
          key[key.length - 1] |= 1; // ... and is odd
        }
        case SECP256K1_UNCOMPRESSED -> key[0] = 0x04;
        case SECP256K1_COMPRESSED -> key[0] = (byte) (2 + (key[1] & 1));
        default -> { }
      }
      return new Owner(sha256.digest(key), key, kind); // Arweave address = SHA-256(owner key)
    }

    // --- tags ---

    /** Rare or edge-case tags written first in each database, then mixed in at random. */
    private List<Tag> showcase(long timestamp) {
      return List.of(
          new Tag(utf8("App-Name"), utf8("ArDrive-App")),
          new Tag(utf8("App-Name"), utf8("ArDrive-Web")),
          new Tag(utf8("Content-Type"), utf8("application/json")),
          new Tag(utf8("Type"), new byte[0]),
          new Tag(utf8("Unix-Time"), utf8(Long.toString(timestamp))),
          new Tag(utf8("Title"), utf8("Ünïcödé ☃ 写真 🚀")),
          new Tag(utf8("Nonce"), new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xFD, 0, (byte) 0x80}),
          new Tag(BIN_NAME_1, utf8("binary-name")),
          new Tag(BIN_NAME_2, new byte[] {(byte) 0xC3, 0x28}),
          new Tag(BIN_NAME_3, new byte[0]));
    }

    Tag randomTag(boolean forCore, long timestamp) {
      long ordinal = forCore ? randomCoreTags++ : randomBundleTags++;
      if (ordinal < 10) {
        return showcase(timestamp).get((int) ordinal);
      }
      int which = weighted(15, 15, 8, 12, 8, 6, 5, 5, 5, 4, 3, 1, 1, 1);
      return switch (which) {
        case 0 -> new Tag(utf8("App-Name"), utf8(oneOf(APP_NAMES)));
        case 1 -> new Tag(utf8("Content-Type"), utf8(oneOf(CONTENT_TYPES)));
        case 2 -> new Tag(utf8("Type"), utf8(oneOf(TYPES)));
        case 3 -> new Tag(utf8("Unix-Time"), utf8(Long.toString(timestamp - rng.nextInt(600))));
        case 4 -> new Tag(utf8("App-Version"),
            utf8(rng.nextInt(4) + "." + rng.nextInt(20) + "." + rng.nextInt(10)));
        case 5 -> new Tag(utf8("Title"), utf8(String.format(oneOf(TITLES), rng.nextInt(1000))));
        case 6 -> new Tag(utf8("Entity-Type"), utf8(oneOf(ENTITY_TYPES)));
        case 7 -> new Tag(utf8("Drive-Id"), utf8(uuidLike(rng.nextInt(50))));
        case 8 -> new Tag(utf8("File-Id"), utf8(uuidLike(rng.nextLong())));
        case 9 -> new Tag(utf8("Contract"),
            utf8(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32))));
        case 10 -> new Tag(utf8("Nonce"), invalidUtf8(8 + rng.nextInt(17)));
        case 11 -> new Tag(BIN_NAME_1, invalidUtf8(1 + rng.nextInt(40)));
        case 12 -> new Tag(BIN_NAME_2, utf8("v" + rng.nextInt(100)));
        default -> new Tag(BIN_NAME_3, utf8(oneOf(APP_NAMES)));
      };
    }

    byte[] invalidUtf8(int length) {
      byte[] b = bytes(length);
      b[0] = (byte) 0xFF; // never valid in UTF-8, whatever follows
      return b;
    }

    /** A UUID-shaped string derived from {@code n} (no java.util.UUID: it is not seedable). */
    String uuidLike(long n) {
      long a = spec.seed() * 0x9E3779B97F4A7C15L + n;
      long b = Long.rotateLeft(a * 0xBF58476D1CE4E5B9L, 31) ^ n;
      String hex = String.format("%016x%016x", a * 0x94D049BB133111EBL, b);
      return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
          + hex.substring(16, 20) + "-" + hex.substring(20, 32);
    }

    /**
     * Tag hashes for one row; about 1% reference a hash with no dictionary row (the gateway can
     * end up like that), with the fourth row of each database always dangling.
     */
    TagHashes tagHashes(Tag tag, TagDictionary dict, long rowOrdinal) throws SQLException {
      boolean dangling = rowOrdinal == 3 || rng.nextInt(100) == 0;
      if (!dangling) {
        return new TagHashes(dict.name(tag.name()), dict.value(tag.value()), false);
      }
      // SHA-1 of bytes that are never inserted into the dictionary.
      byte[] missing = dict.sha1.digest(utf8("arexport-sample/dangling/" + danglingSerial++));
      return rng.nextBoolean()
          ? new TagHashes(missing, dict.value(tag.value()), true)
          : new TagHashes(dict.name(tag.name()), missing, true);
    }

    // --- rows ---

    void writeBlock(long height, byte[] indepHash, byte[] previousHash, long timestamp,
        BigInteger cumulativeDiff, long blockSize, long weaveSize, int missingTxCount,
        List<byte[]> txIds) throws SQLException {
      Owner miner = owners[rng.nextInt(owners.length)];
      blocks.num(height).bytes(indepHash).bytes(previousHash).bytes(bytes(32)).bytes(bytes(32))
          .num(timestamp)
          .text("1157920" + digits(71)) // mainnet difficulties sit just below 2^256
          .text(cumulativeDiff.toString())
          .num(timestamp - (height % 10) * 120) // retarget every 10 blocks
          .bytes(miner.address())
          .text(digits(17 + rng.nextInt(3)))
          .num(blockSize)
          .num(weaveSize)
          .numOrNull(1L + rng.nextInt(60)).numOrNull(1L + rng.nextInt(10))
          .numOrNull(1L + rng.nextInt(60)).numOrNull(1L + rng.nextInt(10))
          .bytes(bytes(48)).bytes(bytes(48))
          .bytes(txIds.isEmpty() ? null : bytes(32))
          .num(txIds.size())
          .num(missingTxCount)
          .add();
      blockRows++;
    }

    void writeTransaction(long height, int bti, byte[] id, long dataSize, long weaveOffset,
        long timestamp) throws SQLException {
      long ordinal = txRows++;
      int ownerIndex = (int) (ordinal < owners.length ? ordinal : rng.nextInt(owners.length));
      ownerInCore[ownerIndex] = true;
      int format = pick(ordinal, 1, 12) == 0 ? 1 : 2;
      String quantity = switch (pick(ordinal, 2, 2, 2, 4, 20, 70)) {
        case 0 -> "99999999999999999999"; // the largest 20-digit amount
        case 1 -> "18446744073709551615"; // 2^64 - 1
        case 2 -> "9223372036854775808"; // 2^63
        case 3 -> digits(20);
        case 4 -> digits(1 + rng.nextInt(12));
        default -> "0";
      };
      String reward = switch (pick(ordinal, 5, 2, 2, 3, 88)) {
        case 0 -> "0";
        case 1 -> "18446744073709551615";
        case 2 -> "99999999999999999999";
        case 3 -> digits(20);
        default -> digits(6 + rng.nextInt(7));
      };
      List<Tag> tags = new ArrayList<>();
      if (pick(ordinal, 1, 19) == 1) { // ~5% untagged
        tags.add(new Tag(utf8("Bundle-Format"), utf8("binary")));
        tags.add(new Tag(utf8("Bundle-Version"), utf8("2.0.0")));
        for (int k = rng.nextInt(3); k > 0; k--) {
          tags.add(randomTag(true, timestamp));
        }
      }
      txs.bytes(id).num(height).num(bti)
          .bytes(rng.nextInt(10) < 4 ? null : bytes(512)) // optional, as for data items
          .num(format)
          .bytes(bytes(pick(ordinal, 1, 1) == 0 ? 32 : 48)) // last_tx: tx anchor or block hash
          .bytes(owners[ownerIndex].address())
          .bytes(pick(ordinal, 7, 3) == 0 ? null : bytes(32))
          .text(quantity)
          .text(reward)
          .num(dataSize)
          .bytes(format == 1 || pick(ordinal, 1, 15) == 0 ? null : bytes(32))
          .text(pick(ordinal, 1, 4) == 0 ? null : "application/octet-stream")
          .num(tags.size())
          .numOrNull(pick(ordinal, 1, 10) == 0 ? null : weaveOffset + dataSize)
          .text(rng.nextInt(50) == 0 ? "gzip" : null)
          .num(timestamp + 600 + rng.nextInt(86_400))
          .add();
      for (int k = 0; k < tags.size(); k++) {
        TagHashes h = tagHashes(tags.get(k), coreTags, txTagRows);
        txTags.bytes(h.name()).bytes(h.value()).num(height).num(bti).num(k).bytes(id).add();
        txTagRows++;
        danglingTxTags += h.dangling() ? 1 : 0;
      }
    }

    /** Generates and writes the data items of one L1 transaction; returns its data size. */
    long writeBundle(long height, int bti, byte[] rootId, long timestamp) throws SQLException {
      int n = spec.dataItemsPerL1Tx();
      Item[] bundle = new Item[n];
      for (int j = 0; j < n; j++) {
        Item it = new Item();
        bundle[j] = it;
        long ordinal = itemRows + j;
        it.id = bytes(32);
        // ~8% nested in an earlier item (the first chance is always taken).
        if (j > 0 && (nestedItems == 0 || rng.nextInt(100) < 8)) {
          it.parent = rng.nextInt(j);
          bundle[it.parent].children++;
          nestedItems++;
        }
        int ownerIndex = (int) (ordinal < owners.length ? ordinal : rng.nextInt(owners.length));
        ownerInBundles[ownerIndex] = true;
        it.owner = owners[ownerIndex];
        it.anchor = pick(ordinal, 15, 85) == 0 ? new byte[0] : bytes(32);
        it.target = pick(ordinal, 85, 15) == 0 ? null : bytes(32);
        // signature is nullable in the gateway schema (storing it is optional); most rows here
        // have none, which also keeps the committed sample small.
        it.signature = rng.nextInt(10) < 7 ? null : bytes(it.owner.signatureSize());
        it.contentType = pick(ordinal, 15, 85) == 0 ? null : oneOf(ITEM_CONTENT_TYPES);
        it.contentEncoding = rng.nextInt(40) == 0 ? "gzip" : null;
        int tagCount = spec.tagsPerItem() == 0 || pick(ordinal, 4, 96) == 0
            ? 0 : Math.max(0, spec.tagsPerItem() + rng.nextInt(3) - 1);
        it.tags = new ArrayList<>(tagCount);
        for (int k = 0; k < tagCount; k++) {
          // Occasionally repeat the previous tag: legal, the index is part of the key.
          it.tags.add(k > 0 && rng.nextInt(50) == 0
              ? it.tags.get(k - 1) : randomTag(false, timestamp));
        }
        it.ownDataSize = switch (pick(ordinal, 3, 60, 30, 7)) {
          case 0 -> 0;
          case 1 -> rng.nextInt(2048);
          case 2 -> 2048 + rng.nextInt(256 * 1024);
          default -> 256 * 1024 + rng.nextInt(10 * 1024 * 1024);
        };
      }
      // Sizes bottom-up (children always follow their parent), then offsets top-down.
      for (int j = n - 1; j >= 0; j--) {
        Item it = bundle[j];
        long tagBytes = 0;
        for (Tag t : it.tags) {
          tagBytes += t.name().length + t.value().length + 4;
        }
        it.headerSize = 2 + it.owner.signatureSize() + it.owner.ownerSize()
            + 1 + (it.target == null ? 0 : 32) + 1 + it.anchor.length + 16
            + (it.tags.isEmpty() ? 0 : tagBytes + 2);
        it.dataSize = it.children == 0 ? it.ownDataSize : 32 + 64L * it.children + it.childBytes;
        it.size = it.headerSize + it.dataSize;
        if (it.parent >= 0) {
          bundle[it.parent].childBytes += it.size;
        }
      }
      int topLevel = 0;
      for (Item it : bundle) {
        topLevel += it.parent < 0 ? 1 : 0;
      }
      long rootCursor = 32 + 64L * topLevel;
      for (Item it : bundle) {
        if (it.parent < 0) {
          it.offset = rootCursor;
          it.rootParentOffset = 0;
          rootCursor += it.size;
        } else {
          Item p = bundle[it.parent];
          it.offset = 32 + 64L * p.children + p.childCursor;
          p.childCursor += it.size;
          it.rootParentOffset = p.rootParentOffset + p.offset + p.headerSize;
        }
      }
      for (Item it : bundle) {
        itemRows++;
        byte[] parentId = it.parent < 0 ? rootId : bundle[it.parent].id;
        Owner o = it.owner;
        items.bytes(it.id).bytes(parentId).bytes(rootId).num(height).num(bti)
            .bytes(it.signature)
            .bytes(it.anchor)
            .bytes(o.address())
            .bytes(it.target)
            .num(it.offset + it.headerSize)
            .num(it.dataSize)
            .text(it.contentType)
            .num(it.tags.size())
            .num(timestamp + 300 + rng.nextInt(86_400))
            .num(o.kind().signatureType)
            .num(it.offset)
            .num(it.size)
            .num(it.offset + 2 + o.signatureSize())
            .num(o.ownerSize())
            .num(it.offset + 2)
            .num(o.signatureSize())
            .text(it.contentEncoding)
            .num(it.rootParentOffset)
            .add();
        for (int k = 0; k < it.tags.size(); k++) {
          TagHashes h = tagHashes(it.tags.get(k), bundleTags, itemTagRows);
          itemTags.bytes(h.name()).bytes(h.value()).num(height).num(bti).num(k).bytes(it.id)
              .bytes(parentId).bytes(rootId).add();
          itemTagRows++;
          danglingItemTags += h.dangling() ? 1 : 0;
        }
      }
      return rootCursor;
    }

    void writeWallets(boolean[] used, Insert wallets) throws SQLException {
      for (int i = 0; i < owners.length; i++) {
        if (used[i] && owners[i].kind() != KeyKind.NO_WALLET_ROW) {
          wallets.bytes(owners[i].address()).bytes(owners[i].publicKey()).add();
        }
      }
    }

    /**
     * A few rows in every new_* table, at heights inside the range and with NULL heights. They
     * model not-yet-flushed gateway state and must never be exported.
     */
    long writeUnconfirmed() throws SQLException {
      long rows = 0;
      long n = spec.heightCount();
      Insert newBlocks = new Insert(core, "new_blocks", "indep_hash", "height", "previous_block",
          "nonce", "hash", "block_timestamp", "diff", "cumulative_diff", "last_retarget",
          "reward_addr", "reward_pool", "block_size", "weave_size", "usd_to_ar_rate_dividend",
          "usd_to_ar_rate_divisor", "scheduled_usd_to_ar_rate_dividend",
          "scheduled_usd_to_ar_rate_divisor", "hash_list_merkle", "wallet_list", "tx_root",
          "tx_count", "missing_tx_count");
      for (int i = 0; i < 3; i++) {
        long height = spec.startHeight() + rng.nextLong(n);
        newBlocks.bytes(bytes(48)).num(height).bytes(bytes(48)).bytes(bytes(32)).bytes(bytes(32))
            .num(1_528_000_000L + height * 120).text("1157920" + digits(71)).text(digits(60))
            .num(1_528_000_000L + height * 120).bytes(owners[0].address()).text(digits(18))
            .num(1000).num(height * 150_000_000L).numOrNull(null).numOrNull(null)
            .numOrNull(null).numOrNull(null).bytes(bytes(48)).bytes(bytes(48)).bytes(bytes(32))
            .num(1).num(0).add();
        rows++;
      }
      newBlocks.flush();
      newBlocks.ps.close();

      Insert newTxs = new Insert(core, "new_transactions", "id", "signature", "format", "last_tx",
          "owner_address", "target", "quantity", "reward", "data_size", "data_root",
          "content_type", "tag_count", "indexed_at", "height", "content_encoding");
      Insert newTxTags = new Insert(core, "new_transaction_tags", "tag_name_hash",
          "tag_value_hash", "transaction_id", "transaction_tag_index", "height", "indexed_at");
      for (int i = 0; i < 4; i++) {
        byte[] id = bytes(32);
        Long height = i % 2 == 0 ? null : spec.startHeight() + rng.nextLong(n);
        long indexedAt = 1_528_000_000L + spec.endHeight() * 120 + 1000 + i;
        newTxs.bytes(id).bytes(bytes(512)).num(2).bytes(bytes(32)).bytes(owners[0].address())
            .bytes(null).text("0").text(digits(9)).num(100).bytes(bytes(32))
            .text("application/json").num(2).num(indexedAt).numOrNull(height).text(null).add();
        rows++;
        for (int k = 0; k < 2; k++) {
          Tag t = randomTag(true, indexedAt);
          newTxTags.bytes(coreTags.name(t.name())).bytes(coreTags.value(t.value())).bytes(id)
              .num(k).numOrNull(height).num(indexedAt).add();
          rows++;
        }
      }
      newTxs.flush();
      newTxTags.flush();
      newTxs.ps.close();
      newTxTags.ps.close();

      Insert newItems = new Insert(bundles, "new_data_items", "id", "parent_id",
          "root_transaction_id", "height", "signature", "anchor", "owner_address", "target",
          "data_offset", "data_size", "content_type", "tag_count", "indexed_at", "signature_type",
          "offset", "size", "owner_offset", "owner_size", "signature_offset", "signature_size",
          "content_encoding", "root_parent_offset");
      Insert newItemTags = new Insert(bundles, "new_data_item_tags", "tag_name_hash",
          "tag_value_hash", "root_transaction_id", "data_item_id", "data_item_tag_index", "height",
          "indexed_at");
      byte[] root = bytes(32);
      for (int i = 0; i < 4; i++) {
        byte[] id = bytes(32);
        boolean unknownRoot = i == 0; // optimistic index: bundle root not known yet
        Long height = i % 2 == 0 ? null : spec.startHeight() + rng.nextLong(n);
        long indexedAt = 1_528_000_000L + spec.endHeight() * 120 + 2000 + i;
        newItems.bytes(id).bytes(unknownRoot ? null : root).bytes(unknownRoot ? null : root)
            .numOrNull(height).bytes(bytes(512)).bytes(i == 1 ? new byte[0] : bytes(32))
            .bytes(owners[0].address()).bytes(null).numOrNull(unknownRoot ? null : 1100L)
            .num(64).text("text/plain").num(2).num(indexedAt).num(1).numOrNull(100L + i * 1200)
            .numOrNull(1100L).numOrNull(614L).numOrNull(512L).numOrNull(102L).numOrNull(512L)
            .text(null).numOrNull(0L).add();
        rows++;
        for (int k = 0; k < 2; k++) {
          Tag t = randomTag(false, indexedAt);
          newItemTags.bytes(bundleTags.name(t.name())).bytes(bundleTags.value(t.value()))
              .bytes(unknownRoot ? null : root).bytes(id).num(k).numOrNull(height).num(indexedAt)
              .add();
          rows++;
        }
      }
      newItems.flush();
      newItemTags.flush();
      newItems.ps.close();
      newItemTags.ps.close();
      return rows;
    }
  }
}
