"""Demo panels for the migration regressions: a REAL region-year panel and a SYNTHETIC one.

:func:`real_panel` builds a region × year panel from the data shipped in
:mod:`regbef_excel.data` for the 159 TØI housing and labour-market regions (BA regions, 2019;
``level="county"`` gives the 15 counties instead). Nothing is downloaded.

Estimated variables (labelled "estimated" in :attr:`PanelData.variables`, on the workbook's
panel sheet and in every table note):

* ``nettoinnflytting`` — **total** net migration per 1000 (internal *and* to/from abroad)
  by the residual method of :mod:`regbef_excel.engine.residual`: the regions' population on
  1 January of years y and y+1 (SSB 07459), expected survivors with Norway's death
  probabilities of year y (HMD, converted by :func:`regbef_excel.data.inputs.national_rates`;
  2024–2025 reuse 2023, the last HMD year), newborns by the "child" rule (they migrate at the
  net rate of ages 1–4). Divided by the population on 1 January of year y × 1000.
  The thesis' dependent variable is *internal* net migration only; ours includes immigration,
  so its mean is positive where the thesis' is negative.
* ``fodte_est``, ``dode_est`` — births and deaths implied by the same accounting.
* ``arbeidsledighet`` — registered fully unemployed (NAV "helt ledige") in % of the labour
  force, calendar-year mean of the monthly figures, for a BA region the mean of its
  municipalities' rates weighted by their population aged 15–74 on 1 January. NAV publishes
  municipal rates only for Telemark in the shipped data (used where all 12 months are present);
  elsewhere the municipality gets its **county's** rate. Available 2011–2025 (blank before:
  listwise deletion in models that use it).

Observed (not estimated): ``befolkning`` (1 January), ``alder1`` (share aged 15–24, the
thesis' alder1 analogue), ``alder67`` (share aged 67+), ``ln_befolkning``, ``nledighet``
(national NAV rate), ``by``/``by100`` (region population on 1 January 2010 above
150 000 / 100 000, the thesis' table 11 definition applied to BA regions).

Residual identity (exact up to floating point): ``befolkningsendring = fodte_est − dode_est +
nettoflytting`` for every region and year.

:func:`synthetic_panel` draws a **SYNTHETIC** panel shaped like the thesis (85 regions × 24
years, 1994–2017) whose sample means, standard deviations (N−1) and Pearson correlations equal
the thesis' printed table 1 and table 9 (to floating point; minima and maxima are not matched
and normal margins may give values outside a variable's natural range — so does the thesis'
own table 1, e.g. arbeidsledighet min −2.347). It is for showing the thesis-style tables and
must never be read as data about Norway: every label says SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.data.inputs import national_rates
from regbef_excel.engine.inputs import MAX_AGE
from regbef_excel.engine.residual import residual_net_migration
from regbef_excel.errors import InputError, Location

PanelKind = Literal["real", "synthetic"]
#: Region and year column keys of every demo panel (the regression's entity and time).
REGION, YEAR = "region", "year"
#: Thresholds of the city-region dummies (thesis table 11), persons on 1 January 2010.
CITY_THRESHOLD, CITY100_THRESHOLD = 150_000, 100_000
CITY_YEAR = 2010
#: Ages of the alder1 analogue (15–24) and of the old-age share (67+).
YOUNG_AGES = (15, 25)
OLD_AGE = 67
#: Ages whose population weights municipal unemployment rates (labour-force proxy).
WORKING_AGES = (15, 75)
NAV_FIRST_YEAR, NAV_LAST_YEAR = 2011, 2025


@dataclass(frozen=True)
class VariableInfo:
    """Definition of one panel variable (one row of the workbook's variable table)."""

    key: str
    label_nb: str
    label_en: str
    unit_nb: str = ""
    unit_en: str = ""
    source: str = ""
    estimated: bool = False
    note_nb: str = ""
    note_en: str = ""

    def label(self, language: str) -> str:
        return self.label_nb if language == "nb" else self.label_en


@dataclass
class PanelData:
    """A region-year panel with its variable definitions and provenance.

    Attributes
    ----------
    data
        One row per region and year: ``region``, ``region_code``, ``year`` and the variables.
    variables
        Definitions of the variable columns (not region/region_code/year), in column order.
    kind
        ``"real"`` (shipped SSB/NAV/HMD data, some variables estimated) or ``"synthetic"``.
    title_nb, title_en
        One-line description for sheet titles and the cover.
    notes_nb, notes_en
        Provenance and caveats, one sentence per entry.
    """

    data: pd.DataFrame
    variables: tuple[VariableInfo, ...]
    kind: PanelKind
    title_nb: str
    title_en: str
    notes_nb: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)
    entity: str = REGION
    time: str = YEAR

    def variable(self, key: str) -> VariableInfo:
        for v in self.variables:
            if v.key == key:
                return v
        raise KeyError(key)

    def title(self, language: str) -> str:
        return self.title_nb if language == "nb" else self.title_en

    def notes(self, language: str) -> list[str]:
        return self.notes_nb if language == "nb" else self.notes_en

    @property
    def estimated(self) -> list[str]:
        """Keys of the estimated variables."""
        return [v.key for v in self.variables if v.estimated]

    def variable_table(self) -> pd.DataFrame:
        """The definitions as a table (one row per variable)."""
        return pd.DataFrame([v.__dict__ for v in self.variables])


