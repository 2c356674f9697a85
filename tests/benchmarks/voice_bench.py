"""How well the sentiment found at intake tells pain from delight, on public labelled text.

English: the SemEval 2014–2016 aspect-based sentiment sets (restaurant, laptop and hotel
reviews) and Hu & Liu's customer reviews of five products ("CR"); Dutch: the SemEval 2016
Dutch restaurant reviews and the Dutch Trustpilot reviews of a Belgian bank (1–5 stars).
Each text gets one label: positive, negative or neutral (a sentence whose opinions all agree;
stars 1–2, 3, 4–5). Three classifiers are scored on each set and per language, with accuracy
and macro-F1 over the three classes:

- majority: always the set's most frequent label;
- lexicon: the same word lists, counted plainly (positive words minus negative words),
  without negation, intensifiers or "but";
- waarom: ``bot.voice.sentiment`` as intake runs it (language guessed from the text).

Nothing is fetched at run time. Get the data once, anywhere, and pass the folders:

    git clone https://github.com/davidsbatista/Aspect-Based-Sentiment-Analysis absa
    git clone https://github.com/jean-cheramy/keytrade-trustpilot-analysis keytrade
    python -m tests.benchmarks.voice_bench --absa absa --keytrade keytrade [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.intake.redaction import redact
from bot.voice.lexicons import valences
from bot.voice.sentiment import sentiment, side_of_text
from bot.voice.text import split_words, terms

LABELS = ("negative", "neutral", "positive")
_SIDE = {"pain": "negative", "neutral": "neutral", "delight": "positive"}
Item = tuple[str, str]  # (text, label)

_SEMEVAL_EN = {
    "semeval14-restaurants": [
        "ABSA-SemEval2014/Restaurants_Train_v2.xml",
        "ABSA-SemEval2014/Restaurants_Test_Data_phaseB.xml",
    ],
    "semeval14-laptops": [
        "ABSA-SemEval2014/Laptop_Train_v2.xml",
        "ABSA-SemEval2014/Laptops_Test_Data_phaseB.xml",
    ],
    "semeval15-hotels": ["ABSA-SemEval2015/ABSA15_Hotels_Test.xml"],
    "semeval16-restaurants": ["ABSA-SemEval2016/Training_Data/ABSA16_Restaurants_Train_SB1_v2.xml"],
}
_SEMEVAL_NL = {
    "semeval16-restaurants-nl": ["ABSA-SemEval2016/Training_Data/restaurants_dutch_training.xml"]
}


def _agreed(polarities: list[str]) -> str | None:
    found = {p for p in polarities if p in LABELS}
    return found.pop() if len(found) == 1 else None


def semeval(files: list[Path]) -> Iterator[Item]:
    """Sentences whose aspect opinions all have one polarity (no opinion, or mixed: left out)."""
    for file in files:
        for sentence in ET.parse(file).getroot().iter("sentence"):
            text = sentence.findtext("text") or ""
            polarities = [
                node.attrib.get("polarity", "")
                for node in sentence.iter()
                if node.tag in ("aspectTerm", "aspectCategory", "Opinion")
            ]
            label = _agreed(polarities)
            if text.strip() and label:
                yield text.strip(), label


def customer_reviews(folder: Path) -> Iterator[Item]:
    """Hu & Liu 2004: ``feature[+2]##sentence``; lines without a rating are left out."""
    for file in sorted(folder.glob("*.txt")):
        if file.name.lower() == "readme.txt":
            continue
        for line in file.read_text(encoding="latin-1").splitlines():
            tags, sep, text = line.partition("##")
            if not sep or not text.strip():
                continue
            positive, negative = "[+" in tags, "[-" in tags
            if positive != negative:
                yield text.strip(), "positive" if positive else "negative"


def trustpilot_dutch(file: Path) -> Iterator[Item]:
    with file.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row.get("language") != "nl" or not row.get("text", "").strip():
                continue
            stars = int(row["rating"])
            label = "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"
            yield row["text"].strip(), label


def waarom(text: str) -> str:
    redacted = redact(text)
    return _SIDE[side_of_text(sentiment(redacted, terms(redacted)[:2]))]


def plain_lexicon(text: str) -> str:
    language = terms(text)[:2]
    lexicon = valences(language)
    values = [lexicon.get(token, 0.0) for token in split_words(text)]
    balance = sum(v > 0 for v in values) - sum(v < 0 for v in values)
    return "positive" if balance > 0 else "negative" if balance < 0 else "neutral"


def scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1s = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {"accuracy": round(accuracy, 3), "macro_f1": round(sum(f1s) / len(f1s), 3)}


def evaluate(items: list[Item]) -> dict[str, object]:
    gold = [label for _, label in items]
    majority = Counter(gold).most_common(1)[0][0]
    methods: dict[str, Callable[[str], str]] = {"lexicon": plain_lexicon, "waarom": waarom}
    result: dict[str, object] = {
        "n": len(items),
        "labels": dict(Counter(gold)),
        "majority": scores(gold, [majority] * len(gold)),
    }
    for name, method in methods.items():
        result[name] = scores(gold, [method(text) for text, _ in items])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--absa", type=Path, required=True, help="Aspect-Based-Sentiment-Analysis")
    parser.add_argument("--keytrade", type=Path, required=True, help="keytrade-trustpilot-analysis")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    data = args.absa / "datasets"
    sets: dict[str, tuple[str, list[Item]]] = {}
    for name, files in _SEMEVAL_EN.items():
        sets[name] = ("en", list(semeval([data / f for f in files])))
    sets["hu-liu-cr"] = ("en", list(customer_reviews(data / "CR")))
    for name, files in _SEMEVAL_NL.items():
        sets[name] = ("nl", list(semeval([data / f for f in files])))
    sets["trustpilot-nl"] = ("nl", list(trustpilot_dutch(args.keytrade / "src/data/dataset.csv")))

    report: dict[str, dict[str, object]] = {}
    for name, (language, items) in sets.items():
        report[name] = {"language": language, **evaluate(items)}
    for language in ("en", "nl"):
        pooled = [item for lang, items in sets.values() if lang == language for item in items]
        report[f"all-{language}"] = {"language": language, **evaluate(pooled)}

    print(f"{'set':26} {'lang':4} {'n':>6}  {'majority':>13}  {'lexicon':>13}  {'waarom':>13}")
    print(f"{'':26} {'':4} {'':>6}  {'acc   F1':>13}  {'acc   F1':>13}  {'acc   F1':>13}")
    for name, row in report.items():
        cells = "  ".join(
            f"{row[m]['accuracy']:>6.3f} {row[m]['macro_f1']:.3f}"  # type: ignore[index]
            for m in ("majority", "lexicon", "waarom")
        )
        print(f"{name:26} {row['language']:4} {row['n']:>6}  {cells}")
    print(json.dumps(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
