"""The lakehouse test services for the catalog matrix (interop/catalog), started from Python with
the same rules as the Java tests' io.arexport.testing.services: each a child process bound to
127.0.0.1 on a free port, its files in a scratch directory, stopped (whole process tree) and
deleted at the end; started through `setpriv --pdeathsig KILL` so that the kernel kills it if
pytest itself is killed, and stopped by an atexit hook if pytest exits without tearing down.

  S3Proxy      s3proxy 4.1.0 (filesystem-nio2 backend, signatures checked against a random key pair)
  Postgres     a throwaway cluster from the Debian postgresql package (initdb + postgres in the
               foreground, as the `postgres` user when we are root), one password user
  RestCatalog  Iceberg's REST catalog server (iceberg-open-api 1.10.1) on loopback via
               src/test/services/LoopbackRestCatalogServer.java, backed by a JdbcCatalog in a
               database of Postgres, tables in a bucket of S3Proxy through S3FileIO

The jars come from interop/setup.sh (interop/.jars).
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

INTEROP = Path(__file__).resolve().parent
REPO = INTEROP.parent
JARS = INTEROP / ".jars"
S3PROXY_JAR = JARS / "s3proxy-4.1.0-jar-with-dependencies.jar"
REST_JAR = JARS / "iceberg-open-api-1.10.1.jar"
POSTGRES_DRIVER_JAR = JARS / "postgresql-42.7.8.jar"
REST_LAUNCHER = REPO / "src" / "test" / "services" / "LoopbackRestCatalogServer.java"
REGION = "us-east-1"
JAVA = shutil.which("java") or "java"
SETPRIV = "/usr/bin/setpriv"

_running: list["ServiceProcess"] = []


def _stop_all():
    for p in list(_running):
        p.stop()


atexit.register(_stop_all)


def is_root() -> bool:
    return os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def scratch_dir(prefix: str) -> Path:
    d = Path(tempfile.mkdtemp(prefix=prefix))
    d.chmod(0o755)
    return d


def _as_user(user: str | None) -> list[str]:
    if user and is_root():
        return [SETPRIV, f"--reuid={user}", f"--regid={user}", "--init-groups"]
    return []


def _descendants(pid: int) -> list[int]:
    """Every descendant of pid, from /proc (children before grandchildren)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def run(what: str, cmd: list[str], cwd: Path, user: str | None = None, timeout: float = 120) -> str:
    proc = subprocess.run(_as_user(user) + cmd, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc.stdout


class ServiceProcess:
    def __init__(self, name: str, cmd: list[str], cwd: Path, log: Path,
                 env: dict[str, str] | None = None, user: str | None = None):
        self.name = name
        self.log = log
        full = []
        if os.path.exists(SETPRIV):
            full = _as_user(user) or [SETPRIV]
            full += ["--pdeathsig", "KILL", "--"]
        self._log = open(log, "ab")
        # stdin is a pipe this process holds: the REST launcher exits when it reaches EOF.
        self.proc = subprocess.Popen(full + cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=self._log,
                                     stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        _running.append(self)

    def await_ready(self, timeout: float, ready):
        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before it was"
                                   f" ready; log {self.log}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready within {timeout} s; log {self.log}:\n"
                                   f"{self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError as e:
            return f"(log unreadable: {e})"

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stop(self, grace: float = 10):
        if self in _running:
            _running.remove(self)
        tree = _descendants(self.proc.pid) if self.proc.poll() is None else []
        for pid in tree:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.stdin:
            self.proc.stdin.close()
        self._log.close()


class S3Proxy:
    def __init__(self):
        if not S3PROXY_JAR.is_file():
            raise RuntimeError(f"{S3PROXY_JAR} is missing: run interop/setup.sh")
        self.dir = scratch_dir("s3proxy-")
        data = self.dir / "data"
        data.mkdir()
        self.port = free_port()
        self.access_key_id = "AKTEST" + secrets.token_hex(7).upper()
        self.secret_access_key = secrets.token_hex(20)
        conf = self.dir / "s3proxy.conf"
        conf.write_text("\n".join([
            f"s3proxy.endpoint=http://127.0.0.1:{self.port}",
            "s3proxy.authorization=aws-v2-or-v4",
            f"s3proxy.identity={self.access_key_id}",
            f"s3proxy.credential={self.secret_access_key}",
            "jclouds.provider=filesystem-nio2",
            f"jclouds.filesystem.basedir={data}", ""]))
        self.process = ServiceProcess("s3proxy", [JAVA, "-Xmx256m", "-jar", str(S3PROXY_JAR),
                                                  "--properties", str(conf)],
                                      self.dir, self.dir / "s3proxy.log")
        try:
            self.process.await_ready(90, lambda: listening(self.port))
        except BaseException:
            self.close()
            raise

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fileio_properties(self) -> dict[str, str]:
        """Iceberg S3FileIO properties (Java: arexport's --catalog-property, Spark, the server)."""
        return {"s3.endpoint": self.endpoint, "s3.path-style-access": "true",
                "s3.access-key-id": self.access_key_id,
                "s3.secret-access-key": self.secret_access_key, "client.region": REGION}

    def pyiceberg_properties(self) -> dict[str, str]:
        return {"s3.endpoint": self.endpoint, "s3.access-key-id": self.access_key_id,
                "s3.secret-access-key": self.secret_access_key, "s3.region": REGION,
                "s3.force-virtual-addressing": "false"}

    def filesystem(self):
        from pyarrow import fs

        return fs.S3FileSystem(access_key=self.access_key_id, secret_key=self.secret_access_key,
                               endpoint_override=self.endpoint, scheme="http", region=REGION,
                               force_virtual_addressing=False, allow_bucket_creation=True)

    def create_bucket(self, bucket: str) -> str:
        self.filesystem().create_dir(bucket)
        return f"s3://{bucket}"

    def list_keys(self, bucket: str, prefix: str = "") -> list[str]:
        from pyarrow import fs

        base = f"{bucket}/{prefix}".rstrip("/")
        try:
            infos = self.filesystem().get_file_info(fs.FileSelector(base, recursive=True))
        except FileNotFoundError:
            return []
        return sorted(i.path[len(bucket) + 1:] for i in infos if i.type == fs.FileType.File)

    def close(self):
        if hasattr(self, "process"):
            self.process.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_bin_dir() -> Path:
    debian = sorted((p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
                    key=lambda p: int(p.parent.name)) if Path("/usr/lib/postgresql").is_dir() else []
    if debian:
        return debian[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL is not installed (no initdb): apt-get install -y postgresql")


class Postgres:
    OS_USER = "postgres"
    SUPERUSER = "postgres"

    def __init__(self):
        self.bin = postgres_bin_dir()
        self.dir = scratch_dir("postgres-")
        self.socket_dir = self.dir / "socket"
        self.socket_dir.mkdir()
        user = self.OS_USER if is_root() else None
        if user:
            shutil.chown(self.dir, user, user)
            shutil.chown(self.socket_dir, user, user)
        data = self.dir / "data"
        self._user = user
        self.process = None
        try:
            run("initdb", [str(self.bin / "initdb"), "-D", str(data), "-U", self.SUPERUSER,
                           "-E", "UTF8", "--locale=C", "--no-sync", "--auth-local=trust",
                           "--auth-host=scram-sha-256"], self.dir, user)
            self.port = free_port()
            self.process = ServiceProcess("postgres", [
                str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port),
                "-h", "127.0.0.1", "-k", str(self.socket_dir),
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=200"], self.dir, self.dir / "postgres.log", user=user)
            self.process.await_ready(60, self._accepting)
            self.user = "arexport_test"
            self.password = secrets.token_hex(16)
            self.psql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        except BaseException:
            self.close()
            raise
        self._databases = 0

    def _accepting(self) -> bool:
        """pg_isready: the socket exists before the server accepts sessions (it says "starting up")."""
        return listening(self.port) and subprocess.run(
            [str(self.bin / "pg_isready"), "-q", "-h", str(self.socket_dir), "-p", str(self.port)],
            capture_output=True).returncode == 0

    def psql(self, sql: str) -> str:
        return run("psql", [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                            "-h", str(self.socket_dir), "-p", str(self.port), "-U", self.SUPERUSER,
                            "-d", "postgres", "-At", "-c", sql], self.dir, self._user)

    def create_database(self, name: str | None = None) -> str:
        self._databases += 1
        name = name or f"db_{self._databases}_{secrets.token_hex(3)}"
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name), name
        self.psql(f"CREATE DATABASE {name} OWNER {self.user}")
        return name

    def jdbc_url(self, db: str) -> str:
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{db}"

    def sqlalchemy_url(self, db: str) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{db}"

    def close(self):
        if self.process:
            self.process.signal(signal.SIGINT)  # fast shutdown
            try:
                self.process.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            self.process.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RestCatalog:
    def __init__(self, postgres: Postgres, s3: S3Proxy, bucket: str):
        for jar in (REST_JAR, POSTGRES_DRIVER_JAR):
            if not jar.is_file():
                raise RuntimeError(f"{jar} is missing: run interop/setup.sh")
        self.s3 = s3
        self.warehouse = s3.create_bucket(bucket)
        self.database = postgres.create_database()
        self.dir = scratch_dir("rest-catalog-")
        env = {
            "CATALOG_URI": postgres.jdbc_url(self.database),
            "CATALOG_JDBC_USER": postgres.user, "CATALOG_JDBC_PASSWORD": postgres.password,
            "CATALOG_WAREHOUSE": self.warehouse,
            "CATALOG_IO__IMPL": "org.apache.iceberg.aws.s3.S3FileIO",
            "CATALOG_S3_ENDPOINT": s3.endpoint, "CATALOG_S3_PATH__STYLE__ACCESS": "true",
            "CATALOG_S3_ACCESS__KEY__ID": s3.access_key_id,
            "CATALOG_S3_SECRET__ACCESS__KEY": s3.secret_access_key,
            "CATALOG_CLIENT_REGION": REGION, "AWS_REGION": REGION,
        }
        log = self.dir / "rest-catalog.log"
        self.process = ServiceProcess("rest-catalog", [
            JAVA, "-Xmx512m", "-cp", f"{REST_JAR}:{POSTGRES_DRIVER_JAR}", str(REST_LAUNCHER),
            "127.0.0.1", "0"], self.dir, log, env=env)
        self.uri = None

        def ready():
            m = re.search(r"listening on (http://\S+)", log.read_text(errors="replace"))
            if not m:
                return False
            try:
                with urllib.request.urlopen(m.group(1) + "/v1/config", timeout=5) as r:
                    ok = r.status == 200
            except (urllib.error.URLError, OSError):
                return False
            self.uri = m.group(1)
            return ok

        try:
            self.process.await_ready(180, ready)
        except BaseException:
            self.close()
            raise

    def close(self):
        self.process.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


TRINO_HOME = INTEROP / ".trino" / "trino-server-core-476"
TRINO_JAVA_HOME = Path(os.environ.get("TRINO_JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"))


class Trino:
    """A one-node Trino 476 (coordinator that also runs the work) on 127.0.0.1
    (node.bind-ip), with an Iceberg catalog per entry of `catalogs`: {name: catalog properties}.
    Installed by interop/setup-trino.sh; only the extended matrix (--distributed) uses it."""

    def __init__(self, catalogs: dict[str, dict[str, str]]):
        if not (TRINO_HOME / "plugin" / "iceberg").is_dir():
            raise RuntimeError(f"Trino is not installed in {TRINO_HOME}: run interop/setup-trino.sh")
        self.dir = scratch_dir("trino-")
        self.port = free_port()
        etc = self.dir / "etc"
        (etc / "catalog").mkdir(parents=True)
        (etc / "config.properties").write_text("\n".join([
            "coordinator=true", "node-scheduler.include-coordinator=true",
            f"http-server.http.port={self.port}", f"discovery.uri=http://127.0.0.1:{self.port}",
            "query.max-memory=1GB", "query.max-memory-per-node=512MB",
            f"catalog.config-dir={etc / 'catalog'}", f"plugin.dir={TRINO_HOME / 'plugin'}", ""]))
        # What bin/launcher does with node.properties: system properties.
        node = {"node.environment": "interop", "node.id": f"interop-{secrets.token_hex(4)}",
                "node.data-dir": str(self.dir / "data"), "node.bind-ip": "127.0.0.1",
                "node.internal-address": "127.0.0.1"}
        (etc / "log.properties").write_text("io.trino=WARN\n")
        for name, props in catalogs.items():
            (etc / "catalog" / f"{name}.properties").write_text(
                "".join(f"{k}={v}\n" for k, v in props.items()))
        cmd = [str(TRINO_JAVA_HOME / "bin" / "java"), "-Xmx2G", "-XX:+UseG1GC",
               "-XX:+ExitOnOutOfMemoryError", "-Djdk.attach.allowAttachSelf=true",
               "-XX:+EnableDynamicAgentLoading", "-Dfile.encoding=UTF-8",
               f"-Dconfig={etc / 'config.properties'}", f"-Dlog.levels-file={etc / 'log.properties'}",
               *[f"-D{k}={v}" for k, v in node.items()], "-cp", f"{TRINO_HOME / 'lib'}/*", "io.trino.server.TrinoServer"]
        self.process = ServiceProcess("trino", cmd, self.dir, self.dir / "trino.log")
        try:
            self.process.await_ready(300, self._started)
        except BaseException:
            self.close()
            raise

    def _started(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/info", timeout=5) as r:
                import json

                return not json.load(r).get("starting", True)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def query(self, sql: str) -> list[tuple]:
        """Runs sql through Trino's HTTP client protocol; returns every row."""
        import json

        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/v1/statement",
                                     data=sql.encode(), method="POST",
                                     headers={"X-Trino-User": "interop"})
        rows: list[tuple] = []
        while True:
            with urllib.request.urlopen(req, timeout=300) as r:
                doc = json.load(r)
            if "error" in doc:
                raise RuntimeError(f"Trino: {doc['error'].get('message')} ({sql[:200]})")
            rows += [tuple(x) for x in doc.get("data", [])]
            if "nextUri" not in doc:
                return rows
            req = urllib.request.Request(doc["nextUri"], headers={"X-Trino-User": "interop"})

    def close(self):
        if hasattr(self, "process"):
            self.process.stop(grace=30)
        shutil.rmtree(self.dir, ignore_errors=True)
