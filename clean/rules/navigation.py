"""Navigation, share rows, social labels, related-story lists, comments and markup leftovers.

Page chrome that a select-all copy brings along: breadcrumbs, skip links, menu rows, share buttons,
social logos' alt text, "Related" headers, counters, and template placeholders. Most are short fixed
labels, so rules match whole lines; sub-headings of the article are short too, which is why a rule
here names a label, never "any short line".
"""

from __future__ import annotations

from clean.rules.base import LineRule, words

_NETWORK = (
    r"(?:facebook|twitter|x|linkedin|instagram|youtube|tiktok|pinterest|reddit|whatsapp|telegram|threads|"
    r"bluesky|mastodon|tumblr|flipboard|snapchat|vk|weibo|wechat|line|xing|pocket|email|e-mail|mail|print|sms|rss|"
    r"messenger|google\+?|copy link|copy url|copy|link|comments?|tweet|pin|share|teilen|partager|compartir|condividi)"
)
#: A share row's last button, named for what it does to the page: "Email this story", "Print this article".
_ACTION_THIS = r"(?:e-?mail|print|tweet|save|send) this(?: article| story| post| page| link)?"

RULES = (
    LineRule(
        name="navigation.breadcrumb_v1",
        kind="navigation",
        reason="a breadcrumb trail of section links",
        pattern=r"(?:home|start|startseite|inicio|accueil|news)\s*(?:[>»›/|→]|\s-\s)\s*[^.!?]{0,150}",
        max_words=20,
        examples=("Home > News > World", "Home / Tech / AI", "Home » Business » Markets"),
        counterexamples=("Home prices rose 8% in May / June, the agency said.", "Home is where the heart is."),
    ),
    LineRule(
        name="navigation.skip_v1",
        kind="navigation",
        reason="a skip link, menu toggle or account control",
        pattern=words(
            "skip to content",
            "skip to main content",
            "skip to navigation",
            "skip to footer",
            "jump to navigation",
            "jump to content",
            "toggle navigation",
            "open menu",
            "close menu",
            "menu",
            "main menu",
            "search",
            "search for:",
            "close",
            "open",
            "sign in",
            "log in",
            "login",
            "log out",
            "register",
            "my account",
            "subscribe sign in",
            "sign in subscribe",
            "account",
            "edition",
            "english edition",
            "select language",
            "language",
            "back to top",
            "go to top",
            "top",
            "previous",
            "next",
            "previous article",
            "previous post",
            "next post",
            "older post",
            "newer post",
            "older posts",
            "newer posts",
            "previous story",
            "next story",
            "previous page",
            "next page",
            "next article",
            "prev",
            "more",
            "explore",
            "sections",
            "print edition",
            "today's paper",
            "e-paper",
            "epaper",
            "accedi",
            "anmelden",
            "suche",
            "connexion",
            "rechercher",
            "buscar",
            "iniciar sesión",
            "cerca",
            "zoeken",
        )
        + r"[:.]?",
        examples=("Skip to content", "Menu", "Search", "Subscribe Sign In", "Back to top", "Next article"),
        counterexamples=("Search teams found the boat on Monday.", "Next year the plant will close."),
    ),
    LineRule(
        name="navigation.menu_row_v1",
        cues=("/", "|", "•", "·"),
        kind="navigation",
        reason="a row of three or more short links separated by slashes, bars or bullets",
        pattern=r"[^/|•·]{1,40}(?:\s+[/|•·]\s+[^/|•·]{1,40}){2,}",
        max_words=30,
        examples=(
            "About / Advertise / Tip Us / Contact",
            "Privacy Policy | Terms of Use | Cookie Settings",
            "News • Sport • Weather",
        ),
        counterexamples=(
            "Revenue rose 8% / 10% / 12% across the three units in the quarter, the company said on Monday.",
        ),
    ),
    LineRule(
        name="navigation.tags_v1",
        kind="navigation",
        reason="a tag, topic or category list",
        pattern=r"(?:tags?|topics?|filed under|categories|category|keywords|themen|schlagwörter|étiquettes|"
        r"etiquetas|argomenti)(?:\s*:\s*\S.{0,200}|\s+[^.,;:!?]{1,200})",
        max_words=30,
        examples=(
            "Tags: Alibaba, AI, Qwen",
            "Topics concept EV LA Auto Show 2019 Volkswagen VW",
            "Filed under: Markets",
        ),
        counterexamples=(
            "Topics of the talks included tariffs and farm subsidies, officials said.",
            "Tags are now required on all cattle, the ministry said.",
        ),
    ),
    LineRule(
        name="related.header_v1",
        kind="related",
        reason="the header of a related, recommended or popular-stories list",
        pattern=words(
            "related",
            "related articles",
            "related stories",
            "related posts",
            "related content",
            "related news",
            "related coverage",
            "related topics",
            "must read",
            "must reads",
            "read next",
            "read this next",
            "up next",
            "what to read next",
            "recommended",
            "recommended for you",
            "recommended stories",
            "recommended reading",
            "most popular",
            "most read",
            "most viewed",
            "popular",
            "popular now",
            "trending",
            "trending now",
            "trending stories",
            "trending news",
            "trending articles",
            "top stories",
            "latest news",
            "latest stories",
            "latest",
            "editor's picks",
            "editors' picks",
            "you may also like",
            "you might also like",
            "you may be interested in",
            "don't miss",
            "more stories",
            "more news",
            "more on this story",
            "more on this topic",
            "also read",
            "see also",
            "also on",
            "story timeline",
            "more in",
            "in other news",
            "around the web",
            "from the web",
            "promoted stories",
            "sponsored stories",
            "more for you",
            "top picks",
            "more",
            "the latest",
            "featured",
            "featured stories",
            "das könnte sie auch interessieren",
            "mehr zum thema",
            "à lire aussi",
            "lire aussi",
            "te puede interesar",
            "leggi anche",
            "potrebbe interessarti",
            "lees ook",
            "meest gelezen",
        )
        + r"(?:\s+(?:bits & bytes|(?:from|on|in|about) [^.!?]{1,40}))?\s*(?:[:.…]|\.\.\.)?",
        examples=(
            "Must Read",
            "You may also like...",
            "Trending News",
            "Related Articles",
            "You may also like",
            "Story Timeline",
            "More from Reuters",
            "Must Read Bits & Bytes",
        ),
        counterexamples=("Related shares fell 3% on Monday.", "Popular support for the plan is waning."),
    ),
    LineRule(
        name="related.link_v1",
        kind="related",
        reason="an inline 'Related:' or 'Read also:' link to another story",
        pattern=r"[\[(]?(?:related(?: posts?| stories| story| articles?| content| links?)?|read also|also read|"
        r"read more|see also|see more|read next|don't miss|don’t miss|more|recommended|watch|listen|lesen sie auch|"
        r"mehr dazu|lire aussi|à lire aussi|leer también|lee también|leggi anche|lees ook)\s*:\s*\S.{0,200}|"
        r"also (?:on|at|from) [\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}\b.{0,200}",  # "Also on rt.com <headline>"
        max_words=35,
        examples=(
            "Related: Alibaba shares jump on AI hopes",
            "Read also: The best phones of 2024",
            "WATCH: Firefighters battle the blaze",
            "Related post: Pickled Brussels Sprouts Recipe",
            "SEE MORE: Hong Kong protests: 800 students under siege in university",
            "DON'T MISS: Brexit deal explained in five charts",
            "Also on rt.com Journalists & politicians threatened with sedition arrests",
            "[Related: Salesforce Dreamforce Keynote: AI, Integration, Alicia Keys And Protestors]",
        ),
        counterexamples=(
            "More than 100 people attended the rally, police said.",
            "Don't miss the point: the vote was never about the bridge, she said.",
            "Also on Monday, the council approved the budget.",
        ),
    ),
    LineRule(
        name="share.label_v1",
        kind="share",
        reason="share buttons and their labels",
        pattern=rf"(?:{_NETWORK}\s+)?(?:share(?: this)?(?: article| story| post| page)?"
        rf"(?: on| via| to| it with friends)?|"
        rf"tweet this|email this|print this(?: article| story| page)?(?: share it with friends)?|"
        rf"share on {_NETWORK}|{_NETWORK})"
        rf"(?:\s*[,|/•·]?\s*(?:(?:share (?:on |to |via )?)?{_NETWORK}|{_ACTION_THIS})){{0,12}}\s*[:!]?|"
        r"(?:(?:like|liked|enjoy|enjoyed|love|loved) this (?:story|article|post)\?\s*)?"
        r"share (?:it|this(?: story| article| post)?) with (?:a friend|friends|your friends)[.!]?",
        examples=(
            "Share",
            "Share this article",
            "Facebook Twitter LinkedIn Email",
            "Tweet",
            "Share on WhatsApp",
            "Facebook",
            "Copy link",
            "Facebook Share to Twitter",
            "Print This Article Share it With Friends",
            "Like this story? Share it with a friend!",
            "Share on Facebook Share on Twitter Email this story",
            "Facebook Twitter Print this page",
        ),
        counterexamples=("Share prices fell 3% on Monday.", "Twitter said it would change the rule."),
    ),
    LineRule(
        name="social.logo_v1",
        kind="social",
        reason="the alt text of a social network's logo or icon",
        pattern=rf"(?:{_NETWORK}|youtube channel)\s*(?:logo|icon|button|link)s?",
        examples=("Instagram logo", "LinkedIn logo", "Facebook icon", "Twitter logo"),
        counterexamples=("The Twitter logo changed to an X in 2023, the company confirmed.",),
    ),
    LineRule(
        name="social.follow_v1",
        cues=(
            "follow",
            "twitter",
            "facebook",
            "instagram",
            "linkedin",
            "youtube",
            "tiktok",
            "telegram",
            "whatsapp",
            "threads",
            "bluesky",
            "mastodon",
            "google news",
            "flipboard",
            " x",
            "@",
        ),
        kind="social",
        reason="an invitation to follow, like or join the outlet on a social network",
        pattern=r"(?:^(?:follow|like|join|find|connect with|add) (?:us|me|him|her|them|[\p{L}.]+(?: [\p{L}.]+){0,5}) "
        r"(?:on|at|via) (?:twitter|facebook|instagram|linkedin|youtube|tiktok|telegram|whatsapp|threads|bluesky|"
        r"mastodon|google news|flipboard|x)\b|\bfollow (?:us|me)\b|^@\w{2,30}$|^follow\s+@\w+)",
        search=True,
        max_words=25,
        examples=(
            "Follow us on Twitter",
            "Like us on Facebook",
            "Follow Jane Doe on Twitter: @janedoe",
            "Follow The New York Times Opinion section on Facebook, Twitter (@NYTopinion) and Instagram.",
            "Join us on Telegram for breaking news",
            "@benzinga",
        ),
        counterexamples=(
            "Millions follow the league on television each week.",
            "He said he would follow the rules on Twitter from now on, a spokesman added, "
            "but declined further comment on it or the ban.",
        ),
    ),
    LineRule(
        name="comments.label_v1",
        kind="comments",
        reason="the comments section's labels and counters",
        pattern=r"(?:\d+\s+)?(?:comments?|leave a (?:comment|reply)|post a comment|add a comment|"
        r"join the (?:conversation|discussion)|"
        r"show comments|view comments|no comments(?: yet)?|be the first to comment|commenti|nessun commento|kommentare|"
        r"commentaires|comentarios|reacties|responses?|replies)\s*(?:\(\d+\))?[:.]?|"
        r"tell us what you think\W*|what do you think\? (?:let us know|tell us|leave a comment)\b.{0,80}|"
        r"(?:as you comment, please be respectful|please keep (?:your )?comments civil|please read our "
        r"comment(?:ing)? (?:policy|guidelines))\b.{0,600}",  # a comment section's house rules
        examples=("0 Comments", "Leave a comment", "Join the conversation", "Nessun commento", "Comments (12)",
                  "As you comment, please be respectful of other commenters and other viewpoints.",
                  "Tell us what YOU think..."),
        counterexamples=("Comments made by the minister drew criticism.",
                         "Please be respectful of the neighbours, police told fans leaving the stadium.",
                         "Tell us what you think of the plan, the mayor asked residents at the meeting."),
    ),
    LineRule(
        name="comments.header_v1",
        kind="comments",
        reason="the heading or fine print that opens a comments section",
        pattern=r"(?:top rated comments|leave a comment cancel reply|\(view all\)|\[\s*\d+ comments?\s*\]|"
        r"(?:blog )?comments powered by \w+|save my name, email, and website in this browser.{0,60}|"
        r"notify me (?:of|via|by) .{0,80}|you must be logged in to post a comment\.?|log in to (?:comment|reply)|"
        r"this site uses akismet.{0,120}|your email address will not be published\.?.{0,80}|"
        r"\[?\s*read all comments\s*\]?|(?:view|show|see|read) all(?: \d+)? comments)[.!]?",
        examples=(
            "Top Rated Comments",
            "(View all)",
            "[ 167 comments ]",
            "blog comments powered by Disqus",
            "Leave a Comment Cancel Reply",
            "Save my name, email, and website in this browser for the next time I comment.",
            "Your email address will not be published. Required fields are marked *",
            "[ Read All Comments ]",
        ),
        counterexamples=("Comments from the minister drew criticism on Monday.",),
    ),
    LineRule(
        name="comments.widget_v1",
        kind="comments",
        reason="a button or counter of a comment or embedded post",
        pattern=r"(?:reply|report|flag|cancel reply|rating: -?\d+ votes?|-?\d+ votes?|(?:sort|order) by:? ?"
        r"(?:newest|oldest|best|top)?)[.!]?",
        examples=("Reply", "Report", "Rating: 36 Votes", "12 votes"),
        counterexamples=("Reply from the ministry came two days later.", "Votes were still being counted on Monday."),
    ),
    LineRule(
        name="comments.timestamp_v1",
        kind="comments",
        reason="a timestamp with no date: of a comment, a teaser or an update",
        pattern=r"(?:about |posted |updated )?(?:an?|\d{1,3}) "
        r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?) ago(?: at \d\d?:\d\d(?: ?[ap]\.?m\.?)?)?|"
        # a time with no date ("Updated at 1:23 p.m."): the date, if any, is on another line
        r"(?:updated|posted|published|last updated)(?: at| on)?:?\s*\d{1,2}[:.]\d{2}\s*(?:[ap]\.?\s?m\.?)?"
        r"(?:\s*\(?(?-i:[A-Z]{2,4})\)?)?",
        examples=("2 days ago at 07:52 am", "an hour ago", "3 hours ago", "Updated 5 minutes ago",
                  "Updated at 1:23 p.m.", "Posted 10:45 AM EST"),
        counterexamples=("Two days ago the plant closed.", "3 hours ago, police said, the suspect fled."),
    ),
    LineRule(
        name="counter.lone_number_v1",
        kind="counter",
        reason="a number alone on a line: a share, view or comment counter",
        pattern=r"[+\-]?\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d+)?\s?[kKmM]?",
        examples=("0", "3.409", "1,204", "12K"),
        counterexamples=("2019 was a record year for the firm.", "12 people died."),
    ),
    LineRule(
        name="counter.numeric_id_v1",
        kind="counter",
        reason="a long bare number alone on a line: an id or timestamp left from the page's markup",
        pattern=r"\d{8,}",
        examples=("191119052250266", "20191119"),
        counterexamples=("2019", "12 people died.", "1,204,000"),
    ),
    LineRule(
        name="counter.stats_v1",
        kind="counter",
        reason="a views, reads, shares or reading-time counter",
        pattern=r"(?:\d[\d.,]*\s*[kKmM]?\s+(?:views?|reads?|shares?|likes?|letture|lecturas|lectures|aufrufe|"
        r"min(?:ute)?s?\.? read|min(?:ute)?s?\.? listen|mins?)|"
        r"(?:(?:reading|read) time|lesezeit|lesedauer|tempo de leitura|tempo di lettura|tiempo de lectura|"
        r"temps de lecture|leestijd|время чтения)\s*:?\s*(?:~|ca\.\s*)?\d+\s*"
        r"(?:min(?:ute|uto|uti|uten)?s?\.?|мин\.?(?:ут[аы]?)?)|"
        r"\d+\s*min(?:ute)?s?\.? (?:read|lesezeit|de lecture|de lectura|di lettura))",
        examples=("3.409 letture", "5 min read", "Reading time: 4 minutes", "12K shares", "Tempo de leitura: 1 minuto",
                  "Lesezeit: 3 Min.", "Temps de lecture : 5 minutes"),
        counterexamples=("5 min read times are common, the researchers found in their study.",),
    ),
    LineRule(
        name="markup.placeholder_v1",
        kind="markup",
        reason="template placeholders, media player chrome and script leftovers",
        pattern=r"(?:spot_img|spot_im|td_\w+|\{\{[^}]*\}\}|googletag\.\w+.*|window\.\w+.*|adsbygoogle.*|"
        r"loading\.{0,3}|please enable javascript.*|javascript is (?:disabled|required).*|"
        r"your browser does not support.*|play video|watch video|video|image|gallery|photo gallery|"
        r"enlarge this image|toggle caption|hide caption|caption|expand|collapse|listen to this article|"
        r"listen|audio|play|pause|mute|unmute|fullscreen|replay|now playing|up next|autoplay|"
        r"\d{1,2}:\d{2}(?:\s*/\s*\d{1,2}:\d{2})?|[\p{P}\p{S}]{1,5})",
        examples=("spot_img", "Toggle caption", "Listen to this article", "Video", "Image", "0:45", "...", "|", "•"),
        counterexamples=("Video games sales rose 8% last year.", "Images from the scene showed heavy damage."),
    ),
)
