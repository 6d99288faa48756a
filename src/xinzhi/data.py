"""课程数据的读取：按名字加载 data/ 里的一个数据集，按 datapackage.json 校验，并附上来源。

    from xinzhi.data import load
    ds = load("auto_nev")
    ds.table                    # pandas DataFrame
    ds.series("nev_sales", region="全国")
    ds.source_line()            # 图表下方的来源行

Loading data for the course: one call per data set, validated against data/datapackage.json,
with the sources of its rows. Damaged or missing files raise :class:`xinzhi.errors.DataError`
with a short Chinese message that names the file and says how to restore it.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xinzhi.errors import DataError
from xinzhi.inputs import THOUSANDS

__all__ = [
    "DATA_DIR", "Dataset", "DataError", "UnitError", "load", "shared_table", "list_datasets", "fields", "column_text", "data_dir",
    "convert", "to_unit", "UNITS", "SCALE_WORDS",
]

#: The repository's data folder (the package is installed editable from src/xinzhi/).
#: Set the environment variable XINZHI_DATA_DIR to use another folder.
DATA_DIR = Path(__file__).resolve().parents[2] / "data"

_ENV = "XINZHI_DATA_DIR"
_SOURCE_COLUMNS = ["publisher", "document", "date", "publisher_url"]


class UnitError(DataError, ValueError):
    """Two units cannot be converted into each other (or a unit is unknown)."""


def data_dir() -> Path:
    """The data folder in use: $XINZHI_DATA_DIR if set, else :data:`DATA_DIR`."""
    env = os.environ.get(_ENV, "").strip()
    return Path(env).expanduser() if env else DATA_DIR


def _shown(path: Path) -> str:
    """How a file is named in messages: data/xxx.csv for the course's own folder."""
    try:
        if path.resolve().parent == DATA_DIR.resolve():
            return f"data/{path.name}"
    except OSError:  # pragma: no cover - unreadable path
        pass
    return str(path)


def _restore_hint(path: Path) -> str:
    shown = _shown(path)
    git_path = shown if shown.startswith("data/") else f"data/{path.name}"
    return f"恢复方法：从课程压缩包或 git（git checkout -- {git_path}）取回原文件。"


def _error(path: Path, what: str) -> DataError:
    return DataError(f"数据文件 {_shown(path)} {what}{_restore_hint(path)}")


# ---------------------------------------------------------------------------------------------
# Reading text: UTF-8 (with or without BOM) first, then GB18030 (a file re-saved by Excel on a
# Chinese Windows). A UTF-8 file with a few damaged bytes is reported, not decoded as GB18030.
# ---------------------------------------------------------------------------------------------

def _decode(raw: bytes, path: Path) -> str:
    if not raw.strip():
        raise _error(path, "是空的（可能复制中断）。")
    if b"\x00" in raw:
        raise _error(path, "含有二进制内容，已损坏。")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 with a few bad bytes: damaged, not GBK.
    loose = raw.decode("utf-8", errors="replace")
    non_ascii = sum(1 for ch in loose if ord(ch) > 127)
    bad = loose.count("\ufffd")
    if non_ascii and bad / non_ascii < 0.25:
        raise _error(path, "有损坏的字节（不是完整的 UTF-8 文本）。")
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise _error(path, "的编码无法识别（既不是 UTF-8，也不是 GBK/GB18030），文件可能已损坏。") from None
    return text.lstrip("\ufeff")


# ---------------------------------------------------------------------------------------------
# The data package description
# ---------------------------------------------------------------------------------------------

