"""Synthetic news site for the crawl benchmark: N distinct, realistic article pages.

Each page is 50–200 KB and, like a real news page, mostly markup: a large
`<head>` (meta tags, JSON-LD, inline CSS and scripts, an initial-state blob),
a mega-menu, cookie banner, byline, figure, share bar, inline ads, newsletter
and subscription boxes, comments, related-article teasers and a mega-footer
around 400–1200 words of body text. The text is made of sentences drawn from a
vocabulary with a seeded `random.Random`, so every article differs and the
whole site is reproducible from (N, seed).

`{{BASE}}` stands for the server's address (see `crawler.siteserver`).
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

GENERATOR_VERSION = 2  # 2: feeds of 1,000 items
MIN_PAGE_BYTES = 50_000
MAX_PAGE_BYTES = 200_000
SITE_NAME = "The Meridian Herald"

SECTIONS = (
    "world politics business economy markets technology science health climate sport "
    "culture books film music travel food opinion education cities transport"
).split()
FIRST_NAMES = (
    "Maria Jonas Elena Tomas Sofia Viktor Amira Lukas Hannah Pavel Ingrid Mateo Clara Rafael "
    "Nadia Oskar Leila Henrik Irene Samuel Yara Anton Greta Felix Mira Dmitri Lena Omar"
).split()
LAST_NAMES = (
    "Jensen Hallberg Brandt Novak Moreau Lindqvist Castillo Okafor Petrov Weber Kowalski Haddad "
    "Rossi Nyberg Santos Keller Duarte Fischer Larsen Costa Ivanova Berg Schmidt Almeida"
).split()
PLACES = (
    "Westhaven Northport Eastside Riverton Kingsbridge Ashford Millbrook Harrowgate Lakeview "
    "Stonefield Brightwater Oakridge Fairmont Glenmoor Redcliff Silverton Thornbury Elmstead"
).split()
SUBJECTS = (
    "the city council",
    "regional health officials",
    "the transport ministry",
    "opposition lawmakers",
    "local farmers",
    "the port authority",
    "the central bank",
    "union leaders",
    "the school board",
    "hospital managers",
    "environmental groups",
    "the finance committee",
    "residents of the old quarter",
    "the national railway operator",
    "a group of engineers",
    "the electoral commission",
    "small business owners",
    "the regional court",
    "museum curators",
    "the coast guard",
)
VERBS = (
    "approved",
    "rejected",
    "postponed",
    "announced",
    "criticised",
    "defended",
    "questioned",
    "welcomed",
    "challenged",
    "unveiled",
    "revised",
    "scrapped",
    "endorsed",
    "delayed",
    "expanded",
    "reviewed",
)
OBJECTS = (
    "a plan to expand the harbour",
    "the proposed budget for next year",
    "new limits on river pollution",
    "a reform of public transport fares",
    "the closure of two rural schools",
    "a programme to train more nurses",
    "the construction of a second bridge",
    "emergency funding for drought-hit farms",
    "stricter rules for short-term rentals",
    "a review of the pension system",
    "the merger of three district hospitals",
    "an overhaul of the electricity grid",
    "plans for a new football stadium",
    "a tax break for small factories",
    "the restoration of the old market hall",
    "changes to the election timetable",
    "a ban on cars in the historic centre",
    "a scheme to insulate older homes",
)
TIMES = (
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "late on Thursday",
    "on Friday morning",
    "over the weekend",
    "earlier this week",
    "after months of negotiations",
    "following a heated debate",
    "at a press conference",
    "in a statement issued overnight",
    "during a special session",
)
REASONS = (
    "amid concerns over rising costs",
    "despite warnings from independent auditors",
    "after a wave of public protests",
    "citing a shortage of qualified staff",
    "as inflation continued to squeeze household budgets",
    "because the previous contract had expired",
    "in response to a critical report by the ombudsman",
    "following record floods last winter",
    "to meet targets agreed with the European partners",
    "after a consultation that drew thousands of replies",
)
ROLES = (
    "a spokesperson for the ministry",
    "the mayor",
    "an economist at the regional university",
    "the head of the local chamber of commerce",
    "a senior union official",
    "an opposition councillor",
    "a resident who has lived in the area for decades",
    "the project's chief engineer",
    "a lawyer representing the families",
    "the hospital's medical director",
)
QUOTES = (
    "this is a decision we cannot afford to postpone any longer",
    "nobody has explained where the money will come from",
    "we have listened carefully to every objection",
    "the numbers simply do not add up",
    "it is a good first step, but only a first step",
    "people here are tired of promises that are never kept",
    "the risks have been greatly exaggerated",
    "we expect the first results within a year",
    "families deserve clear answers, not more delays",
    "the region has waited far too long for this",
)
FOLLOW_UPS = (
    "Officials said a detailed timetable would be published next month.",
    "The measure still needs the approval of the upper chamber.",
    "Similar schemes have been tried in neighbouring regions with mixed results.",
    "The final cost has not yet been disclosed.",
    "Critics plan to challenge the decision in court.",
    "A public hearing is scheduled for the end of the month.",
    "Turnout at the meeting was unusually high.",
    "The government has promised to review the policy after two years.",
)


@dataclass(frozen=True)
class Story:
    """What one article is about: everything its page is built from."""

    number: int
    path: str  # URL path, e.g. /news/2025/03/14/council-approved-plan-12
    section: str
    title: str
    author: str
    published: datetime
    paragraphs: tuple[str, ...]
    target_bytes: int

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


# --- text ------------------------------------------------------------------------------------


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def sentence(rng: random.Random) -> str:
    """One news-like sentence; a handful of shapes, filled from the vocabulary."""
    shape = rng.randrange(6)
    subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
    if shape == 0:
        text = (
            f"In {place}, {subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TIMES)}."
        )
    elif shape == 1:
        text = f"{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(REASONS)}."
    elif shape == 2:
        text = (
            f'"{rng.choice(QUOTES).capitalize()}," said {person(rng)}, {rng.choice(ROLES)}, '
            f"{rng.choice(TIMES)}."
        )
    elif shape == 3:
        amount, share = rng.randint(2, 900), rng.randint(3, 68)
        text = (
            f"The plan would cost about {amount} million euros, and {share} percent of it "
            f"would be spent in {place} and {rng.choice(PLACES)}."
        )
    elif shape == 4:
        text = (
            f"According to {rng.choice(ROLES)}, {subject} had already {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)} in {rng.randint(1998, 2024)}."
        )
    else:
        text = rng.choice(FOLLOW_UPS)
    return text[0].upper() + text[1:]


def paragraphs(rng: random.Random, words: int, count: int) -> list[str]:
    """`count` paragraphs of about `words` words in all."""
    per_paragraph = max(words // count, 20)
    result = []
    for _ in range(count):
        sentences: list[str] = []
        while sum(len(s.split()) for s in sentences) < per_paragraph:
            sentences.append(sentence(rng))
        result.append(" ".join(sentences))
    return result


def make_story(number: int, seed: int) -> Story:
    rng = random.Random(seed * 1_000_003 + number)
    section = rng.choice(SECTIONS)
    subject, verb, obj = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    title = f"{subject[0].upper()}{subject[1:]} in {rng.choice(PLACES)} {verb} {obj}"
    published = datetime(2025, 1, 1, 6, tzinfo=UTC) + timedelta(minutes=rng.randrange(525_600))
    slug = "-".join(title.lower().replace(",", "").split()[:8])
    path = f"/news/{published:%Y/%m/%d}/{slug}-{number}"
    words = rng.randint(400, 1200)
    body = paragraphs(rng, words, rng.randint(6, 20))
    target = rng.randint(MIN_PAGE_BYTES + 2_000, MAX_PAGE_BYTES - 2_000)
    return Story(number, path, section, title, person(rng), published, tuple(body), target)


# --- markup ----------------------------------------------------------------------------------


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def svg_path(rng: random.Random) -> str:
    points = " ".join(f"{rng.uniform(0, 24):.2f} {rng.uniform(0, 24):.2f}" for _ in range(18))
    return f'<path d="M{points}Z"/>'


def svg_icon(rng: random.Random, name: str) -> str:
    return (
        f'<svg class="icon icon-{name}" viewBox="0 0 24 24" width="20" height="20" '
        f'aria-hidden="true" focusable="false">{svg_path(rng)}</svg>'
    )


def head_meta(story: Story, description: str) -> str:
    url = "{{BASE}}" + story.path
    when = story.published.isoformat()
    image = f"{{{{BASE}}}}/img/{story.number}/lead-1200x675.jpg"
    metas = {
        "description": description,
        "keywords": f"{story.section}, news, {SITE_NAME}",
        "robots": "index, follow, max-image-preview:large",
        "author": story.author,
        "theme-color": "#0a2540",
        "twitter:card": "summary_large_image",
        "twitter:site": "@meridianherald",
        "twitter:title": story.title,
        "twitter:description": description,
        "twitter:image": image,
        "apple-itunes-app": "app-id=123456789",
        "msapplication-TileColor": "#0a2540",
        "format-detection": "telephone=no",
        "referrer": "strict-origin-when-cross-origin",
    }
    properties = {
        "og:type": "article",
        "og:site_name": SITE_NAME,
        "og:title": story.title,
        "og:description": description,
        "og:url": url,
        "og:image": image,
        "og:image:width": "1200",
        "og:image:height": "675",
        "og:locale": "en_GB",
        "article:published_time": when,
        "article:modified_time": when,
        "article:section": story.section.capitalize(),
        "article:author": story.author,
        "fb:app_id": "1234567890",
        "fb:pages": "9876543210",
    }
    lines = [f'<meta name="{k}" content="{esc(v)}">' for k, v in metas.items()]
    lines += [f'<meta property="{k}" content="{esc(v)}">' for k, v in properties.items()]
    lines += [
        f'<link rel="canonical" href="{url}">',
        f'<link rel="amphtml" href="{{{{BASE}}}}/amp{story.path}">',
        '<link rel="alternate" type="application/rss+xml" href="{{BASE}}/feed.xml">',
        '<link rel="icon" href="/favicon.ico">',
        '<link rel="apple-touch-icon" sizes="180x180" href="/icons/apple-touch-icon.png">',
        '<link rel="manifest" href="/site.webmanifest">',
    ]
    for host in ("cdn", "static", "ads", "analytics", "fonts", "img", "consent", "video"):
        lines.append(f'<link rel="preconnect" href="https://{host}.meridian-herald.example">')
        lines.append(f'<link rel="dns-prefetch" href="https://{host}.meridian-herald.example">')
    for font in ("serif-regular", "serif-bold", "sans-regular", "sans-bold", "sans-italic"):
        lines.append(
            f'<link rel="preload" as="font" type="font/woff2" crossorigin '
            f'href="https://fonts.meridian-herald.example/{font}.woff2">'
        )
    return "\n".join(lines)


def json_ld(story: Story, description: str) -> str:
    url = "{{BASE}}" + story.path
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": story.title,
        "description": description,
        "datePublished": story.published.isoformat(),
        "dateModified": story.published.isoformat(),
        "articleSection": story.section.capitalize(),
        "wordCount": story.words,
        "inLanguage": "en-GB",
        "image": [f"{{{{BASE}}}}/img/{story.number}/lead-{w}.jpg" for w in (1200, 800, 400)],
        "author": [{"@type": "Person", "name": story.author, "url": "{{BASE}}/authors/x"}],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": "{{BASE}}/logo.png", "width": 600},
        },
        "isAccessibleForFree": True,
    }
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": "{{BASE}}/"},
            {
                "@type": "ListItem",
                "position": 2,
                "name": story.section.capitalize(),
                "item": f"{{{{BASE}}}}/{story.section}/",
            },
        ],
    }
    return "".join(
        f'<script type="application/ld+json">{script_json(obj)}</script>'
        for obj in (article, crumbs)
    )


def script_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def inline_css(rng: random.Random, size: int) -> str:
    """A stylesheet of about `size` bytes, as news sites inline their critical CSS."""
    rules: list[str] = []
    total = 0
    while total < size:
        name = f"{rng.choice(SECTIONS)}-{rng.choice(('card', 'grid', 'hero', 'nav', 'btn'))}"
        rule = (
            f".c-{name}-{len(rules)}{{display:{rng.choice(('flex', 'block', 'grid'))};"
            f"margin:{rng.randint(0, 32)}px auto;padding:{rng.randint(0, 24)}px "
            f"{rng.randint(0, 24)}px;color:#{rng.randrange(16**6):06x};"
            f'font:{rng.randint(12, 40)}px/1.{rng.randint(1, 6)} "Meridian Sans",sans-serif}}'
        )
        if rng.random() < 0.2:
            rule = f"@media (min-width:{rng.choice((480, 768, 1024, 1280))}px){{{rule}}}"
        rules.append(rule)
        total += len(rule) + 1
    return "<style>" + "\n".join(rules) + "</style>"


def initial_state(rng: random.Random, story: Story, size: int) -> str:
    """The client-side state blob of a JavaScript front end, about `size` bytes."""
    state: dict = {
        "page": {"id": story.number, "section": story.section, "type": "article"},
        "ads": {"slots": [f"div-gpt-ad-{i}" for i in range(12)], "targeting": {"s": story.section}},
        "feeds": [],
    }
    total = 400
    while total < size:
        entry = {
            "id": rng.randrange(10**8),
            "headline": sentence(rng),
            "url": f"/news/{rng.choice(SECTIONS)}/{rng.randrange(10**6)}",
            "image": {"src": f"/img/{rng.randrange(10**6)}.jpg", "w": 640, "h": 360},
            "flags": {"premium": rng.random() < 0.3, "live": rng.random() < 0.05},
        }
        state["feeds"].append(entry)
        total += len(script_json(entry)) + 1
    return f"<script>window.__INITIAL_STATE__={script_json(state)};</script>"


# The analytics and consent snippets real news pages carry in their <head>; the measurement
# id "G-XXXXXXX" is a placeholder on purpose: these pages are generated, never published.
HEAD_SCRIPTS = """<script>window.dataLayer=window.dataLayer||[];
function gtag(){dataLayer.push(arguments)}gtag('js',new Date());
gtag('config','G-XXXXXXX',{anonymize_ip:true,page_type:'article'});</script>
<script>!function(e,t){var n=t.createElement('script');n.async=!0;
n.src='https://consent.meridian-herald.example/cmp.js';
t.head.appendChild(n);e.__cmp=e.__cmp||function(){(e.__cmp.q=e.__cmp.q||[]).push(arguments)}}
(window,document);</script>
<script>var googletag=googletag||{};googletag.cmd=googletag.cmd||[];googletag.cmd.push(function(){
googletag.pubads().enableSingleRequest();googletag.pubads().collapseEmptyDivs();
googletag.enableServices()});</script>"""


def mega_menu(rng: random.Random) -> str:
    columns = []
    for section in rng.sample(SECTIONS, rng.randint(8, 12)):
        links = "".join(
            f'<li class="menu-item"><a class="menu-link" data-track="nav-{section}-{i}" '
            f'href="/{section}/{topic}/">{topic.capitalize()}</a></li>'
            for i, topic in enumerate(rng.sample(SECTIONS + PLACES, rng.randint(6, 12)))
        )
        columns.append(
            f'<li class="menu-section"><a class="menu-heading" href="/{section}/">'
            f'{section.capitalize()}</a><ul class="submenu">{links}</ul></li>'
        )
    return (
        '<nav class="main-nav" aria-label="Main"><button class="nav-toggle" aria-expanded="false">'
        f'Menu</button><ul class="menu">{"".join(columns)}</ul></nav>'
    )


def header(rng: random.Random, story: Story) -> str:
    return f"""<a class="skip-link" href="#main">Skip to content</a>
