"""Schemathesis over the app's OpenAPI document: generated requests to every operation, no 5xx.

In process (ASGI), over one copy of the real demo data for the module. Most generated requests
are pointed at a real dataset id, so filters, sorts, cursors and formats reach the rows code
instead of stopping at a 404.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from stadsdata import demo
from stadsdata.core.contract import load_contract
from stadsdata.platform import Platform
from stadsdata.web import create_app
from tests.conftest import make_settings

DATASET_IDS = [d for d in demo.DEMO_DATASETS if load_contract(demo.contract_path(d)).classification.value == "openbaar"]


@pytest.fixture(scope="module")
def api_schema(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    home = tmp_path_factory.mktemp("schemathesis") / "home"
    shutil.copytree(demo_template, home)
    with Platform(make_settings(home)) as platform:
        app = create_app(platform)
        yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


def _point_at_real_datasets(case: schemathesis.Case) -> None:
    if case.path_parameters and "dataset_id" in case.path_parameters:
        pick = zlib.crc32(repr(sorted((case.query or {}).items())).encode()) % (len(DATASET_IDS) + 1)
        if pick < len(DATASET_IDS):  # the last bucket keeps the generated (unknown) id
            case.path_parameters["dataset_id"] = DATASET_IDS[pick]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_server_errors(api_schema: schemathesis.BaseSchema, mode: GenerationMode) -> None:
    """Every operation, valid and invalid input: ``not_a_server_error`` holds.

    (Driven by hypothesis directly: schemathesis' pytest plugin does not run under pytest 9 yet.)
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/datasets",
        "/api/v1/datasets/{dataset_id}",
        "/api/v1/datasets/{dataset_id}/rows",
    }
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            _point_at_real_datasets(case)
            case.call_and_validate(checks=[not_a_server_error])

        try:
            run()
        except Unsatisfiable:  # nothing about this operation can be made invalid (e.g. no parameters)
            continue
        except Exception as exc:  # collect every operation's first failure, then fail once
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)


def test_the_rows_operation_documents_its_parameters(api_schema: schemathesis.BaseSchema) -> None:
    document = api_schema.raw_schema
    assert document["openapi"].startswith("3.1")
    rows = document["paths"]["/api/v1/datasets/{dataset_id}/rows"]["get"]
    names = {p["name"] for p in rows["parameters"]}
    assert names == {"dataset_id", "format", "version", "fields", "sort", "limit", "offset", "cursor"}
    assert "__gt" in rows["description"] and "__isnull" in rows["description"]
    assert set(rows["responses"]["200"]["content"]) >= {
        "application/json",
        "text/csv",
        "application/geo+json",
        "application/vnd.apache.parquet",
    }
