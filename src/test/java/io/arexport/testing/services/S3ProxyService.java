package io.arexport.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 for the tests: s3proxy 4.1.0 (jar-with-dependencies, run as {@code java -jar} in a child
 * process so its dependencies stay off the test classpath) with the filesystem-nio2 backend in a
 * scratch directory, on a loopback port, checking AWS signatures (V2 or V4) against a random
 * access key and secret made for this instance.
 *
 * <p>Give arexport {@link #catalogPropertyArgs()}; check for orphans with
 * {@link #listKeys(String, String)}.
 */
public final class S3ProxyService implements AutoCloseable {
  public static final String REGION = "us-east-1";
  static final String JAR_PROPERTY = "arexport.test.s3proxy-jar";
  static final String JAR_FILE = "s3proxy-4.1.0-jar-with-dependencies.jar";

  private final Path dir;
  private final ServiceProcess process;
  private final int port;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final S3Client client;

  private S3ProxyService(Path dir, ServiceProcess process, int port, String accessKeyId,
      String secretAccessKey) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.client = newClient(accessKeyId, secretAccessKey);
  }

  /** Starts s3proxy and waits until it answers HTTP on its port. */
  public static S3ProxyService start() {
    Path jar = ServiceFiles.artifact(JAR_PROPERTY, JAR_FILE);
    Path dir = ServiceFiles.scratchDirectory("s3proxy-");
    SecureRandom random = new SecureRandom();
    String accessKeyId = "AKTEST" + HexFormat.of().withUpperCase().formatHex(randomBytes(random, 7));
    String secretAccessKey = HexFormat.of().formatHex(randomBytes(random, 20));
    try {
      Path data = Files.createDirectories(dir.resolve("data"));
      int port = ServiceFiles.freeLoopbackPort();
      Path config = dir.resolve("s3proxy.conf");
      Files.writeString(config, String.join("\n",
          "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + accessKeyId,
          "s3proxy.credential=" + secretAccessKey,
          "jclouds.provider=filesystem-nio2",
          "jclouds.filesystem.basedir=" + data,
          ""), StandardCharsets.UTF_8);
      ServiceProcess process = ServiceProcess.start("s3proxy",
          List.of(javaExecutable(), "-Xmx256m", "-jar", jar.toString(), "--properties",
              config.toString()),
          dir, dir.resolve("s3proxy.log"), Map.of(), Optional.empty());
      try {
        process.awaitReady(Duration.ofSeconds(60), () -> ServiceFiles.listening(port));
      } catch (RuntimeException e) {
        process.close();
        throw e;
      }
      return new S3ProxyService(dir, process, port, accessKeyId, secretAccessKey);
    } catch (IOException e) {
      ServiceFiles.deleteRecursively(dir);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      ServiceFiles.deleteRecursively(dir);
      throw e;
    }
  }

  static byte[] randomBytes(SecureRandom random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  public String secretAccessKey() {
    return secretAccessKey;
  }

  /** Iceberg S3FileIO properties that reach this instance (the keys of issue 7's examples). */
  public Map<String, String> fileIoProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("s3.endpoint", endpoint().toString());
    p.put("s3.path-style-access", "true");
    p.put("s3.access-key-id", accessKeyId);
    p.put("s3.secret-access-key", secretAccessKey);
    p.put("client.region", REGION);
    return p;
  }

  /** {@link #fileIoProperties()} as arexport options: --catalog-property KEY=VALUE ... */
  public List<String> catalogPropertyArgs() {
    List<String> args = new ArrayList<>();
    fileIoProperties().forEach((k, v) -> {
      args.add("--catalog-property");
      args.add(k + "=" + v);
    });
    return args;
  }

  /** Creates a bucket; returns its warehouse URI {@code s3://bucket/prefix}. */
  public String createBucket(String bucket, String prefix) {
    client.createBucket(b -> b.bucket(bucket));
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  /** Every key in {@code bucket} under {@code prefix}, sorted (orphan checks). */
  public List<String> listKeys(String bucket, String prefix) {
    return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key).sorted().toList();
  }

  /** A client signed with this instance's key pair (owned by the service: do not close). */
  public S3Client client() {
    return client;
  }

  /** A new client with any key pair, e.g. to show that a wrong secret is refused. */
  public S3Client newClient(String keyId, String secret) {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .region(Region.of(REGION))
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .build();
  }

  /** The service's own log (for failure messages). */
  public String logTail() {
    return process.logTail();
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      process.close();
      ServiceFiles.deleteRecursively(dir);
    }
  }
}
