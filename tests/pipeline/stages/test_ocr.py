"""OCR: the garbage score of a text layer, and Tesseract on page images the tests draw themselves."""

from __future__ import annotations

import random
import shutil

import pytest
from hostile import SCAN_LINES, scan_image, shift_text

from pipeline.stages.ocr import (
    GARBAGE_THRESHOLD,
    INSTALL_HINT,
    OcrUnavailable,
    Tesseract,
    find_tesseract,
    ink_share,
    ocr_image,
    render_page,
    text_quality,
)

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason=f"Tesseract is not installed: {INSTALL_HINT}"
)

ENGLISH = (
    "Article 12. Work permits. (1) A foreign national who holds a valid offer of employment may apply for a "
    "work permit to the Labour Migration Authority, which shall decide on the application within thirty days. "
    "(2) The Authority shall consider the needs of the national labour market and the qualifications of the "
    "applicant; a refusal shall state its reasons and shall inform the applicant of the right to appeal."
)
FRENCH = (
    "Article 7. Le titulaire d'un titre de séjour pluriannuel peut exercer toute activité professionnelle "
    "salariée dans le cadre de la législation en vigueur. Les membres de sa famille ont accès à l'éducation "
    "et aux soins de santé dans les mêmes conditions que les nationaux, sans distinction de statut."
)
SPANISH = (
    "Artículo 17. Visa humanitaria. La Secretaría podrá expedir una visa por razones humanitarias a la persona "
    "extranjera que sea víctima de un delito grave cometido en el territorio nacional, y a los niños, niñas y "
    "adolescentes no acompañados, mientras se resuelve su situación migratoria."
)
HINDI = (
    "केन्द्रीय सरकार, इस अधिनियम के प्रयोजनों के लिए, किसी विदेशी को भारत में प्रवेश करने, ठहरने और "
    "बाहर जाने के लिए आवश्यक पासपोर्ट या अन्य यात्रा दस्तावेज़ और वीज़ा रखने की अपेक्षा कर सकती है।"
) * 2


# --------------------------------------------------------------------------- the garbage score


@pytest.mark.parametrize(
    "text", [ENGLISH, FRENCH, SPANISH, HINDI, ENGLISH.upper()], ids=["en", "fr", "es", "hi", "caps"]
)
def test_real_text_is_usable(text):
    q = text_quality(text)
    assert q.usable and q.garbage < 0.2, q


def test_lists_numbers_and_urls_are_not_garbage():
    schedule = "\n".join(f"{n}. {c}" for n, c in enumerate(["Australia", "Canada", "Finland", "France", "Greece"], 1))
    refs = "See section 2(1)(b), rule 9.2.1., DOF 15-01-2026 and https://www.gov.uk/guidance/immigration-rules ↩"
    leaders = "Nombre ........................ Fecha …………………………… Firma ____________"
    for text in (schedule * 3, refs * 3, leaders * 3):
        assert text_quality(text).garbage < 0.3, text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("shifted font", shift_text(ENGLISH)),  # a font without a Unicode map
        ("cid glyph ids", " ".join(f"(cid:{random.Random(i).randint(3, 200)})" for i in range(120))),
        ("replacement chars", "\ufffd\ufffd \ufffd\ufffd\ufffd " * 40),
        ("symbols", "".join(random.Random(1).choices("abcdefghij@#%&*()[]{};:<>|\\^~ ", k=1500))),
        ("legacy Hindi font", "jftLVªh lañ Mhñ ,yñ—(,u)04@0007@2003—19 vlk/kkj.k Hkkx [k.M izkf/kdkj c`gLifrokj " * 12),
        ("OCR debris", "i l 1 ' , . ~ | ; : ! ' i l . , " * 30),
    ],
)
def test_garbage_layers_are_not_usable(name, text):
    q = text_quality(text)
    assert q.garbage >= GARBAGE_THRESHOLD and not q.usable, (name, q)


def test_empty_and_near_empty_pages():
    for text in ("", "   \n ", "12", "Page 3 of 9"):
        q = text_quality(text)
        assert q.empty and not q.usable


