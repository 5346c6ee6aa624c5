"""The Wmo model on the platform: ``wmo_prognose`` is a catalogued, versioned open dataset with
lineage; an unchanged train makes no new version; the register lists the model with the measured
figures; ``evaluate --on`` transfers to any KWB dataset, and refuses a wrong one changing nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from stadsdata import demo
from stadsdata.core.access import Actor, Role, RoleGrant
from stadsdata.errors import AccessDeniedError, ModelError
from stadsdata.models.wmo.contract import DATASET, OWNER_DIENST
from stadsdata.models.wmo.service import MODEL_NAME
from stadsdata.platform import Platform


def test_train_publishes_wmo_prognose_with_lineage_and_registers_the_model(wmo_platform: Platform) -> None:
    p = wmo_platform
    published = p.models.wmo.train(by="tester")
    assert published.new and published.version == 1
    record = p.metastore.get_dataset(DATASET)
    assert record.classification == "openbaar" and record.current_version == 1
    upstream = {r.source_id for r in p.metastore.lineage(DATASET)["upstream"]}
    assert upstream == {"cbs_kwb_2019_den_haag", "cbs_kwb_2021_den_haag"}
    rows = p.catalog.query(f'SELECT * FROM "{DATASET}" ORDER BY gebiedscode, jaar').to_arrow().to_pandas()
    wijken = rows[rows["gebiedsniveau"] == "wijk"]
    # every inhabited wijk: 43 of 44 (WK051801 has no inhabitants); the 6 small ones are forecast but
    # marked uncertain, and WK051843's secret social-minimum figure is filled with the median and said so
    assert wijken["gebiedscode"].nunique() == 43 and len(rows) == 44 * 5
    uncertain = set(wijken.loc[wijken["toelichting"].notna(), "gebiedscode"])
    assert uncertain == {"WK051806", "WK051810", "WK051824", "WK051835", "WK051841", "WK051843"}
    note = wijken.loc[wijken["gebiedscode"] == "WK051843", "toelichting"].iloc[0]
    assert note.endswith(
        "CBS houdt het aandeel huishoudens rond het sociaal minimum geheim; de prognose gebruikt daarvoor de "
        "mediaan van de andere wijken."
    )
    fitted_on = set(p.models.wmo.fit().wijken.frame.index)
    assert len(fitted_on) == 37 and not uncertain & fitted_on
    assert rows.loc[rows["gebiedsniveau"] == "gemeente", "toelichting"].isna().all()
    assert sorted(rows["jaar"].unique()) == [2022, 2023, 2024, 2025, 2026]
    assert ((rows["ondergrens"] <= rows["prognose"]) & (rows["prognose"] <= rows["bovengrens"])).all()
    assert rows["modelversie"].nunique() == 1 and rows["modelversie"].iloc[0].startswith("1.0+")
    assert (rows["basisjaar"] == 2021).all()

    entry = published.entry
    assert entry is not None and entry.name == MODEL_NAME and entry.source == "model"
    assert set(entry.datasets) == {
        "cbs_kwb_2019_den_haag",
        "cbs_kwb_2021_den_haag",
        "wmo_hbh_gemeenten_2017_2019",
        DATASET,
    }
    mae = published.evaluation.loo_errors.loc["model", "mae"]
    measured = f"(MAE) {mae:.1f}".replace(".", ",")
    assert measured in entry.fields["methods_and_models"]  # the real figure of the evaluation
    listed = p.algorithms.search("Wmo-prognose").entries
    assert [e.id for e in listed] == [entry.id]
    assert "personen" in entry.fields["human_intervention"]
    assert "Gemeten prestaties: In gewone woorden: " in entry.fields["methods_and_models"]
    assert "Technisch: Leave-one-out" in entry.fields["methods_and_models"]
    # the plain summary tells the truth of the fairness check and the backtest, whichever way they went
    plain = entry.fields["methods_and_models"].split("Technisch:")[0]
    fairness = published.evaluation.fairness
    low_is_worst = max(("laag", "midden", "hoog"), key=lambda g: fairness.loc[(g, "model"), "mape"]) == "laag"
    assert ("Let op: voor wijken met lage inkomens" in plain) == low_is_worst
    clean = published.evaluation.backtest.summary.xs("without the breaks", level="set")["mae"]
    beats = clean["anchored"] < clean["same_as_2017"]  # measured: 3.1 against 3.7 per 1,000
    assert ("niet beter dan aannemen dat alles gelijk blijft" in plain) == (not beats)

    again = p.models.wmo.train(by="tester")  # the same data: no new version, no new register version
    assert not again.new and again.version == 1 and p.metastore.get_dataset(DATASET).current_version == 1
    assert again.entry is not None and again.entry.version == entry.version


def test_forecast_asks_the_policy_for_ingest_on_wmo_prognose(wmo_platform: Platform) -> None:
    p = wmo_platform
    analyst = Actor("ana", frozenset({RoleGrant(Role.analyst)}))
    with pytest.raises(AccessDeniedError, match=f"^ingest on dataset:{DATASET}: "):
        p.models.wmo.forecast(actor=analyst)
    assert not p.metastore.has_dataset(DATASET)
    officer = Actor("dora", frozenset({RoleGrant(Role.data_officer, OWNER_DIENST)}))
    published = p.models.wmo.forecast(actor=officer)
    assert published.new and p.metastore.get_dataset(DATASET).current_version == 1
    assert p.algorithms.search("Wmo-prognose").total == 0  # forecast publishes; train registers


def test_evaluate_on_another_kwb_dataset_transfers_without_code_change(wmo_platform: Platform, tmp_path: Path) -> None:
    """No other city's wijk-level Wmo data is shipped: this ingests a subset of REAL Den Haag rows
    (the gemeente row and the wijken and buurten of wijk 11 onwards) under another dataset id, with
    the KWB contract (--like), to prove that any KWB dataset works without a code change."""
    p = wmo_platform
    table = pd.read_csv(demo.data_path("cbs_kwb_2019_den_haag"))
    codes = table["Codering_3"].astype(str)
    subset = table[(codes == "GM0518") | (codes.str[2:8] >= "051811")]
    file = tmp_path / "kwb_andere_gemeente.csv"
    subset.to_csv(file, index=False)
    p.ingestor.ingest(file, "cbs_kwb_2019_andere_gemeente", like="cbs_kwb_2019_den_haag")
    evaluation = p.models.wmo.evaluate(on="cbs_kwb_2019_andere_gemeente")
    transfer = evaluation.transfer
    assert transfer is not None and evaluation.transfer_dataset == "cbs_kwb_2019_andere_gemeente"
    assert list(transfer.index) == [c for c in evaluation.loo.index if c >= "WK051811"]
    assert {e.code for e in evaluation.transfer_excluded} == {"WK051824", "WK051835", "WK051841", "WK051843"}
    assert evaluation.transfer_errors.loc["model", "n"] == len(transfer)


def test_evaluate_on_a_dataset_without_the_columns_says_what_and_changes_nothing(wmo_platform: Platform) -> None:
    p = wmo_platform
    before = [(r.id, r.current_version) for r in p.catalog.list()]
    with pytest.raises(ModelError) as caught:
        p.models.wmo.evaluate(on="wmo_hbh_gemeenten_2017_2019")
    message = str(caught.value)
    assert message.startswith("wmo_hbh_gemeenten_2017_2019: no column 'wijkenenbuurten' (region code (WK...))")
    assert "expected a CBS Kerncijfers wijken en buurten table" in message
    assert [(r.id, r.current_version) for r in p.catalog.list()] == before
    assert p.algorithms.count() == 0


def test_evaluate_on_a_dataset_one_may_not_read_is_refused(wmo_platform: Platform, tmp_path: Path) -> None:
    """Reading a dataset that is not openbaar needs its rows: the same real rows under a
    vertrouwelijk contract are refused for an analyst without a grant, and scored for its owner."""
    p = wmo_platform
    contract = yaml.safe_load(demo.contract_path("cbs_kwb_2019_den_haag").read_text(encoding="utf-8"))
    contract.update(id="kwb_vertrouwelijk", classification="vertrouwelijk")
    path = tmp_path / "kwb_vertrouwelijk.yaml"
    path.write_text(yaml.safe_dump(contract, allow_unicode=True), encoding="utf-8")
    p.register(path)
    p.ingestor.ingest(demo.data_path("cbs_kwb_2019_den_haag"), "kwb_vertrouwelijk")
    analyst = Actor("ana", frozenset({RoleGrant(Role.analyst)}))
    with pytest.raises(
        AccessDeniedError, match="^read_data on kwb_vertrouwelijk: vertrouwelijk: data only with a grant"
    ):
        p.models.wmo.evaluate(on="kwb_vertrouwelijk", actor=analyst)
    owner = Actor("olga", frozenset({RoleGrant(Role.data_owner, "kwb_vertrouwelijk")}))
    evaluation = p.models.wmo.evaluate(on="kwb_vertrouwelijk", actor=owner)
    assert evaluation.transfer is not None and len(evaluation.transfer) == 37
