package io.arexport.catalog;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of everything arexport prints (logs, summaries, errors, the resume command):
 * the values of catalog properties whose key names a credential, and the user-info of URIs.
 */
public final class Secrets {
  /** What printed values are replaced with. */
  public static final String REDACTED = "****";

  // token, credential, secret-access-key, session-token, password, jdbc.password, *.key,
  // access-key-id (an access key id identifies the account: not shown either), the assume-role
  // external id (AWS calls it no secret; operators often treat it as one).
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(token|credential|secret|password|passwd|key|auth|signature|sas|external-id).*");
  private static final Pattern USERINFO = Pattern.compile("(?<=://)[^/@\\s]+@");
  // The value ends at the next parameter, or where the URL ends inside a message (whitespace, or
  // a comma before whitespace): a stack trace line goes on after the URL.
  private static final Pattern QUERY_SECRET = Pattern.compile(
      "(?i)((?:password|passwd|secret|token|key|credential)[^=&;\\s]*=)(?:[^&;\\s,]|,(?!\\s|$))*");

  private Secrets() {}

  /** True when the value of catalog property {@code key} must not be printed. */
  static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }

  /** {@code value}, or {@link #REDACTED} when {@code key} names a secret. */
  public static String value(String key, String value) {
    return isSecretKey(key) ? REDACTED : redactUri(value);
  }

  /** Properties as printable, sorted {@code key=value} with secret values redacted. */
  public static Map<String, String> printable(Map<String, String> properties) {
    Map<String, String> shown = new TreeMap<>();
    properties.forEach((key, value) -> shown.put(key, value(key, value)));
    return shown;
  }

  /**
   * A URI (or JDBC URL) with its user-info ({@code user:password@}) and secret query parameters
   * ({@code password=...}) replaced; anything else unchanged. Null stays null.
   */
  public static String redactUri(String uri) {
    if (uri == null) {
      return null;
    }
    String redacted = USERINFO.matcher(uri).replaceAll(REDACTED + "@");
    return QUERY_SECRET.matcher(redacted).replaceAll("$1" + REDACTED);
  }

  /** Replaces every occurrence of each secret value in {@code text} (e.g. an exception message). */
  public static String scrub(String text, Map<String, String> properties, String... uris) {
    if (text == null) {
      return null;
    }
    String scrubbed = text;
    for (Map.Entry<String, String> property : properties.entrySet()) {
      String value = property.getValue();
      if (isSecretKey(property.getKey()) && value != null && value.length() >= 3) {
        scrubbed = scrubbed.replace(value, REDACTED);
      }
    }
    for (String uri : uris) {
      if (uri != null) {
        scrubbed = scrubbed.replace(uri, redactUri(uri));
        try {
          String userInfo = URI.create(uri.startsWith("jdbc:") ? uri.substring(5) : uri)
              .getRawUserInfo();
          if (userInfo != null && userInfo.length() >= 3) {
            scrubbed = scrubbed.replace(userInfo, REDACTED);
          }
        } catch (IllegalArgumentException e) {
          // Not a parsable URI: the textual replacement above is all there is.
        }
      }
    }
    return scrubbed;
  }
}