<div id="cookie-consent" class="cookie-banner" role="dialog"><p>We and our 842 partners use cookies
to store and access information on your device, to personalise content and ads, and to measure
audiences.</p><button class="btn-accept">Accept all</button><button class="btn-manage">Manage
choices</button><a href="/privacy/cookies">Cookie policy</a></div>
<div class="top-bar"><span class="top-bar-date">{story.published:%A %d %B %Y}</span>
<a href="/subscribe" class="top-bar-subscribe">Subscribe</a><a href="/login">Sign in</a></div>
<header class="site-header"><a class="logo" href="/">{svg_icon(rng, "logo")}
<span>{SITE_NAME}</span></a>
{mega_menu(rng)}<form class="search-form" action="/search"><input name="q" type="search"
placeholder="Search"><button>{svg_icon(rng, "search")}</button></form></header>
<div class="ad-slot ad-leaderboard" id="div-gpt-ad-0" data-slot="/1234/top"
data-sizes="728x90,970x250"></div>
<ol class="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/{story.section}/">
{story.section.capitalize()}</a></li></ol>"""


def byline_and_figure(rng: random.Random, story: Story) -> str:
    when = story.published.isoformat()
    caption = (
        f"{rng.choice(SUBJECTS).capitalize()} met in {rng.choice(PLACES)} {rng.choice(TIMES)}."
    )
    share = "".join(
        f'<a class="share-{net}" href="#" data-share="{net}">{svg_icon(rng, net)}'
        f'<span class="visually-hidden">Share on {net}</span></a>'
        for net in ("facebook", "x", "linkedin", "whatsapp", "email", "copy")
    )
    return f"""<div class="byline"><img class="author-avatar"
