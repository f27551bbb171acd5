package io.arexport.warehouse;

import io.arexport.StateConflictException;

/**
 * The warehouse lock is held by another process. A state conflict (exit 3) like any other, but
 * one that ends by itself, so {@code sync --watch} waits for it instead of exiting.
 */
public final class WarehouseLockedException extends StateConflictException {
  private static final long serialVersionUID = 1L;

  public WarehouseLockedException(String message) {
    super(message);
  }
}
