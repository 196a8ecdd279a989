#!/usr/bin/env python3
"""Build the bundled sample corpus of (fictional) migration-policy PDFs.

Writes six PDFs plus ``manifest.csv`` next to this script. Every country,
institution, person, number and URL in these documents is invented; none of
them describes a real state or a real law.

The output is deterministic: fixed creation dates, fixed metadata, no
randomness, so re-running the script produces byte-identical files (for a
given fpdf2 version, whose name is written into the /Producer field).

Layout features a pipeline has to cope with, on purpose:
  * a running header and a page-number footer on every page;
  * words hyphenated at line ends (soft hyphens that fpdf2 renders as "-" only
    where it actually breaks the line), plus real compound hyphens;
  * numbered articles/sections with lettered or numbered sub-clauses, lists;
  * title/cover pages, definitions, final provisions, signature blocks.
All pages are single-column.

Fonts: five documents use the PDF core fonts (Times/Helvetica, not embedded,
WinAnsi / cp1252 encoding so that accents, "oe" ligature, curly quotes and
dashes survive). The municipal document uses DejaVu Sans (TrueType, embedded
as a subset) from /usr/share/fonts/truetype/dejavu/ so the corpus also holds
an Identity-H / CID-keyed font like many real-world PDFs.

Usage:  /work/main/.venv/bin/python corpora/build_sample.py
"""

from __future__ import annotations

import csv
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

OUT_DIR = Path(__file__).resolve().parent / "sample"
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
SOFT_HYPHEN = "\u00ad"

MANIFEST_COLUMNS = [
    "file",
    "title",
    "country",
    "level",
    "date",
    "source_url",
    "language",
    "document_type",
]

# ---------------------------------------------------------------------------
# Hyphenation: a small dictionary of correctly hyphenated long words per
# language. Break points are marked with "|". They become soft hyphens in the
# running text, so a word is only split (and a "-" printed) when fpdf2 needs
# to break the line there.
# ---------------------------------------------------------------------------
HYPHENATION = {
    "en": [
        "inter|ministerial",
        "implemen|tation",
        "coordi|nation",
        "admin|istration",
        "reinte|gration",
        "inter|national",
        "organi|sations",
        "organi|sation",
        "govern|ment",
        "recog|nition",
        "qualifi|cations",
        "employ|ment",
        "recruit|ment",
        "responsi|bilities",
        "responsi|bility",
        "infor|mation",
        "develop|ment",
        "environ|mental",
        "contin|gency",
        "consul|tation",
        "regis|tration",
        "natural|isation",
        "traffick|ing",
        "remit|tances",
        "particu|lar",
        "appli|cation",
        "appli|cations",
        "author|ised",
        "docu|mentation",
        "estab|lished",
        "estab|lish",
        "commence|ment",
        "regula|tions",
        "accor|dance",
        "assis|tance",
        "disag|gregated",
        "prepared|ness",
        "Secre|tariat",
        "parlia|mentary",
        "tempo|rary",
        "partner|ships",
        "communi|ties",
        "mecha|nism",
        "mecha|nisms",
        "protec|tion",
        "vulner|able",
        "acade|mia",
        "stake|holders",
    ],
    "fr": [
        "inter|minis|tériel",
        "inter|minis|térielle",
        "admi|nis|tration",
        "admi|nis|tratif",
        "admi|nis|trative",
        "réin|té|gra|tion",
        "inter|na|tional",
        "inter|na|tionale",
        "coor|di|na|tion",
        "regrou|pe|ment",
        "dispo|si|tions",
        "condi|tions",
        "déli|vrance",
        "renou|vel|le|ment",
        "étran|gers",
        "étran|ger",
        "natu|ra|li|sation",
        "accom|pa|gne|ment",
        "identi|fi|cation",
        "sensibi|li|sation",
        "repré|sen|tants",
        "profes|sion|nelle",
        "profes|sion|nels",
        "fonction|naires",
        "appli|cation",
        "établis|se|ment",
        "établis|se|ments",
        "mi|nis|tère",
        "orga|ni|sations",
        "orga|ni|sation",
        "poursui|tes",
        "rensei|gne|ments",
        "ressor|tis|sants",
        "héberge|ment",
        "procé|dure",
        "condam|nation",
        "gouver|ne|ment",
        "bénéfi|ciaire",
        "bénéfi|ciaires",
        "territo|rial",
        "frontiè|res",
        "exploi|tation",
        "signa|lement",
        "coopé|ration",
        "parte|naires",
        "associa|tions",
        "autori|sation",
    ],
    "es": [
        "inter|insti|tucional",
        "admi|nis|tración",
        "coordi|na|ción",
        "reinte|gra|ción",
        "inter|na|cional",
        "inter|na|cionales",
        "disposi|ciones",
        "natura|li|zación",
        "migra|to|rio",
        "migra|to|ria",
        "migra|to|rias",
        "migra|to|rios",
        "residen|cia",
        "extran|jeros",
        "extran|jera",
        "extran|jería",
        "documen|tación",
        "reunifi|ca|ción",
        "organi|za|ciones",
        "organi|za|ción",
        "instituci|ones",
        "pobla|ción",
        "atenci|ón",
        "servi|cios",
        "educa|ción",
        "seguri|dad",
        "autori|dades",
        "municipa|lidad",
        "vulnera|bilidad",
        "imple|men|tación",
        "emer|gencias",
        "Secreta|ría",
        "regla|mento",
        "reglamen|tación",
        "perma|nente",
        "solici|tudes",
        "proce|dimiento",
        "proce|dimientos",
        "comuni|dades",
        "identi|fi|cación",
        "informa|ción",
        "estable|cimientos",
        "trabaja|dores",
        "trabaja|doras",
        "cumpli|miento",
        "presu|puesto",
        "conoci|miento",
        "protec|ción",
    ],
}

# More break points (same format), kept as whitespace-separated words.
_MORE_HYPHENATION = {
    "en": """
immi|gration insti|tution insti|tutions respon|sible cooper|ation desti|nation author|ities
direc|torate occu|pations repre|sentative repre|sentatives neigh|bouring asso|ciations citizen|ship
sustain|able contri|butions under|standing orien|tation univer|sities agri|culture nation|ality
statis|tical require|ment volun|tarily coun|selling prelim|inary miscel|laneous remu|nerated
consec|utive compre|hensive inde|pendence consul|tations construc|tion displace|ment tempo|rarily
discrim|ination insti|tutional admin|istrative method|ology certif|icate reuni|fication
strength|ened identi|fication emer|gencies psycho|social unac|companied obli|gations read|mission
consul|tative expen|diture recom|mendation arrange|ment arrange|ments inter|pretation exam|ination
exploi|tation estab|lishment nego|tiation signif|icant relation|ship remu|neration occu|pational
profes|sional prohi|bition accommo|dation cancel|lation repatri|ation scholar|ships certifi|cation
impris|onment transi|tional imme|diately conse|quential Nor|vanian Nor|vanians
""",
    "fr": """
natio|na|lité orien|ta|tion éloi|gne|ment valmon|taise accom|pa|gner travail|leurs identi|fiées
réguliè|re|ment consu|laires renou|ve|lable obser|va|toire conven|tions inter|na|tio|nales connais|sance
ressor|tis|sant irrégu|lière obli|ga|toire subor|don|née réad|mis|sion acqui|si|tion immi|gra|tion
inté|gra|tion statis|tique pluri|an|nuelles spécia|li|sées infor|ma|tion indica|teurs réta|blis|se|ment
coor|di|na|teur condam|na|tions appli|cables recon|nais|sance subsi|diaire respon|sable fonda|men|taux
documen|taire catas|trophe contin|gence tempo|raires enre|gis|tre|ment consul|ta|tion ensei|gne|ment
ininter|rom|pue suffi|santes béné|fi|cient presta|tions infé|rieures instruc|tion inscrip|tion
présen|ta|tion consul|ta|tifs indé|pen|dance notifi|ca|tion maté|rielles desti|na|tion traite|ments
volon|tai|re|ment forfai|taire migra|toires dévelop|pe|ment assimi|la|tion supé|rieures décla|ra|tion
gouver|nance secré|ta|riat publi|ca|tion prépa|ra|toires prosti|tu|tion parti|cu|liers légis|la|tion
gendar|me|rie empri|son|ne|ment insuf|fi|sante conso|li|dées sensibi|li|ser princi|pales commu|nau|tés
inspec|teurs saison|nière restau|ra|tion entre|prises approvi|sion|ne|ment recru|te|ment judi|ciaires
gratui|te|ment psycho|lo|giques juridic|tion|nelle immé|dia|te|ment adminis|tra|teur repré|sailles
indemni|sa|tion infrac|tions infor|ma|tions finan|ce|ment rapa|trie|ment dispo|si|tifs
départe|men|taux venti|la|tion anony|mi|sées victi|ma|tion deman|deurs
""",
    "es": """
extran|jeras naciona|lidad munici|pales estu|diantes legisla|tiva obliga|ciones goberna|ción
regulari|za|ción capaci|ta|ción asocia|ciones publica|ción univer|sidad perma|nencia
institucio|nalidad indepen|dencia discrimi|na|ción estadís|tica represen|tantes constitu|ción
condi|ciones adoles|centes certifi|cados partici|pa|ción humani|tarias necesi|dades situa|ciones
extraor|dinaria desapa|recidas vincula|ción recono|cimiento despla|zadas diagnós|tico disponi|bles
desagre|gados compe|tentes coope|ra|ción segui|miento legisla|tivo respon|sable integra|ción
correspon|sabilidad migra|ciones defini|ciones descon|centrado formula|ción ordina|ria|mente
adminis|trará residen|cias naturali|za|ciones estadís|ticas desagre|gadas trimes|tral|mente
institu|cional limita|ciones discapa|cidad depen|dencia transfron|terizos investi|gadores
inversio|nistas emplea|dores consecu|tivos humani|taria generali|zada habili|tados fronte|rizos
fraudu|lentos solici|tantes recomen|daciones presiden|ciales transpa|rencia importa|ción
instru|mentos compe|tencias psicoso|cial transi|torias reglamen|tará autoriza|ción atribu|ciones
conside|rando aproxima|da|mente equiva|lentes presupues|tarios correspon|dientes presenta|ción
agroin|dustria partici|pativo colabora|ción princi|pales descono|cimiento creci|miento
adminis|trativas compro|bante intercul|turales asenta|mientos matricu|larán interrum|pido
escola|ridad desplaza|miento psicope|dagógico simplifi|cado alimenta|ción orienta|ción
realiza|ción interme|diación explota|ción actuali|zará identi|ficar represen|tante
""",
}
for _lang, _words in _MORE_HYPHENATION.items():
    HYPHENATION[_lang].extend(_words.split())

_HYPH_CACHE: dict[str, list[tuple[re.Pattern, str]]] = {}


def _hyph_rules(lang: str) -> list[tuple[re.Pattern, str]]:
    if lang not in _HYPH_CACHE:
        rules = []
        for marked in HYPHENATION[lang]:
            plain = marked.replace("|", "")
            soft = marked.replace("|", SOFT_HYPHEN)
            for p, s in ((plain, soft), (plain[0].upper() + plain[1:], soft[0].upper() + soft[1:])):
                rules.append((re.compile(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])"), s))
        _HYPH_CACHE[lang] = rules
    return _HYPH_CACHE[lang]


def hyphenate(text: str, lang: str) -> str:
    """Insert soft hyphens at dictionary break points; '~' marks a manual one."""
    text = text.replace("~", SOFT_HYPHEN)
    for rx, soft in _hyph_rules(lang):
        text = rx.sub(soft, text)
    return text


# ---------------------------------------------------------------------------
# PDF class with running header / footer
# ---------------------------------------------------------------------------
class GazettePDF(FPDF):
    def __init__(self, spec: dict):
        super().__init__(format="A4", unit="mm")
        self.spec = spec
        self.body_font = spec.get("font", "Times")
        self.head_font = spec.get("head_font", self.body_font)
        self.body_size = spec.get("size", 11)
        self.lang = spec["language"]
        self.set_margins(22, 24, 22)
        self.set_auto_page_break(True, margin=22)
        self.alias_nb_pages("{nb}")

    def header(self):
        s = self.spec
        self.set_y(10)
        self.set_font(self.head_font, "", 8)
        self.set_text_color(60, 60, 60)
        if s.get("header_right"):
            self.cell(self.epw * 0.7, 5, s["header_left"], align="L")
            self.cell(self.epw * 0.3, 5, s["header_right"], align="R")
        else:
            self.cell(self.epw, 5, s["header_left"], align="C")
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.2)
        self.line(self.l_margin, 16, self.w - self.r_margin, 16)
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self):
        self.set_y(-15)
        self.set_font(self.head_font, "", 8.5)
        self.set_text_color(60, 60, 60)
        text = self.spec["footer"].format(p=self.page_no(), nb="{nb}")
        self.cell(self.epw, 5, text, align=self.spec.get("footer_align", "C"))
        self.set_text_color(0, 0, 0)


