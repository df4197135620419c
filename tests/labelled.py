"""A labelled set of pages for the is-it-an-article rules: real non-articles, and articles
that look like them, in the templates of different kinds of news sites.

Pure Python, no files, no network: `labelled_pages()` builds every page. Each page is a
`LabelledPage` whose `expect` is "article" or the skip reason a correct verdict gives
(`listing_page`, `too_short`, `login_page`, `paywall_stub`, `media_page`, and
`cookie_wall` for a consent page, which no rule names yet). For articles, `present` is a
sentence of the body and `absent` strings on the page that are not the article's text.

The sites (all invented, as is every line of text):

- paper: a big newspaper's CMS, JSON-LD @graph (NewsArticle, WebPage, BreadcrumbList,
  Organization, WebSite), mega-menu, consent banner, rails of most-read and related teasers;
- wp: a WordPress local blog with Yoast's @graph (CollectionPage for archives), sidebar
  widgets, excerpts with "Continue reading";
- og: a regional site with no JSON-LD that marks every page og:type=article;
- plain: an old table layout with no structured data and no meta tags at all;
- jp, cn, th: Japanese, Chinese and Thai portals (the Chinese one declares nothing).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledPage:
    name: str
    html: str
    url: str
    presented_by: str | None  # "feed", "sitemap", "front" or None
    expect: str  # "article", or the skip reason
    kind: str = ""  # what the page is, in words
    present: str = ""  # articles: a sentence of the body
    absent: tuple[str, ...] = ()  # articles: strings on the page that are not the body's

    @property
    def is_article(self) -> bool:
        return self.expect == "article"


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    host: str
    lang: str
    cookie: str  # the consent banner's text

    def url(self, path: str) -> str:
        return f"https://{self.host}{path}"


PAPER = Site(
    "paper",
    "The Daily Meridian",
    "meridian-news.test",
    "en",
    "We and our 214 partners store and access information on your device to measure "
    "audiences and personalise advertising. Accept all or manage your choices.",
)
WP = Site(
    "wp",
    "Harbour Town Herald",
    "harbourherald.test",
    "en",
    "This website uses cookies to improve your experience. We'll assume you're ok with this.",
)
OG = Site(
    "og",
    "Coastline Today",
    "coastlinetoday.test",
    "en",
    "Coastline Today uses cookies for analytics and ads. By continuing you agree.",
)
PLAIN = Site("plain", "Valley Courier", "valleycourier.test", "en", "")
JP = Site(
    "jp", "東邦新報", "toho-shimpo.test", "ja", "当サイトではクッキーを使用しています。同意する"
)
CN = Site("cn", "华南观察网", "huanan-guancha.test", "zh", "本网站使用Cookie以改善您的浏览体验。")
TH = Site("th", "ข่าวเหนือ", "khaonuea.test", "th", "เว็บไซต์นี้ใช้คุกกี้เพื่อพัฒนาประสบการณ์ของผู้ใช้งาน ยอมรับ")

# --- text ---------------------------------------------------------------------------------

HEADLINES = [
    "Council approves new ferry timetable after months of delays",
    "Hospital waiting lists fall for the third month in a row",
    "Storm brings down power lines across the northern districts",
    "Teachers vote to accept revised pay offer",
    "Shipyard wins contract for two research vessels",
    "Police appeal for witnesses after warehouse fire",
    "Regional airport adds summer flights to Lisbon and Split",
    "Farmers warn of poor harvest after dry spring",
    "City museum reopens after two-year renovation",
    "Housing starts slow as mortgage rates climb",
    "Local club promoted after dramatic final-day win",
    "Water company fined over sewage discharges into the estuary",
    "New cycle lanes divide opinion on the high street",
    "University to cut tuition fees for part-time students",
    "Bridge repairs will close the coast road for six weeks",
    "Bakery chain to open twelve stores and hire 300 staff",
    "Mayor defends budget as opposition calls for audit",
    "Wind farm plan approved despite objections from residents",
    "Train operator apologises after weekend of cancellations",
    "Scientists track rare seabird colony on the outer islands",
    "Court hears appeal in long-running harbour land dispute",
    "Unemployment edges down to lowest level in a decade",
    "Film festival announces record number of entries",
    "Fishing quotas cut as cod stocks fall again",
]
SUMMARIES = [
    "The new schedule adds an early crossing on weekdays but drops the late Sunday sailing.",
    "Fewer patients are waiting more than a year for surgery, new figures from the trust show.",
    "About 30,000 homes lost power overnight as gusts reached 120 kilometres an hour.",
    "The union's members backed the deal by a narrow margin, ending a dispute that lasted a year.",
    "The order secures work at the yard until the end of the decade, managers say.",
    "Detectives believe the fire was started deliberately and want to speak to two men.",
    "The airline will fly twice a week from May, the first direct routes to either city.",
    "A dry spring has left crops stunted across the plains, and prices are expected to rise.",
    "The whaling gallery has been restored to its original design after four decades in storage.",
    "Builders started fewer homes this quarter than in any period since 2013.",
    "A goal in stoppage time sent the club up and relegated their closest rivals.",
    "The company admitted more than 300 spills over three years and must pay a record penalty.",
    "Shopkeepers say the lanes have cost them trade, while cyclists say they feel safer.",
    "Part-time students will pay a third less from next September, the university said.",
    "Drivers face a diversion of up to forty minutes while engineers replace the bearings.",
    "The family firm says it will open its first shops outside the region next spring.",
    "The opposition says the city's finances rest on forecasts that are far too optimistic.",
    "The developer says the 48 turbines will power 380,000 homes when complete.",
    "Almost a fifth of weekend services were cancelled because of a shortage of drivers.",
    "Researchers counted more than 2,000 nesting pairs, twice as many as a decade ago.",
    "The dispute over who owns the old quay has been before the courts since 2019.",
    "The jobless rate fell to 4.1 percent in October, the statistics office said.",
    "Organisers received more than 3,500 films from 90 countries for next year's festival.",
    "Boats will be allowed to land a fifth less cod next year under the new agreement.",
]
STORIES = {
    "ferry": (
        "Ferry operator cancels winter crossings to the outer islands",
        [
            "The island ferry operator Nordline said on Wednesday it would cancel half of its winter "
            "crossings to the outer islands, blaming a shortage of qualified engineers and the rising "
            "cost of fuel.",
            "From December, the daily morning service from the mainland will run only on weekdays, "
            "and the late crossing on Fridays will be dropped altogether until at least the end of March.",
            "Islanders reacted with dismay. Ruth Calder, who runs the only shop on Skarra, said "
            "deliveries of fresh food already arrived late and that a reduced timetable would leave "
            "elderly residents cut off for days.",
            "The company's chief executive, Martin Oyelaran, said the decision had not been taken "
            "lightly and that the company had tried for months to recruit engineers from abroad.",
            "The regional transport committee will question the operator at a public hearing next "
            "Tuesday, and several councillors have called for the contract to be reviewed.",
        ],
    ),
    "hospital": (
        "Hospital opens overnight clinic to cut emergency waits",
        [
            "St Brennan's Hospital opened an overnight minor injuries clinic on Monday in an attempt "
            "to relieve pressure on its emergency department, where patients have waited up to nine "
            "hours this autumn.",
            "The clinic, staffed by two nurse practitioners and a junior doctor, will treat sprains, "
            "cuts and minor burns between ten in the evening and six in the morning, every day.",
            "Managers said roughly a third of the people who arrive at the emergency department at "
            "night could be seen more quickly elsewhere, freeing specialist staff for serious cases.",
            "The nurses' union welcomed the clinic but said the trust still needed to fill more than "
            "eighty vacant nursing posts before waiting times would come down for good.",
            "The trust will publish the first figures on the clinic's use in January, and it said it "
            "would extend the opening hours if demand was higher than expected.",
        ],
    ),
    "shipyard": (
        "Shipyard secures order for two polar research vessels",
        [
            "The Kellmouth shipyard has won a contract worth 410 million euros to build two polar "
            "research vessels for a consortium of northern universities, securing work for its 1,200 "
            "employees until 2030.",
            "The ships, each 98 metres long, will carry laboratories, a helicopter deck and hulls "
            "strengthened to break ice up to a metre and a half thick, the consortium said.",
            "Union representatives at the yard said the order was the largest in fifteen years and "
            "would allow the company to take on around 150 apprentices over the coming three years.",
            "The yard had come close to closure in 2021, when a cruise ship order was cancelled "
            "during the pandemic and the owners sought state guarantees to keep paying wages.",
            "Construction of the first vessel is due to begin next autumn, with delivery planned for "
            "the summer of 2029 and the second ship following about a year later.",
        ],
    ),
    "drought": (
        "Dry spring leaves farmers facing smallest harvest in a decade",
        [
            "Farmers across the eastern plains are preparing for the smallest grain harvest in a "
            "decade after the driest spring since records began, the farmers' association warned.",
            "Rainfall between March and May reached less than forty percent of the long-term "
            "average, and in some districts the wheat stands barely knee-high.",
            "Anna Lindqvist, who farms 300 hectares near Ostby, said she expected to lose about half "
            "of her crop and would have to sell part of her cattle herd before the winter.",
            "The agriculture ministry said it was considering bringing forward direct payments to "
            "help farmers with cash flow, but ruled out the emergency fund the association demanded.",
            "Economists expect bread and feed prices to rise modestly in the autumn, although imports "
            "from neighbouring countries with better harvests are likely to limit the increase.",
        ],
    ),
    "museum": (
        "City museum reopens with restored whaling gallery",
        [
            "The Harbour City Museum reopened to the public on Saturday after a two-year renovation "
            "that restored its long-closed whaling gallery to its original Victorian design.",
            "More than 4,000 visitors passed through the doors on the first day, many of them "
            "queuing in the rain before the building opened at ten in the morning.",
            "The centrepiece of the gallery is the skeleton of a fin whale that stranded in the bay "
            "in 1872, cleaned and remounted after four decades in a storage shed behind the museum.",
            "Director Samira Haddad said the museum wanted to tell the uncomfortable history of the "
            "town's whaling industry honestly, including the damage it did to whale populations.",
            "Entry will remain free for residents of the city, while visitors from elsewhere will "
            "pay eight euros, with reduced prices for students and pensioners.",
        ],
    ),
    "sewage": (
        "Water company fined record sum over sewage spills",
        [
            "A court fined Estuary Water 7.5 million on Friday for pumping untreated sewage into the "
            "river mouth on more than 300 occasions over three years, a record for the region.",
            "The judge said the company had shown a deliberate disregard for the law, pointing to "
            "internal emails in which managers discussed the spills as cheaper than repairing pumps.",
            "Environmental groups had documented dead fish and algae blooms along the estuary for "
            "years and brought the first complaints to the regulator in 2022.",
            "Estuary Water said it accepted the ruling, apologised to its customers and would invest "
            "120 million over the next five years in new storage tanks and treatment capacity.",
            "The fine will be paid from the company's profits and cannot be passed on to customers "
            "through higher bills, the regulator said after the hearing.",
        ],
    ),
    "budget": (
        "Mayor defends budget as opposition demands independent audit",
        [
            "Mayor Tomasz Wielgus defended his budget for next year on Tuesday, insisting that the "
            "city could afford a new swimming pool and a tram extension without raising local taxes.",
            "Opposition councillors accused the mayor of relying on optimistic forecasts for "
            "property tax income and demanded an independent audit before the final vote.",
            "The budget foresees spending of 2.1 billion, six percent more than this year, with most "
            "of the additional money going to schools, social care and the repair of roads.",
            "The city's treasurer told the council that borrowing would rise to its highest level in "
            "twenty years but remain within the limits set by national law.",
            "Residents will be able to comment on the draft at three public meetings in the coming "
            "weeks, the first of them on Monday at the town hall.",
        ],
    ),
    "windfarm": (
        "Offshore wind farm approved despite fishermen's objections",
        [
            "The planning authority approved a 48-turbine wind farm twelve kilometres off the coast "
            "on Wednesday, rejecting objections from fishermen who said it would close their grounds.",
            "The developer, Blue Current Energy, says the farm will supply electricity to about "
            "380,000 homes and create around 200 permanent jobs at a maintenance base in the port.",
            "The fishermen's cooperative said it would consider an appeal. Its chairman, Erik "
            "Paulsen, said boats would have to travel much further for the same catch.",
            "Construction of the foundations is scheduled to begin in 2027, and the first turbines "
            "could deliver power to the grid two years later if the timetable holds.",
            "The authority attached conditions to its approval, including a compensation fund for "
            "the fishing fleet and a ban on pile driving during the seal breeding season.",
        ],
    ),
}
BRIEFS = {
    "rail": (
        "Rail strike called off after late-night talks",
        [
            "A 48-hour strike by train drivers planned for Thursday and Friday has been called off "
            "after talks between the union and the national rail operator continued late into "
            "Tuesday night, both sides said.",
            "The union said members would vote on a new offer next week. Services will run as "
            "normal, the operator said.",
        ],
    ),
    "landslide": (
        "Coast road closed after landslide",
        [
            "The coast road between Milford and Port Ashby was closed on Sunday morning after a "
            "landslide brought rocks and mud down onto both lanes near the old quarry. Nobody was "
            "injured. The highways department said the road would stay closed for at least three days.",
        ],
    ),
    "library": (
        "Library extends weekend opening hours",
        [
            "Harbour Town Library will open on Sundays from next month, the council confirmed on "
            "Friday, after a petition signed by more than 2,000 residents.",
            "The library will open from eleven until four, and the children's section will host a "
            "reading hour every week. The extra hours will be paid for from the culture budget, and "
            "volunteers from the Friends of the Library will help staff the desk.",
        ],
    ),
    "rates": (
        "Central bank holds interest rate at 3.25 percent",
        [
            "The central bank kept its main interest rate unchanged at 3.25 percent on Thursday, as "
            "most economists had expected, saying inflation was falling more slowly than it had "
            "forecast in the summer.",
            "The governor said the bank was ready to cut rates early next year if wage growth "
            "slowed. The currency was little changed after the decision.",
        ],
    ),
    "hikers": (
        "Fire crews rescue hikers stranded on ridge",
        [
            "Two hikers were rescued by helicopter on Saturday evening after they became stranded on "
            "the Kettle Ridge trail in thick fog, the fire service said. Both were cold but unhurt. "
            "Rescuers urged walkers to check the forecast before setting out.",
        ],
    ),
}
STORM_LIVE = [
    (
        "21:40",
        "The weather service has extended its red warning for the northern coast until six "
        "tomorrow morning. Gusts of up to 140 kilometres an hour are still possible.",
    ),
    (
        "21:22",
        "Power has been restored to about 8,000 homes in Port Ashby, the grid operator says, "
        "but more than 40,000 households remain without electricity tonight.",
    ),
    (
        "21:05",
        "The harbour wall in Milford has been overtopped again and sea water is running "
        'through the old town. <a href="/news/milford-flooding">Read our reporter\'s account.</a>',
    ),
    (
        "20:48",
        "All ferry crossings are cancelled for the rest of the evening. Nordline will decide "
        "at seven tomorrow whether the morning services can run.",
    ),
    (
        "20:31",
        "Police have closed the coast road at Kettle Point after a tree fell across both "
        'lanes. <a href="/travel/road-closures">See the full list of closures.</a>',
    ),
    (
        "20:15",
        "A reader in Ostby sent us a photograph of a trampoline stuck in a power line. "
        "Please stay indoors, the fire service says, and do not go out to look at the damage.",
    ),
    (
        "19:58",
        "Schools in the three northern districts will stay closed tomorrow, the education "
        "department has just announced.",
    ),
    (
        "19:40",
        'The regional hospital says it has moved to its emergency plan. <a href="/health/'
        'hospital-emergency-plan">Here is what that means for patients.</a>',
    ),
    (
        "19:22",
        "Rail services north of Kellmouth are suspended because of debris on the line. "
        "The operator says replacement buses cannot run safely in this wind.",
    ),
    (
        "19:05",
        "Gusts of 131 kilometres an hour were measured at the lighthouse on Skarra, the "
        "highest reading so far this evening.",
    ),
    (
        "18:47",
        "The government has called a meeting of its emergency committee for tonight. <a href="
        '"/politics/emergency-committee">Our political editor explains.</a>',
    ),
    (
        "18:30",
        "Welcome to our live coverage of Storm Ingrid, which is moving across the north of "
        "the country faster than forecasters had expected this morning.",
    ),
]
COUNT_LIVE = [
    (
        "02:14",
        "The returning officer has declared the result: Lena Moretti of the Greens wins the "
        "Harbour Ward by-election with 1,842 votes, a majority of 211.",
    ),
    (
        "01:52",
        'Turnout was 34 percent, up from 29 at the last by-election. <a href="/2026/10/'
        'harbour-ward-candidates/">Our guide to the candidates is here.</a>',
    ),
    (
        "01:30",
        "Recounts have been requested for two bundles of ballots, the officer says. The "
        "result is now expected after two o'clock.",
    ),
    (
        "01:05",
        "Labour's candidate, Peter Osei, tells us he is not confident. The boxes from the "
        "estate went better than expected, he says, but the seafront did not.",
    ),
    (
        "00:40",
        "Verification has finished and the count proper has begun. Tellers at six tables "
        "are sorting the ballots by candidate.",
    ),
    (
        "00:12",
        'All ballot boxes have arrived at the sports hall. <a href="/2026/11/harbour-ward-'
        'preview/">Read our preview of the race.</a>',
    ),
    (
        "23:45",
        "Good evening and welcome to our live updates from the Harbour Ward by-election "
        "count, which follows the resignation of councillor Alan Birch in September.",
    ),
]
CAFES = [
    (
        "The Anchor Café, Milford",
        "Fishermen's breakfasts from six in the morning and a view over "
        "the slipway. The kippers are smoked in the shed behind the kitchen.",
    ),
    (
        "Salt and Rye, Port Ashby",
        "A bakery that turned into a café when the queues got too long. "
        "Come early for the cardamom buns, which sell out by ten.",
    ),
    (
        "Kettle Point Lighthouse Tearoom",
        "Run by volunteers in the old keeper's cottage, with "
        "scones, soup and the best window seat on the whole coast.",
    ),
    (
        "Harbour Lights, Kellmouth",
        "The shipyard workers' canteen opened to the public last year. "
        "Big portions, low prices and a fish stew that changes with the catch.",
    ),
    (
        "The Driftwood, Ostby",
        "A beach shack with six tables and a wood stove, open all winter "
        "for walkers coming off the dunes.",
    ),
    (
        "Café Nord, Skarra",
        "The only café on the island, so plan your visit around the ferry. "
        "Their crab sandwiches are worth the crossing.",
    ),
    (
        "Mill House, Elm Valley",
        "A converted watermill serving lunches made with vegetables from "
        "its own garden, a short detour inland from the coast road.",
    ),
    (
        "Quayside Coffee, Milford",
        "Serious coffee from a tiny roastery on the quay, with a bench "
        "outside where you can watch the boats come in.",
    ),
]
WEEKEND = [
    (
        "Winter market on the quay",
        "More than sixty stalls selling crafts, cheese and smoked fish, "
        "from ten until six on Saturday and Sunday.",
    ),
    (
        "Lantern walk through the old town",
        "Guides lead a walk through the lanes by lantern light, "
        "telling the stories of the smugglers who once used them.",
    ),
    (
        "Brass band concert at the town hall",
        "The Kellmouth Shipyard Band plays its winter concert "
        "on Saturday evening, with mulled wine in the interval.",
    ),
    (
        "Seal watching at Kettle Point",
        "Grey seal pups are on the beaches now, and rangers will "
        "show visitors where to watch them without disturbing them.",
    ),
    (
        "Open day at the lifeboat station",
        "Crews will show children around the boat and explain "
        "how a rescue works, with a barbecue raising money for the station.",
    ),
    (
        "Film night at the museum",
        "The museum screens a restored documentary about the last "
        "whaling voyage from the harbour, followed by a talk by its director.",
    ),
]
OPINION = [
    'When Nordline announced that it would <a href="/news/ferry-winter-crossings">cancel half of '
    "its winter crossings</a>, it described the decision as regrettable but unavoidable. For the "
    "people of Skarra it is neither.",
    'The islands have heard this before. The <a href="/reports/island-transport-review">transport '
    'review of 2019</a> promised a reliable service, and the <a href="/news/ferry-contract">'
    "contract signed two years later</a> was supposed to guarantee one.",
    "What the islanders are asking for is not generous. They want to know that a doctor can "
    "reach them in winter, that the school bus connects with a boat, and that the shop shelves "
    "will not be empty for a week.",
    'Other coasts have solved this. <a href="https://example.org/norway-ferries">Norway runs '
    'electric ferries to islands smaller than Skarra</a>, and the <a href="/news/orkney-model">'
    "community-owned service in the north</a> has not missed a winter crossing in six years.",
    "The regional committee meets on Tuesday. It should stop treating the ferry as a business "
    "that happens to carry people, and start treating it as the road the islands do not have.",
]
BRIEFING = [
    (
        "Storm warning extended",
        "The red warning for the northern coast now runs until Friday "
        "morning. Schools in three districts will stay closed.",
    ),
    (
        "Rail strike called off",
        "Train drivers will vote on a new offer next week, and services run as normal today.",
    ),
    (
        "Record fine for Estuary Water",
        "A court ordered the company to pay 7.5 million for more "
        "than 300 sewage spills, and its customers will not pay a cent of it.",
    ),
    (
        "Interest rates on hold",
        "The central bank kept its rate at 3.25 percent and hinted at a cut early next year.",
    ),
    (
        "Museum reopens",
        "The whaling gallery is back after four decades, with a fin whale "
        "skeleton as its centrepiece.",
    ),
    (
        "Shipyard order",
        "Kellmouth will build two polar research ships, the biggest order in fifteen years.",
    ),
]
PHOTO_STORY = [
    "On Skarra, life is arranged around the ferry. The shop orders on Mondays, the doctor "
    "comes on Wednesdays, and nobody plans a funeral until they have checked the weather.",
    "Ninety-four people live on the island through the winter, twenty fewer than a decade ago. "
    "The school has seven pupils, and its teacher crosses from the mainland every morning.",
    "Ruth Calder has run the shop for thirty years. When the boat does not come she rations "
    "milk and bread herself, writing the names of the families who still need them on a board.",
    "The younger islanders work remotely or on the fish farm in the sound. Most of them say "
    "they would stay if the crossings were reliable, and leave if they were not.",
    "This winter the timetable will be cut in half. The islanders have asked the regional "
    "committee to intervene before the first cancelled boat leaves them stranded.",
]
PHOTO_CAPTIONS = [
    "The morning ferry leaves the pier at Skarra in a November gale.",
    "Ruth Calder stacks bread delivered on the last boat of the week.",
    "Seven pupils and one teacher: Skarra's school in its 140th year.",
    "Sheep are loaded onto the ferry for the autumn market on the mainland.",
]
GALLERY_CAPTIONS = [
    "A lifeboat crew battles heavy seas off Kettle Point during Storm Ingrid on Tuesday, as "
    "waves broke over the harbour wall at high tide.",
    "Visitors queue in the rain outside the Harbour City Museum on the morning it reopened after "
    "a two-year renovation of its galleries.",
    "Shipyard workers in Kellmouth celebrate the announcement of the order for two polar "
    "research vessels in the assembly hall.",
    "A grey seal pup rests on the beach at Ostby, where rangers have counted more pups this "
    "season than in any year since records began.",
    "Farmers inspect a field of stunted wheat near Ostby after the driest spring since national "
    "records began more than a century ago.",
    "Lanterns are lit along the quay in Milford at the opening of the winter market, which runs "
    "every weekend until Christmas.",
    "Fans of Harbour Town invade the pitch after the stoppage-time goal that sealed promotion "
    "on the final day of the season.",
    "A fallen tree blocks the coast road at Kettle Point, where police closed both lanes for "
    "more than six hours overnight.",
]
INTERVIEW = [
    "<strong>You have run the island shop for thirty years. What will the new timetable mean?"
    "</strong>",
    "It means I order less fresh food, because I cannot sell milk that arrives on a Friday "
    "and sits on the shelf until the next boat. People will shop on the mainland, if they can.",
    "<strong>Nordline says it cannot find engineers. Do you believe them?</strong>",
    "I believe it is hard. But they knew the contract would be difficult when they signed it, "
    "and the islands should not pay for a problem the company has had for years.",
    "<strong>What would you ask the regional committee on Tuesday?</strong>",
    "To keep the Friday crossing at the very least. It is the boat the children come home on "
    "from the boarding school, and the boat that brings the doctor back for the weekend.",
    "<strong>Will you stay?</strong>",
    "Yes. My mother ran this shop before me. But I am not sure who will run it after me.",
]
MATCH = [
    "Harbour Town went top of the Coastal League on Saturday with a 2-1 win at Millport, "
    "Jonas Eklund scoring the winner with four minutes left after a scrappy afternoon.",
    "Millport had taken the lead through a penalty before half-time, but Sami Rahimi levelled "
    "with a header from a corner early in the second half.",
    "Manager Claire Dunmore said her side had not played well but had shown the character "
    "that wins titles, and praised the travelling supporters who filled the away stand.",
]
AUTHOR_BIO = (
    "Jenny Moss has reported on the harbour, the islands and the council for the Herald since "
    "2014. Before that she worked for a news agency in the capital. Send her tips at the address "
    "on our contact page."
)
JA_STORY = [
    "気象庁によると、大型で強い台風十四号は十日午後、九州南部に接近し、鹿児島県と宮崎県の一部に"
    "暴風警報が発表された。",
    "鹿児島市では最大瞬間風速三十五メートルを観測し、市内の約二万世帯で停電が発生した。電力会社は"
    "復旧作業を急いでいるが、全面的な復旧には数日かかる見通しだという。",
    "九州新幹線は全線で運転を見合わせ、鹿児島空港を発着する国内線も百便以上が欠航した。多くの観光客"
    "が足止めされ、空港のロビーで一夜を明かす人の姿も見られた。",
    "県は避難所を百カ所以上開設し、沿岸部の住民に早めの避難を呼びかけている。午後六時の時点で約三千人"
    "が避難所に身を寄せているという。",
    "気象庁は、台風が十一日にかけて九州を縦断する見込みだとして、土砂災害や河川の氾濫に厳重な警戒を"
    "求めている。",
]
JA_FESTIVAL = [
    "京都市の秋の伝統行事「時代祭」が二十二日に行われ、平安時代から明治維新までの衣装をまとった約二千人"
    "が、京都御所から平安神宮までの約四・五キロを練り歩いた。",
    "沿道には国内外から約七万人の見物客が詰めかけ、色鮮やかな行列にカメラを向けていた。今年は三年ぶりに"
    "全ての行列が復活し、主催者は「多くの人に見てもらえてうれしい」と話した。",
    "行列に参加した大学生の女性は「重い衣装で歩くのは大変だったが、歴史の一部になれたようで貴重な経験"
    "だった」と笑顔を見せた。",
]
JA_BRIEF = (
    "東京都は二十日、都内の定点医療機関から報告されたインフルエンザの患者数が前週より約三割増えたと"
    "発表した。特に学校や高齢者施設での集団感染が相次いでおり、都は手洗いやマスクの着用など基本的な"
    "感染対策を徹底するよう呼びかけるとともに、医療機関に発熱外来の体制を強化するよう要請した。"
)
ZH_METRO = [
    "广州市政府周二宣布，将在未来三年内投资约一千二百亿元，用于扩建城市地铁网络，新增三条线路和四十座"
    "车站，以缓解中心城区日益严重的交通拥堵问题。",
    "根据规划，新线路将连接南沙新区、白云机场和几个大型住宅区，预计建成后每天可多运送约一百五十万人次"
    "乘客，通勤时间平均缩短二十分钟。",
    "市交通局负责人在新闻发布会上表示，项目资金将主要来自地方财政和专项债券，部分车站还将引入社会资本"
    "参与商业开发，以减轻财政压力。",
    "一些城市规划专家对这一计划表示欢迎，但也提醒说，地铁建设周期长、成本高，政府应当同时加强公交接驳"
    "和步行环境建设，避免新车站周边出现“最后一公里”难题。",
    "据悉，首条新线路将于明年春季开工，沿线居民的意见征集工作已经启动，市民可以在本月底之前通过政府网站"
    "提交建议。",
]
ZH_DOLPHIN = [
    "珠江口中华白海豚国家级自然保护区管理局近日发布消息称，今年科研人员在保护区内共记录到中华白海豚"
    "二百六十余头，其中新生幼豚十九头，数量为近十年来最多。",
    "管理局工作人员介绍，近年来保护区加强了对非法捕捞和船只超速的巡查，并在繁殖季节限制部分海域的施工"
    "作业，白海豚的栖息环境明显改善。",
    "专家表示，中华白海豚是珠江口生态健康的重要指标，但航运繁忙和水质变化仍对其构成威胁，保护工作不能"
    "松懈，需要粤港澳三地继续加强合作。",
]
TH_FLOOD = [
    "กรมอุตุนิยมวิทยาประกาศเตือนให้ประชาชนในจังหวัดภาคเหนือเตรียมรับมือกับฝนตกหนักถึงหนักมากในช่วงสามวัน"
    "ข้างหน้า ซึ่งอาจทำให้เกิดน้ำท่วมฉับพลันและดินถล่มในพื้นที่ลาดเชิงเขา",
    "ผู้ว่าราชการจังหวัดเชียงใหม่กล่าวว่าได้สั่งการให้หน่วยงานที่เกี่ยวข้องเตรียมเครื่องสูบน้ำและเรือท้องแบนไว้"
    "ในจุดเสี่ยงทุกอำเภอ พร้อมเปิดศูนย์พักพิงชั่วคราวอีกยี่สิบแห่ง",
    "เกษตรกรผู้ปลูกข้าวในอำเภอสันป่าตองแสดงความกังวลว่าฝนที่ตกหนักในช่วงเก็บเกี่ยวอาจสร้างความเสียหาย"
    "ต่อผลผลิต และเรียกร้องให้รัฐบาลพิจารณามาตรการเยียวยาโดยเร็ว",
    "ทั้งนี้ เจ้าหน้าที่ขอให้ประชาชนติดตามข่าวสารจากทางราชการอย่างใกล้ชิด และหลีกเลี่ยงการเดินทาง"
    "ผ่านเส้นทางที่มีน้ำไหลผ่านในช่วงกลางคืน",
]
TH_PARK = [
    "กรุงเทพมหานครเปิดสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยาอย่างเป็นทางการเมื่อวันเสาร์ที่ผ่านมา "
    "โดยมีพื้นที่กว่าสามสิบไร่ ประกอบด้วยทางเดินริมน้ำ ลานกีฬา และสวนสำหรับเด็ก",
    "ผู้ว่าราชการกรุงเทพมหานครกล่าวว่าสวนแห่งนี้เป็นส่วนหนึ่งของนโยบายเพิ่มพื้นที่สีเขียวให้ประชาชน"
    "เข้าถึงได้ภายในระยะเดินสิบห้านาทีจากบ้าน และจะเปิดให้บริการทุกวันตั้งแต่ห้าโมงเช้าถึงสี่ทุ่ม",
    "ชาวบ้านในชุมชนใกล้เคียงต่างแสดงความยินดี โดยบอกว่าก่อนหน้านี้ต้องเดินทางไกลกว่าจะได้ออกกำลังกาย"
    "ในที่ร่มรื่น และหวังว่าจะมีการดูแลรักษาความสะอาดอย่างต่อเนื่อง",
]
JA_HEADLINES = [
    "首相、来年度予算案の編成方針を表明",
    "円相場、一時1ドル=150円台に下落",
    "北海道で初雪　平年より5日早く",
    "大手自動車メーカー、電気自動車の新工場建設へ",
    "プロ野球ドラフト会議　高校生投手に4球団が競合",
    "新幹線の新駅、2030年開業を目指す",
    "全国の小中学校で不登校が過去最多に",
    "政府、少子化対策の財源案を提示",
    "東京株式市場、半導体関連株が値上がり",
    "京都の紅葉、見頃は今月下旬から",
    "最低賃金、全国平均で過去最大の引き上げ",
    "台風十五号、週末に沖縄へ接近のおそれ",
    "地方空港の国際線、コロナ前の水準に回復",
    "日本酒の輸出額、3年連続で過去最高",
]
ZH_HEADLINES = [
    "国务院常务会议部署稳就业新举措",
    "广东出台支持民营经济发展二十条措施",
    "前十月全国进出口总额同比增长百分之五",
    "深圳地铁十六号线二期正式开通运营",
    "多地启动冬季供暖　确保群众温暖过冬",
    "新能源汽车下乡活动在十省份同步开展",
    "教育部：严禁中小学违规补课",
    "央行下调存款准备金率零点五个百分点",
    "广州国际美食节吸引百万游客",
    "台风“海鸥”登陆海南　多趟航班取消",
    "国产大飞机完成首次跨洋飞行",
    "粤港澳大湾区跨境理财通扩容",
    "珠海航展开幕　多款新型无人机亮相",
    "佛山一老旧小区完成加装电梯改造",
]
TH_HEADLINES = [
    "นายกรัฐมนตรีเดินทางเยือนญี่ปุ่นอย่างเป็นทางการ",
    "ราคาน้ำมันดีเซลปรับลดลงลิตรละห้าสิบสตางค์",
    "กรมอุตุฯ เตือนภาคใต้ฝนตกหนักต่อเนื่อง",
    "ตลาดหุ้นไทยปิดบวกตามตลาดภูมิภาค",
    "รถไฟความเร็วสูงสายอีสานคืบหน้าร้อยละสามสิบ",
    "เชียงใหม่เตรียมจัดงานลอยกระทงยิ่งใหญ่",
    "กระทรวงสาธารณสุขรณรงค์ฉีดวัคซีนไข้หวัดใหญ่",
    "ทีมชาติไทยคว้าแชมป์ฟุตซอลอาเซียน",
    "ส่งออกเดือนตุลาคมขยายตัวร้อยละหก",
    "นักท่องเที่ยวต่างชาติแห่เที่ยวภูเก็ตช่วงปลายปี",
]

# --- markup -------------------------------------------------------------------------------

DATE = "2026-11-19T07:45:00+01:00"


def e(text: str) -> str:
    return html.escape(text, quote=True)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


def paras(texts: list[str], cls: str = "") -> str:
    """Paragraphs (the texts are written as HTML: entries may hold links)."""
    attr = f' class="{cls}"' if cls else ""
    return "".join(f"<p{attr}>{t}</p>" for t in texts)


def links(items: list[str], base: str = "/news/", cls: str = "") -> str:
    return (
        f'<ul class="{cls}">'
        + "".join(f'<li><a href="{base}{slug(t)}">{t}</a></li>' for t in items)
        + "</ul>"
    )


def card(
    i: int, *, summary: bool = True, cls: str = "card", level: int = 3, tag: str = "article"
) -> str:
    """A teaser: linked headline, summary, time."""
    headline, text = HEADLINES[i % len(HEADLINES)], SUMMARIES[i % len(SUMMARIES)]
    more = f'<p class="{cls}__summary">{text}</p>' if summary else ""
    return (
        f'<{tag} class="{cls}"><a class="{cls}__link" href="/news/2026/11/{slug(headline)}">'
        f'<h{level} class="{cls}__headline">{headline}</h{level}></a>{more}'
        f'<span class="{cls}__meta"><time datetime="2026-11-19">{i % 9 + 1} hours ago</time>'
        "</span></" + tag + ">"
    )


def wp_excerpt(i: int, *, excerpt: bool = True) -> str:
    headline = HEADLINES[i % len(HEADLINES)]
    href = f"/2026/11/{slug(headline)}/"
    day = 19 - i % 18
    body = (
        f'<div class="entry-summary"><p>{SUMMARIES[i % len(SUMMARIES)]} [&hellip;]</p></div>'
        if excerpt
        else ""
    )
    return (
        f'<article class="post type-post status-publish format-standard hentry">'
        f'<header class="entry-header"><h2 class="entry-title"><a href="{href}" rel="bookmark">'
        f'{headline}</a></h2><div class="entry-meta"><span class="posted-on">Posted on <a href="'
        f'{href}"><time class="entry-date published" datetime="2026-11-{day:02d}">November {day}, '
        '2026</time></a></span><span class="byline"> by <span class="author vcard"><a href="/'
        'author/jenny-moss/">Jenny Moss</a></span></span></div></header>'
        f'{body}<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/'
        f'local-news/" rel="category tag">Local News</a></span> <a class="more-link" href="{href}">'
        "Continue reading</a></footer></article>"
    )


def pagination(base: str, pages: int = 5) -> str:
    numbers = "".join(
        f'<a class="page-numbers" href="{base}page/{n}/">{n}</a>' for n in range(2, pages + 1)
    )
    return (
        '<nav class="navigation pagination" aria-label="Posts"><div class="nav-links">'
        f'<span class="page-numbers current">1</span>{numbers}'
        f'<a class="next page-numbers" href="{base}page/2/">Next</a></div></nav>'
    )


def figure(caption: str, n: int, credit: str = "Photo: Lars Holm") -> str:
    return (
        f'<figure class="image"><img src="/img/2026/11/photo-{n}.jpg" alt="" loading="lazy" '
        f'width="1200" height="800"><figcaption>{caption} <span class="credit">{credit}</span>'
        "</figcaption></figure>"
    )


# --- heads and structured data --------------------------------------------------------------


def head(
    site: Site,
    title: str,
    url: str,
    *,
    og_type: str | None = None,
    description: str = "",
    ld: tuple[dict, ...] = (),
    extra: str = "",
) -> str:
    parts = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} | {e(site.name)}</title>",
        f'<link rel="canonical" href="{url}">',
        f'<link rel="alternate" type="application/rss+xml" href="{site.url("/feed/")}">',
    ]
    if description:
        parts.append(f'<meta name="description" content="{e(description)}">')
    if og_type:
        parts += [
            f'<meta property="og:type" content="{og_type}">',
            f'<meta property="og:title" content="{e(title)}">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:site_name" content="{e(site.name)}">',
            f'<meta property="og:image" content="{site.url("/img/share.jpg")}">',
            '<meta name="twitter:card" content="summary_large_image">',
        ]
        if description:
            parts.append(f'<meta property="og:description" content="{e(description)}">')
    parts += [
        f'<script type="application/ld+json">{json.dumps(node, ensure_ascii=False)}</script>'
        for node in ld
    ]
    parts += [
        '<link rel="preload" href="/assets/fonts/serif.woff2" as="font" crossorigin>',
        '<link rel="stylesheet" href="/assets/css/main.css">',
        "<script>window.dataLayer=window.dataLayer||[];dataLayer.push({'pageType':'"
        f"{og_type or 'page'}'}});</script>",
    ]
    return "<head>" + "\n".join(parts) + extra + "</head>"


def article_node(
    site: Site,
    url: str,
    headline: str,
    *,
    kind: str = "NewsArticle",
    author: str = "Maria Jensen",
    free: bool = True,
) -> dict:
    node = {
        "@type": kind,
        "@id": f"{url}#article",
        "mainEntityOfPage": {"@id": url},
        "headline": headline,
        "datePublished": DATE,
        "dateModified": DATE,
        "author": [
            {"@type": "Person", "name": author, "url": site.url(f"/authors/{slug(author)}")}
        ],
        "publisher": {"@id": site.url("/#organization")},
        "image": [site.url("/img/2026/11/lead.jpg")],
        "inLanguage": site.lang,
    }
    if not free:
        node["isAccessibleForFree"] = False
        node["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywalled",
        }
    return node


def graph(site: Site, url: str, name: str, page_type: str = "WebPage", *nodes: dict) -> dict:
    """A Yoast- or CMS-style @graph: the page's own node, the site, its publisher, breadcrumbs."""
    return {
        "@context": "https://schema.org",
        "@graph": [
            *nodes,
            {
                "@type": page_type,
                "@id": url,
                "url": url,
                "name": name,
                "isPartOf": {"@id": site.url("/#website")},
                "breadcrumb": {"@id": f"{url}#breadcrumb"},
            },
            {
                "@type": "BreadcrumbList",
                "@id": f"{url}#breadcrumb",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Home", "item": site.url("/")},
                    {"@type": "ListItem", "position": 2, "name": name},
                ],
            },
            {
                "@type": "WebSite",
                "@id": site.url("/#website"),
                "url": site.url("/"),
                "name": site.name,
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": site.url("/?s={search_term_string}"),
                    "query-input": "required name=search_term_string",
                },
            },
            {
                "@type": "Organization",
                "@id": site.url("/#organization"),
                "name": site.name,
                "logo": {"@type": "ImageObject", "url": site.url("/img/logo.png")},
            },
        ],
    }


