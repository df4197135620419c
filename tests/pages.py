"""Test pages: a realistic news template around a body, in any language and encoding.

Every page carries the boilerplate a news extractor must drop; `BOILERPLATE`
lists those strings so tests can assert none of them reaches the text.
"""

from __future__ import annotations

import html

BOILERPLATE = {
    "cookie": "We use cookies to personalise content and ads. Accept all cookies",
    "byline": "By Maria Jensen, Staff Reporter",
    "caption": "Protesters gather outside the parliament building on Monday evening.",
    "credit": "Photo: Lars Holm / Agency",
    "share": "Share on Facebook",
    "ad": "Advertisement: Switch your energy provider today and save 20%",
    "newsletter": "Get the Evening Briefing delivered to your inbox every weekday",
    "comment": "Reader Tom_K wrote: this is the worst decision in years",
    "subscribe": "Subscribe now: your first month for just $1",
    "teaser": "Opposition leader Viktor Hallberg resigns after party revolt",
    "teaser2": "Storm warning issued for the western coast",
}


def news_page(
    title: str,
    paragraphs: list[str],
    *,
    lang: str = "en",
    charset: str | None = "utf-8",
    published: str = "2026-11-20T09:30:00+01:00",
    author: str = "Maria Jensen",
    teaser_date: str = "2026-11-27",
) -> str:
    """A page in the layout of a typical news site; `charset=None` declares no charset."""
    body = []
    for n, paragraph in enumerate(paragraphs):
        body.append(f"<p>{html.escape(paragraph)}</p>")
        if n == 1:
            body.append(f'<div class="ad-slot inline-ad"><span>{BOILERPLATE["ad"]}</span></div>')
        if n == 3:
            body.append(
                f'<div class="newsletter-signup"><h4>Newsletter</h4><p>{BOILERPLATE["newsletter"]}'
                '</p><form><input type="email"><button>Sign up</button></form></div>'
            )
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    teasers = "".join(
        f'<li class="teaser"><a href="/news/other-{n}"><span class="teaser-date">{teaser_date}'
        f"</span><h3>{headline}</h3></a></li>"
        for n, headline in enumerate([BOILERPLATE["teaser"], BOILERPLATE["teaser2"]])
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta_charset}
<title>{html.escape(title)} | The Test Gazette</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{html.escape(title)}">
<meta name="description" content="{html.escape(paragraphs[0][:150])}">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{html.escape(title)}", "datePublished": "{published}",
 "author": {{"@type": "Person", "name": "{author}"}}}}</script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "world"}});</script>
