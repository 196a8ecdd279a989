"""The indicator taxonomy: loaded from a data file (YAML or CSV), validated, versioned.

An organisation holding the official MGI questionnaire drops its own file in (``--taxonomy`` or
``MGI_TAXONOMY``) without touching code. Accepted shapes:

* nested YAML: ``domains: [{id, name, subareas: [{id, name, indicators: [...]}]}]`` (the default
  file's shape);
* flat YAML: ``indicators: [{id, domain, name, description, ...}]`` plus optional ``domains``;
* CSV: one row per indicator with columns ``id, domain`` and ``name``/``description`` either as
  plain columns (English) or per language (``name_en, description_fr, ...``); optional
  ``subarea``, ``keywords_en`` (``;``-separated).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import MgiError

Text = dict[str, str]  # language code -> text


class TaxonomyError(MgiError, ValueError):
    """The taxonomy file is unusable; the message lists every problem found."""


@dataclass(frozen=True)
class Indicator:
    id: str
    domain: str
    name: Text
    description: Text
    subarea: str | None = None
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, language: str = "en") -> str:
        return _pick(self.name, language)

    def describe(self, language: str = "en") -> str:
        return _pick(self.description, language)


@dataclass(frozen=True)
class Domain:
    id: str
    name: Text
    description: Text = field(default_factory=dict)

    def label(self, language: str = "en") -> str:
        return _pick(self.name, language)


@dataclass(frozen=True)
class Subarea:
    id: str
    domain: str
    name: Text


@dataclass(frozen=True)
class Taxonomy:
    name: str
    version: str
    domains: tuple[Domain, ...]
    indicators: tuple[Indicator, ...]
    subareas: tuple[Subarea, ...] = ()
    source: str | None = None

    @property
    def key(self) -> str:
        """What a trained model is bound to: the name, version and exact indicator ids."""
        return f"{self.name}@{self.version}"

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    @property
    def domain_ids(self) -> list[str]:
        return [d.id for d in self.domains]

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"unknown indicator id {indicator_id!r}: see `mgi indicators` for the list")

    def domain(self, domain_id: str) -> Domain:
        for dom in self.domains:
            if dom.id == domain_id:
                return dom
        raise KeyError(f"unknown domain {domain_id!r}: domains are {', '.join(self.domain_ids)}")

    def languages(self) -> list[str]:
        langs: Counter[str] = Counter()
        for ind in self.indicators:
            langs.update(lang for lang, text in ind.description.items() if text)
        return [lang for lang, _ in langs.most_common()]

    def prototype_texts(self, indicator: Indicator) -> list[tuple[str, str]]:
        """(language, text) pairs that describe the indicator, used for zero-shot matching."""
        out = []
        for lang, desc in indicator.description.items():
            if not desc:
                continue
            name = indicator.name.get(lang) or indicator.label()
            kws = indicator.keywords.get(lang, ())
            text = f"{name}. {desc}" + (f" ({', '.join(kws)})" if kws else "")
            out.append((lang, text))
        return out


def _pick(texts: Text, language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def _as_text(value: Any, where: str, problems: list[str]) -> Text:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value.strip()}
    if isinstance(value, dict):
        return {str(k): str(v).strip() for k, v in value.items() if v is not None}
    problems.append(f"{where}: expected text or a mapping of language to text, got {type(value).__name__}")
    return {}


def _keywords(value: Any) -> dict[str, tuple[str, ...]]:
    if not value:
        return {}
    if isinstance(value, list):
        return {"en": tuple(str(v) for v in value)}
    return {str(k): tuple(str(x) for x in (v or [])) for k, v in value.items()}


# --------------------------------------------------------------------------- loading


def load_taxonomy(path: Path | str) -> Taxonomy:
    """Load and validate a taxonomy file; raises ``TaxonomyError`` listing what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise TaxonomyError(f"taxonomy file not found: {path} (set MGI_TAXONOMY or --taxonomy to a YAML/CSV file)")
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml", ".json"}:
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise TaxonomyError(f"{path}: not valid YAML ({err.__class__.__name__}: {err})") from err
        if not isinstance(data, dict):
            raise TaxonomyError(f"{path}: expected a mapping with 'domains' or 'indicators' at the top")
        taxonomy = from_mapping(data, default_name=path.stem, source=str(path))
    elif suffix in {".csv", ".tsv"}:
        taxonomy = from_csv(path)
    else:
        raise TaxonomyError(f"{path}: unsupported taxonomy format {suffix!r}; use .yaml or .csv")
    return taxonomy


