"""Shared fixtures of the interop matrix: the two pipelines (local warehouse, HTTP-served
warehouse), the stage they are at, and a timing summary at the end of the run."""

from __future__ import annotations

import time

import pytest

from pipeline import STAGES, TIMINGS, Pipeline, Server

_started = time.monotonic()


@pytest.fixture(scope="session")
def local_pipeline(tmp_path_factory):
    return Pipeline("local", tmp_path_factory.mktemp("local"))


@pytest.fixture(scope="session")
def http_pipeline(tmp_path_factory):
    """A second warehouse, served by `arexport serve`; its metadata is written with
    --datasets-root pointing at the server, so every path in it is an http:// URL."""
    pipeline = Pipeline("http", tmp_path_factory.mktemp("http"))
    server = Server(pipeline.warehouse, pipeline.root / "serve-access.log")
    pipeline.server = server
    pipeline.datasets_root = server.datasets_root
    yield pipeline
    server.stop()


@pytest.fixture(scope="module", params=STAGES, ids=[s.name for s in STAGES])
def stage(request, local_pipeline):
    """The local warehouse after the stage (stages run in order; pytest groups the tests of a
    module-scoped parameter, so every consumer is checked after each stage)."""
    return local_pipeline.advance_to(request.param.index)


@pytest.fixture(scope="module")
def http_stage(stage, http_pipeline):
    """The HTTP-served warehouse after the same stage."""
    return http_pipeline.advance_to(stage.stage.index)


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS:
        return
    tr = terminalreporter
    tr.section("arexport commands run by the interop matrix (wall-clock seconds)")
    for label, seconds in TIMINGS:
        tr.write_line(f"{seconds:7.1f}  {label}")
    tr.write_line(f"{sum(s for _, s in TIMINGS):7.1f}  total in arexport;"
                  f" {time.monotonic() - _started:.1f} s for the whole session")
