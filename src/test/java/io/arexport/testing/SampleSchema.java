package io.arexport.testing;

import java.util.List;

/**
 * DDL for the sample gateway databases written by {@link SampleDatabases}.
 *
 * <p>Only the tables the exporter reads (plus the unconfirmed {@code new_*} tables it must
 * ignore) are created. Column names, column order, declared types and key constraints follow
 * the AR.IO gateway schema, because the exporter's type mapping and the tests' SQL depend on
 * them; secondary indexes are limited to the ones the exporter's range scans use.
 */
final class SampleSchema {

  private SampleSchema() {}

  /** Tables of core.db (L1 blocks, transactions and their tags). */
  static final List<String> CORE_TABLES = List.of(
      """
      CREATE TABLE wallets (
        address        BLOB PRIMARY KEY,
        public_modulus BLOB
      )""",
      """
      CREATE TABLE tag_names (
        hash BLOB PRIMARY KEY,
        name BLOB NOT NULL
      )""",
      """
      CREATE TABLE tag_values (
        hash  BLOB PRIMARY KEY,
        value BLOB NOT NULL
      )""",
      """
      CREATE TABLE stable_blocks (
        height                            INTEGER PRIMARY KEY,
        indep_hash                        BLOB UNIQUE,
        previous_block                    BLOB,
        nonce                             BLOB NOT NULL,
        hash                              BLOB NOT NULL,
        block_timestamp                   INTEGER NOT NULL,
        diff                              TEXT NOT NULL,
        cumulative_diff                   TEXT,
        last_retarget                     INTEGER NOT NULL,
        reward_addr                       BLOB,
        reward_pool                       TEXT NOT NULL,
        block_size                        INTEGER NOT NULL,
        weave_size                        INTEGER NOT NULL,
        usd_to_ar_rate_dividend           INTEGER,
        usd_to_ar_rate_divisor            INTEGER,
        scheduled_usd_to_ar_rate_dividend INTEGER,
        scheduled_usd_to_ar_rate_divisor  INTEGER,
        hash_list_merkle                  BLOB,
        wallet_list                       BLOB,
        tx_root                           BLOB,
        tx_count                          INTEGER NOT NULL,
        missing_tx_count                  INTEGER NOT NULL
      )""",
      """
      CREATE TABLE stable_transactions (
        id                      BLOB PRIMARY KEY,
        height                  INTEGER NOT NULL,
        block_transaction_index INTEGER NOT NULL,
        signature               BLOB,
        format                  INTEGER NOT NULL,
        last_tx                 BLOB NOT NULL,
        owner_address           BLOB NOT NULL,
        target                  BLOB,
        quantity                TEXT NOT NULL,
        reward                  TEXT NOT NULL,
        data_size               INTEGER,
        data_root               BLOB,
        content_type            TEXT,
        tag_count               INTEGER NOT NULL,
        "offset"                INTEGER,
        content_encoding        TEXT,
        indexed_at              INTEGER
      )""",
      """
      CREATE TABLE stable_transaction_tags (
        tag_name_hash           BLOB NOT NULL,
        tag_value_hash          BLOB NOT NULL,
        height                  INTEGER NOT NULL,
        block_transaction_index INTEGER NOT NULL,
        transaction_tag_index   INTEGER NOT NULL,
        transaction_id          BLOB NOT NULL,
        PRIMARY KEY (tag_name_hash, tag_value_hash, height, block_transaction_index,
                     transaction_tag_index)
      )""",
      """
      CREATE TABLE new_blocks (
        indep_hash                        BLOB PRIMARY KEY,
        height                            INTEGER NOT NULL,
        previous_block                    BLOB,
        nonce                             BLOB NOT NULL,
        hash                              BLOB NOT NULL,
        block_timestamp                   INTEGER NOT NULL,
        diff                              TEXT NOT NULL,
        cumulative_diff                   TEXT,
        last_retarget                     INTEGER NOT NULL,
        reward_addr                       BLOB,
        reward_pool                       TEXT NOT NULL,
        block_size                        INTEGER NOT NULL,
        weave_size                        INTEGER NOT NULL,
        usd_to_ar_rate_dividend           INTEGER,
        usd_to_ar_rate_divisor            INTEGER,
        scheduled_usd_to_ar_rate_dividend INTEGER,
        scheduled_usd_to_ar_rate_divisor  INTEGER,
        hash_list_merkle                  BLOB,
        wallet_list                       BLOB,
        tx_root                           BLOB,
        tx_count                          INTEGER NOT NULL,
        missing_tx_count                  INTEGER NOT NULL
      )""",
      """
      CREATE TABLE new_transactions (
        id               BLOB PRIMARY KEY,
        signature        BLOB,
        format           INTEGER NOT NULL,
        last_tx          BLOB NOT NULL,
        owner_address    BLOB NOT NULL,
        target           BLOB,
        quantity         TEXT NOT NULL,
        reward           TEXT NOT NULL,
        data_size        INTEGER,
        data_root        BLOB,
        content_type     TEXT,
        tag_count        INTEGER NOT NULL,
        indexed_at       INTEGER NOT NULL,
        height           INTEGER,
        content_encoding TEXT
      )""",
      """
      CREATE TABLE new_transaction_tags (
        tag_name_hash         BLOB NOT NULL,
        tag_value_hash        BLOB NOT NULL,
        transaction_id        BLOB NOT NULL,
        transaction_tag_index INTEGER NOT NULL,
        height                INTEGER,
        indexed_at            INTEGER,
        PRIMARY KEY (tag_name_hash, tag_value_hash, transaction_id, transaction_tag_index)
      )""");