def from_mapping(data: dict[str, Any], default_name: str = "custom", source: str | None = None) -> Taxonomy:
    problems: list[str] = []
    domains: list[Domain] = []
    subareas: list[Subarea] = []
    indicators: list[Indicator] = []
    for d in _entries(data.get("domains"), "domains", problems):
        did = str(d.get("id", "")).strip()
        domains.append(
            Domain(
                did,
                _as_text(d.get("name"), f"domain {did} name", problems),
                _as_text(d.get("description"), f"domain {did} description", problems),
            )
        )
        for s in _entries(d.get("subareas"), f"domain {did} subareas", problems):
            sid = str(s.get("id", "")).strip()
            subareas.append(Subarea(sid, did, _as_text(s.get("name"), f"sub-area {sid} name", problems)))
            for i in _entries(s.get("indicators"), f"sub-area {sid} indicators", problems):
                indicators.append(_indicator(i, did, sid, problems))
        for i in _entries(d.get("indicators"), f"domain {did} indicators", problems):
            indicators.append(_indicator(i, did, None, problems))
    for i in _entries(data.get("indicators"), "indicators", problems):
        indicators.append(_indicator(i, str(i.get("domain", "")).strip(), i.get("subarea"), problems))
    if not domains:  # flat files may leave domains implicit
        domains = [Domain(did, {"en": f"Domain {did}"}) for did in sorted({i.domain for i in indicators})]
    name = str(data.get("name") or default_name)
    version = str(data.get("version") or _content_hash(domains, indicators))
    taxonomy = Taxonomy(name, version, tuple(domains), tuple(indicators), tuple(subareas), source)
    problems += validate(taxonomy)
    if problems:
        where = source or name
        shown = "\n  - ".join(problems[:30])
        more = f"\n  ... and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise TaxonomyError(f"{where}: {len(problems)} problem(s) in the taxonomy:\n  - {shown}{more}")
    return taxonomy


def _entries(value: Any, where: str, problems: list[str]) -> list[dict[str, Any]]:
    """The mappings of a YAML list; anything else becomes a problem instead of a traceback."""
    if not value:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list of entries, got {type(value).__name__}")
        return []
    out = []
    for n, item in enumerate(value, start=1):
        if isinstance(item, dict):
            out.append(item)
        else:
            problems.append(f"{where}: entry {n} ({str(item)[:40]!r}) is not a mapping with an id")
    return out


def _indicator(raw: dict[str, Any], domain: str, subarea: str | None, problems: list[str]) -> Indicator:
    iid = str(raw.get("id", "")).strip()
    return Indicator(
        id=iid,
        domain=domain,
        name=_as_text(raw.get("name"), f"indicator {iid or '?'} name", problems),
        description=_as_text(raw.get("description"), f"indicator {iid or '?'} description", problems),
        subarea=str(subarea) if subarea else None,
        keywords=_keywords(raw.get("keywords")),
    )


def from_csv(path: Path) -> Taxonomy:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=delimiter))
    if not rows:
        raise TaxonomyError(f"{path}: the CSV has no rows")
    missing = {"id", "domain"} - set(rows[0])
    if missing:
        raise TaxonomyError(
            f"{path}: missing column(s) {', '.join(sorted(missing))}; needed: id, domain, name, description"
        )
    indicators = []
    for row in rows:
        entry: dict[str, Any] = {"id": row["id"], "domain": row["domain"], "subarea": row.get("subarea") or None}
        for fieldname in ("name", "description", "keywords"):
            per_lang = {k.split("_", 1)[1]: v for k, v in row.items() if k and k.startswith(f"{fieldname}_") and v}
            if row.get(fieldname):
                per_lang.setdefault("en", row[fieldname])
            if fieldname == "keywords":
                entry[fieldname] = {
                    lang: [w.strip() for w in v.split(";") if w.strip()] for lang, v in per_lang.items()
                }
            else:
                entry[fieldname] = per_lang
        indicators.append(entry)
    return from_mapping({"name": path.stem, "indicators": indicators}, default_name=path.stem, source=str(path))


def validate(taxonomy: Taxonomy) -> list[str]:
    """Every problem with a taxonomy, as sentences that say what to fix."""
    problems = []
    domain_ids = [d.id for d in taxonomy.domains]
    for did, n in Counter(domain_ids).items():
        if n > 1:
            problems.append(f"domain id {did!r} is used {n} times: domain ids must be unique")
    for dom in taxonomy.domains:
        if not dom.id:
            problems.append("a domain has no id")
        if not any(dom.name.values()):
            problems.append(f"domain {dom.id!r} has no name")
    if not taxonomy.indicators:
        problems.append("no indicators found")
    for iid, n in Counter(i.id for i in taxonomy.indicators).items():
        if n > 1:
            problems.append(f"indicator id {iid!r} is used {n} times: ids must be unique")
    known = set(domain_ids)
    for ind in taxonomy.indicators:
        if not ind.id:
            problems.append(f"an indicator in domain {ind.domain!r} has no id")
        if ind.domain not in known:
            problems.append(f"indicator {ind.id!r} names domain {ind.domain!r}, which is not defined")
        if not any(ind.name.values()):
            problems.append(f"indicator {ind.id!r} has no name")
        if not any(ind.description.values()):
            problems.append(f"indicator {ind.id!r} has an empty description: write the evidence that answers it")
        for lang, text in ind.description.items():
            if not text:
                problems.append(f"indicator {ind.id!r} has an empty {lang} description")
    for lang in {lang for ind in taxonomy.indicators for lang in ind.name}:
        names = Counter(ind.name.get(lang, "").strip().lower() for ind in taxonomy.indicators if ind.name.get(lang))
        for label, n in names.items():
            if n > 1:
                ids = [i.id for i in taxonomy.indicators if i.name.get(lang, "").strip().lower() == label]
                problems.append(f"indicators {', '.join(ids)} share the {lang} name {label!r}: labels must differ")
    return problems


def _content_hash(domains: list[Domain], indicators: list[Indicator]) -> str:
    payload = json.dumps(
        [[d.id, d.name] for d in domains] + [[i.id, i.domain, i.name, i.description] for i in indicators],
        sort_keys=True,
        ensure_ascii=False,
    )
    return "sha-" + hashlib.sha256(payload.encode()).hexdigest()[:12]
