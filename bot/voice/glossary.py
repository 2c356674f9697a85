"""One problem, one theme, in either language: English customer words onto Dutch ones.

Feedback arrives in Dutch and English mixed; without help "battery" and "accu" are two
words, and two themes. Themes compare words by their stem (:func:`root`); an English word
that customers use for the same thing as a Dutch one gets the Dutch word's stem. The list
covers what customers of a product or service write about (delivery, repair, billing,
contact, waiting, the product's parts), not any one business.
"""

from __future__ import annotations

from functools import cache, lru_cache

from bot.voice.text import stem

# English word, Dutch word: both are stemmed, so one form of each is enough.
_PAIRS = """
battery accu
bike fiets
bicycle fiets
delivery levering
deliver leveren
invoice factuur
bill factuur
billing facturatie
mechanic monteur
technician monteur
repair reparatie
subscription abonnement
price prijs
cost kosten
fee kosten
wait wachten
phone telefoon
call bellen
email mail
order bestelling
package pakket
parcel pakket
refund terugbetaling
deposit borg
employer werkgever
tyre band
tire band
puncture lek
lock slot
saddle zadel
brake rem
chain ketting
cancel opzeggen
cancellation opzegging
login inloggen
password wachtwoord
delay vertraging
broken kapot
stolen gestolen
theft diefstal
insurance verzekering
children kinderen
kids kinderen
rain regen
cold kou
range bereik
charger lader
shop winkel
store winkel
appointment afspraak
question vraag
answer antwoord
complaint klacht
customer klant
staff personeel
employee medewerker
helpful behulpzaam
friendly vriendelijk
slow traag
expensive duur
cheap goedkoop
month maand
hour uur
day dag
weekend weekend
money geld
account rekening
payment betaling
transfer overschrijving
card kaart
"""


@cache
def _english_to_dutch() -> dict[str, str]:
    pairs = (line.split() for line in _PAIRS.strip().splitlines())
    return {stem(english, "en"): stem(dutch, "nl") for english, dutch in pairs}


@lru_cache(maxsize=200_000)
def root(word: str, language: str) -> str:
    """The stem themes compare ``word`` by: its own, or for an English word in the list the
    stem of its Dutch counterpart."""
    own = stem(word, language)
    return _english_to_dutch().get(own, own) if language == "en" else own


@cache
def _words_for_roots() -> dict[tuple[str, str], str]:
    """(Dutch stem, language) to the glossary's word for it in that language."""
    found: dict[tuple[str, str], str] = {}
    for line in _PAIRS.strip().splitlines():
        english, dutch = line.split()
        shared = stem(dutch, "nl")
        found.setdefault((shared, "en"), english)
        found.setdefault((shared, "nl"), dutch)
    return found


def word_for(shared: str, language: str) -> str | None:
    """The glossary's word in ``language`` for a stem :func:`root` gives, if it has one: how
    a theme that only one language's customers wrote about is named in the other."""
    return _words_for_roots().get((shared, language))
