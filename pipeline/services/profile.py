"""The draft migration governance profile of one country, built from analyst-confirmed evidence.

For each of the six domains: *well-developed areas* (indicators with confirmed evidence that the
instrument provides the thing, each finding citing document title and page) and *areas with
potential for further development* (indicators with confirmed gap evidence, also cited, and
indicators with no confirmed evidence after review). Indicators whose candidates are still
pending are listed apart: silence is only a gap once the corpus has been reviewed. A coverage
chart (inline SVG in HTML, a text table in Markdown) sums it up per domain.

Labels come from the taxonomy in the requested language where it has them; quoted passages stay
in the language of their document.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from pipeline.services.review import match_country, sync_items
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.queries import evidence_join
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DocumentRow, PassageRow, ReviewStateRow

EXCERPT_CHARS = 320

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Migration governance profile: {country}",
        "draft": "Draft",
        "intro": "Draft generated on {date} from evidence confirmed by analysts ({confirmed} confirmed passages "
        "from {documents} documents; {pending} candidates still pending review). Every finding cites its "
        "document and page. Indicators are those of the {taxonomy} taxonomy.",
        "developed": "Well-developed areas",
        "potential": "Areas with potential for further development",
        "gap_evidence": "Evidence of a gap",
        "no_evidence": "No evidence found in the reviewed documents",
        "pending": "Not yet settled (candidates still pending review)",
        "none": "None identified yet.",
        "coverage": "Coverage by domain",
        "domain": "Domain",
        "indicators": "Indicators",
        "covered": "Well-developed",
        "gaps": "Gap evidence",
        "unreviewed": "Pending review",
        "missing": "No evidence",
        "share": "Covered",
        "sources": "Sources",
        "page": "p.",
        "pages": "pp.",
        "pending_n": "{n} pending",
        "note": "Analyst note",
        "language_fallback": "The taxonomy has no {language} labels; English is used.",
    },
    "fr": {
        "title": "Profil de gouvernance des migrations : {country}",
        "draft": "Projet",
        "intro": "Projet généré le {date} à partir des éléments confirmés par les analystes ({confirmed} passages "
        "confirmés dans {documents} documents ; {pending} candidats encore en attente d'examen). Chaque "
        "constat cite son document et sa page. Les indicateurs sont ceux de la taxonomie {taxonomy}.",
        "developed": "Domaines bien développés",
        "potential": "Domaines pouvant faire l'objet d'améliorations",
        "gap_evidence": "Lacune attestée",
        "no_evidence": "Aucun élément trouvé dans les documents examinés",
        "pending": "Pas encore tranché (candidats en attente d'examen)",
        "none": "Aucun pour l'instant.",
        "coverage": "Couverture par domaine",
        "domain": "Domaine",
        "indicators": "Indicateurs",
        "covered": "Bien développé",
        "gaps": "Lacune attestée",
        "unreviewed": "En attente",
        "missing": "Aucun élément",
        "share": "Couvert",
        "sources": "Sources",
        "page": "p.",
        "pages": "p.",
        "pending_n": "{n} en attente",
        "note": "Note de l'analyste",
        "language_fallback": "La taxonomie n'a pas de libellés en {language} ; l'anglais est utilisé.",
    },
    "es": {
        "title": "Perfil de gobernanza de la migración: {country}",
        "draft": "Borrador",
        "intro": "Borrador generado el {date} a partir de la evidencia confirmada por analistas ({confirmed} pasajes "
        "confirmados de {documents} documentos; {pending} candidatos aún pendientes de revisión). Cada "
        "hallazgo cita su documento y página. Los indicadores son los de la taxonomía {taxonomy}.",
        "developed": "Áreas bien desarrolladas",
        "potential": "Áreas con potencial de desarrollo",
        "gap_evidence": "Evidencia de una carencia",
        "no_evidence": "Sin evidencia en los documentos revisados",
        "pending": "Aún sin decidir (candidatos pendientes de revisión)",
        "none": "Ninguna identificada por ahora.",
        "coverage": "Cobertura por ámbito",
        "domain": "Ámbito",
        "indicators": "Indicadores",
        "covered": "Bien desarrollado",
        "gaps": "Carencia",
        "unreviewed": "Pendiente",
        "missing": "Sin evidencia",
        "share": "Cubierto",
        "sources": "Fuentes",
        "page": "p.",
        "pages": "pp.",
        "pending_n": "{n} pendientes",
        "note": "Nota del analista",
        "language_fallback": "La taxonomía no tiene etiquetas en {language}; se usa el inglés.",
    },
    "pt": {
        "title": "Perfil de governação das migrações: {country}",
        "draft": "Rascunho",
        "intro": "Rascunho gerado em {date} a partir de evidências confirmadas por analistas ({confirmed} passagens "
        "confirmadas de {documents} documentos; {pending} candidatos ainda por rever). Cada constatação "
        "cita o documento e a página. Os indicadores são os da taxonomia {taxonomy}.",
        "developed": "Áreas bem desenvolvidas",
        "potential": "Áreas com potencial de desenvolvimento",
        "gap_evidence": "Evidência de uma lacuna",
        "no_evidence": "Sem evidência nos documentos revistos",
        "pending": "Ainda por decidir (candidatos por rever)",
        "none": "Nenhuma identificada ainda.",
        "coverage": "Cobertura por domínio",
        "domain": "Domínio",
        "indicators": "Indicadores",
        "covered": "Bem desenvolvido",
        "gaps": "Lacuna",
        "unreviewed": "Por rever",
        "missing": "Sem evidência",
        "share": "Coberto",
        "sources": "Fontes",
        "page": "p.",
        "pages": "pp.",
        "pending_n": "{n} por rever",
        "note": "Nota do analista",
        "language_fallback": "A taxonomia não tem rótulos em {language}; usa-se o inglês.",
    },
}

COLOURS = {"developed": "#2e7d32", "gap": "#e65100", "pending": "#9e9e9e", "missing": "#e0e0e0"}


@dataclass
class Citation:
    candidate_id: int
    title: str
    page: int
    page_end: int
    excerpt: str
    note: str | None
    sha256: str
    date: str | None = None

    def where(self, t: dict[str, str]) -> str:
        pages = (
            f"{t['page']} {self.page}" if self.page == self.page_end else f"{t['pages']} {self.page}–{self.page_end}"
        )
        return f"{self.title}, {pages}"


@dataclass
class Finding:
    indicator: str
    label: str
    citations: list[Citation] = field(default_factory=list)


@dataclass
class DomainSection:
    id: str
    name: str
    n_indicators: int
    developed: list[Finding] = field(default_factory=list)
    gaps: list[Finding] = field(default_factory=list)
    no_evidence: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    pending: list[tuple[str, str, int]] = field(default_factory=list)  # (id, label, candidates pending)

    def coverage(self) -> dict[str, int]:
        dev = {f.indicator for f in self.developed}
        gap = {f.indicator for f in self.gaps} - dev
        return {"developed": len(dev), "gap": len(gap), "pending": len(self.pending), "missing": len(self.no_evidence)}


@dataclass
class Profile:
    country: str
    language: str
    taxonomy: str
    generated: str
    sections: list[DomainSection]
    documents: list[dict[str, Any]]
    confirmed: int
    pending: int
    notes: list[str] = field(default_factory=list)

    @property
    def t(self) -> dict[str, str]:
        return TEXTS.get(self.language, TEXTS["en"])


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    sentences = re.split(r"(?<=[.;:])\s+", flat)
    out = ""
    for s in sentences:
        if len(out) + len(s) + 1 > limit:
            break
        out = f"{out} {s}".strip()
    return out if len(out) >= limit // 3 else flat[:limit].rsplit(" ", 1)[0] + " …"


def build_profile(store: Store, taxonomy: Taxonomy, country: str, language: str = "en") -> Profile:
    """Collect the confirmed evidence of one country into a profile (see the module docstring)."""
    sync_items(store)
    country = match_country(store, country)
    notes = []
    available = set(taxonomy.languages()) | {"en"}
    label_lang = language if language in available else "en"
    if language not in available:
        notes.append(TEXTS.get(language, TEXTS["en"])["language_fallback"].format(language=language))
    text_lang = language if language in TEXTS else "en"
    in_country = func.lower(DocumentRow.country) == country.lower()
    with store.session() as s:
        rows = s.execute(
            evidence_join(
                select(
                    CandidateRow.id,
                    ReviewStateRow.final_indicator,
                    ReviewStateRow.polarity,
                    ReviewStateRow.note,
                    PassageRow.id,
                    PassageRow.text,
                    PassageRow.page,
                    PassageRow.page_end,
                    PassageRow.idx,
                    DocumentRow.sha256,
                    DocumentRow.title,
                    DocumentRow.filename,
                    DocumentRow.date,
                )
            )
            .where(in_country, ReviewStateRow.status == "confirmed")
            .order_by(DocumentRow.date, DocumentRow.title, PassageRow.idx, CandidateRow.id)
        ).all()
        pending = dict(
            s.execute(
                evidence_join(select(CandidateRow.indicator_id, func.count()))
                .where(in_country, ReviewStateRow.status.in_(("pending", "conflict")))
                .group_by(CandidateRow.indicator_id)
            ).all()
        )
        docs = [
            {"title": t or fn, "date": dt, "type": ty, "sha256": sha, "source_url": url}
            for t, fn, dt, ty, sha, url in s.execute(
                select(
                    DocumentRow.title,
                    DocumentRow.filename,
                    DocumentRow.date,
                    DocumentRow.document_type,
                    DocumentRow.sha256,
                    DocumentRow.source_url,
                )
                .where(in_country, DocumentRow.status == "processed")
                .order_by(DocumentRow.date, DocumentRow.title)
            )
        ]
    evidence: dict[tuple[str, str], dict[str, Citation]] = defaultdict(dict)  # (indicator, polarity) -> passage -> cite
    for cid, ind, pol, note, pid, text, page, page_end, _idx, sha, title, fn, date in rows:
        key = (ind, pol or "developed")
        if pid not in evidence[key]:
            evidence[key][pid] = Citation(cid, title or fn, page, page_end, _excerpt(text), note, sha, date)
        elif note and not evidence[key][pid].note:
            evidence[key][pid].note = note
    sections = []
    for dom in taxonomy.domains:
        inds = [i for i in taxonomy.indicators if i.domain == dom.id]
        sec = DomainSection(dom.id, dom.label(label_lang), len(inds))
        for ind in inds:
            label = ind.label(label_lang)
            dev, gap = evidence.get((ind.id, "developed")), evidence.get((ind.id, "gap"))
            if dev:
                sec.developed.append(Finding(ind.id, label, list(dev.values())))
            if gap:
                sec.gaps.append(Finding(ind.id, label, list(gap.values())))
            if not dev and not gap:
                if pending.get(ind.id):
                    sec.pending.append((ind.id, label, pending[ind.id]))
                else:
                    sec.no_evidence.append((ind.id, label))
        sections.append(sec)
    return Profile(
        country=country,
        language=text_lang,
        taxonomy=taxonomy.key,
        generated=datetime.now(UTC).date().isoformat(),
        sections=sections,
        documents=docs,
        confirmed=len({r[4] for r in rows}),
        pending=sum(pending.values()),
        notes=notes,
    )


# --------------------------------------------------------------------------- Markdown


def _bar(n: int, total: int, width: int = 20) -> str:
    filled = round(width * n / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def render_markdown(profile: Profile) -> str:
    t = profile.t
    lines = [f"# {t['title'].format(country=profile.country)} ({t['draft']})", ""]
    lines += [
        t["intro"].format(
            date=profile.generated,
            confirmed=profile.confirmed,
            documents=len(profile.documents),
            pending=profile.pending,
            taxonomy=profile.taxonomy,
        ),
        "",
    ]
    lines += [f"> {n}" for n in profile.notes] + ([""] if profile.notes else [])
    lines += [
        f"## {t['coverage']}",
        "",
        f"| {t['domain']} | {t['indicators']} | {t['covered']} | {t['gaps']} | {t['unreviewed']} | "
        f"{t['missing']} | {t['share']} |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for sec in profile.sections:
        c = sec.coverage()
        share = c["developed"] + c["gap"]
        lines.append(
            f"| {sec.id}. {sec.name} | {sec.n_indicators} | {c['developed']} | {c['gap']} | {c['pending']} | "
            f"{c['missing']} | `{_bar(share, sec.n_indicators)}` {100 * share / max(sec.n_indicators, 1):.0f}% |"
        )
    lines.append("")
    for sec in profile.sections:
        lines += [f"## {sec.id}. {sec.name}", "", f"### {t['developed']}", ""]
        lines += _md_findings(sec.developed, t) or [f"- {t['none']}"]
        lines += ["", f"### {t['potential']}", ""]
        body = []
        for f in sec.gaps:
            body += _md_findings([f], t, prefix=f"{t['gap_evidence']}: ")
        if sec.no_evidence:
            body.append(f"- **{t['no_evidence']}:** " + "; ".join(f"{i} {label}" for i, label in sec.no_evidence))
        lines += body or [f"- {t['none']}"]
        if sec.pending:
            lines += [
                "",
                f"*{t['pending']}:* "
                + "; ".join(f"{i} {label} ({t['pending_n'].format(n=n)})" for i, label, n in sec.pending),
            ]
        lines.append("")
    lines += [f"## {t['sources']}", ""]
    lines += [
        f"- {d['title']}" + (f" ({d['date']})" if d["date"] else "") + f" — SHA-256 `{d['sha256'][:12]}…`"
        for d in profile.documents
    ]
    return "\n".join(lines).rstrip() + "\n"


def _md_findings(findings: list[Finding], t: dict[str, str], prefix: str = "") -> list[str]:
    out = []
    for f in findings:
        out.append(f"- **{prefix}{f.indicator} {f.label}**")
        for c in f.citations:
            note = f" — *{t['note']}: {c.note}*" if c.note else ""
            out.append(f"  - “{c.excerpt}” ({c.where(t)}){note}")
    return out


# --------------------------------------------------------------------------- HTML


def coverage_svg(profile: Profile) -> str:
    """A stacked horizontal bar per domain: well-developed, gap evidence, pending, no evidence."""
    t = profile.t
    row, label_w, bar_w, top = 30, 300, 380, 34
    height = top + row * len(profile.sections) + 10
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 70}" height="{height}" '
        f'viewBox="0 0 {label_w + bar_w + 70} {height}" font-family="system-ui, sans-serif" font-size="13">',
        f"<title>{e(t['coverage'])}</title>",
    ]
    x = label_w
    for key, name in (
        ("developed", t["covered"]),
        ("gap", t["gaps"]),
        ("pending", t["unreviewed"]),
        ("missing", t["missing"]),
    ):
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[key]}"/>'
            f'<text x="{x + 16}" y="16">{e(name)}</text>'
        )
        x += 30 + 7.5 * len(name)
    for n, sec in enumerate(profile.sections):
        y = top + n * row
        c = sec.coverage()
        parts.append(f'<text x="0" y="{y + 15}">{e(f"{sec.id}. {sec.name}"[:44])}</text>')
        x = float(label_w)
        for key in ("developed", "gap", "pending", "missing"):
            w = bar_w * c[key] / max(sec.n_indicators, 1)
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="20" fill="{COLOURS[key]}">'
                    f"<title>{e(sec.name)}: {c[key]} / {sec.n_indicators}</title></rect>"
                )
            x += w
        share = c["developed"] + c["gap"]
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}">{share}/{sec.n_indicators}</text>')
    parts.append("</svg>")
    return "".join(parts)


PROFILE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
line-height:1.45;color:#1b1b1b}
h1{font-size:1.6rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem}
.badge{background:#fff3cd;border:1px solid #e0c36b;border-radius:3px;padding:0 .4rem;font-size:.8rem}
ul.findings>li{margin-bottom:.6rem}.cite{color:#555;font-size:.9rem}.quote{font-style:italic}
.ind{font-weight:600}.gap{color:#b24700}.muted{color:#666}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
"""


