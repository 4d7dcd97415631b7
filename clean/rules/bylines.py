"""Bylines, author boxes and attributions: who wrote it, who supplied it, who took the photo.

Bylines are lifted into the ``author`` field rather than simply dropped, so the information survives
outside the body. Names are matched case-sensitively (a capital starts each name word) so that prose
openings such as "By the way" or "By Monday, the deal was off." stay in the text.
"""

from __future__ import annotations

from clean.rules.base import LineRule, words

#: One person's name: capitalised words with the particles names carry in many languages.
NAME = (
    r"\p{Lu}[\p{L}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}'’.\-]*|de|da|di|del|della|van|von|der|den|la|le|bin|al|dos|du|y)){0,4}"
)
#: A byline's label ("By", "Written by", "Von"...); the byline rule and the split-byline lifter share it.
BY_LABEL = (
    r"(?i:by|written by|reviewed by|fact[- ]checked by|edited by|story by|words by|reporting by|posted by|"
    r"author|authors|autor|auteur|autore|von|por|par|door|av|af)"
)
#: Labels that mark a byline only with a colon after them ("Text: Jane Doe", "Текст: ..."): without one they
#: open headlines ("Text Messages Show ...").
COLON_LABEL = r"(?i:text|texto|tekst|testo|текст|автор|авторы|автори)"
#: How a byline opens: a label, with or without a colon, or a colon label with one.
BYLINE_LEAD = rf"(?:{BY_LABEL}\s*:?|{COLON_LABEL}\s*:)"

#: A date straight after a byline's names, with no separator ("By Jane Doe November 19, 2019", "Von Anna
#: Müller 19. November 2019", "By Ana Ruiz 2019-11-19 10:31"): the name ends where the figures begin.
DATE_AFTER = (
    r"\s+(?:\p{L}{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+\p{L}{3,9}\.?\s+\d{4}"
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{1,4})[^!?]{0,30}"
)

#: Newsroom job titles that trail a byline or stand alone under it.
ROLE = words(
    "staff writer",
    "staff reporter",
    "senior writer",
    "senior reporter",
    "reporter",
    "correspondent",
    "contributor",
    "contributing writer",
    "editor",
    "senior editor",
    "news editor",
    "associate editor",
    "editor-in-chief",
    "columnist",
    "freelance writer",
    "writer",
    "special correspondent",
    "chief correspondent",
    "business reporter",
    "technology reporter",
    "political reporter",
    "political correspondent",
    "associated press",
    "the associated press",
    "reuters",
    "bloomberg",
    "afp",
    "cnn",
    "staff",
)

#: Several authors; a job title after the comma ("Jane Doe, Staff Writer") is not another name.
NAMES = rf"{NAME}(?:\s*(?:,|and|&|und|y|et|e|og|och)\s+(?!(?i:{ROLE})\b){NAME}){{0,3}}"

