"""A tiny taxonomy and toy training examples shared by the learning and classify tests (test
modules import shared things from kits like this one, never from each other or from conftest)."""

from __future__ import annotations

import numpy as np

from pipeline.learning.train import Example
from pipeline.stages.taxonomy import from_mapping

TAXONOMY = from_mapping(
    {
        "name": "tiny",
        "version": "1",
        "domains": [
            {
                "id": "1",
                "name": "Rights",
                "subareas": [
                    {
                        "id": "1.1",
                        "name": "Services",
                        "indicators": [
                            {
                                "id": "1.1.1",
                                "name": "Health care access",
                                "description": "Migrants may use public hospitals and clinics.",
                            },
                            {
                                "id": "1.1.2",
                                "name": "School access",
                                "description": "Migrant children may enrol in public schools.",
                            },
                        ],
                    }
                ],
            },
            {
                "id": "2",
                "name": "Government",
                "subareas": [
                    {
                        "id": "2.1",
                        "name": "Institutions",
                        "indicators": [
                            {
                                "id": "2.1.1",
                                "name": "Lead agency",
                                "description": "A migration agency is responsible for policy.",
                            }
                        ],
                    }
                ],
            },
        ],
    }
)

TOPICS = {
    "1.1.1": ["hospital", "clinic", "medical", "health", "treatment", "doctor"],
    "1.1.2": ["school", "pupil", "enrol", "teacher", "education", "classroom"],
    "2.1.1": ["agency", "directorate", "ministry", "mandate", "responsible", "institution"],
    "": ["tax", "road", "fisheries", "vehicle", "tariff", "harbour"],
}


def make_examples(n_groups: int = 8, per_group: int = 8, seed: int = 0) -> list[Example]:
    rng = np.random.default_rng(seed)
    out = []
    labels = list(TOPICS)
    for g in range(n_groups):
        for k in range(per_group):
            label = labels[(g + k) % len(labels)]
            words = list(rng.choice(TOPICS[label], size=5)) + list(
                rng.choice(["the", "shall", "of", "any", "person"], size=4)
            )
            rng.shuffle(words)
            out.append(Example(f"g{g}-{k}", " ".join(words), "en", (label,) if label else (), f"g{g}"))
    return out