src="/img/authors/{story.number % 40}.jpg" alt=""><span class="author-name">By
<a href="/authors/{story.author.lower().replace(" ", "-")}">
{esc(story.author)}</a>, {story.section.capitalize()} correspondent</span>
<time datetime="{when}">{story.published:%d %B %Y, %H:%M}</time></div>
<figure class="lead-image"><picture><source type="image/webp"
srcset="/img/{story.number}/lead-400.webp 400w,
/img/{story.number}/lead-800.webp 800w, /img/{story.number}/lead-1200.webp 1200w"><img
src="/img/{story.number}/lead-800.jpg" width="800" height="450" alt="" loading="eager"></picture>
<figcaption>{esc(caption)} <span class="credit">Photo: {esc(person(rng))} / Agency</span>
</figcaption></figure>
<div class="share-bar">{share}</div>"""


def ad_slot(number: int) -> str:
    return (
        f'<div class="ad-slot inline-ad" id="div-gpt-ad-{number}" '
        f'data-slot="/1234/inline-{number}" data-sizes="300x250,336x280">'
        '<span class="ad-label">Advertisement</span></div>'
    )


NEWSLETTER = """<div class="newsletter-signup"><h4>The Morning Briefing</h4><p>The day's most
important stories, in your inbox every weekday at 7am.</p><form action="/newsletters/subscribe">
<input type="email" name="email" placeholder="Your email address"><button>Sign up</button></form>
<p class="newsletter-legal">By signing up you agree to our privacy policy.</p></div>"""


def article_body(story: Story) -> str:
    parts = []
    for n, paragraph in enumerate(story.paragraphs):
        parts.append(f"<p>{esc(paragraph)}</p>")
        if n in (1, 6, 12):
            parts.append(ad_slot(n + 1))
        if n == 3:
            parts.append(NEWSLETTER)
    tags = "".join(
        f'<li><a href="/topics/{place.lower()}">{place}</a></li>'
        for place in PLACES[story.number % 6 : story.number % 6 + 5]
    )
    return (
        f'<div class="article-body" itemprop="articleBody">{"".join(parts)}</div>'
        f'<ul class="article-tags">{tags}</ul>'
    )


def comments(rng: random.Random) -> str:
    items = []
    for n in range(rng.randint(3, 15)):
        name = f"{rng.choice(FIRST_NAMES)}_{rng.randint(1, 99)}"
        items.append(
            f'<li class="comment" id="comment-{n}"><div class="comment-meta">'
            f'<img class="comment-avatar" src="/img/avatars/{n}.png" alt="">'
            f'<span class="comment-author">{name}</span><time>{rng.randint(1, 59)} min ago</time>'
            f"</div><p>{esc(sentence(rng))} {esc(sentence(rng))}</p>"
            f'<div class="comment-actions"><button>Reply</button><button>Like</button></div></li>'
        )
    return (
        f'<section class="comments" id="comments"><h3>Comments ({len(items)})</h3>'
        f'<ol class="comment-list">{"".join(items)}</ol></section>'
    )


SUBSCRIBE = """<div class="subscribe-box paywall-offer"><h3>Independent journalism needs you</h3>
<p>Subscribe now: your first month for just 1 euro, then 9.99 a month. Cancel at any time.</p>
<a class="btn-subscribe" href="/subscribe?src=article">Subscribe</a></div>"""


def related(rng: random.Random) -> str:
    teasers = []
    for n in range(rng.randint(6, 12)):
        section = rng.choice(SECTIONS)
        headline = f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        teasers.append(
            f'<li class="teaser"><a href="/news/{section}/related-{rng.randrange(10**6)}">'
            f'<img src="/img/teasers/{n}.jpg" width="320" height="180" alt="" loading="lazy">'
            f'<span class="teaser-kicker">{section.capitalize()}</span><h3>{esc(headline)}</h3>'
            f'<span class="teaser-date">{rng.randint(1, 28)} hours ago</span></a></li>'
        )
    return (
        '<aside class="related-articles"><h2>More from the Herald</h2>'
        f'<ul class="teaser-list">{"".join(teasers)}</ul></aside>'
    )


def footer(rng: random.Random) -> str:
    columns = []
    for heading in ("News", "Sections", "Opinion", "Services", "About us", "Follow us")[
        : rng.randint(5, 6)
    ]:
        links = "".join(
            f'<li><a href="/{heading.lower().replace(" ", "-")}/{topic}/">'
            f"{topic.capitalize()}</a></li>"
            for topic in rng.sample(SECTIONS, rng.randint(8, 15))
        )
        columns.append(f'<div class="footer-column"><h4>{heading}</h4><ul>{links}</ul></div>')
    social = "".join(
        f'<a href="https://{net}.example/meridian">{svg_icon(rng, net)}</a>'
        for net in ("facebook", "x", "instagram", "youtube", "tiktok")
    )
    return f"""<footer class="site-footer"><div class="footer-columns">{"".join(columns)}</div>