# --- site shells ----------------------------------------------------------------------------

SECTIONS = ["News", "Politics", "Business", "Sport", "Culture", "Opinion", "Travel", "Weather"]


def paper_shell(head_html: str, main: str, *, rail: bool = True) -> str:
    mega = "".join(
        f'<li class="mega-menu__section"><a href="/{s.lower()}/">{s}</a>'
        + links(
            [f"{s} {sub}" for sub in ("latest", "analysis", "video", "podcasts", "archive")],
            f"/{s.lower()}/",
            "mega-menu__sub",
        )
        + "</li>"
        for s in SECTIONS
    )
    most_read = "".join(
        f"<li>{card(i, summary=False, cls='most-read-item', tag='div')}</li>" for i in range(18, 23)
    )
    side = (
        (
            '<aside class="rail"><section class="most-read"><h2>Most read</h2><ol>'
            f'{most_read}</ol></section><section class="newsletter-promo"><h2>The Morning Edition'
            "</h2><p>Sign up for the Morning Edition newsletter, the news you need before 7am.</p>"
            '<form><input type="email" name="email"><button>Sign up</button></form></section></aside>'
        )
        if rail
        else ""
    )
    return f"""<!DOCTYPE html><html lang="en">{head_html}<body class="meridian">
<div id="onetrust-consent-sdk" class="consent-banner"><p>{PAPER.cookie}</p><button>Accept all</button><button>Manage choices</button></div>
<header class="site-header"><a class="logo" href="/">{PAPER.name}</a>
<form class="search-form" action="/search"><input type="search" name="q" placeholder="Search"></form>
<nav class="mega-menu" aria-label="Sections"><ul>{mega}</ul></nav>
<a class="subscribe-button" href="/subscribe">Subscribe from 1 euro a week</a></header>
<div class="page"><main id="main-content">{main}</main>{side}</div>
<footer class="site-footer"><div class="footer-columns">{links(SECTIONS, "/", "footer-list")}
{links(["About us", "Contact", "Careers", "Privacy policy", "Cookie settings", "Terms of use"], "/info/", "footer-list")}
</div><p>© 2026 Meridian Media Group. All rights reserved.</p></footer></body></html>"""


