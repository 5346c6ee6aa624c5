"""Every setting is documented in docs/settings.md (Datasette's rule)."""

from __future__ import annotations

from pathlib import Path

from stadsdata.settings import Settings

DOCS = Path(__file__).parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert f"`STADSDATA_{name.upper()}`" in text, f"setting {name} is not in docs/settings.md"
        assert field.description, f"setting {name} has no description"


def test_settings_read_from_environment(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STADSDATA_HOME", str(tmp_path))
    monkeypatch.setenv("STADSDATA_ENGINE_MEMORY_LIMIT", "1GB")
    settings = Settings()
    assert settings.home == tmp_path and settings.engine_memory_limit == "1GB"
    assert settings.resolved_metastore_url == f"sqlite:///{tmp_path / 'metastore.db'}"