<div class="footer-social">{social}</div><div class="footer-apps"><a href="/apps/ios">App Store</a>
<a href="/apps/android">Google Play</a></div><p class="footer-legal">© 2025 {SITE_NAME} Ltd.
Registered in Westhaven, company number 01234567. All rights reserved.</p></footer>"""


TAIL_SCRIPTS = """<script async src="https://ads.meridian-herald.example/prebid.js"></script>
<script>window.addEventListener('load',function(){var s=document.createElement('script');
s.src='https://analytics.meridian-herald.example/beacon.js';document.body.appendChild(s)});</script>"""


def page_shell(rng: random.Random, story: Story) -> tuple[str, str]:
    """The page without its padding, split where the head's padding goes."""
    description = story.paragraphs[0][:160]
    head = f"""<!DOCTYPE html>
<html lang="en-GB" class="no-js"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(story.title)} | {SITE_NAME}</title>
{head_meta(story, description)}
{json_ld(story, description)}
{HEAD_SCRIPTS}
"""
    body = f"""</head><body class="article-page section-{story.section}">
{header(rng, story)}
<main id="main"><article class="article">
<span class="kicker">{story.section.capitalize()}</span>
<h1 class="headline">{esc(story.title)}</h1>
{byline_and_figure(rng, story)}
{article_body(story)}
{comments(rng)}
{SUBSCRIBE}
</article>
{related(rng)}</main>
{footer(rng)}
{TAIL_SCRIPTS}
</body></html>
"""
    return head, body