def wp_shell(head_html: str, main: str, body_class: str = "single") -> str:
    menu = links(
        ["Home", "Local News", "Council", "Sport", "Events", "About"], "/category/", "menu"
    )
    recent = links(HEADLINES[8:13], "/2026/11/")
    return f"""<!DOCTYPE html><html lang="en-GB">{head_html}<body class="{body_class} wp-custom-logo">
<div id="cookie-notice" class="cn-cookie-bar"><span class="cn-text">{WP.cookie}</span><a class="cn-accept" href="#">Ok</a></div>
<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/" rel="home">{WP.name}</a></p>
<p class="site-description">News from the harbour and the hills since 2009</p></div>
<nav id="site-navigation" class="main-navigation">{menu}</nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">{main}</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_search"><form role="search" action="/"><input type="search" name="s"><input type="submit" value="Search"></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>{recent}</section>
<section class="widget widget_categories"><h2 class="widget-title">Categories</h2>{links(["Council", "Events", "Local News", "Sport"], "/category/")}</section>
<section class="widget widget_archive"><h2 class="widget-title">Archives</h2>{links(["November 2026", "October 2026", "September 2026"], "/2026/")}</section></aside></div>
<footer id="colophon" class="site-footer"><div class="site-info"><a href="https://wordpress.org/">Proudly powered by WordPress</a> | Theme: Harbourline</div></footer></div></body></html>"""


