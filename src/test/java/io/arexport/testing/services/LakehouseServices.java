package io.arexport.testing.services;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands test classes the real lakehouse services: declare a parameter of
 * type {@link S3ProxyService}, {@link PostgresService} or {@link RestCatalogService} (in a
 * {@code @BeforeAll}, constructor or test method) of a class annotated
 * {@code @ExtendWith(LakehouseServices.class)}.
 *
 * <p>Each service is started on first use and shared by every test class of the run (surefire
 * JVM), because a JVM and a cluster each take seconds to start; the root context's store closes
 * them when the run ends, pass or fail (and {@link ServiceProcess} kills them if the JVM dies).
 * Tests keep out of each other's way by names: a bucket, database or namespace of their own
 * ({@link #uniqueName(String)}). The shared REST catalog keeps its tables in bucket
 * {@code rest-warehouse}; a test that needs a catalog to itself starts one with
 * {@link RestCatalogService#start}.
 */
public final class LakehouseServices implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LakehouseServices.class);
  private static final AtomicInteger NAMES = new AtomicInteger();

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == S3ProxyService.class || type == PostgresService.class
        || type == RestCatalogService.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return service(parameter.getParameter().getType(), context.getRoot().getStore(NAMESPACE));
  }

  private static Object service(Class<?> type, ExtensionContext.Store store) {
    if (type == S3ProxyService.class) {
      return store.getOrComputeIfAbsent(S3ProxyService.class, k -> S3ProxyService.start(),
          S3ProxyService.class);
    }
    if (type == PostgresService.class) {
      return store.getOrComputeIfAbsent(PostgresService.class, k -> PostgresService.start(),
          PostgresService.class);
    }
    PostgresService postgres = (PostgresService) service(PostgresService.class, store);
    S3ProxyService s3 = (S3ProxyService) service(S3ProxyService.class, store);
    return store.getOrComputeIfAbsent(RestCatalogService.class,
        k -> RestCatalogService.start(postgres, s3, "rest-warehouse"), RestCatalogService.class);
  }

  /** A name no other test of this run uses (bucket, database, namespace): prefix-N-random. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet() + "-"
        + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xffffffL);
  }
}
