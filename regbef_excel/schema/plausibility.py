"""Plausibility bounds of every numeric input: the values a planner can mean.

The schema's validation rules (:mod:`.inputs`) say what a column *may* hold (a share is 0–1, a
population is not negative); the bounds here say what is *plausible* for a Norwegian region,
wide enough for any real municipality, county or the country, and narrow enough that no
accepted input can overflow the projection (a year factor of 1e308 used to pass and turn the
results into ``nan``). The reader applies them to every converted cell (:func:`problem`), so
``validate``, ``run``, ``REGBEF_RUN`` and the Run macro refuse the same values, each rejection
naming the cell, what was found and the bound.

Bounds are inclusive; a column without an entry has :data:`DEFAULT`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    """An inclusive plausibility range and why (nb/en) — the why ends the message."""

    minimum: float
    maximum: float
    why_nb: str
    why_en: str

    def why(self, language: str) -> str:
        return self.why_en if language == "en" else self.why_nb

    def expected(self, language: str) -> str:
        lo, hi = _fmt(self.minimum), _fmt(self.maximum)
        return f"{lo} – {hi} ({self.why(language)})"

    def holds(self, x: float) -> bool:
        return self.minimum <= x <= self.maximum


def _fmt(x: float) -> str:
    if abs(x) >= 1e5 and float(x).is_integer():
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:g}"


#: Persons of one age and sex in one zone (Oslo has about 10 000 per age).
PERSONS_PER_CELL = Bound(0, 1_000_000, "personer av én alder og ett kjønn i én sone",
                         "persons of one age and sex in one zone")
#: Persons, dwellings or jobs of a whole zone or region in a year (Norway: 5.6 million people).
TOTAL = Bound(0, 20_000_000, "mer enn hele Norges befolkning er urimelig",
              "more than Norway's whole population is implausible")
SIGNED_TOTAL = Bound(-20_000_000, 20_000_000, "mer enn hele Norges befolkning er urimelig",
                     "more than Norway's whole population is implausible")
#: Level factors multiply rates that are around 1.
FACTOR = Bound(0, 100, "en nivåfaktor er et forhold rundt 1", "a level factor is a ratio around 1")
#: Rogers–Castro amplitudes (probabilities per year) and shape parameters (per year of age).
RC_LEVEL = Bound(0, 10, "en Rogers–Castro-amplitude er en sannsynlighetsskala",
                 "a Rogers–Castro amplitude is a probability scale")
RC_SHAPE = Bound(0, 10, "en Rogers–Castro-formparameter er per leveår",
                 "a Rogers–Castro shape parameter is per year of age")
RC_AGE = Bound(0, 120, "en alder", "an age")
#: Distances in km (the Earth's circumference is 40 075 km).
DISTANCE = Bound(0, 40_075, "en avstand på jorda", "a distance on Earth")
#: Shares of a profile or rate per person.
PROFILE = Bound(0, 100, "en andel eller rate per person", "a share or rate per person")
#: Coefficients, indices and any other number.
DEFAULT = Bound(-1e9, 1e9, "et tall av rimelig størrelse", "a number of reasonable size")

#: (table key, column key) → bound; ``"*"`` as column key: every data column of the table.
BOUNDS: dict[tuple[str, str], Bound] = {
    **{(t, c): PERSONS_PER_CELL for t in ("tblPopulation", "tblHistPopulation") for c in ("males", "females")},
    **{("tblHistMigration", c): PERSONS_PER_CELL for c in ("out", "in")},
    **{("tblZoneFactors", c): FACTOR for c in ("FK", "DK", "EUF_K", "IUF_K")},
    ("tblZoneFactors", "EIFN_total"): TOTAL,
    ("tblZoneFactors", "INF_trend"): SIGNED_TOTAL,
    **{("tblYearFactors", c): FACTOR for c in ("FR", "DR", "EUF_R", "IUF_R", "EIFN_R", "YR", "BR")},
    ("tblYearFactors", "EIFU_total"): TOTAL,
    **{("tblZoneYearFactors", c): FACTOR for c in ("FR", "DR", "EUF", "IUF", "EIFU", "EIFN")},
    **{("tblRogersCastro", c): RC_LEVEL for c in ("a1", "a2", "c", "a3", "a4")},
    **{("tblRogersCastro", c): RC_SHAPE for c in ("alpha1", "alpha2", "lambda2", "alpha3", "lambda3", "lambda4")},
    **{("tblRogersCastro", c): RC_AGE for c in ("mu2", "mu3")},
    ("tblTargets", "value"): SIGNED_TOTAL,
    ("tblLabourZones", "YK"): FACTOR,
    **{("tblLabourZones", c): TOTAL for c in ("KUP", "KIP")},
    ("tblLabourZones", "external_distance"): DISTANCE,
    ("tblLabourParams", "AFDELTA"): DISTANCE,
    ("tblLabourParams", "EXTERNAL_DISTANCE"): DISTANCE,
    ("tblLabourParams", "AFBETA"): Bound(0, 100, "en avstandsparameter per km", "a distance parameter per km"),
    ("tblLabourParams", "BETA"): Bound(0, 100, "en avstandsparameter", "a distance parameter"),
    ("tblJobs", "jobs"): TOTAL,
    **{(t, c): PROFILE for t in ("tblLabourProfile", "tblNewDwellingProfile") for c in ("males", "females")},
    **{(t, "dwellings"): TOTAL for t in ("tblStockByPeriod", "tblStockByType", "tblBuilding")},
    ("tblHousingMarket", "BETA"): Bound(0, 100, "en avstandsparameter", "a distance parameter"),
    ("tblDistances", "*"): DISTANCE,
}

#: Every numeric value of a regression panel (regressors and dependent variables).
PANEL_VALUE = Bound(-1e12, 1e12, "et tall av rimelig størrelse", "a number of reasonable size")


def bound(table: str, column: str) -> Bound:
    """The plausibility bound of a column (or key/value setting) of an input table."""
    return BOUNDS.get((table, column)) or BOUNDS.get((table, "*")) or DEFAULT


def problem(table: str, column: str, value: object, language: str = "nb") -> tuple[str, str] | None:
    """``(message, expected)`` when a converted numeric ``value`` is outside its bound, else
    ``None`` (text, booleans and empty cells are the schema's business)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    b = bound(table, column)
    if b.holds(float(value)):
        return None
    return message(language), b.expected(language)


def message(language: str = "nb") -> str:
    """The message of a value outside its plausibility bound."""
    return "implausible value (outside the plausibility bound)" if language == "en" else \
        "urimelig verdi (utenfor plausibilitetsgrensen)"
