"""The Wmo forecast on the platform: reads the catalogue, writes ``wmo_prognose``, registers the
model card. ``train`` fits, validates, publishes and registers; ``forecast`` fits and publishes;
``evaluate`` only measures. Writes ask the policy for ``ingest`` on ``wmo_prognose``; reading a
dataset that is not openbaar needs its rows (``CatalogAccess.rows``).

The model is refitted from the catalogued data each time: it is small and deterministic (fixed
seeds), so the same data give the same forecast byte for byte, and an unchanged forecast makes
no new version. Its version is the model's version plus a fingerprint of the input versions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from stadsdata.core.access import Actor
from stadsdata.errors import ModelError
from stadsdata.models.service import ModelService
from stadsdata.models.wmo import data
from stadsdata.models.wmo.contract import DATASET, ORIGIN, prognose_contract
from stadsdata.models.wmo.evaluate import Evaluation, evaluate
from stadsdata.models.wmo.forecast import forecast
from stadsdata.models.wmo.projection import project
from stadsdata.models.wmo.rates import RateModel, fit
from stadsdata.register import AlgorithmEntry, ModelCard

MODEL_NAME = "Wmo-prognose per wijk"
MODEL_VERSION = "1.0"
BASE = "cbs_kwb_2019_den_haag"  # wijken with Wmo clients and structure (the rate model's year)
LATER = "cbs_kwb_2021_den_haag"  # population by age band, a later year (the projection's base)
PANEL = "wmo_hbh_gemeenten_2017_2019"  # gemeente x year panel for the temporal backtest


@dataclass(frozen=True)
class Inputs:
    base: str = BASE
    later: str = LATER
    panel: str = PANEL
    base_year: int = 2019
    later_year: int = 2021


@dataclass(frozen=True)
class Fitted:
    inputs: Inputs
    wijken: data.Wijken
    later: pd.DataFrame
    model: RateModel
    forecast: pd.DataFrame
    version: str
    targets: data.Wijken | None = None  # the wijken forecast: every inhabited one with its features


@dataclass(frozen=True)
class Published:
    fitted: Fitted
    version: int  # the platform version of wmo_prognose
    new: bool  # False: the forecast was unchanged, no new version
    evaluation: Evaluation | None = None
    entry: AlgorithmEntry | None = None


class WmoForecast(ModelService):
    label = "Wmo model"
    purpose = "Wmo forecast"
    origin = ORIGIN
    model_version = MODEL_VERSION

    # -- reading -----------------------------------------------------------------------------
    def _fingerprint(self, inputs: Inputs) -> str:
        parts = {"model": MODEL_VERSION}
        for dataset_id in (inputs.base, inputs.later):
            parts[dataset_id] = self.content(dataset_id)
        digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
        return f"{MODEL_VERSION}+{digest[:10]}"

    def fit(self, inputs: Inputs = Inputs(), actor: Actor | None = None) -> Fitted:
        table = self.table(inputs.base, actor)
        wijken = data.wijken(inputs.base, table)
        # the model is fitted on the wijken with a reliable rate; it forecasts every inhabited wijk
        # whose structure is published (a small wijk's forecast is marked as uncertain)
        targets = data.wijken(inputs.base, table, need_wmo=False, min_inhabitants=1, impute=True)
        later = data.later_population(inputs.later, self.table(inputs.later, actor))
        missing = targets.frame.index.difference(later.index)
        if len(missing):
            raise ModelError(
                f"{inputs.later}: no row for wijk {missing[0]} of {inputs.base}; expected the same wijk codes"
            )
        model = fit(wijken.frame)
        projection = project(
            targets.frame, later.loc[targets.frame.index], start_year=inputs.base_year, end_year=inputs.later_year
        )
        anchor = wijken.frame["wmo"] / wijken.frame["population"]  # the fitted wijken's own 2019 rate
        predicted = forecast(model, projection, targets.frame, later, anchor=anchor)
        return Fitted(inputs, wijken, later, model, predicted, self._fingerprint(inputs), targets)

    def evaluate(self, inputs: Inputs = Inputs(), *, on: str | None = None, actor: Actor | None = None) -> Evaluation:
        """The validation (docs/wmo-forecast.md); with ``on``: also the transfer to that KWB dataset."""
        wijken = data.wijken(inputs.base, self.table(inputs.base, actor))
        other = data.wijken(on, self.table(on, actor)) if on else None
        panel = (inputs.panel, self.table(inputs.panel, actor)) if inputs.panel else None
        return evaluate(wijken, panel, other)

    # -- writing -----------------------------------------------------------------------------
    def _contract(self, fitted: Fitted) -> dict:  # type: ignore[type-arg]
        years = sorted(int(y) for y in fitted.forecast["year"].unique())
        city = fitted.forecast.loc[fitted.forecast["level"] == "gemeente", "code"].iloc[0]
        sources = [fitted.inputs.base, fitted.inputs.later]
        return prognose_contract(sources, fitted.inputs.later_year, years, city)

    def _rows(self, fitted: Fitted) -> pd.DataFrame:
        f = fitted.forecast
        return pd.DataFrame(
            {
                "gebiedscode": f["code"],
                "gebiedsniveau": f["level"],
                "jaar": f["year"].astype("int64"),
                "basisjaar": fitted.inputs.later_year,
                "inwoners": f["population"],
                "prognose": f["forecast"],
                "ondergrens": f["lower"],
                "bovengrens": f["upper"],
                "per_1000_inwoners": f["per_1000"],
                "modelversie": fitted.version,
                "toelichting": [
                    _note(fitted, code) if level == "wijk" else None
                    for level, code in zip(f["level"], f["code"], strict=True)
                ],
            }
        )

    def publish(self, fitted: Fitted, actor: Actor | None = None, *, asked: bool = False) -> Published:
        """``wmo_prognose``: registered with its generated contract and lineage the first time;
        a new version only when the forecast changed. ``asked``: the caller already asked the
        policy for this actor (one question, one audit entry per command)."""
        contract = self._contract(fitted)
        if not asked:
            self.ask(actor, DATASET, contract)
        rows = self._rows(fitted)
        version, new = self.write(
            DATASET, contract, rows, [fitted.inputs.base, fitted.inputs.later], float_format="%.1f"
        )
        return Published(fitted, version, new)

    def forecast(self, inputs: Inputs = Inputs(), actor: Actor | None = None) -> Published:
        return self.publish(self.fit(inputs, actor), actor)

    def train(
        self,
        inputs: Inputs = Inputs(),
        actor: Actor | None = None,
        *,
        by: str = "system",
        on_step: Callable[[str], None] | None = None,
    ) -> Published:
        """Fit, validate, publish ``wmo_prognose`` and register the model card with the measured
        performance. ``on_step`` hears each step's name before it starts (for progress bars)."""
        step = on_step or (lambda name: None)
        step("fit the projection and the rate model")
        fitted = self.fit(inputs, actor)
        self.ask(actor, DATASET, self._contract(fitted))  # before the evaluation: a refusal costs nothing
        step("validate (leave-one-wijk-out, backtest)")
        evaluation = self.evaluate(inputs, actor=actor)
        step(f"publish {DATASET}")
        published = self.publish(fitted, actor, asked=True)
        step("register the model card")
        data_used = [inputs.base, inputs.later, *([inputs.panel] if inputs.panel else []), DATASET]
        entry = self.algorithms.register_model(model_card(evaluation, fitted, data_used), by=by)
        return Published(fitted, published.version, published.new, evaluation, entry)


