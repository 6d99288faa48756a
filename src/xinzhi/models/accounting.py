"""Growth accounting (增长核算) and total factor productivity (全要素生产率, TFP) — Penn World Table 10.01.

Numbers in, numbers out, no plotting. The table passed in is the course's PWT extract
(``load("pwt1001_6countries").table``): one row per country and year with the columns
``countrycode, year, rgdpna, rkna, emp, avh, hc, labsh, rtfpna``.

How PWT builds its TFP series ``rtfpna`` (TFP at constant national prices, 2017 = 1), as the data
themselves show — :func:`reproduce_rtfpna` checks it for every country and year:

* a Törnqvist index: for each year t,

      ln(A_t / A_{t-1}) = ln(Y_t / Y_{t-1}) − ᾱ_K·ln(K_t / K_{t-1}) − ᾱ_L·ln(L_t / L_{t-1})

  with Y = real GDP ``rgdpna``, K = capital services ``rkna``, ᾱ_L = the average of the labour share
  ``labsh`` in years t−1 and t, and ᾱ_K = 1 − ᾱ_L;
* labour input L = persons engaged × average hours × human capital = ``emp · avh · hc``;
* where a country has no hours data (China and India before 1970), the growth of average hours is
  taken to be that of the United States in the same year — without this the series differ by up to
  4 %, with it they agree to float32 rounding (about 1e-7);
* the chained index is divided by its 2017 value.

Leaving hours out (L = emp · hc), or using the current year's share instead of the two-year average,
does not reproduce ``rtfpna`` — the tests check that too.

The same arithmetic splits GDP growth over a period into contributions that add up exactly:

    GDP growth = capital + (persons engaged + hours + human capital) + TFP

each as an average annual log change in log points (100 × ln, about the same as "% a year" for small
rates).

**Two ledgers for China.** PWT's real GDP for China is not the official series: PWT builds an alternative
national-accounts series from Harry X. Wu's estimates (see ``data/statements.csv``). The official
ledger keeps PWT's inputs and puts 国家统计局's GDP growth in their place — :func:`with_gdp_growth` —
so the residual, TFP, changes by exactly the difference in GDP growth. 国家统计局 publishes averages over
stated spans (``data/china_gdp_official.csv``); :func:`average_log_growth` turns such a statement
(“年均增长 9.5%” or “增长 33.5 倍”) into average log points a year.
"""
from __future__ import annotations

import dataclasses
import math
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The six economies of the extract, with the Chinese names shown in charts (in display order).
COUNTRIES: dict[str, str] = {"CHN": "中国", "USA": "美国", "DEU": "德国", "JPN": "日本", "KOR": "韩国", "IND": "印度"}

#: The country whose hours growth stands in where a country has no hours data (PWT's practice).
HOURS_REFERENCE = "USA"

#: Columns the computation needs.
INPUTS = ("rgdpna", "rkna", "emp", "avh", "hc", "labsh")

#: The components of GDP growth, in the order they are stacked, with their Chinese labels.
COMPONENTS: dict[str, str] = {
    "capital": "资本投入",
    "employment": "就业人数",
    "hours": "人均工时",
    "human_capital": "人力资本",
    "tfp": "全要素生产率（TFP）",
}


def _country(table: pd.DataFrame, country: str) -> pd.DataFrame:
    rows = table[table["countrycode"] == country]
    if rows.empty:
        known = "、".join(sorted(str(c) for c in table["countrycode"].unique()))
        raise ValueError(f"no rows for country {country!r}; the table holds {known}")
    rows = rows.sort_values("year").set_index("year")
    rows.index = rows.index.astype(int)
    return rows


def _check_share(capital_share: float | None) -> None:
    if capital_share is None:
        return
    if not (isinstance(capital_share, (int, float)) and math.isfinite(capital_share) and 0 <= capital_share <= 1):
        raise ValueError(f"capital_share must be a number between 0 and 1, not {capital_share!r}")


def _log_growth(series: pd.Series) -> pd.Series:
    values = series.astype(float)
    values = values.where(values > 0)
    return np.log(values).diff()


_COMPUTED: OrderedDict = OrderedDict()   # recent components per live table, so a widget's update only slices them
_KEEP = 32