def og_shell(head_html: str, main: str) -> str:
    latest = "".join(
        f'<li><a href="/latest/{slug(h)}">{h}</a><span>{i + 2} min ago</span></li>'
        for i, h in enumerate(HEADLINES[2:8])
    )
    return f"""<!DOCTYPE html><html lang="en">{head_html}<body>
<div class="gdpr-bar"><p>{OG.cookie}</p><button>Got it</button></div>
<div class="layout-header"><div class="brand"><a href="/">{OG.name}</a></div><ul class="layout-header__links">
<li><a href="/local">Local</a></li><li><a href="/sport">Sport</a></li><li><a href="/whats-on">What's on</a></li><li><a href="/jobs">Jobs</a></li><li><a href="/login">Log in</a></li></ul></div>
<div class="layout-main"><div class="col-main">{main}</div>
<div class="col-side"><div class="box box--latest"><h3>Latest</h3><ul>{latest}</ul></div>
<div class="box box--weather"><h3>Weather</h3><p>Milford 9°C, showers</p></div></div></div>
<div class="layout-footer"><p>Coastline Today, 12 Quay Street, Milford. Part of Seaboard Media.</p>
<a href="/terms">Terms</a> <a href="/privacy">Privacy</a> <a href="/advertise">Advertise with us</a></div></body></html>"""


def plain_shell(title: str, main: str) -> str:
    left = "<br>".join(
        f'<a href="/{s.lower()}.html">{s}</a>'
        for s in (
            "Home",
            "Local News",
            "Sports",
            "Obituaries",
            "Classifieds",
            "Weather",
            "Contact Us",
        )
    )
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{e(title)} - Valley Courier</title></head>
<body bgcolor="#ffffff"><table width="100%" border="0" cellpadding="4"><tr><td colspan="2"><img src="/images/logo.gif" alt="Valley Courier">
<font size="2">Serving the Elm Valley since 1954</font></td></tr>
<tr><td width="160" valign="top" bgcolor="#eeeeee"><font size="2">{left}</font></td><td valign="top">{main}</td></tr>
<tr><td colspan="2" align="center"><font size="1">Copyright 2026 Valley Courier Publishing Co. All rights reserved. | <a href="/privacy.html">Privacy</a></font></td></tr></table></body></html>"""


PORTAL = {
    "jp": {
        "nav": ["ニュース", "政治", "経済", "国際", "スポーツ", "地域"],
        "rank": "アクセスランキング",
        "heads": JA_HEADLINES,
        "foot": "Copyright © 東邦新報社 All rights reserved. 記事・写真の無断転載を禁じます。",
    },
    "cn": {
        "nav": ["首页", "时政", "财经", "社会", "国际", "体育", "视频"],
        "rank": "热门排行",
        "heads": ZH_HEADLINES,
        "foot": "版权所有 © 华南观察网　未经授权禁止转载　粤ICP备00000000号",
    },
    "th": {
        "nav": ["หน้าแรก", "การเมือง", "เศรษฐกิจ", "ภูมิภาค", "กีฬา", "บันเทิง"],
        "rank": "ข่าวยอดนิยม",
        "heads": TH_HEADLINES,
        "foot": "สงวนลิขสิทธิ์ © ข่าวเหนือ ห้ามคัดลอกเนื้อหาโดยไม่ได้รับอนุญาต",
    },
}


def portal_shell(site: Site, head_html: str, main: str) -> str:
    labels = PORTAL[site.key]
    nav = "".join(f'<li><a href="/{n}/">{n}</a></li>' for n in labels["nav"])
    rank = "".join(
        f'<li><a href="/news/{n}.html">{h}</a></li>' for n, h in enumerate(labels["heads"][:6])
    )
    return f"""<!DOCTYPE html><html lang="{site.lang}">{head_html}<body>