</head><body>
<div id="cookie-consent" class="cookie-banner"><p>{BOILERPLATE["cookie"]}</p><button>OK</button></div>
<header class="site-header"><nav class="main-nav"><a href="/">Home</a> <a href="/world/">World</a>
<a href="/business/">Business</a> <a href="/sport/">Sport</a> <a href="/opinion/">Opinion</a></nav></header>
<main><article class="article">
<h1 class="headline">{html.escape(title)}</h1>
<div class="byline"><span class="author">{BOILERPLATE["byline"]}</span>
<time datetime="{published}">{published[:10]}</time></div>
<figure class="lead-image"><img src="/img/lead.jpg" alt="">
<figcaption>{BOILERPLATE["caption"]} <span class="credit">{BOILERPLATE["credit"]}</span></figcaption></figure>
<div class="share-bar"><a href="#">{BOILERPLATE["share"]}</a> <a href="#">Share on X</a> <a href="#">Email</a></div>
<div class="article-body">{"".join(body)}</div>
<section class="comments"><h3>Comments</h3><div class="comment"><p>{BOILERPLATE["comment"]}</p></div></section>
<div class="subscribe-box paywall-offer"><p>{BOILERPLATE["subscribe"]}</p></div>
</article>
<aside class="related-articles"><h2>More from the Gazette</h2><ul>{teasers}</ul></aside></main>
<footer class="site-footer"><a href="/about">About us</a> <a href="/privacy">Privacy</a>
<p>© 2026 The Test Gazette</p></footer>
</body></html>"""


ENGLISH = [
    "The regional parliament approved a sweeping reform of public transport on Tuesday, ending "
    "months of negotiations between the governing coalition and the opposition benches.",
    "Under the plan, fares will be frozen for two years while the number of night routes doubles, "
    "a change that supporters said would help shift workers across the region reach their jobs.",
    "Critics argued that the government had not explained how the additional spending would be "
    "financed, and warned that local taxes could rise as a consequence of the decision.",
    "The transport minister, Helena Brandt, said the investment was overdue and that ridership "
    "had already recovered to the levels seen before the pandemic in most districts.",
    "Officials will present a detailed timetable for the new routes next month, and the first "
    "changes are expected to take effect in the spring of next year, according to the ministry.",
]

RUSSIAN = [
    "Министр иностранных дел России Сергей Лавров встретился в Дохе с лидером движения ХАМАС "
    "Халедом Машалем и пригласил его посетить Москву, сообщил представитель движения.",
    "Переговоры с Машалем продолжались около двух часов, стороны обсудили положение в секторе "
    "Газа и усилия по примирению между палестинскими группировками ХАМАС и ФАТХ.",
    "По словам собеседника агентства, российская сторона подтвердила готовность принять "
    "делегацию движения в ближайшие месяцы, однако точная дата визита пока не определена.",
    "Эксперты отмечают, что Москва стремится играть более заметную роль на Ближнем Востоке и "
    "поддерживает контакты со всеми сторонами палестинского конфликта без исключения.",
    "В прошлый раз Машаль посещал российскую столицу несколько лет назад, и тогда его визит "
    "вызвал резкую критику со стороны израильского правительства и ряда западных стран.",
]

HEBREW = [
    "שר החוץ הרוסי סרגיי לברוב נפגש ביום שני בדוחא עם ראש הלשכה המדינית של חמאס חאלד משעל "
    "והזמין אותו לבקר במוסקבה, כך מסר בכיר בתנועה בהודעה לעיתונאים.",
    "בפגישה דנו השניים בהתפתחויות האזוריות ובמאמצי הפיוס בין חמאס לפתח, כך דיווחה סוכנות "
    "הידיעות של קטאר, שהוסיפה כי הפגישה נערכה באווירה חיובית ונמשכה כשעתיים.",
    "רוסיה היא אחת מארבע החברות בקוורטט הבינלאומי לצד ארצות הברית, האיחוד האירופי והאומות "
    "המאוחדות, המקדם תהליך שלום שחמאס מתנגד לו מאז הקמתו לפני שנים רבות.",
    "הפלסטינים מנסים בשנה האחרונה לחזק את הקשרים עם רוסיה, לאחר האכזבה מהמשא ומתן עם ישראל "
    "בתיווך ארצות הברית, ורואים במוסקבה ציר מרכזי במאמץ להביא את הסכסוך לזירה הבינלאומית.",
]

JAPANESE = [
    "ロシアのラブロフ外相は月曜日、カタールの首都ドーハでイスラム組織ハマスの指導者メシャール氏と"
    "会談し、モスクワを訪問するよう招待した。ハマス関係者が明らかにした。",
    "両氏は地域情勢や、ハマスとファタハの和解に向けた取り組みについて意見を交わした。"
    "会談は約二時間にわたり、友好的な雰囲気の中で行われたという。",
    "ロシアは米国、欧州連合、国連とともに中東和平を仲介する四者の一員であり、"
    "ハマスとの対話を続けることが和平の実現に欠かせないとの立場を示している。",
    "パレスチナ側はここ一年、イスラエルとの交渉が行き詰まる中で、ロシアとの関係強化を図っており、"
    "紛争の国際化に向けた取り組みの軸としてロシアに期待を寄せている。",
    "専門家は、ロシアが中東での影響力を拡大しようとしていると指摘しており、"
    "今後の訪問日程に注目が集まっている。関係者によると、具体的な日程はまだ決まっていない。",
]

THAI = [
    "กรุงเทพมหานครประกาศแผนปรับปรุงระบบขนส่งสาธารณะครั้งใหญ่ในวันอังคาร โดยจะเพิ่มรถโดยสารประจำทางสายใหม่"
    "อีกสามสิบสายและขยายเวลาให้บริการรถไฟฟ้าในช่วงกลางคืนเพื่อรองรับผู้ที่ทำงานเป็นกะ",
    "ผู้ว่าราชการกรุงเทพมหานครกล่าวว่าโครงการนี้จะใช้งบประมาณราวสองพันล้านบาทในระยะเวลาสามปี "
    "และคาดว่าจะช่วยลดปัญหาการจราจรติดขัดในย่านใจกลางเมืองได้อย่างมีนัยสำคัญ",
    "นักวิชาการด้านผังเมืองหลายคนแสดงความเห็นด้วยกับแผนดังกล่าว แต่เตือนว่ารัฐบาลควรชี้แจงแหล่งที่มาของเงินทุน"
    "ให้ชัดเจนก่อนเริ่มดำเนินการ เพื่อไม่ให้เป็นภาระต่อผู้เสียภาษีในอนาคต",
    "ทั้งนี้ กรุงเทพมหานครจะเปิดรับฟังความคิดเห็นจากประชาชนผ่านเว็บไซต์และการประชุมในแต่ละเขตตลอดเดือนหน้า "
    "ก่อนนำเสนอแผนฉบับสมบูรณ์ต่อสภากรุงเทพมหานครเพื่อพิจารณาอนุมัติ",
]

# One sentence in each script written without spaces between words, with its words as a
# dictionary would cut them: (sentence, words).
UNSPACED_SENTENCES = {
    "th": (
        "รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากภัยแล้งในภาคตะวันออกเฉียงเหนือ",
        16,
    ),
    "lo": ("ລັດຖະບານລາວໄດ້ປະກາດແຜນການພັດທະນາເສດຖະກິດສັງຄົມແຫ່ງຊາດສະບັບໃໝ່ໃນກອງປະຊຸມສະພາແຫ່ງຊາດ", 15),
    "km": ("រដ្ឋាភិបាលកម្ពុជាបានប្រកាសផែនការថ្មីដើម្បីជួយកសិករដែលរងផលប៉ះពាល់ពីគ្រោះរាំងស្ងួត", 14),
    "my": (
        "မြန်မာနိုင်ငံအစိုးရသည်မိုးခေါင်ရေရှားမှုကြောင့်ထိခိုက်ခံရသောလယ်သမားများကိုကူညီရန်အစီအစဉ်သစ်တစ်ခုကိုကြေညာခဲ့သည်",
        22,
    ),
}

POLISH = [
    "Rosyjski minister spraw zagranicznych Siergiej Ławrow spotkał się w poniedziałek w Dosze z "
    "przywódcą Hamasu Chalidem Miszalem i zaprosił go do złożenia wizyty w Moskwie.",
    "Według przedstawiciela ruchu rozmowy dotyczyły sytuacji w Strefie Gazy oraz wysiłków na "
    "rzecz pojednania między Hamasem a Fatahem, które od lat nie przynoszą rezultatów.",
    "Rosja jest jednym z czterech międzynarodowych sponsorów procesu pokojowego, obok Stanów "
    "Zjednoczonych, Unii Europejskiej i Organizacji Narodów Zjednoczonych, którego Hamas nie uznaje.",
    "Eksperci zauważają, że Moskwa dąży do odgrywania większej roli na Bliskim Wschodzie i "
    "utrzymuje kontakty ze wszystkimi stronami konfliktu, również z tymi, które Zachód bojkotuje.",
]
