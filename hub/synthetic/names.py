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
STARTUP_LINKS = ("", "", "ra", "no", "ti", "xa", "lo", "ve")
STARTUP_KINDS = ("", " Systems", " Technologies", " Robotics", " Analytics", " Bio", " Energy", " Labs")
FIELDS = (  # with their preposition, as they follow a noun: "Institut de chimie"
    "de chimie", "des matériaux", "de biologie", "d'informatique", "de photonique",
    "des sciences de la mer", "d'agronomie", "de mécanique", "de l'énergie", "de santé publique",
    "d'électronique", "de l'environnement",
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
_A, _B, _C, _D, _CITY = 11, 12, 13, 14, 15


def _of(city: str) -> str:
    """French "of <city>", with the elisions and contractions a reader expects."""
    if city.startswith("Le "):
        return "du " + city[3:]
    if city[0] in "AEIOUÉÎ":
        return "d'" + city
    return "de " + city


def _startup(h: int, of_city: str) -> str:
    head, link = pick(draw(h, _A), STARTUP_HEADS), pick(draw(h, _D), STARTUP_LINKS)
    return f"{head}{link}{pick(draw(h, _B), STARTUP_TAILS)}{pick(draw(h, _C), STARTUP_KINDS)}"


def _sme(h: int, of_city: str) -> str:
    trade, surname = pick(draw(h, _A), TRADES), pick(draw(h, _B), SURNAMES)
    shapes = (f"{trade} {surname}", f"{surname} {trade}", f"{trade} {of_city}", f"{trade} {surname} et Fils")
    return f"{pick(draw(h, _C), shapes)} {pick(draw(h, _D), FRENCH_FORMS)}"


def _company_group(h: int, of_city: str) -> str:
    first, second = pick(draw(h, _A), SURNAMES), pick(draw(h, _B), SURNAMES)
    shapes = (
        f"Groupe {first}",
        f"{first} Industries",
        f"{first} & {second}",
        f"{first} {second} Technologies",
    )
    return f"{pick(draw(h, _C), shapes)} SA"


def _research(h: int, of_city: str) -> str:
    field = pick(draw(h, _A), FIELDS)
    shapes = (
        f"Laboratoire {field} {of_city}",
        f"Institut {field} {of_city}",
        f"Centre de recherche {field} {of_city}",
    )
    return pick(draw(h, _B), shapes)


def _training(h: int, of_city: str) -> str:
    field = pick(draw(h, _A), FIELDS)
    shapes = (f"IUT {of_city}", f"École supérieure {field} {of_city}", f"Campus des métiers {of_city}")
    return pick(draw(h, _B), shapes)


def _public(h: int, of_city: str) -> str:
    shapes = (f"Métropole {of_city}", f"CCI {of_city}", f"Agence de développement économique {of_city}")
    return pick(draw(h, _A), shapes)


def _other(h: int, of_city: str) -> str:
    shapes = (f"Association des industriels {of_city}", f"Fondation {pick(draw(h, _B), SURNAMES)}")
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
    city = pick(draw(h, _CITY), CITIES.get(region, CITIES["FR-IDF"]))
    return _BY_CATEGORY[category](h, _of(city))


def foreign_name(h: int, country: str) -> str:
    """A name for a foreign company registered in ``country``."""
    trade = pick(draw(h, _A), ("Technik", "Engineering", "Systems", "Materials", "Bio", "Photonics"))
    return f"{pick(draw(h, _B), SURNAMES)} {trade} {FOREIGN_FORMS[country]}"