<div class="cookie-policy"><p>{site.cookie}</p></div>
<div id="wrapper"><header id="header"><div class="logo"><a href="/">{site.name}</a></div><nav class="gnav"><ul>{nav}</ul></nav></header>
<div id="contents"><div id="main">{main}</div>
<div id="side"><section class="ranking"><h2>{labels["rank"]}</h2><ol>{rank}</ol></section></div></div>
<footer id="footer"><p>{labels["foot"]}</p></footer></div></body></html>"""


# --- article pages --------------------------------------------------------------------------


def paper_story(
    url: str,
    headline: str,
    body: str,
    *,
    kind: str | None = "NewsArticle",
    og_type: str = "article",
    standfirst: str = "",
    section: str = "News",
    author: str = "Maria Jensen",
    related: int = 11,
    free: bool = True,
) -> str:
    ld = (
        (
            graph(
                PAPER,
                url,
                headline,
                "WebPage",
                article_node(PAPER, url, headline, kind=kind, author=author, free=free),
            ),
        )
        if kind
        else ()
    )
    main = f"""<nav class="breadcrumbs"><a href="/">Home</a> › <a href="/{section.lower()}/">{section}</a></nav>
<article class="story"><header class="story-header"><a class="kicker" href="/{section.lower()}/">{section}</a>
<h1 class="story-headline">{headline}</h1>{f'<p class="standfirst">{standfirst}</p>' if standfirst else ""}
<div class="byline">By <a href="/authors/{slug(author)}">{author}</a></div><time datetime="{DATE}">19 November 2026, 07:45</time></header>
<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Copy link</a></div>
<div class="story-body" itemprop="articleBody">{body}</div>
<ul class="story-tags">{"".join(f'<li><a href="/topics/{slug(t)}">{t}</a></li>' for t in ("Islands", "Transport", section))}</ul></article>
<section class="related-stories"><h2>Related</h2>{card(related)}{card(related + 1)}{card(related + 2)}</section>"""
    description = re.sub("<[^>]+>", "", body)[:150]
    return paper_shell(
        head(PAPER, headline, url, og_type=og_type, description=description, ld=ld), main
    )


def wp_post(url: str, headline: str, body: str, *, kind: str = "Article", free: bool = True) -> str:
    ld = (
        graph(
            WP,
            url,
            headline,
            "WebPage",
            article_node(WP, url, headline, kind=kind, author="Jenny Moss", free=free),
        ),
    )
    main = f"""<article class="post type-post status-publish hentry"><header class="entry-header"><h1 class="entry-title">{headline}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date published" datetime="{DATE}">November 19, 2026</time></span> <span class="byline">by <a href="/author/jenny-moss/">Jenny Moss</a></span></div></header>
<div class="entry-content">{body}<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>{links(["Facebook", "X", "Email"], "/share/")}</div></div>
<footer class="entry-footer"><span class="tags-links">Tagged <a href="/tag/harbour/">harbour</a>, <a href="/tag/council/">council</a></span></footer></article>
<nav class="navigation post-navigation"><div class="nav-previous"><a href="/2026/11/x/">{HEADLINES[9]}</a></div><div class="nav-next"><a href="/2026/11/y/">{HEADLINES[10]}</a></div></nav>
<div id="comments" class="comments-area"><h2 class="comments-title">2 thoughts on this post</h2><ol class="comment-list"><li class="comment"><p>About time too. The old hours were useless for anyone who works.</p></li></ol></div>"""
    return wp_shell(head(WP, headline, url, og_type="article", description=headline, ld=ld), main)


def og_story(url: str, headline: str, body: str) -> str:
    main = f"""<div class="article-header"><span class="label">Local</span><h1>{headline}</h1><div class="meta">By Tom Reyes | 19 Nov 2026</div></div>
{body}
<div class="more-stories"><h3>More stories</h3>{card(0, cls="more-item")}{card(5, cls="more-item")}</div>"""
    return og_shell(head(OG, headline, url, og_type="article", description=headline), main)


def plain_story(headline: str, body: str) -> str:
    main = f"""<font face="Arial"><h2>{headline}</h2><font size="2"><i>Posted Thursday, November 19, 2026</i></font>
{body}<hr><font size="2"><b>Other headlines:</b><br>{"<br>".join(f'<a href="/news/{slug(h)}.html">{h}</a>' for h in HEADLINES[14:18])}</font></font>"""
    return plain_shell(headline, main)


def portal_story(site: Site, url: str, headline: str, body: str, *, declared: bool = True) -> str:
    ld = (
        (
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": headline,
                "datePublished": DATE,
                "mainEntityOfPage": url,
                "author": {"@type": "Organization", "name": site.name},
            },
        )
        if declared
        else ()
    )
    related = "".join(
        f'<li><a href="/news/{n + 20}.html">{h}</a></li>'
        for n, h in enumerate(PORTAL[site.key]["heads"][8:12])
    )
    main = f"""<article class="article-detail"><h1 class="title">{headline}</h1><p class="date">2026-11-19 07:45</p>
