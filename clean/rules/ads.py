"""Ads, sponsored labels, stock-pitch promos and newsletter blurbs.

These lines sell something to the reader rather than report. The cues are the fixed labels ad servers
and CMSs print ("Advertisement", "Anzeige") and the imperative sales phrases of promo boxes ("Read more
here", "free analysis", "Sign up for our newsletter"). Plain prose about advertising or newsletters
must survive, hence the counterexamples.
"""

from __future__ import annotations

from clean.rules.base import LineRule, words

_AD_LABELS = words(
    "advertisement",
    "advertisements",
    "advertising",
    "advert",
    "ad",
    "ads",
    "sponsored",
    "sponsored content",
    "sponsored by",
    "paid content",
    "paid post",
    "promoted",
    "promoted content",
    "partner content",
    "anzeige",
    "werbung",
    "publicidad",
    "publicité",
    "pubblicità",
    "reclame",
    "advertentie",
    "annons",
    "реклама",
    "広告",
    "广告",
    "story continues below advertisement",
    "article continues below advertisement",
    "article continues below",
    "story continues below",
    "continue reading below",
    "content continues below",
    "scroll to continue with content",
    "skip ad",
    "ad feedback",
    "report this ad",
    "remove ads",
    "close ad",
    "advertise with us",
)

