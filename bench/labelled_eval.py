"""Is it an article? Both error rates of the page-type rules on the labelled set.

Runs `pipelines.extract.examine_page` (min_words=80, each page's own `presented_by`) over
every page of `tests/labelled.py`: real non-articles (fronts, section, tag, author and search
pages, archives, galleries, video pages, login and cookie walls, paywall stubs, soft 404s) and
articles that look like them (wire briefs, live blogs, listicles, roundups, photo stories,
opinion pieces full of links, Chinese, Japanese and Thai stories, pages with no
declarations), all built in realistic templates of different kinds of news sites.

Prints the share of non-articles skipped (and, per expected reason, how many were skipped
for that reason), the share of look-alike articles kept (and how many of those kept their
body sentence without a teaser or boilerplate string), both error rates against the
targets (at least 95% of non-articles skipped, at most 2% of articles lost), and every
misclassified page with its actual result. Takes a few seconds; nothing is written.

    python bench/labelled_eval.py
    python bench/labelled_eval.py --verbose      # every page and its result
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.extract import Article, Skipped, examine_page  # noqa: E402
from tests.labelled import LabelledPage, labelled_pages  # noqa: E402

MIN_WORDS = 80
SKIP_TARGET = 0.95  # share of non-articles that must be skipped
LOSS_TARGET = 0.02  # share of articles that may be lost


def examine(page: LabelledPage) -> Article | Skipped:
    return examine_page(
        page.html.encode("utf-8"), page.url, min_words=MIN_WORDS, presented_by=page.presented_by
    )


def describe(result: Article | Skipped) -> str:
    if isinstance(result, Article):
        return f"article ({result.word_count} words)"
    return f"{result.reason}: {result.detail}" if result.detail else result.reason


def text_faults(page: LabelledPage, result: Article) -> list[str]:
    """What is wrong with a kept article's text: its body sentence missing, or a teaser or
    boilerplate string of the page in it."""
    faults = [] if page.present in result.text else [f"lacks {page.present[:50]!r}"]
    faults += [f"holds {s[:50]!r}" for s in page.absent if s in result.text]
    return faults


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else "0/0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print every page and its result")
    args = parser.parse_args(argv)

    pages = labelled_pages()
    started = time.perf_counter()
    results = [(page, examine(page)) for page in pages]
    elapsed = time.perf_counter() - started
    non_articles = [(p, r) for p, r in results if not p.is_article]
    articles = [(p, r) for p, r in results if p.is_article]

    if args.verbose:
        for page, result in results:
            ok = "ok " if _correct(page, result) else "BAD"
            print(
                f"{ok} {page.name:28} {page.presented_by or '-':8} expect {page.expect:13} "
                f"got {describe(result)}"
            )
        print()

    skipped = [(p, r) for p, r in non_articles if isinstance(r, Skipped)]
    print(
        f"{len(pages)} labelled pages ({len(non_articles)} non-articles, {len(articles)} "
        f"articles), {1000 * elapsed / len(pages):.0f} ms/page\n"
    )
    print(f"Non-articles skipped: {share(len(skipped), len(non_articles))}")
    expected = Counter(p.expect for p, _ in non_articles)
    for reason in sorted(expected):
        of_reason = [(p, r) for p, r in non_articles if p.expect == reason]
        hit = sum(isinstance(r, Skipped) for _, r in of_reason)
        same = sum(isinstance(r, Skipped) and r.reason == reason for _, r in of_reason)
        print(f"  {reason:14} {len(of_reason):3} pages: {hit:3} skipped, {same:3} for that reason")

    kept = [(p, r) for p, r in articles if isinstance(r, Article)]
    clean = [(p, r) for p, r in kept if not text_faults(p, r)]
    print(
        f"\nLook-alike articles kept: {share(len(kept), len(articles))}; with their own text "
        f"only: {share(len(clean), len(articles))}"
    )

    missed = 1 - len(skipped) / len(non_articles)
    lost = 1 - len(kept) / len(articles)
    print(
        f"\nNon-articles kept as articles: {missed:.1%} (target at most {1 - SKIP_TARGET:.0%})"
        f" {'met' if missed <= 1 - SKIP_TARGET else 'MISSED'}"
    )
    print(
        f"Articles lost:                 {lost:.1%} (target at most {LOSS_TARGET:.0%})"
        f" {'met' if lost <= LOSS_TARGET else 'MISSED'}"
    )

    wrong = [(p, r) for p, r in results if not _correct(p, r)]
    if wrong:
        print(f"\nMisclassified ({len(wrong)}):")
        for page, result in wrong:
            print(
                f"  {page.name} [{page.kind}; from {page.presented_by}]\n"
                f"      expected {page.expect}, got {describe(result)}"
            )
    faulty = [(p, text_faults(p, r)) for p, r in kept if text_faults(p, r)]
    if faulty:
        print(f"\nKept articles whose text is wrong ({len(faulty)}):")
        for page, faults in faulty:
            print(f"  {page.name} [{page.kind}]: {'; '.join(faults)}")
    return 0


def _correct(page: LabelledPage, result: Article | Skipped) -> bool:
    if page.is_article:
        return isinstance(result, Article)
    return isinstance(result, Skipped) and result.reason == page.expect


if __name__ == "__main__":
    sys.exit(main())
