"""The Zelfredzaamheid-Matrix: 13 domains, scores 1 (acute problematiek) to 5 (volledig zelfredzaam).

The domain codes double as levensgebieden (DOMAIN.md, "Zelfredzaamheid-Matrix").
"""

ZRM_DOMEINEN: tuple[str, ...] = (
    "financien",
    "werk_opleiding",
    "tijdsbesteding",
    "huisvesting",
    "huiselijke_relaties",
    "geestelijke_gezondheid",
    "lichamelijke_gezondheid",
    "middelengebruik",
    "basale_adl",
    "instrumentele_adl",
    "sociaal_netwerk",
    "maatschappelijke_participatie",
    "justitie",
)


def multiprobleem(zrm: dict[str, int]) -> bool:
    """Any domain at 1, or three or more domains at 2 or lower (DOMAIN.md, route 5)."""
    scores = list(zrm.values())
    return any(s == 1 for s in scores) or sum(1 for s in scores if s <= 2) >= 3