def growth_components(table: pd.DataFrame, country: str, *, capital_share: float | None = None,
                      hours: bool = True, hours_fill: str | None = HOURS_REFERENCE) -> pd.DataFrame:
    """Year-by-year growth of output and inputs, and each input's contribution, for one country.

    Returns a DataFrame indexed by year (from the first year the inputs exist to 2019) with columns

    * ``gdp, capital_growth, employment_growth, hours_growth, human_capital_growth`` — log changes;
    * ``labour_share`` — the labour share ᾱ_L used for that year's change;
    * ``capital, employment, hours, human_capital, tfp`` — contributions (log points) that add up to
      ``gdp`` exactly; ``tfp`` is the Solow residual ln(A_t/A_{t-1});
    * ``hours_imputed`` — True where the country has no hours data and the reference country's hours
      growth was used (see the module docstring).

    The first year has no change (NaN). ``capital_share=None`` uses PWT's labour shares (the
    two-year average of ``labsh``); a number 0…1 fixes the capital share α (labour 1 − α) for every
    year. ``hours=False`` leaves average hours out of labour input; ``hours_fill=None`` treats
    missing hours growth as zero instead of borrowing the reference country's.

    ``table`` is read, never changed; the result for the same table object is remembered (a copy is returned).
    """
    return _kept(table, country, capital_share, hours, hours_fill).copy()


def _kept(table, country, capital_share=None, hours=True, hours_fill=HOURS_REFERENCE) -> pd.DataFrame:
    """:func:`growth_components` as remembered, not copied: only for reading."""
    _check_share(capital_share)
    key = (id(table), country, capital_share, hours, hours_fill)
    kept = _COMPUTED.get(key)
    if kept is None or kept[0]() is not table:   # never seen, or another table that reused the id
        kept = _COMPUTED[key] = (weakref.ref(table), _components(table, country, capital_share, hours, hours_fill))
        for old in [k for k, (ref, _) in _COMPUTED.items() if ref() is None]:
            del _COMPUTED[old]                     # the table is gone: so are its components
        while len(_COMPUTED) > _KEEP:
            _COMPUTED.popitem(last=False)
    _COMPUTED.move_to_end(key)
    return kept[1]


def _components(table, country, capital_share, hours, hours_fill) -> pd.DataFrame:
    g = _country(table, country)
    out = pd.DataFrame(index=g.index)
    out["gdp"] = _log_growth(g["rgdpna"])
    out["capital_growth"] = _log_growth(g["rkna"])
    out["employment_growth"] = _log_growth(g["emp"])
    out["human_capital_growth"] = _log_growth(g["hc"])
    own_hours = _log_growth(g["avh"])
    if not hours:
        hours_growth = pd.Series(0.0, index=g.index)
        imputed = pd.Series(False, index=g.index)
    else:
        hours_growth = own_hours.copy()
        if hours_fill is not None and hours_fill != country and (table["countrycode"] == hours_fill).any():
            reference = _log_growth(_country(table, hours_fill)["avh"]).reindex(g.index)
            hours_growth = hours_growth.fillna(reference)
        else:
            hours_growth = hours_growth.fillna(0.0)
        # the year a country's own hours series begins has no change of its own: that step is borrowed too
        imputed = hours_growth.notna() & (own_hours.isna())
    out["hours_growth"] = hours_growth
    if capital_share is None:
        share = g["labsh"].astype(float)
        out["labour_share"] = (share + share.shift(1)) / 2
    else:
        out["labour_share"] = 1.0 - float(capital_share)
    s_l = out["labour_share"]
    out["capital"] = (1.0 - s_l) * out["capital_growth"]
    out["employment"] = s_l * out["employment_growth"]
    out["hours"] = s_l * out["hours_growth"]
    out["human_capital"] = s_l * out["human_capital_growth"]
    out["tfp"] = out["gdp"] - out["capital"] - out["employment"] - out["hours"] - out["human_capital"]
    out["hours_imputed"] = imputed & out["tfp"].notna()
    # keep the years from the first one with all inputs
    complete = g[list(INPUTS)].drop(columns=["avh"]).notna().all(axis=1)
    if not complete.any():
        raise ValueError(f"country {country!r} has no year with all inputs")
    first = int(complete[complete].index.min())
    return out.loc[first:].copy()   # one block of floats: quicker to slice and average at every update