# ----------------------------------------------------------------------------------------------
# Real panel
# ----------------------------------------------------------------------------------------------
_SSB = "SSB 07459"
_NAV = "NAV, helt ledige"
REAL_VARIABLES: tuple[VariableInfo, ...] = (
    VariableInfo("nettoinnflytting", "Nettoinnflytting per 1000 (estimert)",
                 "Net in-migration per 1000 (estimated)", "per 1000", "per 1000",
                 f"{_SSB} + HMD; residualmetoden", True,
                 "ESTIMERT: samlet nettoflytting (innenlands og utland) med residualmetoden "
                 "(endring i kohortene minus forventede overlevende med nasjonale dødsrater), "
                 "delt på befolkningen 1. januar × 1000",
                 "ESTIMATED: total net migration (internal and abroad) by the residual method "
                 "(cohort change minus expected survivors with national death rates), divided "
                 "by the population on 1 January × 1000"),
    VariableInfo("arbeidsledighet", "Arbeidsledighet (estimert for regionen)",
                 "Unemployment (estimated for the region)", "%", "%",
                 f"{_NAV}; årsgjennomsnitt", True,
                 "ESTIMERT: registrerte helt ledige i % av arbeidsstyrken (NAV), årsgjennomsnitt; "
                 "kommunetall der NAV har dem (Telemark), ellers fylkets rate; veid med "
                 "befolkningen 15–74 år. Mangler før 2011",
                 "ESTIMATED: registered fully unemployed in % of the labour force (NAV), annual "
                 "mean; municipal rates where NAV has them (Telemark), otherwise the county's; "
                 "weighted by population aged 15–74. Missing before 2011"),
    VariableInfo("nledighet", "Nasjonal arbeidsledighet", "National unemployment", "%", "%",
                 f"{_NAV}; Norge, årsgjennomsnitt", False,
                 "Helt ledige i % av arbeidsstyrken, hele landet; varierer bare over år "
                 "(kollineær med årsdummyene). Mangler før 2011",
                 "Fully unemployed in % of the labour force, Norway; varies by year only "
                 "(collinear with the year dummies). Missing before 2011"),
    VariableInfo("alder1", "Andel 15–24 år", "Share aged 15–24", "andel", "share", _SSB, False,
                 "Andel av befolkningen 1. januar som er 15–24 år (oppgavens alder1)",
                 "Share of the 1 January population aged 15–24 (the thesis' alder1)"),
    VariableInfo("alder67", "Andel 67 år og eldre", "Share aged 67+", "andel", "share", _SSB,
                 False, "Andel av befolkningen 1. januar som er 67 år eller eldre",
                 "Share of the 1 January population aged 67 or older"),
    VariableInfo("ln_befolkning", "ln(befolkning)", "ln(population)", "", "", _SSB, False,
                 "Naturlig logaritme av befolkningen 1. januar",
                 "Natural logarithm of the population on 1 January"),
    VariableInfo("by", "Byregion (>150 000)", "City region (>150,000)", "0/1", "0/1", _SSB, False,
                 "1 hvis regionen hadde over 150 000 innbyggere 1. januar 2010 (tidsinvariant)",
                 "1 if the region had more than 150,000 inhabitants on 1 January 2010 "
                 "(time-invariant)"),
    VariableInfo("by100", "Byregion (>100 000)", "City region (>100,000)", "0/1", "0/1", _SSB,
                 False, "1 hvis regionen hadde over 100 000 innbyggere 1. januar 2010",
                 "1 if the region had more than 100,000 inhabitants on 1 January 2010"),
    VariableInfo("befolkning", "Befolkning 1. januar", "Population on 1 January", "personer",
                 "persons", _SSB, False, "Folkemengde 1. januar i året",
                 "Population on 1 January of the year"),
    VariableInfo("befolkningsendring", "Befolkningsendring i året", "Population change in the year",
                 "personer", "persons", _SSB, False,
                 "Befolkning 1. januar neste år minus befolkning 1. januar",
                 "Population on 1 January next year minus population on 1 January"),
    VariableInfo("nettoflytting", "Nettoflytting (estimert)", "Net migration (estimated)",
                 "personer", "persons", f"{_SSB} + HMD; residualmetoden", True,
                 "ESTIMERT: samlet nettoflytting i året (residualmetoden)",
                 "ESTIMATED: total net migration in the year (residual method)"),
    VariableInfo("fodte_est", "Fødte (estimert)", "Births (estimated)", "personer", "persons",
                 f"{_SSB} + HMD; residualmetoden", True,
                 "ESTIMERT: fødte beregnet fra 0-åringene (nyfødte flytter som 1–4-åringene)",
                 "ESTIMATED: births from the age-0 stock (newborns migrate like ages 1–4)"),
    VariableInfo("dode_est", "Døde (estimert)", "Deaths (estimated)", "personer", "persons",
                 "HMD Norge; nasjonale dødsrater", True,
                 "ESTIMERT: forventede dødsfall med nasjonale dødssannsynligheter",
                 "ESTIMATED: expected deaths with national death probabilities"),
)  # fmt: skip