def _stat_key(path: Path) -> tuple:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (str(path), None, None)
    return (str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _read_package(key: tuple) -> dict:
    path = Path(key[0])
    if key[1] is None:
        raise _error(path, "缺失。")
    try:
        text = _decode(path.read_bytes(), path)
        pkg = json.loads(text)
    except DataError:
        raise
    except (OSError, ValueError) as exc:
        raise _error(path, f"无法读取或不是有效的 JSON（{type(exc).__name__}）。") from None
    if not isinstance(pkg, dict) or not isinstance(pkg.get("resources"), list):
        raise _error(path, "缺少 resources 列表。")
    return pkg


def _package() -> dict:
    return _read_package(_stat_key(data_dir() / "datapackage.json"))


def _resource(name: str) -> dict:
    pkg = _package()
    for res in pkg["resources"]:
        if isinstance(res, dict) and res.get("name") == name:
            return res
    names = "、".join(r.get("name", "?") for r in pkg["resources"] if isinstance(r, dict))
    raise DataError(f"没有名为“{name}”的数据集。可用的数据集：{names}。")


def version(*names: str) -> tuple:
    """What identifies the files of the named data sets as they are now (and the description of them): a key
    for a cache of what is derived from them, which changes when a file is edited or replaced, or when the
    data are read from another folder."""
    folder = data_dir()
    return (_stat_key(folder / "datapackage.json"), *(_stat_key(folder / str(_resource(n).get("path"))) for n in names))


def list_datasets() -> dict[str, str]:
    """All data sets: {resource name: Chinese title}, in the order of datapackage.json."""
    return {r["name"]: r.get("title", "") for r in _package()["resources"] if isinstance(r, dict) and "name" in r}


def fields(name: str) -> list[str]:
    """The column names of a data set, as data/datapackage.json describes them (no file is read)."""
    schema = _resource(name).get("schema")
    return [f["name"] for f in schema.get("fields", []) if isinstance(f, dict)] if isinstance(schema, dict) else []


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否"}
_DATE_SLASH = re.compile(r"^(\d{4})/(\d{1,2})(?:/(\d{1,2}))?$")


def _fix_date(s: str) -> str:
    """Excel turns 2024-03-05 into 2024/3/5: put it back."""
    m = _DATE_SLASH.match(s)
    if not m:
        return s
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}" + (f"-{int(d):02d}" if d else "")


def _typed(df: pd.DataFrame, schema: dict, path: Path) -> pd.DataFrame:
    fields = schema.get("fields", [])
    names = [f["name"] for f in fields]
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise _error(path, f"缺少列：{'、'.join(missing)}（文件的列名被改动或文件已损坏）。")
    out = {}
    for f in fields:
        name, ftype = f["name"], f.get("type", "string")
        cons = f.get("constraints", {})
        # cell by cell in Python: a data set's columns are short, and most are text (pandas' string methods
        # cost more per call than these whole columns do)
        cells = ["" if v is None or v != v else str(v).strip() for v in df[name].tolist()]
        if cons.get("required") and "" in cells:
            rows = [str(i + 2) for i, v in enumerate(cells) if v == ""][:5]
            raise _error(path, f"的“{name}”列在第 {'、'.join(rows)} 行为空（文件可能被截断或改坏）。")
        if ftype not in ("integer", "number", "boolean"):   # text
            if name == "date":
                cells = [_fix_date(v) for v in cells]
            enum = cons.get("enum")
            if enum is not None:
                i = next((i for i, v in enumerate(cells) if v and v not in enum), None)
                if i is not None:
                    raise _error(path, f"的“{name}”列第 {i + 2} 行取值“{cells[i]}”不在允许值 {enum} 之中。")
            out[name] = pd.Series(cells, dtype=object)
            continue
        col = pd.Series(cells, dtype=object)
        blank = col == ""
        if ftype == "integer":
            num = pd.to_numeric(col.where(~blank), errors="coerce")
            bad = (~blank) & (num.isna() | (num % 1 != 0))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise _error(path, f"的“{name}”列第 {i + 2} 行不是整数：“{col.iloc[i]}”。")
            out[name] = num.astype("int64") if not blank.any() else num.astype("Int64")
        elif ftype == "number":
            col = col.str.replace("，", ",", regex=False)
            separated = col.str.contains(",", regex=False)
            grouped = col.str.fullmatch(THOUSANDS.pattern)
            bad = separated & ~grouped
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise _error(path, f"的“{name}”列第 {i + 2} 行“{col.iloc[i]}”里的逗号不是千位分隔符（应每三位一组，"
                                   "如 12,345.6）。如果它是小数点，请改成“.”。")
            num = pd.to_numeric(col.where(~grouped, col.str.replace(r"[, ]", "", regex=True)).where(~blank),
                                errors="coerce")
            bad = (~blank) & num.isna()
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise _error(path, f"的“{name}”列第 {i + 2} 行不是数字：“{col.iloc[i]}”。")
            out[name] = num.astype("float64")
        elif ftype == "boolean":
            low = col.str.lower()
            bad = (~blank) & ~low.isin(_TRUE | _FALSE)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise _error(path, f"的“{name}”列第 {i + 2} 行不是 true/false：“{col.iloc[i]}”。")
            out[name] = low.isin(_TRUE)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