def tfp_index(table: pd.DataFrame, country: str, *, base_year: int = 2017, capital_share: float | None = None,
              hours: bool = True, hours_fill: str | None = HOURS_REFERENCE) -> pd.Series:
    """TFP as an index (``base_year`` = 1): the chained Solow residuals of :func:`growth_components`.

    With the defaults this is PWT's own construction, so the result equals ``rtfpna``.
    """
    steps = _kept(table, country, capital_share, hours, hours_fill)["tfp"]
    level = steps.fillna(0.0)
    level.iloc[0] = 0.0
    # a gap in the inputs breaks the chain: years after a missing step are not comparable
    valid = steps.notna()
    valid.iloc[0] = True
    first_gap = valid[~valid].index.min() if (~valid).any() else None
    ln_a = level.cumsum()
    if first_gap is not None:
        ln_a = ln_a.loc[: first_gap - 1]
    if base_year not in ln_a.index:
        raise ValueError(f"base year {base_year} is outside {int(ln_a.index.min())}–{int(ln_a.index.max())}")
    return np.exp(ln_a - ln_a.loc[base_year]).rename("tfp_index")


def rebase(series: pd.Series, year: int) -> pd.Series:
    """An index divided by its value in ``year`` (so that ``year`` = 1)."""
    if year not in series.index or not np.isfinite(series.loc[year]) or series.loc[year] == 0:
        raise ValueError(f"no usable value in {year}")
    return series / series.loc[year]


