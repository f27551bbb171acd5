"""Fixtures of the catalog matrix: the services (s3proxy, PostgreSQL, REST catalog server),
the two catalogs (REST + S3, JDBC on PostgreSQL + S3), one Spark session that knows both, and
the stage each catalog's pipeline is at. scripts/run-interop runs this directory in its own
pytest process (its Spark session needs jars that the directory matrix's does not load)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

INTEROP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(INTEROP))  # pipeline, sqlite_oracle, services

from lakehouse import CATALOG_NAME, CATALOG_STAGES, NAMESPACE, Catalog, CatalogPipeline  # noqa: E402
from pipeline import SPARK_JAVA17_OPTIONS, TIMINGS  # noqa: E402
from services import JARS, POSTGRES_DRIVER_JAR, Postgres, RestCatalog, S3Proxy, Trino  # noqa: E402

# scripts/run-interop --distributed sets it: the tests marked `distributed` (Trino) run too;
# otherwise they are deselected (CI runs without them: docs/lakehouse.md).
DISTRIBUTED = os.environ.get("AREXPORT_INTEROP_DISTRIBUTED") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "distributed: extended matrix only (scripts/run-interop"
                                       " --distributed): Trino")


def pytest_collection_modifyitems(config, items):
    if DISTRIBUTED:
        return
    deselected = [i for i in items if i.get_closest_marker("distributed")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if not i.get_closest_marker("distributed")]

SETUP_HINT = "run interop/setup.sh (or scripts/run-interop) first"


def _timed(label, make):
    t = time.monotonic()
    value = make()
    TIMINGS.append((f"{label} start-up (not arexport)", time.monotonic() - t))
    return value


@pytest.fixture(scope="session")
def s3():
    service = _timed("s3proxy", S3Proxy)
    yield service
    service.close()


@pytest.fixture(scope="session")
def postgres():
    service = _timed("PostgreSQL", Postgres)
    yield service
    service.close()


@pytest.fixture(scope="session")
def rest_server(postgres, s3):
    service = _timed("REST catalog server", lambda: RestCatalog(postgres, s3, "rest-warehouse"))
    yield service
    service.close()


def _property_args(props: dict[str, str]) -> list[str]:
    return [a for k, v in props.items() for a in ("--catalog-property", f"{k}={v}")]


@pytest.fixture(scope="session")
def rest_catalog(rest_server, s3) -> Catalog:
    from pyiceberg.catalog.rest import RestCatalog as PyRestCatalog

    fileio = {"io-impl": "org.apache.iceberg.aws.s3.S3FileIO", **s3.fileio_properties()}
    return Catalog(
        kind="rest",
        arexport_args=["--catalog-type", "rest", "--catalog-uri", rest_server.uri,
                       "--catalog-warehouse", rest_server.warehouse,
                       "--catalog-name", CATALOG_NAME, "--namespace", NAMESPACE,
                       *_property_args(s3.fileio_properties())],
        spark_name="ar_io_rest",
        spark_conf={"type": "rest", "uri": rest_server.uri, **fileio},
        pyiceberg_factory=lambda: PyRestCatalog(CATALOG_NAME, uri=rest_server.uri,
                                                **s3.pyiceberg_properties()),
        bucket="rest-warehouse",
        secrets=(s3.secret_access_key,),
        duckdb_attach=(f"ATTACH 'rest-warehouse' AS {{alias}} (TYPE iceberg,"
                       f" ENDPOINT '{rest_server.uri}', AUTHORIZATION_TYPE 'none')"),
    )


@pytest.fixture(scope="session")
def jdbc_catalog(postgres, s3, tmp_path_factory) -> Catalog:
    from pyiceberg.catalog.sql import SqlCatalog

    db = postgres.create_database("jdbc_catalog")
    warehouse = s3.create_bucket("jdbc-warehouse") + "/wh"
    fileio = {"io-impl": "org.apache.iceberg.aws.s3.S3FileIO", **s3.fileio_properties()}
    jdbc = {"jdbc.user": postgres.user, "jdbc.password": postgres.password}
    # The operator's way to keep secrets off the command line: --catalog-config FILE.
    config = tmp_path_factory.mktemp("jdbc-config") / "catalog.properties"
    lines = {"type": "jdbc", "uri": postgres.jdbc_url(db), "warehouse": warehouse,
             "name": CATALOG_NAME, **jdbc, **s3.fileio_properties()}
    config.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
    return Catalog(
        kind="jdbc",
        arexport_args=["--catalog-config", str(config), "--namespace", NAMESPACE],
        # JdbcCatalog files tables under the catalog's name: Spark's catalog must be ar_io too.
        spark_name=CATALOG_NAME,
        spark_conf={"type": "jdbc", "uri": postgres.jdbc_url(db), "warehouse": warehouse,
                    **jdbc, **fileio},
        pyiceberg_factory=lambda: SqlCatalog(CATALOG_NAME, uri=postgres.sqlalchemy_url(db),
                                             warehouse=warehouse, **s3.pyiceberg_properties()),
        bucket="jdbc-warehouse",
        secrets=(s3.secret_access_key, postgres.password),
    )


@pytest.fixture(scope="session")
def catalogs(rest_catalog, jdbc_catalog) -> dict[str, Catalog]:
    return {"rest": rest_catalog, "jdbc": jdbc_catalog}


@pytest.fixture(scope="session")
def spark_session(catalogs):
    """Started on first use: iceberg-spark-runtime + iceberg-aws-bundle + the PostgreSQL driver,
    Iceberg's SQL extensions (CALL system.*), a catalog per catalog under test."""
    holder = {}

    def get():
        if "spark" in holder:
            return holder["spark"]
        from pyspark.sql import SparkSession

        jars = (sorted(JARS.glob("iceberg-spark-runtime-3.5_2.12-*.jar"))
                + sorted(JARS.glob("iceberg-aws-bundle-*.jar")) + [POSTGRES_DRIVER_JAR])
        if len(jars) != 3 or not all(j.is_file() for j in jars):
            pytest.fail(f"expected the Spark runtime, aws bundle and PostgreSQL jars in {JARS},"
                        f" found {jars}: {SETUP_HINT}")
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("AWS_REGION", "us-east-1")
        t = time.monotonic()
        builder = (
            SparkSession.builder.master("local[2]").appName("arexport-catalog-interop")
            .config("spark.jars", ",".join(str(j) for j in jars))
            .config("spark.driver.extraJavaOptions", SPARK_JAVA17_OPTIONS)
            .config("spark.driver.memory", "2g")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.extensions",
                    "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"))
        for catalog in catalogs.values():
            prefix = f"spark.sql.catalog.{catalog.spark_name}"
            builder = builder.config(prefix, "org.apache.iceberg.spark.SparkCatalog")
            builder = builder.config(f"{prefix}.cache-enabled", "false")
            for k, v in catalog.spark_conf.items():
                builder = builder.config(f"{prefix}.{k}", v)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        TIMINGS.append(("SparkSession start-up (not arexport)", time.monotonic() - t))
        holder["spark"] = session
        return session

    yield get
    if "spark" in holder:
        holder["spark"].stop()