@functools.lru_cache(maxsize=64)
def _read_table(key: tuple, schema_json: str) -> pd.DataFrame:
    path = Path(key[0])
    if key[1] is None:
        raise _error(path, "缺失。")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _error(path, f"无法读取（{type(exc).__name__}）。") from None
    text = _decode(raw, path)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                         skip_blank_lines=True)
    except Exception as exc:  # pandas raises several kinds of parser errors
        raise _error(path, f"格式已损坏，无法按 CSV 读取（{type(exc).__name__}）。") from None
    if df.empty:
        raise _error(path, "没有数据行（可能被截断）。")
    _refuse_short_rows(text, path)
    schema = json.loads(schema_json)
    table = _typed(df, schema, path)
    _refuse_duplicates(table, schema, path)
    return table


def column_text(name: str, column: str) -> list[str]:
    """The text of one column of a data set, row by row, without building (and checking) the whole table:
    for a quick look across every data set (see edition.data_as_of). Dates are put back as :func:`load` does.
    A file that cannot be read this way is loaded, so its problem is reported as :func:`load` reports it."""
    path = data_dir() / str(_resource(name).get("path"))
    try:
        rows = csv.reader(io.StringIO(_decode(path.read_bytes(), path)))
        header = [str(h).strip().lstrip("\ufeff") for h in next(rows, [])]
        at = header.index(column)
        values = [(row[at] if at < len(row) else "").strip() for row in rows if any(c.strip() for c in row)]
    except (OSError, ValueError, csv.Error):
        return [str(v) for v in load(name).table[column]]
    return [_fix_date(v) for v in values] if column == "date" else values


def _refuse_short_rows(text: str, path: Path) -> None:
    """A row with fewer fields than the header was cut off (pandas would fill the rest with blanks)."""
    records = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    width = len(records[0])
    for number, record in enumerate(records[1:], start=2):
        if len(record) < width:
            raise _error(path, f"的第 {number} 行只有 {len(record)} 列（应有 {width} 列），文件可能被截断或改坏。")


def _refuse_duplicates(table: pd.DataFrame, schema: dict, path: Path) -> None:
    """Two rows with the same key, or alike in everything but the key, would be counted twice."""
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else [k for k in key if k in table.columns]
    # A fact row copied under a new id; (a table keyed by country and year may hold two empty years.)
    rest = [c for c in table.columns if c not in key] if key == ["id"] else []
    text = table.astype(object).fillna("").astype(str)
    for columns in (key, rest):
        if not columns:
            continue
        repeated = np.flatnonzero(text.duplicated(columns).to_numpy())
        if not len(repeated):
            continue
        same = (text[columns] == text.iloc[repeated[0]][columns]).all(axis=1).to_numpy()
        rows = "、".join(str(i + 2) for i in np.flatnonzero(same)[:5])
        if columns is key:
            values = "、".join(f"{c}={text.iloc[repeated[0]][c]}" for c in key)
            what = f"的第 {rows} 行重复：{values} 出现了不止一次"
        else:
            what = f"的第 {rows} 行重复：除了{'、'.join(key)}以外完全相同"
        raise _error(path, f"{what}（同一行录入了两次？）。请删去多余的行。")


# ---------------------------------------------------------------------------------------------
# Dataset
# ---------------------------------------------------------------------------------------------