def reproduce_rtfpna(table: pd.DataFrame, *, hours: bool = True, hours_fill: str | None = HOURS_REFERENCE,
                     capital_share: float | None = None) -> pd.DataFrame:
    """Compare the course's TFP index with PWT's ``rtfpna``, country by country.

    Returns one row per country: ``country`` (code), ``name`` (Chinese), ``first``, ``last``
    (years compared), ``years`` (how many), ``max_rel_diff`` (largest |computed / rtfpna − 1|) and
    ``worst_year`` (where it occurs).
    """
    rows = []
    codes = [c for c in COUNTRIES if (table["countrycode"] == c).any()]
    codes += sorted(set(map(str, table["countrycode"].unique())) - set(codes))
    for code in codes:
        ours = tfp_index(table, code, hours=hours, hours_fill=hours_fill, capital_share=capital_share)
        pwt = _country(table, code)["rtfpna"].astype(float)
        both = pd.concat([ours, pwt], axis=1, keys=["ours", "pwt"]).dropna()
        diff = (both["ours"] / both["pwt"] - 1).abs()
        rows.append({
            "country": code, "name": COUNTRIES.get(code, code),
            "first": int(both.index.min()), "last": int(both.index.max()), "years": int(len(both)),
            "max_rel_diff": float(diff.max()), "worst_year": int(diff.idxmax()),
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Decomposition:
    """Average annual contributions to GDP growth over a period, in log points (log × 100)."""

    country: str
    start: int
    end: int
    gdp: float
    capital: float
    employment: float
    hours: float
    human_capital: float
    tfp: float
    labour_share: float        # average labour share used
    hours_imputed_years: int   # years whose hours growth was borrowed from the reference country

    @property
    def years(self) -> int:
        return self.end - self.start

    @property
    def labour(self) -> float:
        return self.employment + self.hours + self.human_capital

    def parts(self) -> dict[str, float]:
        """The five stacked components, in :data:`COMPONENTS` order."""
        return {name: getattr(self, name) for name in COMPONENTS}

    def shares(self) -> dict[str, float]:
        """Each component's share of GDP growth (NaN when GDP growth is about zero)."""
        if abs(self.gdp) < 1e-9:
            return {name: float("nan") for name in COMPONENTS}
        return {name: value / self.gdp for name, value in self.parts().items()}


def available_period(table: pd.DataFrame, country: str) -> tuple[int, int]:
    """First and last year a period may start and end at for this country."""
    parts = _kept(table, country)
    if "period" not in parts.attrs:    # remembered with the components
        years = parts.index[parts["tfp"].notna()]
        parts.attrs["period"] = (int(years.min()) - 1, int(years.max()))
    return parts.attrs["period"]


def decompose(table: pd.DataFrame, country: str, start: int, end: int, *, capital_share: float | None = None,
              hours: bool = True, hours_fill: str | None = HOURS_REFERENCE) -> Decomposition:
    """Split average annual GDP growth from ``start`` to ``end`` into contributions (log points).

    The components add up to GDP growth exactly. Raises ValueError when the period is empty or lies
    outside the years with data (see :func:`available_period`).
    """
    start, end = int(start), int(end)
    if end <= start:
        raise ValueError(f"the period must end after it starts ({start}–{end})")
    parts = _kept(table, country, capital_share, hours, hours_fill)
    window = parts.loc[start + 1: end]
    if len(window) != end - start or window["tfp"].isna().any():
        first, last = available_period(table, country)
        raise ValueError(f"{country} has data for periods within {first}–{last}, not {start}–{end}")
    mean = window.mean(numeric_only=True)
    return Decomposition(
        country=country, start=start, end=end,
        gdp=100 * float(mean["gdp"]), capital=100 * float(mean["capital"]),
        employment=100 * float(mean["employment"]), hours=100 * float(mean["hours"]),
        human_capital=100 * float(mean["human_capital"]), tfp=100 * float(mean["tfp"]),
        labour_share=float(mean["labour_share"]), hours_imputed_years=int(window["hours_imputed"].sum()),
    )


def clamp_period(table: pd.DataFrame, country: str, start: int, end: int) -> tuple[int, int]:
    """The part of ``start``–``end`` for which the country has data (at least one year long)."""
    first, last = available_period(table, country)
    start, end = sorted((int(start), int(end)))
    start = min(max(start, first), last - 1)
    end = max(min(end, last), start + 1)
    return start, end


def imputed_share_years(table: pd.DataFrame, country: str) -> tuple[int, int, float] | None:
    """The first run of years with an unchanging labour share (a sign that it was imputed).

    Returns (first year, last year, value) when the share is constant for at least five years from
    the start of the series, else None.
    """
    share = _country(table, country)["labsh"].dropna().astype(float)
    if share.empty:
        return None
    first_value = share.iloc[0]
    same = np.isclose(share.to_numpy(), first_value, rtol=0, atol=1e-7)
    run = int(np.argmin(same)) if not same.all() else len(same)
    if run < 5:
        return None
    return int(share.index[0]), int(share.index[run - 1]), float(first_value)


def average_log_growth(years: int, *, rate_pct: float | None = None, increase_times: float | None = None) -> float:
    """Average annual log growth (log points) over ``years`` years, from an official statement.

    * ``rate_pct`` — a compound average rate, “年均增长 9.5%”: 100·ln(1 + 9.5/100);
    * ``increase_times`` — a cumulative increase, “增长 33.5 倍” (the end level is 34.5 times the
      start): 100·ln(1 + 33.5) / years.

    Give exactly one of the two.
    """
    if not isinstance(years, (int, np.integer)) or years < 1:
        raise ValueError(f"years must be a whole number ≥ 1, not {years!r}")
    if (rate_pct is None) == (increase_times is None):
        raise ValueError("give either rate_pct or increase_times")
    if rate_pct is not None:
        if not math.isfinite(rate_pct) or rate_pct <= -100:
            raise ValueError(f"a growth rate must be a finite number above −100 %, not {rate_pct!r}")
        return 100.0 * math.log1p(rate_pct / 100.0)
    if not math.isfinite(increase_times) or increase_times <= -1:
        raise ValueError(f"an increase must be a finite number above −1 times, not {increase_times!r}")
    return 100.0 * math.log1p(increase_times) / years


def with_gdp_growth(d: Decomposition, gdp: float) -> Decomposition:
    """The same inputs with another GDP growth (log points a year): TFP becomes the new residual.

    Used for the official ledger: PWT's capital and labour contributions, 国家统计局's GDP growth.
    """
    if not math.isfinite(gdp):
        raise ValueError(f"GDP growth must be a finite number, not {gdp!r}")
    return dataclasses.replace(d, gdp=float(gdp), tfp=float(gdp) - d.capital - d.labour)
