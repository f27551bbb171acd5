package io.arexport.cli;

import java.util.regex.Pattern;

/** Quotes words for a POSIX shell, so printed commands can be pasted as they are. */
final class Shell {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  private Shell() {}

  static String quote(String word) {
    if (SAFE.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