def _region_map(level: str) -> tuple[pd.DataFrame, list[str]]:
    """Municipality → region table (``municip_code, region_code, region``) and sorted codes."""
    m = data.municipalities()
    if level == "ba":
        regions = m.assign(region_code=m["ba_region_code"].astype(int), region=m["ba_region_name"])
    elif level == "county":
        regions = m.assign(region_code=m["county_code"].astype(int), region=m["county_name"])
    else:
        raise InputError(
            "unknown region level", location=Location(column="level"), found=level,
            expected="'ba' (TØI housing and labour-market regions) or 'county'",
        )  # fmt: skip
    regions = regions[["municip_code", "county_code", "region_code", "region"]]
    return regions.sort_values("municip_code").reset_index(drop=True), sorted(m["municip_code"])


def _unemployment(
    regions: pd.DataFrame, weights: dict[int, np.ndarray], assign: np.ndarray, n_regions: int
) -> tuple[dict[int, np.ndarray], dict[int, float]]:
    """Regional (weighted municipal/county) and national NAV rates in % by year."""
    nav = data.nav_unemployment(annual=True)
    nav = nav[(nav["status"] == "fully_unemployed") & (nav["sex"] == "T")]
    nav = nav[nav["year"].between(NAV_FIRST_YEAR, NAV_LAST_YEAR)]
    national = nav[nav["level"] == "national"].set_index("year")["share_of_labour_force"]
    county = nav[nav["level"] == "county"].set_index(["region_code", "year"])[
        "share_of_labour_force"
    ]
    muni = nav[(nav["level"] == "municipality") & (nav["months"] == 12)].set_index(
        ["region_code", "year"]
    )["share_of_labour_force"]
    out: dict[int, np.ndarray] = {}
    for year in range(NAV_FIRST_YEAR, NAV_LAST_YEAR + 1):
        if year not in weights:
            continue
        c_rate = county.reindex(pd.MultiIndex.from_arrays(
            [regions["county_code"], np.full(len(regions), year)]
        )).to_numpy(dtype=float)  # fmt: skip
        m_rate = muni.reindex(pd.MultiIndex.from_arrays(
            [regions["municip_code"], np.full(len(regions), year)]
        )).to_numpy(dtype=float)  # fmt: skip
        rate = np.where(np.isfinite(m_rate), m_rate, c_rate)
        w = weights[year] * np.isfinite(rate)
        num = np.bincount(assign, weights=np.nan_to_num(rate) * w, minlength=n_regions)
        den = np.bincount(assign, weights=w, minlength=n_regions)
        out[year] = np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)
    nat = {int(y): 100.0 * float(v) for y, v in national.items()}
    return out, nat