@dataclass
class Dataset:
    """One data set of the course: its table, its sources, its licence and citation."""

    name: str
    title: str
    table: pd.DataFrame
    description: str = ""
    licence: str = ""
    citation: str = ""
    path: Path | None = None
    resource: dict = field(default_factory=dict, repr=False)

    @functools.cached_property
    def sources(self) -> pd.DataFrame:
        """The distinct sources of its rows (publisher, document, date, link), worked out when first asked for."""
        return _sources_of(self.table, self.resource)

    def __iter__(self):  # table, sources = load("...")
        yield self.table
        yield self.sources

    def __repr__(self) -> str:
        return f"<Dataset {self.name}「{self.title}」: {len(self.table)} 行>"

    # -- rows ------------------------------------------------------------------------------
    def series(self, indicator: str, region: str | None = None, preferred_only: bool = True,
               vintage: str | None = None) -> pd.DataFrame:
        """Rows for one indicator (and region), sorted by year. Raises DataError if there are none.

        The preferred rows of a level may come from different vintages (Zhejiang's GDP: 2019–2022 as first
        published, 2023 revised after the economic census). Before computing growth or shares from them,
        look at the ``vintage`` column, or ask for one vintage with ``vintage="初步核算"``.
        """
        t = self.table
        if "indicator" not in t.columns:
            raise DataError(f"数据集 {self.name} 没有 indicator 列，不能按指标取数。")
        mask = t["indicator"] == indicator
        if region is not None:
            mask &= t["region"] == region
        if vintage is not None:
            if "vintage" not in t.columns:
                raise DataError(f"数据集 {self.name} 没有 vintage（数据版本）列。")
            mask &= t["vintage"] == vintage
        if preferred_only and "preferred" in t.columns:
            mask &= t["preferred"].astype(bool)
        rows = t[mask]
        if rows.empty:
            inds = "、".join(sorted(t["indicator"].unique()))
            where = f"（地区：{region}）" if region is not None else ""
            raise DataError(f"数据集 {self.name} 中没有指标“{indicator}”{where}的数据。可用指标：{inds}。")
        return rows.sort_values(["year"], kind="stable").reset_index(drop=True)

    # -- sources ---------------------------------------------------------------------------
    def source_line(self, rows: pd.DataFrame | None = None) -> str:
        """The source line for under a chart, for the given rows (a subset of .table) or all."""
        res = self.resource
        if res.get("source_line"):
            line = res["source_line"]
            country = res.get("country_sources")
            if country and "countrycode" in self.table.columns:
                codes = (rows if rows is not None else self.table)["countrycode"].dropna().unique()
                parts = [f"{c}: {country[c]}" for c in sorted(codes) if c in country]
                if parts:
                    line += "；各国原始文献：" + "；".join(parts)
            return line
        t = self.table if rows is None else rows
        if t is None or len(t) == 0 or "publisher" not in t.columns:
            return ""
        keys = [c for c in ("publisher", "document", "date", "via") if c in t.columns]
        by_pub: dict[str, list[dict]] = {}
        for rec in t[keys].drop_duplicates().to_dict("records"):
            by_pub.setdefault(str(rec["publisher"]).strip(), []).append(rec)
        parts = []
        for pub, recs in by_pub.items():
            dates = sorted({str(r.get("date", "") or "").strip() for r in recs} - {""})
            when = f"（{'、'.join(dates)}）" if dates else ""
            doc = str(recs[0].get("document", "") or "").strip()
            # The publisher's own single document is named; a report about it is not, whether its
            # outlet is named (via) or not (the document then says 报道, see data/README.md).
            own = len(recs) == 1 and not recs[0].get("via") and doc and "报道" not in doc
            parts.append(f"{pub}《{doc}》{when}" if own else f"{pub}{when}")
        return "来源：" + "；".join(parts)


def _licence(res: dict) -> str:
    for lic in res.get("licenses", []) or []:
        name = str(lic.get("name", ""))
        if name.upper().startswith("CC-BY"):
            return name.replace("CC-BY-", "CC BY ")
    return ""


