package io.arexport.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which catalog property values are never printed ({@link Secrets#isSecretKey}). */
class SecretsTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"token", "credential", "s3.secret-access-key", "s3.Secret-Access-Key",
      "s3.access-key-id", "s3.session-token", "jdbc.password", "jdbc.PASSWORD", "jdbc.passwd",
      "gcs.oauth2.token", "adls.sas-token.account", "oauth2.client-secret",
      "rest.sigv4.credentials", "header.Authorization", "s3.sse.key",
      "client.assume-role.external-id"})
  void aCredentialsValueIsNeverPrinted(String key) {
    assertThat(Secrets.isSecretKey(key)).isTrue();
    assertThat(Secrets.value(key, "value-1")).isEqualTo(Secrets.REDACTED);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"s3.endpoint", "s3.path-style-access", "jdbc.user", "io-impl",
      "client.region", "client.assume-role.arn"})
  void otherValuesArePrinted(String key) {
    assertThat(Secrets.isSecretKey(key)).isFalse();
    assertThat(Secrets.value(key, "value-1")).isEqualTo("value-1");
  }

  @Test
  void aUrlsSecretParametersAreRedactedAndTheRestOfTheLineKept() {
    assertThat(Secrets.redactUri("jdbc:postgresql://db/ice?user=a&password=pw,1&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/ice?user=a&password=****&ssl=true");
    assertThat(Secrets.redactUri("jdbc:sqlserver://db:1;user=a;password=pw;encrypt=true"))
        .isEqualTo("jdbc:sqlserver://db:1;user=a;password=****;encrypt=true");
    // A stack trace line: the message goes on after the URL, and names it twice.
    assertThat(Secrets.redactUri("RuntimeFailureException: cannot open jdbc catalog ar_io at"
        + " jdbc:postgresql://db/ice?user=a&password=pw, namespace default: Failed to connect to"
        + " jdbc:postgresql://a:pw@db/ice?password=pw"))
        .isEqualTo("RuntimeFailureException: cannot open jdbc catalog ar_io at"
            + " jdbc:postgresql://db/ice?user=a&password=****, namespace default: Failed to"
            + " connect to jdbc:postgresql://****@db/ice?password=****");
  }

  /** Passwords an operator did not percent-encode, as a shell passes them (review of 2026-12-07). */
  @Test
  void noPartOfAnUnencodedPasswordIsPrinted() {
    for (String uri : new String[] {"https://u:SEC/RETQ9@127.0.0.1:1/api",
        "https://u:SEC@RETQ8@127.0.0.1:1/api"}) {
      assertThat(Secrets.redactUri(uri)).isEqualTo("https://****@127.0.0.1:1/api");
      assertThat(Secrets.redactGiven(uri)).isEqualTo("https://****@127.0.0.1:1/api");
    }
    String spaced = "jdbc:postgresql://127.0.0.1:1/db?user=a&password=SEC RETQB";
    assertThat(Secrets.redactGiven(spaced)).doesNotContain("SEC").doesNotContain("RETQB")
        .startsWith("jdbc:postgresql://127.0.0.1:1/db?user=a&password=****");
    assertThat(Secrets.scrub("--catalog-uri " + spaced + " is bad; so is password=SEC RETQB",
        java.util.Map.of(), spaced)).doesNotContain("SEC").doesNotContain("RETQB");
    assertThat(Secrets.redactUri("http://127.0.0.1:1/api;jsessionid=SECRETQ3"))
        .isEqualTo("http://127.0.0.1:1/api;jsessionid=****");
    assertThat(Secrets.scrub("cannot reach SEC/RETQ9@127.0.0.1", java.util.Map.of(),
        "https://u:SEC/RETQ9@127.0.0.1:1/api")).isEqualTo("cannot reach ****@127.0.0.1");
  }
}