def render_html(profile: Profile, standalone: bool = True) -> str:
    t = profile.t
    e = html.escape
    out = []
    if standalone:
        out.append(
            f'<!DOCTYPE html><html lang="{e(profile.language)}"><head><meta charset="utf-8">'
            f"<title>{e(t['title'].format(country=profile.country))}</title><style>{PROFILE_CSS}</style>"
            "</head><body>"
        )
    out.append(
        f'<article class="profile"><h1>{e(t["title"].format(country=profile.country))} '
        f'<span class="badge">{e(t["draft"])}</span></h1>'
    )
    out.append(
        f"<p>{e(t['intro'].format(date=profile.generated, confirmed=profile.confirmed, documents=len(profile.documents), pending=profile.pending, taxonomy=profile.taxonomy))}</p>"
    )
    out += [f'<p class="muted">{e(n)}</p>' for n in profile.notes]
    out.append(f"<h2>{e(t['coverage'])}</h2><figure>{coverage_svg(profile)}</figure>")
    for sec in profile.sections:
        out.append(f'<section id="domain-{e(sec.id)}"><h2>{e(sec.id)}. {e(sec.name)}</h2>')
        out.append(f"<h3>{e(t['developed'])}</h3>")
        out.append(_html_findings(sec.developed, t) or f'<p class="muted">{e(t["none"])}</p>')
        out.append(f"<h3>{e(t['potential'])}</h3>")
        body = _html_findings(sec.gaps, t, prefix=t["gap_evidence"])
        if sec.no_evidence:
            body += (
                f"<p><strong>{e(t['no_evidence'])}:</strong></p><ul>"
                + "".join(f'<li><span class="ind">{e(i)}</span> {e(label)}</li>' for i, label in sec.no_evidence)
                + "</ul>"
            )
        out.append(body or f'<p class="muted">{e(t["none"])}</p>')
        if sec.pending:
            out.append(
                f'<p class="muted"><em>{e(t["pending"])}:</em> '
                + "; ".join(f"{e(i)} {e(label)} ({e(t['pending_n'].format(n=n))})" for i, label, n in sec.pending)
                + "</p>"
            )
        out.append("</section>")
    out.append(f"<h2>{e(t['sources'])}</h2><ul>")
    for d in profile.documents:
        out.append(
            f"<li>{e(d['title'])}"
            + (f" ({e(d['date'])})" if d["date"] else "")
            + f' <span class="muted">SHA-256 {e(d["sha256"][:12])}…</span></li>'
        )
    out.append("</ul></article>")
    if standalone:
        out.append("</body></html>")
    return "\n".join(out)


def _html_findings(findings: list[Finding], t: dict[str, str], prefix: str = "") -> str:
    if not findings:
        return ""
    e = html.escape
    out = ['<ul class="findings">']
    for f in findings:
        tag = f'<span class="gap">{e(prefix)}:</span> ' if prefix else ""
        out.append(f'<li>{tag}<span class="ind">{e(f.indicator)} {e(f.label)}</span><ul>')
        for c in f.citations:
            note = f' <span class="muted">— {e(t["note"])}: {e(c.note)}</span>' if c.note else ""
            out.append(
                f'<li><span class="quote">“{e(c.excerpt)}”</span> <span class="cite">({e(c.where(t))})</span>'
                f"{note}</li>"
            )
        out.append("</ul></li>")
    out.append("</ul>")
    return "".join(out)


def render(profile: Profile, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(profile)
    if fmt == "html":
        return render_html(profile)
    raise ValueError(f"unknown profile format {fmt!r}: use html or md")
