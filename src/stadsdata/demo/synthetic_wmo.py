"""A SYNTHETIC Wmo client register for Den Haag 2019, made from real published aggregates.

No real personal data is public, so the governance demo (opgaven, pseudonymised workspaces,
disclosure control) runs on a made-up register: one row per client with a made-up BSN, birth date,
postcode, wijk, buurt, the client's main Wmo provision and its start and end dates. Nothing in it
describes a real person. It is shaped by the real CBS figures in ``data/kwb_2019_den_haag.csv``
(*Kerncijfers wijken en buurten 2019*, CC BY 4.0):

* **Clients per wijk** equal ``WmoClienten_89`` of each wijk row exactly. An empty cell (CBS keeps
  the figure secret or has none: WK051801, WK051810, WK051843) gives 0 clients.
* **Buurt**: the wijk's clients are shared out over its buurten in proportion to the buurten's own
  ``WmoClienten_89`` (empty counts as 0); when no buurt of the wijk has a count, in proportion to
  the buurten's inhabitants. Shares are whole numbers by the largest-remainder method.
* **Age**: the wijk's clients are shared out over the five CBS age bands (``k_0Tot15Jaar_8`` ...
  ``k_65JaarOfOuder_12``) in proportion to *inhabitants in the band x the band's relative Wmo use*
  (``USE_WEIGHTS``). These weights are an **assumption** of this demo, not a measured Den Haag
  figure: they say that a person of 65 or over is 7.5 times as likely to be a Wmo client as one of
  25-44, as national figures suggest (use rises steeply with age; children are mostly served by
  the Jeugdwet). Within 65+, ages follow ``OLD_AGE_WEIGHTS`` (also an assumption: most clients are
  75-89); within the other bands ages are uniform. Ages are on 1 January 2019 (the KWB's date).
* **Postcode**: the buurt's most common four-digit postcode (``MeestVoorkomendePostcode_113``)
  plus two random letters. The PC4 is real; the full six-character postcode is made up and may or
  may not exist.
* **BSN**: nine digits that pass the elfproef (the 11-test), all starting with ``999``, the range
  Dutch test environments use for test persons. They are made up; whether a real person holds
  one is not checked and not implied.
* **Provision** (voorziening): one main maatwerkvoorziening per client, drawn from
  ``PROVISION_MIX`` by age (an assumption, not calibrated to Den Haag: CBS 84753NED, for example,
  counts only 20 Den Haag clients with "Hulp bij het huishouden" as a maatwerkarrangement in 2019).
* **Dates**: every client had the provision at some time in 2019. The start date is uniform from
  1 January 2016 (or the birth date, if later) to 31 December 2019; a share ``ENDED_SHARE`` of the
  provisions ended during 2019 (end date after the start, at most 30 December 2019); the others
  were still running on 31 December 2019 and have no end date.

The output is deterministic: a fixed seed and only ``random.Random.random`` (whose sequence Python
keeps stable across versions), so regenerating gives the same bytes. Regenerate with
``python -m stadsdata.demo.synthetic_wmo`` after a change here, and say so in ``data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from stadsdata.demo import DATA

T = TypeVar("T")

KWB_FILE = DATA / "kwb_2019_den_haag.csv"
OUTPUT_FILE = DATA / "wmo_clienten_synthetisch.csv"
SEED = 20190101
DELIMITER = ";"
COLUMNS = ("bsn", "geboortedatum", "postcode", "wijkcode", "buurtcode", "voorziening", "startdatum", "einddatum")

AGE_DATE = dt.date(2019, 1, 1)  # the KWB's population date; ages are counted on this day
FIRST_START = dt.date(2016, 1, 1)
YEAR_START = dt.date(2019, 1, 1)
YEAR_END = dt.date(2019, 12, 31)
LAST_END = dt.date(2019, 12, 30)  # an ended provision ended before 31 December 2019
ENDED_SHARE = 0.2  # assumption: one in five provisions of the year ended during it

BSN_PREFIX = 999  # test-person range; see the module docstring
BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


@dataclass(frozen=True)
class AgeBand:
    column: str  # the KWB column with the band's inhabitants
    low: int
    high: int  # inclusive
    weight: float  # relative Wmo use per inhabitant (25-44 = 1): an assumption


#: The five CBS age bands and the assumed relative Wmo use per inhabitant (25-44 = 1).
USE_WEIGHTS: tuple[AgeBand, ...] = (
    AgeBand("k_0Tot15Jaar_8", 0, 14, 0.2),
    AgeBand("k_15Tot25Jaar_9", 15, 24, 0.6),
    AgeBand("k_25Tot45Jaar_10", 25, 44, 1.0),
    AgeBand("k_45Tot65Jaar_11", 45, 64, 1.8),
    AgeBand("k_65JaarOfOuder_12", 65, 104, 7.5),
)

#: Within 65+: relative weight of each five-year group (assumption); ages uniform within a group.
OLD_AGE_WEIGHTS: tuple[tuple[int, float], ...] = (
    (65, 10),
    (70, 14),
    (75, 18),
    (80, 22),
    (85, 20),
    (90, 11),
    (95, 3),
    (100, 0.3),
)

HUISHOUDEN = "Hulp bij het huishouden"
BEGELEIDING = "Begeleiding"
DAGBESTEDING = "Dagbesteding"
HULPMIDDELEN = "Hulpmiddelen en woningaanpassingen"
VERVOER = "Vervoersvoorziening"
BESCHERMD_WONEN = "Beschermd wonen"
PROVISIONS = (HUISHOUDEN, BEGELEIDING, DAGBESTEDING, HULPMIDDELEN, VERVOER, BESCHERMD_WONEN)

#: The main provision's probabilities by age group (assumption): minors mostly get aids and
#: transport (support and day care for minors fall under the Jeugdwet); adults under 65 more often
#: support, day care and sheltered housing; clients of 65+ mostly home help, aids and transport.
PROVISION_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "0-17": ((HULPMIDDELEN, 0.6), (VERVOER, 0.4)),
    "18-64": (
        (HUISHOUDEN, 0.20),
        (BEGELEIDING, 0.30),
        (DAGBESTEDING, 0.15),
        (HULPMIDDELEN, 0.15),
        (VERVOER, 0.10),
        (BESCHERMD_WONEN, 0.10),
    ),
    "65+": (
        (HUISHOUDEN, 0.40),
        (BEGELEIDING, 0.08),
        (DAGBESTEDING, 0.07),
        (HULPMIDDELEN, 0.25),
        (VERVOER, 0.20),
    ),
}

# Letters for the made-up postcode suffix; SA, SD and SS are never used in Dutch postcodes.
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NEVER_USED = frozenset({"SA", "SD", "SS"})


@dataclass(frozen=True)
class Buurt:
    code: str
    wmo: int | None
    inhabitants: int
    pc4: str


@dataclass(frozen=True)
class Wijk:
    code: str
    wmo: int | None
    bands: tuple[int, ...]  # inhabitants per USE_WEIGHTS band
    buurten: tuple[Buurt, ...]

    @property
    def clients(self) -> int:
        return self.wmo or 0


@dataclass(frozen=True)
class Client:
    bsn: str
    geboortedatum: dt.date
    postcode: str
    wijkcode: str
    buurtcode: str
    voorziening: str
    startdatum: dt.date
    einddatum: dt.date | None

    def cells(self) -> list[str]:
        return [
            self.bsn,
            self.geboortedatum.isoformat(),
            self.postcode,
            self.wijkcode,
            self.buurtcode,
            self.voorziening,
            self.startdatum.isoformat(),
            self.einddatum.isoformat() if self.einddatum else "",
        ]


# -- the real aggregates ---------------------------------------------------------------------------
def _count(value: str) -> int | None:
    return int(value) if value.strip() else None


def read_wijken(path: Path = KWB_FILE) -> list[Wijk]:
    """The wijken of the KWB file with their Wmo count, age bands and buurten, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    buurten: dict[str, list[Buurt]] = {}
    for row in rows:
        if row["SoortRegio_2"] == "Buurt":
            code = row["Codering_3"]
            buurt = Buurt(
                code=code,
                wmo=_count(row["WmoClienten_89"]),
                inhabitants=_count(row["AantalInwoners_5"]) or 0,
                pc4=row["MeestVoorkomendePostcode_113"],
            )
            buurten.setdefault("WK" + code[2:8], []).append(buurt)
    return [
        Wijk(
            code=row["Codering_3"],
            wmo=_count(row["WmoClienten_89"]),
            bands=tuple(_count(row[band.column]) or 0 for band in USE_WEIGHTS),
            buurten=tuple(buurten.get(row["Codering_3"], [])),
        )
        for row in rows
        if row["SoortRegio_2"] == "Wijk"
    ]