  /** Created after loading (faster than maintaining them row by row). */
  static final List<String> CORE_INDEXES = List.of(
      "CREATE INDEX stable_transactions_id_height_block_transaction_index_idx"
          + " ON stable_transactions (height, block_transaction_index)",
      "CREATE INDEX stable_transaction_tags_transaction_id_idx"
          + " ON stable_transaction_tags (transaction_id)");

  /** Tables of bundles.db (ANS-104 data items and their tags). */
  static final List<String> BUNDLES_TABLES = List.of(
      """
      CREATE TABLE wallets (
        address        BLOB PRIMARY KEY,
        public_modulus BLOB
      )""",
      """
      CREATE TABLE tag_names (
        hash BLOB PRIMARY KEY,
        name BLOB NOT NULL
      )""",
      """
      CREATE TABLE tag_values (
        hash  BLOB PRIMARY KEY,
        value BLOB NOT NULL
      )""",
      """
      CREATE TABLE stable_data_items (
        id                      BLOB NOT NULL,
        parent_id               BLOB NOT NULL,
        root_transaction_id     BLOB NOT NULL,
        height                  INTEGER NOT NULL,
        block_transaction_index INTEGER NOT NULL,
        signature               BLOB,
        anchor                  BLOB NOT NULL,
        owner_address           BLOB NOT NULL,
        target                  BLOB,
        data_offset             INTEGER NOT NULL,
        data_size               INTEGER NOT NULL,
        content_type            TEXT,
        tag_count               INTEGER NOT NULL,
        indexed_at              INTEGER NOT NULL,
        signature_type          INTEGER,
        "offset"                INTEGER,
        size                    INTEGER,
        owner_offset            INTEGER,
        owner_size              INTEGER,
        signature_offset        INTEGER,
        signature_size          INTEGER,
        content_encoding        TEXT,
        root_parent_offset      INTEGER,
        PRIMARY KEY (id)
      )""",
      """
      CREATE TABLE stable_data_item_tags (
        tag_name_hash           BLOB NOT NULL,
        tag_value_hash          BLOB NOT NULL,
        height                  INTEGER NOT NULL,
        block_transaction_index INTEGER NOT NULL,
        data_item_tag_index     INTEGER NOT NULL,
        data_item_id            BLOB NOT NULL,
        parent_id               BLOB NOT NULL,
        root_transaction_id     BLOB NOT NULL,
        PRIMARY KEY (tag_name_hash, tag_value_hash, height, block_transaction_index,
                     data_item_id, data_item_tag_index)
      )""",
      """
      CREATE TABLE new_data_items (
        id                  BLOB NOT NULL,
        parent_id           BLOB,
        root_transaction_id BLOB,
        height              INTEGER,
        signature           BLOB,
        anchor              BLOB NOT NULL,
        owner_address       BLOB NOT NULL,
        target              BLOB,
        data_offset         INTEGER,
        data_size           INTEGER NOT NULL,
        content_type        TEXT,
        tag_count           INTEGER NOT NULL,
        indexed_at          INTEGER NOT NULL,
        signature_type      INTEGER,
        "offset"            INTEGER,
        size                INTEGER,
        owner_offset        INTEGER,
        owner_size          INTEGER,
        signature_offset    INTEGER,
        signature_size      INTEGER,
        content_encoding    TEXT,
        root_parent_offset  INTEGER,
        PRIMARY KEY (id)
      )""",
      """
      CREATE TABLE new_data_item_tags (
        tag_name_hash       BLOB NOT NULL,
        tag_value_hash      BLOB NOT NULL,
        root_transaction_id BLOB,
        data_item_id        BLOB NOT NULL,
        data_item_tag_index INTEGER NOT NULL,
        height              INTEGER,
        indexed_at          INTEGER NOT NULL,
        PRIMARY KEY (tag_name_hash, tag_value_hash, root_transaction_id, data_item_id,
                     data_item_tag_index)
      )""");

  /** Created after loading (faster than maintaining them row by row). */
  static final List<String> BUNDLES_INDEXES = List.of(
      "CREATE INDEX stable_data_items_height_block_transaction_index_id_idx"
          + " ON stable_data_items (height, block_transaction_index, id)",
      "CREATE INDEX stable_data_item_tags_data_item_id_idx"
          + " ON stable_data_item_tags (data_item_id)");
}