def _sources_of(table: pd.DataFrame, res: dict) -> pd.DataFrame:
    if all(c in table.columns for c in ("publisher", "document", "date")):
        cols = [c for c in _SOURCE_COLUMNS if c in table.columns]
        return table[cols].drop_duplicates().reset_index(drop=True)
    rows = [{"publisher": s.get("title", ""), "document": s.get("title", ""), "date": "", "publisher_url": ""}
            for s in res.get("sources", [])]
    return pd.DataFrame(rows, columns=_SOURCE_COLUMNS)


def _checked_table(name: str) -> tuple[dict, Path, pd.DataFrame]:
    """The resource, the file and the checked table (remembered while the file is unchanged: not a copy)."""
    res = _resource(name)
    folder = data_dir()
    rel = res.get("path")
    if not isinstance(rel, str) or not isinstance(res.get("schema"), dict):
        raise _error(folder / "datapackage.json", f"中数据集 {name} 的描述不完整（缺 path 或 schema）。")
    path = folder / rel
    return res, path, _read_table(_stat_key(path), json.dumps(res["schema"], sort_keys=True))


def shared_table(name: str) -> pd.DataFrame:
    """A data set's checked table, the same object on every call while its file is unchanged — for code that
    only reads it, so that what is computed from it can be remembered by the table (models/accounting.py).
    Never change it; :func:`load` gives a copy that may be changed."""
    return _checked_table(name)[2]


def load(name: str) -> Dataset:
    """Load a data set by its resource name in data/datapackage.json (see :func:`list_datasets`)."""
    res, path, table = _checked_table(name)
    table = table.copy()
    return Dataset(name=name, title=res.get("title", name), table=table,
                   description=res.get("description", ""), licence=_licence(res),
                   citation=res.get("citation", ""), path=path, resource=res)


# ---------------------------------------------------------------------------------------------
# Units: values stay in the source's unit in the CSV files; convert in code.
# ---------------------------------------------------------------------------------------------

#: unit -> (dimension, factor to the base unit)
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0), "万元": ("money", 1e4), "亿元": ("money", 1e8), "万亿元": ("money", 1e12),
    "million yuan": ("money", 1e6), "billion yuan": ("money", 1e9), "trillion yuan": ("money", 1e12),
    "units": ("vehicles", 1.0), "辆": ("vehicles", 1.0), "万辆": ("vehicles", 1e4),
    "million units": ("vehicles", 1e6),
    "人": ("people", 1.0), "万人": ("people", 1e4), "亿人": ("people", 1e8),
    "家": ("firms", 1.0), "万家": ("firms", 1e4),
    "元/人": ("money per person", 1.0), "万元/人": ("money per person", 1e4),
    "%": ("percent", 1.0),
}

#: a multiplier word after a number in a text ("4.2万家", "1.5 billion yuan") -> how many ones it stands for
SCALE_WORDS: dict[str, float] = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3,
                                 "trillion": 1e12, "billion": 1e9, "million": 1e6}


def _factor(unit: str) -> tuple[str, float]:
    u = str(unit).strip()
    if u not in UNITS:
        raise UnitError(f"不认识的单位“{unit}”。可用单位：{'、'.join(UNITS)}。")
    return UNITS[u]


def convert(values, from_unit: str, to_unit: str):
    """Convert numbers between units of one kind (money, vehicles, people, firms).

    Works on a number, a list, a NumPy array or a pandas Series; returns the same kind.
    ``convert(1.206, "million units", "万辆") -> 120.6``.
    """
    d1, f1 = _factor(from_unit)
    d2, f2 = _factor(to_unit)
    if d1 != d2:
        raise UnitError(f"单位“{from_unit}”不能换算成“{to_unit}”（不是同一类量）。")
    ratio = f1 / f2
    if isinstance(values, (pd.Series, np.ndarray)):
        return values * ratio
    if isinstance(values, (list, tuple)):
        return type(values)(v * ratio for v in values)
    return values * ratio


def to_unit(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """A copy of ``rows`` (with value and unit columns) with every value converted to ``unit``."""
    out = rows.copy()
    out["value"] = [convert(v, u, unit) for v, u in zip(out["value"], out["unit"])]
    out["unit"] = unit
    return out