# -- pure helpers ------------------------------------------------------------------------------------
def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split into whole numbers proportional to ``weights`` (largest remainder; ties go to
    the earlier position). All-zero weights with a positive total raise ValueError."""
    if total == 0:
        return [0] * len(weights)
    whole = sum(weights)
    if whole <= 0:
        raise ValueError(f"cannot share {total} over weights that sum to {whole}")
    quotas = [total * w / whole for w in weights]
    shares = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def elfproef(number: str) -> bool:
    """True when ``number`` is nine digits passing the BSN 11-test (weights 9..2 and -1)."""
    if len(number) != 9 or not number.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(number, BSN_WEIGHTS, strict=True)) % 11 == 0


def band_shares(wijk: Wijk) -> list[int]:
    """The wijk's clients per USE_WEIGHTS band: the documented weighting of the age structure."""
    weights = [inhabitants * band.weight for inhabitants, band in zip(wijk.bands, USE_WEIGHTS, strict=True)]
    return apportion(wijk.clients, weights)


def buurt_shares(wijk: Wijk) -> list[int]:
    """The wijk's clients per buurt: by the buurten's Wmo counts, else by their inhabitants."""
    weights: list[float] = [b.wmo or 0 for b in wijk.buurten]
    if not any(weights):
        weights = [b.inhabitants for b in wijk.buurten]
    return apportion(wijk.clients, weights)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# -- random draws (only Random.random, which is stable across Python versions) ----------------------
