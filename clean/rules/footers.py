"""Copyright lines, cookie and consent notices, legal links and site taglines of page footers.

C4's rules keep the copyright/cookie sentence on about half of all pages because it ends with a period;
here the cue is the notice's own vocabulary, with prose about copyright law or cookies as counterexamples.
"""

from __future__ import annotations

from clean.rules.base import LineRule, words

RULES = (
    LineRule(
        name="copyright.notice_v1",
        cues=("©", "(c)", "&copy;", "copyright", "all rights reserved"),
        kind="copyright",
        reason="a copyright notice",
        pattern=r"(?:^(?:©|\(c\)|&copy;|copyright\s*(?:©|\(c\))?\s*(?:\d{4}|by\b|the\b|(?-i:\p{Lu}\p{Ll}*\s+(?:\p{Lu}|\d))))|"
        r"\ball rights reserved\b)",
        search=True,
        max_words=50,
        examples=(
            "© 2025 Triveous Technologies Private Limited",
            "Copyright 2019 The Associated Press. All rights reserved.",
            "© 2005-2019 SlashGear, All Rights Reserved.",
            "(c) Reuters 2024",
        ),
        counterexamples=(
            "Copyright law in the EU changed in 2019, the court said.",
            "The group said its rights were reserved under the treaty.",
        ),
    ),
    LineRule(
        name="cookie.notice_v1",
        cues=("cookie", "by continuing", "by using", "do not sell", "privacy", "consent", "preferences"),
        kind="cookie",
        reason="a cookie or consent notice",
        pattern=r"(?:\b(?:we|this (?:site|website)|our (?:site|website|partners)) (?:use|uses)\b.{0,40}\bcookies\b|"
        r"\bcookies? (?:policy|settings|preferences|consent|notice)\b|\baccept (?:all )?cookies\b|"
        r"\bby (?:continuing to (?:use|browse)|using) (?:this|our) (?:site|website|service)\b|"
        r"\bmanage (?:cookies|consent|preferences)\b|\bdo not sell my (?:personal )?info|"
        r"\byour privacy choices\b|\bprivacy (?:policy|notice|settings|statement)\b.{0,80}\b(?:terms|cookies?)\b|"
        r"\bwir verwenden cookies\b|\bnous utilisons des cookies\b|\butilizamos cookies\b|"
        r"\butilizziamo (?:i )?cookie\b)",
        search=True,
        max_words=80,
        examples=(
            "We use cookies to improve your experience on our site.",
            "Cookie Settings",
            "Accept all cookies",
            "By continuing to use this site you agree to our use of cookies.",
            "Do Not Sell My Personal Information",
        ),
        counterexamples=(
            "Cookies sales rose 8% over the holidays, the bakery said.",
            "Regulators said the firm tracked users without consent.",
        ),
    ),
    LineRule(
        name="footer.legal_links_v1",
        kind="footer",
        reason="a legal, contact or corporate link of the page footer",
        pattern=words(
            "privacy policy",
            "privacy",
            "privacy notice",
            "terms of use",
            "terms of service",
            "terms",
            "terms and conditions",
            "terms & conditions",
            "contact",
            "contact us",
            "about",
            "about us",
            "advertise",
            "advertise with us",
            "careers",
            "jobs",
            "sitemap",
            "site map",
            "site information",
            "policies",
            "help",
            "faq",
            "accessibility",
            "cookie policy",
            "cookies",
            "imprint",
            "impressum",
            "datenschutz",
            "kontakt",
            "mentions légales",
            "aviso legal",
            "contatti",
            "disclaimer",
            "editorial standards",
            "ethics policy",
            "corrections",
            "code of conduct",
            "rss feeds",
            "newsroom",
            "press",
            "work with us",
            "all rights reserved",
            "back to top of page",
            "feedback",
            "send us feedback",
            "tip us",
            "send a tip",
        )
        + r"\.?",
        examples=("Privacy Policy", "Terms of Use", "Contact Us", "Site Information", "Impressum"),
        counterexamples=("Privacy advocates criticised the plan.", "Contact between the two sides resumed."),
    ),
    LineRule(
        name="footer.domain_v1",
        kind="footer",
        reason="a site's name or domain alone on a line",
        pattern=r"(?:https?://)?(?:www\.)?[\p{L}\d][\p{L}\d\-]{1,40}(?:\.[\p{L}]{2,12}){1,2}/?",
        examples=("TheOutpost.ai", "www.example.com", "https://www.newscase.com/"),
        counterexamples=("JD.com shares rose.", "It said so.", "http://amzn.to/2iJFhRj"),
    ),
)