def real_panel(
    level: Literal["ba", "county"] = "ba", first_year: int = 2006, last_year: int = 2025
) -> PanelData:
    """A region-year panel from the shipped SSB, NAV and HMD data (see the module docstring).

    Parameters
    ----------
    level
        ``"ba"``: the 159 TØI housing and labour-market regions (2019, on 2024 municipality
        borders); ``"county"``: the 15 counties.
    first_year, last_year
        Flow years (1 January of ``y`` to 1 January of ``y + 1``); 2006–2025 is the widest
        range the population data allow (two municipalities lack 2005).

    Returns
    -------
    PanelData
        ``kind="real"``; the estimated variables are flagged in ``variables``.
    """
    if not 2006 <= first_year <= last_year <= 2025:
        raise InputError(
            "years out of range", location=Location(column="year"),
            found=(first_year, last_year), expected="2006 <= first_year <= last_year <= 2025",
        )  # fmt: skip
    regions, codes = _region_map(level)
    reg_table = regions[["region_code", "region"]].drop_duplicates().sort_values("region_code")
    reg_codes = reg_table["region_code"].to_numpy()
    n_reg = len(reg_codes)
    assign = np.searchsorted(reg_codes, regions["region_code"].to_numpy())
    stock_years = list(range(first_year, last_year + 2))
    muni = {y: data.population_array(codes, y, max_age=MAX_AGE).astype(float) for y in stock_years}
    if CITY_YEAR not in muni:
        muni[CITY_YEAR] = data.population_array(codes, CITY_YEAR, max_age=MAX_AGE).astype(float)
    stocks = np.zeros((len(stock_years), n_reg, 2, MAX_AGE + 1))
    for i, y in enumerate(stock_years):
        np.add.at(stocks[i], assign, muni[y])
    rates = national_rates()
    last_q = max(rates.death_prob_by_year)
    flow_years = stock_years[:-1]
    q = np.stack([rates.death_prob_by_year[min(y, last_q)] for y in flow_years])
    res = residual_net_migration(stocks, q, infant="child")

    pop = stocks.sum(axis=(2, 3))  # (Y+1, R)
    start = pop[:-1]
    net = res.net.sum(axis=(2, 3))
    births = res.births.sum(axis=2)
    deaths = res.deaths.sum(axis=(2, 3))
    young = stocks[:-1][..., YOUNG_AGES[0] : YOUNG_AGES[1]].sum(axis=(2, 3)) / start
    old = stocks[:-1][..., OLD_AGE:].sum(axis=(2, 3)) / start
    city_pop = np.bincount(assign, weights=muni[CITY_YEAR].sum(axis=(1, 2)), minlength=n_reg)
    weights = {
        y: muni[y][..., WORKING_AGES[0] : WORKING_AGES[1]].sum(axis=(1, 2)) for y in flow_years
    }
    unemp, national = _unemployment(regions, weights, assign, n_reg)

    Y = len(flow_years)
    frame = pd.DataFrame(
        {
            REGION: np.tile(reg_table["region"].to_numpy(), Y),
            "region_code": np.tile(reg_codes, Y),
            YEAR: np.repeat(flow_years, n_reg),
            "nettoinnflytting": (net / start * 1000.0).ravel(),
            "arbeidsledighet": np.concatenate(
                [unemp.get(y, np.full(n_reg, np.nan)) for y in flow_years]
            ),
            "nledighet": np.repeat([national.get(y, np.nan) for y in flow_years], n_reg),
            "alder1": young.ravel(),
            "alder67": old.ravel(),
            "ln_befolkning": np.log(start).ravel(),
            "by": np.tile((city_pop > CITY_THRESHOLD).astype(int), Y),
            "by100": np.tile((city_pop > CITY100_THRESHOLD).astype(int), Y),
            "befolkning": start.ravel().round().astype(np.int64),
            "befolkningsendring": (pop[1:] - pop[:-1]).ravel().round().astype(np.int64),
            "nettoflytting": net.ravel(),
            "fodte_est": births.ravel(),
            "dode_est": deaths.ravel(),
        }
    )
    frame = frame.sort_values([REGION, YEAR], kind="stable").reset_index(drop=True)
    what_nb = "159 bo- og arbeidsmarkedsregioner (TØI 2019)" if level == "ba" else "15 fylker"
    what_en = "159 housing and labour-market regions (TØI 2019)" if level == "ba" else "15 counties"
    span = f"{first_year}–{last_year}"
    return PanelData(
        data=frame,
        variables=REAL_VARIABLES,
        kind="real",
        title_nb=f"Paneldata: {what_nb}, {span} (ekte data; noen variabler ESTIMERT)",
        title_en=f"Panel data: {what_en}, {span} (real data; some variables ESTIMATED)",
        notes_nb=[
            "Kilder: Statistisk sentralbyrå (tabell 07459, 2024-grenser), NAV (helt ledige), "
            "Human Mortality Database (dødsrater Norge), TØI (2019) regioninndeling.",
            "ESTIMERT: nettoinnflytting, nettoflytting, fodte_est og dode_est er beregnet med "
            "residualmetoden; nettoflyttingen omfatter flytting til og fra UTLANDET (oppgaven "
            "bruker bare innenlandsk flytting).",
            "ESTIMERT: arbeidsledighet er fylkets rate der NAV ikke har kommunetall "
            "(alle kommuner utenom Telemark), veid til regionen.",
            f"Dødsrater for {last_q + 1}–{last_year} er satt lik {last_q} (siste HMD-år).",
            "Arbeidsledighet og nledighet finnes fra 2011; modeller med dem bruker 2011– "
            "(rader med tomme celler tas ut, antallet rapporteres).",
        ],
        notes_en=[
            "Sources: Statistics Norway (table 07459, 2024 borders), NAV (fully unemployed), "
            "Human Mortality Database (Norway death rates), TØI (2019) regions.",
            "ESTIMATED: nettoinnflytting, nettoflytting, fodte_est and dode_est come from the "
            "residual method; net migration includes moves to and from ABROAD (the thesis uses "
            "internal moves only).",
            "ESTIMATED: arbeidsledighet is the county rate where NAV has no municipal figure "
            "(every municipality outside Telemark), weighted to the region.",
            f"Death rates for {last_q + 1}–{last_year} are those of {last_q} (last HMD year).",
            "Unemployment (arbeidsledighet, nledighet) starts in 2011; models using it run on "
            "2011– (rows with blank cells are dropped and counted).",
        ],
    )