UNCERTAIN = (
    f"Minder dan {data.MIN_INHABITANTS:,} inwoners (of het Wmo-aantal is geheim): de wijk telt niet mee bij het "
    "schatten van het model en de prognose is onzeker."
).replace(",", ".")


IMPUTED = {
    "income": "het gemiddelde inkomen",
    "social_minimum": "het aandeel huishoudens rond het sociaal minimum",
    "welfare": "het aantal inwoners met bijstand",
}


def _note(fitted: Fitted, code: str) -> str | None:
    """Why a wijk's forecast is uncertain (``toelichting``): too small or a secret Wmo count for
    the fit, and which secret figures were filled with the median of the other wijken."""
    notes = [] if code in fitted.wijken.frame.index else [UNCERTAIN]
    filled = fitted.targets.imputed.get(code, []) if fitted.targets else []
    if filled:
        names = " en ".join(IMPUTED[key] for key in filled)
        notes.append(f"CBS houdt {names} geheim; de prognose gebruikt daarvoor de mediaan van de andere wijken.")
    return " ".join(notes) or None


def _nl(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


TECHNICAL = "Technisch:"  # separates the plain summary from the technical figures in ``performance``


def performance(evaluation: Evaluation) -> str:
    """The measured figures, in Dutch, for the register: first in plain words (B1), then technically
    after ``TECHNICAL`` (the portal shows the two parts apart)."""
    e = evaluation.loo_errors
    f = evaluation.fairness
    model, city, old = (float(e.loc[k, "mae"]) for k in ("model", "city_rate", "share_65"))
    groups = {g: float(f.loc[(g, "model"), "mape"]) for g in ("laag", "midden", "hoog")}
    plain = (
        f"In gewone woorden: we lieten steeds één wijk weg en voorspelden die met de andere wijken. Het model zat "
        f"dan gemiddeld {_nl(model, 0)} Wmo-cliënten per 1.000 inwoners naast het echte aantal. Eén gemiddelde "
        f"voor de hele stad zat er {_nl(city, 0)} naast, alleen het aantal 65-plussers {_nl(old, 0)}. Het model "
        f"zit er dus ongeveer half zo ver naast als de eenvoudige methodes."
        if 0.4 <= model / min(city, old) <= 0.6
        else f"In gewone woorden: we lieten steeds één wijk weg en voorspelden die met de andere wijken. Het model "
        f"zat dan gemiddeld {_nl(model, 0)} Wmo-cliënten per 1.000 inwoners naast het echte aantal. Eén "
        f"gemiddelde voor de hele stad zat er {_nl(city, 0)} naast, alleen het aantal 65-plussers {_nl(old, 0)}."
    )
    poorest = max(groups, key=lambda g: groups[g])
    plain += (
        f" Het model is niet slechter voor wijken met lage inkomens: het zit daar {_nl(groups['laag'], 0)}% naast, "
        f"in wijken met hoge inkomens {_nl(groups['hoog'], 0)}%."
        if poorest != "laag"
        else f" Let op: voor wijken met lage inkomens zit het model er het meest naast ({_nl(groups['laag'], 0)}%, "
        f"tegen {_nl(groups['hoog'], 0)}% bij hoge inkomens)."
    )
    if evaluation.backtest is not None:
        bs = evaluation.backtest.summary
        clean = bs.xs("without the breaks", level="set")["mae"]
        better = clean["anchored"] < clean["same_as_2017"]
        plain += (
            " We hebben ook getest of het model twee jaar vooruit kan kijken, voor gemeenten van 2017 naar 2019. "
            + (
                f"Dat ging beter dan aannemen dat alles gelijk blijft: gemiddeld {_nl(clean['anchored'])} per 1.000 "
                f"inwoners ernaast, tegen {_nl(clean['same_as_2017'])}."
                if better
                else "Dat ging niet beter dan aannemen dat alles gelijk blijft. Zie de prognose dus als een "
                "richting, niet als een precies getal."
            )
        )
    parts = [
        plain,
        TECHNICAL,
        f"Leave-one-out-kruisvalidatie over {evaluation.included} wijken van Den Haag (2019), per 1.000 inwoners: "
        f"gemiddelde absolute fout (MAE) {_nl(e.loc['model', 'mae'])}, MAPE {_nl(e.loc['model', 'mape'])}%; "
        f"tegen het stadsgemiddelde MAE {_nl(e.loc['city_rate', 'mae'])} (MAPE {_nl(e.loc['city_rate', 'mape'])}%) "
        f"en alleen het aandeel 65+ MAE {_nl(e.loc['share_65', 'mae'])} (MAPE {_nl(e.loc['share_65', 'mape'])}%). "
        f"Het 90%-voorspelinterval bevat {_nl(evaluation.coverage, 0)}% van de waargenomen aantallen.",
    ]
    parts.append(
        "Fout per inkomensgroep van de wijken (MAPE): "
        + ", ".join(f"{g} {_nl(f.loc[(g, 'model'), 'mape'])}%" for g in ("laag", "midden", "hoog"))
        + "."
    )
    b = evaluation.backtest
    if b is not None:
        s = b.summary
        clean = "without the breaks"
        breaks = b.table["break"] != ""
        gap = (b.table.loc[breaks, "observed"] - b.table.loc[breaks, "same_as_2017"]).abs()
        worst = [str(b.table.loc[c, "name"]) for c in gap.sort_values(ascending=False).index[:3]]
        anchored, same = s.loc[(clean, "anchored"), "mae"], s.loc[(clean, "same_as_2017"), "mae"]
        parts.append(
            f"Terugtoets op gemeenteniveau (hulp bij het huishouden, fit {b.fit_year}, voorspelling {b.test_year}, "
            f"{int(s.loc[(clean, 'model'), 'n'])} gemeenten zonder breuk), MAE per 1.000: eigen cijfer van "
            f"{b.fit_year} met de verandering volgens het model (zoals de prognose werkt) {_nl(anchored)}, "
            f"'gelijk aan {b.fit_year}' {_nl(same)}, alleen het model {_nl(s.loc[(clean, 'model'), 'mae'])}: "
            f"{'beter' if anchored < same else 'slechter'} dan doortrekken. "
            f"{int(breaks.sum())} gemeenten hebben een breuk in de reeks (grootste: "
            + ", ".join(worst)
            + "); die zijn apart genoemd, niet weggelaten."
        )
    return " ".join(parts)


def model_card(evaluation: Evaluation, fitted: Fitted, data_used: list[str]) -> ModelCard:
    ratios = fitted.model.rate_ratios()
    strongest = ", ".join(f"{data.FEATURES_NL[name]} {_nl(row['rate_ratio'], 3)}" for name, row in ratios.iterrows())
    years = sorted(int(y) for y in fitted.forecast["year"].unique())
    return ModelCard(
        name=MODEL_NAME,
        description_short=(
            f"Voorspelt het aantal Wmo-cliënten per wijk van Den Haag voor {years[0]}-{years[-1]}, met een "
            "bandbreedte, uit de bevolkingsopbouw en de sociaal-economische opbouw van de wijk."
        ),
        purpose=(
            "De vraag naar Wmo-voorzieningen per wijk vijf jaar vooruit inschatten, als onderbouwing van inkoop, "
            "begroting en wijkgerichte planning. Alleen op wijkniveau (groepen), nooit voor besluiten over personen."
        ),
        data_used=data_used,
        method=(
            "Een bevolkingsprognose per wijk en leeftijdsgroep (eigen cohortroutine: doorschuiven tussen "
            "leeftijdsgroepen plus de netto verandering per groep zoals waargenomen van 2019 naar 2021, met een lage "
            "en hoge variant), en een Poisson-regressie (quasi-Poisson, statsmodels) van het aantal Wmo-cliënten per "
            "wijk in 2019 met het aantal inwoners als blootstelling, op het aandeel 0-14 en 65+, "
            "eenpersoonshuishoudens, inkomen per inwoner, huishoudens rond het sociaal minimum en bijstand. "
            "Rate ratio's: "
            f"{strongest}. De prognose begint bij het eigen Wmo-cijfer van de wijk in 2019 en verandert met wat het "
            "model verwacht bij de geprojecteerde opbouw (wijken zonder betrouwbaar eigen cijfer: het model alleen, "
            "gemarkeerd als onzeker), met een 90%-interval uit een parametrische bootstrap. "
            f"Modelversie {fitted.version}. Zie docs/wmo-forecast.md."
        ),
        performance=performance(evaluation),
        human_oversight=(
            "Beleidsonderzoekers van OCW beoordelen elke nieuwe prognose en de validatie voordat die wordt gebruikt; "
            "de uitkomst is een hulpmiddel bij planning en begroting, geen besluit. Er worden geen besluiten over "
            "personen mee genomen: het model werkt op totalen per wijk en kent geen individuen."
        ),
        organization="Gemeente Den Haag",
        contact_email="data@denhaag.nl",
        lawful_basis="Wmo 2015, art. 2.1.2 (beleidsplan maatschappelijke ondersteuning)",
        extra={
            "risks": (
                "Er is maar één jaar Wmo-gegevens per wijk (2019) en twee jaar bevolking (2019, 2021): de prognose "
                "neemt aan dat de verbanden van 2019 blijven gelden en dat inkomen en uitkeringen gelijk blijven. "
                "Veranderingen in beleid of registratie (zoals bij de huishoudelijke hulp in Den Haag na 2017) kan het "
                "model niet zien. Wijken onder 1.000 inwoners of met een geheim aantal vallen erbuiten."
            ),
        },
    )
