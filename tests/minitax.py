"""A small taxonomy cut from the bundled one (three indicators per domain, English texts only), so
that tests which start fresh processes (Dask workers, a killed batch) embed a few descriptions
instead of hundreds. Results differ from the full taxonomy's; the tests compare runs made with it."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.config import DEFAULT_TAXONOMY


def write_mini_taxonomy(path: Path, per_domain: int = 3) -> Path:
    data = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))

    def en(value):  # noqa: ANN001, ANN202
        return {"en": value["en"]} if isinstance(value, dict) and "en" in value else value

    domains = []
    for dom in data["domains"]:
        kept, subareas = 0, []
        for sub in dom.get("subareas", []):
            inds = []
            for ind in sub.get("indicators", []):
                if kept >= per_domain:
                    break
                inds.append(
                    {
                        "id": ind["id"],
                        "name": en(ind["name"]),
                        "description": en(ind["description"]),
                        "keywords": en(ind.get("keywords") or {}),
                    }
                )
                kept += 1
            if inds:
                subareas.append({"id": sub["id"], "name": en(sub["name"]), "indicators": inds})
        domains.append({"id": dom["id"], "name": en(dom["name"]), "subareas": subareas})
    mini = {"name": "mgi-mini-test", "version": "1", "languages": ["en"], "domains": domains}
    path.write_text(yaml.safe_dump(mini, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
