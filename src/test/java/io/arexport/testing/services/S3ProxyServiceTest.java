package io.arexport.testing.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** s3proxy as the tests start it: a signed PUT/GET round trip, and a wrong secret refused. */
@ExtendWith(LakehouseServices.class)
class S3ProxyServiceTest {

  @Test
  void signedPutGetListRoundTrip(S3ProxyService s3) {
    String bucket = LakehouseServices.uniqueName("smoke");
    assertThat(s3.createBucket(bucket, "wh")).isEqualTo("s3://" + bucket + "/wh");
    byte[] body = "height=1-2 rows\n".getBytes(StandardCharsets.UTF_8);
    s3.client().putObject(b -> b.bucket(bucket).key("wh/t/data/a.parquet"), RequestBody.fromBytes(body));
    s3.client().putObject(b -> b.bucket(bucket).key("other/b"), RequestBody.fromString("x"));

    byte[] read = s3.client().getObjectAsBytes(b -> b.bucket(bucket).key("wh/t/data/a.parquet"))
        .asByteArray();
    assertThat(read).isEqualTo(body);
    assertThat(s3.listKeys(bucket, "wh/")).containsExactly("wh/t/data/a.parquet");
    assertThat(s3.listKeys(bucket, "")).containsExactly("other/b", "wh/t/data/a.parquet");
    assertThat(s3.endpoint().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void wrongSecretIsRefused(S3ProxyService s3) {
    String bucket = LakehouseServices.uniqueName("auth");
    s3.createBucket(bucket, "");
    try (S3Client wrong = s3.newClient(s3.accessKeyId(), s3.secretAccessKey() + "x");
        S3Client unknown = s3.newClient("AKNOBODY", s3.secretAccessKey())) {
      assertThatThrownBy(() -> wrong.putObject(b -> b.bucket(bucket).key("k"),
          RequestBody.fromString("x")))
          .isInstanceOf(S3Exception.class)
          .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
      assertThatThrownBy(() -> unknown.listObjectsV2(b -> b.bucket(bucket)))
          .isInstanceOf(S3Exception.class)
          .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
    }
    assertThat(s3.listKeys(bucket, "")).isEmpty();
  }
}