RULES = (
    LineRule(
        name="byline.by_v1",
        kind="byline",
        reason="a byline naming the author; the name moves to the author field",
        pattern=rf"{BYLINE_LEAD}\s*(?P<value>{NAMES})(?:\s*(?:[,|•·–—]|\s-)\s*[^!?]{{0,80}}|{DATE_AFTER})?(?<![.!?])",
        action="to_metadata",
        field="author",
        max_words=16,
        case_sensitive=True,
        examples=(
            "By Jane Doe",
            "By Jane Doe, Staff Writer",
            "Reviewed byNidhi Govil",
            "BY John Smith and Ana Ruiz",
            "By Chris Davies | November 19, 2019",
            "By Jane Doe November 19, 2019",
            "Von Anna Müller 19. November 2019, 10:31 Uhr",
            "By Ana Ruiz 2019-11-19 10:31 GMT",
            "By Amy Kuperinsky | NJ Advance Media for NJ.com",
            "Von Anna Müller",
            "Author: Paul van der Berg",
            "Текст: Венера Ерофеева · 24 сентября 2018",
            "Texto: Ana Ruiz",
        ),
        counterexamples=(
            "Text Messages Show Officials Knew",
            "Texto Completo Del Acuerdo",
            "By the way, the deal was off.",
            "By Monday, the deal was off.",
            "By 2030 the company expects to double output.",
            "By March 3, 2021 the bridge had reopened.",
            "Bytes and pieces",
        ),
    ),
    LineRule(
        name="byline.role_v1",
        kind="byline",
        reason="a job title standing alone under a byline",
        pattern=ROLE + r"s?",
        examples=("Staff Writer", "Senior Reporter", "Associated Press", "Contributor"),
        counterexamples=("The reporter was released on Tuesday.", "Editors met on Monday to discuss the story."),
    ),
    LineRule(
        name="author_box.more_by_v1",
        kind="author_box",
        reason="links and labels of an author box",
        pattern=r"(?:(?:view|see|read) (?:all|more) (?:posts|articles|stories) (?:by|from)\b.{0,60}|"
        r"more (?:from|by) (?:this|the) (?:author|writer|reporter)|about the authors?|"
        r"(?:meet|contact|email) the (?:author|reporter)s?|author profile|latest (?:posts|articles) by\b.{0,60})",
        examples=(
            "View all posts by Brett Shapiro",
            "About the author",
            "More from this author",
            "Contact the reporter",
        ),
        counterexamples=("Little is known about the author of the letter, police said.",),
    ),
    LineRule(
        name="author_box.contact_v1",
        kind="author_box",
        reason="how to reach the author: a contact line of an author box",
        cues=("be reached", "be contacted", "tip?"),
        pattern=r"(?:^(?:have|got) a (?:news )?tip\?|\b(?:can|may) be (?:reached|contacted) (?:at|by|via|on)\s+"
        r"(?:\S+@\S+|\+?[\d(][\d ()./-]{6,}|twitter|x|email|e-mail|phone|telephone)\b)",
        search=True,
        max_words=45,
        examples=(
            "Have a tip? Amy Kuperinsky may be reached at akuperinsky@example.com. Follow her on Twitter @AmyKup.",
            "Jane Doe can be reached at jdoe@example.com or on Twitter @janedoe.",
            "Got a news tip?",
        ),
        counterexamples=(
            "The summit can be reached at dawn from the northern trail, guides said.",
            "Officials said a deal may be reached by Friday.",
        ),
    ),
    LineRule(
        name="attribution.source_v1",
        kind="attribution",
        reason="a 'Source: X' attribution label",
        pattern=r"(?:sources?|quelle|quellen|fuente|fuentes|fonte|fonti|bron|bronnen|source image|via)\s*:\s*\S.{0,80}",
        max_words=10,
        examples=("Source: Benzinga", "Source: Reuters", "Sources: AP, AFP", "Quelle: dpa"),
        counterexamples=(
            "Sources said the deal was off.",
            "Source code for the app was leaked on Monday, officials said.",
        ),
    ),
    LineRule(
        name="attribution.source_count_v1",
        kind="attribution",
        reason="a count of cited sources printed as a label",
        pattern=r"\d{1,3}\s+(?:sources?|references?|citations?|quellen|fuentes)",
        examples=("7 Sources", "1 source", "12 References"),
        counterexamples=("7 sources told Reuters the deal was off.", "Seven sources"),
    ),
    LineRule(
        name="attribution.wire_credit_v1",
        kind="attribution",
        reason="a wire-service reporting and editing credit",
        pattern=r"[(\[](?:additional )?(?:reporting|writing|editing|compiled|research|production) by\b"
        r"[^)\]]{1,200}[)\]]\.?|"
        r"(?:additional )?(?:reporting|writing|editing) by [^,.;]{1,40}"
        r"(?:[;,] (?:additional )?(?:reporting|writing|editing) by [^,.;]{1,40})*\.?|"
        r"[(\[]?(?:with|source:?) (?:afp|ap|reuters|dpa|ansa|efe|bloomberg|xinhua)[)\]]?\.?|"
        r"this (?:article|story|post) (?:was )?(?:originally|first) (?:appeared|published|ran)\b.{0,120}",
        examples=(
            "(Reporting by Jane Doe in London; Editing by John Smith)",
            "Editing by Mark Potter",
            "This article originally appeared on The Conversation.",
            "(With AFP)",
        ),
        counterexamples=("Reporting by local outlets suggested the mayor would resign, she said, adding more.",),
    ),
    LineRule(
        name="photo_credit.label_v1",
        kind="photo_credit",
        reason="a photo or image credit",
        pattern=r"(?:(?:photo|photos|photograph|image|images|picture|pictures|foto|fotos|bild|credit|credits|"
        r"photo credit|image credit|image source|illustration|graphic|video|cover image|header image|"
        r"featured image|top image|lead image|fotografía|fotografia|imagen|imagem|afbeelding|фото|фотография|"
        r"иллюстрация|изображение|写真|图片|图片来源)\s*(?:by|courtesy of|:|：|credit:?|source:?|©)\s*\S.{0,100}|"
        r"\(?(?:photo|image)s?\s*:\s*.{1,100}\)?)",
        max_words=16,
        examples=(
            "Photo: John Smith/Getty Images",
            "Photo by VTT Studio via Shutterstock",
            "Image credit: NASA",
            "Credit: Reuters",
            "Photograph: Alamy",
            "Foto: dpa",
            "Фото: Иван Петров",
            "图片来源：新华社",
            "Imagen: EFE",
        ),
        counterexamples=(
            "Photo sharing grew 12% last year, the report said.",
            "Image quality has improved a lot.",
            "Pictures of the crash spread quickly on social media.",
        ),
    ),
    LineRule(
        name="photo_credit.caption_v1",
        kind="photo_credit",
        reason="a photo caption, labelled as one or closed by its credit",
        cues=("credit", "caption"),
        pattern=r"(?:^(?:image|media|photo|video) caption\b.{0,300}|"
        r"\bcredits?(?:\.{2,3}|…)\s*\S[^.!?]{0,80}$)",  # "... Credit... Doug Mills/The New York Times"
        search=True,
        max_words=60,
        examples=(
            "Image caption Taylor Swift's seventh album, Lover, is the only one she owns the rights to",
            "Trump asked voters in Louisiana for a big win. He didn't get it. Credit... Doug Mills/The New York Times",
            "Media caption The moment the bridge collapsed",
        ),
        counterexamples=(
            "Credit card debt rose to a record in the third quarter, the Fed said.",
            "The caption under the photo was wrong, the paper said in a correction.",
        ),
    ),
    LineRule(
        name="photo_credit.agency_v1",
        cues=(
            "getty",
            "shutterstock",
            "istock",
            "alamy",
            "ap",
            "afp",
            "reuters",
            "epa",
            "dpa",
            "bloomberg",
            "nurphoto",
            "sopa",
            "imago",
            "unsplash",
            "pexels",
            "pixabay",
            "wikimedia",
            "handout",
            "associated press",
            "anadolu",
        ),
        kind="photo_credit",
        reason="a caption credit ending in a photo agency's name",
        pattern=r"(?:\b(?:reuters|afp|ap|epa|getty images|dpa|xinhua|ansa|efe)\s*/\s*[\p{L}.'’\- ]{1,40}\.?$)|"
        r"(?:[/(|\[]|\bvia\s|\b(?:credit|photo|photograph|image|picture|foto)s?:?\s|©\s?)\s*[^.]{0,60}\b"
        # EPA in capitals only: "(ePA)" closes a German sentence about the electronic patient record.
        + r"(?:(?-i:EPA(?:-EFE)?)|"
        + words(
            "getty images",
            "getty",
            "shutterstock",
            "istock",
            "istockphoto",
            "alamy",
            "ap photo",
            "afp",
            "reuters",
            "dpa",
            "bloomberg",
            "nurphoto",
            "sopa images",
            "imago",
            "unsplash",
            "pexels",
            "pixabay",
            "wikimedia commons",
            "handout",
            "ap",
            "the associated press",
            "anadolu agency",
        )
        + r")(?:\s+(?:file|photo|pool|images))?(?:\s*/\s*[^.)\]]{0,40})?\s*[)\]]?\.?$",
        search=True,
        max_words=30,
        examples=(
            "A man walks past the logo. (AP Photo/Mark Lennihan)",
            "Jerome Powell. Photo: Win McNamee/Getty Images",
            "via Shutterstock",
            "FILE PHOTO: Traders work on the floor of the exchange, November 18, 2019. REUTERS/Brendan McDermid",
            "China has warned it will act (Image: GETTY )",
            "Protesters in Hong Kong on Sunday. Photograph: Reuters",
            "Roughly 13,000 US troops remain in Afghanistan [File: Reuters]",
            "Rep. Ilhan Omar speaks at the Capitol on July 25, 2019. J. Scott Applewhite / AP file",
        ),
        counterexamples=(
            "Getty Images said revenue rose 4% in the quarter.",
            "Shares of Shutterstock fell 3% after the report was published on Tuesday.",
            "Das Thema wird seit Jahren diskutiert: Die elektronische Patientenakte (ePA)",
        ),
    ),
)