<div class="article-text">{body}</div></article><div class="related-news"><ul>{related}</ul></div>"""
    meta = head(site, headline, url, og_type="article" if declared else None, ld=ld)
    if not declared:  # a portal that declares nothing: keywords and description only
        meta = f'<head><meta charset="utf-8"><title>{headline}_{site.name}</title><meta name="keywords" content="{headline}"></head>'
    return portal_shell(site, meta, main)


def live_entries(entries: list[tuple[str, str]], cls: str) -> str:
    return "".join(
        f'<div class="{cls}" id="post-{n}"><time class="{cls}__time">{t}</time><p>{text}</p>'
        f'<div class="{cls}__share"><a href="#post-{n}">Share</a></div></div>'
        for n, (t, text) in enumerate(entries)
    )


def items(entries: list[tuple[str, str]], level: int = 2, numbered: bool = True) -> str:
    return "".join(
        f'<h{level}>{f"{n + 1}. " if numbered else ""}<a href="https://example.org/{slug(name)}">{name}</a></h{level}><p>{text}</p>'
        for n, (name, text) in enumerate(entries)
    )


def photo_story(texts: list[str], captions: list[str]) -> str:
    out = []
    for n, text in enumerate(texts):
        out.append(f"<p>{text}</p>")
        if n < len(captions):
            out.append(figure(captions[n], n))
    return "".join(out)


def div_br(texts: list[str], cls: str) -> str:
    """A body as one <div> of text separated by <br>, as older CMSs write it."""
    return f'<div class="{cls}">' + "<br><br>\n".join(texts) + "</div>"


# --- non-article pages ----------------------------------------------------------------------


def paper_listing(
    url: str, title: str, main: str, page_type: str | None, og_type: str = "website"
) -> str:
    ld = (graph(PAPER, url, title, page_type),) if page_type else ()
    return paper_shell(
        head(PAPER, title, url, og_type=og_type, description=f"{title}: the latest news", ld=ld),
        main,
    )


def wp_archive(
    url: str, title: str, header: str, posts: str, page_type: str, body_class: str
) -> str:
    ld = (graph(WP, url, title, page_type),)
    main = f'<header class="page-header"><h1 class="page-title">{title}</h1>{header}</header>{posts}{pagination(url)}'
    return wp_shell(head(WP, title, url, og_type="website", ld=ld), main, body_class)


def og_listing(url: str, title: str, intro: str, cards: str) -> str:
    main = f'<h1 class="page-title">{title}</h1>{intro}<div class="story-list">{cards}</div><div class="load-more"><a href="?page=2">Load more stories</a></div>'
    return og_shell(head(OG, title, url, og_type="article", description=title), main)


def portal_front(site: Site, url: str, *, declared: bool = True) -> str:
    heads = PORTAL[site.key]["heads"]
    blocks = "".join(
        f'<section class="news-block"><h2><a href="/{label}/">{label}</a></h2><ul class="news-list">'
        + "".join(
            f'<li><a href="/news/{n}{k}.html">{h}</a><span class="time">11/19</span></li>'
            for k, h in enumerate(heads[n::2][:7])
        )
        + "</ul></section>"
        for n, label in enumerate(PORTAL[site.key]["nav"][1:4])
    )
    top = f'<div class="top-news"><a href="/news/top.html"><img src="/img/top.jpg" alt=""><h2>{heads[0]}</h2></a></div>'
    meta = head(
        site,
        site.name,
        url,
        og_type="website",
        ld=({"@context": "https://schema.org", "@type": "WebSite", "url": url, "name": site.name},),
    )
    if not declared:
        meta = f'<head><meta charset="utf-8"><title>{site.name}_新闻门户</title></head>'
    return portal_shell(site, meta, top + blocks)


def paper_front() -> str:
    lead = f'<section class="lead-story">{card(0, cls="lead", level=2)}{links(HEADLINES[1:3], "/news/", "lead__related")}</section>'
    top = (
        '<section class="top-stories"><h2>Top stories</h2>'
        + "".join(card(i) for i in range(3, 9))
        + "</section>"
    )
    blocks = "".join(
        f'<section class="section-block"><h2><a href="/{s.lower()}/">{s}</a></h2>{card(i)}'
        + "".join(card(i + k, summary=False) for k in range(1, 5))
        + "</section>"
        for s, i in (("Business", 9), ("Sport", 14), ("Culture", 19))
    )
    opinion = (
        '<section class="opinion-block"><h2>Opinion</h2><ul>'
        + "".join(
            f'<li><span class="columnist">{name}</span> <a href="/opinion/{slug(h)}">{h}</a></li>'
            for name, h in zip(
                ("Anna Berg", "Kofi Mensah", "Ruth Adler"), HEADLINES[12:15], strict=True
            )
        )
        + "</ul></section>"
    )
    return paper_listing(
        PAPER.url("/"), "News, sport and opinion", lead + top + blocks + opinion, None
    )


def search_results(start: int, n: int = 8) -> str:
    return "".join(
        f'<li class="search-result"><a href="/news/{slug(HEADLINES[i % 24])}"><h3>{HEADLINES[i % 24]}</h3></a>'
        f'<p class="search-result__snippet">... {SUMMARIES[i % 24]} ...</p><span class="date">1{i % 9} November 2026</span></li>'
        for i in range(start, start + n)
    )


def login_form(action: str) -> str:
    return (
        f'<form action="{action}" method="post" class="auth-form"><label>Email address <input type="email" name="email"></label>'
        '<label>Password <input type="password" name="password"></label>'
        '<label><input type="checkbox" name="remember"> Keep me signed in</label><button type="submit">Sign in</button></form>'
        '<p><a href="/account/forgot">Forgot your password?</a></p><p>New here? <a href="/account/register">Create a free account</a></p>'
    )


CONSENT_SHORT = (
    "We use cookies and data to deliver and maintain our services, measure audience engagement "
    "and show personalised ads. Select Accept all to agree, or Reject all to decline. You can "
    "change your choices at any time in the privacy settings."
)
CONSENT_LONG = [
    "We and our 842 partners store and access information on a device, such as cookies, and "
    "process personal data, such as unique identifiers and standard information sent by a device, "
    "for personalised advertising and content, advertising and content measurement, audience "
    "research and services development.",
    "With your permission we and our partners may use precise geolocation data and identification "
    "through device scanning. You may click to consent to our and our partners' processing as "
    "described above. Alternatively you may access more detailed information and change your "
    "preferences before consenting or to refuse consenting.",
    "Please note that some processing of your personal data may not require your consent, but you "
    "have a right to object to such processing. Your preferences will apply to this website only "
    "and you can change them at any time by returning to this site or visiting our privacy policy.",
]


def consent_page(site: Site, url: str, paragraphs: list[str], og_type: str | None) -> str:
    body = (
        f'<div class="consent-wall" role="dialog"><h1>Before you continue to {site.name}</h1>{paras(paragraphs)}'
        '<div class="consent-wall__buttons"><button>Reject all</button><button>Accept all</button>'
        '<a href="/privacy/choices">More options</a></div><p class="consent-wall__links"><a href="/privacy">Privacy policy</a> '
        '<a href="/cookies">Cookie policy</a></p></div>'
    )
    return f'<!DOCTYPE html><html lang="en">{head(site, "Before you continue", url, og_type=og_type)}<body>{body}</body></html>'


# --- the set --------------------------------------------------------------------------------

JA_CAPTIONS = [
    "強風で倒れた街路樹。市内の幹線道路は通行止めが続いている",
    "高潮で浸水した漁港。漁船数隻が岸壁に打ち上げられた",
    "避難所で毛布を配るボランティアの人たち",
    "運休となった新幹線の駅で、運転再開の案内を待つ乗客",
]
LEAGUE = [
    ("1", "Harbour Town", "16", "35"),
    ("2", "Millport", "16", "34"),
    ("3", "Kellmouth Rovers", "15", "29"),
]


def _story_body(texts: list[str], caption: str = PHOTO_CAPTIONS[0]) -> str:
    """Paragraphs with a figure after the first and an inline advertisement after the second."""
    out = [f"<p>{texts[0]}</p>", figure(caption, 0)]
    for n, text in enumerate(texts[1:]):
        out.append(f"<p>{text}</p>")
        if n == 0:
            out.append(
                '<div class="ad-slot"><span>Advertisement</span><div id="div-gpt-ad-1"></div></div>'
            )
    return "".join(out)


def non_articles() -> list[LabelledPage]:
    pages: list[LabelledPage] = []

    def add(
        name: str, kind: str, page: str, url: str, presented_by: str | None, expect: str
    ) -> None:
        pages.append(LabelledPage(name, page, url, presented_by, expect, kind))

    # The big newspaper.
    add(
        "paper_front",
        "home page: lead, top stories, section blocks, opinion",
        paper_front(),
        PAPER.url("/"),
        "front",
        "listing_page",
    )
    url = PAPER.url("/business/")
    section = (
        '<h1 class="section-title">Business</h1><div class="card-grid">'
        + "".join(card(i) for i in range(9, 21))
        + '</div><nav class="pager"><a href="?page=2">2</a> <a href="?page=3">3</a> <a href="?page=2">Next</a></nav>'
    )
    add(
        "paper_section",
        "section page with card grid and pager (CollectionPage)",
        paper_listing(url, "Business", section, "CollectionPage"),
        url,
        "front",
        "listing_page",
    )
    url = PAPER.url("/topics/island-ferries")
    topic = (
        '<h1>Island ferries</h1><p class="topic-intro">The ferries are the only link between the outer islands and the mainland. Here is all our coverage of the service, the contract and the people who depend on it.</p>'
        + "".join(card(i) for i in (0, 18, 14, 3, 6, 19, 20, 23, 11, 5))
    )
    add(
        "paper_topic_sitemap",
        "topic (tag) page with an intro paragraph (CollectionPage)",
        paper_listing(url, "Island ferries", topic, "CollectionPage"),
        url,
        "sitemap",
        "listing_page",
    )
    url = PAPER.url("/authors/maria-jensen")
    author = (
        '<div class="author-profile"><img src="/img/authors/maria-jensen.jpg" alt=""><h1>Maria Jensen</h1><p class="author-role">Islands correspondent</p>'
        "<p>Maria Jensen covers the islands, the ferries and the fishing industry from our office in Milford. She joined the Meridian in 2016 after ten years at a regional news agency.</p>"
        '<a href="https://x.example/mariajensen">Follow Maria on X</a></div><h2>Latest from Maria Jensen</h2>'
        + "".join(card(i) for i in range(0, 24, 2))
    )
    add(
        "paper_author",
        "author page: bio and her latest stories (ProfilePage)",
        paper_listing(url, "Maria Jensen", author, "ProfilePage", "profile"),
        url,
        "front",
        "listing_page",
    )
    url = PAPER.url("/search?q=ferry")
    search = f'<h1>Search results for “ferry”</h1><p class="result-count">About 1,240 results</p><ol class="search-results">{search_results(0, 10)}</ol><nav class="pager"><a href="?q=ferry&amp;page=2">Next page</a></nav>'
    add(
        "paper_search",
        "search results with snippets (SearchResultsPage)",
        paper_listing(url, "Search", search, "SearchResultsPage"),
        url,
        None,
        "listing_page",
    )
    url = PAPER.url("/archive/2026/11/19")
    days = "".join(
        f'<td><a href="/archive/2026/11/{d:02d}">{d}</a></td>'
        + ("</tr><tr>" if (d + 6) % 7 == 0 else "")
        for d in range(1, 31)
    )
    archive = (
        f'<h1>Archive: 19 November 2026</h1><table class="calendar"><caption>November 2026</caption><tr><th>Mo</th><th>Tu</th><th>We</th><th>Th</th><th>Fr</th><th>Sa</th><th>Su</th></tr><tr><td></td><td></td><td></td><td></td><td></td><td></td>{days}</tr></table>'
        + "".join(
            f"<h2>{s}</h2>{links(HEADLINES[i : i + 7])}"
            for s, i in (("News", 0), ("Business", 7), ("Sport", 14))
        )
    )
    add(
        "paper_archive_calendar",
        "archive page: a calendar and the day's headlines (CollectionPage)",
        paper_listing(url, "Archive", archive, "CollectionPage"),
        url,
        "sitemap",
        "listing_page",
    )
    url = PAPER.url("/pictures/2026/11/the-week-in-pictures")
    gallery = (
        '<article class="gallery"><h1>In pictures: the week on the coast</h1><p class="standfirst">The week\'s news, selected by our picture desk.</p><div class="gallery-slides">'
        + "".join(figure(c, n) for n, c in enumerate(GALLERY_CAPTIONS))
        + "</div></article>"
    )
    add(
        "paper_gallery",
        "photo gallery, captions in <figcaption> (ImageGallery)",
        paper_listing(
            url, "In pictures: the week on the coast", gallery, "ImageGallery", "article"
        ),
        url,
        "feed",
        "media_page",
    )
    url = PAPER.url("/pictures/2026/11/storm-ingrid-in-pictures")
    slides = "".join(
        f'<div class="gallery-slide"><img src="/img/slide-{n}.jpg" alt=""><p class="slide-text">{c}</p><p class="slide-credit">Photo: Lars Holm</p></div>'
        for n, c in enumerate(GALLERY_CAPTIONS)
    )
    add(
        "paper_gallery_p_captions",
        "photo gallery, captions in <p> (ImageGallery)",
        paper_listing(
            url,
            "Storm Ingrid in pictures",
            f'<article class="gallery"><h1>Storm Ingrid in pictures</h1>{slides}</article>',
            "ImageGallery",
            "article",
        ),
        url,
        "feed",
        "media_page",
    )
    url = PAPER.url("/video/2026/11/waves-over-the-harbour-wall")
    video_ld = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": "Waves break over the harbour wall",
        "mainEntityOfPage": url,
        "description": "Storm Ingrid in Milford",
        "thumbnailUrl": PAPER.url("/img/v.jpg"),
        "uploadDate": DATE,
        "duration": "PT1M12S",
        "contentUrl": "https://media.meridian-news.test/v/8812.mp4",
        "embedUrl": "https://player.meridian-news.test/embed/8812",
    }
    video = (
        '<article class="video-page"><div class="video-player"><iframe src="https://player.meridian-news.test/embed/8812" allowfullscreen></iframe></div>'
        '<h1>Watch: waves break over the harbour wall in Milford</h1><p class="video-caption">Storm Ingrid sent waves crashing over the harbour wall in Milford on Tuesday evening, flooding the streets of the old town. Video: Meridian reader</p></article>'
    )
    add(
        "paper_video",
        "video page with a caption (VideoObject, og:type=video.other)",
        paper_shell(
            head(
                PAPER,
                "Watch: waves break over the harbour wall",
                url,
                og_type="video.other",
                ld=(video_ld,),
            ),
            video,
        ),
        url,
        "feed",
        "media_page",
    )
    url = PAPER.url("/account/login")
    login = f'<div class="auth-page"><h1>Sign in to {PAPER.name}</h1><p>Sign in to manage your subscription, newsletters and saved articles.</p>{login_form("/account/login")}</div>'
    add(
        "paper_login",
        "sign-in page (og:type=website)",
        paper_shell(head(PAPER, "Sign in", url, og_type="website"), login, rail=False),
        url,
        "front",
        "login_page",
    )
    offer = (
        '<div class="piano-offer subscribe-wall"><h2>Subscribe to keep reading</h2><p>Get unlimited access to The Daily Meridian from 1 euro a week. Cancel anytime.</p>'
        '<a href="/subscribe">Subscribe now</a> <a href="/account/login">Already a subscriber? Sign in</a></div>'
    )
    url = PAPER.url("/news/2026/11/19/water-company-fined-record-sum")
    headline, texts = STORIES["sewage"]
    add(
        "paper_paywall_1para",
        "paywall stub: one paragraph then the offer (isAccessibleForFree false)",
        paper_story(
            url, headline, f'<p>{texts[0]}</p><div class="paywalled">{offer}</div>', free=False
        ),
        url,
        "feed",
        "paywall_stub",
    )
    url = PAPER.url("/news/2026/11/19/mayor-defends-budget")
    headline, texts = STORIES["budget"]
    add(
        "paper_paywall_2para",
        "paywall stub: standfirst, two paragraphs, the offer (isAccessibleForFree false)",
        paper_story(
            url,
            headline,
            f'{paras(texts[:2])}<div class="paywalled">{offer}</div>',
            free=False,
            standfirst="The city can afford a pool and a tram line, the mayor says.",
        ),
        url,
        "sitemap",
        "paywall_stub",
    )
    url = PAPER.url("/news/2026/11/ferry-timetable-changes-old")
    missing = (
        '<div class="error-page"><h1>Page not found</h1><p>Sorry, we couldn\'t find the page you were looking for. It may have been moved or deleted.</p>'
        f'<form class="search-form" action="/search"><input type="search" name="q"></form><p>Try our <a href="/">homepage</a> or one of these sections:</p>{links(SECTIONS, "/")}</div>'
    )
    add(
        "paper_404",
        "soft 404: page not found, search box, section links",
        paper_shell(head(PAPER, "Page not found", url), missing),
        url,
        None,
        "too_short",
    )
    url = PAPER.url("/news/2026/11/19/rail-strike-called-off")
    add(
        "paper_cookie_wall_tcf",
        "consent wall (TCF text, three paragraphs) instead of the article",
        consent_page(PAPER, url, CONSENT_LONG, None),
        url,
        "feed",
        "cookie_wall",
    )
    url = PAPER.url("/politics/2026/11/19/committee-questions-minister")
    add(
        "paper_cookie_wall_short",
        "consent wall (one paragraph) instead of the article",
        consent_page(PAPER, url, [CONSENT_SHORT], "website"),
        url,
        "front",
        "cookie_wall",
    )

    # The WordPress blog (Yoast's @graph).
    url = WP.url("/")
    home = "".join(wp_excerpt(i) for i in range(10)) + pagination("/")
    add(
        "wp_home",
        "blog home: ten excerpts with 'Continue reading' (CollectionPage)",
        wp_shell(
            head(
                WP,
                "Local news for Harbour Town",
                url,
                og_type="website",
                ld=(graph(WP, url, WP.name, "CollectionPage"),),
            ),
            home,
            "home blog",
        ),
        url,
        "front",
        "listing_page",
    )
    url = WP.url("/category/council/")
    add(
        "wp_category",
        "category archive with description and excerpts (CollectionPage)",
        wp_archive(
            url,
            "Category: Council",
            '<div class="archive-description"><p>Everything from the town hall: meetings, budgets and elections.</p></div>',
            "".join(wp_excerpt(i) for i in range(3, 13)),
            "CollectionPage",
            "archive category",
        ),
        url,
        "sitemap",
        "listing_page",
    )
    url = WP.url("/tag/ferry/")
    add(
        "wp_tag",
        "tag archive, titles only (CollectionPage)",
        wp_archive(
            url,
            "Tag: ferry",
            "",
            "".join(wp_excerpt(i, excerpt=False) for i in range(0, 20, 2)),
            "CollectionPage",
            "archive tag",
        ),
        url,
        "front",
        "listing_page",
    )
    url = WP.url("/author/jenny-moss/")
    add(
        "wp_author",
        "author archive with bio and excerpts (ProfilePage)",
        wp_archive(
            url,
            "Author: Jenny Moss",
            f'<div class="archive-description"><p>{AUTHOR_BIO}</p></div>',
            "".join(wp_excerpt(i) for i in range(6, 14)),
            "ProfilePage",
            "archive author",
        ),
        url,
        "sitemap",
        "listing_page",
    )
    url = WP.url("/?s=ferry")
    add(
        "wp_search",
        "search results with excerpts (SearchResultsPage)",
        wp_archive(
            url,
            "Search Results for: ferry",
            "",
            "".join(wp_excerpt(i) for i in (0, 18, 14, 3, 6)),
            "SearchResultsPage",
            "search search-results",
        ),
        url,
        "front",
        "listing_page",
    )
    url = WP.url("/2026/10/")
    calendar = (
        '<table id="wp-calendar" class="wp-calendar-table"><caption>October 2026</caption><tbody><tr>'
        + "".join(
            f'<td><a href="/2026/10/{d:02d}/">{d}</a></td>' + ("</tr><tr>" if d % 7 == 0 else "")
            for d in range(1, 32)
        )
        + "</tr></tbody></table>"
    )
    add(
        "wp_month_archive",
        "monthly archive: calendar and titles only (CollectionPage)",
        wp_archive(
            url,
            "Month: October 2026",
            calendar,
            "".join(wp_excerpt(i, excerpt=False) for i in range(4, 20)),
            "CollectionPage",
            "archive date",
        ),
        url,
        "front",
        "listing_page",
    )
    url = WP.url("/2026/11/drone-footage-harbour-wall/")
    embed = (
        '<figure class="wp-block-embed is-type-video is-provider-youtube"><div class="wp-block-embed__wrapper"><iframe src="https://www.youtube.com/embed/dQw4harbour" allowfullscreen></iframe></div>'
        "<figcaption>Drone footage of the harbour wall after the storm.</figcaption></figure><p>Drone footage shows the damage Storm Ingrid did to the harbour wall overnight. Video: Harbour Town Herald</p>"
    )
    add(
        "wp_video_embed",
        "video post: an embedded video and a one-line caption",
        wp_post(url, "Video: the harbour wall after the storm", embed),
        url,
        "front",
        "too_short",
    )
    url = WP.url("/2026/11/mayor-defends-budget/")
    headline, texts = STORIES["budget"]
    restricted = '<div class="leaky-paywall-message-wrap"><div id="leaky-paywall-content-restricted-message">This content is for subscribers only. <a href="/subscribe/">Subscribe</a> or <a href="/login/">log in</a> to read the rest.</div></div>'
    add(
        "wp_paywall",
        "paywall stub on a blog: two paragraphs then the plugin's message",
        wp_post(url, headline, paras(texts[:2]) + restricted, kind="NewsArticle", free=False),
        url,
        "front",
        "paywall_stub",
    )
    url = WP.url("/2026/11/committee-vote/")
    add(
        "wp_cookie_wall",
        "consent wall (one paragraph) in place of a post",
        consent_page(WP, url, [CONSENT_SHORT], None),
        url,
        "feed",
        "cookie_wall",
    )

    # The site that calls every page og:type=article.
    fronts = "".join(card(i, cls="story-card") for i in range(12))
    add(
        "og_front",
        "home page of teaser cards (og:type=article)",
        og_listing(OG.url("/"), "News for Milford and the coast", "", fronts),
        OG.url("/"),
        "front",
        "listing_page",
    )
    add(
        "og_section",
        "sport section of teaser cards (og:type=article)",
        og_listing(
            OG.url("/sport"), "Sport", "", "".join(card(i, cls="story-card") for i in range(10, 22))
        ),
        OG.url("/sport"),
        "front",
        "listing_page",
    )
    add(
        "og_tag",
        "tag page with a one-line intro (og:type=article)",
        og_listing(
            OG.url("/tag/ferries"),
            "Ferries",
            '<p class="tag-intro">All our coverage of the island ferry service.</p>',
            "".join(card(i, cls="story-card") for i in (0, 18, 14, 3, 6, 19, 20, 23)),
        ),
        OG.url("/tag/ferries"),
        "sitemap",
        "listing_page",
    )
    author = '<p class="author-intro">Tom Reyes is our chief reporter, covering courts, councils and the coast. He joined Coastline Today in 2018 from the Valley Courier.</p>'
    add(
        "og_author",
        "author page with a short bio (og:type=article)",
        og_listing(
            OG.url("/author/tom-reyes"),
            "Tom Reyes",
            author,
            "".join(card(i, cls="story-card") for i in range(1, 20, 2)),
        ),
        OG.url("/author/tom-reyes"),
        "front",
        "listing_page",
    )
    url = OG.url("/gallery/storm-ingrid-hits-the-coast")
    photos = (
        '<div class="article-header"><h1>Gallery: Storm Ingrid hits the coast</h1></div><p>Pictures from our photographers and readers.</p><div class="gallery">'
        + "".join(figure(c, n) for n, c in enumerate(GALLERY_CAPTIONS[:6]))
        + "</div>"
    )
    add(
        "og_gallery",
        "photo gallery, captions only (og:type=article)",
        og_shell(head(OG, "Gallery: Storm Ingrid hits the coast", url, og_type="article"), photos),
        url,
        "feed",
        "too_short",
    )
    url = OG.url("/news/ferry-contract-review")
    wall = f'<div class="article-header"><h1>{HEADLINES[0]}</h1></div><div class="regwall"><p>This article is for registered readers. Sign in or register for free to keep reading.</p>{login_form("/login")}</div>'
    add(
        "og_login_wall",
        "registration wall in place of the article, with a password field",
        og_shell(head(OG, HEADLINES[0], url, og_type="article"), wall),
        url,
        "feed",
        "login_page",
    )
    url = OG.url("/news/old-harbour-plan")
    missing = '<h1>Page not found</h1><p>The page you requested could not be found. It may have been removed, or the link may be wrong.</p><p><a href="/">Go to the homepage</a></p>'
    add(
        "og_404",
        "soft 404 (og:type=article)",
        og_shell(head(OG, "Page not found", url, og_type="article"), missing),
        url,
        "feed",
        "too_short",
    )

    # The site with no structured data at all.
    blocks = "".join(
        f"<h3>{s}</h3>"
        + "".join(
            f'<p><b><a href="/news/{slug(HEADLINES[i])}.html">{HEADLINES[i]}</a></b><br>{SUMMARIES[i]}</p>'
            for i in range(k, k + 5)
        )
        for s, k in (("Local News", 0), ("Business", 8), ("Sports", 14))
    )
    add(
        "plain_front",
        "table-layout home page: headlines with one-line summaries",
        plain_shell("Home", f'<font face="Arial">{blocks}</font>'),
        PLAIN.url("/"),
        None,
        "listing_page",
    )
    sports = (
        "<h2>Sports</h2><ul>"
        + "".join(
            f'<li><a href="/sports/{slug(h)}.html">{h}</a> <font size="1">(Nov. {19 - n})</font></li>'
            for n, h in enumerate(HEADLINES[10:22])
        )
        + "</ul>"
    )
    add(
        "plain_section",
        "table-layout section page: a list of headlines",
        plain_shell("Sports", sports),
        PLAIN.url("/sports.html"),
        "front",
        "listing_page",
    )
    nothing = '<h2>Search</h2><form action="/search.html"><input name="q" value="ferry strike"><input type="submit" value="Go"></form><p>Your search for <b>ferry strike</b> returned no results. Please check your spelling or try different keywords.</p>'
    add(
        "plain_search_empty",
        "search page with no results",
        plain_shell("Search", nothing),
        PLAIN.url("/search.html?q=ferry+strike"),
        None,
        "too_short",
    )

    # Japanese, Chinese and Thai portals.
    add(
        "jp_front",
        "Japanese portal home: headline lists",
        portal_front(JP, JP.url("/")),
        JP.url("/"),
        "front",
        "listing_page",
    )
    url = JP.url("/tag/台風/")
    tag = (
        '<h1 class="tag-title">タグ：台風</h1><ul class="news-list">'
        + "".join(
            f'<li><span class="date">11月{19 - n}日</span><a href="/news/{n}.html">{h}</a></li>'
            for n, h in enumerate(JA_HEADLINES)
        )
        + "</ul>"
    )
    add(
        "jp_tag",
        "Japanese tag page: dated headlines",
        portal_shell(JP, head(JP, "タグ：台風", url, og_type="website"), tag),
        url,
        "front",
        "listing_page",
    )
    url = JP.url("/photo/20261111-typhoon.html")
    photos = "<p>台風十四号の被害の様子を写真で伝える。</p>" + "".join(
        figure(c, n, "撮影・東邦新報") for n, c in enumerate(JA_CAPTIONS)
    )
    add(
        "jp_gallery",
        "Japanese photo gallery, captions only (NewsArticle)",
        portal_story(JP, url, "【写真特集】台風十四号の爪痕", photos),
        url,
        "feed",
        "too_short",
    )
    add(
        "cn_front",
        "Chinese portal home: headline lists, no declarations",
        portal_front(CN, CN.url("/"), declared=False),
        CN.url("/"),
        "front",
        "listing_page",
    )
    channel = (
        '<div class="channel"><h1>财经</h1><ul class="list">'
        + "".join(
            f'<li><a href="/finance/{n}.html">{h}</a><span>2026-11-{19 - n % 9:02d}</span></li>'
            for n, h in enumerate(ZH_HEADLINES)
        )
        + '</ul><div class="page"><a>1</a> <a href="?p=2">2</a> <a href="?p=3">3</a> <a href="?p=2">下一页</a></div></div>'
    )
    add(
        "cn_channel",
        "Chinese channel page: dated headlines and pager, no declarations",
        portal_shell(
            CN, '<head><meta charset="utf-8"><title>财经频道_华南观察网</title></head>', channel
        ),
        CN.url("/finance/"),
        None,
        "listing_page",
    )
    add(
        "th_front",
        "Thai portal home: headline lists",
        portal_front(TH, TH.url("/")),
        TH.url("/"),
        "sitemap",
        "listing_page",
    )
    url = TH.url("/video/20261119-flood")
    clip = '<div class="video-player"><iframe src="https://player.khaonuea.test/embed/551" allowfullscreen></iframe></div><h1>คลิป: น้ำป่าไหลหลากเข้าท่วมหมู่บ้านในอำเภอแม่แตง</h1><p>ภาพจากผู้ชมทางบ้าน</p>'
    add(
        "th_video",
        "Thai video page with a caption (og:type=video.other)",
        portal_shell(TH, head(TH, "คลิป: น้ำป่าไหลหลาก", url, og_type="video.other"), clip),
        url,
        "feed",
        "media_page",
    )
    return pages


def articles() -> list[LabelledPage]:
    pages: list[LabelledPage] = []

    def add(
        name: str,
        kind: str,
        page: str,
        url: str,
        presented_by: str | None,
        present: str,
        *absent: str,
    ) -> None:
        assert present in page.replace("&#x27;", "'"), name
        pages.append(LabelledPage(name, page, url, presented_by, "article", kind, present, absent))

    paper_absent = (HEADLINES[11], SUMMARIES[11], HEADLINES[19], PAPER.cookie)

    # The big newspaper.
    url = PAPER.url("/news/2026/11/19/ferry-operator-cancels-winter-crossings")
    headline, texts = STORIES["ferry"]
    add(
        "paper_news",
        "news story (NewsArticle in @graph)",
        paper_story(
            url, headline, _story_body(texts), standfirst="Islanders fear being cut off for days."
        ),
        url,
        "sitemap",
        texts[2][:80],
        *paper_absent,
        PHOTO_CAPTIONS[0],
    )
    url = PAPER.url("/news/2026/11/19/rail-strike-called-off")
    headline, texts = BRIEFS["rail"]
    add(
        "paper_brief",
        "wire brief of 55 words",
        paper_story(url, headline, paras(texts)),
        url,
        "feed",
        texts[1][:40],
        *paper_absent,
    )
    url = PAPER.url("/news/live/2026/11/19/storm-ingrid-live")
    body = (
        '<p class="live-intro">Follow the latest as Storm Ingrid crosses the north.</p>'
        + live_entries(STORM_LIVE, "live-post")
    )
    add(
        "paper_liveblog",
        "live blog: twelve timestamped entries, some with links (LiveBlogPosting)",
        paper_story(url, "Storm Ingrid: live updates", body, kind="LiveBlogPosting"),
        url,
        "front",
        STORM_LIVE[3][1][:60],
        *paper_absent,
    )
    url = PAPER.url("/travel/2026/11/best-cafes-coast-road")
    body = (
        "<p>From fishermen's breakfasts to cardamom buns, these are the places our readers recommend most along the coast road.</p>"
        + items(CAFES)
    )
    add(
        "paper_listicle",
        "listicle: eight linked items with a line each",
        paper_story(
            url, "Eight cafés worth the drive along the coast road", body, section="Travel"
        ),
        url,
        "feed",
        CAFES[4][1][:50],
        *paper_absent,
    )
    url = PAPER.url("/news/2026/11/life-on-skarra")
    add(
        "paper_photostory",
        "photo story: five paragraphs between four captioned photographs",
        paper_story(
            url,
            "Life on Skarra, the island that waits for the ferry",
            photo_story(PHOTO_STORY, PHOTO_CAPTIONS),
        ),
        url,
        "feed",
        PHOTO_STORY[2][:70],
        *paper_absent,
        PHOTO_CAPTIONS[1],
    )
    url = PAPER.url("/opinion/2026/11/ferry-cuts-islands")
    add(
        "paper_opinion",
        "opinion piece with many inline links (OpinionNewsArticle)",
        paper_story(
            url,
            "The ferry cuts show how little the islands matter",
            paras(OPINION),
            kind="OpinionNewsArticle",
            section="Opinion",
            author="Ruth Adler",
        ),
        url,
        "front",
        OPINION[2][:60],
        *paper_absent,
    )
    url = PAPER.url("/news/2026/11/19/morning-briefing")
    body = (
        "<p>Good morning. Here is what you need to know on Thursday, from the storm on the coast to the decision at the central bank.</p>"
        + items(BRIEFING, level=3, numbered=False)
    )
    add(
        "paper_roundup",
        "morning briefing: six linked headlines with a line each (NewsArticle)",
        paper_story(url, "Morning briefing: what you need to know on Thursday", body),
        url,
        "front",
        BRIEFING[2][1][:50],
        *paper_absent,
    )
    url = PAPER.url("/business/2026/11/19/central-bank-holds-rates")
    headline, texts = BRIEFS["rates"]
    add(
        "paper_website_brief",
        "brief of 60 words, og:type=website, no JSON-LD",
        paper_story(url, headline, paras(texts), kind=None, og_type="website", section="Business"),
        url,
        "feed",
        texts[1][:40],
        *paper_absent,
    )
    url = PAPER.url("/news/2026/11/19/hospital-overnight-clinic")
    headline, texts = STORIES["hospital"]
    add(
        "paper_website_story",
        "news story, og:type=website, no JSON-LD",
        paper_story(url, headline, _story_body(texts), kind=None, og_type="website"),
        url,
        "front",
        texts[3][:60],
        *paper_absent,
    )
    url = PAPER.url("/travel/2026/11/coast-road-cafes")
    body = (
        "<p>Our readers sent us more than 300 suggestions. These are the eight places they recommended most often.</p>"
        + items(CAFES)
    )
    add(
        "paper_website_listicle",
        "listicle of eight linked items, og:type=website, no JSON-LD",
        paper_story(
            url,
            "Readers' choice: the coast road's best cafés",
            body,
            kind=None,
            og_type="website",
            section="Travel",
        ),
        url,
        "front",
        CAFES[6][1][:50],
        *paper_absent,
    )
    url = PAPER.url("/news/2026/11/19/evening-roundup")
    body = (
        "<p>Good evening. The storm, the strike that was called off and a record fine: here is the day in six stories.</p>"
        + items(BRIEFING, level=3, numbered=False)
    )
    add(
        "paper_website_roundup",
        "evening roundup: six linked headlines with a line each, og:type=website, no JSON-LD",
        paper_story(url, "The day in six stories", body, kind=None, og_type="website"),
        url,
        "front",
        BRIEFING[5][1][:50],
        *paper_absent,
    )
    url = PAPER.url("/news/2026/11/19/interview-ruth-calder")
    add(
        "paper_interview",
        "Q&A interview in short paragraphs",
        paper_story(
            url,
            "'The islands should not pay for the company's problem'",
            paras(INTERVIEW),
            standfirst="Ruth Calder has run the shop on Skarra for thirty years.",
        ),
        url,
        "feed",
        INTERVIEW[3][:50],
        *paper_absent,
    )

    # The WordPress blog.
    wp_absent = (HEADLINES[9], HEADLINES[8], WP.cookie, "About time too")
    url = WP.url("/2026/11/museum-reopens/")
    headline, texts = STORIES["museum"]
    add(
        "wp_post",
        "blog post with sidebar widgets and comments",
        wp_post(url, headline, paras(texts)),
        url,
        "front",
        texts[2][:60],
        *wp_absent,
    )
    url = WP.url("/2026/11/library-sunday-opening/")
    headline, texts = BRIEFS["library"]
    add(
        "wp_brief",
        "brief of 65 words",
        wp_post(url, headline, paras(texts)),
        url,
        "feed",
        texts[1][:50],
        *wp_absent,
    )
    url = WP.url("/2026/11/harbour-ward-by-election-live/")
    add(
        "wp_liveblog",
        "live updates from a count, entries with links (LiveBlogPosting)",
        wp_post(
            url,
            "Harbour Ward by-election: live",
            live_entries(COUNT_LIVE, "liveblog-entry"),
            kind="LiveBlogPosting",
        ),
        url,
        "feed",
        COUNT_LIVE[3][1][:60],
        *wp_absent,
    )
    url = WP.url("/2026/11/harbour-town-go-top/")
    table = (
        '<table class="league-table"><thead><tr><th>Pos</th><th>Team</th><th>P</th><th>Pts</th></tr></thead><tbody>'
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in LEAGUE)
        + "</tbody></table>"
    )
    add(
        "wp_match_report",
        "match report with a league table",
        wp_post(url, "Harbour Town edge past Millport to go top", paras(MATCH) + table),
        url,
        "front",
        MATCH[2][:60],
        *wp_absent,
    )
    url = WP.url("/2026/11/shipyard-order/")
    headline, texts = STORIES["shipyard"]
    add(
        "wp_post_unknown_origin",
        "blog post found with no known origin",
        wp_post(url, headline, paras(texts)),
        url,
        None,
        texts[1][:60],
        *wp_absent,
    )

    # Japanese, Chinese and Thai.
    portal_absent = (JA_HEADLINES[8], JA_HEADLINES[0])
    url = JP.url("/news/20261110-typhoon.html")
    add(
        "jp_story",
        "Japanese news story",
        portal_story(JP, url, "台風十四号、九州南部に接近　鹿児島で2万世帯停電", paras(JA_STORY)),
        url,
        "front",
        JA_STORY[2][:30],
        *portal_absent,
    )
    url = JP.url("/news/20261120-flu.html")
    add(
        "jp_brief",
        "Japanese brief of 130 characters",
        portal_story(JP, url, "インフルエンザ患者、前週比3割増", f"<p>{JA_BRIEF}</p>"),
        url,
        "feed",
        JA_BRIEF[40:70],
        *portal_absent,
    )
    url = JP.url("/news/20261022-jidai.html")
    add(
        "jp_festival",
        "Japanese story with a photograph",
        portal_story(
            JP,
            url,
            "時代祭、三年ぶりに全行列復活",
            f"<p>{JA_FESTIVAL[0]}</p>" + figure(JA_CAPTIONS[2], 1) + paras(JA_FESTIVAL[1:]),
        ),
        url,
        "sitemap",
        JA_FESTIVAL[1][:30],
        *portal_absent,
    )
    url = CN.url("/news/2026-11/19/metro.html")
    add(
        "cn_metro",
        "Chinese news story, no declarations",
        portal_story(CN, url, "广州将投资千亿扩建地铁网络", paras(ZH_METRO), declared=False),
        url,
        "front",
        ZH_METRO[1][:30],
        ZH_HEADLINES[8],
        ZH_HEADLINES[0],
    )
    url = CN.url("/news/2026-11/18/dolphin.html")
    add(
        "cn_dolphin",
        "Chinese short story, no declarations",
        portal_story(CN, url, "珠江口中华白海豚数量创十年新高", paras(ZH_DOLPHIN), declared=False),
        url,
        "feed",
        ZH_DOLPHIN[1][:30],
        ZH_HEADLINES[8],
        ZH_HEADLINES[0],
    )
    url = TH.url("/news/20261119-rain")
    add(
        "th_flood",
        "Thai news story",
        portal_story(TH, url, "เตือนภาคเหนือฝนตกหนักถึงหนักมาก", paras(TH_FLOOD)),
        url,
        "feed",
        TH_FLOOD[1][:40],
        TH_HEADLINES[8],
        TH_HEADLINES[0],
    )
    url = TH.url("/news/20261116-park")
    add(
        "th_park",
        "Thai short story",
        portal_story(TH, url, "กทม. เปิดสวนสาธารณะริมเจ้าพระยา", paras(TH_PARK)),
        url,
        "front",
        TH_PARK[1][:40],
        TH_HEADLINES[8],
        TH_HEADLINES[0],
    )

    # The site with no structured data.
    plain_absent = (HEADLINES[15], "Serving the Elm Valley since 1954")
    headline, texts = BRIEFS["landslide"]
    add(
        "plain_brief",
        "brief of 50 words, no declarations",
        plain_story(headline, paras(texts)),
        PLAIN.url("/news/landslide.html"),
        "sitemap",
        texts[0][60:120],
        *plain_absent,
    )
    headline, texts = STORIES["budget"]
    add(
        "plain_story",
        "news story, no declarations",
        plain_story(headline, paras(texts)),
        PLAIN.url("/news/budget.html"),
        "front",
        texts[3][:60],
        *plain_absent,
    )
    headline, texts = STORIES["drought"]
    add(
        "plain_div_br",
        "story in one <div> with <br> breaks, no declarations",
        plain_story(headline, div_br(texts, "storytext")),
        PLAIN.url("/news/drought.html"),
        None,
        texts[2][:60],
        *plain_absent,
    )
    entries = "".join(f"<p><b>{t}</b> {text}</p>" for t, text in STORM_LIVE)
    add(
        "plain_liveblog",
        "live updates with bold times, no declarations",
        plain_story("Storm Ingrid: updates as they happen", entries),
        PLAIN.url("/news/storm-live.html"),
        "front",
        STORM_LIVE[6][1][:50],
        *plain_absent,
    )

    # The site that calls every page og:type=article.
    og_absent = (HEADLINES[0], SUMMARIES[0], HEADLINES[3], "Milford 9°C, showers", OG.cookie)
    url = OG.url("/news/offshore-wind-farm-approved")
    headline, texts = STORIES["windfarm"]
    add(
        "og_story",
        "news story",
        og_story(url, headline, paras(texts)),
        url,
        "front",
        texts[1][:60],
        *og_absent,
    )
    url = OG.url("/news/hikers-rescued-kettle-ridge")
    headline, texts = BRIEFS["hikers"]
    add(
        "og_brief",
        "brief of 45 words",
        og_story(url, headline, paras(texts)),
        url,
        "sitemap",
        texts[0][:50],
        *og_absent,
    )
    url = OG.url("/news/estuary-water-fined")
    headline, texts = STORIES["sewage"]
    add(
        "og_div_br",
        "story in one <div> with <br> breaks",
        og_story(url, headline, div_br(texts, "article-text")),
        url,
        "front",
        texts[1][:60],
        *og_absent,
    )
    url = OG.url("/news/shipyard-in-pictures")
    headline, texts = STORIES["shipyard"]
    add(
        "og_photostory",
        "photo story: paragraphs between captioned photographs",
        og_story(
            url,
            "Inside the shipyard that won the polar order",
            photo_story(texts, GALLERY_CAPTIONS[2:6]),
        ),
        url,
        "front",
        texts[3][:60],
        *og_absent,
        GALLERY_CAPTIONS[2],
    )
    url = OG.url("/whats-on/things-to-do-this-weekend")
    body = (
        "<p>Markets, music and seal pups: here is our pick of what is happening along the coast this weekend.</p>"
        + items(WEEKEND, level=3)
    )
    add(
        "og_listicle",
        "listicle: six linked events with a line each",
        og_story(url, "Six things to do on the coast this weekend", body),
        url,
        "front",
        WEEKEND[3][1][:50],
        *og_absent,
    )
    return pages


def labelled_pages() -> list[LabelledPage]:
    """Every page of the set: the non-articles, then the articles."""
    pages = non_articles() + articles()
    names = [page.name for page in pages]
    assert len(names) == len(set(names)), "page names must be unique"
    return pages