RULES = (
    LineRule(
        name="ad.label_v1",
        kind="ad",
        reason="a label an ad server or CMS prints where an ad sits",
        pattern=rf"[-–—\[\(|*\s]*{_AD_LABELS}[-–—\]\)|*:\s]*",
        examples=(
            "Advertisement",
            "Ad",
            "- Advertisement -",
            "ADVERTISEMENT",
            "Anzeige",
            "Story continues below advertisement",
            "[Ad]",
            "Sponsored Content",
            "Scroll to continue with content",
        ),
        counterexamples=(
            "The ad market grew 8% in May.",
            "Advertising revenue rose 8%, the company said.",
            "Ad spending slowed in the third quarter.",
        ),
    ),
    LineRule(
        name="disclosure.affiliate_v1",
        languages=("en",),
        kind="disclosure",
        reason="a disclosure that the page's shopping links earn the outlet a commission",
        cues=("commission", "share of the sale", "affiliate", "compensat"),
        pattern=r"(?:\b(?:if|when) you (?:buy|purchase|click|shop|sign up)\b.{0,160}"
        r"\b(?:commissions?|share of the sale|affiliate|compensat\w*)\b|"
        r"\b(?:contains?|uses?|includes?|may (?:contain|include)) affiliate links?\b|"
        r"\b(?:commissions?|share of the sale|compensat\w*|affiliate)\b.{0,80}"
        r"\b(?:if|when) you (?:buy|purchase|click|shop)\b)",
        search=True,
        max_words=60,
        examples=(
            "If you buy something through this post, IGN may get a share of the sale. For more, learn more.",
            "Sometimes we include links to online retail stores. If you click on one and make a purchase we may "
            "receive a small commission.",
            "This article contains affiliate links.",
            "We may earn a commission when you buy through links on our site.",
        ),
        counterexamples=(
            "The planning commission said it would decide on the tower in March.",
            "Amazon cut the commission it pays affiliate sites in April, the company said.",
        ),
    ),
    LineRule(
        name="promo.stock_pitch_v1",
        languages=("en",),  # English sales phrasing; loanwords ("free report") occur in other languages' prose
        cues=("buy", "sell", "free", "urgent", "find out", "read more", "stock"),
        kind="promo",
        reason="a stock-tip sales pitch (buy-or-sell teaser, free analysis offer) inserted in financial news",
        pattern=r"(?:\b(?:buy|sell) or (?:buy|sell)\s*\?|\bfree (?:stock )?(?:analysis|report|guide)\b|"
        r"\burgent action needed for\b|\bfind out what to do now\b|\bstock advisor\b|"
        r"\b(?:\d+|ten|five|three) stocks? (?:to buy|we like better)\b|"
        r"\bbefore you (?:buy|consider) (?:stock in|shares of)\b)",
        search=True,
        max_words=60,
        examples=(
            "Tesla Stock: Buy or Sell?! New Tesla Analysis from March 4 delivers the answer:",
            "Siemens: Buy or sell? Read more here...",
            "Urgent action needed for Tesla investors. Find out what to do now in the current free analysis.",
            "Before you buy stock in Nvidia, consider this:",
            "10 stocks we like better than Walmart",
        ),
        counterexamples=(
            "Analysts were split on whether to buy or sell the stock after the report.",
            "The company said the free trial period would end in March for most users of the app.",
            "Investors should read the filing closely, one analyst said.",
            "We need urgent action to help people, especially children, avoid the less healthy options.",
            "Read more here",
        ),
    ),
    LineRule(
        name="promo.should_you_buy_v1",
        languages=("en",),  # English sales phrasing; loanwords ("free report") occur in other languages' prose
        kind="promo",
        reason="a teaser question asking the reader whether to buy or sell a stock",
        pattern=r"(?=.*\b(?:buy|sell|invest|stock|shares)\w*)(?:(?:should|is it|are|is now)\b[^?.!]{0,90}\?\s*)"
        r"(?:(?:or|and)\b[^?.!]{0,90}\?\s*)*",
        examples=(
            "Should investors sell immediately? Or is it worth buying Alibaba?",
            "Should you invest $1,000 in Nvidia right now?",
            "Is it time to buy Apple stock?",
        ),
        counterexamples=(
            "Should you buy now? Analysts disagree, and the company's guidance was cut twice this year.",
            "Should regulators step in?",
            "Is it worth the wait?",
        ),
    ),
    LineRule(
        name="newsletter.signup_v1",
        cues=("newsletter", "inbox", "mail", "sign", "subscrib", "thank", "every", "each", "want more"),
        kind="newsletter",
        reason="a newsletter or e-mail sign-up blurb",
        pattern=r"(?:\b(?:sign up|subscribe|register)\b.{0,80}\bnewsletters?\b|"
        r"\bnewsletters?\b.{0,60}\b(?:sign up|subscribe)\b|"
        r"\bdelivered (?:straight |directly |right )?to your inbox\b|\benter your e-?mail\b|"
        r"\bget (?:the|our) (?:latest|best|top)\b.{0,60}\b(?:inbox|newsletter|e-?mail)\b|"
        r"\byour e-?mail address\b|\bby (?:signing up|subscribing),? you agree\b|"
        r"\bthanks? (?:you )?for (?:signing up|subscribing)\b|"
        r"\b(?:every (?:day|week|morning)|each (?:day|week)),? we (?:send|email|deliver)\b|"
        r"^want more (?:stories|news|articles|content) like this\?)",
        search=True,
        max_words=45,
        examples=(
            "Subscribe to our newsletter",
            "Sign up for our daily newsletter to get the latest news.",
            "Get the latest tech news delivered to your inbox.",
            "Enter your email address",
            "By signing up, you agree to our Terms of Use and Privacy Policy.",
        ),
        counterexamples=(
            "Newsletters have become a big business for independent journalists, the report found.",
            "More than 2 million people subscribe to the service, the company said.",
        ),
    ),
    LineRule(
        name="newsletter.label_v1",
        kind="newsletter",
        reason="a bare subscribe or sign-up button label",
        pattern=words(
            "subscribe",
            "subscribe now",
            "sign up",
            "sign up now",
            "newsletter",
            "newsletters",
            "join now",
            "get the newsletter",
            "free newsletter",
            "subscribe today",
            "subscribe for full access",
            "already a subscriber?",
            "become a member",
            "support our journalism",
            "donate",
            "abonnieren",
            "abonnez-vous",
            "suscríbete",
            "iscriviti",
        )
        + r"[!.:]?",
        examples=("Subscribe", "Sign up", "Newsletter", "Already a subscriber?", "Support our journalism"),
        counterexamples=("Subscribers rose 8% in the quarter.", "Sign up rates fell after the change, the firm said."),
    ),
    LineRule(
        name="promo.subscribe_v1",
        languages=("en",),  # English sales phrasing; loanwords ("free report") occur in other languages' prose
        kind="promo",
        reason="an invitation to subscribe to, join or download the outlet's product",
        cues=("subscri", "join", "get ", "download", "newsletter", "opt-in", "click here", "clicking here", "app"),
        pattern=r"(?:^(?:please )?(?:subscribe|join|sign up|get|download|click here to get|click here to download)"
        r"\b.{0,120}\b(?:newsletters?|magazine|youtube|app|subscriptions?|issues?|delivered|membership|podcast)\b|"
        r"^(?:please )?subscribe (?:to|now|today|for)\b|^(?:want|need) more\b[^.?!]{0,40}\?|"
        r"\bopt-in box\b|\bcan send me\b.{0,60}\bnewsletter|"
        r"^see all newsletters$|^[\p{L}\d&' ]{1,40} newsletters?$|"
        r"\S\s+(?:by\s+)?click(?:ing)?\s+here\s*[.!]?$)",  # a call ending in "click here"; alone, a link
        search=True,
        max_words=40,
        examples=(
            "Subscribe to WIRED and stay smart with more of your favorite Ideas writers.",
            "Subscribe to AppleInsider on YouTube",
            "Want more deals? Join the IGN Deals Newsletter.",
            "Get Motor Cycle Monthly delivered through your letterbox every month. 12 issues for £11.99.",
            "CLICK HERE TO GET THE FOX NEWS APP",
            "Please check the opt-in box to acknowledge that you would like to subscribe.",
            "Pick Six Newsletter",
            "GET FOX BUSINESS ON THE GO BY CLICKING HERE",
            "To read the full report, click here.",
        ),
        counterexamples=(
            "Get ready for a long winter, forecasters warned on Monday.",
            "Subscribers to the magazine fell 8% last year, the publisher said.",
            "Join the queue, officials told travellers at the airport on Friday morning.",
            "Click here and there was all it took to empty the account, the bank said.",
        ),
    ),
    LineRule(
        name="promo.read_more_v1",
        kind="promo",
        reason="a teaser link to more content",
        pattern=words(
            "read more",
            "read more here",
            "continue reading",
            "read the full story",
            "read the full article",
            "read full story",
            "read full article",
            "full story",
            "click here",
            "click here to read more",
            "learn more",
            "find out more",
            "see more",
            "show more",
            "view more",
            "load more",
            "weiterlesen",
            "mehr lesen",
            "lire la suite",
            "leer más",
            "leggi anche",
            "leggi tutto",
            "lees meer",
        )
        + r"\s*(?:[.…:»›→>]|\.\.\.)*",
        examples=("Read more", "Continue reading...", "Read the full story »", "Load more", "Weiterlesen"),
        counterexamples=(
            "Read more books, the survey told parents.",
            "Learn more about the plan at a town hall on Monday.",
        ),
    ),
)
