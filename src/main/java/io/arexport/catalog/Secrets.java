package io.arexport.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
  // Up to the last '@' of the URL: a password may itself hold '/' or '@' (when the operator did
  // not percent-encode it), and masking a little too much is better than printing part of one.
  private static final Pattern USERINFO = Pattern.compile("(?<=://)\\S*@");
  private static final String SECRET_PARAMETER =
      "(?:password|passwd|secret|token|key|credential|session|auth|signature)";
  // The value ends at the next parameter, or where the URL ends inside a message (whitespace, or
  // a comma before whitespace): a stack trace line goes on after the URL.
  private static final Pattern QUERY_SECRET = Pattern.compile(
      "(?i)(" + SECRET_PARAMETER + "[^=&;\\s]*=)(?:[^&;\\s,]|,(?!\\s|$))*");
  private static final Pattern SECRET_PARAMETER_NAME =
      Pattern.compile("(?i)" + SECRET_PARAMETER + ".*");

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

  /**
   * A URI exactly as the operator gave it (an option's or a config file's value), redacted as
   * {@link #redactUri} does and, first, without the secret parts read from the value itself, so
   * that a password the patterns cannot delimit (one with a space in it) is masked too. For a
   * message that merely contains a URI use {@link #redactUri} or {@link #scrub}.
   */
  public static String redactGiven(String uri) {
    return uri == null ? null : redactUri(withoutParts(uri, uri));
  }

  /**
   * {@code text} with the secret parts of {@code uri} replaced wherever they occur: its user-info
   * (and the password in it) and the values of its secret parameters, taken from the URI as given.
   * This catches what the patterns cannot tell from the surrounding text, e.g. a quoted password
   * with a space in it.
   */
  private static String withoutParts(String text, String uri) {
    List<String> parts = new ArrayList<>();
    int scheme = uri.indexOf("://");
    if (scheme >= 0) {
      int at = uri.lastIndexOf('@');
      if (at > scheme + 3) {
        String userInfo = uri.substring(scheme + 3, at);
        parts.add(userInfo);
        int colon = userInfo.indexOf(':');
        if (colon >= 0) {
          parts.add(userInfo.substring(colon + 1));
        }
      }
    }
    int query = indexOfAny(uri, '?', ';');
    if (query >= 0) {
      for (String parameter : uri.substring(query + 1).split("[&;]")) {
        int equals = parameter.indexOf('=');
        if (equals > 0 && SECRET_PARAMETER_NAME.matcher(parameter.substring(0, equals)).matches()) {
          parts.add(parameter.substring(equals + 1));
        }
      }
    }
    parts.sort(Comparator.comparingInt(String::length).reversed());
    String scrubbed = text;
    for (String part : parts) {
      if (part.length() >= 3) {
        scrubbed = scrubbed.replace(part, REDACTED);
      }
    }
    return scrubbed;
  }

  private static int indexOfAny(String text, char a, char b) {
    int first = text.indexOf(a);
    int second = text.indexOf(b);
    return first < 0 ? second : second < 0 ? first : Math.min(first, second);
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
        scrubbed = withoutParts(scrubbed.replace(uri, redactGiven(uri)), uri);
      }
    }
    return scrubbed;
  }
}