@pytest.fixture(scope="session")
def trino(rest_server, postgres, s3, jdbc_catalog):
    """Trino 476 with an Iceberg catalog per catalog under test (names rest and jdbc)."""
    fs = {"fs.native-s3.enabled": "true", "s3.endpoint": s3.endpoint, "s3.region": "us-east-1",
          "s3.path-style-access": "true", "s3.aws-access-key": s3.access_key_id,
          "s3.aws-secret-key": s3.secret_access_key}
    jdbc = jdbc_catalog.spark_conf
    service = _timed("Trino", lambda: Trino({
        "rest": {"connector.name": "iceberg", "iceberg.catalog.type": "rest",
                 "iceberg.rest-catalog.uri": rest_server.uri, **fs},
        "jdbc": {"connector.name": "iceberg", "iceberg.catalog.type": "jdbc",
                 "iceberg.jdbc-catalog.catalog-name": CATALOG_NAME,
                 "iceberg.jdbc-catalog.driver-class": "org.postgresql.Driver",
                 "iceberg.jdbc-catalog.connection-url": jdbc["uri"],
                 "iceberg.jdbc-catalog.connection-user": jdbc["jdbc.user"],
                 "iceberg.jdbc-catalog.connection-password": jdbc["jdbc.password"],
                 "iceberg.jdbc-catalog.default-warehouse-dir": jdbc["warehouse"], **fs},
    }))
    yield service
    service.close()


@pytest.fixture(scope="session")
def pipelines(catalogs, spark_session, tmp_path_factory) -> dict[str, CatalogPipeline]:
    return {kind: CatalogPipeline(c, tmp_path_factory.mktemp(f"pipeline-{kind}"), spark_session)
            for kind, c in catalogs.items()}


PARAMS = [(kind, s.index) for kind in ("rest", "jdbc") for s in CATALOG_STAGES]


@pytest.fixture(scope="module", params=PARAMS,
                ids=[f"{kind}-{CATALOG_STAGES[i - 1].name}" for kind, i in PARAMS])
def catalog_stage(request, pipelines):
    """A catalog's tables after the stage (stages run in order per catalog; pytest groups the
    tests of a module-scoped parameter, so every reader is checked after each stage)."""
    kind, index = request.param
    return pipelines[kind].advance_to(index)
