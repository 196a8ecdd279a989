"""Constants and helpers shared by test modules. Test modules import from here, never from
conftest.py: several conftest.py files exist and the name would resolve to whichever loaded first."""

from __future__ import annotations

import shutil
from pathlib import Path

from pdfgen import write_docx_like

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "corpora" / "sample"
REAL_CORPUS = REPO / ".." / "shared" / "corpus-real"
REAL_CORPUS_2 = REPO / ".." / "shared" / "corpus-real-2"

# Sample documents used where a realistic document is needed (small, one per language).
SAMPLE_EN = "norvania_labour_migration_recruitment_act_2022.pdf"
SAMPLE_ES = "costa_serena_ley_1045_migracion_extranjeria_2021.pdf"
SAMPLE_FR = "valmont_plan_national_traite_2022-2026.pdf"

GAZETTE_HEADER = "REPUBLIC OF TESTLAND — OFFICIAL GAZETTE No. 12"


def make_batch_folder(root: Path, good: list[str], *, with_manifest: bool = True) -> Path:
    """A folder with copies of sample PDFs plus a corrupt PDF and a non-PDF named .pdf."""
    root.mkdir(parents=True, exist_ok=True)
    for name in good:
        shutil.copy(SAMPLE / name, root / name)
    if with_manifest:
        shutil.copy(SAMPLE / "manifest.csv", root / "manifest.csv")
    whole = (SAMPLE / SAMPLE_EN).read_bytes()
    (root / "corrupt.pdf").write_bytes(whole[: len(whole) // 3])
    write_docx_like(root / "not_really.pdf")
    (root / "notes.txt").write_text("an unsupported file\n")
    return root