# ----------------------------------------------------------------------------------------------
# Synthetic panel shaped like the thesis
# ----------------------------------------------------------------------------------------------
#: Thesis table 1 (Obs 2040): mean, SD, min, max — in the order of table 9.
THESIS_TABLE1: dict[str, tuple[float, float, float, float]] = {
    "nettoinnflytting": (-2.669, 6.101, -33.639, 24.633),
    "arbeidsledighet": (2.288, 0.882, -2.347, 5.927),
    "vakanser": (2.591, 3.626, 0.226, 17.026),
    "nledighet": (3.879, 0.721, 2.5, 5.4),
    "alder1": (0.136, 0.041, 0.089, 0.426),
    "kriminalitet": (0.188, 0.411, 0.002, 3.907),
    "utdanning": (0.159, 0.065, 0.018, 0.514),
    "innvandrere": (0.057, 0.039, 0.007, 0.297),
    "gifte": (0.005, 0.008, 0.002, 0.17),
    "kino": (0.001, 0.022, 0.0, 0.998),
    "nedbørS": (565.867, 252.781, 116.1, 3721.1),
}
#: Thesis table 9, lower triangle, same order as :data:`THESIS_TABLE1`.
THESIS_TABLE9 = (
    (1.000,),
    (-0.083, 1.000),
    (-0.025, -0.197, 1.000),
    (-0.020, 0.579, 0.097, 1.000),
    (-0.086, -0.005, 0.023, 0.064, 1.000),
    (0.321, -0.018, 0.068, -0.086, -0.062, 1.000),
    (0.176, -0.201, 0.407, -0.079, 0.433, 0.275, 1.000),
    (0.154, -0.178, 0.637, -0.034, 0.252, 0.317, 0.739, 1.000),
    (0.031, -0.008, -0.030, -0.012, 0.459, 0.011, 0.223, 0.156, 1.000),
    (0.022, 0.002, -0.011, -0.015, -0.001, 0.011, 0.001, 0.018, -0.000, 1.000),
    (0.045, -0.115, 0.069, -0.044, 0.174, 0.037, 0.096, 0.107, 0.056, -0.015, 1.000),
)
#: Variable order of thesis table 9 (table 1 lists nledighet before vakanser).
TABLE9_ORDER = (
    "nettoinnflytting", "arbeidsledighet", "vakanser", "nledighet", "alder1", "kriminalitet",
    "utdanning", "innvandrere", "gifte", "kino", "nedbørS",
)  # fmt: skip
SYNTHETIC_REGIONS, SYNTHETIC_YEARS = 85, tuple(range(1994, 2018))
#: Share of each variable's variance that is between regions (persistent), within years
#: (common shocks) and idiosyncratic, before the exact colouring step.
_COMPONENTS = (0.45, 0.15, 0.40)

