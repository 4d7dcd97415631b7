"""One page at a time: repair its text, run the cleaners (rules, lifters, zones, the page model) over its lines,
and say what was removed and why. Nothing here reads files or sees another document; ``pipeline`` is the entry."""
