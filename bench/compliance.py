"""Compliance engine bench: corpus precision / recall, and check throughput on one core.

Run from the repository root: ``.venv/bin/python bench/compliance.py [--posts 50000]``.
Pure Python, no database: the engine has no Django imports.

Prints
- precision and recall per rule and overall on the labelled corpus
  (content/tests/compliance_corpus.py), known gaps included;
- ``Checker.check`` throughput on ~300-character posts built from corpus sentences
  (mixed: violating and clean sentences; clean: compliant sentences only);
- the same with the rule set grown tenfold by synthetic phrase rules, to show that the cost of
  phrase rules does not grow with their number (one Aho-Corasick pass).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from content.compliance import STARTER_RULES, CheckContext, Checker, Rule
from content.tests.compliance_corpus import CORPUS

POST_CHARS = 300


def corpus_scores(checker: Checker) -> None:
    codes = sorted({c for case in CORPUS for c in case.codes})
    tp = dict.fromkeys(codes, 0)
    fp = dict.fromkeys(codes, 0)
    fn = dict.fromkeys(codes, 0)
    for case in CORPUS:
        context = CheckContext(
            case.category, case.product_line, case.persona_licence, case.persona_name
        )
        got = {f.code for f in checker.check(case.text, context)}
        for code in got | case.codes:
            tp.setdefault(code, 0), fp.setdefault(code, 0), fn.setdefault(code, 0)
            if code in got and code in case.codes:
                tp[code] += 1
            elif code in got:
                fp[code] += 1
            else:
                fn[code] += 1
    print(f"Corpus: {len(CORPUS)} labelled posts, {sum(1 for c in CORPUS if not c.codes)} clean")
    print(f"{'rule':<8}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>9}")
    for code in sorted(tp):
        print(_score_row(code, tp[code], fp[code], fn[code]))
    print(_score_row("overall", sum(tp.values()), sum(fp.values()), sum(fn.values())))
    gaps = [case for case in CORPUS if case.known_gap]
    print(f"(includes {len(gaps)} known gaps, see the corpus' known_gap notes)\n")


def _score_row(label: str, tp: int, fp: int, fn: int) -> str:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return f"{label:<8}{tp:>5}{fp:>5}{fn:>5}{precision:>11.3f}{recall:>9.3f}"


def build_posts(count: int, *, clean_only: bool, seed: int = 7) -> list[str]:
    """``count`` posts of about POST_CHARS characters, each a random run of corpus sentences."""
    rng = random.Random(seed)
    pool = [case.text for case in CORPUS if not (clean_only and case.codes)]
    posts = []
    for _ in range(count):
        parts: list[str] = []
        size = 0
        while size < POST_CHARS:
            sentence = rng.choice(pool)
            parts.append(sentence)
            size += len(sentence)
        posts.append("".join(parts)[:POST_CHARS])
    return posts


def synthetic_rules(count: int, phrases_each: int, seed: int = 11) -> list[Rule]:
    """Extra phrase rules whose phrases are built from the corpus' own characters."""
    rng = random.Random(seed)
    chars = [ch for case in CORPUS for ch in case.text if "\u4e00" <= ch <= "\u9fff"]
    rules = []
    for n in range(count):
        phrases = tuple(
            "".join(rng.choice(chars) for _ in range(rng.randint(4, 6)))
            for _ in range(phrases_each)
        )
        rules.append(Rule(code=f"S{n:03d}", kind="phrases", phrases=phrases, severity="warn"))
    return rules


def throughput(checker: Checker, posts: list[str], repeats: int = 3) -> tuple[float, float, int]:
    """Best-of-``repeats`` posts per second by wall clock (perf_counter) and by this process'
    CPU time (process_time, less disturbed by other processes on a shared machine), and the
    findings found in one pass."""
    contexts = [CheckContext(category=c) for c in ("story", "value", "ad")]
    wall, cpu = [], []
    findings = 0
    for _ in range(repeats):
        findings = 0
        check = checker.check
        start, start_cpu = time.perf_counter(), time.process_time()
        for i, post in enumerate(posts):
            findings += len(check(post, contexts[i % 3]))
        wall.append(len(posts) / (time.perf_counter() - start))
        cpu.append(len(posts) / (time.process_time() - start_cpu))
    return max(wall), max(cpu), findings


def machine() -> str:
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "?"
    return f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50_000)
    args = parser.parse_args()

    base = Checker(STARTER_RULES)
    corpus_scores(base)

    phrase_rules = [r for r in STARTER_RULES if r.phrases]
    phrases = sum(len(r.phrases) + len(r.exceptions) for r in STARTER_RULES)
    per_rule = max(1, round(statistics.mean(len(r.phrases) for r in phrase_rules)))
    extra = synthetic_rules(len(STARTER_RULES) * 9, per_rule * 2)
    grown = Checker([*STARTER_RULES, *extra])
    grown_phrases = phrases + sum(len(r.phrases) for r in extra)

    print(machine())
    mixed = build_posts(args.posts, clean_only=False)
    clean = build_posts(args.posts, clean_only=True, seed=8)
    mean_len = statistics.mean(len(p) for p in mixed)
    print(
        f"Throughput: one core, {args.posts:,} posts of {mean_len:.0f} characters per run, "
        "best of 3 runs, contexts cycling story/value/ad"
    )
    print(
        f"{'rule set':<34}{'posts':<7}{'posts/s':>9}{'us/post':>9}"
        f"{'cpu posts/s':>13}{'findings':>10}"
    )
    for label, checker, n_phrases in (
        (f"starter: {len(STARTER_RULES)} rules", base, phrases),
        (f"10x: {len(STARTER_RULES) + len(extra)} rules", grown, grown_phrases),
    ):
        for kind, posts in (("mixed", mixed), ("clean", clean)):
            rate, cpu_rate, found = throughput(checker, posts)
            name = f"{label}, {n_phrases:,} phrases"
            print(
                f"{name:<34}{kind:<7}{rate:>9,.0f}{1e6 / rate:>9.1f}{cpu_rate:>13,.0f}{found:>10,}"
            )


if __name__ == "__main__":
    main()