_SYN = "SYNTETISK"
SYNTHETIC_VARIABLES: tuple[VariableInfo, ...] = tuple(
    VariableInfo(key, f"{nb} ({_SYN})", f"{en} (SYNTHETIC)", u_nb, u_en,
                 "SYNTETISK: trukket slik at gj.snitt, std.avvik og korrelasjoner er som i "
                 "masteroppgavens tabell 1 og 9", False,
                 f"SYNTETISK, ikke data om Norge. {d_nb}", f"SYNTHETIC, not data about Norway. {d_en}")
    for key, nb, en, u_nb, u_en, d_nb, d_en in (
        ("nettoinnflytting", "Nettoinnflytting per 1000", "Net in-migration per 1000", "per 1000",
         "per 1000", "Oppgavens definisjon: innenlandsk nettoinnflytting / befolkning × 1000",
         "Thesis definition: internal net in-migration / population × 1000"),
        ("arbeidsledighet", "Arbeidsledighet", "Unemployment", "%", "%", "", ""),
        ("vakanser", "Vakanser (fylke)", "Vacancies (county)", "%", "%", "", ""),
        ("nledighet", "Nasjonal arbeidsledighet", "National unemployment", "%", "%",
         "Varierer bare over år", "Varies by year only"),
        ("alder1", "Andel 15–25 år", "Share aged 15–25", "andel", "share", "", ""),
        ("kriminalitet", "Anmeldte lovbrudd per 1000", "Reported offences per 1000", "per 1000",
         "per 1000", "", ""),
        ("utdanning", "Andel med høyere utdanning", "Share with higher education", "andel",
         "share", "", ""),
        ("innvandrere", "Andel innvandrere", "Immigrant share", "andel", "share", "", ""),
        ("gifte", "Andel gifte", "Share married", "andel", "share", "", ""),
        ("kino", "Kinoer per 1000", "Cinemas per 1000", "per 1000", "per 1000", "", ""),
        ("nedbørS", "Nedbør sommerhalvår", "Summer precipitation", "mm", "mm", "", ""),
        ("by", "Byregion (>150 000)", "City region (>150,000)", "0/1", "0/1",
         "6 regioner, tidsinvariant", "6 regions, time-invariant"),
        ("by100", "Byregion (>100 000)", "City region (>100,000)", "0/1", "0/1",
         "12 regioner, tidsinvariant", "12 regions, time-invariant"),
        ("befolkning", "Befolkning", "Population", "personer", "persons", "", ""),
    )
)  # fmt: skip