def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    point = rng.random() * sum(w for _, w in options)
    for value, weight in options:
        point -= weight
        if point < 0:
            return value
    return options[-1][0]


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=_below(rng, (last - first).days + 1))


def _age(rng: random.Random, band: AgeBand) -> int:
    if band.high < 65:
        return band.low + _below(rng, band.high - band.low + 1)
    return _weighted(rng, OLD_AGE_WEIGHTS) + _below(rng, 5)


def _birth_date(rng: random.Random, age: int) -> dt.date:
    """A birth date at which someone is ``age`` on AGE_DATE (1 January)."""
    last = AGE_DATE.replace(year=AGE_DATE.year - age)
    first = AGE_DATE.replace(year=AGE_DATE.year - age - 1) + dt.timedelta(days=1)
    return _day_between(rng, first, last)


def _bsn(rng: random.Random, taken: set[str]) -> str:
    """A new number: the prefix, five random digits and the check digit the elfproef needs
    (drawn again when that digit would be 10, or when the number is taken)."""
    while True:
        body = f"{BSN_PREFIX}{_below(rng, 100_000):05d}"
        check = sum(int(d) * w for d, w in zip(body, BSN_WEIGHTS, strict=False)) % 11
        number = f"{body}{check}"
        if check < 10 and number not in taken:
            taken.add(number)
            return number


def _postcode(rng: random.Random, pc4: str) -> str:
    while True:
        letters = LETTERS[_below(rng, 26)] + LETTERS[_below(rng, 26)]
        if letters not in NEVER_USED:
            return pc4 + letters


def _provision(rng: random.Random, age: int) -> str:
    group = "0-17" if age < 18 else "18-64" if age < 65 else "65+"
    return _weighted(rng, PROVISION_MIX[group])


def _dates(rng: random.Random, birth: dt.date) -> tuple[dt.date, dt.date | None]:
    start = _day_between(rng, max(FIRST_START, birth), YEAR_END)
    first_end = max(start + dt.timedelta(days=1), YEAR_START)
    if rng.random() < ENDED_SHARE and first_end <= LAST_END:
        return start, _day_between(rng, first_end, LAST_END)
    return start, None


# -- the register ----------------------------------------------------------------------------------
def clients(kwb_file: Path = KWB_FILE, seed: int = SEED) -> list[Client]:
    """The synthetic register: one Client per Wmo client of every wijk, sorted by wijk, buurt, bsn."""
    rng = random.Random(seed)
    taken: set[str] = set()
    out: list[Client] = []
    for wijk in read_wijken(kwb_file):
        if not wijk.clients:
            continue
        ages = [
            _age(rng, band) for band, count in zip(USE_WEIGHTS, band_shares(wijk), strict=True) for _ in range(count)
        ]
        buurten = [b for b, count in zip(wijk.buurten, buurt_shares(wijk), strict=True) for _ in range(count)]
        # Pair ages and buurten at random, so that buurten do not get one age band each.
        for position in range(len(ages) - 1, 0, -1):
            other = _below(rng, position + 1)
            ages[position], ages[other] = ages[other], ages[position]
        for age, buurt in zip(ages, buurten, strict=True):
            birth = _birth_date(rng, age)
            start, end = _dates(rng, birth)
            out.append(
                Client(
                    bsn=_bsn(rng, taken),
                    geboortedatum=birth,
                    postcode=_postcode(rng, buurt.pc4),
                    wijkcode=wijk.code,
                    buurtcode=buurt.code,
                    voorziening=_provision(rng, age),
                    startdatum=start,
                    einddatum=end,
                )
            )
    out.sort(key=lambda c: (c.wijkcode, c.buurtcode, c.bsn))
    return out


def render(register: Sequence[Client]) -> bytes:
    """The register as the delivered file: UTF-8, ``;``-separated, a header, ``\\n`` line ends."""
    lines = [DELIMITER.join(COLUMNS)] + [DELIMITER.join(c.cells()) for c in register]
    return ("\n".join(lines) + "\n").encode("utf-8")


def generate(kwb_file: Path = KWB_FILE, seed: int = SEED) -> bytes:
    """The bytes of ``data/wmo_clienten_synthetisch.csv``."""
    return render(clients(kwb_file, seed))


def main(argv: Sequence[str] | None = None) -> int:
    """Write the register (default: the demo data file) and say how many clients it holds."""
    args = list(sys.argv[1:] if argv is None else argv)
    target = Path(args[0]) if args else OUTPUT_FILE
    register = clients()
    target.write_bytes(render(register))
    print(f"{target}: {len(register)} synthetic clients")  # noqa: T201 - a script's one line of output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
