"""Plausible organisation names from small word lists, so demo screens read like real data."""

from __future__ import annotations

from collections.abc import Callable

from hub.synthetic.hashing import draw, pick

SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Fontaine", "Chevalier", "Robin",
)  # fmt: skip
TRADES = (
    "Ateliers", "Mécanique", "Laboratoires", "Forges", "Plasturgie", "Électronique", "Composites",
    "Usinage", "Optique", "Chaudronnerie", "Ingénierie", "Logiciels", "Fonderie", "Emballages",
    "Textiles", "Biotech", "Transports", "Hydraulique", "Automatismes", "Traitements de surface",
)  # fmt: skip
STARTUP_HEADS = (
    "Neo", "Quanti", "Hexa", "Bio", "Cyber", "Agri", "Aero", "Opti", "Data", "Nano", "Eco",
    "Hydro", "Helio", "Medi", "Robo", "Exo", "Lumi", "Terra", "Ocea", "Kine", "Vita", "Cogni",
)  # fmt: skip
STARTUP_TAILS = (
    "via", "lab", "tech", "sense", "nova", "gen", "lia", "flow", "mind", "lis", "sys", "wave",
    "metrics", "ix", "ops", "cell", "ware", "grid", "scan", "form",
)  # fmt: skip
STARTUP_KINDS = ("", " Systems", " Technologies", " Robotics", " Analytics", " Bio", " Energy", " Labs")
FIELDS = (
    "chimie", "matériaux", "biologie", "informatique", "photonique", "sciences de la mer",
    "agronomie", "mécanique", "énergie", "santé publique", "électronique", "environnement",
)  # fmt: skip
CITIES = {
    "FR-ARA": ("Lyon", "Grenoble", "Clermont-Ferrand", "Saint-Étienne", "Annecy", "Valence"),
    "FR-BFC": ("Dijon", "Besançon", "Belfort", "Chalon-sur-Saône", "Auxerre"),
    "FR-BRE": ("Rennes", "Brest", "Lorient", "Vannes", "Saint-Brieuc", "Lannion"),
    "FR-CVL": ("Orléans", "Tours", "Bourges", "Chartres", "Blois"),
    "FR-20R": ("Ajaccio", "Bastia", "Corte"),
    "FR-GES": ("Strasbourg", "Nancy", "Metz", "Reims", "Mulhouse", "Troyes"),
    "FR-HDF": ("Lille", "Amiens", "Compiègne", "Valenciennes", "Dunkerque", "Roubaix"),
    "FR-IDF": ("Paris", "Saclay", "Boulogne-Billancourt", "Créteil", "Versailles", "Saint-Denis"),
    "FR-NOR": ("Rouen", "Caen", "Le Havre", "Cherbourg", "Évreux"),
    "FR-NAQ": ("Bordeaux", "Limoges", "Poitiers", "Pau", "La Rochelle", "Bayonne"),
    "FR-OCC": ("Toulouse", "Montpellier", "Nîmes", "Perpignan", "Albi", "Tarbes"),
    "FR-PDL": ("Nantes", "Angers", "Le Mans", "Saint-Nazaire", "La Roche-sur-Yon"),
    "FR-PAC": ("Marseille", "Nice", "Toulon", "Aix-en-Provence", "Avignon", "Sophia Antipolis"),
    "FR-971": ("Pointe-à-Pitre", "Baie-Mahault"),
    "FR-972": ("Fort-de-France", "Le Lamentin"),
    "FR-973": ("Cayenne", "Kourou"),
    "FR-974": ("Saint-Denis de La Réunion", "Saint-Pierre"),
    "FR-976": ("Mamoudzou",),
}
FRENCH_FORMS = ("SAS", "SAS", "SARL", "SA")
FOREIGN_FORMS = {
    "DE": "GmbH", "BE": "SRL", "IT": "S.r.l.", "ES": "S.L.", "CH": "AG", "NL": "B.V.",
    "GB": "Ltd", "US": "Inc.", "LU": "S.à r.l.", "CA": "Inc.",
}  # fmt: skip

# Draw indices for the parts of a name; distinct so that the parts vary independently.
_A, _B, _C, _D = 11, 12, 13, 14


def _startup(h: int, city: str) -> str:
    return f"{pick(draw(h, _A), STARTUP_HEADS)}{pick(draw(h, _B), STARTUP_TAILS)}" + pick(
        draw(h, _C), STARTUP_KINDS
    )


def _sme(h: int, city: str) -> str:
    trade, surname = pick(draw(h, _A), TRADES), pick(draw(h, _B), SURNAMES)
    name = f"{trade} {surname}" if draw(h, _C) % 2 else f"{surname} {trade}"
    return f"{name} {pick(draw(h, _D), FRENCH_FORMS)}"


def _company_group(h: int, city: str) -> str:
    first, second = pick(draw(h, _A), SURNAMES), pick(draw(h, _B), SURNAMES)
    shapes = (
        f"Groupe {first}",
        f"{first} Industries",
        f"{first} & {second}",
        f"{first} {second} Technologies",
    )
    return f"{pick(draw(h, _C), shapes)} SA"


def _research(h: int, city: str) -> str:
    field = pick(draw(h, _A), FIELDS)
    shapes = (
        f"Laboratoire de {field} de {city}",
        f"Institut de {field} de {city}",
        f"Centre de recherche en {field}",
    )
    return pick(draw(h, _B), shapes)


def _training(h: int, city: str) -> str:
    field = pick(draw(h, _A), FIELDS)
    shapes = (f"IUT de {city}", f"École supérieure de {field} de {city}", f"Campus des métiers de {city}")
    return pick(draw(h, _B), shapes)


def _public(h: int, city: str) -> str:
    shapes = (f"Métropole de {city}", f"CCI de {city}", f"Agence de développement économique de {city}")
    return pick(draw(h, _A), shapes)


def _other(h: int, city: str) -> str:
    shapes = (f"Association des industriels de {city}", f"Fondation {pick(draw(h, _B), SURNAMES)}")
    return pick(draw(h, _A), shapes)


_BY_CATEGORY: dict[str, Callable[[int, str], str]] = {
    "STARTUP": _startup,
    "SME": _sme,
    "MIDCAP": _company_group,
    "LARGE": _company_group,
    "RESEARCH": _research,
    "TRAINING": _training,
    "PUBLIC": _public,
    "OTHER": _other,
}


def french_name(h: int, category: str, region: str) -> str:
    """A name for a French organisation of ``category`` located in ``region``."""
    city = pick(draw(h, _D), CITIES.get(region, CITIES["FR-IDF"]))
    return _BY_CATEGORY[category](h, city)


def foreign_name(h: int, country: str) -> str:
    """A name for a foreign company registered in ``country``."""
    trade = pick(draw(h, _A), ("Technik", "Engineering", "Systems", "Materials", "Bio", "Photonics"))
    return f"{pick(draw(h, _B), SURNAMES)} {trade} {FOREIGN_FORMS[country]}"