def thesis_correlation() -> pd.DataFrame:
    """Thesis table 9 as a full symmetric matrix (order :data:`TABLE9_ORDER`)."""
    k = len(TABLE9_ORDER)
    R = np.eye(k)
    for i, row in enumerate(THESIS_TABLE9):
        for j, v in enumerate(row):
            R[i, j] = R[j, i] = v
    return pd.DataFrame(R, index=TABLE9_ORDER, columns=TABLE9_ORDER)


def _nearest_pd(R: np.ndarray, floor: float = 1e-3) -> np.ndarray:
    """Clip eigenvalues below ``floor`` and rescale to unit diagonal (printed values are
    rounded to 3 decimals; the matrix may be slightly indefinite)."""
    w, V = np.linalg.eigh(R)
    if w.min() >= floor:
        return R
    A = (V * np.maximum(w, floor)) @ V.T
    d = np.sqrt(np.diag(A))
    return A / np.outer(d, d)


def synthetic_panel(seed: int = 2022) -> PanelData:
    """A SYNTHETIC panel shaped like the thesis: 85 regions × 24 years (1994–2017).

    Three components per variable (region, year, idiosyncratic) give FE something to sweep
    out; ``nledighet`` has only the year component. An exact colouring step (Cholesky, with
    ``nledighet`` first so it stays a function of the year) then sets the sample correlation
    matrix to the thesis' table 9 (nearest positive definite matrix if the rounded print is
    not), and each column is scaled to its table-1 mean and SD (N−1).

    Parameters
    ----------
    seed
        Seed of numpy's default generator (same seed, same panel).
    """
    rng = np.random.default_rng(seed)
    R = _nearest_pd(thesis_correlation().to_numpy())
    order = list(TABLE9_ORDER)
    first = order.index("nledighet")
    perm = [first] + [i for i in range(len(order)) if i != first]
    Rp = R[np.ix_(perm, perm)]
    names = [order[i] for i in perm]
    G, T = SYNTHETIC_REGIONS, len(SYNTHETIC_YEARS)
    k = len(names)
    Lr = np.linalg.cholesky(Rp)
    a, b, c = np.sqrt(_COMPONENTS)
    reg = (rng.standard_normal((G, k)) @ Lr.T)[np.repeat(np.arange(G), T)]
    yr = (rng.standard_normal((T, k)) @ Lr.T)[np.tile(np.arange(T), G)]
    idio = rng.standard_normal((G * T, k)) @ Lr.T
    X = a * reg + b * yr + c * idio
    X[:, 0] = yr[:, 0]  # nledighet: national, varies by year only
    # Exact colouring: X ← (X − mean) L_S^{-T} L_R^T has sample correlation R exactly.
    Xc = X - X.mean(axis=0)
    S = np.cov(Xc, rowvar=False)
    Ls = np.linalg.cholesky(S)
    Z = np.linalg.solve(Ls, Xc.T).T @ Lr.T
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0, ddof=1)
    frame = pd.DataFrame(
        {
            REGION: np.repeat([f"Syntetisk region {i + 1:02d}" for i in range(G)], T),
            "region_code": np.repeat(np.arange(1, G + 1), T),
            YEAR: np.tile(SYNTHETIC_YEARS, G),
        }
    )
    for j, name in enumerate(names):
        mean, sd, _, _ = THESIS_TABLE1[name]
        frame[name] = mean + sd * Z[:, j]
    # City regions: the regions with the highest mean education (cities are more educated).
    edu = frame.groupby("region_code")["utdanning"].mean().sort_values(ascending=False)
    frame["by"] = frame["region_code"].isin(edu.index[:6]).astype(int)
    frame["by100"] = frame["region_code"].isin(edu.index[:12]).astype(int)
    size = rng.lognormal(np.log(25_000), 0.8, G)
    size[np.argsort(-edu.reindex(range(1, G + 1)).to_numpy())[:6]] *= 8
    frame["befolkning"] = np.repeat(np.round(size), T).astype(np.int64)
    frame = frame[[REGION, "region_code", YEAR, *TABLE9_ORDER, "by", "by100", "befolkning"]]
    return PanelData(
        data=frame,
        variables=SYNTHETIC_VARIABLES,
        kind="synthetic",
        title_nb="SYNTETISKE paneldata formet som masteroppgaven (85 regioner × 1994–2017)",
        title_en="SYNTHETIC panel data shaped like the thesis (85 regions × 1994–2017)",
        notes_nb=[
            "SYNTETISKE DATA: trukket tilfeldig slik at gjennomsnitt, standardavvik og "
            "korrelasjoner er lik de trykte tallene i masteroppgavens tabell 1 og 9. "
            "Dette er IKKE data om norske regioner; resultatene sier ingenting om Norge.",
            "Minimum og maksimum er ikke tilpasset; normalfordelte verdier kan falle utenfor "
            "en variabels naturlige område (negative andeler).",
        ],
        notes_en=[
            "SYNTHETIC DATA: drawn at random so that means, standard deviations and "
            "correlations equal the printed figures of the thesis' tables 1 and 9. "
            "These are NOT data about Norwegian regions; results say nothing about Norway.",
            "Minima and maxima are not matched; normal values may fall outside a variable's "
            "natural range (negative shares).",
        ],
    )


def demo_panel(kind: str = "real") -> PanelData:
    """``real_panel()`` or ``synthetic_panel()`` by name (CLI ``--panel real|synthetic``)."""
    if kind == "real":
        return real_panel()
    if kind == "synthetic":
        return synthetic_panel()
    raise InputError(
        "unknown panel", location=Location(column="panel"), found=kind,
        expected="'real' or 'synthetic'",
    )  # fmt: skip


def ba_zones(
    codes: Sequence[str] | None = None, year: int = 2026, *, region_column: str = "region"
) -> pd.DataFrame:
    """Municipality → BA region table with 1 January population (shipped data), for ``zones``.

    Parameters
    ----------
    codes
        Municipality codes to include (default all 357).
    year
        Population year (1 January).
    """
    m = data.municipalities().set_index("municip_code")
    codes = list(codes) if codes is not None else sorted(m.index)
    pop = data.population_array(codes, year).sum(axis=(1, 2))
    return pd.DataFrame({"zone_code": codes,
                         region_column: m.loc[codes, "ba_region_name"].to_numpy(),
                         "population": pop.astype(float)})  # fmt: skip
