"""What a passage is, before what it is about: operative text, or one of the kinds of document
furniture that real legislation is full of and that is never evidence.

``passage_kind(text)`` gives ``content`` or one of ``toc`` (table of contents, index), ``heading``
(a title or heading with no provision under it), ``signature`` (signature blocks, enactment and
publication formulas), ``form`` (fields to fill in), ``changelog`` (amendment notes and version
history) and ``privacy`` (data-protection notices on forms and leaflets). Such passages are kept
and stored (they are searchable) but never queued. The rules are written for en/fr/es/pt/de/nl and
err towards ``content``: a passage they are unsure of is left to the classifier's evidence gate.

May import: nothing of the project.
"""

from __future__ import annotations

import re

CONTENT = "content"
NON_EVIDENCE_KINDS = ("toc", "heading", "signature", "form", "changelog", "privacy")

_TOC_TITLE = re.compile(
    r"^\s*(?:table of contents|contents|index|sommaire|table des matières|índice|indice|sumário|sumario|"
    r"inhaltsverzeichnis|inhaltsübersicht|inhoudsopgave|inhoud)\b",
    re.IGNORECASE,
)
_LEADER_LINE = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,}|_{4,}|\s{3,})\s*\d{1,4}\s*$")
_LEADER = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,})\s*\d{1,4}\b")  # "Definitions........7", anywhere in a line
_NUMBERED_HEAD = re.compile(
    r"^\s*(?:article|artículo|articulo|artigo|artikel|art\.|section|sección|chapter|chapitre|capítulo|"
    r"título|titre|title|part|partie|schedule|annex|anexo|hoofdstuk|afdeling|kapitel|abschnitt|teil|§|"
    r"\d{1,3}[A-Z]?\.)\s*[\dIVXLC]*",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"(?:\bfait à\b.{0,60}\ble\b|\bdonné à\b|\bdado en\b|\bdada en\b|\bgiven under my hand\b|\bsala das sessões\b|"
    r"\bpalácio do planalto\b|\bcomuníquese\b|\bpublíquese\b|\bcúmplase\b|\bpar le président de la république\b|"
    r"\ble présent décret sera publié\b|\bla présente loi sera exécutée comme loi de l'état\b|"
    r"\bgegeven te\b|\blasten en bevelen\b|\bdas vorstehende gesetz wird hiermit ausgefertigt\b|"
    r"\bausgefertigt\b|\bby command of\b|\bclerk of the parliaments\b|\bsecretary to the government of india\b|"
    r"\bel presidente de la república\b.{0,80}\brúbrica\b|\brúbrica\b|\bassinado\b|\(signed\)|\bsigned\b:)",
    re.IGNORECASE,
)
_FORM_FIELD = re.compile(r"_{5,}|\.{8,}|…{4,}|\[\s?\]|☐|□|\(\s{2,}\)")
_CHANGELOG_NOTE = re.compile(
    r"(?:\b(?:inserted|substituted|omitted|repealed|renumbered|amended) by\b|\bins\. by\b|\bsubs\. by\b|"
    r"\brep\. by\b|\bw\.e\.f\.|\bmodifié par\b|\bcréé par\b|\babrogé par\b|\bversion en vigueur\b|"
    r"\b(?:párrafo|fracción|artículo|inciso|apartado) (?:reformad[oa]|adicionad[oa]|derogad[oa]|recorrid[oa])\b|"
    r"\breforma(?:do|da)? dof\b|\bdof \d{2}-\d{2}-\d{4}\b|\(redação dada pel[oa]\b|\(incluíd[oa] pel[oa]\b|"
    r"\(revogad[oa] pel[oa]\b|\(vide\b|\beingefügt durch\b|\bgeändert durch\b|\bneugefasst durch\b|"
    r"\baufgehoben durch\b|\bzuletzt geändert\b|\bgewijzigd bij\b|\bingevoegd bij\b|\bvervallen\b)",
    re.IGNORECASE,
)
_PRIVACY = re.compile(
    r"(?:\bgdpr\b|\brgpd\b|\blgpd\b|\bavg\b|\bdsgvo\b|(?:regulation|règlement|reglamento|regulamento) \(ue\) 2016/679|"
    r"\bdata protection (?:act|notice)\b|\bprivacy notice\b|\bprotección de datos de carácter personal\b|"
    r"\bprotection des données\b|\bproteção de dados\b)",
    re.IGNORECASE,
)
_PRIVACY_ROLE = re.compile(
    r"(?:controller|responsable (?:du|del) tra(?:itement|tamiento)|controlador|verantwortlich|"
    r"verwerkingsverantwoordelijke|your (?:personal )?data|vos données|sus datos|seus dados|ihre daten|uw gegevens)",
    re.IGNORECASE,
)
# a checklist of documents to bring: list items that each name a paper ("II - documento que comprove …")
_ITEM = re.compile(r"^\s*(?:\(?[0-9]{1,2}[.)]|\(?[a-z][.)]|\(?[ivxIVX]{1,5}[.)]|[IVX]{1,5}\s*[-–.]|[-–•·▪])\s*")
_PAPER = re.compile(
    r"^(?:(?:uma?|el|la|los|las|le|la|les|un|une|the|a|an|die|der|das|een|de|het)\s+)?(?:original\s+(?:e|y|and|et)\s+)?"
    r"(?:documento|documentos|formulário|formulario|certidão|certidões|certificado|comprovante|comprobante|cópia|copia|"
    r"copias|fotografía|fotografia|fotografias|pasaporte|passaporte|justificante|constancia|declaração|declaración|"
    r"extrait|justificatif|copie|formulaire|photographie|attestation|certificat|passport|copy|copies|photograph|"
    r"photographs|certificate|evidence of|proof of|application form|nachweis|kopie|lichtbild|bescheinigung|bewijs|"
    r"pasfoto|uittreksel|kopie)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[a-zà-ÿ]{3,}[^.:;!?]{20,}[.;:!?]", re.IGNORECASE)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def passage_kind(text: str) -> str:
    """``content`` or the kind of non-evidence furniture the passage is (see the module docstring)."""
    lines = _lines(text)
    if not lines:
        return "heading"
    n = len(lines)
    size = len(text)
    # table of contents: a contents title, or most lines end in page numbers / are short numbered heads
    leaders = sum(bool(_LEADER_LINE.search(line)) for line in lines)
    heads = sum(1 for line in lines if len(line) < 110 and _NUMBERED_HEAD.match(line) and not _SENTENCE.search(line))
    if (_TOC_TITLE.match(lines[0]) and n >= 3) or (n >= 4 and leaders >= 0.5 * n) or (n >= 5 and heads >= 0.7 * n):
        return "toc"
    # contents reflowed into running text: several dot leaders followed by page numbers
    dotted = _LEADER.findall(text)
    if len(dotted) >= 3 and sum(map(len, dotted)) >= 0.15 * size:
        return "toc"
    # amendment notes: most of the text is notes about versions, not the provision
    notes = list(_CHANGELOG_NOTE.finditer(text))
    if notes and (size < 260 or sum(len(line) for line in lines if _CHANGELOG_NOTE.search(line)) >= 0.6 * size):
        return "changelog"
    # forms: fields to fill in
    fields = len(_FORM_FIELD.findall(text))
    if fields >= 3 and fields * 60 >= size:
        return "form"
    items = [_ITEM.sub("", line, count=1) for line in lines if _ITEM.match(line)]
    if len(items) >= 4 and sum(bool(_PAPER.match(i)) for i in items) >= 0.75 * len(items):
        return "form"
    if _PRIVACY.search(text) and _PRIVACY_ROLE.search(text) and size < 1500:
        return "privacy"
    if _SIGNATURE.search(text) and size < 450:
        return "signature"
    # a heading with nothing under it: short, no sentence
    if size < 90 and not _SENTENCE.search(text):
        return "heading"
    return CONTENT


def is_content(text: str) -> bool:
    return passage_kind(text) == CONTENT
