"""One Chinese name per English term in the whole course: every notebook's markdown agrees with nnlib.course.glossary.

Two places carry Chinese terms: a first use written "English (中文)" (or "**English** (中文)", or "(English, 中文)"),
and the recap's "**Glossary**" line of items "english 中文" separated by " · ". For a first use the English term is
the longest run of words just before the parenthesis that is a glossary key (plural or not), so "three neurons
(神经元)" reads as "neuron"; a pair whose words match no key fails, so a new term must be added to the glossary.
"""
import json
import re
from pathlib import Path

import pytest

from nnlib.course.glossary import GLOSSARY, chinese

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
PAIR = re.compile(r"(\*\*[^*]+\*\*|[A-Za-z][\w'\-]*(?:\s+[A-Za-z][\w'\-]*){0,3})\s*\(([^()]*?[\u4e00-\u9fff][^()]*?)\)")
GLOSSARY_LINE = re.compile(r"\*\*Glossary[^*]*\*\*:?\s*(.*?)(?:\n\n|$)", re.S)


def english(text):
    return re.sub(r"\s+", " ", text.replace("*", "")).strip().lower()


def chinese_text(text):
    return re.sub(r"\s+", "", text.replace("*", ""))


def markdown(path):
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "markdown"]


def glossary_items(text):
    """(english, chinese) for each item of a recap's Glossary line; items without Chinese are skipped."""
    match = GLOSSARY_LINE.search(text)
    if not match:
        return []
    items = []
    for item in match.group(1).replace("\n", " ").split(" · "):
        tokens = re.sub(r"\([^)]*\)", "", item).strip().rstrip(".").split()
        first = next((i for i, token in enumerate(tokens) if CJK.search(token)), None)
        if first:
            name, term = english(" ".join(tokens[:first])), chinese_text(" ".join(tokens[first:]))
            for alternative in slash_variants(name):   # "decision line/boundary"
                items.append((alternative, term))
    return items


def slash_variants(name):
    tokens = name.split()
    for i, token in enumerate(tokens):
        if "/" in token:
            return [" ".join(tokens[:i] + [alt] + tokens[i + 1:]) for alt in token.split("/")]
    return [name]


def singular_or_not(words):
    name = english(" ".join(words))
    forms = [name]
    if name.endswith("ies"):
        forms.append(name[:-3] + "y")
    if name.endswith("es"):
        forms.append(name[:-2])
    if name.endswith("s"):
        forms.append(name[:-1])
    return forms


def first_uses(text):
    """(english key or None, chinese, the words before the parenthesis) for every 'English (中文)' in text."""
    pairs = []
    for match in PAIR.finditer(text):
        before, parts = match.group(1), [part.strip() for part in match.group(2).split(",")]
        at = next(i for i, part in enumerate(parts) if CJK.search(part))
        if at > 0:                                     # "(the derivative, 导数)": the English is inside
            before = parts[at - 1]
        words = before.replace("*", " ").split()
        key = next((form for k in range(len(words)) for form in singular_or_not(words[k:]) if form in GLOSSARY),
                   None)
        pairs.append((key, chinese_text(parts[at]), english(before)))
    return pairs


def test_glossary_keys_are_normalised_and_terms_are_chinese():
    assert len(GLOSSARY) >= 100
    for name, term in GLOSSARY.items():
        assert name == english(name), f"glossary key {name!r} must be lower case with single spaces"
        assert CJK.search(term) and term == chinese_text(term), f"{name!r}: {term!r} is not a Chinese term"
    assert chinese("Weight") == "权重" and chinese("forward  pass") == "前向传播"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_first_use_matches_the_glossary(path):
    problems = []
    for text in markdown(path):
        for key, term, before in first_uses(text):
            if key is None:
                problems.append(f"'{before} ({term})': no glossary term ends these words; add it to "
                                "nnlib/course/glossary.py or write the term itself before the parenthesis")
            elif GLOSSARY[key] != term:
                problems.append(f"'{before} ({term})': the glossary calls {key!r} {GLOSSARY[key]}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_recap_glossary_line_matches_the_glossary(path):
    items = [item for text in markdown(path) for item in glossary_items(text)]
    assert items, f"{path.name} has no '**Glossary**' line in its recap"
    wrong = [f"{name} {term} (glossary: {GLOSSARY.get(name, 'missing')})" for name, term in items
             if GLOSSARY.get(name) != term]
    assert not wrong, f"{path.name}: " + "; ".join(wrong)


def test_the_parser_reads_the_forms_the_lessons_use():
    text = ("feed three **neurons** (神经元), the slope of the tangent (the derivative, 导数), "
            "a **mean squared error** (均方误差, MSE) and the **zorble** (佐布).")
    assert first_uses(text) == [("neuron", "神经元", "neurons"), ("derivative", "导数", "the derivative"),
                                ("mean squared error", "均方误差", "mean squared error"), (None, "佐布", "zorble")]
    line = "**Glossary:** decision line/boundary 决策边界 · logits (kept in English) · MNIST data set MNIST数据集."
    assert glossary_items(line) == [("decision line", "决策边界"), ("decision boundary", "决策边界"),
                                    ("mnist data set", "MNIST数据集")]