def test_score_is_bounded_and_deterministic():
    rnd = random.Random(5)
    for _ in range(50):
        text = "".join(chr(rnd.randrange(32, 0x3000)) for _ in range(rnd.randrange(0, 400)))
        q = text_quality(text)
        assert 0.0 <= q.garbage <= 1.0 and q == text_quality(text)


def test_a_few_ocr_errors_do_not_make_a_page_garbage():
    """The 1955 Indian act's OCR layer: errors like "Cjtjzenship", "vol~~ntarily", "19551" are not garbage."""
    noisy = ENGLISH.replace("foreign", "fore1gn").replace("Authority", "Auth0rity").replace("shall", "sha11")
    noisy += " The Cjtjzenship Act, 1955 [30th December, 19551 vol~~ntarily acquired l[person] "
    assert text_quality(noisy).usable


# --------------------------------------------------------------------------- Tesseract


def test_missing_tesseract_says_how_to_install_it():
    with pytest.raises(OcrUnavailable) as info:
        find_tesseract("/nonexistent/tesseract-ocr-binary")
    assert "apt-get install tesseract-ocr" in str(info.value)


def test_language_choice_is_limited_to_installed_data():
    tess = Tesseract("tesseract", frozenset({"eng", "fra", "spa", "osd"}))
    assert tess.language_for(["fr"]) == "fra"
    assert tess.language_for(["es", "en"]) == "spa+eng"
    assert tess.language_for(["hi", "en"]) == "eng"  # no Hindi data: what is there
    assert tess.language_for([]) == "eng+fra+spa"  # nothing known: the fallback
    assert tess.language_for(["xx"]) == "eng+fra+spa"
    with pytest.raises(OcrUnavailable):
        Tesseract("tesseract", frozenset({"osd"})).language_for(["en"])


def test_render_caps_the_pixels_of_a_huge_page(tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(14400, 14400)  # 5 m square: 1.7 gigapixels at 300 dpi
    try:
        image = render_page(pdf, 0, dpi=300)
    finally:
        pdf.close()
    assert image.width * image.height <= 40_000_000
    assert ink_share(image) == 0.0  # blank


def word_recall(expected: str, got: str) -> float:
    norm = lambda s: [w.strip(".,;:()").lower() for w in s.split() if w.strip(".,;:()")]  # noqa: E731
    want, have = norm(expected), set(norm(got))
    return sum(w in have for w in want) / len(want)


@needs_tesseract
def test_tesseract_reads_a_drawn_page():
    tess = find_tesseract()
    result = ocr_image(scan_image(SCAN_LINES), "eng", tess, dpi=200)
    assert word_recall(" ".join(SCAN_LINES), result.text) > 0.9
    assert result.confidence > 80 and result.words >= 60
    assert result.text.splitlines()[0] == SCAN_LINES[0]  # lines come out as lines
    assert text_quality(result.text).usable


@needs_tesseract
def test_tesseract_confidence_is_low_on_noise():
    """What keeps OCR garbage out of the pages: a picture with no text reads with low confidence."""
    from PIL import Image

    rnd = random.Random(3)
    noise = Image.new("L", (800, 600), 255)
    px = noise.load()
    for _ in range(30000):
        px[rnd.randrange(800), rnd.randrange(600)] = 0
    result = ocr_image(noise, "eng", find_tesseract(), dpi=200)
    assert result.words == 0 or result.confidence < 60 or not text_quality(result.text).usable


@needs_tesseract
def test_tesseract_reads_a_noisy_skewed_scan():
    """Salt-and-pepper noise on 3 % of the pixels and a 0.8 degree skew, as a photocopy gives."""
    image = scan_image(SCAN_LINES, noise=0.03).rotate(0.8, fillcolor=255)
    result = ocr_image(image, "eng", find_tesseract(), dpi=200)
    assert word_recall(" ".join(SCAN_LINES), result.text) > 0.9
    assert result.confidence >= 60  # still above the bar for using OCR text
