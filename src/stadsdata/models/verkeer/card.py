"""The traffic-risk model's entry in the algorithm register (its model card), in Dutch, with the
figures measured by the backtest (``evaluate.py``), never typed in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stadsdata.models.verkeer.evaluate import TOP, Backtest
from stadsdata.register import ModelCard

if TYPE_CHECKING:
    from stadsdata.models.verkeer.service import Hotspots

MODEL_NAME = "Verkeersrisicomodel"
PAGE = "/verkeer"


def _nl(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def performance(b: Backtest | None) -> str:
    if b is None:
        return "Niet gemeten: de ongevallen beslaan maar één jaar, dus er is geen tweede periode om mee te toetsen."
    better = "kleiner" if b.mae_shrunk < b.mae_raw else "groter"
    return (
        f"Terugtoets in de tijd over {_nl(b.locations, 0)} locaties in {b.gemeenten} gemeenten: de scores uit "
        f"{b.first[0]}-{b.first[1]} voorspellen de gewogen ongevallen van {b.second[0]}-{b.second[1]}. "
        f"Gemiddelde absolute fout per locatie: ruwe gewogen telling {_nl(b.mae_raw)}, risicoscore (empirische Bayes) "
        f"{_nl(b.mae_shrunk)} ({better}), en voor iedereen het gemiddelde van de gemeente {_nl(b.mae_mean)}. "
        f"Van de top {TOP} per gemeente (gemeenten met ten minste {2 * TOP} locaties, samen {b.top_total} plekken) "
        f"staan er in de tweede periode {b.top_kept_shrunk} weer in de top {TOP} volgens de risicoscore, tegen "
        f"{b.top_kept_raw} volgens de ruwe telling. Ongevallen op één plek zijn schaars en wisselen sterk van jaar "
        "tot jaar: de ranglijst wijst plekken aan om te onderzoeken, geen zekerheden."
    )


def model_card(result: Hotspots, measured: Backtest | None, data_used: list[str]) -> ModelCard:
    w = result.weights
    first, last = result.years
    return ModelCard(
        name=MODEL_NAME,
        description_short=(
            f"Rangschikt de plekken op de weg met geregistreerde verkeersongevallen ({first}-{last}) per gemeente naar "
            "risico, en legt die naast meldingen van bewoners over onveilige verkeerssituaties. Portaalpagina: "
            f"{PAGE}."
        ),
        purpose=(
            "Helpen kiezen welke kruispunten en wegvakken de gemeente als eerste onderzoekt en aanpakt: eerst de "
            "plekken waar de ongevallencijfers en de ervaring van bewoners allebei op gevaar wijzen. Alleen plekken, "
            "nooit personen."
        ),
        data_used=data_used,
        method=(
            "Ongevallen worden geteld uit de partijen van BRON (per jaar, plek, ernst en aard: het grootste aantal "
            f"rijen met hetzelfde partijnummer). Punten van het wegennet binnen {result.radius:g} meter vormen één "
            f"locatie (RD New). Gewogen telling: dodelijk x {w.fatal:g}, letsel x {w.injury:g}, uitsluitend "
            f"materiële schade x {w.material:g}. De risicoscore is per ernstklasse een empirische-Bayesschatting "
            "(gamma-Poisson, verdeling geschat met de momentenmethode over de locaties van de gemeente) en dan "
            "gewogen opgeteld: plekken met weinig ongevallen schuiven naar het gemiddelde van de gemeente, zodat "
            "toeval minder meetelt. De koppeling met meldingen telt per locatie de meldingen 'Onveilige "
            "verkeerssituatie' binnen een afstand en zet plekken waar risico en meldingen allebei hoog zijn "
            f"bovenaan (rangproduct binnen kwadranten). Modelversie {result.version}. Zie docs/traffic-risk.md."
        ),
        performance=performance(measured),
        human_oversight=(
            "Verkeerskundigen beoordelen elke plek op de lijst ter plaatse en met eigen kennis voordat er iets "
            "besloten wordt; de lijst is een hulpmiddel om te kiezen wat eerst onderzocht wordt, geen besluit. Het "
            "model werkt met totalen per plek op de weg en kent geen personen of voertuigen."
        ),
        organization="Gemeente Den Haag",
        contact_email="data@denhaag.nl",
        lawful_basis="Wegenverkeerswet 1994, art. 18 (zorg van de wegbeheerder voor de verkeersveiligheid)",
        extra={
            "risks": (
                "BRON bevat alleen ongevallen die politie of Rijkswaterstaat registreerde; lichte ongevallen en "
                "ongevallen zonder motorvoertuig ontbreken vaker. Het gedeelde bestand is vermoedelijk niet "
                "volledig, heeft geen ongevalsnummer (het aantal ongevallen is geschat uit de partijen) en plaatst "
                "ongevallen op punten van het wegennet. Verkeersdrukte is niet bekend: een drukke plek kan hoog "
                "staan zonder gevaarlijker te zijn per passant. Plekken zonder ongevallen staan er niet in. Meldingen "
                "van bewoners hangen af van wie meldt; buurten die minder melden lijken veiliger."
            ),
            "tags": "verkeersveiligheid, ongevallen, BRON, hotspots, empirische Bayes, meldingen",
        },
    )