def svg_sprite(rng: random.Random, size: int) -> str:
    """An inline SVG sprite sheet of about `size` bytes (icons referenced by <use>)."""
    symbols: list[str] = []
    total = 0
    while total < size:
        symbol = f'<symbol id="i{len(symbols)}" viewBox="0 0 24 24">{svg_path(rng)}</symbol>'
        symbols.append(symbol)
        total += len(symbol)
    return f'<svg class="sprite" hidden aria-hidden="true">{"".join(symbols)}</svg>'


def drawer_menu(rng: random.Random, size: int) -> str:
    """The mobile navigation drawer: every section and topic again, about `size` bytes."""
    groups: list[str] = []
    total = 0
    while total < size:
        section = rng.choice(SECTIONS)
        links = "".join(
            f'<li><a href="/{section}/{topic.lower()}/" data-track="drawer">{topic}</a></li>'
            for topic in rng.sample(PLACES, rng.randint(6, 14))
        )
        group = (
            f'<div class="drawer-group"><button class="drawer-toggle">{section.capitalize()}'
            f"</button><ul>{links}</ul></div>"
        )
        groups.append(group)
        total += len(group)
    return f'<nav class="drawer-nav" aria-label="All sections" hidden>{"".join(groups)}</nav>'


def render_page(story: Story, seed: int) -> str:
    """The page of `story`, padded to its target size as real pages are: CSS, scripts, markup."""
    rng = random.Random(seed * 7_919 + story.number)
    head, body = page_shell(rng, story)
    padding = max(story.target_bytes - len(head.encode()) - len(body.encode()), 0)
    css = inline_css(rng, padding * 3 // 10)
    markup = svg_sprite(rng, padding // 6) + drawer_menu(rng, padding // 6)
    state = initial_state(rng, story, padding - len(css) - len(markup))
    head_end = body.index(">", body.index("<body")) + 1
    return f"{head}{css}\n{state}\n{body[:head_end]}\n{markup}{body[head_end:]}"


# --- the site --------------------------------------------------------------------------------


def rss_feed(stories: list[Story]) -> str:
    items = "".join(
        f"<item><title>{esc(s.title)}</title><link>{{{{BASE}}}}{s.path}</link>"
        f'<guid isPermaLink="true">{{{{BASE}}}}{s.path}</guid>'
        f"<pubDate>{s.published:%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
        f"<description>{esc(s.paragraphs[0][:200])}</description></item>\n"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{SITE_NAME}</title><link>{{{{BASE}}}}/</link>"
        f"<description>Latest news</description>\n{items}</channel></rss>\n"
    )


def page_file(root: Path, story: Story) -> Path:
    return root / (story.path.lstrip("/") + ".html")


# newswatch reads at most 1,000 entries of a feed: the pages are listed 1,000 a feed.
FEED_SIZE = 1000


def feed_names(count: int) -> list[str]:
    """feed.xml, feed-2.xml, ...: the feeds that list `count` pages."""
    return [f"feed{f'-{n + 1}' if n else ''}.xml" for n in range(-(-count // FEED_SIZE))]


def generate_site(root: Path, count: int, seed: int) -> list[Path]:
    """Write `count` article pages, their feeds and robots.txt under `root`; return the pages."""
    stories = [make_story(n, seed) for n in range(count)]
    files = []
    for story in stories:
        target = page_file(root, story)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_page(story, seed), encoding="utf-8")
        files.append(target)
    for n, name in enumerate(feed_names(count)):
        part = stories[n * FEED_SIZE : (n + 1) * FEED_SIZE]
        (root / name).write_text(rss_feed(part), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return files