# ---------------------------------------------------------------------------
# A tiny line-oriented markup for the document bodies
#
#   @title TEXT        large bold centred line          @center TEXT   centred line
#   @centerb TEXT      bold centred line                @centeri TEXT  italic centred
#   @vspace N          vertical space of N mm           @pagebreak
#   # TEXT             level-1 heading (part / title / chapter)
#   ## TEXT            level-2 heading (article / section / objective)
#   ### TEXT           level-3 heading (italic)
#   > LABEL TEXT       hanging-indent item, level = number of '>'
#   - TEXT             bullet item (-- for level 2)
#   | TEXT             indented paragraph without label (definitions)
#   @toc LEFT | RIGHT  contents line with right-aligned page / section ref
#   @abbr KEY | TEXT   glossary line (abbreviation, expansion)
#   @sig TEXT          right-hand signature line        @sigl TEXT     left-hand
#   @note TEXT         small italic note
#   anything else      paragraph text; consecutive lines are joined
# ---------------------------------------------------------------------------
def render(pdf: GazettePDF, body: str) -> None:
    lang = pdf.lang
    F, size = pdf.body_font, pdf.body_size
    lh = size * 0.47  # line height in mm
    para: list[str] = []

    def flush():
        if para:
            text = hyphenate(" ".join(para), lang)
            pdf.set_font(F, "", size)
            pdf.multi_cell(0, lh, text, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(lh * 0.6)
            para.clear()

    def keep_with_next(mm: float):
        if pdf.get_y() + mm > pdf.page_break_trigger:
            pdf.add_page()

    for raw in body.strip("\n").splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if line.startswith("@"):
            flush()
            cmd, _, arg = line.partition(" ")
            if cmd == "@title":
                pdf.set_font(F, "B", size + 5)
                pdf.multi_cell(0, lh * 1.45, arg, align="C", new_x="LMARGIN", new_y="NEXT")
            elif cmd in ("@center", "@centerb", "@centeri"):
                style = {"@center": "", "@centerb": "B", "@centeri": "I"}[cmd]
                pdf.set_font(F, style, size)
                pdf.multi_cell(0, lh, arg, align="C", new_x="LMARGIN", new_y="NEXT")
                if style == "B":
                    pdf.ln(lh * 0.3)
            elif cmd == "@vspace":
                pdf.ln(float(arg))
            elif cmd == "@pagebreak":
                pdf.add_page()
            elif cmd == "@toc":
                left, _, right = arg.partition("|")
                pdf.set_font(F, "", size - 0.5)
                pdf.cell(pdf.epw - 25, lh, left.strip())
                pdf.cell(25, lh, right.strip(), align="R", new_x="LMARGIN", new_y="NEXT")
            elif cmd == "@abbr":
                key, _, expansion = arg.partition("|")
                pdf.set_font(F, "B", size - 0.5)
                pdf.cell(28, lh, key.strip())
                pdf.set_font(F, "", size - 0.5)
                pdf.multi_cell(pdf.epw - 28, lh, expansion.strip(), new_x="LMARGIN", new_y="NEXT")
            elif cmd in ("@sig", "@sigl"):
                pdf.set_font(F, "", size)
                if cmd == "@sig":
                    pdf.set_x(pdf.l_margin + pdf.epw * 0.45)
                    pdf.multi_cell(pdf.epw * 0.55, lh, arg, align="C", new_x="LMARGIN", new_y="NEXT")
                else:
                    pdf.multi_cell(pdf.epw * 0.55, lh, arg, align="L", new_x="LMARGIN", new_y="NEXT")
            elif cmd == "@note":
                pdf.set_font(F, "I", size - 1.5)
                pdf.multi_cell(0, lh * 0.9, hyphenate(arg, lang), align="J", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(lh * 0.4)
            else:
                raise ValueError(f"unknown command {cmd!r}")
            continue
        if line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            text = line[level:].strip()
            if level == 1:
                keep_with_next(lh * 6)
                pdf.ln(lh * 0.8)
                pdf.set_font(F, "B", size + 1)
                pdf.multi_cell(0, lh * 1.1, text, align="C", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(lh * 0.6)
            elif level == 2:
                keep_with_next(lh * 4)
                pdf.ln(lh * 0.3)
                pdf.set_font(F, "B", size)
                pdf.multi_cell(0, lh, text, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(lh * 0.3)
            else:
                keep_with_next(lh * 3)
                pdf.set_font(F, "I", size)
                pdf.multi_cell(0, lh, text, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(lh * 0.2)
            continue
        m = re.match(r"^(>+|-{1,2}|\|) (.*)$", line)
        if m:
            flush()
            marker, rest = m.groups()
            if marker == "|":
                pdf.set_font(F, "", size)
                keep_with_next(lh * 2)
                pdf.set_x(pdf.l_margin + 9)
                pdf.multi_cell(pdf.epw - 9, lh, hyphenate(rest, lang), align="J", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(lh * 0.25)
                continue
            if marker.startswith(">"):
                level = len(marker)
                label, _, text = rest.partition(" ")
            else:
                level = len(marker)
                label, text = ("\u2022" if level == 1 else "\u2013"), rest
            label_x = pdf.l_margin + 8 * (level - 1) + (2 if marker.startswith("-") else 0)
            text_x = label_x + (6 if marker.startswith("-") else 9)
            pdf.set_font(F, "", size)
            keep_with_next(lh * 2)
            pdf.set_x(label_x)
            pdf.cell(text_x - label_x, lh, label)
            pdf.set_x(text_x)
            pdf.multi_cell(
                pdf.w - pdf.r_margin - text_x, lh, hyphenate(text, lang), align="J", new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(lh * 0.25)
            continue
        para.append(line.strip())
    flush()


def build(doc: dict) -> int:
    pdf = GazettePDF(doc)
    if doc.get("font") == "DejaVu":
        pdf.add_font("DejaVu", "", str(DEJAVU_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(DEJAVU_DIR / "DejaVuSans-Bold.ttf"))
        pdf.add_font("DejaVu", "I", str(DEJAVU_DIR / "DejaVuSans-Oblique.ttf"))
    else:
        pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(doc["creation_date"])
    pdf.set_title(doc["title"])
    pdf.set_author(doc["author"])
    pdf.set_subject(doc["subject"])
    pdf.set_keywords(doc["keywords"])
    pdf.set_creator(doc.get("creator", "Government Printing Office"))
    pdf.set_lang(doc["language"])
    pdf.add_page()
    render(pdf, doc["body"])
    out = OUT_DIR / doc["file"]
    pdf.output(str(out))
    return pdf.page


def utc(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, 0, tzinfo=UTC)


DOCS: list[dict] = []


# ===========================================================================
# 1. Republic of Norvania - National Migration Strategy 2024-2030 (EN)
# ===========================================================================
DOCS.append(
    dict(
        file="norvania_national_migration_strategy_2024-2030.pdf",
        title="National Migration Strategy 2024–2030",
        country="Republic of Norvania",
        level="national",
        date="2024-03-18",
        source_url="https://example.org/norvania/mim/national-migration-strategy-2024-2030.pdf",
        language="en",
        document_type="strategy",
        creation_date=utc(2024, 3, 18, 10, 30),
        author="Ministry of the Interior and Migration, Republic of Norvania",
        subject="National Migration Strategy 2024-2030 adopted by Cabinet Decision No. 41/2024",
        keywords="migration strategy; governance; diaspora; labour migration; border management",
        font="Times",
        size=11,
        header_left="REPUBLIC OF NORVANIA — NATIONAL MIGRATION STRATEGY 2024–2030",
        header_right="Cabinet Decision No. 41/2024",
        footer="Page {p} of {nb}",
        body="""
@vspace 30
@centerb REPUBLIC OF NORVANIA
@center Ministry of the Interior and Migration
@vspace 28
@title NATIONAL MIGRATION STRATEGY
@title 2024–2030
@vspace 8
@centeri "Safe, orderly and inclusive mobility for a prospering Norvania"
@vspace 40
@center Adopted by Cabinet Decision No. 41/2024 of 18 March 2024
@center Published by the Government Printing Office, Port Ardent
@vspace 50
@note This document is available free of charge from the Ministry of the Interior and Migration. It may be reproduced for non-commercial purposes provided the source is acknowledged. ISBN 978-0-000-41024-7.
@pagebreak

# FOREWORD

Migration has shaped Norvania since the first settlement of the Ardent coast. Today almost one in six Norvanians lives abroad, and the foreign-born population living in our country has more than doubled in the past fifteen years. Migration is no longer a marginal question handled by a single ministry: it touches our labour market, our schools and clinics, our relations with neighbouring states and the resilience of our communities to floods and storms.

This Strategy is the first comprehensive statement of government policy on migration since independence. It was prepared over eighteen months through consultations with ministries, provincial authorities, employers' and workers' organisations, universities, diaspora associations and civil society. I thank all those who contributed their time and expertise.

@sig Hon. Marit Eldvik
@sig Minister of the Interior and Migration
@vspace 4

# ABBREVIATIONS

@abbr BLA | Bilateral labour agreement
@abbr DAD | Diaspora Affairs Directorate
@abbr LMIS | Labour Migration Information System
@abbr NMC | National Migration Council
@abbr NMDP | National Migration Data Platform
@abbr NSO | National Statistics Office
@abbr NDRA | National Disaster Risk Authority
@vspace 3

# 1. CONTEXT

## 1.1 Migration trends

According to the 2022 Population and Housing Census, 412,000 foreign nationals were usually resident in Norvania, equal to 6.8 per cent of the population. Most came from neighbouring states of the Ardent Basin and work in agriculture, construction, fisheries and domestic work. At the same time an estimated 1.1 million Norvanian citizens live abroad, mainly in the Gulf region, Western Europe and North America. Personal remittances received reached 9.4 per cent of gross domestic product in 2023.

The country is also affected by internal displacement linked to seasonal flooding in the Lower Sel valley and by coastal erosion. In 2021 Cyclone Ysolde temporarily displaced more than 60,000 people, including several thousand foreign seasonal workers who were not covered by the relief registration system in place at that time.

## 1.2 Policy and legal framework

Migration is currently governed by the Immigration Act (Cap. 112), the Citizenship Act of 1998, the Labour Migration and Recruitment Act, 2022, and the Prevention of Trafficking in Persons Act, 2016. Until now there has been no single policy document setting out the Government's objectives, and responsibilities have been spread across at least nine ministries and agencies without a standing mechanism for inter~ministerial coordination. The present Strategy fills that gap.

# 2. VISION AND GUIDING PRINCIPLES

The vision of the Strategy is a Norvania in which migration takes place in safe, orderly and regular conditions, contributes to sustainable development and respects the rights of every migrant, whatever his or her status. The Strategy is guided by the following principles:

- respect for human rights and non-discrimination, including the rights of migrant children and women;
- a whole-of-government and whole-of-society approach;
- policy based on evidence and reliable data;
- international cooperation and shared responsibility;
- alignment with the National Development Plan 2021–2030 and with target 10.7 of the Sustainable Development Goals.

# 3. STRATEGIC OBJECTIVES AND ACTIONS

The Strategy sets out seven strategic objectives. For each objective the lead institution is responsible for implementation and reports annually to the National Migration Council.

## Objective 1: Strengthen institutional coordination and evidence-based policy

Lead institution: Ministry of the Interior and Migration.

Action 1.1. A National Migration Council (NMC) is established as the highest inter~ministerial body on migration. It is chaired by the Minister of the Interior and Migration and comprises the ministers responsible for foreign affairs, labour, health, education, finance, social protection and disaster management, together with the Director-General of the National Statistics Office. The NMC meets at least twice a year. A permanent Secretariat within the Ministry prepares its meetings and follows up its decisions.

Action 1.2. A Technical Working Group on Migration, composed of focal points designated by each member institution, meets every quarter to coordinate the implementation of this Strategy. Provincial governors may nominate observers.

Action 1.3. The National Statistics Office will establish a National Migration Data Platform (NMDP) by 2025 that brings together administrative data on visas, residence permits, work permits, asylum applications, border crossings and returns. Data will be disaggregated by sex, age, nationality and migration status and published on an open website at least once a year in a Migration Statistical Yearbook.

Action 1.4. A migration module will be included in the Labour Force Survey from 2025 and in the next Population and Housing Census, and the methodology of the Household Remittances Survey will be reviewed with the Central Bank.

## Objective 2: Protect the rights of migrants and promote their inclusion

Lead institutions: Ministry of Health; Ministry of Education; Ministry of Social Protection.

Action 2.1. All migrants, regardless of their migration status, have access to emergency health care and to maternal and child health services in public facilities on the same terms as nationals. The Ministry of Health will issue a circular to all hospitals by the end of 2024 confirming that no proof of legal residence may be required for these services.

Action 2.2. Foreign nationals who hold a residence permit of more than six months will be enrolled in the National Health Insurance Scheme under the same conditions as Norvanian citizens. Contributions will be deducted by employers in the ordinary way.

Action 2.3. Every child living in Norvania has the right to free primary and lower-secondary education in public schools. School principals shall enrol children who cannot present a birth certificate or residence document and shall not report them to immigration authorities.

Action 2.4. The Government will negotiate social security agreements with the main countries of destination and origin so that pension rights acquired by migrant workers can be transferred or paid abroad.

Action 2.5. The Immigration Act will be amended to simplify family reunification for holders of long-term residence permits: spouses, minor children and dependent parents will be eligible, and the minimum income requirement will be set at the level of the national minimum wage.

Action 2.6. Foreign nationals lawfully resident for ten years will be able to apply for permanent residence, and permanent residents may apply for naturalisation after a further five years. The Government will review the Citizenship Act to reduce fees for naturalisation and to allow dual citizenship for Norvanians abroad.

## Objective 3: Manage labour migration in line with labour-market needs

Lead institution: Ministry of Labour and Employment.

Action 3.1. The Ministry of Labour and Employment will carry out a national labour-market needs assessment every two years, in consultation with employers' and workers' organisations, and publish a Shortage Occupations List that will guide the issue of work permits.

Action 3.2. A National Qualifications Recognition Framework will be adopted by 2026 so that the diplomas and vocational skills of migrants and of returning Norvanians can be assessed and recognised within sixty days.

Action 3.3. The Government will conclude bilateral labour agreements with at least four countries of destination by 2027, including model employment contracts, minimum wage guarantees and joint committees to monitor implementation. Existing memoranda of understanding with the Kingdom of Halvar and the Federation of Maraveth will be reviewed.

Action 3.4. Fees charged to migrant workers by private recruitment agencies will be prohibited under the employer-pays principle, and the licensing regime for agencies will be strengthened in accordance with the Labour Migration and Recruitment Act, 2022.

Action 3.5. International students who graduate from a Norvanian university will be able to remain for twelve months to seek employment and change their status without leaving the country.

## Objective 4: Engage the diaspora and maximise the development impact of remittances

Lead institution: Ministry of Foreign Affairs (Diaspora Affairs Directorate).

Action 4.1. A Diaspora Affairs Directorate (DAD) has been created within the Ministry of Foreign Affairs to serve as the single entry point for Norvanians abroad. It will carry out a global mapping of the diaspora by 2025.

Action 4.2. A Diaspora Advisory Forum, bringing together representatives of diaspora associations from each region, will meet annually with the Government and will be consulted on policies that affect Norvanians abroad.

Action 4.3. The Central Bank will work with banks, post offices and mobile money operators to reduce the average cost of sending remittances to Norvania to less than three per cent by 2030, publish a remittance price comparison website and encourage the use of formal channels.

Action 4.4. A Diaspora Investment Bond and a matching-grant scheme for diaspora-led community projects will be launched with the Ministry of Finance. Norvanians abroad will be able to vote in national elections at embassies and consulates from the 2027 general election.

## Objective 5: Ensure safe, orderly and regular migration

Lead institutions: Border and Immigration Service; National Police.

Action 5.1. An Integrated Border Management Strategy will be adopted in 2025 to improve cooperation between the Border and Immigration Service, Customs, the Coast Guard and health authorities at all official points of entry. Border officials will receive annual training on human rights, the identification of vulnerable persons and the referral of asylum seekers.

Action 5.2. An electronic visa system will be introduced for all visa categories, and the criteria for each category will be published in English and Norvanian on the website of the Border and Immigration Service.

Action 5.3. The National Action Plan against Trafficking in Persons will be updated. A national referral mechanism will ensure that presumed victims, including foreign nationals, receive shelter, medical and legal assistance and a temporary residence permit of at least twelve months. Smuggling of migrants will be made a separate criminal offence, distinct from trafficking.

Action 5.4. A contingency plan for large and unexpected arrivals of people at the northern border will be prepared, including reception capacity, registration and the provision of basic services.

Action 5.5. The National Police will establish a procedure for recording and tracing missing migrants and for identifying the remains of deceased migrants, in cooperation with families and consulates.

## Objective 6: Address the mobility dimensions of crises

Lead institution: National Disaster Risk Authority (NDRA).

Action 6.1. The National Disaster Risk Reduction Plan will be revised to include specific measures for migrants, displaced persons and foreign seasonal workers, who will be registered and assisted on the same basis as nationals during emergencies.

Action 6.2. Early warning messages will be broadcast in the main languages spoken by migrant communities. The NDRA will identify, with the Ministry of Agriculture, the areas in which planned relocation may be required because of coastal erosion and sea-level rise.

Action 6.3. The Ministry of Foreign Affairs will maintain an emergency consular registration system and evacuation plans for Norvanian nationals abroad in countries affected by conflict or natural disasters, and a Consular Emergency Fund will be established.

## Objective 7: Support return and sustainable reintegration

Lead institutions: Ministry of Labour and Employment; Diaspora Affairs Directorate.

Action 7.1. Returning Norvanians, whether they return voluntarily or after expulsion from another state, will receive reception assistance at the main airport and ports, counselling and referral to employment, health and psychosocial services.

Action 7.2. A Reintegration Support Programme will offer vocational training, business start-up grants and help with recognising skills acquired abroad. Particular attention will be paid to returning victims of trafficking and to unaccompanied children.

Action 7.3. The Government will honour its obligations under readmission agreements and will seek to conclude new agreements only where they include guarantees of dignity and safety for returning persons.

# 4. PARTNERSHIPS

Norvania is an active member of the Ardent Basin Dialogue on Migration, the regional consultative process of the eastern littoral states, and endorsed the Global Compact for Safe, Orderly and Regular Migration in 2018. The Government will continue to cooperate with neighbouring states on labour mobility, information exchange on smuggling networks and the protection of migrants in transit.

Civil society organisations, trade unions, employers, universities and migrant associations will be invited to take part in an annual National Migration Dialogue. A memorandum of understanding will be signed with the University of Port Ardent to establish a Migration Research Centre that will support the evaluation of this Strategy.

# 5. IMPLEMENTATION, MONITORING AND FINANCING

An Implementation Plan with costed activities, indicators and targets will be adopted by the National Migration Council within six months of the adoption of this Strategy. The Secretariat will prepare an annual progress report, which will be submitted to Cabinet and published. A mid-term review will be carried out in 2027 and a final evaluation in 2030.

The activities under this Strategy will be financed from the national budget, within the ceilings set by the Medium-Term Expenditure Framework, and from contributions by development partners. Each lead institution shall include the activities for which it is responsible in its annual budget proposal.

# 6. FINAL PROVISIONS

This Strategy enters into force on the date of its adoption by Cabinet and remains valid until 31 December 2030. It may be revised by Cabinet on the recommendation of the National Migration Council.

@vspace 6
@sigl Port Ardent, 18 March 2024
@vspace 4
@sig By order of the Cabinet
@sig Johan Veskar
@sig Secretary to the Cabinet
""",
    )
)


# ===========================================================================
# 2. Republic of Norvania - Labour Migration and Recruitment Act, 2022 (EN)
# ===========================================================================
DOCS.append(
    dict(
        file="norvania_labour_migration_recruitment_act_2022.pdf",
        title="Labour Migration and Recruitment Act, 2022 (Act No. 11 of 2022)",
        country="Republic of Norvania",
        level="national",
        date="2022-07-05",
        source_url="https://example.org/norvania/gazette/2022/214/act-11-2022-labour-migration-recruitment.pdf",
        language="en",
        document_type="law",
        creation_date=utc(2022, 7, 8, 7, 0),
        author="Government Printing Office, Republic of Norvania",
        subject="Official Gazette No. 214, Supplement No. 3 - Act No. 11 of 2022",
        keywords="labour migration; work permits; recruitment agencies; migrant workers; official gazette",
        font="Times",
        size=10.5,
        header_left="OFFICIAL GAZETTE OF THE REPUBLIC OF NORVANIA — No. 214",
        header_right="Supplement No. 3 — 8 July 2022",
        footer="- {p} -",
        body="""
@centerb REPUBLIC OF NORVANIA
@vspace 2
@title LABOUR MIGRATION AND RECRUITMENT ACT, 2022
@center (Act No. 11 of 2022)
@vspace 4
@centeri AN ACT to regulate the admission and employment of foreign workers in Norvania, the recruitment of Norvanian workers for employment abroad and the protection of migrant workers and their families, and for connected purposes.
@vspace 2
@center [Date of assent: 5 July 2022]
@vspace 3
ENACTED by the Parliament of the Republic of Norvania as follows:

@centerb ARRANGEMENT OF SECTIONS
@vspace 1
@toc Part I — Preliminary | ss. 1–3
@toc Part II — Administration | ss. 4–7
@toc Part III — Employment of Foreign Workers in Norvania | ss. 8–15
@toc Part IV — Private Recruitment Agencies | ss. 16–20
@toc Part V — Norvanian Workers Abroad | ss. 21–26
@toc Part VI — Information, Offences and Penalties | ss. 27–30
@toc Part VII — Miscellaneous and Final Provisions | ss. 31–35
@vspace 2

# PART I — PRELIMINARY

## 1. Short title and commencement

> (1) This Act may be cited as the Labour Migration and Recruitment Act, 2022.
> (2) This Act shall come into operation on such date as the Minister may, by notice in the Gazette, appoint, and different dates may be appointed for different provisions.

## 2. Interpretation

In this Act, unless the context otherwise requires—

| "Authority" means the Labour Migration Authority established by section 4;
| "employer" means any person, public body or company that employs or intends to employ a worker under a contract of employment;
| "foreign worker" means a person who is not a citizen of Norvania and who is engaged, or is to be engaged, in a remunerated activity in Norvania;
| "migrant worker" means a person who is to be engaged, is engaged or has been engaged in a remunerated activity in a State of which he or she is not a national;
| "Minister" means the Minister responsible for labour and employment;
| "recruitment agency" means any person, other than a public employment service, who offers services for matching offers of and applications for employment across national borders;
| "recruitment fee" means any fee or related cost charged in connection with the recruitment process, including travel, visa, medical examination and training costs.

## 3. Objects of the Act

The objects of this Act are to—

> (a) ensure that the admission of foreign workers responds to the needs of the Norvanian labour market;
> (b) protect the rights of migrant workers, including Norvanian workers employed abroad, and prevent their exploitation;
> (c) promote fair and ethical recruitment; and
> (d) strengthen cooperation with countries of origin and destination.

# PART II — ADMINISTRATION

## 4. Establishment of the Labour Migration Authority

> (1) There is hereby established a body to be known as the Labour Migration Authority, which shall be a department of the Ministry responsible for labour.
> (2) The Authority shall—
>> (a) issue, renew and cancel work permits under Part III;
>> (b) license and supervise private recruitment agencies under Part IV;
>> (c) maintain the Labour Migration Information System established under section 27;
>> (d) provide pre-departure orientation to Norvanian workers going abroad; and
>> (e) perform any other function conferred on it by this Act or by regulations.

## 5. Labour Migration Advisory Board

> (1) The Minister shall appoint a Labour Migration Advisory Board consisting of—
>> (a) the Director of the Authority, who shall be the chairperson;
>> (b) one representative each of the ministries responsible for the interior and migration, foreign affairs, health, education and finance;
>> (c) two representatives of the most representative employers' organisation;
>> (d) two representatives of the most representative workers' organisation; and
>> (e) one representative of civil society organisations working with migrants.
> (2) The Board shall advise the Minister on labour migration policy, on the Shortage Occupations List and on the negotiation of bilateral labour agreements, and shall meet at least three times a year.

## 6. Labour attachés

The Minister, in consultation with the Minister responsible for foreign affairs, may assign labour attachés to Norvanian diplomatic missions in countries where significant numbers of Norvanian workers are employed. A labour attaché shall assist Norvanian workers in distress, verify employment contracts and monitor the implementation of bilateral labour agreements.

## 7. Cooperation with provincial authorities

The Authority may delegate to provincial labour offices the receipt of applications and the inspection of workplaces employing foreign workers.

# PART III — EMPLOYMENT OF FOREIGN WORKERS IN NORVANIA

## 8. Requirement of work permit

> (1) No foreign worker shall take up employment in Norvania unless he or she holds a valid work permit issued under this Part, or is exempt under subsection (3).
> (2) A work permit shall be issued in one of the following categories—
>> (a) a general employment permit;
>> (b) a highly skilled worker permit;
>> (c) a seasonal worker permit, valid for not more than nine months in any twelve-month period; or
>> (d) an intra-corporate transferee permit.
> (3) The holder of a permanent residence permit, a refugee recognised under the Refugees Act and the spouse of a Norvanian citizen shall not require a work permit.

## 9. Labour market test

> (1) Before a general employment permit is issued, the employer shall show that the vacancy was advertised through the National Employment Service for at least twenty-one days and that no suitable citizen or permanent resident was available.
> (2) The labour market test shall not apply to occupations included in the Shortage Occupations List published by the Minister after a labour market needs assessment carried out at least every two years.

## 10. Duration and renewal

A work permit shall be valid for a period of up to two years and may be renewed for further periods of up to three years. A foreign worker who has held a work permit for five consecutive years may apply for a long-term residence permit under the Immigration Act.

## 11. Change of employer

A foreign worker may change employer without leaving Norvania. The new employer shall notify the Authority within fifteen days, and the work permit shall not be cancelled solely because the original employment relationship has ended.

## 12. Family members

> (1) The spouse and dependent children under the age of eighteen of the holder of a general employment or highly skilled worker permit shall be entitled to a dependant's residence permit of the same duration.
> (2) A spouse holding a dependant's residence permit may work without a separate work permit.

## 13. Equality of treatment

> (1) A foreign worker shall enjoy treatment no less favourable than that which applies to Norvanian workers in respect of remuneration, hours of work, overtime, holidays with pay, occupational safety and health, membership of trade unions and social security.
> (2) No employer shall retain the passport or identity document of a foreign worker.

## 14. Recognition of qualifications

The Authority shall refer applications for the recognition of foreign diplomas and professional qualifications to the National Qualifications Authority, which shall decide within sixty days.

## 15. Students

A foreign national enrolled full-time in a recognised institution of higher education may work for up to twenty hours per week during term time without a work permit.

# PART IV — PRIVATE RECRUITMENT AGENCIES

## 16. Licence required

No person shall operate a recruitment agency without a licence issued by the Authority. A licence shall be valid for three years and the Authority shall publish a register of licensed agencies on its website.

## 17. Prohibition of recruitment fees

> (1) No recruitment agency or employer shall charge, directly or indirectly, in whole or in part, any recruitment fee or related cost to a worker.
> (2) The costs of recruitment shall be borne by the employer.

## 18. Contracts of employment

Every worker recruited for employment abroad shall receive, before departure and in a language he or she understands, a written contract of employment approved by the Authority, stating the wages, working hours, accommodation, duration and return arrangements.

## 19. Suspension and cancellation of licence

The Authority may suspend or cancel a licence where the licensee has—

> (a) charged a recruitment fee to a worker;
> (b) supplied false information or documents;
> (c) been involved in trafficking in persons or in the smuggling of migrants; or
> (d) failed to assist a worker in distress abroad.

## 20. Security deposit

Every licensed recruitment agency shall lodge a security deposit with the Authority, which may be used to meet the cost of repatriating workers or of compensating them for breach of contract.

# PART V — NORVANIAN WORKERS ABROAD

## 21. Pre-departure orientation

Every Norvanian worker recruited for employment abroad shall attend a free pre-departure orientation seminar on the laws and culture of the country of destination, the terms of the contract, the rights of the worker and the assistance available from Norvanian missions.

## 22. Bilateral labour agreements

> (1) The Minister may, with the approval of Cabinet, negotiate and conclude bilateral labour agreements and memoranda of understanding with other States on the recruitment, employment and protection of migrant workers.
> (2) Every such agreement shall provide for a joint committee to monitor its implementation and shall be published in the Gazette.

## 23. Migrant Workers Welfare Fund

> (1) There is established a Migrant Workers Welfare Fund, administered by the Authority, to provide—
>> (a) emergency assistance and legal aid to Norvanian workers abroad;
>> (b) repatriation of workers in distress and of the remains of deceased workers;
>> (c) evacuation of workers in the event of armed conflict, epidemic or natural disaster in the country of employment; and
>> (d) scholarships for the children of migrant workers.
> (2) The Fund shall consist of contributions paid by employers and recruitment agencies, monies appropriated by Parliament and donations.

## 24. Remittances

The Authority shall, in cooperation with the Central Bank, inform workers about safe, low-cost channels for sending remittances and about savings and investment products for migrant workers.

## 25. Return and reintegration

The Authority shall provide returning migrant workers with employment counselling, referral to training and enterprise-development programmes and assistance with the certification of skills acquired abroad.

## 26. Social security

A Norvanian worker employed abroad may continue to contribute voluntarily to the National Social Security Fund.

# PART VI — INFORMATION, OFFENCES AND PENALTIES

## 27. Labour Migration Information System

> (1) The Authority shall establish and maintain a Labour Migration Information System containing data on work permits issued, recruitment agencies, workers deployed abroad and complaints received.
> (2) The Authority shall publish an annual statistical report, with data disaggregated by sex, occupation, country of destination and nationality.

## 28. Offences

A person who—

> (a) operates a recruitment agency without a licence;
> (b) charges a recruitment fee to a worker;
> (c) retains the passport of a worker; or
> (d) knowingly gives false information to a worker about the nature or conditions of employment,

commits an offence and is liable on conviction to a fine not exceeding five hundred thousand ardents or to imprisonment for a term not exceeding five years, or to both.

## 29. Trafficking in persons

Where an offence under this Act also constitutes trafficking in persons, the matter shall be referred to the National Anti-Trafficking Unit and prosecuted under the Prevention of Trafficking in Persons Act, 2016.

## 30. Complaints

A worker may lodge a complaint with the Authority, a labour attaché or a labour inspector in respect of any breach of this Act, and no action shall be taken against the worker for lodging the complaint.

# PART VII — MISCELLANEOUS AND FINAL PROVISIONS

## 31. Regulations

The Minister may make regulations for the better carrying into effect of this Act, including regulations prescribing fees payable by employers, forms and procedures.

## 32. Repeal

The Employment of Non-Citizens Act (Cap. 87) and the Overseas Employment Agencies Act, 1994, are repealed.

## 33. Savings and transitional provisions

> (1) Every work permit issued under the repealed Acts and valid immediately before the commencement of this Act shall remain valid until its expiry.
> (2) A recruitment agency licensed under the repealed Act shall apply for a licence under this Act within six months of its commencement.

## 34. Binding on the State

This Act binds the State.

## 35. Consequential amendments

The Immigration Act (Cap. 112) is amended as set out in the Schedule.

@vspace 4
@centerb SCHEDULE
@center (Section 35)
@vspace 1
In section 14 of the Immigration Act (Cap. 112), after subsection (2), insert— "(3) A foreign national who has held a work permit under the Labour Migration and Recruitment Act, 2022, for five consecutive years shall be eligible for a long-term residence permit."

@vspace 4
Passed by the Parliament of the Republic of Norvania on the twenty-first day of June, two thousand and twenty-two.
@vspace 3
@sigl A. T. Holmqvist
@sigl Clerk of Parliament
@vspace 3
@sig Assented to this fifth day of July 2022.
@vspace 2
@sig ERIK STAVANGER-LOE
@sig President of the Republic of Norvania
""",
    )
)


# ===========================================================================
# 3. République du Valmont - Loi n° 2023-118 (FR)
# ===========================================================================
DOCS.append(
    dict(
        file="valmont_loi_2023-118_entree_sejour_etrangers_asile.pdf",
        title="Loi n° 2023-118 du 14 mars 2023 relative à l'entrée et au séjour des étrangers et au droit d'asile",
        country="République du Valmont",
        level="national",
        date="2023-03-14",
        source_url="https://example.org/valmont/jo/2023/057/loi-2023-118-entree-sejour-etrangers-asile.pdf",
        language="fr",
        document_type="law",
        creation_date=utc(2023, 3, 15, 6, 0),
        author="Direction des Journaux officiels, République du Valmont",
        subject="Journal officiel n° 57 du 15 mars 2023 - Loi n° 2023-118",
        keywords="étrangers; séjour; asile; regroupement familial; naturalisation; journal officiel",
        font="Times",
        size=10.5,
        header_left="JOURNAL OFFICIEL DE LA RÉPUBLIQUE DU VALMONT — N° 57",
        header_right="15 mars 2023",
        footer="{p}/{nb}",
        footer_align="R",
        body="""
@centerb LOIS
@vspace 3
@title LOI n° 2023-118 du 14 mars 2023 relative à l'entrée et au séjour des étrangers et au droit d'asile (1)
@vspace 2
@center NOR : INTX2219874L
@vspace 4
L'Assemblée nationale et le Sénat ont adopté,

Le Président de la République promulgue la loi dont la teneur suit :

# TITRE Ier — DISPOSITIONS GÉNÉRALES

## Article 1er

La présente loi fixe les conditions d'entrée, de séjour et d'éloignement des étrangers sur le territoire de la République du Valmont, ainsi que les règles applicables à la protection internationale. Elle s'applique sous réserve des conventions internationales régulièrement ratifiées par le Valmont.

## Article 2

Au sens de la présente loi, on entend par :

> 1° « étranger » : toute personne qui n'a pas la nationalité valmontaise, soit qu'elle ait une nationalité étrangère, soit qu'elle n'ait pas de nationalité ;
> 2° « titre de séjour » : tout document délivré par l'autorité administrative autorisant un étranger à séjourner sur le territoire pour une durée supérieure à trois mois ;
> 3° « demandeur d'asile » : l'étranger qui sollicite la reconnaissance de la qualité de réfugié ou le bénéfice de la protection subsidiaire ;
> 4° « mineur non accompagné » : l'étranger âgé de moins de dix-huit ans qui se trouve sur le territoire sans être accompagné d'un adulte responsable de lui.

## Article 3

L'application de la présente loi relève du ministre de l'intérieur. Les ministres chargés des affaires étrangères, du travail, de la santé et de l'éducation nationale concourent, chacun pour ce qui le concerne, à sa mise en œuvre.

# TITRE II — ENTRÉE SUR LE TERRITOIRE

## Article 4

Pour entrer sur le territoire valmontais, tout étranger doit être muni :

> 1° d'un passeport en cours de validité ;
> 2° sauf dispense prévue par un accord international ou par décret, d'un visa délivré par les autorités consulaires ;
> 3° des documents justifiant de l'objet et des conditions de son séjour, ainsi que de ses moyens d'existence.

La liste des pays dont les ressortissants sont dispensés de visa, les catégories de visas et les pièces exigées pour chacune d'elles sont publiées sur le site internet du ministère des affaires étrangères.

## Article 5

Le contrôle des personnes aux frontières terrestres, maritimes et aériennes est assuré par la Direction de la police aux frontières. Les agents chargés du contrôle reçoivent une formation initiale et continue portant notamment sur les droits fondamentaux, la détection de la fraude documentaire, l'identification des victimes de la traite des êtres humains et l'orientation des personnes sollicitant l'asile.

## Article 6

I. — L'étranger qui ne remplit pas les conditions d'entrée peut faire l'objet d'une décision de refus d'entrée, écrite et motivée, prise par un officier de la police aux frontières.

II. — L'étranger est informé de ses droits dans une langue qu'il comprend. Il peut avertir la personne de son choix, son consulat et un conseil. Aucune décision de refus d'entrée ne peut être exécutée avant l'expiration d'un délai d'un jour franc.

III. — Un refus d'entrée ne peut être opposé à l'étranger qui sollicite l'asile à la frontière avant que sa demande n'ait été examinée dans les conditions prévues au titre IV.

## Article 7

En cas d'arrivée massive et soudaine de personnes à la frontière, notamment à la suite d'un conflit armé ou d'une catastrophe naturelle dans un État voisin, le Gouvernement peut, par décret, mettre en œuvre un plan de contingence comportant l'ouverture de centres d'accueil temporaires, l'enregistrement des personnes et l'octroi d'une protection temporaire d'une durée d'un an renouvelable.

# TITRE III — SÉJOUR DES ÉTRANGERS

## Chapitre Ier — Les titres de séjour

## Article 8

Tout étranger âgé de plus de dix-huit ans qui séjourne au Valmont plus de trois mois doit être titulaire d'un titre de séjour. Les titres de séjour sont :

> 1° la carte de séjour temporaire, d'une durée maximale d'un an ;
> 2° la carte de séjour pluriannuelle, d'une durée maximale de quatre ans ;
> 3° la carte de résident, d'une durée de dix ans, renouvelable de plein droit.

## Article 9

La carte de séjour temporaire portant la mention « travailleur salarié » est délivrée à l'étranger titulaire d'une autorisation de travail délivrée par le ministre chargé du travail. L'autorisation de travail est accordée sans que la situation de l'emploi soit opposable lorsque le métier figure sur la liste des métiers en tension, révisée chaque année après consultation des organisations d'employeurs et de salariés.

## Article 10

La carte de séjour temporaire portant la mention « étudiant » est délivrée à l'étranger inscrit dans un établissement d'enseignement supérieur. Elle permet l'exercice d'une activité professionnelle salariée dans la limite de 60 % de la durée annuelle du travail. À l'issue de ses études, l'étudiant diplômé peut obtenir une autorisation provisoire de séjour de douze mois pour rechercher un emploi.

## Article 11

La carte de résident peut être accordée à l'étranger qui justifie d'une résidence régulière et ininterrompue d'au moins cinq ans au Valmont, de ressources stables et suffisantes et d'une connaissance suffisante de la langue française. Elle est délivrée de plein droit au conjoint et aux enfants d'un ressortissant valmontais après trois ans de séjour régulier.

## Chapitre II — Le regroupement familial

## Article 12

I. — Le ressortissant étranger qui séjourne régulièrement au Valmont depuis au moins douze mois sous couvert d'un titre de séjour d'une durée de validité d'au moins un an peut demander à bénéficier de son droit à être rejoint, au titre du regroupement familial :

> a) par son conjoint ;
> b) par les enfants du couple âgés de moins de dix-huit ans ;
> c) par les ascendants à charge du demandeur ou de son conjoint, lorsqu'ils sont dépourvus de soutien familial dans leur pays d'origine.

II. — Le regroupement familial ne peut être refusé que si le demandeur ne justifie pas de ressources au moins égales au salaire minimum ou d'un logement considéré comme normal pour une famille comparable.

III. — La décision est prise par le préfet dans un délai de six mois à compter du dépôt du dossier complet. Les membres de la famille admis reçoivent un titre de séjour de même durée que celui du demandeur, qui les autorise à travailler.

## Chapitre III — Droits des étrangers

## Article 13

Les étrangers résidant régulièrement au Valmont bénéficient de l'assurance maladie, des prestations familiales et de l'assurance vieillesse dans les mêmes conditions que les nationaux.

L'étranger en situation irrégulière résidant au Valmont depuis plus de trois mois et dont les ressources sont inférieures à un plafond fixé par décret a droit à l'aide médicale de l'État. Les soins urgents dont l'absence mettrait en jeu le pronostic vital sont dispensés à toute personne, sans condition de régularité du séjour ni de durée de résidence.

## Article 14

L'instruction est obligatoire pour tous les enfants âgés de trois à seize ans résidant sur le territoire, quelle que soit leur nationalité ou la situation administrative de leurs parents. L'inscription dans un établissement scolaire public ne peut être subordonnée à la présentation d'un titre de séjour.

## Article 15

Les étrangers titulaires d'une carte de résident sont électeurs et éligibles aux élections des conseils consultatifs des résidents étrangers institués auprès des communes de plus de 20 000 habitants.

# TITRE IV — DROIT D'ASILE

## Article 16

L'Office valmontais de protection des réfugiés et apatrides, établissement public placé auprès du ministre de l'intérieur, statue en toute indépendance sur les demandes d'asile. Ses décisions peuvent faire l'objet d'un recours devant la Cour nationale du droit d'asile.

## Article 17

Le demandeur d'asile est autorisé à se maintenir sur le territoire jusqu'à la notification de la décision définitive. Il bénéficie de conditions matérielles d'accueil comprenant un hébergement et une allocation. Il peut accéder au marché du travail lorsque l'Office n'a pas statué sur sa demande dans un délai de six mois.

## Article 18

Nul ne peut être éloigné à destination d'un pays où sa vie ou sa liberté serait menacée ou où il serait exposé à des traitements inhumains ou dégradants.

# TITRE V — ÉLOIGNEMENT, RETOUR ET RÉADMISSION

## Article 19

L'autorité administrative peut obliger à quitter le territoire l'étranger qui s'y maintient sans titre de séjour. La décision fixe un délai de départ volontaire de trente jours et peut être contestée devant le tribunal administratif dans un délai de quinze jours. Le recours est suspensif.

## Article 20

L'étranger qui accepte de regagner volontairement son pays d'origine peut bénéficier d'une aide au retour comprenant la prise en charge du voyage, une allocation forfaitaire et, le cas échéant, une aide à la réintégration mise en œuvre en coopération avec les autorités du pays de retour et des organisations internationales.

## Article 21

Le Gouvernement est autorisé à conclure avec les États tiers des accords de réadmission et des accords de gestion concertée des flux migratoires comportant des volets relatifs à la mobilité professionnelle, à la formation et au développement solidaire.

# TITRE VI — ACQUISITION DE LA NATIONALITÉ

## Article 22

I. — La nationalité valmontaise peut être accordée par décret à l'étranger majeur qui justifie d'une résidence habituelle et régulière au Valmont pendant les sept années qui précèdent le dépôt de sa demande, de son assimilation à la communauté valmontaise et d'une connaissance suffisante de la langue française.

II. — La durée de résidence est réduite à trois ans pour le réfugié et pour l'étranger qui a accompli avec succès deux années d'études supérieures au Valmont.

III. — L'étranger qui a contracté mariage avec un conjoint de nationalité valmontaise peut acquérir la nationalité par déclaration après quatre ans de vie commune.

## Article 23

La naturalisation n'entraîne pas la perte de la nationalité d'origine. La double nationalité est reconnue.

# TITRE VII — GOUVERNANCE ET DONNÉES

## Article 24

Il est institué un Comité interministériel de l'immigration et de l'intégration, présidé par le Premier ministre. Il réunit les ministres chargés de l'intérieur, des affaires étrangères, du travail, de la santé, de l'éducation nationale, du logement et des finances. Il fixe les orientations de la politique migratoire et se réunit au moins une fois par an. Son secrétariat est assuré par le secrétaire général du ministère de l'intérieur.

## Article 25

L'Observatoire national des migrations, placé auprès de l'Institut national de la statistique, collecte et analyse les données relatives aux visas, aux titres de séjour, à l'asile, à l'éloignement et à l'acquisition de la nationalité. Il publie chaque année un rapport statistique, dont les données sont ventilées par sexe, par âge et par nationalité.

## Article 26

Le Gouvernement remet chaque année au Parlement, avant le 1er octobre, un rapport sur les orientations pluriannuelles de la politique d'immigration et d'intégration, comportant les données mentionnées à l'article 25.

# TITRE VIII — DISPOSITIONS FINALES

## Article 27

Sont abrogées :

> 1° l'ordonnance n° 62-14 du 2 février 1962 relative aux conditions d'entrée et de séjour des étrangers ;
> 2° la loi n° 98-402 du 7 juillet 1998 relative au droit d'asile.

## Article 28

Les titres de séjour en cours de validité à la date d'entrée en vigueur de la présente loi demeurent valables jusqu'à leur date d'expiration.

## Article 29

Des décrets en Conseil d'État précisent les modalités d'application de la présente loi. Celle-ci entre en vigueur le premier jour du sixième mois suivant sa publication au Journal officiel de la République du Valmont.

La présente loi sera exécutée comme loi de l'État.

@vspace 4
@sigl Fait à Valmont-la-Ville, le 14 mars 2023.
@vspace 3
@sig Hélène Dufresnoy-Carvalle
@vspace 2
@sigl Par le Président de la République :
@vspace 2
@sigl Le Premier ministre,
@sigl Bertrand Lavoisel
@vspace 2
@sigl Le ministre de l'intérieur,
@sigl Gérald Monceaux
@vspace 2
@sigl La ministre du travail, de l'emploi et de l'insertion,
@sigl Claire Aubenas-Roux
@vspace 4
@note (1) Travaux préparatoires : Assemblée nationale, projet de loi n° 412 ; rapport de M. Yves Tardieu, au nom de la commission des lois, n° 455 ; discussion et adoption le 9 février 2023. Sénat, projet de loi adopté par l'Assemblée nationale, n° 217 ; discussion et adoption définitive le 2 mars 2023.
""",
    )
)

# ===========================================================================
# 4. République du Valmont - Plan national traite 2022-2026 (FR)
#    (typographic apostrophes ’ on purpose: real documents mix ' and ’)
# ===========================================================================
DOCS.append(
    dict(
        file="valmont_plan_national_traite_2022-2026.pdf",
        title="Plan national de lutte contre la traite des êtres humains 2022–2026",
        country="République du Valmont",
        level="national",
        date="2022-10-18",
        source_url="https://example.org/valmont/premier-ministre/plan-national-traite-2022-2026.pdf",
        language="fr",
        document_type="action_plan",
        creation_date=utc(2022, 10, 18, 14, 0),
        author="Commission nationale de lutte contre la traite des êtres humains",
        subject="Deuxième plan national de lutte contre la traite des êtres humains",
        keywords="traite des êtres humains; trafic illicite de migrants; protection des victimes; coopération",
        creator="Service d’information du Gouvernement",
        font="Helvetica",
        size=10,
        header_left="Plan national de lutte contre la traite des êtres humains 2022–2026",
        header_right="République du Valmont",
        footer="Page {p} sur {nb}",
        body="""
@vspace 25
@centerb RÉPUBLIQUE DU VALMONT
@centeri Liberté – Justice – Solidarité
@vspace 30
@title DEUXIÈME PLAN NATIONAL DE LUTTE CONTRE LA TRAITE DES ÊTRES HUMAINS
@vspace 3
@title 2022–2026
@vspace 10
@center Adopté par le Conseil des ministres le 18 octobre 2022
@vspace 45
@center Commission nationale de lutte contre la traite des êtres humains
@center Services du Premier ministre – Valmont-la-Ville
@pagebreak

# SOMMAIRE

@toc Préface | 2
@toc Liste des sigles | 2
@toc 1. État des lieux | 2
@toc 2. Axe 1 – Prévenir la traite des êtres humains | 3
@toc 3. Axe 2 – Identifier, protéger et accompagner les victimes | 3
@toc 4. Axe 3 – Poursuivre et sanctionner les auteurs | 4
@toc 5. Axe 4 – Renforcer la coopération nationale et internationale | 4
@toc 6. Axe 5 – Coordonner l’action publique et mieux connaître le phénomène | 5
@toc 7. Mise en œuvre, suivi et évaluation | 5
@vspace 4

# PRÉFACE

La traite des êtres humains est une atteinte grave à la dignité de la personne. Elle frappe des femmes, des hommes et des enfants, valmontais ou étrangers, exploités dans la prostitution, dans les ateliers, sur les chantiers, dans l’agriculture ou au domicile de particuliers. Le premier plan national, adopté en 2017, a permis de doter notre pays d’une législation complète et d’un réseau d’associations spécialisées. Ce deuxième plan entend franchir une nouvelle étape : mieux repérer les victimes, mieux les protéger, et démanteler les réseaux qui prospèrent sur la détresse des personnes migrantes.

@sig Bertrand Lavoisel
@sig Premier ministre

# LISTE DES SIGLES

@abbr CNLTEH | Commission nationale de lutte contre la traite des êtres humains
@abbr MNO | Mécanisme national d’orientation des victimes
@abbr OCRTEH | Office central de répression de la traite des êtres humains
@abbr ONM | Observatoire national des migrations
@abbr PAF | Direction de la police aux frontières
@vspace 3

# 1. ÉTAT DES LIEUX

En 2021, les services de police et de gendarmerie ont identifié 143 victimes de traite, contre 97 en 2018. Près de 70 % d’entre elles étaient de nationalité étrangère et 22 % étaient mineures. L’exploitation sexuelle reste la forme la plus fréquente (54 % des cas), mais l’exploitation par le travail, notamment dans le secteur agricole et le travail domestique, progresse fortement. Le nombre réel de victimes est sans doute beaucoup plus élevé.

La loi n° 2016-77 du 3 mai 2016 relative à la lutte contre la traite des êtres humains a introduit une définition conforme au Protocole de Palerme, que le Valmont a ratifié en 2004, ainsi que des peines pouvant aller jusqu’à quinze ans d’emprisonnement. Le trafic illicite de migrants, qui consiste à faciliter l’entrée irrégulière d’une personne sur le territoire en vue d’en tirer un avantage financier, constitue une infraction distincte, réprimée par l’article 311-4 du code pénal.

L’évaluation du premier plan a toutefois mis en évidence plusieurs faiblesses : une identification encore trop dépendante de la plainte de la victime, une offre d’hébergement insuffisante, l’absence de données consolidées et une coordination inter~ministérielle restée informelle.

# 2. AXE 1 – PRÉVENIR LA TRAITE DES ÊTRES HUMAINS

## Mesure 1 – Sensibiliser le public et les personnes à risque

Une campagne nationale d’information sera diffusée chaque année à la radio, à la télévision et sur les réseaux sociaux, en français et dans les principales langues parlées par les communautés migrantes. Des supports d’information sur les droits des travailleurs et sur le numéro d’urgence gratuit 119 seront remis aux ressortissants étrangers lors de la délivrance du visa et du premier titre de séjour.

## Mesure 2 – Former les professionnels

Un module de formation obligatoire sur la traite et sur le trafic illicite de migrants sera intégré à la formation initiale et continue :

- des agents de la police aux frontières et des douanes ;
- des inspecteurs du travail ;
- des magistrats et des greffiers ;
- des personnels de santé, des travailleurs sociaux et des personnels de l’Éducation nationale ;
- des agents consulaires chargés de la délivrance des visas.

Objectif : 4 000 professionnels formés d’ici 2026.

## Mesure 3 – Prévenir l’exploitation par le travail

L’inspection du travail conduira chaque année une campagne de contrôle ciblée dans les secteurs à risque (agriculture saisonnière, bâtiment, hôtellerie-restauration, travail domestique). Les entreprises de plus de 250 salariés devront publier un plan de vigilance portant sur les risques de travail forcé dans leur chaîne d’approvisionnement. Les agences de recrutement de travailleurs étrangers seront soumises à un agrément et il leur sera interdit de percevoir des frais auprès des travailleurs.

# 3. AXE 2 – IDENTIFIER, PROTÉGER ET ACCOMPAGNER LES VICTIMES

## Mesure 4 – Créer un mécanisme national d’orientation

Un Mécanisme national d’orientation (MNO) sera institué par décret avant la fin de l’année 2023. Il définit une procédure unique d’identification des victimes, fondée sur des indicateurs communs, et permet à tout professionnel ou à toute association habilitée de signaler une victime présumée. L’identification ne sera plus subordonnée au dépôt d’une plainte.

## Mesure 5 – Garantir un délai de rétablissement et un droit au séjour

Toute victime présumée de nationalité étrangère bénéficie d’un délai de rétablissement et de réflexion de quatre-vingt-dix jours, pendant lequel aucune mesure d’éloignement ne peut être prise à son encontre. À l’issue de ce délai, une carte de séjour temporaire d’un an, renouvelable et autorisant l’exercice d’une activité professionnelle, lui est délivrée, qu’elle coopère ou non avec les autorités judiciaires. Une carte de résident peut lui être accordée en cas de condamnation définitive des auteurs.

## Mesure 6 – Héberger et accompagner

Le nombre de places d’hébergement sécurisé réservées aux victimes sera porté de 120 à 300 d’ici 2026, dont 40 places pour les mineurs. Les victimes ont accès gratuitement aux soins médicaux et psychologiques, à l’aide juridictionnelle et à des cours de langue. Un accompagnement vers la formation professionnelle et l’emploi leur est proposé.

## Mesure 7 – Protéger les mineurs

Tout mineur non accompagné présumé victime de traite est immédiatement pris en charge par l’aide sociale à l’enfance et se voit désigner un administrateur ad hoc. Les mineurs ne peuvent en aucun cas être placés en rétention administrative.

## Mesure 8 – Accompagner le retour volontaire

La victime qui souhaite regagner son pays d’origine bénéficie d’une aide au retour et à la réintégration, préparée avec des associations partenaires dans le pays de retour, après une évaluation des risques de représailles ou de nouvelle exploitation.

# 4. AXE 3 – POURSUIVRE ET SANCTIONNER LES AUTEURS

## Mesure 9 – Spécialiser les enquêteurs et les magistrats

Les effectifs de l’Office central de répression de la traite des êtres humains (OCRTEH) seront renforcés de trente enquêteurs. Un magistrat référent « traite des êtres humains » sera désigné dans chaque tribunal judiciaire.

## Mesure 10 – Démanteler les réseaux de trafic illicite de migrants

Des équipes communes d’enquête seront constituées avec les pays voisins pour démanteler les filières de passeurs opérant sur la route du littoral. Les avoirs criminels saisis seront affectés à un fonds d’indemnisation des victimes.

## Mesure 11 – Garantir la non-sanction des victimes

Une circulaire du ministre de la justice rappellera que les victimes ne doivent pas être poursuivies pour les infractions qu’elles ont été contraintes de commettre, y compris l’entrée ou le séjour irréguliers et l’usage de faux documents.

# 5. AXE 4 – RENFORCER LA COOPÉRATION NATIONALE ET INTERNATIONALE

## Mesure 12 – Coopérer avec les pays d’origine et de transit

Le Valmont négociera des accords bilatéraux de coopération policière et judiciaire en matière de traite avec les cinq principaux pays d’origine des victimes identifiées. Des officiers de liaison seront déployés dans les pays de transit de la route du littoral. Le Valmont participera activement aux travaux du Processus régional de dialogue sur les migrations de l’Ouest littoral et aux réseaux internationaux d’échange d’informations policières.

## Mesure 13 – Associer la société civile et le secteur privé

La Commission nationale signera des conventions pluriannuelles de financement avec les associations spécialisées dans l’accompagnement des victimes. Une charte d’engagement contre le travail forcé sera proposée aux organisations professionnelles des secteurs à risque, ainsi qu’aux banques, afin de faciliter le signalement des flux financiers suspects.

## Mesure 14 – Protéger les ressortissants valmontais à l’étranger

Les postes consulaires disposeront d’une procédure d’assistance aux ressortissants valmontais victimes de traite à l’étranger, comprenant la délivrance rapide de documents de voyage, le rapatriement et l’orientation vers les dispositifs de réintégration.

# 6. AXE 5 – COORDONNER L’ACTION PUBLIQUE ET MIEUX CONNAÎTRE LE PHÉNOMÈNE

## Mesure 15 – Institutionnaliser la coordination

La Commission nationale de lutte contre la traite des êtres humains (CNLTEH), présidée par un coordinateur national nommé par décret, réunit les représentants des ministères de l’intérieur, de la justice, du travail, de la santé, des affaires étrangères et de l’éducation nationale, ainsi que trois représentants d’associations. Elle se réunit au moins trois fois par an et établit un rapport annuel public sur la mise en œuvre du plan. Des comités départementaux déclinent son action au niveau territorial.

## Mesure 16 – Collecter et publier des données

Un système national de collecte de données sur la traite sera mis en place par l’Observatoire national des migrations, en lien avec le ministère de la justice. Il recensera les victimes identifiées, les procédures engagées et les condamnations prononcées, avec une ventilation par sexe, âge, nationalité et forme d’exploitation. Les données anonymisées seront publiées chaque année.

## Mesure 17 – Soutenir la recherche

Une enquête de victimation sur le travail forcé sera conduite en 2024 avec l’Université de Valmont-la-Ville afin d’estimer le nombre de victimes non identifiées.

# 7. MISE EN ŒUVRE, SUIVI ET ÉVALUATION

Le coordinateur national est chargé du pilotage du plan. Chaque mesure est confiée à un ministère chef de file, qui désigne un référent. Un tableau de bord comportant les indicateurs suivants est présenté chaque année à la Commission nationale :

> 1. nombre de victimes identifiées et orientées par le MNO ;
> 2. nombre de titres de séjour délivrés aux victimes ;
> 3. nombre de places d’hébergement spécialisé disponibles ;
> 4. nombre de professionnels formés ;
> 5. nombre de procédures engagées et de condamnations prononcées pour traite et pour trafic illicite de migrants.

Le plan est financé à hauteur de 18,5 millions de francs valmontais sur cinq ans, inscrits aux budgets des ministères concernés. Une évaluation indépendante sera réalisée au cours du premier semestre 2026 et ses conclusions seront rendues publiques.
""",
    )
)


# ===========================================================================
# 5. República de Costa Serena - Ley N.º 1045 de Migración y Extranjería (ES)
# ===========================================================================
DOCS.append(
    dict(
        file="costa_serena_ley_1045_migracion_extranjeria_2021.pdf",
        title="Ley N.º 1045 de Migración y Extranjería",
        country="República de Costa Serena",
        level="national",
        date="2021-08-27",
        source_url="https://example.org/costa-serena/gaceta/2021/188/ley-1045-migracion-extranjeria.pdf",
        language="es",
        document_type="law",
        creation_date=utc(2021, 9, 2, 5, 45),
        author="Imprenta Nacional de la República de Costa Serena",
        subject="Gaceta Oficial N.º 188 - Ley N.º 1045 de Migración y Extranjería",
        keywords="migración; extranjería; residencia; naturalización; diáspora; gaceta oficial",
        font="Times",
        size=10.5,
        header_left="GACETA OFICIAL DE LA REPÚBLICA DE COSTA SERENA — Año XCIV — N.º 188",
        header_right="San Telmo, jueves 2 de septiembre de 2021",
        footer="Página {p} de {nb}",
        body="""
@centerb PODER LEGISLATIVO
@vspace 3
@title LEY N.º 1045
@centerb LEY DE MIGRACIÓN Y EXTRANJERÍA
@vspace 3
@centeri LA ASAMBLEA LEGISLATIVA DE LA REPÚBLICA DE COSTA SERENA
@centeri DECRETA:
@vspace 2

# TÍTULO PRELIMINAR — DISPOSICIONES GENERALES

## Artículo 1. Objeto

La presente ley regula el ingreso, la permanencia y la salida de las personas nacionales y extranjeras del territorio de la República, establece los derechos y obligaciones de las personas migrantes y define la institucionalidad responsable de la política migratoria del Estado.

## Artículo 2. Principios

La aplicación de esta ley se rige por los siguientes principios:

> a) respeto de los derechos humanos de toda persona migrante, con independencia de su condición migratoria;
> b) igualdad y no discriminación;
> c) interés superior de la niña, el niño y el adolescente;
> d) unidad familiar;
> e) no devolución;
> f) integración social, económica y cultural de la población migrante;
> g) corresponsabilidad con los demás Estados en la gestión de las migraciones.

## Artículo 3. Definiciones

Para los efectos de esta ley se entiende por:

> 1. Persona migrante: toda persona que se desplaza fuera de su lugar de residencia habitual, sea dentro de un país o a través de una frontera internacional.
> 2. Categoría migratoria: condición jurídica que la autoridad otorga a una persona extranjera para ingresar y permanecer en el país.
> 3. Persona serenense en el exterior: toda persona de nacionalidad serenense que reside de forma habitual fuera del territorio nacional.
> 4. Retorno: regreso de una persona serenense al país con ánimo de residir en él.

# TÍTULO I — INSTITUCIONALIDAD MIGRATORIA

## Artículo 4. Autoridad rectora

La Dirección General de Migración y Extranjería, órgano desconcentrado del Ministerio de Gobernación, es la autoridad encargada de ejecutar la política migratoria, otorgar las categorías migratorias, ejercer el control migratorio y llevar el registro de las personas extranjeras.

## Artículo 5. Consejo Nacional de Migración

Créase el Consejo Nacional de Migración como instancia de coordinación interinstitucional y de formulación de la política migratoria. Estará integrado por:

> a) el Ministro o la Ministra de Gobernación, quien lo presidirá;
> b) el Ministro o la Ministra de Relaciones Exteriores;
> c) el Ministro o la Ministra de Trabajo y Seguridad Social;
> d) el Ministro o la Ministra de Salud;
> e) el Ministro o la Ministra de Educación Pública;
> f) el Presidente o la Presidenta del Instituto Nacional de Estadística y Censos;
> g) el Director o la Directora General de Migración y Extranjería, quien ejercerá la secretaría técnica;
> h) dos representantes de organizaciones de la sociedad civil que trabajen con población migrante, con voz pero sin voto.

El Consejo sesionará ordinariamente cada tres meses y elaborará, en un plazo de doce meses a partir de la vigencia de esta ley, la Política Nacional de Migración, que deberá guardar coherencia con el Plan Nacional de Desarrollo.

## Artículo 6. Sistema Nacional de Información Migratoria

La Dirección General, en coordinación con el Instituto Nacional de Estadística y Censos, administrará el Sistema Nacional de Información Migratoria, que integrará los registros de ingresos y salidas, residencias, permisos de trabajo, solicitudes de refugio y naturalizaciones. Las estadísticas, desagregadas por sexo, edad, nacionalidad y categoría migratoria, se publicarán trimestralmente en el sitio web institucional, con resguardo de los datos personales.

# TÍTULO II — DERECHOS Y OBLIGACIONES DE LAS PERSONAS MIGRANTES

## Artículo 7. Igualdad de trato

Las personas extranjeras gozan en el territorio nacional de los mismos derechos civiles que las personas serenenses, con las limitaciones que establezcan la Constitución Política y las leyes.

## Artículo 8. Derecho a la salud

Toda persona migrante, cualquiera que sea su condición migratoria, tiene derecho a recibir atención de urgencia y servicios de salud materno-infantil en los establecimientos públicos. Las personas extranjeras con residencia podrán afiliarse a la Caja Serenense de Seguro Social en igualdad de condiciones con las personas nacionales.

## Artículo 9. Derecho a la educación

Se garantiza el acceso de las niñas, los niños y los adolescentes migrantes a la educación pública en todos sus niveles, aun cuando carezcan de documentación. Los centros educativos no podrán negar la matrícula ni la entrega de certificados por razón de la condición migratoria del estudiante o de sus padres.

## Artículo 10. Derecho a la reunificación familiar

Las personas extranjeras residentes tienen derecho a la reunificación familiar con su cónyuge o conviviente, sus hijos menores de edad o con discapacidad y sus padres mayores de sesenta y cinco años. La Dirección General resolverá las solicitudes en un plazo máximo de tres meses.

## Artículo 11. Derecho al trabajo

Las personas con residencia temporal o permanente podrán trabajar por cuenta propia o en relación de dependencia. Gozarán de los mismos derechos laborales y de seguridad social que las personas trabajadoras nacionales, y podrán afiliarse a sindicatos.

## Artículo 12. Participación política

Las personas extranjeras con residencia permanente de más de cinco años podrán votar en las elecciones municipales, conforme a lo que disponga el Código Electoral.

## Artículo 13. Obligaciones

Las personas extranjeras deberán respetar la Constitución y las leyes de la República, mantener vigente su documentación y comunicar a la Dirección General todo cambio de domicilio.

# TÍTULO III — CATEGORÍAS MIGRATORIAS

## Artículo 14. Categorías

Las personas extranjeras podrán ser admitidas en alguna de las siguientes categorías migratorias:

> a) no residente: turistas, personas en tránsito, trabajadores transfronterizos y personas que ingresan por motivos de negocios, por un plazo de hasta noventa días;
> b) residente temporal: trabajadores, estudiantes, investigadores, inversionistas, religiosos y familiares de personas residentes, por un plazo de hasta dos años, renovable;
> c) residente permanente;
> d) categorías especiales: personas refugiadas, apátridas, víctimas de trata y personas admitidas por razones humanitarias.

## Artículo 15. Permiso de trabajo

El Ministerio de Trabajo y Seguridad Social emitirá el permiso de trabajo de las personas residentes temporales, tomando en cuenta el estudio de necesidades del mercado laboral que elaborará cada dos años con participación de las organizaciones de empleadores y de trabajadores.

## Artículo 16. Residencia permanente

Podrán obtener la residencia permanente las personas extranjeras que hayan mantenido residencia temporal durante tres años consecutivos, así como los cónyuges y los padres de personas serenenses.

## Artículo 17. Visa humanitaria

La Dirección General podrá otorgar una visa o una residencia por razones humanitarias a las personas que huyan de situaciones de violencia generalizada, de desastres naturales o de los efectos adversos del cambio climático en su país de origen.

## Artículo 18. Regularización extraordinaria

El Poder Ejecutivo podrá disponer, mediante decreto, procesos de regularización migratoria extraordinaria para las personas extranjeras que residan en el país en situación irregular.

# TÍTULO IV — CONTROL MIGRATORIO Y GESTIÓN DE FRONTERAS

## Artículo 19. Control migratorio

El ingreso y la salida de personas solo podrán realizarse por los puestos habilitados. La Dirección General coordinará con la Policía de Fronteras, el Servicio Nacional de Aduanas y las autoridades sanitarias la gestión integrada de los puestos fronterizos.

## Artículo 20. Capacitación

El personal de control migratorio recibirá capacitación periódica en derechos humanos, detección de documentos fraudulentos, identificación de víctimas de trata y atención a solicitantes de refugio.

## Artículo 21. Trata de personas y tráfico ilícito de migrantes

Las víctimas de trata de personas y las personas objeto de tráfico ilícito de migrantes no serán sancionadas por su ingreso irregular. La Dirección General las derivará a la Coalición Nacional contra el Tráfico Ilícito de Migrantes y la Trata de Personas, conforme a la ley especial en la materia.

## Artículo 22. Personas desaparecidas

La Dirección General colaborará con el Ministerio Público y con los consulados en la búsqueda de personas migrantes desaparecidas y en la identificación de restos.

# TÍTULO V — SERENENSES EN EL EXTERIOR Y RETORNO

## Artículo 23. Vinculación con la diáspora

El Ministerio de Relaciones Exteriores, por medio de la Dirección de Serenenses en el Exterior, promoverá la vinculación de la diáspora con el país. Se crea el Consejo Consultivo de Serenenses en el Exterior, integrado por representantes elegidos por las asociaciones de la diáspora, que emitirá recomendaciones sobre las políticas que les afecten.

## Artículo 24. Voto en el exterior

Las personas serenenses en el exterior podrán ejercer el derecho al voto en las elecciones presidenciales en los consulados de la República.

## Artículo 25. Remesas

El Banco Central de Costa Serena promoverá la reducción del costo de envío de las remesas, la transparencia de las tarifas y el acceso de las familias receptoras a productos de ahorro y crédito.

## Artículo 26. Protección consular y situaciones de crisis

Las misiones consulares prestarán asistencia a las personas serenenses en situación de vulnerabilidad en el exterior, y organizarán su evacuación en caso de conflicto armado o desastre en el país de residencia.

## Artículo 27. Retorno y reintegración

El Estado facilitará el retorno y la reintegración de las personas serenenses mediante la exención de impuestos de importación sobre el menaje de casa y los instrumentos de trabajo, el reconocimiento de los estudios y competencias adquiridos en el exterior y programas de inserción laboral y de atención psicosocial.

# TÍTULO VI — NATURALIZACIÓN

## Artículo 28. Carta de naturalización

Las personas extranjeras que hayan residido legalmente en el país durante cinco años podrán solicitar la carta de naturalización ante el Tribunal Supremo de Elecciones. El plazo se reducirá a dos años para las personas casadas con serenenses, las personas refugiadas y las apátridas.

# TÍTULO VII — DISPOSICIONES FINALES Y TRANSITORIAS

## Artículo 29. Reglamentación

El Poder Ejecutivo reglamentará esta ley en un plazo de seis meses a partir de su publicación.

## Artículo 30. Derogatoria

Derógase la Ley N.º 312 de Migración, de 14 de junio de 1986, y sus reformas.

## Artículo 31. Vigencia

Esta ley rige a partir de su publicación en la Gaceta Oficial.

## Transitorio único

Las personas extranjeras que, a la entrada en vigencia de esta ley, residan en el país sin autorización podrán solicitar su regularización dentro de los doce meses siguientes, sin pago de multas.

@vspace 4
Dada en la Sala de Sesiones de la Asamblea Legislativa, en la ciudad de San Telmo, a los veintisiete días del mes de agosto de dos mil veintiuno.
@vspace 4
@sigl Rosa Elena Quirós Mendizábal
@sigl Presidenta de la Asamblea Legislativa
@vspace 2
@sig Tomás Aguilera Bastidas
@sig Primer Secretario
@vspace 3
Comuníquese, publíquese y cúmplase.
@vspace 3
@sig MANUEL ALFARO CENTENO
@sig Presidente de la República
@vspace 2
@sigl Dra. Inés Solórzano Ruiz
@sigl Ministra de Gobernación
""",
    )
)


# ===========================================================================
# 6. Municipalidad de Puerto Alba (Costa Serena) - local programme (ES)
#    Uses the embedded TrueType font DejaVu Sans.
# ===========================================================================
DOCS.append(
    dict(
        file="puerto_alba_programa_salud_educacion_migrantes_2024-2027.pdf",
        title="Programa Municipal de Acceso a la Salud y la Educación de las Personas Migrantes y Refugiadas 2024–2027 (Decreto de Alcaldía N.º 031-2024)",
        country="República de Costa Serena",
        level="local",
        date="2024-05-06",
        source_url="https://example.org/costa-serena/puerto-alba/boletin/2024/12/decreto-031-2024-programa-salud-educacion.pdf",
        language="es",
        document_type="programme",
        creation_date=utc(2024, 5, 6, 16, 20),
        author="Municipalidad de Puerto Alba - Secretaría Municipal",
        subject="Boletín Oficial Municipal N.º 12/2024 - Decreto de Alcaldía N.º 031-2024",
        keywords="municipio; personas migrantes; salud; educación; ventanilla única; gestión del riesgo",
        creator="Secretaría Municipal de Puerto Alba",
        font="DejaVu",
        size=10,
        header_left="MUNICIPALIDAD DE PUERTO ALBA — BOLETÍN OFICIAL MUNICIPAL N.º 12/2024",
        header_right="6 de mayo de 2024",
        footer="- {p} -",
        body="""
@centerb MUNICIPALIDAD DE PUERTO ALBA
@center Provincia de Marisal — República de Costa Serena
@vspace 3
@title DECRETO DE ALCALDÍA N.º 031-2024
@centeri por el cual se aprueba el Programa Municipal de Acceso a la Salud y la Educación de las Personas Migrantes y Refugiadas 2024–2027
@vspace 3
LA ALCALDESA MUNICIPAL DE PUERTO ALBA, en uso de las atribuciones que le confieren el artículo 17 del Código Municipal y el artículo 9 de la Ley N.º 1045 de Migración y Extranjería,

@centerb CONSIDERANDO:

> 1. Que la Ley N.º 1045 de Migración y Extranjería garantiza a toda persona migrante, con independencia de su condición migratoria, el acceso a la atención de urgencia, a los servicios de salud materno-infantil y a la educación pública.
> 2. Que, según la Encuesta Municipal de Hogares de 2023, residen en el cantón aproximadamente 18 400 personas nacidas en el extranjero, equivalentes al 11,2 % de la población, de las cuales un 38 % no cuenta con un documento migratorio vigente.
> 3. Que el Concejo Municipal, mediante acuerdo N.º 7 de la sesión ordinaria N.º 143 del 9 de abril de 2024, recomendó la adopción de un programa específico de inclusión de la población migrante en los servicios locales.
> 4. Que la inclusión de las personas migrantes contribuye al desarrollo económico y a la cohesión social del cantón.

Por tanto,

@centerb DECRETA:

## Artículo 1.

Apruébase el Programa Municipal de Acceso a la Salud y la Educación de las Personas Migrantes y Refugiadas 2024–2027, que figura como anexo del presente decreto.

## Artículo 2.

Encárgase a la Dirección de Desarrollo Social la coordinación de la ejecución del Programa y a la Gerencia Financiera la asignación de los recursos presupuestarios correspondientes.

## Artículo 3.

La Dirección de Desarrollo Social presentará al Concejo Municipal un informe anual de avance, que se publicará en el sitio web de la Municipalidad.

## Artículo 4.

El presente decreto rige a partir de su publicación en el Boletín Oficial Municipal.

@vspace 3
Dado en el Palacio Municipal de Puerto Alba, a los seis días del mes de mayo de dos mil veinticuatro.
@vspace 4
@sig Lic. Mariana Echeverría Solano
@sig Alcaldesa Municipal
@vspace 2
@sigl Refrenda:
@sigl Jorge Luis Barrantes Ugalde
@sigl Secretario Municipal
@pagebreak

@centerb ANEXO
@title PROGRAMA MUNICIPAL DE ACCESO A LA SALUD Y LA EDUCACIÓN DE LAS PERSONAS MIGRANTES Y REFUGIADAS 2024–2027
@vspace 2

# 1. PRESENTACIÓN

Puerto Alba es el principal puerto del litoral sur de Costa Serena y, desde hace dos décadas, un lugar de llegada para personas que buscan trabajo en la pesca, la agroindustria y los servicios portuarios. En los últimos años se han sumado familias desplazadas por la violencia y por las sequías que afectan a los países vecinos. El presente Programa define la respuesta de la Municipalidad para que estas personas puedan acceder, en igualdad de condiciones, a los servicios de salud y de educación presentes en el cantón.

# 2. DIAGNÓSTICO

El diagnóstico participativo realizado entre septiembre y diciembre de 2023, con la colaboración de la Universidad del Litoral Sur, identificó las siguientes barreras principales:

- la exigencia de documentos de identidad en algunos establecimientos de salud, pese a lo dispuesto en la Ley N.º 1045;
- el desconocimiento, por parte de las familias migrantes, de sus derechos y de los servicios disponibles;
- la falta de cupos escolares en los distritos de mayor crecimiento, como Barrio La Ensenada y El Varadero;
- la ausencia de mecanismos para reconocer los estudios realizados en el extranjero en los niveles de primaria y secundaria;
- la falta de datos municipales desagregados por nacionalidad y condición migratoria.

# 3. OBJETIVOS

El objetivo general del Programa es garantizar el acceso efectivo de las personas migrantes y refugiadas que residen en Puerto Alba a los servicios de salud y de educación, sin discriminación por motivo de nacionalidad o condición migratoria. Son objetivos específicos:

> a) eliminar las barreras administrativas en los servicios locales de salud y de educación;
> b) informar y orientar a la población migrante sobre sus derechos y los servicios disponibles;
> c) fortalecer la coordinación entre la Municipalidad, las instituciones nacionales y las organizaciones de la sociedad civil;
> d) generar información confiable sobre la población migrante del cantón.

# 4. LÍNEAS DE ACCIÓN

## Línea 1. Salud

> 1.1. En coordinación con el Área de Salud de Puerto Alba del Ministerio de Salud, los tres centros municipales de atención primaria atenderán a toda persona que lo requiera, sin exigir documento de identidad ni comprobante de residencia. La Municipalidad emitirá una tarjeta municipal de salud a las personas que no cuenten con otro documento.
> 1.2. Se contratarán cuatro mediadoras y mediadores interculturales para acompañar a las personas migrantes en los establecimientos de salud, incluidas las que hablan lenguas distintas del castellano.
> 1.3. Se realizarán jornadas móviles de vacunación, control prenatal y salud mental en los asentamientos de Barrio La Ensenada y El Varadero, al menos una vez al mes.
> 1.4. La Municipalidad promoverá ante la Caja Serenense de Seguro Social la afiliación de las personas trabajadoras migrantes del sector pesquero.

## Línea 2. Educación

> 2.1. Las escuelas y los colegios municipales matricularán a todas las niñas, niños y adolescentes en edad escolar, aun cuando no presenten documentos de identidad o certificados de estudios, conforme al artículo 9 de la Ley N.º 1045.
> 2.2. Se abrirán aulas de nivelación académica para estudiantes que hayan interrumpido su escolaridad durante el desplazamiento, con apoyo psicopedagógico.
> 2.3. En coordinación con la Dirección Regional de Educación, se aplicará un procedimiento simplificado de reconocimiento de estudios por medio de pruebas de ubicación.
> 2.4. Se otorgarán 300 becas municipales anuales para transporte, alimentación y útiles escolares a estudiantes de familias migrantes y serenenses en situación de pobreza.
> 2.5. El Centro Municipal de Formación ofrecerá cursos técnicos abiertos a personas jóvenes y adultas, sin requisito de nacionalidad.

## Línea 3. Ventanilla Única de Atención a la Persona Migrante

Se crea la Ventanilla Única Municipal de Atención a la Persona Migrante, ubicada en el Palacio Municipal, que brindará información y orientación sobre trámites migratorios, salud, educación, empleo y vivienda, y derivará los casos a las instituciones competentes. La Ventanilla contará con una línea telefónica y un servicio de mensajería gratuitos y coordinará con la oficina regional de la Dirección General de Migración y Extranjería la realización de jornadas de documentación en el cantón.

## Línea 4. Inclusión laboral local

La Oficina Municipal de Intermediación de Empleo inscribirá a las personas migrantes con permiso de trabajo en la bolsa de empleo municipal y realizará, junto con la Cámara de Comercio de Puerto Alba, un estudio anual de las necesidades de mano de obra del cantón. Se promoverán ferias de empleo y talleres sobre derechos laborales y prevención de la explotación laboral.

## Línea 5. Gestión del riesgo de desastres y movilidad humana

El Plan Municipal de Gestión del Riesgo de Desastres se actualizará en 2024 para incorporar a la población migrante. Los albergues temporales atenderán a todas las personas afectadas, sin distinción de nacionalidad ni de condición migratoria, y los mensajes de alerta temprana se difundirán también por medio de las asociaciones de migrantes. El Comité Municipal de Emergencias incluirá a la Ventanilla Única en su estructura y elaborará protocolos para la atención de llegadas masivas de personas desplazadas por desastres en países vecinos.

## Línea 6. Protección y acceso a la justicia

El personal municipal recibirá capacitación para identificar posibles víctimas de trata de personas y de tráfico ilícito de migrantes y derivarlas al Equipo de Respuesta Inmediata de la Coalición Nacional. La Oficina Municipal de la Mujer brindará asesoría jurídica gratuita a mujeres migrantes víctimas de violencia.

# 5. COORDINACIÓN Y ALIANZAS

Se constituye la Mesa Municipal de Movilidad Humana, presidida por la Alcaldesa o su representante, como espacio de coordinación de las acciones del Programa. Estará integrada por las direcciones municipales competentes, el Área de Salud, la Dirección Regional de Educación, la oficina regional de la Dirección General de Migración y Extranjería, dos organizaciones de la sociedad civil, dos asociaciones de personas migrantes y la Universidad del Litoral Sur. La Mesa se reunirá cada dos meses.

La Municipalidad suscribirá convenios de cooperación con el Ministerio de Salud y el Ministerio de Educación Pública para la ejecución de las líneas 1 y 2. Asimismo, Puerto Alba se incorporará a la Red de Ciudades Solidarias del Pacífico Sur para intercambiar experiencias con otros gobiernos locales de la región y participará en el diálogo nacional sobre la Política Nacional de Migración.

# 6. SEGUIMIENTO Y EVALUACIÓN

La Dirección de Desarrollo Social, con apoyo de la Universidad del Litoral Sur, creará un registro municipal de atenciones, con datos desagregados por sexo, edad, nacionalidad y condición migratoria, y dará seguimiento a los siguientes indicadores:

> 1. número de personas migrantes atendidas en los centros municipales de atención primaria;
> 2. número de estudiantes migrantes matriculados y tasa de permanencia escolar;
> 3. número de consultas atendidas por la Ventanilla Única;
> 4. número de personas capacitadas en la identificación de víctimas de trata;
> 5. actualización del Plan Municipal de Gestión del Riesgo de Desastres con enfoque de movilidad humana.

Se realizará una evaluación intermedia en 2026 y una evaluación final en 2027, cuyos resultados serán públicos.

# 7. PRESUPUESTO

El costo estimado del Programa asciende a 1 240 millones de colones serenos para el período 2024–2027, financiados con recursos del presupuesto ordinario municipal, transferencias del Gobierno central y aportes de la cooperación internacional.
""",
    )
)


# ===========================================================================
# Build, manifest, optional verification
# ===========================================================================
def write_manifest(docs: list[dict]) -> Path:
    path = OUT_DIR / "manifest.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(MANIFEST_COLUMNS)
        for d in docs:
            writer.writerow([d[c] for c in MANIFEST_COLUMNS])
    return path


def verify(expected_pages: dict[str, int]) -> bool:
    """Re-open every PDF with pdfplumber and check pages, header, footer, hyphens."""
    import pdfplumber  # only needed for --verify

    ok = True
    for d in DOCS:
        problems = []
        with pdfplumber.open(OUT_DIR / d["file"]) as pdf:
            n = len(pdf.pages)
            if n != expected_pages[d["file"]]:
                problems.append(f"page count {n} != {expected_pages[d['file']]}")
            hyphen_breaks = 0
            for i, page in enumerate(pdf.pages, start=1):
                lines = (page.extract_text() or "").splitlines()
                if not lines or not lines[0].startswith(d["header_left"]):
                    problems.append(f"p.{i}: header missing")
                want_footer = d["footer"].format(p=i, nb=n)
                if not lines or lines[-1].strip() != want_footer:
                    problems.append(f"p.{i}: footer {lines[-1] if lines else None!r} != {want_footer!r}")
                body = lines[1:-1]
                for a, b in zip(body, body[1:]):
                    if re.search(r"\w-$", a) and b[:1].islower():
                        hyphen_breaks += 1
            if hyphen_breaks == 0:
                problems.append("no word hyphenated at a line end")
            if SOFT_HYPHEN in "".join(p.extract_text() or "" for p in pdf.pages):
                problems.append("soft hyphen leaked into the text layer")
        status = "OK " if not problems else "ERR"
        print(
            f"{status} {d['file']}: {n} pages, {hyphen_breaks} hyphenated line ends"
            + ("" if not problems else " -> " + "; ".join(problems))
        )
        ok &= not problems
    return ok


def main(argv: list[str]) -> int:
    pages = {}
    for d in DOCS:
        n = build(d)
        if not 4 <= n <= 9:
            raise SystemExit(f"{d['file']}: {n} pages, expected 4-9")
        pages[d["file"]] = n
        print(f"wrote {d['file']} ({n} pages)")
    print(f"wrote {write_manifest(DOCS).name}")
    if "--verify" in argv:
        return 0 if verify(pages) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
