"""The word lists :mod:`bot.voice.sentiment` applies its rules with, Dutch and English.

The lexicons themselves (thousands of words) come from installed packages; these are the
few dozen words that steer them: negations, intensifiers and softeners, the words that turn
a sentence ("maar", "but"), words customers use about service that the lexicons miss or read
in another sense, and what customers expect to happen ("werkt", "arrived").
"""

from __future__ import annotations

BOOST = 0.293  # VADER's: how much "very" adds


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATIONS = {
    "nl": frozenset(
        {"niet", "geen", "nooit", "niets", "niks", "nergens", "noch", "zonder", "niemand"}
    ),
    "en": frozenset(
        {"not", "no", "never", "none", "nothing", "nowhere", "neither", "nor", "without"}
        | {"cannot", "nobody"}
    ),
}
ALL_NEGATIONS = NEGATIONS["nl"] | NEGATIONS["en"]
NT = ("n't", "n’t")
BOOSTERS = {
    "nl": {
        **dict.fromkeys(
            _words(
                "zeer heel erg echt enorm ontzettend super hartstikke extreem ongelooflijk "
                "bijzonder vreselijk verschrikkelijk uiterst zo te totaal volledig absoluut "
                "behoorlijk flink vet best"
            ),
            BOOST,
        ),
        **dict.fromkeys(_words("beetje enigszins redelijk vrij nogal"), -BOOST),
    },
    "en": {
        **dict.fromkeys(
            _words(
                "very really extremely so too totally completely absolutely incredibly highly "
                "super utterly truly especially particularly quite seriously terribly awfully "
                "hugely insanely"
            ),
            BOOST,
        ),
        **dict.fromkeys(
            _words("bit slightly somewhat barely hardly kinda sorta fairly rather little"),
            -BOOST,
        ),
    },
}
# Words that change the feeling of the words after them.
CONTEXT = {
    language: NEGATIONS[language] | ALL_NEGATIONS | set(BOOSTERS[language])
    for language in NEGATIONS
}
BUT = {"nl": frozenset({"maar", "echter"}), "en": frozenset({"but", "however", "yet"})}

# Words about service and products that the general lexicons miss or read in another sense
# (Pattern's "zeer" is "painful", its "erg" is "nasty"; both are intensifiers in feedback).
CUSTOMER_WORDS = {
    "nl": {
        "wachten": -1.2,
        "wachttijd": -1.5,
        "wachttijden": -1.5,
        "gewacht": -1.2,
        "probleem": -1.7,
        "problemen": -1.7,
        "klacht": -1.8,
        "klachten": -1.8,
        "storing": -1.8,
        "storingen": -1.8,
        "kapot": -2.0,
        "stuk": -1.2,
        "defect": -2.0,
        "lek": -1.2,
        "fout": -1.8,
        "fouten": -1.8,
        "foutmelding": -1.5,
        "vertraging": -1.6,
        "crasht": -2.0,
        "hapert": -1.5,
        "teleurstelling": -2.2,
        "teleurgesteld": -2.2,
        "boos": -2.2,
        "balen": -1.8,
        "jammer": -1.5,
        "helaas": -1.3,
        "ellende": -2.5,
        "gedoe": -1.6,
        "frustrerend": -2.2,
        "onbereikbaar": -2.0,
        "opgelicht": -3.0,
        "oplichting": -3.0,
        "schandalig": -2.8,
        "belachelijk": -2.5,
        "waardeloos": -2.8,
        "slechtste": -3.0,
        "opzeggen": -0.8,
        "minpunt": -1.3,
        "minpunten": -1.3,
        "nadeel": -1.2,
        "nadelen": -1.2,
        "klantonvriendelijk": -2.2,
        "ongeïnteresseerd": -1.8,
        "rumoerig": -1.0,
        "bedankt": 1.8,
        "dank": 1.6,
        "dankjewel": 1.9,
        "aanrader": 2.4,
        "aan te raden": 2.0,
        "top": 2.2,
        "topper": 2.4,
        "toppie": 2.2,
        "super": 2.2,
        "perfect": 2.6,
        "geweldig": 2.8,
        "fantastisch": 2.8,
        "uitstekend": 2.6,
        "tevreden": 1.8,
        "blij": 2.0,
        "fijn": 1.8,
        "handig": 1.6,
        "snel": 1.0,
        "vlot": 1.4,
        "netjes": 1.6,
        "keurig": 1.8,
        "behulpzaam": 2.0,
        "vriendelijk": 1.8,
        "duidelijk": 1.2,
        "makkelijk": 1.5,
        "gemakkelijk": 1.5,
        "eenvoudig": 1.2,
        "goed": 1.9,
        "beste": 2.4,
        "slecht": -2.5,
        "traag": -1.6,
        "onvriendelijk": -2.0,
        "duur": -1.2,
        "lang": -0.4,
        # Pattern's "naar" is "nasty", "eens" "agreed" and "min" "mean"; in feedback they are
        # "to", "once" and minutes ("20 min in de wacht").
        "naar": 0.0,
        "eens": 0.0,
        "min": 0.0,
        "zeer": 0.0,
        "erg": 0.0,
        "heel": 0.0,
        "echt": 0.0,
    },
    "en": {
        "wait": -0.8,
        "waiting": -1.0,
        "waited": -1.0,
        "refund": -0.6,
        "delay": -1.4,
        "delayed": -1.4,
        "crashes": -1.8,
        "crashed": -1.8,
        "unreachable": -1.8,
        "scam": -3.0,
        "useless": -2.5,
        "worst": -3.1,
        "broke": -1.6,
        "faulty": -1.8,
        "hassle": -1.6,
        "drawback": -1.3,
        "drawbacks": -1.3,
        "downsides": -1.0,
        "overpriced": -1.8,
        "pricey": -1.0,
        "flimsy": -1.5,
        "fragile": -1.0,
        "bland": -1.4,
        "lacking": -1.2,
        "lacks": -1.2,
        "unresponsive": -1.8,
        "recommend": 1.8,
        "recommended": 1.8,
        "smooth": 1.4,
        "quick": 1.0,
        "fast": 1.0,
        "easy": 1.6,
        "slow": -1.4,
        "expensive": -1.0,
        "helpful": 1.8,
        "friendly": 1.8,
        "thanks": 1.9,
        "thank": 1.5,
    },
}
# What customers expect to happen: neutral as such, a complaint when it did not ("werkt niet",
# "didn't arrive"), their own return included ("never again", "will not be back", "kom niet
# terug"). Dutch puts the negation after the verb as often as before it.
EXPECTED = {
    "nl": _words(
        "werkt werkte werken klopt klopte kloppen lukt lukte lukken reageert reageerde "
        "helpt hielp hielpen doet deed functioneert kwam komt bereikbaar geleverd "
        "opgelost aangekomen ontvangen teruggebeld belt belde terugbellen antwoordt "
        "antwoordde gereageerd terug"
    ),
    "en": _words(
        "work works worked working arrive arrived respond responded reply replied help "
        "helped fixed solved resolved received delivered showed answered calls replies "
        "answers responds back again return"
    ),
}
EMOJI = {"👍": 2.0, "🙂": 1.5, "😀": 2.0, "😊": 2.0, "❤": 2.5, "👎": -2.0, "😡": -2.8, "🙁": -1.6}
